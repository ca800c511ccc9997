"""The four indicators on hand-built data with known answers: empty units, zero denominators, a
learner who moved unit, a learner deleted after certification, small-group suppression, scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from knowledge.db import transaction
from tutor.models import Event, Learner
from tutor.officers import OfficerConfig, OfficerService
from tutor.store import LearnerStore, new_learner_id
from tutor.unit_import import import_units
from tutor.units import DbUnitRegistry

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # a Wednesday
TARGETS = {"officers_competent": 1.0, "public_staff_competent": 0.8, "workers_competent": 0.8,
           "grassroots_connected": 0.7}  # fmt: skip
REGISTRY = """code,name,level,parent,sector,officers,public_staff,workers
tinh,Liên đoàn tỉnh,province,,union,10,0,0
kcn,Công đoàn KCN,district,tinh,union,2,0,0
may,Công đoàn Công ty May,grassroots,kcn,enterprise,2,0,10
giay,Công đoàn Công ty Giày,grassroots,kcn,enterprise,1,0,20
vien,Công đoàn Bệnh viện,grassroots,tinh,public,1,8,0
trong,Công đoàn Trống,district,tinh,union,0,0,0
"""


@pytest.fixture
def world(db, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The registry above, and a service whose clock is NOW."""
    path = tmp_path / "registry.csv"
    path.write_text(REGISTRY, encoding="utf-8")
    with transaction(db.session_factory) as session:
        _, errors = import_units(session, path)
    assert errors == []
    units = DbUnitRegistry(db.session_factory)
    service = OfficerService(db.session_factory, units, OfficerConfig(min_group=1, targets=TARGETS), clock=lambda: NOW)
    return db, service


def add_learner(db, unit: str | None, group: str, *, certified: bool = False, seen_days_ago: int = 1) -> int:  # type: ignore[no-untyped-def]
    seen = NOW - timedelta(days=seen_days_ago)
    with transaction(db.session_factory) as session:
        learner = Learner(
            id=new_learner_id(session),
            group=group,
            unit_id=unit,
            consent_state="given",
            created_at=seen,
            last_seen_at=seen,
        )
        session.add(learner)
        session.flush()
        session.add(Event(learner_id=learner.id, kind="lesson_started", at=seen, data={}))
        if certified:
            session.add(Event(learner_id=learner.id, kind="certified", at=seen, data={}))
        return learner.id


def make_officer(db, service: OfficerService, unit: str) -> int:  # type: ignore[no-untyped-def]
    learner_id = add_learner(db, unit, "officer")
    invite = service.invite(unit)
    with transaction(db.session_factory) as session:
        assert service.redeem(session, learner_id, invite.code.lower(), NOW) is not None
    return learner_id


def by_id(indicators) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    return {i.id: (i.numerator, i.denominator, i.value) for i in indicators}


def test_empty_registry_counts_zero_and_zero_denominators_give_null(world) -> None:  # type: ignore[no-untyped-def]
    _, service = world
    everything = by_id(service.indicators(None))
    assert everything == {
        "officers_competent": (0, 16, 0.0),
        "public_staff_competent": (0, 8, 0.0),
        "workers_competent": (0, 30, 0.0),
        "grassroots_connected": (0, 3, 0.0),
    }
    assert by_id(service.indicators("trong")) == {
        "officers_competent": (0, 0, None),
        "public_staff_competent": (0, 0, None),
        "workers_competent": (0, 0, None),
        "grassroots_connected": (0, 0, None),
    }
    data = service.stats_json("kcn")
    assert data["unit"] == "kcn"
    assert [i["id"] for i in data["indicators"]] == list(TARGETS)
    assert data["indicators"][2] == {
        "id": "workers_competent", "numerator": 0, "denominator": 30, "value": 0.0, "target": 0.8
    }  # fmt: skip


def test_certified_learners_by_group_and_subtree(world) -> None:  # type: ignore[no-untyped-def]
    db, service = world
    for _ in range(3):
        add_learner(db, "may", "worker", certified=True)
    add_learner(db, "may", "worker")  # learning, not certified
    add_learner(db, "giay", "worker", certified=True)
    add_learner(db, "vien", "public", certified=True)
    add_learner(db, "tinh", "officer", certified=True)
    add_learner(db, None, "worker", certified=True)  # no unit: counted nowhere
    assert by_id(service.indicators("may"))["workers_competent"] == (3, 10, 0.3)
    assert by_id(service.indicators("kcn"))["workers_competent"] == (4, 30, round(4 / 30, 4))
    everything = by_id(service.indicators(None))
    assert everything["workers_competent"] == (4, 30, round(4 / 30, 4))
    assert everything["public_staff_competent"] == (1, 8, 0.125)
    assert everything["officers_competent"] == (1, 16, 0.0625)
    assert by_id(service.indicators("kcn"))["officers_competent"] == (0, 5, 0.0)


def test_a_learner_deleted_after_certification_still_counts(world) -> None:  # type: ignore[no-untyped-def]
    db, service = world
    keep = add_learner(db, "may", "worker", certified=True)
    gone = add_learner(db, "may", "worker", certified=True, seen_days_ago=3)
    before = by_id(service.indicators("may"))
    with transaction(db.session_factory) as session:
        LearnerStore().delete_learner(session, gone)
    with transaction(db.session_factory) as session:
        assert session.get(Learner, gone) is None and session.get(Learner, keep) is not None
        from tutor.officer_models import StatCounter

        counters = session.query(StatCounter).all()
        assert {(c.unit_id, c.group, c.kind, c.count) for c in counters} == {
            ("may", "worker", "certified", 1),
            ("may", "worker", "last_active", 1),
        }
    assert by_id(service.indicators("may")) == before
    assert by_id(service.indicators("may"))["workers_competent"] == (2, 10, 0.2)


def test_a_learner_who_moved_counts_once_in_the_new_unit(world) -> None:  # type: ignore[no-untyped-def]
    db, service = world
    mover = add_learner(db, "may", "worker", certified=True)
    with transaction(db.session_factory) as session:
        session.get(Learner, mover).unit_id = "giay"
    assert by_id(service.indicators("may"))["workers_competent"][0] == 0
    assert by_id(service.indicators("giay"))["workers_competent"][0] == 1
    assert by_id(service.indicators("kcn"))["workers_competent"][0] == 1
    with transaction(db.session_factory) as session:  # deleted after moving: still once, in "giay"
        LearnerStore().delete_learner(session, mover)
    assert by_id(service.indicators("giay"))["workers_competent"][0] == 1
    assert by_id(service.indicators("kcn"))["workers_competent"][0] == 1


def test_grassroots_connected_needs_an_officer_and_a_learner_active_in_30_days(world) -> None:  # type: ignore[no-untyped-def]
    db, service = world
    make_officer(db, service, "may")  # the officer is active too: connected
    make_officer(db, service, "giay")
    with transaction(db.session_factory) as session:  # but nobody of "giay" was active in 30 days
        for learner in session.query(Learner).filter(Learner.unit_id == "giay"):
            learner.last_seen_at = NOW - timedelta(days=45)
    add_learner(db, "vien", "public")  # active, but no officer
    assert by_id(service.indicators(None))["grassroots_connected"] == (1, 3, round(1 / 3, 4))
    assert by_id(service.indicators("kcn"))["grassroots_connected"] == (1, 2, 0.5)


def test_small_groups_are_suppressed(world) -> None:  # type: ignore[no-untyped-def]
    db, service = world
    strict = OfficerService(
        db.session_factory, service.units, OfficerConfig(min_group=5, targets=TARGETS), clock=lambda: NOW
    )
    for _ in range(4):
        add_learner(db, "may", "worker", certified=True)
    shown = {i.id: i for i in strict.indicators("may")}
    workers = shown["workers_competent"]
    assert workers.suppressed and workers.numerator is None and workers.value is None
    assert workers.shown(5) == "< 5" and workers.denominator == 10
    assert workers.as_json()["suppressed"] is True
    assert shown["officers_competent"].numerator == 0 and not shown["officers_competent"].suppressed
    add_learner(db, "may", "worker", certified=True)
    assert by_id(strict.indicators("may"))["workers_competent"] == (5, 10, 0.5)


def test_officer_scope_is_the_unit_and_below(world) -> None:  # type: ignore[no-untyped-def]
    db, service = world
    officer = make_officer(db, service, "kcn")
    learner = add_learner(db, "may", "worker")
    with db.session_factory() as session:
        assert service.officer_units(session, officer) == ["kcn"]
        assert service.officer_scope(session, officer).unit_id == "kcn"
        assert service.officer_scope(session, officer, "may").unit_id == "may"
        assert service.officer_scope(session, officer, "vien") is None
        assert service.officer_scope(session, officer, "tinh") is None
        assert service.officer_scope(session, learner) is None


def test_invite_codes_are_single_use_and_expire(world) -> None:  # type: ignore[no-untyped-def]
    db, service = world
    first, second = add_learner(db, "may", "worker"), add_learner(db, "may", "worker")
    invite = service.invite("may")
    assert len(invite.code) == 8 and invite.as_json()["unit"] == "may"
    with transaction(db.session_factory) as session:
        assert service.redeem(session, first, f" {invite.code[:4]}-{invite.code[4:]} ", NOW).id == "may"
    late = service.invite("may")
    with transaction(db.session_factory) as session:
        assert service.redeem(session, second, invite.code, NOW) is None  # used
        assert service.redeem(session, second, late.code, NOW + timedelta(days=4)) is None  # expired
        assert service.redeem(session, second, "NOPE1234", NOW) is None
    officers = [r for r in service.list_officers() if "id" in r]
    assert [(r["unit"], r["learner_id"]) for r in officers] == [("may", first)]
    service.revoke(officers[0]["id"])
    with db.session_factory() as session:
        assert service.officer_scope(session, first) is None


def test_weakest_sub_units_and_units_table(world) -> None:  # type: ignore[no-untyped-def]
    db, service = world
    for _ in range(5):
        add_learner(db, "may", "worker", certified=True)
    add_learner(db, "giay", "worker", certified=True)
    weakest = service.weakest("kcn")
    assert [r.unit.id for r in weakest] == ["giay", "may"]
    assert weakest[0].share == round(1 / 21, 4) and weakest[1].share == round(5 / 12, 4)
    assert [r.unit.id for r in service.weakest(None)] == ["tinh"]
    table = {r.unit.id: r for r in service.units_table("kcn")}
    assert set(table) == {"kcn", "may", "giay"}
    assert (table["kcn"].learners, table["kcn"].certified, table["kcn"].members) == (6, 6, 35)


def test_weekly_activity_counts_each_learner_once_a_week_and_survives_deletion(world) -> None:  # type: ignore[no-untyped-def]
    from tutor.stats.activity import weekly_active

    db, _ = world
    store = LearnerStore()
    first, second = add_learner(db, "may", "worker"), add_learner(db, "giay", "worker")
    monday = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # 09:00 Monday in Hà Nội
    with transaction(db.session_factory) as session:
        for day in range(3):  # three events in one week: counted once
            store.add_event(session, first, "section_viewed", monday + timedelta(days=day))
        store.add_event(session, first, "section_viewed", monday + timedelta(days=7))  # next week
        store.add_event(session, second, "quiz_answered", monday + timedelta(days=8))
    with db.session_factory() as session:
        trend = dict(weekly_active(session, {"may", "giay"}, NOW, weeks=3))
        only_may = dict(weekly_active(session, {"may"}, NOW, weeks=3))
    week1, week2 = monday.date(), monday.date() + timedelta(days=7)
    assert (trend[week1], trend[week2]) == (1, 2) and (only_may[week1], only_may[week2]) == (1, 1)
    with transaction(db.session_factory) as session:
        store.delete_learner(session, first)
    with db.session_factory() as session:
        assert dict(weekly_active(session, {"may", "giay"}, NOW, weeks=3)) == trend


def test_a_cached_snapshot_is_reused_only_within_cache_seconds(world) -> None:  # type: ignore[no-untyped-def]
    db, service = world
    clock = [NOW]
    cached = OfficerService(
        db.session_factory,
        service.units,
        OfficerConfig(min_group=1, targets=TARGETS, cache_seconds=60),
        clock=lambda: clock[0],
    )
    assert by_id(cached.indicators("may"))["workers_competent"][0] == 0
    add_learner(db, "may", "worker", certified=True)
    clock[0] = NOW + timedelta(seconds=30)
    assert by_id(cached.indicators("may"))["workers_competent"][0] == 0  # still the cached snapshot
    clock[0] = NOW + timedelta(seconds=61)
    assert by_id(cached.indicators("may"))["workers_competent"][0] == 1


def test_a_configured_time_zone_is_the_one_weekly_counters_are_written_and_read_in(world) -> None:  # type: ignore[no-untyped-def]
    from datetime import date
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from tutor.officer_models import StatCounter
    from tutor.stats.activity import weekly_active

    db, _ = world
    zone = ZoneInfo("America/Los_Angeles")
    service = OfficerService(db.session_factory, DbUnitRegistry(db.session_factory),
                             OfficerConfig(min_group=1, timezone=zone.key), clock=lambda: NOW)  # fmt: skip
    store = LearnerStore(tz=zone)
    first = add_learner(db, "may", "worker", seen_days_ago=20)
    monday_utc = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # still Sunday 15 November in Los Angeles
    with transaction(db.session_factory) as session:
        store.add_event(session, first, "section_viewed", monday_utc)
        session.get(Learner, first).last_seen_at = monday_utc
    sunday_week, monday_week = date(2026, 11, 9), date(2026, 11, 16)  # Mondays of the two local weeks
    with db.session_factory() as session:
        trend = dict(weekly_active(session, {"may"}, service.now(), weeks=3, tz=service.tz))
    assert (trend[sunday_week], trend[monday_week]) == (1, 0)
    with transaction(db.session_factory) as session:
        store.delete_learner(session, first)
    with db.session_factory() as session:
        folded = {(c.kind, c.week) for c in session.scalars(select(StatCounter).where(StatCounter.unit_id == "may"))}
    assert ("last_active", sunday_week) in folded and ("last_active", monday_week) not in folded


def test_the_tutor_s_store_uses_tutor_timezone(quick_container) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from hocvuso.package_config import tutor_config
    from tests.tutor.conversation_kit import FakeAnswerer, build_tutor
    from tutor.conversation import Conversation

    tutor = build_tutor(quick_container, answerer=FakeAnswerer(), timezone="America/Los_Angeles")
    assert tutor._ctx.store.tz.key == "America/Los_Angeles"
    config = dataclasses.replace(tutor_config(quick_container.settings), timezone="America/Los_Angeles")
    with pytest.raises(ValueError, match="time zone"):  # a store counting in another zone is refused
        Conversation(quick_container.session_factory, tutor.curriculum, FakeAnswerer(), tutor._ctx.units, config,
                     store=LearnerStore())  # fmt: skip
