"""Placement: the optional, adaptive entry test after the profile (see `tutor.placement_plan`).

Its answers set the starting mastery; modules shown "đã vững" are skipped by the planner.
"""

from __future__ import annotations

from tutor import texts
from tutor import texts_journey as tj
from tutor.flows import placement_result
from tutor.flows.base import FlowContext, Outcome, Turn, say
from tutor.flows.lessons import learn
from tutor.flows.quiz import open_quiz
from tutor.messages import Reply
from tutor.payloads import Learn, SkipPlacement, StartPlacement
from tutor.registry import ButtonAction, Command, Registry


def start_placement(ctx: FlowContext, t: Turn, _arg: object = None) -> Outcome:
    """Open the adaptive placement test (the next item is chosen after each answer). It is taken
    once: retaking it until lucky guesses show a module "đã vững" would cheapen the certificate."""
    if t.state.data.get("placement_done"):
        return say(Reply(tj.PLACEMENT_DONE, buttons=((ctx.button(t.learner.id, texts.BTN_LEARN, Learn()),),)))
    first, expected = placement_result.first(ctx, t)
    if first is None:
        return say(texts.NO_PLACEMENT)
    return Outcome(open_quiz(ctx, t, "placement", [first], None, {"expected": expected}))


def register(registry: Registry) -> None:
    """Declare /kiemtradauvao and the placement offer's buttons."""
    registry.command(
        Command("kiemtradauvao", "kiểm tra đầu vào", start_placement, aliases=("placement",), label="Kiểm tra đầu vào"),
    )
    registry.button(ButtonAction(StartPlacement, start_placement))
    registry.button(ButtonAction(SkipPlacement, lambda ctx, t, _p: learn(ctx, t)))
