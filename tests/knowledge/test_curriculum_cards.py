"""Q&A cards (faq.yaml), lesson facts and module audience: loaded from the fixture course, and each
kind of breakage reported at its file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge.curriculum import Card, CurriculumError, Problem, check_course, check_curriculum, load_curriculum
from tests.conftest import FIXTURE_COURSE
from tests.knowledge.curriculum_kit import AN_TOAN_FAQ, DIEN_THOAI_FAQ, MKM, OTP, copy_course, edit, line_of, only


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return copy_course(tmp_path)


# --- cards of the fixture course ---------------------------------------------------------------


def test_cards_load_in_course_order_with_their_module_and_place() -> None:
    course = load_curriculum(FIXTURE_COURSE)
    assert len(course.cards) == 15
    assert list(course.cards)[:5] == [f"co-chu-giong-noi-c{n}" for n in range(1, 6)]  # dien-thoai comes first
    cards = course.cards_for("ma-otp")
    assert [c.id for c in cards] == [f"ma-otp-c{n}" for n in range(1, 6)]
    first = cards[0]
    assert isinstance(first, Card)
    assert (first.module, first.lesson, first.section) == ("an-toan", "ma-otp", "Mã OTP là gì")
    assert first.path == FIXTURE_COURSE / AN_TOAN_FAQ and first.line == line_of(first.path, "- id: ma-otp-c1")
    assert len(first.questions) == 3 and first.follow_up == ["ma-otp-c2"]
    assert course.lessons["ma-otp"].section(first.section) is not None
    assert course.card("ma-otp-c2") is cards[1] and course.card("khong-co") is None
    assert course.cards_for("khong-co") == []


# --- card problems -----------------------------------------------------------------------------


def test_card_of_unknown_lesson(course: Path) -> None:
    path = course / AN_TOAN_FAQ
    edit(path, 'lesson: ma-otp\n    section: "Mã OTP là gì"', 'lesson: ma-otp-2\n    section: "Mã OTP là gì"')
    problems = check_curriculum(course)
    assert Problem(path, line_of(path, "lesson: ma-otp-2"), "unknown lesson 'ma-otp-2' of card 'ma-otp-c1'") in problems
    # the card is counted for the lesson it names, so its own lesson now lacks one
    assert (
        Problem(course / OTP, 2, "lesson 'ma-otp' has 4 Q&A cards in an-toan/faq.yaml; at least 5 are required")
        in problems
    )


def test_card_section_must_be_a_heading_of_its_lesson(course: Path) -> None:
    path = course / AN_TOAN_FAQ
    edit(path, 'section: "Mã OTP là gì"', 'section: "OTP là gì"')
    problem = only(course)
    assert (problem.path, problem.line) == (path, line_of(path, 'section: "OTP là gì"'))
    assert problem.message.startswith("section 'OTP là gì' of card 'ma-otp-c1' is not a '##' heading of lesson")
    assert "Mã OTP là gì | Không đọc mã OTP cho ai" in problem.message


def test_card_needs_three_questions(course: Path) -> None:
    path = course / AN_TOAN_FAQ
    edit(path, '      - "otp la gi v"\n', "")
    assert only(course) == Problem(
        path, line_of(path, "questions:", nth=6), "card 'ma-otp-c1' has 2 question phrasings; at least 3 are required"
    )


def test_card_answer_at_most_600_characters(course: Path) -> None:
    path = course / DIEN_THOAI_FAQ
    long = "Cỡ chữ nằm trong Cài đặt, mục Màn hình. " * 16
    edit(path, 'answer: "Cỡ chữ nằm trong Cài đặt, mục Màn hình (có máy gọi là Hiển thị)."', f'answer: "{long}"')
    assert only(course) == Problem(
        path,
        line_of(path, 'answer: "Cỡ chữ nằm trong Cài đặt, mục Màn hình. Cỡ'),
        f"the answer of card 'co-chu-giong-noi-c5' has {len(long.strip())} characters; at most 600",
    )


@pytest.mark.parametrize(
    ("phrase", "shown"),
    [
        ("Xem hình bên để biết chỗ bấm.", "hình bên"),
        ("Bài này đã nói rõ cách làm.", "Bài này"),
        ("Làm như hướng dẫn (phút 2:16).", "phút 2:16"),
        ("Làm theo đoạn này là xong.", "đoạn này"),
    ],
)
def test_card_answer_without_self_references(course: Path, phrase: str, shown: str) -> None:
    path = course / DIEN_THOAI_FAQ
    edit(path, "(có máy gọi là Hiển thị).", f"(có máy gọi là Hiển thị). {phrase}")
    problem = only(course)
    assert problem.path == path and problem.line == line_of(path, phrase)
    assert problem.message.startswith("the answer of card 'co-chu-giong-noi-c5' ")
    assert problem.message.endswith(f": '{shown}'")


def test_time_of_day_is_not_a_time_stamp(course: Path) -> None:
    edit(course / DIEN_THOAI_FAQ, "(có máy gọi là Hiển thị).", "(có máy gọi là Hiển thị). Nhắc lúc 20:30 mỗi tối.")
    assert check_curriculum(course) == []


def test_duplicate_card_id(course: Path) -> None:
    path = course / AN_TOAN_FAQ
    edit(path, "- id: ma-otp-c5", "- id: ma-otp-c4")
    problems = check_curriculum(course)
    first = line_of(path, "- id: ma-otp-c4")
    second = line_of(path, "- id: ma-otp-c4", nth=2)
    assert problems == [Problem(path, second, f"duplicate card id 'ma-otp-c4' (also in {path}:{first})")]


def test_card_id_names_its_lesson(course: Path) -> None:
    path = course / AN_TOAN_FAQ
    edit(path, "- id: ma-otp-c5", "- id: otp-5")
    edit(path, "follow_up: [ma-otp-c2]", "follow_up: [ma-otp-c2, otp-5]")
    problems = check_curriculum(course)
    assert Problem(path, line_of(path, "- id: otp-5"), "card id 'otp-5' must be 'ma-otp-c<N>'") in problems


def test_unknown_follow_up(course: Path) -> None:
    path = course / AN_TOAN_FAQ
    edit(path, "follow_up: [ma-otp-c2]", "follow_up: [ma-otp-c2, ma-otp-c9]")
    assert only(course) == Problem(
        path,
        line_of(path, "follow_up: [ma-otp-c2, ma-otp-c9]"),
        "unknown follow_up card 'ma-otp-c9' of card 'ma-otp-c1'",
    )


def test_cards_live_in_their_lessons_module(course: Path) -> None:
    edit(
        course / DIEN_THOAI_FAQ,
        'lesson: co-chu-giong-noi\n    section: "Ghi nhớ"',
        'lesson: ma-otp\n    section: "Ghi nhớ"',
    )
    edit(course / DIEN_THOAI_FAQ, "- id: co-chu-giong-noi-c5", "- id: ma-otp-c6")
    problems = check_curriculum(course)
    path = course / DIEN_THOAI_FAQ
    assert (
        Problem(
            path,
            line_of(path, "lesson: ma-otp"),
            "lesson 'ma-otp' of card 'ma-otp-c6' is in module 'an-toan'; its cards go in an-toan/faq.yaml",
        )
        in problems
    )


def test_card_fields_are_validated_at_their_line(course: Path) -> None:
    path = course / AN_TOAN_FAQ
    edit(path, "    follow_up: [ma-otp-c2]\n", "    follow_up: [ma-otp-c2]\n    tags: [otp]\n")
    assert check_curriculum(course) == [
        # the card is unreadable, so its lesson is one card short
        Problem(course / OTP, 2, "lesson 'ma-otp' has 4 Q&A cards in an-toan/faq.yaml; at least 5 are required"),
        Problem(path, line_of(path, "tags: [otp]"), "unknown field 'cards[5].tags'"),
    ]
    assert "mat-khau-manh-c1" in load_curriculum(course, strict=False).cards  # the other cards are kept


def test_too_few_cards_is_a_check_failure_but_the_course_still_loads(course: Path) -> None:
    path = course / DIEN_THOAI_FAQ
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  - id: co-chu-giong-noi-c4")], encoding="utf-8")
    lesson = course / "dien-thoai/01-co-chu-giong-noi.md"
    assert only(course) == Problem(
        lesson, 2, "lesson 'co-chu-giong-noi' has 3 Q&A cards in dien-thoai/faq.yaml; at least 5 are required"
    )
    result = check_course(course)
    assert result.structural == [] and len(result.problems) == 1
    assert len(load_curriculum(course).cards_for("co-chu-giong-noi")) == 3  # strict load: quality is not structure


def test_a_module_without_faq_fails_the_check(course: Path) -> None:
    (course / DIEN_THOAI_FAQ).unlink()
    assert only(course).message == (
        "lesson 'co-chu-giong-noi' has 0 Q&A cards in dien-thoai/faq.yaml; at least 5 are required"
    )


def test_invalid_card_fails_strict_load_and_is_left_out_leniently(course: Path) -> None:
    edit(course / AN_TOAN_FAQ, 'section: "Mã OTP là gì"', 'section: "Không có"')
    with pytest.raises(CurriculumError):
        load_curriculum(course)
    lenient = load_curriculum(course, strict=False)
    assert "ma-otp-c1" not in lenient.cards and len(lenient.cards) == 14


# --- facts -------------------------------------------------------------------------------------


def test_facts_are_loaded_with_their_line() -> None:
    course = load_curriculum(FIXTURE_COURSE)
    (fact,) = course.lessons["ma-otp"].facts
    assert fact.checked == "2026-10" and fact.source.startswith("Thông tư 50/2024")
    assert fact.line == line_of(FIXTURE_COURSE / OTP, "- claim:")


def test_stale_facts_before_a_date() -> None:
    course = load_curriculum(FIXTURE_COURSE)
    assert [(le.id, f.checked) for le, f in course.stale_facts(date(2026, 1, 1))] == [("mat-khau-manh", "2025-06")]
    assert len(course.stale_facts(date(2026, 11, 1))) == 2
    assert course.stale_facts(date(2026, 10, 1)) == course.stale_facts(date(2026, 1, 1))  # a month counts from day 1
    assert course.stale_facts(date(2025, 6, 1)) == []


@pytest.mark.parametrize(
    ("checked", "message"),
    [('"2025-13"', "String should match pattern"), ('"6/2025"', "String should match pattern")],
)
def test_fact_checked_is_a_month(course: Path, checked: str, message: str) -> None:
    edit(course / OTP, 'checked: "2026-10"', f"checked: {checked}")
    problem = only(course)
    assert problem.line == line_of(course / OTP, "checked:")
    assert problem.message.startswith("facts[0].checked: " + message)


def test_fact_needs_a_source(course: Path) -> None:
    edit(course / MKM, '    source: "Cẩm nang an toàn thông tin (Bộ Công an)"\n', "")
    assert only(course) == Problem(course / MKM, line_of(course / MKM, "- claim:"), "missing field 'facts[0].source'")


# --- module audience ---------------------------------------------------------------------------


def test_module_audience_makes_it_core_for_that_group_only(course: Path) -> None:
    edit(course / "dien-thoai/module.yaml", "core: true", "core: true\naudience: [officer]")
    curriculum = load_curriculum(course)
    module = curriculum.modules["dien-thoai"]
    assert module.audience == ["officer"]
    assert module.core_for("officer") and not module.core_for("worker")
    assert [m.id for m in curriculum.core_modules("worker")] == ["an-toan"]
    assert [m.id for m in curriculum.core_modules("officer")] == ["dien-thoai", "an-toan"]
    assert curriculum.core_skills("worker") == {"at-mat-khau"}
    assert curriculum.core_skills("officer") == {"at-mat-khau", "at-otp", "dt-co-chu", "dt-giong-noi"}


def test_module_audience_values_are_checked(course: Path) -> None:
    edit(course / "dien-thoai/module.yaml", "core: true", "core: true\naudience: [can-bo]")
    path = course / "dien-thoai/module.yaml"
    problem = check_curriculum(course)[0]  # then its skills belong to no known module
    assert problem.path == path and problem.line == line_of(path, "audience:")
    assert problem.message.startswith("audience[0]: Input should be")


def test_card_text_problems_fail_the_check_but_the_card_is_loaded(course: Path) -> None:
    edit(course / DIEN_THOAI_FAQ, "(có máy gọi là Hiển thị).", "(có máy gọi là Hiển thị). Xem hình bên.")
    result = check_course(course)
    assert result.structural == [] and len(result.problems) == 1
    card = load_curriculum(course).card("co-chu-giong-noi-c5")
    assert card is not None and card.answer.endswith("Xem hình bên.")
