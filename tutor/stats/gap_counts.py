"""Unanswered questions counted per (unit, UTC day, question text) in `tutor_stat_gaps`, so that the
content-gap list reads a few thousand rows whatever the size of the event log (and whatever the
database's planner settings). No learner id.

Like the other aggregates (`tutor.stats.aggregates`) the table always equals a recount of the live
records, in each learner's current unit:
- an unanswered question (event `question_asked`, `data.answered` false) adds one in the same flush;
- a learner who changes unit, or is deleted (`forget`), has the days of their unanswered questions
  recounted from the events (a maximum, the last time asked, cannot be taken out by subtraction).

Bulk Core inserts bypass the mapper events and need `rebuild_gaps`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, event, func, insert, inspect, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper

from tutor.models import Event, Learner
from tutor.officer_models import StatGap
from tutor.stats.aggregates import QUESTION_ASKED, day_of, is_missed, unanswered_sql

QUESTION_CHARS = 300  # what the content-gap list shows of a question
_MOVES = "hocvuso_gap_moves"  # conn.info: learner id -> unit before this flush's UPDATE


def question_text(value: Any) -> str:
    """A question as the content-gap list shows it: spaces collapsed, at most 300 characters."""
    return " ".join(str(value or "").split())[:QUESTION_CHARS]


def question_sql() -> Any:
    """The question text of an event (`data.question`), in SQL."""
    return Event.data["question"].as_string()


def count_questions(rows: Iterable[tuple[Any, datetime]]) -> dict[str, tuple[int, datetime]]:
    """(raw text, asked at) rows -> shown text -> (times asked, last asked); empty texts left out."""
    out: dict[str, tuple[int, datetime]] = {}
    for raw, at in rows:
        text = question_text(raw)
        if text:
            count, last = out.get(text, (0, at))
            out[text] = (count + 1, max(last, at))
    return out


def add_gap(conn: Connection, unit: str, day: date, text: str, asked: int, last_at: datetime) -> None:
    """Count `asked` more questions `text` of a unit on a day, the last at `last_at` (race-free upsert)."""
    postgres = conn.dialect.name == "postgresql"
    stmt = (
        (postgresql if postgres else sqlite)
        .insert(StatGap)
        .values(unit_id=unit, day=day, question=text, asked=asked, last_at=last_at)
    )
    latest = (func.greatest if postgres else func.max)(StatGap.last_at, stmt.excluded.last_at)
    stmt = stmt.on_conflict_do_update(
        index_elements=["unit_id", "day", "question"],
        set_={"asked": StatGap.asked + stmt.excluded.asked, "last_at": latest},
    )
    conn.execute(stmt)


def _unit_of() -> Any:
    return func.coalesce(Learner.unit_id, literal(""))


def recount_days(conn: Connection, unit: str, days: Iterable[date], *, without: int | None = None) -> None:
    """Count again the rows of `unit` on `days` from the live events (`without`: leaving out that
    learner's, whose rows are about to be deleted)."""
    for day in sorted(set(days)):
        start = datetime.combine(day, time.min, UTC)
        who = _unit_of() == unit
        if without is not None:
            who = and_(who, Learner.id != without)
        rows = conn.execute(
            select(question_sql(), Event.at)
            .join(Learner, Learner.id == Event.learner_id)
            .where(
                Event.kind == QUESTION_ASKED,
                Event.at >= start,
                Event.at < start + timedelta(days=1),
                unanswered_sql(),
                who,
            )
        ).tuples()
        conn.execute(delete(StatGap).where(StatGap.unit_id == unit, StatGap.day == day))
        counted = count_questions(rows)
        if counted:
            conn.execute(
                insert(StatGap),
                [dict(unit_id=unit, day=day, question=q, asked=n, last_at=at) for q, (n, at) in counted.items()],
            )


def _days_of(conn: Connection, learner_id: int) -> set[date]:
    """The UTC days on which this learner asked a question that found no answer."""
    rows = conn.execute(
        select(Event.at).where(Event.learner_id == learner_id, Event.kind == QUESTION_ASKED, unanswered_sql())
    ).scalars()
    return {day_of(at) for at in rows}


def forget(conn: Connection, learner_id: int, unit: str) -> None:
    """Take a learner's questions out of their unit's counts (call before deleting their events)."""
    recount_days(conn, unit, _days_of(conn, learner_id), without=learner_id)


def rebuild_gaps(conn: Connection) -> None:
    """Recount `tutor_stat_gaps` from every unanswered question of a learner."""
    conn.execute(delete(StatGap))
    rows = conn.execute(
        select(_unit_of(), Event.at, question_sql())
        .join(Learner, Learner.id == Event.learner_id)
        .where(Event.kind == QUESTION_ASKED, unanswered_sql())
    ).tuples()
    per_day: dict[tuple[str, date], list[tuple[Any, datetime]]] = {}
    for unit, at, raw in rows:
        per_day.setdefault((unit, day_of(at)), []).append((raw, at))
    batch: list[dict[str, Any]] = []
    for (unit, day), asked in per_day.items():
        counted = count_questions(asked)
        batch += [dict(unit_id=unit, day=day, question=q, asked=n, last_at=at) for q, (n, at) in counted.items()]
        if len(batch) >= 10000:
            conn.execute(insert(StatGap), batch)
            batch = []
    if batch:
        conn.execute(insert(StatGap), batch)


# --- the mapper events --------------------------------------------------------------------------
@event.listens_for(Event, "after_insert")
def _event_inserted(_mapper: Mapper[Any], conn: Connection, target: Event) -> None:
    if target.kind != QUESTION_ASKED or target.learner_id is None or not is_missed(target.data, "answered"):
        return
    text = question_text((target.data or {}).get("question"))
    if text:
        unit = conn.execute(select(Learner.unit_id).where(Learner.id == target.learner_id)).scalar() or ""
        add_gap(conn, unit, day_of(target.at), text, 1, target.at)


@event.listens_for(Learner, "before_update")
def _learner_updating(_mapper: Mapper[Any], conn: Connection, target: Learner) -> None:
    if inspect(target).attrs["unit_id"].history.has_changes():  # remember the unit the database holds
        old = conn.execute(select(Learner.unit_id).where(Learner.id == target.id)).scalar()
        conn.info.setdefault(_MOVES, {})[target.id] = old or ""


@event.listens_for(Learner, "after_update")
def _learner_updated(_mapper: Mapper[Any], conn: Connection, target: Learner) -> None:
    # Recounted after the UPDATE: every learner of this flush is then in their new unit, so both
    # recounts see the final state even when several learners move at once.
    old = conn.info.get(_MOVES, {}).pop(target.id, None)
    new = target.unit_id or ""
    if old is None or old == new:
        return
    days = _days_of(conn, target.id)
    recount_days(conn, old, days)
    recount_days(conn, new, days)
