"""Officers in chat: /canbo CODE (become an officer of a unit), /thongke [unit] (the four indicators
with text progress bars and the weakest sub-units), /dangnhap (a one-time dashboard sign-in link),
and statistics questions in plain Vietnamese. An officer sees their unit and the units under it;
learners never see statistics. Every view is logged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tutor import texts_officers as tx
from tutor.flows.base import FlowContext, Outcome, Turn, say
from tutor.officer_questions import (
    ACTIVE,
    CERTIFIED,
    CONNECTED,
    OVERVIEW,
    RATE,
    WEAKEST,
    StatsQuestion,
    parse_question,
)
from tutor.officers import OfficerService, Scope
from tutor.registry import Command, Registry, TextStep
from tutor.stats.indicators import Indicator, UnitRow, suppress
from tutor.store import aware
from tutor.units import UnitInfo

CODE_WINDOW = timedelta(minutes=10)
CODE_MAX_FAILS = 5
GROUP_INDICATOR = {"officer": "officers_competent", "public": "public_staff_competent", "worker": "workers_competent"}


def _service(ctx: FlowContext) -> OfficerService:
    assert ctx.officers is not None  # Conversation always provides one
    return ctx.officers


def become_officer(ctx: FlowContext, t: Turn, arg: str) -> Outcome:
    """/canbo CODE: redeem an invite code (a few wrong codes lock it for a while)."""
    if not arg.strip():
        return say(tx.CODE_MISSING)
    window = t.now - CODE_WINDOW
    fails = [f for f in t.state.data.get("officer_fails", []) if (aware(datetime.fromisoformat(f)) or t.now) > window]
    if len(fails) >= CODE_MAX_FAILS:
        return say(tx.CODE_LOCKED)
    unit = _service(ctx).redeem(t.session, t.learner.id, arg, t.now)
    if unit is None:
        t.state.data = {**t.state.data, "officer_fails": [*fails, t.now.isoformat()]}
        return say(tx.CODE_BAD)
    t.state.data = {k: v for k, v in t.state.data.items() if k != "officer_fails"}
    return say(tx.officer_welcome(unit.name))


def _scope(ctx: FlowContext, t: Turn, unit_words: str | None) -> tuple[Scope | None, str | None]:
    """The officer's scope for the unit named by `unit_words` (their own unit when None);
    (None, message) when they are no officer or the unit is outside their scope."""
    service = _service(ctx)
    own = service.officer_scope(t.session, t.learner.id)
    if own is None:
        return None, tx.ONLY_OFFICERS
    if not unit_words:
        return own, None
    allowed = service.officer_units(t.session, t.learner.id)
    for unit in ctx.units.search(unit_words, limit=50):
        if any(ctx.units.is_within(unit.id, root) for root in allowed):
            return service.officer_scope(t.session, t.learner.id, unit.id), None
    return None, tx.UNIT_NOT_IN_SCOPE


def show_stats(ctx: FlowContext, t: Turn, arg: str) -> Outcome:
    """/thongke [unit]: the indicators of a unit in the officer's scope, and its weakest sub-units."""
    scope, problem = _scope(ctx, t, arg.strip() or None)
    if scope is None:
        return say(problem or tx.ONLY_OFFICERS)
    service = _service(ctx)
    unit = ctx.units.get(scope.unit_id)
    assert unit is not None
    service.log_view(scope, "chat:/thongke", session=t.session)
    lines = [f"📊 {unit.name}"]
    for indicator in service.indicators(unit.id, session=t.session):
        lines.append(indicator_line(indicator, service.config.min_group))
    weakest = service.weakest(unit.id, session=t.session)
    if weakest:
        lines.append("\nĐơn vị cần hỗ trợ thêm:")
        lines += [f"• {row.unit.name}: {tx.percent(row.share)}" for row in weakest]
    lines.append("\nTrang quản trị: /dangnhap")
    return say("\n".join(lines))


def indicator_line(indicator: Indicator, min_group: int) -> str:
    label = tx.INDICATOR_LABELS[indicator.id]
    target = f"mục tiêu {tx.percent(indicator.target)}"
    if indicator.denominator == 0:
        return f"{label}: {tx.NO_DATA}"
    if indicator.suppressed:
        return f"{label}: {tx.few(min_group)}/{indicator.denominator} · {target}"
    return (
        f"{label}:\n{tx.bar(indicator.value)} {tx.percent(indicator.value)} "
        f"({indicator.numerator}/{indicator.denominator}) · {target}"
    )


def sign_in(ctx: FlowContext, t: Turn, _arg: str) -> Outcome:
    """/dangnhap: a one-time link to the dashboard, scoped like the officer."""
    scope, problem = _scope(ctx, t, None)
    if scope is None:
        return say(problem or tx.ONLY_OFFICERS)
    service = _service(ctx)
    url = service.sign_in_link(scope.unit_id, officer_id=scope.officer_id, session=t.session)
    return say(tx.LINK_INTRO.format(minutes=f"{service.config.link_ttl_minutes:g}", url=url))


def officer_question(ctx: FlowContext, t: Turn) -> Outcome | None:
    """A statistics question typed by an officer; None (a normal question) for anyone else."""
    question = parse_question(t.text)
    if question is None or ctx.officers is None:
        return None
    if not ctx.officers.officer_units(t.session, t.learner.id):
        return None
    return answer_question(ctx, t, question)


def answer_question(ctx: FlowContext, t: Turn, q: StatsQuestion) -> Outcome:
    """The answer to a recognised question, from the fixed queries only."""
    if q.kind == OVERVIEW:
        return show_stats(ctx, t, q.unit_text or "")
    scope, problem = _scope(ctx, t, q.unit_text)
    if scope is None:
        return say(problem or tx.ONLY_OFFICERS)
    service = _service(ctx)
    unit = ctx.units.get(scope.unit_id)
    assert unit is not None
    service.log_view(scope, f"chat:question:{q.kind}", session=t.session)
    min_group = service.config.min_group
    if q.kind == WEAKEST:
        rows = service.weakest(unit.id, session=t.session)
        if not rows:
            return say(tx.NO_SUBUNITS)
        return say("\n".join([f"Đơn vị thấp nhất trong {unit.name}:"] + [
            f"{i}. {r.unit.name}: {tx.percent(r.share)}" for i, r in enumerate(rows, 1)
        ]))  # fmt: skip
    if q.kind == ACTIVE:
        row = _row(service, unit, t)
        count = row.active_7 if q.days == 7 else row.active_30
        return say(tx.active_learners(unit.name, q.days, suppress(count, min_group)))
    if q.kind == CERTIFIED and q.group is None:
        row = _row(service, unit, t)
        return say(tx.certified_total(unit.name, suppress(row.certified, min_group), row.members))
    indicators = {i.id: i for i in service.indicators(unit.id, session=t.session)}
    if q.kind == CONNECTED:
        return say(f"{unit.name}\n" + indicator_line(indicators["grassroots_connected"], min_group))
    wanted = [GROUP_INDICATOR[q.group]] if q.kind == RATE and q.group else list(GROUP_INDICATOR.values())
    return say("\n".join([unit.name] + [indicator_line(indicators[i], min_group) for i in wanted]))


def _row(service: OfficerService, unit: UnitInfo, t: Turn) -> UnitRow:
    return service.unit_figures(unit, session=t.session)


def register(registry: Registry) -> None:
    """Declare /canbo, /thongke, /dangnhap and the officers' question step (before questions)."""
    registry.command(
        Command(
            "canbo",
            "cán bộ công đoàn: nhập mã mời",
            become_officer,
            usage="MÃ",
            anytime=True,
        )
    )
    registry.command(Command("thongke", "cán bộ: xem chỉ tiêu đơn vị", show_stats, aliases=("stats",)))
    registry.command(Command("dangnhap", "cán bộ: mở trang quản trị", sign_in))
    registry.text(TextStep("officer-question", 90, officer_question))
