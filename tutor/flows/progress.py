"""Progress: the learner's summary (lessons, mastery, every missing skill, streak, due reviews) and
the one next step; the certificate itself is sent by `tutor.flows.certificate`."""

from __future__ import annotations

from knowledge.curriculum import Lesson
from tutor import texts
from tutor import texts_journey as tj
from tutor.events import EventKind
from tutor.flows.base import FlowContext, Outcome, Turn, group_of, planner_done
from tutor.flows.motivation import progress_lines
from tutor.messages import Button, Reply
from tutor.payloads import GetCertificate, Learn, PracticeMissing, Progress, Review
from tutor.planner import next_lesson
from tutor.progress import ProgressSummary, streak_days, summarize
from tutor.registry import ButtonAction, Command, Registry
from tutor.topics import TopicMatch, first_unfinished


def summary(ctx: FlowContext, t: Turn) -> ProgressSummary:
    """The learner's progress summary as of this turn."""
    s, lid = t.session, t.learner.id
    today = t.now.astimezone(ctx.tz).date()
    return summarize(
        ctx.curriculum,
        group_of(t.learner),
        ctx.store.mastery(s, lid),
        ctx.store.completed_lessons(s, lid),
        ctx.threshold,
        streak_days(ctx.store.active_dates(s, lid, ctx.tz), today),
        len(ctx.store.due_cards(s, lid, ctx.end_of_day(t.now))),
    )


def mark_certified(ctx: FlowContext, t: Turn) -> bool:
    """Record the certificate once; True when it is new."""
    if t.state.data.get("certified"):
        return False
    t.state.data = {**t.state.data, "certified": True}
    ctx.event(t, EventKind.CERTIFIED)
    return True


def topic_lesson(ctx: FlowContext, t: Turn, completed: set[str]) -> Lesson | None:
    """The next unfinished lesson of the module the learner chose (`state.data["topic"]`), if any."""
    module = t.state.data.get("topic")
    if not module:
        return None
    group = group_of(t.learner)
    ids = tuple(lesson.id for lesson in ctx.curriculum.lessons_in(str(module)) if lesson.for_audience(group))
    return first_unfinished(ctx.curriculum, TopicMatch(str(module), ids, whole_module=True), completed)


def lesson_to_open(ctx: FlowContext, t: Turn) -> Lesson | None:
    """The lesson a plain /hoc opens — the one in progress, else the next of the chosen topic, else
    the one started last, else the planner's next — so /tiendo's next step and /hoc always agree."""
    lessons = ctx.curriculum.lessons
    if t.state.mode == "lesson" and t.state.lesson_id in lessons:
        return lessons[str(t.state.lesson_id)]
    completed = ctx.store.completed_lessons(t.session, t.learner.id)
    chosen = topic_lesson(ctx, t, completed)
    if chosen is not None:
        return chosen
    unfinished = ctx.store.unfinished_lesson(t.session, t.learner.id)
    if unfinished is not None and unfinished.lesson_id in lessons:
        return lessons[unfinished.lesson_id]
    return planned_lesson(ctx, t)


def planned_lesson(ctx: FlowContext, t: Turn) -> Lesson | None:
    """The lesson the planner would open next, or None when none is left."""
    return next_lesson(
        ctx.curriculum,
        group_of(t.learner),
        ctx.store.mastery(t.session, t.learner.id),
        planner_done(ctx, t),
        ctx.threshold,
    )


def _planned(ctx: FlowContext, t: Turn) -> str | None:
    """The title of the lesson /hoc would open, or None when none is left."""
    lesson = lesson_to_open(ctx, t)
    return lesson.title if lesson else None


def lessons_left(ctx: FlowContext, t: Turn) -> bool:
    """True when the planner still has a lesson to offer."""
    return planned_lesson(ctx, t) is not None


def next_step(ctx: FlowContext, t: Turn, current: ProgressSummary) -> str | None:
    """The one next step /tiendo suggests: the certificate, the next lesson, or the practice."""
    if current.certified:
        return tj.next_step_certificate()
    title = _planned(ctx, t)
    if title is not None:
        return tj.next_step_lesson(title)
    return tj.next_step_practice() if current.missing else None


def show_progress(ctx: FlowContext, t: Turn, _arg: object = None) -> Outcome:
    """/tiendo: the summary with every missing skill and the next step; «Học bài» and «Ôn tập», plus
    «Nhận chứng nhận» or «Luyện kỹ năng còn thiếu» when that is the step."""
    lid = t.learner.id
    current = summary(ctx, t)
    step = next_step(ctx, t, current)
    buttons: list[tuple[Button, ...]] = [
        (ctx.button(lid, texts.BTN_LEARN, Learn()), ctx.button(lid, texts.BTN_REVIEW, Review()))
    ]
    if current.certified:
        buttons.insert(0, (ctx.button(lid, tj.BTN_CERTIFICATE, GetCertificate()),))
    elif current.missing and step == tj.next_step_practice():
        buttons.insert(0, (ctx.button(lid, tj.BTN_PRACTICE_MISSING, PracticeMissing()),))
    text = "\n".join([current.to_text(step), *progress_lines(ctx, t, current)])
    replies = [Reply(text, buttons=tuple(buttons))]
    if current.certified and not t.state.data.get("certified"):
        # Certified by a path that did not award it yet (e.g. mastery from an older version).
        from tutor.flows.certificate import award  # the certificate flow imports this module

        replies.extend(award(ctx, t))
    return Outcome(replies)


def register(registry: Registry) -> None:
    """Declare /tiendo and the «Xem tiến độ» button."""
    registry.command(Command("tiendo", "xem tiến độ", show_progress, aliases=("progress",), label="Tiến độ", quick=3))
    registry.button(ButtonAction(Progress, show_progress))
