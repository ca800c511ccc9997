"""Before a question is answered: a scam in progress and an off-topic question get their own reply.

Both checks are pure text rules (microseconds), so they run inside the turn, before any retrieval:

- a scam in progress (`tutor.safety.triage`) gets what to do now — steps of its kind (a hacked account:
  recover it; a lost phone: SIM, bank, find-my-phone; otherwise the bank's hotline, nothing more sent,
  no OTP, the police) — then a button to the matching lesson; a question beyond "what do I do now"
  ("lấy lại sao", "khóa sim thế nào") is then answered once by the normal path (`Ask.follow_up`);
- an off-topic question (`tutor.scope.is_off_topic`) gets an honest short reply saying what the
  assistant helps with, a button to the course menu, no unrelated lesson; it goes to the gap log.

Either way the question is logged as `question_asked` (mode "safety" or "off_topic"), and its reply
carries 👍/👎 like any answer. Unanswered and 👎 questions reach the content-gap log (`tutor.gaps`)
from the questions flow.
"""

from __future__ import annotations

import re

from knowledge.textnorm import fold
from tutor import texts
from tutor.events import EventKind
from tutor.flows.base import Ask, FlowContext, Outcome, Turn, say
from tutor.flows.glue import SMALL_TALK
from tutor.gaps import add_gap
from tutor.intents import looks_like_question, small_talk
from tutor.messages import Button, Reply
from tutor.payloads import Catalogue, Feedback, OpenLesson, lesson_hash
from tutor.safety import lost_phone_help, triage
from tutor.scope import is_off_topic, off_topic_reply

MENU_LABEL = "📚 Danh mục bài học"

# "phải làm sao", "giờ làm gì", "cứu tôi" at the end of a clause: the steps answer these; anything else
# asked ("lấy lại sao", "khóa sim thế nào") is answered after them.
_WHAT_NOW = re.compile(
    r"\b(?:(?:gio |bay gio |thi |vay )?(?:phai |nen )?(?:lam|xu ly) (?:sao|gi|j|the nao|nhu the nao|nhung gi|ntn)|"
    r"sao (?:day|gio|bay gio)|giup (?:toi|minh|em|voi)|cuu (?:toi|minh|em|voi)|chi (?:giup|cho)(?: toi| minh| em)?)"
    r"(?: (?:bay gio|gio|day|a|ha|vay|ad|oi|nhe|voi|truoc|nhi|dc|duoc|khong|ko))*(?= *(?:$|[,.;!?]))"
)


def before_answer(ctx: FlowContext, t: Turn, text: str) -> Outcome | None:
    """The reply to a scam in progress, small talk or an off-topic question, or None to answer it normally."""
    scam = triage(text)
    howto = lost_phone_help(text) if scam is None else None  # "mất điện thoại thì làm gì": its steps too
    if howto is not None:
        scam = howto
    if scam is not None:
        rows: list[tuple[Button, ...]] = []
        lesson = ctx.curriculum.lessons.get(scam.lesson_id)
        if lesson is not None:
            label = f"📘 {texts.short_label(lesson.title)}"
            rows.append((ctx.button(t.learner.id, label, OpenLesson(lesson_hash(lesson.id))),))
        outcome = _logged(ctx, t, text, scam.text, rows, mode="safety", data={"scam_kind": scam.kind})
        if asks_more_than_what_now(text):  # "bị hack facebook rồi lấy lại sao": answered after the steps
            outcome.ask = Ask(text, t.state.lesson_id, t.learner.group, follow_up=True)
        return outcome
    talk = small_talk(text)
    if talk is not None and talk != "number":  # "/hoi bạn là ai", "cảm ơn em nhiều?" in a quiz: no search
        return say(SMALL_TALK[talk])
    if is_off_topic(text):
        add_gap(t.session, t.now, text, "off_topic")
        rows = [(ctx.button(t.learner.id, MENU_LABEL, Catalogue()),)]
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


def asks_more_than_what_now(text: str) -> bool:
    """True when the message asks something the safety steps do not answer by themselves.

    "mất 5 củ rồi, phải làm sao" is answered by the steps; "bị hack facebook rồi lấy lại sao" and
    "khóa sim thế nào" get the normal answer after them.
    """
    folded = " ".join(fold(text.lower()).split())
    rest = _WHAT_NOW.sub(" ", folded).replace("?", " ")
    return looks_like_question(rest)
