"""Quiz bank quality: the fixture course passes every limit; small broken courses show each failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.curriculum import (
    GIVEAWAY_WORDS,
    NEAR_DUPLICATE,
    Problem,
    QuizItem,
    answer_is_longest,
    check_course,
    check_curriculum,
    question_tokens,
    similarity,
)
from tests.conftest import FIXTURE_COURSE
from tests.knowledge.curriculum_kit import CCG, MKM, OTP, add_mcq, copy_course, edit, line_of, only


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return copy_course(tmp_path)


def test_fixture_bank_report() -> None:
    result = check_course(FIXTURE_COURSE)
    assert result.problems == [] and result.report is not None
    groups = {group.name: group for group in result.report.groups}
    assert list(groups) == ["dien-thoai", "an-toan", "placement", "total"]
    total = groups["total"]
    assert (total.mcq, total.longest, total.positions) == (10, 1, [3, 3, 3, 1])
    assert (total.true_false, total.true_answers, total.short) == (10, 4, 6)
    assert groups["an-toan"].positions == [1, 1, 1, 1] and groups["an-toan"].longest == 1
    assert result.report.near_duplicates == result.report.giveaways == result.report.placement_copies == 0
    assert result.report.placement_skills == 4 and result.report.placement_modules_missing == []
    data = result.report.as_dict()
    assert data["groups"][-1]["positions"] == {"A": 3, "B": 3, "C": 3, "D": 1}


def test_answer_is_longest_means_strictly_longest() -> None:
    def mcq(choices: list[str], answer: str) -> QuizItem:
        return QuizItem(id="x", type="mcq", question="?", choices=choices, answer=answer, skill="s")

    assert answer_is_longest(mcq(["ngắn", "dài hơn hẳn"], "dài hơn hẳn"))
    assert not answer_is_longest(mcq(["bằng", "nhau"], "nhau"))  # a tie is not a giveaway
    assert not answer_is_longest(mcq(["đáp án", "một lựa chọn dài"], "đáp án"))


def test_longest_answer_share_per_module(course: Path) -> None:
    # three more an-toan items whose answer is the longest choice, at positions B, C, D
    add_mcq(course / OTP, "otp-6", "at-otp", ["Một", "Câu trả lời dài"], "Câu trả lời dài")
    add_mcq(course / OTP, "otp-7", "at-otp", ["Một", "Hai", "Câu trả lời dài"], "Câu trả lời dài")
    add_mcq(course / OTP, "otp-8", "at-otp", ["Một", "Hai", "Ba", "Câu trả lời dài"], "Câu trả lời dài")
    module = course / "an-toan/module.yaml"
    assert only(course) == Problem(
        module,
        1,
        "in module 'an-toan', the answer is the longest choice in 4 of 7 mcq items (57%); at most 35% — "
        "lengthen the other choices",
    )


def test_longest_answer_share_overall(course: Path) -> None:
    for n, path in enumerate([MKM, MKM, OTP, OTP, CCG], start=6):
        skill = {MKM: "at-mat-khau", OTP: "at-otp", CCG: "dt-co-chu"}[path]
        choices = ["Một", "Hai", "Ba"][: 1 + n % 3] + ["Câu trả lời dài"]  # answer last: positions B, C, D
        add_mcq(course / path, f"x-{n}", skill, choices, "Câu trả lời dài")
    problems = check_curriculum(course)
    assert (
        Problem(
            course,
            0,
            "in the course, the answer is the longest choice in 6 of 15 mcq items (40%); at most 35% — "
            "lengthen the other choices",
        )
        in problems
    )


def test_answer_position_per_module(course: Path) -> None:
    for n in range(6, 9):  # three more an-toan answers in place A, never the longest
        add_mcq(course / OTP, f"otp-{n}", "at-otp", ["Có", "Không hẳn", "Tùy lúc"], "Có")
    problems = check_curriculum(course)
    assert (
        Problem(
            course / "an-toan/module.yaml",
            1,
            "in module 'an-toan', the answer is choice A in 4 of 7 mcq items (57%); at most 40% per position — "
            "vary the answer's place",
        )
        in problems
    )
    assert (
        Problem(
            course,
            0,
            "in the course, the answer is choice A in 6 of 13 mcq items (46%); at most 40% per position — "
            "vary the answer's place",
        )
        in problems
    )
    assert len(problems) == 2


def test_small_groups_are_not_judged_by_share(course: Path) -> None:
    # dien-thoai has 2 mcq items: both answers at A is no evidence of a pattern
    edit(
        course / CCG,
        '      - "Ứng dụng Máy ảnh, phần chỉnh ảnh"\n      - "Cài đặt, mục Màn hình, Cỡ chữ"\n',
        '      - "Cài đặt, mục Màn hình, Cỡ chữ"\n      - "Ứng dụng Máy ảnh, phần chỉnh ảnh"\n',
    )
    assert check_curriculum(course) == []


def test_near_duplicate_question_across_lessons(course: Path) -> None:
    edit(
        course / OTP,
        '"Công an có thể yêu cầu bạn đọc mã OTP qua điện thoại để điều tra."',
        '"Dùng chung mật khẩu cho Zalo và ứng dụng ngân hàng là an toàn."',
    )
    assert only(course) == Problem(
        course / OTP,
        line_of(course / OTP, "- id: otp-2"),
        f"item 'otp-2' asks nearly the same question as item 'mkm-2' ({course / MKM}:"
        f"{line_of(course / MKM, '- id: mkm-2')}, similarity 1.00); ask it once in the course",
    )


def test_placement_item_must_not_copy_a_lesson_item(course: Path) -> None:
    placement = course / "placement.yaml"
    edit(
        placement,
        '"Gõ bằng giọng nói dễ bị nghe nhầm chữ nhất ở nơi yên tĩnh hay nơi ồn ào?"',
        '"Trước khi gửi tin nhắn gõ bằng giọng nói, bạn nên làm gì?"',
    )
    problem = only(course)
    assert (problem.path, problem.line) == (placement, line_of(placement, "- id: pl-10"))
    assert problem.message.startswith("placement item 'pl-10' copies lesson item 'cc-6' (")


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        # repeats found in the second edition (question and answer), which an editor merges
        (
            "Trang web của cơ quan nhà nước Việt Nam thường có địa chỉ kết thúc bằng gì? .gov.vn",
            "Tên miền của trang web cơ quan nhà nước Việt Nam kết thúc bằng gì? .gov.vn",
            True,
        ),
        (
            "Đề nghị ngân hàng kiểm tra lại một giao dịch (chuyển nhầm, bị trừ tiền sai) gọi là làm gì? tra soát",
            "Bạn đề nghị ngân hàng kiểm tra lại một giao dịch chuyển tiền bị lừa hoặc chuyển nhầm. Việc đó gọi "
            "là gì? Tra soát",
            True,
        ),
        ("Mã OTP là gì?", "Ma OTP la gi", True),
        # different questions on one topic
        (
            "Khi mở gói hàng, bạn nên làm gì để có bằng chứng nếu hàng lỗi? Quay video liên tục",
            "Đoạn video quay lúc mở gói hàng, dùng làm bằng chứng khi đổi trả, thường gọi là video gì? video mở hàng",
            False,
        ),
        ("Mật khẩu mạnh nên dài ít nhất bao nhiêu ký tự? 12", "Mật khẩu nào dưới đây mạnh nhất? Cụm từ dài", False),
        ("Mã OTP là gì? Mã dùng một lần", "Ai được phép hỏi mã OTP của bạn? Không ai", False),
    ],
)
def test_similarity_is_calibrated(first: str, second: str, same: bool) -> None:
    score = similarity(question_tokens(first), question_tokens(second))
    assert (score >= NEAR_DUPLICATE) is same, score


@pytest.mark.parametrize("word", GIVEAWAY_WORDS)
def test_giveaway_words_in_true_false(course: Path, word: str) -> None:
    statement = f"Khi nghi mật khẩu bị lộ, {word} nên đổi mật khẩu ngay."
    edit(course / MKM, '"Khi nghi mật khẩu bị lộ, nên đổi mật khẩu ngay."', f'"{statement}"')
    problem = only(course)
    assert (problem.path, problem.line) == (course / MKM, line_of(course / MKM, "- id: mkm-5"))
    assert problem.message == (
        f"true/false item 'mkm-5' has the giveaway word '{word}'; state the misconception plainly"
    )


def test_giveaway_words_are_whole_words_with_marks(course: Path) -> None:
    # "mời" and "mỗi" are not "mọi"; "luôn" alone is not "luôn luôn"
    edit(
        course / MKM,
        '"Khi nghi mật khẩu bị lộ, nên đổi mật khẩu ngay."',
        '"Mỗi lần được mời đổi mật khẩu, luôn nên đổi ngay."',
    )
    assert check_curriculum(course) == []


def test_every_skill_needs_three_lesson_items(course: Path) -> None:
    path = course / CCG
    edit(path, "    skill: dt-giong-noi\n  - id: cc-5", "    skill: dt-co-chu\n  - id: cc-5")
    skills = course / "skills.yaml"
    assert only(course) == Problem(
        skills,
        line_of(skills, "id: dt-giong-noi"),
        "skill 'dt-giong-noi' is tested by 2 lesson quiz items; at least 3 are needed to show it mastered",
    )


def test_placement_covers_every_module_and_enough_skills(course: Path) -> None:
    placement = course / "placement.yaml"
    text = placement.read_text(encoding="utf-8")
    text = text.replace("skill: dt-co-chu", "skill: at-otp").replace("skill: dt-giong-noi", "skill: at-mat-khau")
    placement.write_text(text, encoding="utf-8")
    line = line_of(placement, "items:")
    assert check_curriculum(course) == [
        Problem(placement, line, "the placement test covers 2 skills; at least 4 are required"),
        Problem(placement, line, "the placement test has no item on module 'dien-thoai'"),
    ]


def test_one_question_with_two_different_answers_is_a_repeat(course: Path) -> None:
    # the same question in two lessons, each with its own (different) right answer
    add_mcq(
        course / OTP,
        "otp-6",
        "at-otp",
        ["Dùng một mật khẩu cho tất cả", "Dùng mã OTP làm mật khẩu", "Ghi mật khẩu lên giấy"],
        "Dùng mã OTP làm mật khẩu",
        question="Bạn có nhiều tài khoản và sợ quên mật khẩu. Nên làm gì?",
    )
    problem = only(course)
    assert problem.path == course / OTP and problem.line == line_of(course / OTP, "- id: otp-6")
    assert problem.message.startswith("item 'otp-6' asks nearly the same question as item 'mkm-4'")


def test_similar_questions_under_the_limit_are_listed_for_review() -> None:
    result = check_course(FIXTURE_COURSE)
    assert result.report is not None and result.problems == []
    assert [(a, b) for _score, a, b in result.report.to_review] == [("otp-4", "pl-06")]
    assert all(0.4 <= score < NEAR_DUPLICATE for score, _a, _b in result.report.to_review)


def _as_true_false(placement: Path, item_id: str, statement: str) -> None:
    """Rewrite one placement item as a true/false item (same id and skill)."""
    text = placement.read_text(encoding="utf-8")
    start = text.index(f"  - id: {item_id}\n")
    end = text.find("\n  - id: ", start + 1)
    block = text[start : len(text) if end == -1 else end + 1]
    skill = next(line for line in block.splitlines() if line.strip().startswith("skill:"))
    new = f'  - id: {item_id}\n    type: true_false\n    question: "{statement}"\n    answer: "Đúng"\n{skill}\n'
    placement.write_text(text.replace(block, new), encoding="utf-8")


def test_a_module_whose_placement_items_are_all_true_false_cannot_be_tested_out(course: Path) -> None:
    placement = course / "placement.yaml"
    _as_true_false(placement, "pl-07", "Cỡ chữ chỉnh được trong phần Màn hình của Cài đặt.")
    _as_true_false(placement, "pl-09", "Micrô trên bàn phím chuyển lời nói thành chữ.")
    _as_true_false(placement, "pl-10", "Ở xưởng ồn, máy dễ nghe nhầm lời đọc hơn.")
    assert only(course) == Problem(
        placement,
        line_of(placement, "- id: pl-07"),
        "module 'dien-thoai' cannot be tested out: its 4 placement items are all true/false; make at least "
        "one of them mcq or short",
    )


def test_a_module_needs_two_placement_items_to_be_tested_out(course: Path) -> None:
    placement = course / "placement.yaml"
    text = placement.read_text(encoding="utf-8")
    for item_id in ("pl-08", "pl-09", "pl-10"):  # leave pl-07 (mcq) as dien-thoai's only item
        start = text.index(f"  - id: {item_id}\n")
        end = text.find("\n  - id: ", start + 1)
        block = text[start : len(text) if end == -1 else end + 1]
        text = text.replace(
            block, block.replace("skill: dt-co-chu", "skill: at-otp").replace("skill: dt-giong-noi", "skill: at-otp")
        )
    placement.write_text(text, encoding="utf-8")
    assert Problem(
        placement,
        line_of(placement, "- id: pl-07"),
        "module 'dien-thoai' cannot be tested out: it has 1 placement item; at least 2 are needed",
    ) in check_curriculum(course)
