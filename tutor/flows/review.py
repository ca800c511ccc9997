"""Review: the items due today (FSRS), missed ones and learned ones interleaved."""

from __future__ import annotations

from tutor import texts
from tutor.flows.base import FlowContext, Outcome, Turn
from tutor.flows.certificate import missing_hint
from tutor.flows.quiz import item, open_quiz
from tutor.messages import Reply
from tutor.payloads import Learn, Review
from tutor.registry import ButtonAction, Command, Registry


def review(ctx: FlowContext, t: Turn, _arg: object = None) -> Outcome:
    """/ontap: a review session of at most `quiz_length` due items."""
    due = ctx.store.due_cards(t.session, t.learner.id, ctx.end_of_day(t.now))
    known = [card for card in due if item(ctx, t.session, card.item_id) is not None]
    missed = [c.item_id for c in known if not c.last_correct]
    learned = [c.item_id for c in known if c.last_correct]
    mixed: list[str] = []
    limit = ctx.config.quiz_length
    while (missed or learned) and len(mixed) < limit:
        for pool in (missed, learned):
            if pool and len(mixed) < limit:
                mixed.append(pool.pop(0))
    if not mixed:
        learn = ctx.button(t.learner.id, texts.BTN_LEARN, Learn())
        # Nothing due and no lesson left but skills missing: say which, and offer the practice.
        return Outcome([Reply(texts.NOTHING_TO_REVIEW, buttons=((learn,),)), *missing_hint(ctx, t)])
    return Outcome(open_quiz(ctx, t, "review", mixed, None))


def register(registry: Registry) -> None:
    """Declare /ontap and the «Ôn tập» button."""
    registry.command(Command("ontap", "ôn lại câu cần ôn", review, aliases=("review",), label="Ôn tập"))
    registry.button(ButtonAction(Review, review))
