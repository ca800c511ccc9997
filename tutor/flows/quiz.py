"""Quizzes: a session of items (lesson quiz, placement or review), graded one at a time.

The open session lives in `ConversationState.quiz`; each asked item gets a sequence number, so a
tap on an older question's button is refused. Answers update mastery (BKT) and the item's review
card (FSRS), except in placement, which sets mastery once at the end.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from knowledge.curriculum import Lesson, QuizItem
from knowledge.db import transaction
from knowledge.textnorm import fold
from tutor import texts, texts_journey
from tutor.events import EventKind
from tutor.flows import placement_result
from tutor.flows.base import QUIZ_MODES, FlowContext, Outcome, Turn, say, words
from tutor.flows.certificate import after_quiz
from tutor.flows.lessons import find_lesson
from tutor.grading import Grade, grade
from tutor.mastery import initial_mastery, update_mastery
from tutor.messages import QuizQuestion, Reply, SourceLink
from tutor.payloads import AnswerChoice, Learn, Progress, QuizLesson
from tutor.planner import choose_items
from tutor.registry import ButtonAction, Command, Registry
from tutor.review import schedule_review
from tutor.store import aware

log = logging.getLogger(__name__)

LETTERS = "ABCDEFGH"


# --- items -----------------------------------------------------------------------------------
def item(ctx: FlowContext, session: Session, item_id: str) -> QuizItem | None:
    """A course item, or a stored generated one; None when it vanished."""
    found = ctx.curriculum.item(item_id)
    if found is not None:
        return found
    data = ctx.store.generated_item(session, item_id)
    if data is None:
        return None
    try:
        return QuizItem.model_validate(data)
    except ValueError:
        return None


def lesson_items(ctx: FlowContext, session: Session, lesson: Lesson) -> list[QuizItem]:
    items = list(lesson.quiz)
    for data in ctx.store.generated_items(session, lesson.id):
        try:
            items.append(QuizItem.model_validate(data))
        except ValueError:
            continue
    return items


# --- starting --------------------------------------------------------------------------------
def quiz_command(ctx: FlowContext, t: Turn, arg: str) -> Outcome:
    """/baitap [lesson]: a quiz on the named lesson, else on the current or last one."""
    lesson: Lesson | None = None
    if arg:
        lesson = find_lesson(ctx, arg)
        if lesson is None:
            return say(texts.LESSON_NOT_FOUND)
    else:
        lesson_id = t.state.lesson_id or ctx.store.last_lesson(t.session, t.learner.id)
        lesson = ctx.curriculum.lessons.get(lesson_id) if lesson_id else None
    if lesson is None:
        learn = ctx.button(t.learner.id, texts.BTN_LEARN, Learn())
        return say(Reply(texts.NO_LESSON_FOR_QUIZ, buttons=((learn,),)))
    return start_quiz(ctx, t, lesson)


def start_quiz(ctx: FlowContext, t: Turn, lesson: Lesson) -> Outcome:
    items = lesson_items(ctx, t.session, lesson)
    if not items:
        return say(texts.NO_QUIZ_ITEMS)
    cards = ctx.store.cards(t.session, t.learner.id)
    seen_ok = {item_id: bool(card.last_correct) for item_id, card in cards.items()}
    mastery = ctx.store.mastery(t.session, t.learner.id)
    # Every skill of the lesson tested (weak ones first), items never answered or last missed first.
    chosen = [it.id for it in choose_items(items, seen_ok, mastery, ctx.threshold, ctx.config.quiz_length)]
    t.state.lesson_id = lesson.id
    return Outcome(open_quiz(ctx, t, "quiz", chosen, lesson.id))


def _quiz_button(ctx: FlowContext, t: Turn, payload: QuizLesson) -> Outcome:
    lesson = ctx.lesson_by_hash(payload.lesson)
    return say(texts.STALE_BUTTON) if lesson is None else start_quiz(ctx, t, lesson)


def open_quiz(
    ctx: FlowContext,
    t: Turn,
    kind: str,
    item_ids: list[str],
    lesson_id: str | None,
    extra: dict[str, Any] | None = None,
) -> list[Reply]:
    """Open a session of `kind` ("quiz", "placement", "review", "practice") and ask its first item."""
    t.state.mode = kind
    quiz = {"kind": kind, "items": item_ids, "pos": 0, "correct": 0, "answers": [], "lesson_id": lesson_id}
    quiz.update(extra or {})
    return ask_current(ctx, t, quiz)


def ask_current(ctx: FlowContext, t: Turn, quiz: dict[str, Any]) -> list[Reply]:
    """Show the open item (skipping items that vanished from the course)."""
    while quiz["pos"] < len(quiz["items"]):
        current = item(ctx, t.session, quiz["items"][quiz["pos"]])
        if current is not None:
            break
        quiz = {**quiz, "items": [i for k, i in enumerate(quiz["items"]) if k != quiz["pos"]]}
    else:
        return finish_quiz(ctx, t, quiz)[0]
    seq = int(t.state.data.get("seq", 0)) + 1
    t.state.data = {**t.state.data, "seq": seq}
    t.state.quiz = {**quiz, "seq": seq, "asked_at": t.now.isoformat()}
    return [_item_reply(ctx, t.learner.id, quiz, current, seq)]


def _item_reply(ctx: FlowContext, learner_id: int, quiz: dict[str, Any], it: QuizItem, seq: int) -> Reply:
    if quiz["kind"] == "placement" and quiz.get("expected"):
        header = texts_journey.placement_header(quiz["pos"] + 1, int(quiz["expected"]))
    else:
        header = texts.quiz_header(quiz["kind"], quiz["pos"] + 1, len(quiz["items"]))
    correct: int | None
    if it.type == "mcq":
        choices = tuple(it.choices)
        labels = [LETTERS[i] for i in range(len(choices))]
        body = it.question + "\n" + "\n".join(f"{labels[i]}. {c}" for i, c in enumerate(choices))
        correct = _index_of(it.answer, choices)
    elif it.type == "true_false":
        choices = (texts.BTN_TRUE, texts.BTN_FALSE)
        labels = list(choices)
        body = f"{it.question}\n{texts.QUIZ_TF_HINT}"
        correct = 0 if fold(it.answer).strip() == "dung" else 1
    else:
        choices, labels, correct = (), [], None
        body = f"{it.question}\n{texts.QUIZ_TYPE_ANSWER}"
    buttons = tuple(ctx.button(learner_id, labels[i], AnswerChoice(seq, i)) for i in range(len(choices)))
    question = QuizQuestion(
        item_id=it.id,
        question=it.question,
        choices=choices,
        choice_payloads=tuple(b.payload for b in buttons),
        correct_index=correct,
        explanation=it.explanation,
    )
    return Reply(f"{header}\n{body}", buttons=(buttons,) if buttons else (), quiz=question)


# --- answering -------------------------------------------------------------------------------
def button_answer(ctx: FlowContext, t: Turn, payload: AnswerChoice) -> Outcome:
    """A tapped choice; only the latest question's buttons count."""
    quiz = t.state.quiz
    if t.state.mode not in QUIZ_MODES or not quiz or quiz.get("seq") != payload.seq:
        return say(texts.QUIZ_CLOSED)
    current = item(ctx, t.session, quiz["items"][quiz["pos"]])
    if current is None:
        return say(texts.QUIZ_CLOSED)
    index = payload.index
    if current.type == "mcq" and 0 <= index < len(current.choices):
        answer = LETTERS[index]
    elif current.type == "true_false" and index in (0, 1):
        answer = texts.BTN_TRUE if index == 0 else texts.BTN_FALSE
    else:
        return say(texts.STALE_BUTTON)
    return record_answer(ctx, t, current, answer, grade(current, answer))


def record_answer(
    ctx: FlowContext, t: Turn, it: QuizItem, answer: str, result: Grade, skipped: bool = False
) -> Outcome:
    """Log and score an answer (a skip counts as not known, but is not shown as a wrong answer)."""
    quiz = dict(t.state.quiz or {})
    kind = quiz["kind"]
    asked = aware(datetime.fromisoformat(quiz["asked_at"])) if quiz.get("asked_at") else None
    response_s = max(0.0, (t.now - asked).total_seconds()) if asked else None
    correct = bool(result.correct)
    data = {"answer": answer[:200], "correct": correct, "response_s": response_s, "kind": kind, "skill": it.skill}
    ctx.event(t, EventKind.QUIZ_ANSWERED, lesson_id=it.lesson_id, item_id=it.id, data=data)
    replies: list[Reply] = []
    if kind == "placement":
        quiz["answers"] = [*quiz.get("answers", []), [it.skill, correct, it.id]]
        replies.append(Reply(texts.SKIPPED if skipped else texts.placement_mark(correct)))
    else:
        replies.append(_graded(ctx, t, it, correct, response_s, result.expected, skipped))
    quiz["correct"] = int(quiz.get("correct", 0)) + (1 if correct else 0)
    quiz["pos"] = int(quiz["pos"]) + 1
    if kind == "placement":
        quiz = placement_result.extend(ctx, t, quiz)  # adaptive: the next item depends on this answer
    if quiz["pos"] >= len(quiz["items"]):
        summary_replies, generate = finish_quiz(ctx, t, quiz)
        return Outcome(replies + summary_replies, generate=generate)
    return Outcome(replies + ask_current(ctx, t, quiz))


def _graded(
    ctx: FlowContext, t: Turn, it: QuizItem, correct: bool, response_s: float | None, expected: str, skipped: bool
) -> Reply:
    """Update mastery and the review card; the feedback reply with where to read again."""
    store, lid = ctx.store, t.learner.id
    before = store.mastery(t.session, lid).get(it.skill, initial_mastery(ctx.bkt))
    store.set_mastery(t.session, lid, it.skill, update_mastery(before, correct, ctx.bkt), t.now)
    card = store.card(t.session, lid, it.id)
    state = schedule_review(card.card if card else None, correct, t.now, response_s)
    store.save_card(t.session, lid, it.id, state.card, state.due, correct, t.now)
    source, link = source_for(ctx, it)
    text = texts.feedback(correct, expected, it.explanation, source, skipped)
    return Reply(text, sources=(link,) if link else ())


def finish_quiz(ctx: FlowContext, t: Turn, quiz: dict[str, Any]) -> tuple[list[Reply], str | None]:
    """Close the session: the summary (placement sets mastery), and a lesson to generate items for."""
    kind, total, correct = quiz["kind"], len(quiz["items"]), int(quiz.get("correct", 0))
    t.state.quiz = None
    t.state.mode = "idle"
    lid = t.learner.id
    learn = (ctx.button(lid, texts.BTN_LEARN, Learn()),)
    if kind == "placement":
        return placement_result.finish(ctx, t, quiz, correct, total), None
    ctx.event(
        t,
        EventKind.QUIZ_COMPLETED,
        lesson_id=quiz.get("lesson_id"),
        data={"kind": kind, "correct": correct, "total": total},
    )
    progress = (ctx.button(lid, texts.BTN_PROGRESS, Progress()),)
    extra = after_quiz(ctx, t)  # the certificate when earned; the missing skills when no lesson is left
    generate = None
    if kind == "quiz" and ctx.chat_model is not None and quiz.get("lesson_id"):
        if not ctx.store.generated_items(t.session, quiz["lesson_id"]):
            generate = quiz["lesson_id"]
    return [Reply(texts.quiz_summary(correct, total), buttons=(learn, progress)), *extra], generate


def source_for(ctx: FlowContext, it: QuizItem) -> tuple[str | None, SourceLink | None]:
    """The lesson section an item comes from: «title › heading», and its SourceLink."""
    lesson = ctx.curriculum.lessons.get(it.lesson_id or "")
    if lesson is None or not lesson.sections:
        return None, None
    found = words(" ".join([it.question, it.answer, it.explanation, *it.choices]))
    section = max(lesson.sections, key=lambda s: len(found & words(s.heading + " " + s.text)))
    link = SourceLink(title=lesson.title, source=ctx.source_path(lesson), heading=section.heading)
    return f"{lesson.title} › {section.heading}", link


def _index_of(answer: str, choices: tuple[str, ...]) -> int | None:
    for i, choice in enumerate(choices):
        if choice == answer:
            return i
    folded = fold(answer).strip()
    for i, choice in enumerate(choices):
        if fold(choice).strip() == folded:
            return i
    return None


# --- generated items (after the turn) --------------------------------------------------------
def generate(ctx: FlowContext, session_factory: sessionmaker[Session], lesson_id: str) -> None:
    """Generate, verify and store LLM quiz items for a lesson (failures only logged)."""
    lesson = ctx.curriculum.lessons.get(lesson_id)
    if lesson is None or ctx.chat_model is None:
        return
    try:
        from tutor.generation import generate_items

        items = generate_items(ctx.chat_model, lesson, n=3)
    except Exception as exc:
        log.warning("quiz item generation failed for %s: %s", lesson_id, type(exc).__name__)
        return
    if not items:
        return
    with transaction(session_factory) as session:
        for it in items:
            data = it.model_dump(mode="json") if hasattr(it, "model_dump") else dict(it.__dict__)
            data["lesson_id"] = lesson_id
            ctx.store.add_generated_item(session, it.id, lesson_id, data, ctx.clock())


def register(registry: Registry) -> None:
    """Declare /baitap and the quiz buttons (typed answers: `tutor.flows.quiz_text`)."""
    registry.command(
        Command(
            "baitap",
            "làm bài tập",
            quiz_command,
            aliases=("kiemtra", "quiz", "lambaitap"),
            label="Bài tập",
            quick=2,
        )
    )
    registry.button(ButtonAction(QuizLesson, _quiz_button))
    registry.button(ButtonAction(AnswerChoice, button_answer))
