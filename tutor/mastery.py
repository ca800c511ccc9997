"""Per-skill mastery with Bayesian Knowledge Tracing (BKT): pure functions, no storage.

Mastery is the probability that the learner knows a skill. After each graded answer we take the
posterior given the answer (a learner who knows the skill may slip, one who does not may guess),
then apply the chance of learning from the attempt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.config import MasteryConfig

_EPSILON = 1e-6


@dataclass(frozen=True)
class BKTParams:
    """The four BKT probabilities: prior, learning transition, slip and guess."""

    p_init: float = 0.2
    p_learn: float = 0.15
    p_slip: float = 0.1
    p_guess: float = 0.2

    def __post_init__(self) -> None:
        for name in ("p_init", "p_learn", "p_slip", "p_guess"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"BKT {name} must be within [0, 1], got {value}")
        if self.p_slip + self.p_guess >= 1.0:
            # Otherwise a correct answer would be evidence of *not* knowing the skill.
            raise ValueError("BKT p_slip + p_guess must be below 1")

    @classmethod
    def from_config(cls, config: MasteryConfig) -> BKTParams:
        """Parameters from the tutor's mastery configuration."""
        return cls(
            p_init=config.p_init,
            p_learn=config.p_learn,
            p_slip=config.p_slip,
            p_guess=config.p_guess,
        )


def _clamp(p: float) -> float:
    return min(1.0, max(0.0, p))


def initial_mastery(params: BKTParams) -> float:
    """Mastery of a skill the learner has never been graded on."""
    return params.p_init


def update_mastery(p: float, correct: bool, params: BKTParams) -> float:
    """The mastery after one graded answer, starting from mastery `p`.

    Posterior P(known | answer) with slip and guess, then the learning transition
    P(known') = posterior + (1 - posterior) * p_learn. The result stays within [0, 1].
    """
    p = _clamp(p)
    if correct:
        evidence_known = p * (1.0 - params.p_slip)
        evidence = evidence_known + (1.0 - p) * params.p_guess
    else:
        evidence_known = p * params.p_slip
        evidence = evidence_known + (1.0 - p) * (1.0 - params.p_guess)
    posterior = evidence_known / evidence if evidence > _EPSILON else p
    return _clamp(posterior + (1.0 - posterior) * params.p_learn)


def mastery_from_placement(answers: Iterable[tuple[str, bool]], params: BKTParams) -> dict[str, float]:
    """Initial mastery per skill from placement answers `(skill, correct)`, in answer order.

    Skills not in `answers` are absent from the result (callers use `initial_mastery`).
    """
    mastery: dict[str, float] = {}
    for skill, correct in answers:
        current = mastery.get(skill, initial_mastery(params))
        mastery[skill] = update_mastery(current, correct, params)
    return mastery
