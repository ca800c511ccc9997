"""Before a question is answered: a scam in progress and an off-topic question get their own reply.

Both checks are pure text rules (microseconds), so they run inside the turn, before any retrieval:

- a scam in progress (`tutor.safety.triage`) gets what to do now — the bank's hotline, nothing more
  sent, no OTP, the police — one line for its kind, then a button to the matching lesson;
- an off-topic question (`tutor.scope.is_off_topic`) gets an honest short reply saying what the
  assistant helps with, a button to the course menu, no unrelated lesson; it goes to the gap log.

Either way the question is logged as `question_asked` (mode "safety" or "off_topic"), and its reply
carries 👍/👎 like any answer. Unanswered and 👎 questions reach the content-gap log (`tutor.gaps`)
from the questions flow.
"""

from __future__ import annotations

from tutor import texts
from tutor.events import EventKind
from tutor.flows.base import FlowContext, Outcome, Turn
from tutor.gaps import add_gap
from tutor.messages import Button, Reply
from tutor.payloads import Feedback, Learn, OpenLesson, lesson_hash
from tutor.safety import triage
from tutor.scope import is_off_topic, off_topic_reply

MENU_LABEL = "📚 Danh mục bài học"


def before_answer(ctx: FlowContext, t: Turn, text: str) -> Outcome | None:
    """The reply to a scam in progress or an off-topic question, or None to answer it normally."""
    scam = triage(text)
    if scam is not None:
        rows: list[tuple[Button, ...]] = []
        lesson = ctx.curriculum.lessons.get(scam.lesson_id)
        if lesson is not None:
            label = f"📘 {texts.short_label(lesson.title)}"
            rows.append((ctx.button(t.learner.id, label, OpenLesson(lesson_hash(lesson.id))),))
        return _logged(ctx, t, text, scam.text, rows, mode="safety", data={"scam_kind": scam.kind})
    if is_off_topic(text):
        add_gap(t.session, t.now, text, "off_topic")
        rows = [(ctx.button(t.learner.id, MENU_LABEL, Learn()),)]
        return _logged(ctx, t, text, off_topic_reply(), rows, mode="off_topic", data={})
    return None


def _logged(
    ctx: FlowContext,
    t: Turn,
    question: str,
    reply: str,
    rows: list[tuple[Button, ...]],
    *,
    mode: str,
    data: dict[str, str],
) -> Outcome:
    """Log the question like an answered one and add the 👍/👎 row under the reply."""
    event = ctx.store.add_event(
        t.session,
        t.learner.id,
        EventKind.QUESTION_ASKED,
        t.now,
        channel=t.inbound.channel,
        lesson_id=t.state.lesson_id,
        data={"question": question, "answered": mode == "safety", "mode": mode, "sources": [], "chunks": [], **data},
    )
    feedback = (
        ctx.button(t.learner.id, "👍", Feedback(event.id, "u")),
        ctx.button(t.learner.id, "👎", Feedback(event.id, "d")),
    )
    return Outcome([Reply(reply, buttons=(*rows, feedback))])
