"""The answers benchmark's question set and its judging (the run itself needs the ingested course)."""

from __future__ import annotations

import re
from pathlib import Path

from hocvuso.bench_answers import BenchItem, Outcome, load_items, missing_facts, summarize

REPO = Path(__file__).resolve().parents[2]


def test_the_set_covers_every_lesson_and_kind_of_question() -> None:
    items = load_items()
    assert len(items) >= 200
    kinds = {i.type for i in items}
    assert kinds == {"on_topic", "urgent", "off_topic", "outside"}
    lessons = set()
    for path in (REPO / "knowledge" / "lessons").glob("*/[0-9]*.md"):
        match = re.search(r"^id:\s*(\S+)", path.read_text(encoding="utf-8"), re.MULTILINE)
        if match and "--" not in path.stem:
            lessons.add(match.group(1))
    asked = {i.lesson for i in items if i.expect}
    assert lessons and lessons <= asked, sorted(lessons - asked)
    assert all(i.facts for i in items if i.type in ("on_topic", "urgent"))
    unmarked = [i for i in items if i.type == "on_topic" and i.q == i.q.encode("ascii", "ignore").decode()]
    assert len(unmarked) >= 50  # typed without tone marks
    assert len({i.q for i in items}) == len(items)


def test_facts_are_found_without_tone_marks_and_with_alternatives() -> None:
    text = "Gọi tổng đài in trên thẻ, đề nghị tra soát."
    assert missing_facts(text, ["tra soat", "tong dai|ngan hang"]) == []
    assert missing_facts(text, ["113"]) == ["113"]


def _outcome(item: BenchItem, mode: str, text: str, seconds: float, suggestions: list[str]) -> Outcome:
    from hocvuso.bench_answers import _judge

    o = Outcome(item, mode, text, None, [], suggestions, seconds)
    _judge(o)
    return o


def test_summary_counts_honesty_and_urgent_recall() -> None:
    on = BenchItem("otp la gi", "on_topic", "a-01-c1", ("mot lan",))
    urgent = BenchItem("bi lua roi", "urgent", "b-01", ("ngan hang",))
    off = BenchItem("gia vang", "off_topic")
    outcomes = [
        _outcome(on, "card", "OTP là mã dùng một lần.", 0.1, []),
        _outcome(on, "not_found", "Mình chưa tìm thấy", 0.2, []),
        _outcome(urgent, "safety", "Gọi ngay ngân hàng", 0.3, []),
        _outcome(off, "off_topic", "Mình là trợ lý", 0.1, []),
        _outcome(off, "not_found", "Mình chưa tìm thấy", 0.1, ["Bài X"]),
    ]
    summary = summarize(outcomes)
    assert summary["on_topic_correct"] == 0.5
    assert summary["false_dont_know"] == round(1 / 3, 3)
    assert summary["urgent_recall"] == 1.0
    assert summary["off_topic_honest"] == 1.0 and summary["off_topic_no_lesson_offered"] == 0.5
