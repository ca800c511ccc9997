"""Questions: anything typed that is not a command is a question, answered after the turn's
transaction (answering may call an LLM), logged with its sources, and rated 👍/👎."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from tutor import texts
from tutor.events import EventKind
from tutor.flows import triage
from tutor.flows.base import Ask, FlowContext, Outcome, Turn, say
from tutor.gaps import add_gap
from tutor.messages import Button, Inbound, Reply
from tutor.payloads import AskPrompt, Feedback, OpenLesson, lesson_hash
from tutor.registry import ButtonAction, Command, Registry, TextStep

if TYPE_CHECKING:
    from tutor.answering import Answer, Answerer


def question(ctx: FlowContext, t: Turn, text: str) -> Outcome:
    """Queue `text` to be answered once the transaction is over (a scam or off-topic: replied at once)."""
    early = triage.before_answer(ctx, t, text)
    if early is not None:
        return early
    return Outcome(ask=Ask(text, t.state.lesson_id, t.learner.group))


def _ask_command(ctx: FlowContext, t: Turn, arg: str) -> Outcome:
    return question(ctx, t, arg) if arg else say(texts.ASK_PROMPT)  # «Hỏi» tapped in the quick menu


def _free_text(ctx: FlowContext, t: Turn) -> Outcome:
    return question(ctx, t, t.text)


def answer(
    ctx: FlowContext, session_factory: sessionmaker[Session], answerer: Answerer, inbound: Inbound, ask: Ask
) -> list[Reply]:
    """Answer a queued question, log it (with sources) and add feedback and lesson buttons."""
    result = answerer.answer(ask.question, lesson_id=ask.lesson_id, audience=ask.audience)
    if ask.follow_up:
        return _follow_up(result)
    best = result.hits[0] if result.hits else None
    now = ctx.clock()
    with transaction(session_factory) as session:
        identity = ctx.store.identity(session, inbound.channel, inbound.user_id)
        if identity is None:
            return [Reply(result.reply_text, sources=tuple(result.sources))]
        learner_id = identity.learner_id
        event = ctx.store.add_event(
            session,
            learner_id,
            EventKind.QUESTION_ASKED,
            now,
            channel=inbound.channel,
            lesson_id=ask.lesson_id,
            data={
                "question": ask.question,
                "answered": bool(result.answered),
                "mode": result.mode,
                "card": result.card_id,
                "sources": [{"title": s.title, "source": s.source, "heading": s.heading} for s in result.sources],
                "chunks": [h.chunk_id for h in result.hits[:5]],
                "best_lesson": best.lesson_id if best else None,
            },
        )
        event_id = event.id
        if not result.answered:  # a content gap for editors (no learner id there)
            add_gap(
                session,
                now,
                ask.question,
                "not_found",
                lesson_id=best.lesson_id if best else None,
                score=best.relevance if best else None,
            )
    rows: list[tuple[Button, ...]] = [
        (
            ctx.button(learner_id, "👍", Feedback(event_id, "u")),
            ctx.button(learner_id, "👎", Feedback(event_id, "d")),
        )
    ]
    for title in list(result.suggestions)[:3]:
        lesson = next((le for le in ctx.curriculum.lessons.values() if le.title == title), None)
        if lesson is not None:
            label = f"📘 {texts.short_label(title)}"
            rows.append((ctx.button(learner_id, label, OpenLesson(lesson_hash(lesson.id))),))
    return [Reply(result.reply_text, buttons=tuple(rows), sources=tuple(result.sources))]


def _follow_up(result: Answer) -> list[Reply]:
    """The answer to a question asked with a scam in progress, after its steps (already logged, rated).

    The steps (`Answer.steps`, sent before) are not repeated; nothing found adds nothing (no "not found"
    under the steps, no gap).
    """
    text = result.text.strip()
    if not result.answered or not text:
        return []
    return [Reply(text, sources=tuple(result.sources))]


def feedback(ctx: FlowContext, t: Turn, payload: Feedback) -> Outcome:
    """👍/👎 on one of this learner's answers, once."""
    event = ctx.store.event(t.session, payload.event)
    if (
        payload.value not in ("u", "d")
        or event is None
        or event.learner_id != t.learner.id
        or event.kind != EventKind.QUESTION_ASKED
        or ctx.store.has_feedback(t.session, t.learner.id, payload.event)
    ):
        return say(texts.STALE_BUTTON)
    up = payload.value == "u"
    ctx.event(t, EventKind.FEEDBACK, item_id=str(payload.event), data={"value": "up" if up else "down"})
    question_text = str(event.data.get("question") or "")
    if not up and question_text:  # a 👎 answer is a content gap too
        add_gap(t.session, t.now, question_text, "thumbs_down", lesson_id=event.data.get("best_lesson"))
    return say(texts.FEEDBACK_THANKS_UP if up else texts.FEEDBACK_THANKS_DOWN)


def register(registry: Registry) -> None:
    """Declare /hoi, the «Hỏi» and feedback buttons, and free text as a question (tried last)."""
    registry.command(
        Command(
            "hoi",
            "hỏi bất cứ điều gì (hoặc cứ gõ câu hỏi)",
            _ask_command,
            aliases=("ask",),
            label="Hỏi",
            quick=1,
        )
    )
    registry.button(ButtonAction(AskPrompt, lambda ctx, t, _p: say(texts.ASK_PROMPT)))
    registry.button(ButtonAction(Feedback, feedback, anytime=True))
    registry.text(TextStep("question", 100, _free_text))
