"""The officers' dashboard as the tutor serves it (`tutor.messages.OfficerPort`): every call checks
the session token, stays inside the officer's scope (their unit and the units under it), suppresses
small groups, and logs the view. The bot renders what it gets; it never reads the tutor's tables.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from knowledge.curriculum import Curriculum
from tutor import texts_officers as tx
from tutor.learner_lists import listed_learners, officer_may_list
from tutor.messages import (
    ContentGap,
    LearnerList,
    ListedLearnerRow,
    MissedItem,
    OfficerSession,
    StatIndicator,
    StatModuleRow,
    StatUnitRow,
    StatWeek,
    UnitOverview,
)
from tutor.officers import OfficerService, Scope
from tutor.stats.activity import content_gaps, missed_items, module_figures, weekly_active
from tutor.stats.indicators import Indicator, UnitRow, suppress
from tutor.stats.rebuild import sync_lessons

GAP_DAYS = 90  # the content-gap list looks this far back


class OfficerDashboard:
    """Implements `OfficerPort` over the officer service and the course outline."""

    def __init__(self, service: OfficerService, curriculum: Curriculum) -> None:
        self._service = service
        self._lessons = {m: [lesson.id for lesson in curriculum.lessons_in(m)] for m in curriculum.modules}
        self._skills: dict[str, list[str]] = {m: [] for m in curriculum.modules}
        for skill in curriculum.skills.values():
            self._skills.setdefault(skill.module, []).append(skill.id)
        self._titles = {m: module.title for m, module in curriculum.modules.items()}
        self._course = curriculum
        # (figure, unit) -> (computed at, value): reused for `cache_seconds` like the snapshot.
        self._memo: dict[tuple[str, str], tuple[datetime, Any]] = {}
        self._outline_synced = False

    def _sync_outline(self) -> None:
        """Once per dashboard: store this course outline for the module counts (recounted if it
        changed), so that unit pages read the small aggregate tables."""
        if self._outline_synced:
            return
        with self._service.session_factory() as session, session.begin():
            sync_lessons(session, self._lessons)
        self._outline_synced = True

    def _cached(self, figure: str, unit: str, compute: Callable[[], Any]) -> Any:
        now, ttl = self._service.now(), self._service.config.cache_seconds
        hit = self._memo.get((figure, unit))
        if hit is not None and ttl > 0 and 0 <= (now - hit[0]).total_seconds() < ttl:
            return hit[1]
        value = compute()
        if ttl > 0:
            if len(self._memo) > 2000:  # bounded: one entry per figure and unit viewed
                self._memo.clear()
            self._memo[(figure, unit)] = (now, value)
        return value

    # --- sessions ----------------------------------------------------------------------------
    def sign_in(self, link_token: str) -> str | None:
        """Trade a one-time link token for a session token."""
        return self._service.exchange(link_token)

    def session(self, session_token: str) -> OfficerSession | None:
        """The signed-in officer, or None."""
        scope = self._service.session_scope(session_token)
        unit = self._service.units.get(scope.unit_id) if scope else None
        if scope is None or unit is None:
            return None
        with self._service.session_factory() as session:
            can_list = officer_may_list(session, self._service.units, scope.officer_id, unit.id)
        return OfficerSession(unit.id, unit.name, scope.who, self._service.config.min_group, can_list)

    def sign_out(self, session_token: str) -> None:
        self._service.sign_out(session_token)

    # --- pages -------------------------------------------------------------------------------
    def overview(self, session_token: str, unit_code: str | None = None) -> UnitOverview | None:
        """A unit's page; None when signed out or the unit is outside the officer's scope."""
        scope = self._scope(session_token, unit_code)
        if scope is None:
            return None
        service, units = self._service, self._service.units
        unit = units.get(scope.unit_id)
        assert unit is not None
        codes = {u.id for u in units.subtree(unit.id)}
        min_group = service.config.min_group
        self._sync_outline()
        with service.session_factory() as session:
            snap = service.snapshot(session)
            indicators = service.indicators(unit.id, snap=snap)
            children = service.children_rows(unit.id, snap=snap)
            modules = self._cached(
                "modules", unit.id, lambda: module_figures(session, codes, self._lessons, self._skills)
            )
            trend = self._cached("trend", unit.id, lambda: weekly_active(session, codes, service.now(), tz=service.tz))
        service.log_view(scope, "dashboard:unit")
        return UnitOverview(
            code=unit.id,
            name=unit.name,
            level=unit.level,
            indicators=tuple(_indicator(i, min_group) for i in indicators),
            modules=tuple(
                StatModuleRow(
                    m.module,
                    self._titles.get(m.module, m.module),
                    suppress(m.started, min_group),
                    str(m.completed),
                    round(m.mastery, 3) if m.mastery is not None else None,
                )
                for m in modules
            ),
            trend=tuple(
                StatWeek(week.isoformat(), suppress(n, min_group), None if 0 < n < min_group else n)
                for week, n in trend
            ),
            children=tuple(_row(r, min_group) for r in children),
        )

    def missed_items(self, session_token: str, what: str = "dashboard:missed") -> list[MissedItem] | None:
        """Quiz items most often answered wrong in the officer's scope (90 days). A page of its own:
        it reads every quiz answer of the period, the costliest figure on a large event log."""
        scope = self._scope(session_token, None)
        if scope is None:
            return None
        codes = {u.id for u in self._service.units.subtree(scope.unit_id)}
        since = self._service.now() - timedelta(days=GAP_DAYS)
        min_group = self._service.config.min_group
        with self._service.session_factory() as session:
            rows = self._cached("missed", scope.unit_id, lambda: missed_items(session, codes, since))
        self._service.log_view(scope, what)
        return [
            MissedItem(item, self._question(item), wrong, total)
            for item, wrong, total in rows
            if total >= min_group  # an item answered by fewer learners says little and may identify them
        ]

    def _question(self, item_id: str) -> str:
        item = self._course.item(item_id)
        return item.question if item is not None else item_id

    def units(self, session_token: str, what: str = "dashboard:units") -> list[StatUnitRow] | None:
        """Every unit of the officer's scope with its subtree's figures."""
        scope = self._scope(session_token, None)
        if scope is None:
            return None
        rows = self._service.units_table(scope.unit_id)
        self._service.log_view(scope, what)
        return [_row(r, self._service.config.min_group) for r in rows]

    def content_gaps(self, session_token: str, what: str = "dashboard:gaps") -> list[ContentGap] | None:
        """Unanswered questions of the officer's scope (last 90 days), most asked first."""
        scope = self._scope(session_token, None)
        if scope is None:
            return None
        codes = {u.id for u in self._service.units.subtree(scope.unit_id)}
        since = self._service.now() - timedelta(days=GAP_DAYS)
        with self._service.session_factory() as session:
            gaps = self._cached("gaps", scope.unit_id, lambda: content_gaps(session, codes, since))
        self._service.log_view(scope, what)
        return [ContentGap(g.question, g.count, g.last_asked.date().isoformat()) for g in gaps]

    def learners(self, session_token: str, what: str = "dashboard:learners") -> LearnerList | None:
        """The consenting learners of the officer's own grassroots unit (tutor.learner_lists)."""
        scope = self._scope(session_token, None)
        unit = self._service.units.get(scope.unit_id) if scope else None
        if scope is None or unit is None:
            return None
        with self._service.session_factory() as session:
            if not officer_may_list(session, self._service.units, scope.officer_id, unit.id):
                return LearnerList(unit.id, unit.name, allowed=False)
            rows = listed_learners(session, unit.id, self._service.tz)
        self._service.log_view(scope, what)
        return LearnerList(
            unit.id,
            unit.name,
            allowed=True,
            rows=tuple(
                ListedLearnerRow(
                    r.name, r.group or "", r.lessons_completed, r.certified, r.last_active_week.isoformat()
                )
                for r in rows
            ),
        )

    def _scope(self, session_token: str, unit_code: str | None) -> Scope | None:
        scope = self._service.session_scope(session_token)
        if scope is None:
            return None
        if unit_code is None or unit_code == scope.unit_id:
            return scope
        if not self._service.units.is_within(unit_code, scope.unit_id):
            return None
        return Scope(unit_code, scope.who, scope.officer_id)


def _indicator(indicator: Indicator, min_group: int) -> StatIndicator:
    return StatIndicator(
        id=indicator.id,
        label=tx.INDICATOR_LABELS[indicator.id],
        numerator=indicator.numerator,
        denominator=indicator.denominator,
        value=indicator.value,
        target=indicator.target,
        shown=indicator.shown(min_group),
    )


def _row(row: UnitRow, min_group: int) -> StatUnitRow:
    return StatUnitRow(
        code=row.unit.id,
        name=row.unit.name,
        level=row.unit.level,
        parent=row.unit.parent,
        members=row.members,
        learners=suppress(row.learners, min_group),
        active_7=suppress(row.active_7, min_group),
        active_30=suppress(row.active_30, min_group),
        certified=suppress(row.certified, min_group),
        share=row.share if not 0 < row.certified < min_group else None,
        values={i.id: i.value for i in row.indicators},
    )
