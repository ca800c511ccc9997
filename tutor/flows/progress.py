"""Progress: the learner's summary (lessons, mastery, streak, due reviews) and the certificate."""

from __future__ import annotations

from tutor import texts
from tutor.events import EventKind
from tutor.flows.base import FlowContext, Outcome, Turn, group_of
from tutor.flows.motivation import progress_lines
from tutor.messages import Reply
from tutor.payloads import Learn, Progress, Review
from tutor.progress import ProgressSummary, streak_days, summarize
from tutor.registry import ButtonAction, Command, Registry


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


def show_progress(ctx: FlowContext, t: Turn, _arg: object = None) -> Outcome:
    """/tiendo: the summary, with «Học bài» and «Ôn tập»."""
    lid = t.learner.id
    current = summary(ctx, t)
    buttons = ((ctx.button(lid, texts.BTN_LEARN, Learn()), ctx.button(lid, texts.BTN_REVIEW, Review())),)
    if current.certified:  # the summary's text carries the certificate message
        mark_certified(ctx, t)
    text = "\n".join([current.to_text(), *progress_lines(ctx, t, current)])
    return Outcome([Reply(text, buttons=buttons)])


def register(registry: Registry) -> None:
    """Declare /tiendo and the «Xem tiến độ» button."""
    registry.command(Command("tiendo", "xem tiến độ", show_progress, aliases=("progress",), label="Tiến độ", quick=3))
    registry.button(ButtonAction(Progress, show_progress))
