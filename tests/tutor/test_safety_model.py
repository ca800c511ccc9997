"""The learned second opinion of scam triage (tutor/safety_model.py): the shipped weights, the OR with
the rules on every message set, and the switch that leaves the rules alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.tutor.test_safety import SETS, _ordinary, _urgent
from tutor import safety_model
from tutor.safety import is_scam_in_progress, scam_kind, triage
from tutor.safety_text import canonical

# No rule fires on it (measured with the layer off); the learned layer does.
ADDED_BY_THE_MODEL = "ong ta yeu cau toi dang nhap vao trang web de xac minh danh tinh ngay"


@pytest.fixture
def layer_off() -> Iterator[None]:
    safety_model.set_enabled(False)
    yield
    safety_model.set_enabled(True)


def test_the_shipped_model_loads_with_its_threshold() -> None:
    model = safety_model.load()
    assert model is not None
    assert model.weights.shape == (safety_model.DIM,) and np.isfinite(model.weights).all()
    assert model.threshold > 0  # strict: an alarm needs a clearly urgent text


def test_features_are_stable_and_normalised() -> None:
    indices, values = safety_model.features("toi vua chuyen tien cho nguoi la")
    again, _ = safety_model.features("toi vua chuyen tien cho nguoi la")
    assert (indices == again).all() and abs(float(np.linalg.norm(values)) - 1) < 1e-5
    empty_indices, _ = safety_model.features("")
    assert len(empty_indices) == 0


@pytest.mark.parametrize("name", sorted(SETS))
def test_rules_or_model_on_every_set(name: str) -> None:
    """On the sets (trained and tuned on): recall >= 0.98, false alarms <= 2%, as the rules alone."""
    urgent_file, ordinary_file, *_ = SETS[name]
    urgent, ordinary = _urgent(urgent_file), _ordinary(ordinary_file)
    missed = [text for _, _, text in urgent if not is_scam_in_progress(text)]
    alarms = [text for _, text in ordinary if is_scam_in_progress(text)]
    assert 1 - len(missed) / len(urgent) >= 0.98, missed
    assert len(alarms) / len(ordinary) <= 0.02, alarms


def test_the_model_adds_an_alarm_the_rules_miss_with_the_generic_steps() -> None:
    assert safety_model.enabled()
    result = triage(ADDED_BY_THE_MODEL)
    assert result is not None and result.kind == "pressure"
    assert result.text.startswith("⚠️ Làm ngay:\n1. Gọi tổng đài ngân hàng")


@pytest.mark.parametrize("text", ["chó nhà tôi bị ve cắn đầy người", "cho nha toi bi ve can day nguoi"])
def test_the_model_alone_never_alarms_outside_money_accounts_and_contact(text: str) -> None:
    """Seen in bench answers: the n-grams scored a pet question as urgent; the gate keeps the layer
    to messages about money, accounts, codes, contact or an authority."""
    assert safety_model.urgent(canonical(text))  # what the model alone says
    assert triage(text) is None


def test_switched_off_the_rules_alone_apply(layer_off: None) -> None:
    assert not safety_model.enabled()
    assert scam_kind(ADDED_BY_THE_MODEL) is None
    assert not safety_model.urgent(canonical(ADDED_BY_THE_MODEL))


@pytest.mark.parametrize(
    "text",
    [
        "ngan hang co bao gio yeu cau dang nhap vao trang web de xac minh danh tinh khong",
        "neu ho yeu cau dang nhap trang web la de xac minh thi lam sao",
        "cach dang nhap dich vu cong de xac minh danh tinh",
    ],
)
def test_learning_frames_still_switch_an_alarm_off(text: str) -> None:
    """The model is only a second opinion: questions about scams stay questions."""
    assert not is_scam_in_progress(text)


def test_without_a_model_file_the_rules_alone_apply(tmp_path: Path) -> None:
    assert safety_model.load(tmp_path / "missing.npz") is None
    np.savez(tmp_path / "wrong.npz", weights=np.zeros(7, np.float32), bias=np.float32(0), threshold=np.float32(1))
    assert safety_model.load(tmp_path / "wrong.npz") is None


def test_the_setting_switches_the_layer_off(settings) -> None:  # type: ignore[no-untyped-def]
    """`tutor.safety_model: false` in the settings: the composition root turns the layer off."""
    from hocvuso.container import Container

    off = settings.model_copy(update={"tutor": settings.tutor.model_copy(update={"safety_model": False})})
    built = Container(off)
    try:
        assert built.conversation is not None
        assert not safety_model.enabled()
        assert not is_scam_in_progress(ADDED_BY_THE_MODEL)
    finally:
        built.close()
        safety_model.set_enabled(True)
    assert is_scam_in_progress(ADDED_BY_THE_MODEL)
