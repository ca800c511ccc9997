"""Officers in chat: /canbo CODE (become an officer of a unit), /thongke [unit] (the four indicators
with text progress bars and the weakest sub-units), /dangnhap (a one-time dashboard sign-in link),
and statistics questions in plain Vietnamese. An officer sees their unit and the units under it;
learners never see statistics. Every view is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tutor import texts_officers as tx
from tutor.flows.base import FlowContext, Outcome, Turn, say
from tutor.flows.questions import question as ordinary_question
from tutor.learner_lists import listed_learners, own_grassroots_units
from tutor.messages import Reply
from tutor.officer_llm import NOT_STATISTICS, UNREADABLE, read_question
from tutor.officer_questions import (
    ACTIVE,
    CERTIFIED,
    CONNECTED,
    OVERVIEW,
    RATE,
    WEAKEST,
    StatsQuestion,
    looks_statistical,
    parse_question,
)
from tutor.officers import OfficerService, Scope
from tutor.registry import Command, Registry, TextStep
from tutor.stats.activity import module_figures
from tutor.stats.indicators import Indicator, suppress
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


def _scope(
    ctx: FlowContext, session: Session, learner_id: int, unit_words: str | None, unit_code: str | None = None
) -> tuple[Scope | None, str | None]:
    """The officer's scope for the unit named by `unit_words` or `unit_code` (their own unit when
    neither); (None, message) when they are no officer or the unit is outside their scope."""
    service = _service(ctx)
    own = service.officer_scope(session, learner_id)
    if own is None:
        return None, tx.ONLY_OFFICERS
    if unit_code:  # named by the model: only a unit of the officer's scope, else nothing about it
        scoped = service.officer_scope(session, learner_id, unit_code) if ctx.units.get(unit_code) else None
        return (scoped, None) if scoped is not None else (None, tx.UNIT_NOT_IN_SCOPE)
    if not unit_words:
        return own, None
    allowed = service.officer_units(session, learner_id)
    for unit in ctx.units.search(unit_words, limit=50):
        if any(ctx.units.is_within(unit.id, root) for root in allowed):
            return service.officer_scope(session, learner_id, unit.id), None
    return None, tx.UNIT_NOT_IN_SCOPE


def show_stats(ctx: FlowContext, t: Turn, arg: str) -> Outcome:
    """/thongke [unit]: the indicators of a unit in the officer's scope, and its weakest sub-units."""
    return stats_overview(ctx, t.session, t.learner.id, arg.strip() or None)


def stats_overview(
    ctx: FlowContext, session: Session, learner_id: int, unit_words: str | None, unit_code: str | None = None
) -> Outcome:
    """The indicators of a unit with text bars, its weakest sub-units (logged as a view)."""
    scope, problem = _scope(ctx, session, learner_id, unit_words, unit_code)
    if scope is None:
        return say(problem or tx.ONLY_OFFICERS)
    service = _service(ctx)
    unit = ctx.units.get(scope.unit_id)
    assert unit is not None
    service.log_view(scope, "chat:/thongke", session=session)
    lines = [f"📊 {unit.name}"]
    for indicator in service.indicators(unit.id, session=session):
        lines.append(indicator_line(indicator, service.config.min_group))
    weakest = service.weakest(unit.id, session=session)
    if weakest:
        lines.append("\nĐơn vị cần hỗ trợ thêm:")
        lines += [f"• {row.unit.name}: {tx.percent(row.share)}" for row in weakest]
    if unit.level == "grassroots" and any(
        u.id == unit.id for u in own_grassroots_units(session, ctx.units, learner_id)
    ):
        lines.append("\nDanh sách học viên: /hocvien")
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
    scope, problem = _scope(ctx, t.session, t.learner.id, None)
    if scope is None:
        return say(problem or tx.ONLY_OFFICERS)
    service = _service(ctx)
    url = service.sign_in_link(scope.unit_id, officer_id=scope.officer_id, session=t.session)
    return say(tx.LINK_INTRO.format(minutes=f"{service.config.link_ttl_minutes:g}", url=url))


def officer_question(ctx: FlowContext, t: Turn) -> Outcome | None:
    """A statistics question typed by an officer; None (a normal question) for anyone else.

    The cue words first; a text they miss but that may ask for figures is read by the model when
    one is configured, after the turn's commit (`Outcome.later`), with the ordinary answer queued
    in case the model says it asks for no figures."""
    if ctx.officers is None:
        return None
    question = parse_question(t.text)
    for_model = question is None and ctx.chat_model is not None and ctx.run_model is not None
    if question is None and not (for_model and looks_statistical(t.text)):
        return None  # the cheap text checks first: most texts are no officer's question
    if not ctx.officers.officer_units(t.session, t.learner.id):
        return None
    if question is not None:
        return answer_question(ctx, t.session, t.learner.id, question)
    outcome = ordinary_question(ctx, t, t.text)
    if outcome.ask is None:  # a scam or an off-topic text was answered at once
        return outcome
    outcome.later = _model_reading(ctx, t, _unit_choices(ctx, t), _module_choices(ctx))
    return outcome


def _unit_choices(ctx: FlowContext, t: Turn, limit: int = 40) -> list[tuple[str, str]]:
    """Units the model may name: the officer's own, those the text names, those directly under."""
    roots = _service(ctx).officer_units(t.session, t.learner.id)
    found = [u for u in ctx.units.search(t.text, limit=20) if any(ctx.units.is_within(u.id, r) for r in roots)]
    picked = [u for u in (ctx.units.get(r) for r in roots) if u is not None] + found
    picked += [child for r in roots for child in ctx.units.children(r)]
    return list(dict.fromkeys((u.id, u.name) for u in picked))[:limit]


def _module_choices(ctx: FlowContext) -> list[tuple[str, str]]:
    return [(mid, module.title) for mid, module in ctx.curriculum.modules.items()]


def _model_reading(
    ctx: FlowContext, t: Turn, units: list[tuple[str, str]], modules: list[tuple[str, str]]
) -> Callable[[], list[Reply] | None]:
    """The slow part, after the commit: the model reads the question into parameters, then a fixed
    query answers in a transaction of its own. None: no statistics question (the ordinary answer)."""
    learner_id, text = t.learner.id, t.text

    def later() -> list[Reply] | None:
        assert ctx.run_model is not None
        reading = read_question(ctx.chat_model, ctx.run_model, text, units, modules)
        if reading == NOT_STATISTICS:
            return None
        if reading is UNREADABLE or not isinstance(reading, StatsQuestion):
            return [Reply(tx.QUESTION_NOT_UNDERSTOOD)]
        with _service(ctx).session_factory() as session, session.begin():
            return answer_question(ctx, session, learner_id, reading).replies

    return later


def answer_question(ctx: FlowContext, session: Session, learner_id: int, q: StatsQuestion) -> Outcome:
    """The answer to a recognised question, from the fixed queries only."""
    if q.kind == OVERVIEW and q.module is None:
        return stats_overview(ctx, session, learner_id, q.unit_text, q.unit_code)
    scope, problem = _scope(ctx, session, learner_id, q.unit_text, q.unit_code)
    if scope is None:
        return say(problem or tx.ONLY_OFFICERS)
    service = _service(ctx)
    unit = ctx.units.get(scope.unit_id)
    assert unit is not None
    service.log_view(scope, f"chat:question:{q.kind}" + (f":{q.module}" if q.module else ""), session=session)
    min_group = service.config.min_group
    if q.module is not None:
        return say(_module_line(ctx, session, unit, q.module, min_group))
    if q.kind == WEAKEST:
        rows = service.weakest(unit.id, session=session)
        if not rows:
            return say(tx.NO_SUBUNITS)
        return say("\n".join([f"Đơn vị thấp nhất trong {unit.name}:"] + [
            f"{i}. {r.unit.name}: {tx.percent(r.share)}" for i, r in enumerate(rows, 1)
        ]))  # fmt: skip
    if q.kind == ACTIVE:
        row = service.unit_figures(unit, session=session)
        count = row.active_7 if q.days == 7 else row.active_30
        return say(tx.active_learners(unit.name, q.days, suppress(count, min_group)))
    if q.kind == CERTIFIED and q.group is None:
        row = service.unit_figures(unit, session=session)
        return say(tx.certified_total(unit.name, suppress(row.certified, min_group), row.members))
    indicators = {i.id: i for i in service.indicators(unit.id, session=session)}
    if q.kind == CONNECTED:
        return say(f"{unit.name}\n" + indicator_line(indicators["grassroots_connected"], min_group))
    wanted = [GROUP_INDICATOR[q.group]] if q.kind == RATE and q.group else list(GROUP_INDICATOR.values())
    return say("\n".join([unit.name] + [indicator_line(indicators[i], min_group) for i in wanted]))


def _module_line(ctx: FlowContext, session: Session, unit: UnitInfo, module: str, min_group: int) -> str:
    """One module's progress in a unit's subtree (the dashboard's module table, one row)."""
    codes = {u.id for u in ctx.units.subtree(unit.id)}
    lessons = {module: [lesson.id for lesson in ctx.curriculum.lessons_in(module)]}
    skills = {module: [s.id for s in ctx.curriculum.skills.values() if s.module == module]}
    figures = module_figures(session, codes, lessons, skills)[0]
    title = ctx.curriculum.modules[module].title
    return tx.module_progress(
        title, unit.name, suppress(figures.started, min_group), figures.completed, figures.mastery
    )


def learner_list(ctx: FlowContext, t: Turn, _arg: str) -> Outcome:
    """/hocvien: the learners of the officer's own grassroots unit who agreed to be listed."""
    service = _service(ctx)
    if not service.officer_units(t.session, t.learner.id):
        return say(tx.ONLY_OFFICERS)
    own = own_grassroots_units(t.session, ctx.units, t.learner.id)
    if not own:  # a district or province officer: aggregates only
        return say(tx.LIST_ONLY_GRASSROOTS)
    unit = own[0]
    scope = service.officer_scope(t.session, t.learner.id, unit.id)
    assert scope is not None
    service.log_view(scope, "chat:/hocvien", session=t.session)
    rows = listed_learners(t.session, unit.id, ctx.tz)
    lines = [(r.name, r.group, r.lessons_completed, r.certified, r.last_active_week.strftime("%d/%m")) for r in rows]
    return say(tx.learner_list(unit.name, lines))


def register(registry: Registry) -> None:
    """Declare /canbo, /thongke, /dangnhap, /hocvien and the officers' question step (before questions)."""
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
    registry.command(
        Command(
            "hocvien",
            "cán bộ cơ sở: danh sách học viên",
            learner_list,
            aliases=("danhsachhocvien", "learners"),
        )
    )
    registry.text(TextStep("officer-question", 90, officer_question))
