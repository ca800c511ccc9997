"""Text typed while a quiz (lesson quiz, placement or review) is open.

Text is an answer unless it is clearly a question: then the question is answered and the item is
shown again after the answer. Answers of any length are graded (`tutor.grading.grade`); text that
cannot be read as an answer to the item (a choice letter beyond the list, "ok") shows the item again
with a hint, so the quiz never silently stays open. "bỏ qua" skips the item (counted as not known).
A scam in progress gets the emergency steps first, then the item again.
"""

from __future__ import annotations

from knowledge.curriculum import QuizItem
from tutor import texts
from tutor.flows.base import QUIZ_MODES, FlowContext, Outcome, Turn
from tutor.flows.questions import question
from tutor.flows.quiz import _item_reply, item, record_answer
from tutor.grading import Grade, grade
from tutor.intents import is_continuation, is_skip, looks_like_question
from tutor.messages import Reply
from tutor.registry import Registry, TextStep
from tutor.safety import is_scam_in_progress, safety_steps

BACK_TO_QUIZ = "Mình quay lại câu hỏi đang làm nhé:"
ANSWER_OR_SKIP = "Bạn trả lời câu này nhé (hoặc gõ «bỏ qua» để sang câu khác)."


def _again(ctx: FlowContext, t: Turn, lead: str, current: QuizItem) -> list[Reply]:
    """The open item shown again after a short lead line; same sequence number, so the buttons
    under the first showing still count."""
    quiz = t.state.quiz or {}
    return [Reply(lead), _item_reply(ctx, t.learner.id, quiz, current, int(quiz.get("seq", 0)))]


def _answer_then_item(ctx: FlowContext, t: Turn, current: QuizItem) -> Outcome:
    """Answer the typed question, then show the open item again."""
    asked = question(ctx, t, t.text)
    again = _again(ctx, t, BACK_TO_QUIZ, current)
    if asked.ask is not None:
        asked.after.extend(again)  # after the answer, which is written once the turn is over
    else:
        asked.replies.extend(again)
    return asked


def typed_answer(ctx: FlowContext, t: Turn) -> Outcome | None:
    """Grade typed text against the open item; a question is answered and the item shown again."""
    quiz = t.state.quiz
    if t.state.mode not in QUIZ_MODES or not quiz or not quiz.get("items"):
        return None
    current = item(ctx, t.session, quiz["items"][quiz["pos"]])
    if current is None:
        return None
    if is_scam_in_progress(t.text):
        return Outcome([Reply(safety_steps(t.text)), *_again(ctx, t, BACK_TO_QUIZ, current)])
    if is_skip(t.text):
        skipped = Grade(False, None, True, current.answer)
        return record_answer(ctx, t, current, "bỏ qua", skipped, skipped=True)
    if looks_like_question(t.text, strict=True) and not is_continuation(t.text):
        return _answer_then_item(ctx, t, current)
    result = grade(current, t.text)
    if not result.understood and not is_continuation(t.text) and looks_like_question(t.text):
        # Not an answer to this item and phrased as a question ("cach bat nfc…", "… bao nhieu"):
        # a worker asking mid-quiz gets the answer, not "press Đúng or Sai".
        return _answer_then_item(ctx, t, current)
    if not result.understood:
        hint = texts.QUIZ_TF_HINT if current.type == "true_false" else texts.QUIZ_ANSWER_AGAIN
        if is_continuation(t.text):
            hint = ANSWER_OR_SKIP
        return Outcome(_again(ctx, t, hint, current))
    return record_answer(ctx, t, current, t.text, result)


def register(registry: Registry) -> None:
    """Declare typed quiz answers (before topic requests and questions)."""
    registry.text(TextStep("quiz-answer", 12, typed_answer))
