"""The registry as the tutor reads it: the sample file, search with or without tone marks, the tree,
seeding the database once, and the DB-backed registry noticing an import."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from knowledge.db import transaction
from tests.conftest import REPO_ROOT
from tutor.units import DbUnitRegistry, UnitsError, load_units

UNITS_FILE = REPO_ROOT / "knowledge" / "units_sample.csv"


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    return load_units(UNITS_FILE)


def test_sample_registry_is_one_city_union_with_districts_and_grassroots_unions(registry) -> None:
    assert UNITS_FILE.read_text(encoding="utf-8").startswith("# SAMPLE DATA")
    levels = [u.level for u in registry.all()]
    assert levels.count("province") == 1
    assert levels.count("district") >= 3
    assert 10 <= levels.count("grassroots") <= 20
    ids = {u.id for u in registry.all()}
    assert all(u.parent in ids for u in registry.all() if u.parent)
    assert {u.sector for u in registry.all()} == {"enterprise", "public", "union"}
    assert sum(u.workers for u in registry.all()) > 0 and sum(u.public_staff for u in registry.all()) > 0


@pytest.mark.parametrize(
    ("typed", "expected_id"),
    [
        ("may thành công", "cdcs-may-thanh-cong"),
        ("may thanh cong", "cdcs-may-thanh-cong"),
        ("MAY THANH", "cdcs-may-thanh-cong"),
        ("giày da", "cdcs-giay-phu-loc"),
        ("benh vien", "cdcs-benh-vien-an-phu"),
        ("công đoàn công ty điện tử", "cdcs-dien-tu-sao-viet"),
        ("le loi", "cdcs-thpt-le-loi"),
        ("cdcs-go-dong-tien", "cdcs-go-dong-tien"),
    ],
)
def test_search_by_part_of_the_name_tone_marks_optional(registry, typed: str, expected_id: str) -> None:
    found = registry.search(typed)
    assert found and found[0].id == expected_id


def test_search_prefers_grassroots_and_falls_back_to_partial_matches(registry) -> None:
    an_phu = registry.search("an phu")
    assert an_phu[0].level == "grassroots"
    assert {u.id for u in an_phu} >= {"cdcs-benh-vien-an-phu", "ldld-tp-an-phu"}
    assert registry.search("cong ty thanh cong xyz")[0].id == "cdcs-may-thanh-cong"
    assert registry.search("") == [] and registry.search("!!!") == []
    assert registry.search("không có đơn vị này qwerty") == []
    assert len(registry.search("cong doan", limit=3)) == 3


def test_tree_children_subtree_and_scope(registry) -> None:
    kcn = {u.id for u in registry.subtree("cd-kcn-tan-hoa")}
    assert "cd-kcn-tan-hoa" in kcn and "cdcs-may-thanh-cong" in kcn and "cdcs-thpt-le-loi" not in kcn
    assert [u.id for u in registry.children(None)] == ["ldld-tp-an-phu"]
    assert registry.is_within("cdcs-may-thanh-cong", "ldld-tp-an-phu")
    assert not registry.is_within("cdcs-thpt-le-loi", "cd-kcn-tan-hoa")
    assert registry.subtree("nowhere") == []


def test_bad_files_are_reported_with_every_problem(tmp_path: Path) -> None:
    assert len(load_units(tmp_path / "missing.csv")) == 0
    path = tmp_path / "units.csv"
    path.write_text("code,name,level,parent\na,A,galaxy,\na,B,grassroots,nowhere\n", encoding="utf-8")
    with pytest.raises(UnitsError) as caught:
        load_units(path)
    message = str(caught.value)
    assert "row 2, level" in message and "row 3, code" in message and "row 3, parent" in message


def test_sample_seeds_an_empty_table_once_and_never_overwrites(db, registry) -> None:  # type: ignore[no-untyped-def]
    from tutor.models import Unit

    with transaction(db.session_factory) as session:
        registry.sync(session)
    with transaction(db.session_factory) as session:
        session.get(Unit, "cdcs-may-thanh-cong").workers = 7  # as if imported
        registry.sync(session)  # the table is not empty: nothing changes
    with transaction(db.session_factory) as session:
        rows = session.execute(sa.select(Unit.id, Unit.workers, Unit.sample)).all()
    assert len(rows) == len(registry)
    assert ("cdcs-may-thanh-cong", 7, True) in rows


def test_db_registry_sees_a_change_after_refresh(db) -> None:  # type: ignore[no-untyped-def]
    from tutor.models import Unit

    live = DbUnitRegistry(db.session_factory, seed=load_units(UNITS_FILE), refresh_s=3600)
    with transaction(db.session_factory) as session:
        live.sync(session)
    assert live.get("cdcs-may-thanh-cong") is not None
    with transaction(db.session_factory) as session:
        session.add(Unit(id="cdcs-moi", name="Công đoàn Công ty Mới", parent_id="cd-kcn-tan-hoa", level="grassroots"))
    assert live.get("cdcs-moi") is None  # cached
    live.refresh(force=True)
    assert live.search("cong ty moi")[0].id == "cdcs-moi"


def test_a_refresh_during_a_turns_transaction_does_not_wait_for_it(db) -> None:  # type: ignore[no-untyped-def]
    """Onboarding searches the registry inside the turn's write transaction: the refresh must not
    queue behind it (on SQLite every session would otherwise take the write lock)."""
    from tutor.models import Unit

    registry = db.units
    with transaction(db.session_factory) as session:
        session.add(Unit(id="cdcs-x", name="Công đoàn X", parent_id=None, level="grassroots"))
        session.flush()
        registry.refresh(force=True)
        assert registry.search("may thanh cong")[0].id == "cdcs-may-thanh-cong"
