"""The statistics' aggregate tables on hand-built data: kept in step by every ORM write (quiz
answers, lesson progress, mastery, a learner who moves unit, a learner deleted), always equal to a
recount from the live records, and giving the same most-missed items and module figures as the
raw queries over the learners' own rows — with known answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from knowledge.db import transaction
from tutor.models import Event, Learner, LessonProgress
from tutor.officer_models import StatGap, StatModule, StatQuiz, StatQuizTotal, StatSkill
from tutor.stats.activity import _module_figures_raw, content_gaps, missed_items, missed_items_raw, module_figures
from tutor.stats.rebuild import rebuild, sync_lessons
from tutor.store import LearnerStore, new_learner_id
from tutor.unit_import import import_units

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
REGISTRY = """code,name,level,parent,sector,officers,public_staff,workers
tinh,Liên đoàn tỉnh,province,,union,10,0,0
kcn,Công đoàn KCN,district,tinh,union,2,0,0
may,Công đoàn Công ty May,grassroots,kcn,enterprise,2,0,10
giay,Công đoàn Công ty Giày,grassroots,kcn,enterprise,1,0,20
vien,Công đoàn Bệnh viện,grassroots,tinh,public,1,8,0
"""
LESSONS = {"dien-thoai": ["dt-1", "dt-2"], "an-toan": ["at-1"]}
SKILLS = {"dien-thoai": ["dt-a", "dt-b"], "an-toan": ["at-a"]}
ALL = {"tinh", "kcn", "may", "giay", "vien"}
KCN = {"kcn", "may", "giay"}


@pytest.fixture
def world(db, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "registry.csv"
    path.write_text(REGISTRY, encoding="utf-8")
    with transaction(db.session_factory) as session:
        assert import_units(session, path)[1] == []
        sync_lessons(session, LESSONS)
    return db


def learner(db, unit: str | None) -> int:  # type: ignore[no-untyped-def]
    with transaction(db.session_factory) as session:
        row = Learner(id=new_learner_id(session), group="worker", unit_id=unit, consent_state="given",
                      created_at=NOW, last_seen_at=NOW)  # fmt: skip
        session.add(row)
        session.flush()
        return row.id


def utc(moment: datetime) -> datetime:
    """SQLite gives naive UTC datetimes back."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ask(db, who: int, question: str, answered: bool, hours_ago: float) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.session_factory) as session:
        LearnerStore().add_event(session, who, "question_asked", NOW - timedelta(hours=hours_ago),
                                 data={"question": question, "answered": answered})  # fmt: skip


def answer(db, who: int, item: str, correct: bool, hours_ago: float) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.session_factory) as session:
        LearnerStore().add_event(session, who, "quiz_answered", NOW - timedelta(hours=hours_ago), item_id=item,
                                 data={"correct": correct})  # fmt: skip


def study(db, who: int, lesson: str, *, complete: bool = False) -> None:  # type: ignore[no-untyped-def]
    store = LearnerStore()
    with transaction(db.session_factory) as session:
        progress = store.start_lesson(session, who, lesson, NOW)
        if complete:
            progress.status, progress.completed_at = "completed", NOW


def master(db, who: int, skill: str, p: float) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.session_factory) as session:
        LearnerStore().set_mastery(session, who, skill, p, NOW)


def aggregates(session) -> dict[str, set[tuple[Any, ...]]]:  # type: ignore[no-untyped-def]
    """Every aggregate row that counts something (moves and deletions leave zero rows behind)."""
    out = {}
    for table in (StatQuiz, StatQuizTotal, StatModule, StatSkill, StatGap):
        rows = session.execute(select(table)).scalars().all()
        cols = [c.name for c in table.__table__.columns]
        kept = set()
        for row in rows:
            values = tuple(round(v, 9) if isinstance(v, float) else v for v in (getattr(row, c) for c in cols))
            if any(v for v, c in zip(values, cols, strict=True) if c in {"answered", "started", "completed",
                                                                        "learners", "asked"}):  # fmt: skip
                kept.add(values)
        out[table.__tablename__] = kept
    return out


def assert_equal_to_recount(db) -> None:  # type: ignore[no-untyped-def]
    with db.session_factory() as session:
        kept = aggregates(session)
        rebuild(session)
        recounted = aggregates(session)
        session.rollback()
    assert kept == recounted


def assert_same_as_raw(db) -> None:  # type: ignore[no-untyped-def]
    since = NOW - timedelta(days=2, hours=5)  # mid-day: part of the first day comes from the events
    with db.session_factory() as session:
        for codes in (ALL, KCN, {"may"}, {"vien"}, {"tinh"}, set()):
            assert missed_items(session, codes, since) == missed_items_raw(session, codes, since), codes
            assert content_gaps(session, codes, since) == content_gaps(session, codes, since, raw=True), codes
            fast = module_figures(session, codes, LESSONS, SKILLS)
            slow = _module_figures_raw(session, codes, LESSONS, SKILLS)
            assert [(m.module, m.started, m.completed) for m in fast] == [
                (m.module, m.started, m.completed) for m in slow
            ]
            assert [m.mastery for m in fast] == pytest.approx([m.mastery for m in slow])


def test_quiz_answers_known_answers_and_the_window_edge(world) -> None:  # type: ignore[no-untyped-def]
    db = world
    a, b, c = learner(db, "may"), learner(db, "giay"), learner(db, "vien")
    nobody = learner(db, None)
    answer(db, a, "cc-1", False, 1)
    answer(db, b, "cc-1", False, 30)
    answer(db, c, "cc-1", True, 2)
    answer(db, a, "cc-2", False, 50)  # 2 days 2 hours ago: inside the window, on its first day
    answer(db, b, "cc-2", False, 60)  # 2 days 12 hours ago: outside (since = 2 days 5 hours ago)
    answer(db, c, "cc-3", False, 3)
    answer(db, nobody, "cc-3", False, 3)  # no unit: in no scope
    since = NOW - timedelta(days=2, hours=5)
    with db.session_factory() as session:
        assert missed_items(session, ALL, since) == [("cc-1", 2, 3), ("cc-2", 1, 1), ("cc-3", 1, 1)]
        assert missed_items(session, KCN, since) == [("cc-1", 2, 2), ("cc-2", 1, 1)]
        assert missed_items(session, {"vien"}, since) == [("cc-3", 1, 1)]
        assert missed_items(session, KCN, NOW - timedelta(days=3)) == [
            ("cc-1", 2, 2),
            ("cc-2", 2, 2),
        ]  # ties: by item id
    assert_same_as_raw(db)
    assert_equal_to_recount(db)


def test_module_figures_known_answers(world) -> None:  # type: ignore[no-untyped-def]
    db = world
    a, b = learner(db, "may"), learner(db, "may")
    study(db, a, "dt-1", complete=True)
    study(db, a, "dt-2")  # the same module again: still one learner started
    study(db, b, "dt-2", complete=True)
    study(db, b, "at-1")
    study(db, b, "khac")  # a lesson of no module: counted nowhere
    with transaction(db.session_factory) as session:
        session.get(LessonProgress, (a, "dt-2")).status = "completed"  # completed later
    master(db, a, "dt-a", 0.2)
    master(db, b, "dt-a", 0.6)
    master(db, a, "dt-a", 0.4)  # an estimate updated
    master(db, b, "at-a", 0.9)
    with db.session_factory() as session:
        figures = {m.module: m for m in module_figures(session, {"may"}, LESSONS, SKILLS)}
    assert (figures["dien-thoai"].started, figures["dien-thoai"].completed) == (2, 3)
    assert (figures["an-toan"].started, figures["an-toan"].completed) == (1, 0)
    assert figures["dien-thoai"].mastery == pytest.approx(0.5) and figures["an-toan"].mastery == pytest.approx(0.9)
    assert_same_as_raw(db)
    assert_equal_to_recount(db)


def test_a_learner_who_moves_or_is_deleted_is_followed_exactly(world) -> None:  # type: ignore[no-untyped-def]
    db = world
    mover, gone, stay = learner(db, "may"), learner(db, "giay"), learner(db, "vien")
    for who in (mover, gone, stay):
        answer(db, who, "cc-1", False, 5)
        answer(db, who, "cc-2", who != stay, 40)
        study(db, who, "dt-1", complete=who == mover)
        master(db, who, "dt-a", 0.3)
    with transaction(db.session_factory) as session:  # moves, and answers again in the same turn
        session.get(Learner, mover).unit_id = "vien"
        LearnerStore().add_event(session, mover, "quiz_answered", NOW, item_id="cc-3", data={"correct": False})
    assert_equal_to_recount(db)
    assert_same_as_raw(db)
    with db.session_factory() as session:
        assert missed_items(session, {"may"}, NOW - timedelta(days=3)) == []
        assert missed_items(session, {"vien"}, NOW - timedelta(days=3)) == [
            ("cc-1", 2, 2), ("cc-2", 1, 2), ("cc-3", 1, 1)
        ]  # fmt: skip
    with transaction(db.session_factory) as session:
        LearnerStore().delete_learner(session, gone)
    assert_equal_to_recount(db)
    assert_same_as_raw(db)
    with db.session_factory() as session:
        assert missed_items(session, KCN, NOW - timedelta(days=3)) == []
        assert session.scalar(select(StatQuizTotal.answered).where(StatQuizTotal.item_id == "cc-1")) == 2


def test_a_changed_course_outline_recounts_the_modules(world) -> None:  # type: ignore[no-untyped-def]
    db = world
    a = learner(db, "may")
    study(db, a, "dt-1", complete=True)
    study(db, a, "at-1")
    moved = {"dien-thoai": ["dt-2"], "an-toan": ["at-1", "dt-1"]}  # dt-1 now belongs to an-toan
    with db.session_factory() as session:  # not synced yet: the raw rows answer
        assert [(m.started, m.completed) for m in module_figures(session, {"may"}, moved, SKILLS)] == [(0, 0), (1, 1)]
    with transaction(db.session_factory) as session:
        assert sync_lessons(session, moved) is True
        assert sync_lessons(session, moved) is False
    with db.session_factory() as session:
        assert [(m.started, m.completed) for m in module_figures(session, {"may"}, moved, SKILLS)] == [(0, 0), (1, 1)]
        assert {(r.module, r.started, r.completed) for r in session.scalars(select(StatModule))} == {("an-toan", 1, 1)}


def test_bulk_loaded_events_are_counted_by_rebuild(world) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert

    db = world
    a = learner(db, "may")
    with transaction(db.session_factory) as session:  # Core inserts bypass the mapper events
        session.execute(insert(Event), [dict(learner_id=a, kind="quiz_answered", at=NOW, item_id="cc-9",
                                             data={"correct": False})])  # fmt: skip
    with transaction(db.session_factory) as session:
        rebuild(session)
    with db.session_factory() as session:
        assert missed_items(session, {"may"}, NOW - timedelta(hours=1)) == [("cc-9", 1, 1)]
        assert missed_items(session, ALL, NOW - timedelta(days=1)) == [("cc-9", 1, 1)]


def test_unanswered_questions_known_answers_after_a_move_and_a_deletion(world) -> None:  # type: ignore[no-untyped-def]
    db = world
    a, b, c = learner(db, "may"), learner(db, "giay"), learner(db, "vien")
    ask(db, a, "Cách mở tài khoản?", False, 1)
    ask(db, b, "cach mo tai khoan", False, 2)  # the same question without tone marks: merged
    ask(db, b, "Cách đổi mật khẩu", True, 2)  # answered: not a gap
    ask(db, c, "Cách đổi mật khẩu", False, 80)  # older than the window below
    since = NOW - timedelta(days=3)
    with db.session_factory() as session:
        gaps = content_gaps(session, ALL, since)
        assert [(g.question, g.count, utc(g.last_asked)) for g in gaps] == [
            ("Cách mở tài khoản?", 2, NOW - timedelta(hours=1))
        ]  # fmt: skip
        assert [g.count for g in content_gaps(session, ALL, NOW - timedelta(days=4))] == [2, 1]
    with transaction(db.session_factory) as session:
        session.get(Learner, b).unit_id = "vien"
    with transaction(db.session_factory) as session:
        LearnerStore().delete_learner(session, a)
    assert_same_as_raw(db)
    assert_equal_to_recount(db)
    with db.session_factory() as session:
        assert [(g.count, utc(g.last_asked)) for g in content_gaps(session, {"vien"}, since)] == [
            (1, NOW - timedelta(hours=2))
        ]  # fmt: skip
        assert content_gaps(session, KCN, since) == []


def test_gap_counts_known_answers_the_window_edge_and_the_wording_shown(world) -> None:  # type: ignore[no-untyped-def]
    db = world
    a, b = learner(db, "may"), learner(db, "giay")
    ask(db, a, "Cách  đổi mật khẩu?", False, 1)  # two spaces: shown collapsed, counted with the next
    ask(db, b, "Cách đổi mật khẩu?", False, 30)
    ask(db, b, "cach doi mat khau", False, 31)  # the same question without tone marks: merged
    ask(db, a, "Zalo là gì", False, 2 * 24 + 6)  # before `since` on its first day: left out
    ask(db, a, "Zalo là gì", False, 2 * 24 + 4)  # after `since` on the same day: counted
    ask(db, a, "Đã trả lời", True, 1)
    since = NOW - timedelta(days=2, hours=5)
    with db.session_factory() as session:
        gaps = content_gaps(session, ALL, since)
        assert [(g.question, g.count, utc(g.last_asked)) for g in gaps] == [
            ("Cách đổi mật khẩu?", 3, NOW - timedelta(hours=1)),  # asked most in this wording
            ("Zalo là gì", 1, NOW - timedelta(days=2, hours=4)),
        ]  # fmt: skip
        rows = {(r.unit_id, r.question, r.asked) for r in session.scalars(select(StatGap))}
    assert rows == {("may", "Cách đổi mật khẩu?", 1), ("giay", "Cách đổi mật khẩu?", 1),
                    ("giay", "cach doi mat khau", 1), ("may", "Zalo là gì", 2)}  # fmt: skip
    assert_same_as_raw(db)
    assert_equal_to_recount(db)


def test_gap_counts_follow_learners_who_move_together_or_are_deleted(world) -> None:  # type: ignore[no-untyped-def]
    db = world
    a, b, c = learner(db, "may"), learner(db, "giay"), learner(db, "vien")
    for who, hours in ((a, 3), (b, 2), (c, 1), (a, 26), (b, 27)):
        ask(db, who, "Cách mở tài khoản?", False, hours)
    with transaction(db.session_factory) as session:  # a swap of units in one flush
        session.get(Learner, a).unit_id = "giay"
        session.get(Learner, b).unit_id = "may"
    assert_equal_to_recount(db)
    assert_same_as_raw(db)
    with db.session_factory() as session:
        assert [(g.count, utc(g.last_asked)) for g in content_gaps(session, {"giay"}, NOW - timedelta(days=3))] == [
            (2, NOW - timedelta(hours=3))
        ]  # fmt: skip
    with transaction(db.session_factory) as session:
        LearnerStore().delete_learner(session, c)  # the last asker: the last time asked goes back
    with db.session_factory() as session:
        assert [(g.count, utc(g.last_asked)) for g in content_gaps(session, ALL, NOW - timedelta(days=3))] == [
            (4, NOW - timedelta(hours=2))
        ]  # fmt: skip
    assert_equal_to_recount(db)
    assert_same_as_raw(db)


def test_rebuild_with_report_counts_what_a_recount_changed(world) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import delete, update

    from tutor.stats.rebuild_report import rebuild_with_report

    db = world
    a, b = learner(db, "may"), learner(db, "giay")
    answer(db, a, "cc-1", False, 1)
    answer(db, b, "cc-1", True, 30)
    ask(db, a, "Cách mở tài khoản?", False, 1)
    master(db, a, "dt-a", 0.3)
    study(db, a, "dt-1", complete=True)
    with transaction(db.session_factory) as session:  # kept in step: nothing to change
        assert not any(change.any for change in rebuild_with_report(session))
    with transaction(db.session_factory) as session:  # damage two tables by hand
        session.execute(update(StatGap).values(asked=5))
        session.execute(delete(StatQuiz).where(StatQuiz.unit_id == "giay"))
    with transaction(db.session_factory) as session:
        changes = {c.table: (c.rows_before, c.rows_after, c.added, c.removed, c.changed)
                   for c in rebuild_with_report(session)}  # fmt: skip
    assert changes == {
        "tutor_stat_quiz": (1, 2, 1, 0, 0),
        "tutor_stat_quiz_totals": (2, 2, 0, 0, 0),
        "tutor_stat_modules": (1, 1, 0, 0, 0),
        "tutor_stat_skills": (1, 1, 0, 0, 0),
        "tutor_stat_gaps": (1, 1, 0, 0, 1),
    }
    assert_equal_to_recount(db)
