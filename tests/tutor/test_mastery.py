"""BKT mastery: the update rule's properties, placement, and parameters from settings."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from hocvuso.package_config import tutor_config
from tests.conftest import make_settings
from tutor.config import MasteryConfig
from tutor.mastery import BKTParams, initial_mastery, mastery_from_placement, update_mastery

DEFAULT = BKTParams()
GRID = [i / 20 for i in range(21)]  # 0.0, 0.05, ..., 1.0
PARAM_SETS = [
    DEFAULT,
    BKTParams(p_init=0.5, p_learn=0.0, p_slip=0.05, p_guess=0.25),
    BKTParams(p_init=0.1, p_learn=0.3, p_slip=0.2, p_guess=0.33),
]


def test_known_values_of_one_update() -> None:
    # Correct: posterior 0.2*0.9 / (0.2*0.9 + 0.8*0.2) = 0.18/0.34, then learning 0.15.
    posterior = 0.18 / 0.34
    assert update_mastery(0.2, True, DEFAULT) == pytest.approx(posterior + (1 - posterior) * 0.15)
    # Wrong: posterior 0.2*0.1 / (0.2*0.1 + 0.8*0.8) = 0.02/0.66.
    posterior = 0.02 / 0.66
    assert update_mastery(0.2, False, DEFAULT) == pytest.approx(posterior + (1 - posterior) * 0.15)


@pytest.mark.parametrize("params", PARAM_SETS)
def test_correct_raises_more_than_wrong_and_stays_in_unit_interval(params: BKTParams) -> None:
    for p in GRID:
        up = update_mastery(p, True, params)
        down = update_mastery(p, False, params)
        assert 0.0 <= down <= 1.0 and 0.0 <= up <= 1.0
        assert up >= down
        if 0.0 < p < 1.0:
            assert up > down
            assert up >= p  # a correct answer never lowers mastery


@pytest.mark.parametrize("params", PARAM_SETS)
def test_update_is_monotone_in_prior(params: BKTParams) -> None:
    for correct in (True, False):
        values = [update_mastery(p, correct, params) for p in GRID]
        assert all(a <= b + 1e-12 for a, b in itertools.pairwise(values))


def test_wrong_answer_lowers_a_high_mastery() -> None:
    assert update_mastery(0.9, False, DEFAULT) < 0.9


def test_repeated_correct_answers_converge_up_and_cross_threshold() -> None:
    p = initial_mastery(DEFAULT)
    history = [p]
    for _ in range(6):
        p = update_mastery(p, True, DEFAULT)
        history.append(p)
    assert all(a < b for a, b in itertools.pairwise(history))
    assert history[3] >= 0.8  # three correct answers in a row reach the default threshold
    assert history[-1] > 0.99


def test_repeated_wrong_answers_stay_low() -> None:
    p = 0.6
    for _ in range(6):
        p = update_mastery(p, False, DEFAULT)
    assert p < 0.25  # floored only by the learning chance


def test_out_of_range_input_is_clamped_and_random_sequences_stay_bounded() -> None:
    assert 0.0 <= update_mastery(1.7, False, DEFAULT) <= 1.0
    assert 0.0 <= update_mastery(-0.3, True, DEFAULT) <= 1.0
    rng = random.Random(4)
    p = initial_mastery(DEFAULT)
    for _ in range(500):
        p = update_mastery(p, rng.random() < 0.5, DEFAULT)
        assert 0.0 <= p <= 1.0


def test_invalid_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        BKTParams(p_init=1.2)
    with pytest.raises(ValueError):
        BKTParams(p_slip=0.6, p_guess=0.5)


def test_parameters_from_settings(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    settings = make_settings(
        data_dir, tutor={"mastery": {"p_init": 0.3, "p_learn": 0.1, "p_slip": 0.05, "p_guess": 0.25}}
    )
    params = BKTParams.from_config(tutor_config(settings).mastery)
    assert params == BKTParams(p_init=0.3, p_learn=0.1, p_slip=0.05, p_guess=0.25)
    assert initial_mastery(params) == 0.3
    assert BKTParams.from_config(MasteryConfig()) == DEFAULT


def test_mastery_from_placement_per_skill() -> None:
    answers = [("at-mat-khau", True), ("at-mat-khau", True), ("at-otp", False), ("dt-co-chu", True),
               ("dt-co-chu", False)]  # fmt: skip
    mastery = mastery_from_placement(answers, DEFAULT)
    assert set(mastery) == {"at-mat-khau", "at-otp", "dt-co-chu"}
    two_right = update_mastery(update_mastery(0.2, True, DEFAULT), True, DEFAULT)
    assert mastery["at-mat-khau"] == pytest.approx(two_right)
    assert mastery["at-otp"] < initial_mastery(DEFAULT) < mastery["dt-co-chu"] < mastery["at-mat-khau"]
    assert mastery_from_placement([], DEFAULT) == {}
