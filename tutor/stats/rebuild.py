"""Recount the aggregate tables (`tutor.stats.aggregates`) from the live records: the backfill of
existing data (migration 0013_offperf, the benchmark's bulk-loaded data) and the check that the
incremental upkeep is right. The module figures are also recounted when the course outline
changes (`sync_lessons`): a lesson moved to another module moves its counts.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, case, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from tutor.models import Event, Learner, LessonProgress, Mastery
from tutor.officer_models import StatLesson, StatModule, StatQuiz, StatQuizTotal, StatSkill
from tutor.stats.aggregates import COMPLETED, QUIZ_ANSWERED, day_sql, missed_sql
from tutor.stats.gap_counts import rebuild_gaps


def _unit() -> ColumnElement[str]:
    return func.coalesce(Learner.unit_id, literal(""))


def rebuild_quiz(conn: Connection) -> None:
    """Recount `tutor_stat_quiz` and `tutor_stat_quiz_totals` from the quiz answers."""
    conn.execute(delete(StatQuiz))
    conn.execute(delete(StatQuizTotal))
    day, unit = day_sql(conn.dialect.name, Event.at), _unit()
    answers = (Event.kind == QUIZ_ANSWERED, Event.item_id.is_not(None))
    per_unit = (
        select(unit, day, Event.item_id, func.count(), func.sum(missed_sql()))
        .join(Learner, Learner.id == Event.learner_id)
        .where(*answers)
        .group_by(unit, day, Event.item_id)
    )
    conn.execute(insert(StatQuiz).from_select(["unit_id", "day", "item_id", "answered", "missed"], per_unit))
    totals = select(StatQuiz.day, StatQuiz.item_id, func.sum(StatQuiz.answered), func.sum(StatQuiz.missed)).group_by(
        StatQuiz.day, StatQuiz.item_id
    )
    conn.execute(insert(StatQuizTotal).from_select(["day", "item_id", "answered", "missed"], totals))


def rebuild_modules(conn: Connection) -> None:
    """Recount `tutor_stat_modules` from lesson progress and the stored course outline."""
    conn.execute(delete(StatModule))
    unit = _unit()
    # One row per (unit, learner, module) first: the learners who started are then a plain count.
    per_learner = (
        select(
            unit.label("unit_id"),
            StatLesson.module.label("module"),
            func.sum(case((LessonProgress.status == COMPLETED, 1), else_=0)).label("completed"),
        )
        .join(StatLesson, StatLesson.lesson_id == LessonProgress.lesson_id)
        .join(Learner, Learner.id == LessonProgress.learner_id)
        .group_by(unit, StatLesson.module, LessonProgress.learner_id)
        .subquery()
    )
    rows = select(per_learner.c.unit_id, per_learner.c.module, func.count(), func.sum(per_learner.c.completed))
    rows = rows.group_by(per_learner.c.unit_id, per_learner.c.module)
    conn.execute(insert(StatModule).from_select(["unit_id", "module", "started", "completed"], rows))


def rebuild_skills(conn: Connection) -> None:
    """Recount `tutor_stat_skills` from the mastery estimates."""
    conn.execute(delete(StatSkill))
    unit = _unit()
    rows = (
        select(unit, Mastery.skill, func.count(), func.sum(Mastery.p))
        .join(Learner, Learner.id == Mastery.learner_id)
        .group_by(unit, Mastery.skill)
    )
    conn.execute(insert(StatSkill).from_select(["unit_id", "skill", "learners", "p_sum"], rows))


def rebuild(session: Session) -> None:
    """Recount every aggregate table in the caller's transaction."""
    session.flush()
    conn = session.connection()
    rebuild_gaps(conn)
    rebuild_quiz(conn)
    rebuild_modules(conn)
    rebuild_skills(conn)


def stored_outline(session: Session) -> dict[str, str]:
    """The course outline the module figures were counted with: lesson -> module."""
    return dict(session.execute(select(StatLesson.lesson_id, StatLesson.module)).tuples().all())


def outline_of(lessons_by_module: dict[str, list[str]]) -> dict[str, str]:
    """lesson -> module (the first module naming a lesson, as the raw query's CASE does)."""
    out: dict[str, str] = {}
    for module, lessons in lessons_by_module.items():
        for lesson in lessons:
            out.setdefault(lesson, module)
    return out


def sync_lessons(session: Session, lessons_by_module: dict[str, list[str]]) -> bool:
    """Store the course outline and recount the module figures when it changed; True if it did."""
    wanted = outline_of(lessons_by_module)
    if stored_outline(session) == wanted:
        return False
    session.execute(delete(StatLesson))
    if wanted:
        session.execute(insert(StatLesson), [{"lesson_id": k, "module": v} for k, v in wanted.items()])
    session.flush()
    rebuild_modules(session.connection())
    return True
