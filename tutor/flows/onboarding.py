"""Onboarding: greeting, consent to the personal-data notice, then the profile (name, unit, group).

Nothing personal is stored before consent: the platform's display name is kept only once the
learner agreed. /start and /trogiup live here too (they are what a newcomer sends first).
"""

from __future__ import annotations

from knowledge.textnorm import fold, normalize
from tutor import texts
from tutor.events import EventKind
from tutor.flows.base import PROFILE_MODES, Ask, FlowContext, Outcome, Turn, say
from tutor.flows.catalogue import study, topic_title
from tutor.intents import is_continuation, is_skip, looks_like_question, name_from, topic_request
from tutor.memo import Remembered
from tutor.messages import Button, Reply
from tutor.models import GROUPS
from tutor.payloads import Agree, PickGroup, PickUnit, SkipPlacement, SkipStep, StartPlacement, UsePlatformName
from tutor.registry import ButtonAction, Command, ParsedCommand, Registry, TextStep
from tutor.topics import find_topic

_AGREE = {"dong y", "toi dong y", "em dong y", "dong y a", "dong y nhe", "ok dong y"}

# Before consent a goal or question is kept in memory only (`tutor.memo`) and acted on after «Đồng ý».
ASKED_LATER = "Mình sẽ trả lời câu hỏi của bạn ngay sau khi bạn bấm «Đồng ý»."
GOAL_LATER = "Bạn muốn học «{title}»: bấm «Đồng ý» là mình bắt đầu."
GOAL_NOTED = "📌 Bạn muốn học «{title}». Trả lời nhanh vài câu hồ sơ (hoặc bấm «Bỏ qua») là mình mở bài ngay."
NAME_NOT_A_NAME = "Câu này không giống tên người 🙂 Bạn chỉ cần gõ tên, ví dụ: Lan (hoặc bấm «Bỏ qua»)."
STEP_AGAIN = "Giờ mình hỏi tiếp nhé:"


# --- consent ---------------------------------------------------------------------------------
def consent_reply(ctx: FlowContext, t: Turn) -> Reply:
    """The notice with its «Đồng ý» button."""
    return Reply(
        texts.consent_notice(ctx.config.consent_retention_days, ctx.chat_model is not None),
        buttons=((ctx.button(t.learner.id, texts.BTN_AGREE, Agree()),),),
    )


def needs_consent(ctx: FlowContext, t: Turn) -> Outcome:
    """The reply to anything a learner without consent may not do yet."""
    return say(texts.CONSENT_NEEDED, consent_reply(ctx, t))


def before_consent(ctx: FlowContext, t: Turn, parsed: ParsedCommand | None) -> Outcome:
    """A text message from a learner who has not consented: consent, a few safe commands, or the notice."""
    if parsed is None and fold(t.text).strip(" .!") in _AGREE:
        return give_consent(ctx, t)
    command = parsed.command if parsed is not None else None
    if command is not None and command.name == "xoadulieu":  # nothing kept, not even in memory
        ctx.memo.forget(t.inbound.channel, t.inbound.user_id)
    if command is not None and command.before_consent is not None:
        outcome = command.before_consent(ctx, t, parsed.arg if parsed else "")
        if outcome.replies:
            return outcome
    kept = _remember(ctx, t) if parsed is None else None
    if t.first_contact or (command is not None and command.name == "start"):
        return say(texts.GREETING, *([kept] if kept else []), consent_reply(ctx, t))
    return say(kept, consent_reply(ctx, t)) if kept else needs_consent(ctx, t)


def _remember(ctx: FlowContext, t: Turn) -> str | None:
    """Keep a goal or question written before consent in memory (not stored); the line saying so."""
    words = topic_request(t.text)
    match = find_topic(ctx.curriculum, words) if words else None
    if words and match is not None:
        ctx.memo.keep(t.inbound.channel, t.inbound.user_id, Remembered("goal", words, t.now))
        return GOAL_LATER.format(title=topic_title(ctx, match))
    if looks_like_question(t.text) or words:
        ctx.memo.keep(t.inbound.channel, t.inbound.user_id, Remembered("question", t.text, t.now))
        return ASKED_LATER
    return None


def resume(ctx: FlowContext, t: Turn) -> list[Reply]:
    """What onboarding was waiting for, asked again (after an interruption)."""
    if t.learner.consent_state != "given":
        return [consent_reply(ctx, t)]
    return profile_prompt(ctx, t)


def give_consent(ctx: FlowContext, t: Turn, _payload: object = None) -> Outcome:
    """Record consent (notice version and hash) and start the profile."""
    if t.learner.consent_state == "given":
        return say(ctx.registry.help_text())
    t.learner.consent_state = "given"
    notice_hash = texts.consent_hash(ctx.config.consent_retention_days, ctx.chat_model is not None)
    ctx.store.add_consent(t.session, t.learner.id, texts.CONSENT_VERSION, notice_hash, t.now)
    ctx.event(t, EventKind.CONSENT_GIVEN, data={"version": texts.CONSENT_VERSION})
    t.state.mode = "name"
    hint = " ".join(normalize(t.inbound.display_name or "").split())[:60]
    if hint:  # the platform's name, kept only now that consent is given
        t.state.data = {**t.state.data, "name_hint": hint}
    earlier = ctx.memo.take(t.inbound.channel, t.inbound.user_id, t.now)
    if earlier is not None and earlier.kind == "question":  # answered now, then the profile
        return Outcome([Reply(texts.CONSENT_THANKS)], ask=Ask(earlier.text, None, None), after=profile_prompt(ctx, t))
    replies = [Reply(texts.CONSENT_THANKS)]
    match = find_topic(ctx.curriculum, earlier.text) if earlier is not None else None
    if earlier is not None and match is not None:  # a goal: its topic opens as soon as the profile is done
        t.state.data = {**t.state.data, "goal": earlier.text}
        replies.append(Reply(GOAL_NOTED.format(title=topic_title(ctx, match))))
    return Outcome(replies + profile_prompt(ctx, t))


# --- profile ---------------------------------------------------------------------------------
def profile_prompt(ctx: FlowContext, t: Turn) -> list[Reply]:
    """The question of the current profile step, with its buttons."""
    lid = t.learner.id
    skip = (ctx.button(lid, texts.BTN_SKIP, SkipStep()),)
    if t.state.mode == "name":
        hint = t.state.data.get("name_hint")
        rows: tuple[tuple[Button, ...], ...] = (
            ((ctx.button(lid, texts.use_name(hint), UsePlatformName()),), skip) if hint else (skip,)
        )
        return [Reply(texts.ASK_NAME, buttons=rows)]
    if t.state.mode == "unit":
        return [Reply(texts.ASK_UNIT, buttons=(skip,))]
    # The three choices once, as buttons (every channel has them; "1".."3" typed still works).
    rows = tuple((ctx.button(lid, label, PickGroup(group)),) for group, label in texts.GROUP_LABELS.items())
    return [Reply(texts.ASK_GROUP, buttons=rows)]


def then_step(ctx: FlowContext, t: Turn, outcome: Outcome) -> Outcome:
    """After a command or button that needs no profile (/nhacnho, /trogiup…) run during a profile
    step: the step asked again, unless the outcome already asks it or waits for a confirmation."""
    if t.state.mode not in PROFILE_MODES or t.state.pending:
        return outcome
    prompt = profile_prompt(ctx, t)
    shown = {r.text for r in [*outcome.replies, *outcome.after]}
    if any(r.text in shown for r in prompt):
        return outcome
    tail = [Reply(STEP_AGAIN), *prompt]
    if outcome.ask is not None:
        outcome.after.extend(tail)  # after the answer, written once the turn is over
    else:
        outcome.replies.extend(tail)
    return outcome


def profile_first(ctx: FlowContext, t: Turn) -> Outcome:
    """The reply to a learning command or button sent before the profile is done."""
    return Outcome([Reply(texts.PROFILE_FIRST)] + profile_prompt(ctx, t))


def _drop(t: Turn, key: str) -> None:
    t.state.data = {k: v for k, v in t.state.data.items() if k != key}


def profile_text(ctx: FlowContext, t: Turn) -> Outcome | None:
    """Typed text during a profile step: the name, a unit search, or the group. A question is
    answered and the step asked again; a goal is noted; "tiếp"/"ok" asks the step again."""
    mode = t.state.mode
    if mode not in PROFILE_MODES:
        return None
    if mode in ("name", "unit") and is_skip(t.text):
        return skip(ctx, t)
    interrupted = _interruption(ctx, t)
    if interrupted is not None:
        return interrupted
    if mode == "name":
        if len(" ".join(t.text.split())) > 60:
            return say(texts.NAME_TOO_LONG)
        name = name_from(t.text)
        if name is None:
            return Outcome([Reply(NAME_NOT_A_NAME)] + profile_prompt(ctx, t))
        t.learner.display_name = name
        _drop(t, "name_hint")
        t.state.mode = "unit"
        return Outcome(profile_prompt(ctx, t))
    if mode == "unit":
        return _unit_search(ctx, t)
    chosen = _group_from_text(fold(t.text).strip(" ."))
    if chosen is None:
        return Outcome([Reply(texts.GROUP_UNKNOWN)] + profile_prompt(ctx, t))
    return set_group(ctx, t, PickGroup(chosen))


def _interruption(ctx: FlowContext, t: Turn) -> Outcome | None:
    """Text that is not an answer to the profile step: a question, a goal, or "tiếp"."""
    if is_continuation(t.text):  # "ok" to «Gọi tôi là …» takes the platform's name; else the step again
        if t.state.mode == "name" and t.state.data.get("name_hint"):
            return use_platform_name(ctx, t)
        return Outcome(profile_prompt(ctx, t))
    words = topic_request(t.text)
    match = find_topic(ctx.curriculum, words, t.learner.group) if words else None
    if words and match is not None:
        t.state.data = {**t.state.data, "goal": words}
        return Outcome([Reply(GOAL_NOTED.format(title=topic_title(ctx, match)))] + profile_prompt(ctx, t))
    asked = looks_like_question(t.text, strict=True) or (looks_like_question(t.text) and len(t.text.split()) >= 3)
    if asked and _group_from_text(fold(t.text).strip(" .")) is None:
        return answer_then_step(ctx, t, t.text)
    return None


def answer_then_step(ctx: FlowContext, t: Turn, question: str) -> Outcome:
    """A question asked during the profile: answered (after the turn), then the step asked again."""
    return Outcome(ask=Ask(question, None, t.learner.group), after=[Reply(STEP_AGAIN), *profile_prompt(ctx, t)])


def _unit_search(ctx: FlowContext, t: Turn) -> Outcome:
    skip_row = (ctx.button(t.learner.id, texts.BTN_SKIP, SkipStep()),)
    matches = ctx.units.search(t.text, limit=5)
    if not matches:
        return say(Reply(texts.UNIT_NOT_FOUND, buttons=(skip_row,)))
    t.state.data = {**t.state.data, "unit_options": [u.id for u in matches]}
    rows = tuple((ctx.button(t.learner.id, u.name[:60], PickUnit(i)),) for i, u in enumerate(matches))
    return say(Reply(texts.UNIT_PICK, buttons=(*rows, skip_row)))


def _group_from_text(folded: str) -> str | None:
    """ "1".."3" or words of a group's label."""
    if folded.isdigit() and 1 <= int(folded) <= len(GROUPS):
        return list(texts.GROUP_LABELS)[int(folded) - 1]
    if "can bo cong doan" in folded or folded in ("officer", "can bo"):
        return "officer"
    if any(w in folded for w in ("khu vuc cong", "cong chuc", "vien chuc")) or folded == "public":
        return "public"
    if any(w in folded for w in ("cong nhan", "lao dong", "doanh nghiep")) or folded == "worker":
        return "worker"
    return None


def skip(ctx: FlowContext, t: Turn, _payload: object = None) -> Outcome:
    """Skip the name or unit step."""
    if t.state.mode == "name":
        _drop(t, "name_hint")
        t.state.mode = "unit"
    elif t.state.mode == "unit":
        t.state.mode = "group"
    else:
        return say(texts.STALE_BUTTON)
    return Outcome(profile_prompt(ctx, t))


def use_platform_name(ctx: FlowContext, t: Turn, _payload: object = None) -> Outcome:
    hint = t.state.data.get("name_hint")
    if t.state.mode != "name" or not hint:
        return say(texts.STALE_BUTTON)
    t.learner.display_name = hint
    _drop(t, "name_hint")
    t.state.mode = "unit"
    return Outcome(profile_prompt(ctx, t))


def set_unit(ctx: FlowContext, t: Turn, payload: PickUnit) -> Outcome:
    options = t.state.data.get("unit_options") or []
    if t.state.mode != "unit" or not 0 <= payload.index < len(options):
        return say(texts.STALE_BUTTON)
    unit = ctx.units.get(options[payload.index])
    if unit is None:
        return say(texts.STALE_BUTTON)
    t.learner.unit_id = unit.id
    _drop(t, "unit_options")
    t.state.mode = "group"
    return Outcome([Reply(f"✅ {unit.name}")] + profile_prompt(ctx, t))


def set_group(ctx: FlowContext, t: Turn, payload: PickGroup) -> Outcome:
    """The last profile step; then the placement offer."""
    group = payload.group
    if t.state.mode != "group" or group not in GROUPS:
        return say(texts.STALE_BUTTON)
    t.learner.group = group
    t.state.mode = "idle"
    ctx.event(t, EventKind.PROFILE_COMPLETED, data={"group": group, "unit_id": t.learner.unit_id})
    lid = t.learner.id
    goal = t.state.data.get("goal")
    match = find_topic(ctx.curriculum, str(goal), group) if goal else None
    _drop(t, "goal")
    if match is not None:  # the goal written at the start: its first lesson opens now
        placement = ((ctx.button(lid, texts.BTN_PLACEMENT, StartPlacement()),),)
        done = Reply(texts.profile_done(t.learner.display_name), buttons=placement)
        opened = study(ctx, t, match)
        return Outcome([done, *opened.replies])
    buttons = (
        (ctx.button(lid, texts.BTN_PLACEMENT, StartPlacement()),),
        (ctx.button(lid, texts.BTN_SKIP, SkipPlacement()),),
    )
    return say(Reply(texts.profile_done(t.learner.display_name), buttons=buttons))


# --- /start and /trogiup ---------------------------------------------------------------------
def _start(ctx: FlowContext, t: Turn, _arg: str) -> Outcome:
    return say(texts.welcome_name(t.learner.display_name) + "\n" + ctx.registry.help_text())


def _help(ctx: FlowContext, t: Turn, _arg: str) -> Outcome:
    return say(ctx.registry.help_text())


def _help_before_consent(ctx: FlowContext, t: Turn, _arg: str) -> Outcome:
    return say(ctx.registry.help_text(), consent_reply(ctx, t))


def register(registry: Registry) -> None:
    """Declare onboarding's commands, buttons and free-text step."""
    registry.command(Command("start", "bắt đầu, lời chào", _start, aliases=("batdau",), label="Bắt đầu"))
    registry.command(
        Command(
            "trogiup",
            "xem các lệnh",
            _help,
            aliases=("help",),
            label="Trợ giúp",
            anytime=True,
            before_consent=_help_before_consent,
        )
    )
    registry.button(ButtonAction(Agree, give_consent, anytime=True, before_consent=True))
    registry.button(ButtonAction(SkipStep, skip, anytime=True))
    registry.button(ButtonAction(UsePlatformName, use_platform_name, anytime=True))
    registry.button(ButtonAction(PickUnit, set_unit, anytime=True))
    registry.button(ButtonAction(PickGroup, set_group, anytime=True))
    registry.text(TextStep("profile", 10, profile_text))
