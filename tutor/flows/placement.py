"""Placement: the optional entry test after the profile; its answers set the starting mastery."""

from __future__ import annotations

from tutor import texts
from tutor.flows.base import FlowContext, Outcome, Turn, say
from tutor.flows.lessons import learn
from tutor.flows.quiz import open_quiz
from tutor.payloads import SkipPlacement, StartPlacement
from tutor.registry import ButtonAction, Command, Registry


def start_placement(ctx: FlowContext, t: Turn, _arg: object = None) -> Outcome:
    """Open the placement quiz (graded at the end, see `quiz.finish_quiz`)."""
    items = [it.id for it in ctx.curriculum.placement]
    if not items:
        return say(texts.NO_PLACEMENT)
    return Outcome(open_quiz(ctx, t, "placement", items, None))


def register(registry: Registry) -> None:
    """Declare /kiemtradauvao and the placement offer's buttons."""
    registry.command(
        Command("kiemtradauvao", "kiểm tra đầu vào", start_placement, aliases=("placement",), label="Kiểm tra đầu vào"),
    )
    registry.button(ButtonAction(StartPlacement, start_placement))
    registry.button(ButtonAction(SkipPlacement, lambda ctx, t, _p: learn(ctx, t)))
