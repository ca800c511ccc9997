"""Lists of learners for an officer of a grassroots unit: only the learners of that very unit, and
only those who agreed to be listed (/hienten; nobody is listed by default).

A district or province officer gets no list of the units under them (aggregates only), nor does an
operator's dashboard session: the list is for the officer who knows these people by name. A learner
who deleted their data is gone from their row, so from the list too. Every view is logged by the
caller (chat, dashboard page, download) in the officers' view log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tutor.models import Event, Learner, LessonProgress
from tutor.officer_models import Officer
from tutor.stats.counters import CERTIFIED_EVENT, DEFAULT_TZ, week_of
from tutor.units import UnitInfo, UnitRegistry

GRASSROOTS = "grassroots"


@dataclass(frozen=True)
class ListedLearner:
    """One consenting learner of a grassroots unit, as the unit's officer sees them."""

    name: str
    group: str | None  # officer | public | worker (None: not chosen yet)
    lessons_completed: int
    certified: bool
    last_active_week: date  # Monday of the local week the learner was last active


def set_listed(learner: Learner, listed: bool, now: datetime) -> None:
    """Record the learner's choice: listed from `now`, or not listed."""
    learner.listed_at = now if listed else None


def own_grassroots_units(session: Session, units: UnitRegistry, learner_id: int) -> list[UnitInfo]:
    """The grassroots units this learner is an officer of (not the units under a district account)."""
    codes = session.scalars(
        select(Officer.unit_id)
        .where(Officer.learner_id == learner_id, Officer.revoked_at.is_(None))
        .order_by(Officer.id)
    )
    found = [units.get(code) for code in dict.fromkeys(codes)]
    return [u for u in found if u is not None and u.level == GRASSROOTS]


def officer_may_list(session: Session, units: UnitRegistry, officer_id: int | None, unit_code: str) -> bool:
    """Whether the officer account `officer_id` (None: an operator) may list the learners of
    `unit_code`: a live account of exactly that unit, and the unit is a grassroots unit."""
    if officer_id is None:
        return False
    unit = units.get(unit_code)
    if unit is None or unit.level != GRASSROOTS:
        return False
    officer = session.get(Officer, officer_id)
    return officer is not None and officer.revoked_at is None and officer.unit_id == unit_code


def listed_learners(session: Session, unit_code: str, tz: ZoneInfo = DEFAULT_TZ) -> list[ListedLearner]:
    """The learners of one unit who consented to the data notice and agreed to be listed, by name."""
    # Only this unit's learners are counted (not the whole progress table and event log).
    members = select(Learner.id).where(Learner.unit_id == unit_code).scalar_subquery()
    completed = (
        select(LessonProgress.learner_id, func.count().label("n"))
        .where(LessonProgress.status == "completed", LessonProgress.learner_id.in_(members))
        .group_by(LessonProgress.learner_id)
        .subquery()
    )
    certified = (
        select(Event.learner_id)
        .where(Event.kind == CERTIFIED_EVENT, Event.learner_id.in_(members))
        .distinct()
        .subquery()
    )
    rows = session.execute(
        select(Learner.display_name, Learner.group, completed.c.n, certified.c.learner_id, Learner.last_seen_at)
        .outerjoin(completed, completed.c.learner_id == Learner.id)
        .outerjoin(certified, certified.c.learner_id == Learner.id)
        .where(
            Learner.unit_id == unit_code,
            Learner.consent_state == "given",
            Learner.listed_at.is_not(None),
        )
    ).all()
    out = [
        ListedLearner(
            name=(name or "").strip() or "(chưa có tên)",
            group=group,
            lessons_completed=int(n or 0),
            certified=cert is not None,
            last_active_week=week_of(seen, tz),
        )
        for name, group, n, cert, seen in rows
    ]
    return sorted(out, key=lambda r: (r.name.casefold(), r.last_active_week))
