"""The pure parts of `hocvuso bench voice`: syllable error rates, simulated near misses, reading
samples from a wheel and questions from Q&A cards."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

from hocvuso.bench_voice import (
    card_questions,
    edit_distance,
    error_kinds,
    error_rate,
    fetch_samples,
    mishear,
    retone,
    syllables,
)
from knowledge.textnorm import fold


def test_syllables_ignore_case_punctuation_and_tone_placement() -> None:
    assert syllables("Hoà bình, KHỎE mạnh!") == syllables("hòa bình khỏe mạnh")
    assert syllables("Thế kỷ 19.") == ["thế", "kỷ", "19"]


def test_syllable_error_rate_marked_and_folded() -> None:
    assert edit_distance(["a", "b", "c"], ["a", "c"]) == 1
    pairs = [("Chúng ta có thể áp dụng", "chúng ta có thế áp dụng")]
    assert error_rate(pairs) == 1 / 6
    assert error_rate(pairs, folded=True) == 0.0
    assert error_kinds([("bãi cỏ xanh", "bãi gỏ xanh"), ("tù mù", "tù mụ")]) == {
        "tone": 0.5,
        "initial": 0.5,
        "other": 0.0,
    }


def test_near_misses_keep_the_syllable_but_not_its_tone() -> None:
    rng = random.Random(1)
    for word in ("mật", "khẩu", "điện", "thoại", "an"):
        other = retone(word, rng)
        assert other != word and fold(other) == fold(word)
    question = "Đặt mật khẩu thế nào cho mạnh"
    assert mishear(question, 0.0, {"tone": 1.0}, ["x"], rng) == question
    changed = mishear(question, 1.0, {"tone": 1.0}, ["x"], rng)
    assert fold(changed) == fold(question) and changed != question
    assert mishear("trời sáng", 1.0, {"initial": 1.0}, ["x"], rng) == "chời xáng"
    assert mishear("trời sáng", 1.0, {"other": 1.0}, ["ồ"], rng) == "ồ ồ"


def test_samples_come_from_the_wheel_with_their_texts(tmp_path: Path) -> None:
    wheel = tmp_path / "vieneu-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("vieneu/assets/samples/Ly (nữ).wav", b"RIFF-fake")
        archive.writestr("vieneu/assets/samples/Ly (nữ).txt", "Chúng ta có thể.\n")
        archive.writestr("vieneu/assets/samples/No text.wav", b"RIFF")
        archive.writestr("examples/other.wav", b"RIFF")
    samples = fetch_samples(tmp_path)  # a wheel already in the cache: pip is not called
    assert [(s.name, s.audio, s.text) for s in samples] == [("Ly (nữ)", b"RIFF-fake", "Chúng ta có thể.")]


def test_questions_are_the_first_phrasing_of_each_card(tmp_path: Path) -> None:
    module = tmp_path / "internet-an-toan"
    module.mkdir()
    (module / "faq.yaml").write_text(
        "cards:\n  - id: c1\n    lesson: internet-an-toan-01\n    questions: ['Đặt mật khẩu thế nào?', 'mk']\n"
        "  - id: c2\n    lesson: internet-an-toan-02\n    questions: []\n",
        encoding="utf-8",
    )
    assert card_questions(tmp_path) == [("Đặt mật khẩu thế nào?", "internet-an-toan-01")]
