"""Anonymous counters (unit, group, week, kind, count — no learner id) in `tutor_stat_counters`.

- Weekly activity ("active_week"): a learner's first event of a local week adds one, in the unit and
  group they have then (`note_activity`, called by the store for every event). The weekly trend
  reads only these counters, whoever was deleted since.
- When a learner is deleted (`/xoadulieu`, `hocvuso purge-inactive`) their certification and last
  active week are folded in ("certified", "last_active") in the same transaction as the deletion.
  Live learners are counted from their own rows, so every person counts exactly once, in their
  current unit, whether or not they are still there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from tutor.models import Event, Learner
from tutor.officer_models import StatCounter

DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CERTIFIED = "certified"  # one per certified learner, in the week of certification
LAST_ACTIVE = "last_active"  # one per learner, in the week of their last activity
ACTIVE_WEEK = "active_week"  # one per learner and week with activity
CERTIFIED_EVENT = "certified"  # the event kind the tutor writes when a learner is certified


def week_of(moment: datetime, tz: ZoneInfo = DEFAULT_TZ) -> date:
    """Monday of the local week holding `moment` (naive datetimes are UTC, as SQLite returns them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def fold_learner(session: Session, learner_id: int, tz: ZoneInfo = DEFAULT_TZ) -> None:
    """Add this learner's certification and last active week to the anonymous counters (call before deleting).

    Learners who never consented have nothing to count."""
    learner = session.get(Learner, learner_id)
    if learner is None or learner.consent_state == "pending":
        return
    unit, group = learner.unit_id or "", learner.group or ""
    certified_at = session.scalar(
        select(Event.at).where(Event.learner_id == learner_id, Event.kind == CERTIFIED_EVENT).order_by(Event.at)
    )
    if certified_at is not None:
        _bump(session, unit, group, week_of(certified_at, tz), CERTIFIED)
    _bump(session, unit, group, week_of(learner.last_seen_at, tz), LAST_ACTIVE)


def note_activity(session: Session, learner_id: int, now: datetime, tz: ZoneInfo = DEFAULT_TZ) -> None:
    """Count the learner in this week's activity counter unless an event of theirs already did."""
    week = week_of(now, tz)
    start = datetime.combine(week, datetime.min.time(), tz).astimezone(UTC)
    already = session.scalar(
        select(Event.id).where(Event.learner_id == learner_id, Event.at >= start, Event.at <= now).limit(1)
    )
    if already is not None:
        return
    learner = session.get(Learner, learner_id)
    if learner is None:
        return
    _bump(session, learner.unit_id or "", learner.group or "", week, ACTIVE_WEEK)


def _bump(session: Session, unit: str, group: str, week: date, kind: str) -> None:
    row = session.get(StatCounter, (unit, group, week, kind))
    if row is None:
        session.add(StatCounter(unit_id=unit, group=group, week=week, kind=kind, count=1))
    else:
        row.count += 1
    session.flush()
