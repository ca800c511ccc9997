"""Scope: off-topic questions are recognised; course questions, scams and small talk are not."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from knowledge.textnorm import has_marks
from tutor.scope import OFF_TOPIC_TEXT, is_off_topic, names_nothing_of_the_course, off_topic_reply

DATA = Path(__file__).parent / "data"
ORDINARY: dict[str, list[str]] = yaml.safe_load((DATA / "ordinary.yaml").read_text(encoding="utf-8"))
URGENT = [
    text
    for styles in yaml.safe_load((DATA / "urgent.yaml").read_text(encoding="utf-8")).values()
    for texts in styles.values()
    for text in texts
]
IN_SCOPE = [
    text for group, texts in ORDINARY.items() if group not in ("off_topic", "digital_other", "chat") for text in texts
]


def test_off_topic_questions_are_recognised() -> None:
    off = ORDINARY["off_topic"]
    assert len(off) >= 60
    missed = [text for text in off if not is_off_topic(text)]
    assert len(missed) / len(off) <= 0.03, missed


def test_course_and_scam_questions_stay_in_scope() -> None:
    flagged = [text for text in IN_SCOPE if is_off_topic(text)]
    assert len(flagged) / len(IN_SCOPE) <= 0.01, flagged


def test_a_scam_in_progress_is_never_off_topic() -> None:
    assert [text for text in URGENT if is_off_topic(text)] == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "👍",
        "ok",
        "cảm ơn bạn nhiều nhé",
        "tiếp tục đi",
        "tôi muốn học",
        "bài tiếp theo",
        "A",
        "2",
        "cho tôi hỏi một câu",
    ],
)
def test_small_talk_and_course_navigation_are_not_off_topic(text: str) -> None:
    assert not is_off_topic(text)
    assert not names_nothing_of_the_course(text)


def test_the_broad_check_catches_more_and_still_spares_the_course() -> None:
    broad = [
        "bạn là trai hay gái",
        "nước nào đông dân nhất thế giới",
        "trứng luộc bao lâu thì chín",
        "lương hưu tính thế nào",
    ]
    assert all(names_nothing_of_the_course(text) for text in broad)
    assert [text for text in IN_SCOPE if names_nothing_of_the_course(text)] == []
    off = ORDINARY["off_topic"]
    assert sum(names_nothing_of_the_course(text) for text in off) / len(off) >= 0.97


@pytest.mark.parametrize(
    "text",
    [
        "thời tiết hôm nay thế nào",
        "gia vang hom nay",
        "viết giúp tôi bài thơ",
        "xo so mien bac",
        "dau dau uong thuoc gi",
    ],
)
def test_the_examples_of_the_issue_are_off_topic(text: str) -> None:
    assert is_off_topic(text)


@pytest.mark.parametrize(
    "text",
    [
        "đầu tư vàng online có lừa đảo không",  # an off-topic word inside a digital question
        "dùng chatgpt làm thơ được không",
        "cách xem thời tiết trên điện thoại",
        "co nguoi goi bao toi trung thuong xe may, bat dong phi",  # a scam first
    ],
)
def test_digital_questions_with_off_topic_words_stay_in_scope(text: str) -> None:
    assert not is_off_topic(text)


def test_the_reply_says_what_the_assistant_helps_with_and_offers_the_menu() -> None:
    reply = off_topic_reply()
    assert reply == OFF_TOPIC_TEXT
    assert "/baihoc" in reply and "kỹ năng số" in reply
    assert has_marks(reply) and reply == unicodedata.normalize("NFC", reply)
    assert len(reply) <= 300
    assert "«" not in reply  # no lesson offered


def test_the_course_own_questions_are_not_turned_down() -> None:
    """The Q&A cards' phrasings (written by the course's editors, not for this classifier) stay in scope."""
    course = Path(__file__).resolve().parents[2] / "knowledge" / "lessons"
    phrasings = [
        question
        for path in sorted(course.glob("*/faq.yaml"))
        for card in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cards", [])
        for question in card.get("questions", [])
    ]
    if not phrasings:
        pytest.skip("no Q&A cards in the course")
    flagged = [q for q in phrasings if is_off_topic(q)]
    assert len(flagged) <= len(phrasings) // 200, flagged
