"""The campaign's four indicators, per unit (the unit and every unit under it).

| id | numerator / denominator |
| `officers_competent` | union officers certified / `officers` in the registry |
| `public_staff_competent` | public-sector learners certified / `public_staff` |
| `workers_competent` | enterprise workers certified / `workers` |
| `grassroots_connected` | grassroots units with an officer account and a learner active in 30 days / grassroots units |

Numbers come from a few grouped queries over all units at once (`take_snapshot`), then are summed
over the registry's tree in Python: the cost does not grow with the number of units asked about.
A certified learner counts in their current unit; a deleted one in the unit they had when deleted
(anonymous counters). Counts of learners under `min_group` are suppressed ("< 5").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from tutor.models import Event, Learner
from tutor.officer_models import Officer, StatCounter
from tutor.stats.counters import CERTIFIED, CERTIFIED_EVENT, DEFAULT_TZ, LAST_ACTIVE, week_of
from tutor.units import UnitInfo, UnitRegistry

# (indicator id, learner group, registry column holding the denominator)
GROUP_INDICATORS = (
    ("officers_competent", "officer", "officers"),
    ("public_staff_competent", "public", "public_staff"),
    ("workers_competent", "worker", "workers"),
)
CONNECTED = "grassroots_connected"
INDICATOR_IDS = tuple(i for i, _, _ in GROUP_INDICATORS) + (CONNECTED,)
ACTIVE_DAYS = 30


@dataclass(frozen=True)
class Indicator:
    """One indicator of one unit. `numerator`/`value` are None when suppressed (a small group);
    `value` is None when the denominator is 0."""

    id: str
    numerator: int | None
    denominator: int
    value: float | None
    target: float
    suppressed: bool = False

    def as_json(self) -> dict[str, Any]:
        """The `hocvuso stats --json` shape."""
        out: dict[str, Any] = {
            "id": self.id,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "target": self.target,
        }
        if self.suppressed:
            out["suppressed"] = True
        return out

    def shown(self, min_group: int) -> str:
        """The numerator as an officer sees it ("< 5" when suppressed)."""
        return f"< {min_group}" if self.suppressed else str(self.numerator)


@dataclass
class Snapshot:
    """Per-unit base numbers (each unit's own learners, not its subtree) at one moment."""

    now: datetime
    certified: dict[tuple[str, str], int] = field(default_factory=dict)  # (unit, group) -> learners
    active_7: dict[str, int] = field(default_factory=dict)
    active_30: dict[str, int] = field(default_factory=dict)
    learners: dict[str, int] = field(default_factory=dict)  # live learners who consented
    officer_units: set[str] = field(default_factory=set)
    rollups: dict[int, dict[str, Totals]] = field(default_factory=dict)  # subtree totals per registry


def take_snapshot(session: Session, now: datetime, tz: ZoneInfo = DEFAULT_TZ) -> Snapshot:
    """Read every unit's base numbers with a fixed set of grouped queries."""
    snap = Snapshot(now=now)
    certified: dict[tuple[str, str], int] = defaultdict(int)
    live_certified = (
        select(Learner.unit_id, Learner.group, func.count(distinct(Learner.id)))
        .join(Event, Event.learner_id == Learner.id)
        .where(Event.kind == CERTIFIED_EVENT)
        .group_by(Learner.unit_id, Learner.group)
    )
    for unit, group, count in session.execute(live_certified):
        certified[(unit or "", group or "")] += count
    for unit, group, count in session.execute(_counter_sums(CERTIFIED)):
        certified[(unit, group)] += int(count)
    snap.certified = dict(certified)

    since_7, since_30 = now - timedelta(days=7), now - timedelta(days=ACTIVE_DAYS)
    consented = Learner.consent_state == "given"
    live = select(
        Learner.unit_id,
        func.count(),
        func.sum(case((Learner.last_seen_at >= since_7, 1), else_=0)),
        func.sum(case((Learner.last_seen_at >= since_30, 1), else_=0)),
    ).where(consented)
    active_7: dict[str, int] = defaultdict(int)
    active_30: dict[str, int] = defaultdict(int)
    for unit, total, seven, thirty in session.execute(live.group_by(Learner.unit_id)):
        snap.learners[unit or ""] = int(total)
        active_7[unit or ""] += int(seven or 0)
        active_30[unit or ""] += int(thirty or 0)
    # Deleted learners: their last active week (week granularity: a window starts on its Monday).
    week_7, week_30 = week_of(since_7, tz), week_of(since_30, tz)
    gone = select(
        StatCounter.unit_id,
        func.sum(case((StatCounter.week >= week_7, StatCounter.count), else_=0)),
        func.sum(case((StatCounter.week >= week_30, StatCounter.count), else_=0)),
    ).where(StatCounter.kind == LAST_ACTIVE, StatCounter.week >= week_30)
    for unit, seven, thirty in session.execute(gone.group_by(StatCounter.unit_id)):
        active_7[unit] += int(seven or 0)
        active_30[unit] += int(thirty or 0)
    snap.active_7, snap.active_30 = dict(active_7), dict(active_30)
    snap.officer_units = set(session.scalars(select(Officer.unit_id).where(Officer.revoked_at.is_(None)).distinct()))
    return snap


def _counter_sums(kind: str) -> Any:
    return (
        select(StatCounter.unit_id, StatCounter.group, func.sum(StatCounter.count))
        .where(StatCounter.kind == kind)
        .group_by(StatCounter.unit_id, StatCounter.group)
    )


def scope_units(registry: UnitRegistry, unit_code: str | None) -> list[UnitInfo]:
    """The units counted for `unit_code` (it and the units under it), or every unit for None."""
    return registry.all() if unit_code is None else registry.subtree(unit_code)


@dataclass
class Totals:
    """A unit's subtree (or any set of units) summed: learners, certified by group, registry counts."""

    certified: dict[str, int] = field(default_factory=dict)  # group -> learners
    learners: int = 0
    active_7: int = 0
    active_30: int = 0
    officers: int = 0
    public_staff: int = 0
    workers: int = 0
    grassroots: int = 0
    connected: int = 0

    def add(self, other: Totals) -> None:
        for group, n in other.certified.items():
            self.certified[group] = self.certified.get(group, 0) + n
        for name in ("learners", "active_7", "active_30", "officers", "public_staff", "workers", "grassroots",
                     "connected"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))


def own_totals(snap: Snapshot, units: list[UnitInfo]) -> dict[str, Totals]:
    """Each unit's own figures (not its subtree)."""
    out = {}
    for u in units:
        connected = u.level == "grassroots" and u.id in snap.officer_units and snap.active_30.get(u.id, 0) > 0
        out[u.id] = Totals(
            learners=snap.learners.get(u.id, 0),
            active_7=snap.active_7.get(u.id, 0),
            active_30=snap.active_30.get(u.id, 0),
            officers=u.officers,
            public_staff=u.public_staff,
            workers=u.workers,
            grassroots=int(u.level == "grassroots"),
            connected=int(connected),
        )
    for (unit, group), n in snap.certified.items():
        if unit in out:
            out[unit].certified[group] = out[unit].certified.get(group, 0) + n
    return out


def subtree_totals(snap: Snapshot, registry: UnitRegistry) -> dict[str, Totals]:
    """Every unit's subtree totals, in one pass up the tree (cached on the snapshot)."""
    cached = snap.rollups.get(id(registry))
    if cached is not None:
        return cached
    units = registry.all()
    own = own_totals(snap, units)
    result = {code: Totals() for code in own}
    for code, totals in own.items():
        result[code].add(totals)
    depth: dict[str, int] = {}
    for u in units:
        d, seen, current = 0, set(), u
        while current.parent and current.parent not in seen and registry.get(current.parent) is not None:
            seen.add(current.id)
            current = registry.get(current.parent)  # type: ignore[assignment]
            d += 1
        depth[u.id] = d
    for u in sorted(units, key=lambda unit: -depth[unit.id]):  # children before parents
        if u.parent and u.parent in result and depth[u.id] > 0:
            result[u.parent].add(result[u.id])
    snap.rollups[id(registry)] = result
    return result


def indicators_of(totals: Totals, targets: dict[str, float], min_group: int) -> list[Indicator]:
    """The four indicators from summed figures."""
    out = []
    for indicator_id, group, column in GROUP_INDICATORS:
        numerator, denominator = totals.certified.get(group, 0), getattr(totals, column)
        out.append(_make(indicator_id, numerator, denominator, targets.get(indicator_id, 0.0), min_group))
    # Counts of units, not of people: never suppressed.
    out.append(_make(CONNECTED, totals.connected, totals.grassroots, targets.get(CONNECTED, 0.0), 0))
    return out


def compute_indicators(
    snap: Snapshot, units: list[UnitInfo], targets: dict[str, float], min_group: int
) -> list[Indicator]:
    """The four indicators over a set of units (a unit's subtree, or the whole registry)."""
    total = Totals()
    for totals in own_totals(snap, units).values():
        total.add(totals)
    return indicators_of(total, targets, min_group)


def _make(indicator_id: str, numerator: int, denominator: int, target: float, min_group: int) -> Indicator:
    if 0 < numerator < min_group:
        return Indicator(indicator_id, None, denominator, None, target, suppressed=True)
    value = round(numerator / denominator, 4) if denominator else None
    return Indicator(indicator_id, numerator, denominator, value, target)


@dataclass(frozen=True)
class UnitRow:
    """One line of the units table: a unit with its subtree's figures."""

    unit: UnitInfo
    members: int  # officers + public_staff + workers in the registry
    learners: int
    active_7: int
    active_30: int
    certified: int
    indicators: list[Indicator]

    @property
    def share(self) -> float | None:
        """Certified learners of every group over the registry's members."""
        return round(self.certified / self.members, 4) if self.members else None


def unit_row(
    snap: Snapshot, registry: UnitRegistry, unit: UnitInfo, targets: dict[str, float], min_group: int
) -> UnitRow:
    """The figures of one unit and everything under it."""
    t = subtree_totals(snap, registry).get(unit.id) or Totals()
    return UnitRow(
        unit=unit,
        members=t.officers + t.public_staff + t.workers,
        learners=t.learners,
        active_7=t.active_7,
        active_30=t.active_30,
        certified=sum(t.certified.values()),
        indicators=indicators_of(t, targets, min_group),
    )


def weakest_children(
    snap: Snapshot,
    registry: UnitRegistry,
    unit_code: str | None,
    targets: dict[str, float],
    min_group: int,
    limit: int = 3,
) -> list[UnitRow]:
    """The sub-units directly under `unit_code` (top-level units for None) with the lowest share of
    certified members; units without members are left out."""
    rows = [unit_row(snap, registry, child, targets, min_group) for child in registry.children(unit_code)]
    rows = [r for r in rows if r.members > 0]
    rows.sort(key=lambda r: (r.share or 0.0, r.unit.name))
    return rows[:limit]


def suppress(count: int, min_group: int) -> str:
    """A count of learners as an officer sees it: "0", "< 5", or the number."""
    return f"< {min_group}" if 0 < count < min_group else str(count)
