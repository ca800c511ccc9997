"""The organization registry: loading, validation, search with or without tone marks, DB mirror."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import REPO_ROOT
from tutor.units import UnitsError, load_units

UNITS_FILE = REPO_ROOT / "knowledge" / "units.yaml"


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    return load_units(UNITS_FILE)


def test_default_registry_has_a_province_cities_and_about_ten_grassroots_unions(registry) -> None:
    levels = [u.level for u in registry.all()]
    assert levels.count("province") == 1
    assert levels.count("city") >= 2
    assert 8 <= levels.count("grassroots") <= 14
    ids = {u.id for u in registry.all()}
    assert all(u.parent in ids for u in registry.all() if u.parent)


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
    ],
)
def test_search_by_part_of_the_name_tone_marks_optional(registry, typed: str, expected_id: str) -> None:
    found = registry.search(typed)
    assert found and found[0].id == expected_id


def test_search_prefers_grassroots_and_falls_back_to_partial_matches(registry) -> None:
    an_phu = registry.search("an phu")
    assert an_phu[0].level == "grassroots"
    assert {u.id for u in an_phu} >= {"cdcs-benh-vien-an-phu", "ldld-tp-an-phu"}
    # A word that matches nothing does not hide the words that do.
    assert registry.search("cong ty thanh cong xyz")[0].id == "cdcs-may-thanh-cong"
    assert registry.search("") == [] and registry.search("!!!") == []
    assert registry.search("không có đơn vị này qwerty") == []
    assert len(registry.search("cong doan", limit=3)) == 3


def test_bad_files_are_reported_with_the_problem(tmp_path: Path) -> None:
    assert len(load_units(tmp_path / "missing.yaml")) == 0
    cases = {
        "units: [": "not valid YAML",
        "foo: 1": "units:",
        "units:\n  - {name: X}": "needs an id",
        "units:\n  - {id: a, name: A}\n  - {id: a, name: B}": "duplicate",
        "units:\n  - {id: a, name: A, level: galaxy}": "unknown level",
        "units:\n  - {id: a, name: A, parent: nowhere}": "unknown parent",
    }
    for text, message in cases.items():
        path = tmp_path / "units.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(UnitsError, match=message):
            load_units(path)


def test_registry_is_mirrored_into_the_database(container, registry) -> None:  # type: ignore[no-untyped-def]
    from knowledge.db import transaction
    from tutor.models import Unit

    with transaction(container.session_factory) as session:
        registry.sync(session)
    with transaction(container.session_factory) as session:
        registry.sync(session)  # idempotent
        rows = session.execute(sa.select(Unit.id, Unit.name, Unit.level)).all()
    assert len(rows) == len(registry)
    assert ("cdcs-may-thanh-cong", "Công đoàn Công ty May Thành Công", "grassroots") in rows
