"""«Luyện kỹ năng còn thiếu» (/luyentap): a practice session drawn from exactly the missing core skills.

Items come from the lesson quizzes of those skills (two per skill, repeated when a skill has
fewer); answers update mastery like any quiz, and the certificate follows when the last one is
mastered (see `certificate.after_quiz`).
"""

from __future__ import annotations

from tutor import texts_journey as tj
from tutor.flows.base import FlowContext, Outcome, Turn, say
from tutor.flows.progress import summary
from tutor.flows.quiz import open_quiz
from tutor.payloads import PracticeMissing
from tutor.planner import practice_items
from tutor.registry import ButtonAction, Command, Registry

PER_SKILL = 2  # two right answers lift a skill from about 0.6 over the threshold
MAX_ITEMS = 10


def practice_missing(ctx: FlowContext, t: Turn, _arg: object = None) -> Outcome:
    """Open a practice session on the missing core skills."""
    missing = [skill.id for skill in summary(ctx, t).missing]
    if not missing:
        return say(tj.PRACTICE_NOTHING_MISSING)
    cards = ctx.store.cards(t.session, t.learner.id)
    seen_ok = {item_id: bool(card.last_correct) for item_id, card in cards.items()}
    limit = max(ctx.config.quiz_length, min(MAX_ITEMS, PER_SKILL * len(missing)))
    items = practice_items(ctx.curriculum, missing, seen_ok, PER_SKILL, limit)
    if not items:
        return say(tj.NO_PRACTICE_ITEMS)
    return Outcome(open_quiz(ctx, t, "practice", [it.id for it in items], None))


def register(registry: Registry) -> None:
    """Declare /luyentap and the «Luyện kỹ năng còn thiếu» button."""
    registry.command(
        Command(
            "luyentap",
            "luyện các kỹ năng còn thiếu",
            practice_missing,
            aliases=("practice", "luyen ky nang con thieu"),
            label=tj.BTN_PRACTICE_MISSING,
        )
    )
    registry.button(ButtonAction(PracticeMissing, practice_missing))
