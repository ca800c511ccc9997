"""Small aggregate tables kept in step with the learners' records, so that the officers' pages do
not read every quiz answer or lesson-progress row (`tutor_stat_quiz`, `tutor_stat_quiz_totals`,
`tutor_stat_modules`, `tutor_stat_skills`; `tutor_stat_gaps` in `tutor.stats.gap_counts`; see
`tutor.officer_models`). No learner id in them.

They always equal a recount of the live records (`tutor.stats.rebuild`), in each learner's
current unit, so every figure stays what the raw queries gave:
- an inserted quiz answer, lesson-progress row or mastery estimate, and a lesson completed or a
  mastery changed, add their part in the same flush (mapper events below: every ORM write path
  is covered, whoever writes; bulk Core inserts are not and need `rebuild`);
- a learner who changes unit carries their part from the old unit to the new one;
- `forget_learner` (called by the store before a learner's rows are deleted) takes it out.

The hooks are registered when this module is imported (`tutor.models` imports it; it imports
`tutor.stats.gap_counts` last).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Date, case, cast, event, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper, Session

from tutor.models import Event, Learner, LessonProgress, Mastery
from tutor.officer_models import StatLesson, StatModule, StatQuiz, StatQuizTotal, StatSkill

QUIZ_ANSWERED = "quiz_answered"
QUESTION_ASKED = "question_asked"
COMPLETED = "completed"


def day_of(moment: datetime) -> date:
    """The UTC day of a moment (naive datetimes are UTC, as SQLite returns them)."""
    return moment.astimezone(UTC).date() if moment.tzinfo is not None else moment.date()


def day_sql(dialect: str, column: Any) -> Any:
    """The UTC day of a timestamp column, in SQL (what `day_of` gives in Python)."""
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)  # SQLite keeps UTC timestamps as text


def missed_sql() -> Any:
    """1 for an answer recorded as wrong (`data.correct` false), else 0, in SQL."""
    return case((Event.data["correct"].as_boolean().is_(False), 1), else_=0)


def unanswered_sql() -> Any:
    """A question that found no answer (`data.answered` false), in SQL."""
    return Event.data["answered"].as_boolean().is_(False)


def is_missed(data: dict[str, Any] | None, flag: str = "correct") -> bool:
    """What `missed_sql` (or, with `flag` "answered", `unanswered_sql`) says, for an event in Python."""
    value = (data or {}).get(flag)
    return value is False or (type(value) is int and value == 0)


def _upsert(conn: Connection, table: Any, keys: dict[str, Any], deltas: dict[str, Any]) -> None:
    """Add `deltas` to the row at `keys` (created with them when absent), race-free on both databases."""
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = module.insert(table).values(**keys, **deltas)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: getattr(table.c, name) + getattr(stmt.excluded, name) for name in deltas},
    )
    conn.execute(stmt)


def _unit(conn: Connection, learner_id: int) -> str:
    return conn.execute(select(Learner.unit_id).where(Learner.id == learner_id)).scalar() or ""


def _module(conn: Connection, lesson_id: str) -> str | None:
    return conn.execute(select(StatLesson.module).where(StatLesson.lesson_id == lesson_id)).scalar()


def add_quiz(conn: Connection, unit: str, item: str, day: date, answered: int, missed: int, totals: bool) -> None:
    """Count quiz answers of a unit (negative numbers take them out); `totals`: the all-units row too."""
    deltas = {"answered": answered, "missed": missed}
    _upsert(conn, StatQuiz.__table__, {"unit_id": unit, "day": day, "item_id": item}, deltas)
    if totals:
        _upsert(conn, StatQuizTotal.__table__, {"day": day, "item_id": item}, deltas)


def add_module(conn: Connection, unit: str, module: str, started: int, completed: int) -> None:
    _upsert(conn, StatModule.__table__, {"unit_id": unit, "module": module},
            {"started": started, "completed": completed})  # fmt: skip


def add_skill(conn: Connection, unit: str, skill: str, learners: int, p_sum: float) -> None:
    _upsert(conn, StatSkill.__table__, {"unit_id": unit, "skill": skill}, {"learners": learners, "p_sum": p_sum})


# --- a learner's whole part (moves and deletions) ------------------------------------------------
def learner_part(conn: Connection, learner_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """What one learner adds to the aggregates: quiz (item, day, answered, missed), modules (module,
    started, completed), skills (skill, 1, p)."""
    day = day_sql(conn.dialect.name, Event.at)
    quiz = conn.execute(
        select(Event.item_id, day, func.count(), func.sum(missed_sql()))
        .where(Event.learner_id == learner_id, Event.kind == QUIZ_ANSWERED, Event.item_id.is_not(None))
        .group_by(Event.item_id, day)
    ).all()
    modules = conn.execute(
        select(StatLesson.module, func.count(), func.sum(case((LessonProgress.status == COMPLETED, 1), else_=0)))
        .join(StatLesson, StatLesson.lesson_id == LessonProgress.lesson_id)
        .where(LessonProgress.learner_id == learner_id)
        .group_by(StatLesson.module)
    ).all()
    skills = conn.execute(select(Mastery.skill, Mastery.p).where(Mastery.learner_id == learner_id)).all()
    return {
        "quiz": [(item, _as_date(d), int(n), int(m or 0)) for item, d, n, m in quiz],
        "modules": [(module, 1, int(done or 0)) for module, _, done in modules],
        "skills": [(skill, 1, float(p)) for skill, p in skills],
    }


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def apply_part(conn: Connection, unit: str, part: dict[str, list[tuple[Any, ...]]], sign: int, totals: bool) -> None:
    """Add (`sign` 1) or take out (-1) a learner's part in `unit`."""
    for item, day, answered, missed in part["quiz"]:
        add_quiz(conn, unit, item, day, sign * answered, sign * missed, totals)
    for module, started, completed in part["modules"]:
        add_module(conn, unit, module, sign * started, sign * completed)
    for skill, learners, p in part["skills"]:
        add_skill(conn, unit, skill, sign * learners, sign * p)


def forget_learner(session: Session, learner_id: int) -> None:
    """Take a learner's part out of the aggregates (call before deleting their rows)."""
    session.flush()
    conn = session.connection()
    unit = _unit(conn, learner_id)
    apply_part(conn, unit, learner_part(conn, learner_id), -1, totals=True)
    gap_counts.forget(conn, learner_id, unit)


def _changed(target: Any, name: str) -> bool:
    """Whether this flush writes a new value of `name` (most updates touch other columns only)."""
    return bool(inspect(target).attrs[name].history.has_changes())


def _move(conn: Connection, learner_id: int, old: str, new: str) -> None:
    part = learner_part(conn, learner_id)
    apply_part(conn, old, part, -1, totals=False)
    apply_part(conn, new, part, 1, totals=False)


# --- the mapper events --------------------------------------------------------------------------
@event.listens_for(Event, "after_insert")
def _event_inserted(_mapper: Mapper[Any], conn: Connection, target: Event) -> None:
    if target.kind != QUIZ_ANSWERED or target.item_id is None or target.learner_id is None:
        return
    missed = int(is_missed(target.data))
    add_quiz(conn, _unit(conn, target.learner_id), target.item_id, day_of(target.at), 1, missed, totals=True)


@event.listens_for(LessonProgress, "after_insert")
def _progress_inserted(_mapper: Mapper[Any], conn: Connection, target: LessonProgress) -> None:
    module = _module(conn, target.lesson_id)
    if module is None:
        return
    rows_in_module = conn.execute(
        select(func.count())
        .select_from(LessonProgress)
        .join(StatLesson, StatLesson.lesson_id == LessonProgress.lesson_id)
        .where(LessonProgress.learner_id == target.learner_id, StatLesson.module == module)
    ).scalar_one()
    started = 1 if rows_in_module == 1 else 0  # the learner's first lesson of this module
    completed = 1 if target.status == COMPLETED else 0
    if started or completed:
        add_module(conn, _unit(conn, target.learner_id), module, started, completed)


@event.listens_for(LessonProgress, "before_update")
def _progress_updated(_mapper: Mapper[Any], conn: Connection, target: LessonProgress) -> None:
    if not _changed(target, "status"):
        return
    old = conn.execute(
        select(LessonProgress.status).where(
            LessonProgress.learner_id == target.learner_id, LessonProgress.lesson_id == target.lesson_id
        )
    ).scalar()
    change = int(target.status == COMPLETED) - int(old == COMPLETED)
    module = _module(conn, target.lesson_id) if change else None
    if module is not None:
        add_module(conn, _unit(conn, target.learner_id), module, 0, change)


@event.listens_for(Mastery, "after_insert")
def _mastery_inserted(_mapper: Mapper[Any], conn: Connection, target: Mastery) -> None:
    add_skill(conn, _unit(conn, target.learner_id), target.skill, 1, float(target.p))


@event.listens_for(Mastery, "before_update")
def _mastery_updated(_mapper: Mapper[Any], conn: Connection, target: Mastery) -> None:
    if not _changed(target, "p"):
        return
    old = conn.execute(
        select(Mastery.p).where(Mastery.learner_id == target.learner_id, Mastery.skill == target.skill)
    ).scalar()
    if old is not None and float(old) != float(target.p):
        add_skill(conn, _unit(conn, target.learner_id), target.skill, 0, float(target.p) - float(old))


@event.listens_for(Learner, "before_update")
def _learner_updated(_mapper: Mapper[Any], conn: Connection, target: Learner) -> None:
    if not _changed(target, "unit_id"):
        return
    old = conn.execute(select(Learner.unit_id).where(Learner.id == target.id)).scalar() or ""
    new = target.unit_id or ""
    if old != new:
        _move(conn, target.id, old, new)


# The unanswered questions' counts (their mapper events; `forget_learner` above calls it): imported
# last, as it uses this module's helpers.
from tutor.stats import gap_counts  # noqa: E402  isort: skip
