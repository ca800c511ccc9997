"""The course loader and checks: the fixture course loads; each kind of breakage is reported at its file
and line; the real course in knowledge/lessons passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.curriculum import (
    Curriculum,
    CurriculumError,
    Lesson,
    Problem,
    QuizItem,
    Section,
    check_curriculum,
    load_curriculum,
)
from tests.conftest import COURSE_DIR, FIXTURE_COURSE
from tests.knowledge.curriculum_kit import CCG, MKM, OTP, copy_course, edit, line_of, only

VTT = Path("an-toan/01-mat-khau-manh--bai-giang.vtt")
PNG = Path("dien-thoai/01-co-chu-giong-noi--cai-dat-co-chu.png")
CAPTION = Path("dien-thoai/01-co-chu-giong-noi--cai-dat-co-chu.md")


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A private copy of the fixture course, to break one thing at a time."""
    return copy_course(tmp_path)


# --- the fixture course ------------------------------------------------------------------------


def test_fixture_course_is_valid() -> None:
    assert check_curriculum(FIXTURE_COURSE) == []


def test_loader_reads_modules_lessons_and_placement_in_order() -> None:
    course = load_curriculum(FIXTURE_COURSE)
    assert isinstance(course, Curriculum)
    assert list(course.modules) == ["dien-thoai", "an-toan"]  # by module order, not folder name
    assert list(course.lessons) == ["co-chu-giong-noi", "mat-khau-manh", "ma-otp"]
    assert set(course.skills) == {"at-mat-khau", "at-otp", "dt-co-chu", "dt-giong-noi"}
    assert course.skills["at-otp"].module == "an-toan"
    assert len(course.placement) == 10
    assert all(item.lesson_id is None for item in course.placement)
    assert sum(len(lesson.quiz) for lesson in course.lessons.values()) == 16
    assert [le.id for le in course.lessons_in("an-toan")] == ["mat-khau-manh", "ma-otp"]
    assert course.lessons_in("khong-co") == []


def test_lesson_fields_sections_and_quiz() -> None:
    course = load_curriculum(FIXTURE_COURSE)
    lesson = course.lessons["ma-otp"]
    assert isinstance(lesson, Lesson)
    assert (lesson.module, lesson.order, lesson.level) == ("an-toan", 2, "nang-cao")
    assert lesson.audience == ["officer"] and lesson.prerequisites == ["mat-khau-manh"]
    assert lesson.path == FIXTURE_COURSE / OTP
    assert [s.heading for s in lesson.sections][-1] == "Ghi nhớ"
    first = lesson.sections[0]
    assert isinstance(first, Section)
    assert first.line == line_of(FIXTURE_COURSE / OTP, "## Mã OTP là gì")
    assert first.text.startswith("OTP là mã dùng một lần")
    assert "##" not in first.text
    for each in course.lessons.values():
        assert {item.type for item in each.quiz} == {"mcq", "true_false", "short"}
        assert all(item.lesson_id == each.id for item in each.quiz)


def test_media_is_attached_to_its_lesson_and_captions_are_not_lessons() -> None:
    course = load_curriculum(FIXTURE_COURSE)
    assert course.lessons["mat-khau-manh"].videos == [FIXTURE_COURSE / VTT]
    assert course.lessons["mat-khau-manh"].images == []
    assert course.lessons["co-chu-giong-noi"].images == [FIXTURE_COURSE / PNG]
    assert course.lessons["co-chu-giong-noi"].videos == []
    assert all(lesson.path != FIXTURE_COURSE / CAPTION for lesson in course.lessons.values())


def test_item_lookup_covers_lessons_and_placement() -> None:
    course = load_curriculum(FIXTURE_COURSE)
    item = course.item("mkm-1")
    assert isinstance(item, QuizItem)
    assert item.lesson_id == "mat-khau-manh" and item.answer in item.choices
    placement = course.item("pl-04")
    assert placement is not None and placement.lesson_id is None and placement.answer == "Sai"
    assert course.item("khong-co") is None


def test_audience_core_skills_and_lesson_for_skill() -> None:
    course = load_curriculum(FIXTURE_COURSE)
    assert course.lessons["mat-khau-manh"].for_audience("worker")
    assert not course.lessons["ma-otp"].for_audience("worker")
    assert course.lessons["ma-otp"].for_audience("officer")
    assert course.core_skills("worker") == {"at-mat-khau", "dt-co-chu", "dt-giong-noi"}
    assert course.core_skills("officer") == {"at-mat-khau", "at-otp", "dt-co-chu", "dt-giong-noi"}
    lesson = course.lesson_for_skill("at-otp")
    assert lesson is not None and lesson.id == "ma-otp"
    assert course.lesson_for_skill("at-otp", "worker") is None
    assert [i.id for i in course.items_for_skill("dt-giong-noi")] == ["cc-4", "cc-5", "cc-6"]


def test_core_skills_leave_out_non_core_modules(course: Path) -> None:
    edit(course / "dien-thoai/module.yaml", "core: true", "core: false")
    assert load_curriculum(course).core_skills("worker") == {"at-mat-khau"}


def test_load_raises_with_problems_and_lenient_load_skips_invalid_lessons(course: Path) -> None:
    edit(course / OTP, "level: nang-cao", "level: kho")
    with pytest.raises(CurriculumError) as caught:
        load_curriculum(course)
    assert [p.path for p in caught.value.problems] == [course / OTP]
    assert "level" in str(caught.value)
    lenient = load_curriculum(course, strict=False)
    assert list(lenient.lessons) == ["co-chu-giong-noi", "mat-khau-manh"]


def test_problem_str_is_file_line_message() -> None:
    assert str(Problem(Path("a/b.md"), 7, "bad")) == "a/b.md:7: bad"


# --- front matter schema -----------------------------------------------------------------------


def test_missing_field(course: Path) -> None:
    edit(course / MKM, "duration_min: 5\n", "")
    assert only(course) == Problem(course / MKM, 2, "missing field 'duration_min'")


def test_value_not_allowed(course: Path) -> None:
    edit(course / MKM, "level: co-ban", "level: trung-binh")
    assert only(course) == Problem(
        course / MKM,
        line_of(course / MKM, "level:"),
        "level: Input should be 'co-ban' or 'nang-cao' (got 'trung-binh')",
    )


def test_unknown_audience(course: Path) -> None:
    edit(course / MKM, "audience: [all]", "audience: [all, sinh-vien]")
    problem = only(course)
    assert (problem.path, problem.line) == (course / MKM, line_of(course / MKM, "audience:"))
    assert problem.message.startswith("audience[1]: Input should be 'worker', 'public', 'officer' or 'all'")


def test_wrong_type(course: Path) -> None:
    edit(course / MKM, "duration_min: 5", "duration_min: năm")
    problem = only(course)
    assert (problem.line, problem.message.split(":")[0]) == (line_of(course / MKM, "duration_min"), "duration_min")
    assert "valid integer" in problem.message and "'năm'" in problem.message


def test_unknown_field(course: Path) -> None:
    edit(course / MKM, "duration_min: 5\n", "duration_min: 5\ntags: [mat-khau]\n")
    assert only(course) == Problem(course / MKM, line_of(course / MKM, "tags:"), "unknown field 'tags'")


def test_objectives_count(course: Path) -> None:
    edit(course / MKM, '  - "Dùng mỗi tài khoản một mật khẩu riêng"\n', "")
    problem = only(course)
    assert problem.line == line_of(course / MKM, "objectives:")
    assert problem.message.startswith("objectives: List should have at least 2 items")


def test_quiz_item_type(course: Path) -> None:
    path = course / MKM
    edit(path, "    type: short\n", "    type: essay\n")
    problem = only(course)
    assert problem.path == path and problem.line == line_of(path, "type: essay")
    assert problem.message == "quiz[2].type: Input should be 'mcq', 'true_false' or 'short' (got 'essay')"


def test_quiz_item_missing_answer_is_reported_at_the_item(course: Path) -> None:
    path = course / MKM
    edit(path, '    answer: "12"\n', "")
    assert only(course) == Problem(path, line_of(path, "- id: mkm-3"), "missing field 'quiz[2].answer'")


def test_yaml_boolean_answer(course: Path) -> None:
    path = course / MKM
    edit(path, '    answer: "Đúng"\n', "    answer: yes\n")
    problem = only(course)
    assert problem.line == line_of(path, "answer: yes")
    assert problem.message.startswith("quiz[4].answer: YAML read this as true/false")


def test_duplicate_key(course: Path) -> None:
    path = course / MKM
    edit(path, "duration_min: 5\n", "duration_min: 5\nduration_min: 6\n")
    assert only(course) == Problem(path, line_of(path, "duration_min: 6"), "duplicate key 'duration_min'")


def test_invalid_yaml_is_a_problem_not_a_crash(course: Path) -> None:
    path = course / MKM
    edit(path, 'title: "Đặt mật khẩu mạnh"', "title: [Đặt mật khẩu mạnh")
    problems = check_curriculum(course)
    mine = [p for p in problems if p.path == path]
    assert len(mine) == 1 and mine[0].message.startswith("invalid YAML")
    assert mine[0].line >= line_of(path, "title:")


def test_no_front_matter(course: Path) -> None:
    path = course / MKM
    path.write_text("# Mật khẩu\n\nChỉ có nội dung.\n", encoding="utf-8")
    assert Problem(path, 1, "no YAML front matter (the file must start with a line '---')") in check_curriculum(course)


def test_unclosed_front_matter(course: Path) -> None:
    path = course / MKM
    path.write_text("---\nid: x\ntitle: y\n", encoding="utf-8")
    assert Problem(path, 1, "the front matter is not closed by a line '---'") in check_curriculum(course)


def test_not_utf8(course: Path) -> None:
    path = course / MKM
    path.write_bytes(b"---\ntitle: M\xe1t kh\xe2u\n---\n")  # Latin-1 bytes
    problems = [p for p in check_curriculum(course) if p.path == path]
    assert len(problems) == 1 and problems[0].message.startswith("not UTF-8 text")


# --- identity and references -------------------------------------------------------------------


def test_duplicate_lesson_id(course: Path) -> None:
    edit(course / OTP, "id: ma-otp", "id: mat-khau-manh")
    edit(course / OTP, "prerequisites: [mat-khau-manh]", "prerequisites: []")
    problems = check_curriculum(course)
    assert Problem(course / OTP, 2, f"duplicate lesson id 'mat-khau-manh' (also in {course / MKM}:2)") in problems
    # the cards of the lesson once called ma-otp now point to no lesson
    assert {p.message for p in problems if p.path.name == "faq.yaml"} == {
        f"unknown lesson 'ma-otp' of card 'ma-otp-c{n}'" for n in range(1, 6)
    }


def test_duplicate_item_id_across_lessons(course: Path) -> None:
    edit(course / OTP, "- id: otp-3", "- id: mkm-1")
    first = line_of(course / MKM, "- id: mkm-1")
    assert only(course) == Problem(
        course / OTP,
        line_of(course / OTP, "- id: mkm-1"),
        f"duplicate quiz item id 'mkm-1' (also in {course / MKM}:{first})",
    )


def test_duplicate_item_id_in_placement(course: Path) -> None:
    placement = course / "placement.yaml"
    edit(placement, "- id: pl-10", "- id: cc-6")
    problem = only(course)
    assert (problem.path, problem.line) == (placement, line_of(placement, "- id: cc-6"))
    assert problem.message.startswith("duplicate quiz item id 'cc-6' (also in ")


def test_module_does_not_match_folder(course: Path) -> None:
    edit(course / MKM, "module: an-toan", "module: dien-thoai")
    assert only(course) == Problem(
        course / MKM, line_of(course / MKM, "module:"), "module 'dien-thoai' does not match the folder 'an-toan'"
    )


def test_missing_module_yaml(course: Path) -> None:
    (course / "an-toan/module.yaml").unlink()
    problems = check_curriculum(course)
    assert Problem(course / MKM, line_of(course / MKM, "module:"), "module 'an-toan' has no module.yaml") in problems
    assert Problem(course / OTP, line_of(course / OTP, "module:"), "module 'an-toan' has no module.yaml") in problems
    skills = course / "skills.yaml"
    assert (
        Problem(skills, line_of(skills, "id: at-otp"), "skill 'at-otp' belongs to unknown module 'an-toan'") in problems
    )


def test_module_yaml_id_must_match_folder(course: Path) -> None:
    edit(course / "dien-thoai/module.yaml", "id: dien-thoai", "id: dien-thoai-2")
    problems = check_curriculum(course)
    assert (
        Problem(course / "dien-thoai/module.yaml", 1, "module id 'dien-thoai-2' does not match its folder 'dien-thoai'")
        in problems
    )


def test_module_without_lessons(course: Path) -> None:
    (course / "mua-sam").mkdir()
    (course / "mua-sam/module.yaml").write_text(
        'id: mua-sam\ntitle: "Mua sắm"\ndescription: "Mua hàng trên mạng."\norder: 3\ncore: false\n', encoding="utf-8"
    )
    assert only(course) == Problem(course / "mua-sam/module.yaml", 1, "module 'mua-sam' has no lessons")


def test_duplicate_module_order(course: Path) -> None:
    edit(course / "dien-thoai/module.yaml", "order: 1", "order: 2")
    path = course / "dien-thoai/module.yaml"
    assert only(course) == Problem(path, 4, "module order 2 is also used by 'an-toan'")


def test_duplicate_lesson_order_in_module(course: Path) -> None:
    edit(course / OTP, "order: 2", "order: 1")
    assert only(course) == Problem(
        course / OTP, line_of(course / OTP, "order:"), "lesson order 1 is also used by 'mat-khau-manh'"
    )


def test_unknown_lesson_skill(course: Path) -> None:
    edit(course / MKM, "skills: [at-mat-khau]", "skills: [at-mat-khau, at-wifi]")
    assert only(course) == Problem(
        course / MKM, line_of(course / MKM, "skills:"), "unknown skill 'at-wifi' (not in skills.yaml)"
    )


def test_unknown_item_skill(course: Path) -> None:
    path = course / MKM
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    skill: at-mat-khau\n", "    skill: at-khac\n", 1), encoding="utf-8")
    assert only(course) == Problem(
        path, line_of(path, "skill: at-khac"), "unknown skill 'at-khac' of item 'mkm-1' (not in skills.yaml)"
    )


def test_item_skill_not_among_lesson_skills(course: Path) -> None:
    path = course / CCG
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    skill: dt-co-chu\n", "    skill: at-otp\n", 1), encoding="utf-8")
    assert check_curriculum(course) == [
        Problem(path, line_of(path, "skill: at-otp"), "skill 'at-otp' of item 'cc-1' is not among the lesson's skills"),
        Problem(
            course / "skills.yaml",
            line_of(course / "skills.yaml", "id: dt-co-chu"),
            "skill 'dt-co-chu' is tested by 2 lesson quiz items; at least 3 are needed to show it mastered",
        ),
    ]


def test_lesson_skill_without_quiz_item(course: Path) -> None:
    edit(course / MKM, "skills: [at-mat-khau]", "skills: [at-mat-khau, at-otp]")
    assert only(course) == Problem(
        course / MKM, line_of(course / MKM, "skills:"), "skill 'at-otp' of the lesson is tested by no quiz item"
    )


def test_skill_taught_by_no_lesson(course: Path) -> None:
    skills = course / "skills.yaml"
    edit(skills, "skills:\n", 'skills:\n  - {id: at-wifi, name: "Wi-Fi công cộng", module: an-toan}\n')
    assert only(course) == Problem(skills, line_of(skills, "at-wifi"), "skill 'at-wifi' is taught by no lesson")


def test_skill_of_unknown_module(course: Path) -> None:
    skills = course / "skills.yaml"
    edit(skills, "module: dien-thoai}\n  - {id: dt-giong-noi", "module: dien-thoai}\n  - {id: dt-giong-noi")
    edit(skills, 'name: "Gõ bằng giọng nói", module: dien-thoai', 'name: "Gõ bằng giọng nói", module: khac')
    assert only(course) == Problem(
        skills, line_of(skills, "dt-giong-noi"), "skill 'dt-giong-noi' belongs to unknown module 'khac'"
    )


def test_duplicate_skill_id(course: Path) -> None:
    skills = course / "skills.yaml"
    edit(skills, "skills:\n", 'skills:\n  - {id: at-otp, name: "OTP", module: an-toan}\n')
    first = line_of(skills, "id: at-otp")
    second = line_of(skills, "id: at-otp", nth=2)
    assert only(course) == Problem(skills, second, f"duplicate skill id 'at-otp' (also on line {first})")


def test_unknown_prerequisite(course: Path) -> None:
    edit(course / OTP, "prerequisites: [mat-khau-manh]", "prerequisites: [mat-khau-manh, khong-co]")
    assert only(course) == Problem(
        course / OTP, line_of(course / OTP, "prerequisites:"), "unknown prerequisite 'khong-co'"
    )


def test_prerequisite_cycle(course: Path) -> None:
    edit(course / MKM, "prerequisites: []", "prerequisites:\n  - ma-otp")
    assert only(course) == Problem(
        course / OTP,
        line_of(course / OTP, "prerequisites:"),
        "prerequisites form a cycle: ma-otp -> mat-khau-manh -> ma-otp",
    )


def test_prerequisite_of_itself(course: Path) -> None:
    edit(course / CCG, "prerequisites: []", "prerequisites:\n  - co-chu-giong-noi")
    assert only(course) == Problem(
        course / CCG,
        line_of(course / CCG, "  - co-chu-giong-noi"),
        "prerequisites form a cycle: co-chu-giong-noi -> co-chu-giong-noi",
    )


def test_longer_cycle_reported_once(course: Path) -> None:
    edit(course / MKM, "prerequisites: []", "prerequisites: [co-chu-giong-noi]")
    edit(course / CCG, "prerequisites: []", "prerequisites: [ma-otp]")
    assert only(course) == Problem(
        course / CCG,
        line_of(course / CCG, "prerequisites:"),
        "prerequisites form a cycle: co-chu-giong-noi -> ma-otp -> mat-khau-manh -> co-chu-giong-noi",
    )


# --- quiz items --------------------------------------------------------------------------------


def test_mcq_answer_not_among_choices(course: Path) -> None:
    path = course / CCG
    edit(path, 'answer: "Micrô"', 'answer: "Micro"')
    assert only(course) == Problem(
        path, line_of(path, 'answer: "Micro"'), "the answer 'Micro' of item 'cc-4' is not one of its choices"
    )


def test_mcq_needs_two_choices(course: Path) -> None:
    path = course / CCG
    edit(path, 'choices: ["Micrô", "Máy ảnh", "Thùng rác"]', 'choices: ["Micrô"]')
    assert only(course) == Problem(
        path, line_of(path, 'choices: ["Micrô"]'), "mcq item 'cc-4' needs at least 2 choices"
    )


def test_mcq_repeated_choice(course: Path) -> None:
    path = course / CCG
    edit(path, 'choices: ["Micrô", "Máy ảnh", "Thùng rác"]', 'choices: ["Micrô", "Máy ảnh", "Micrô"]')
    assert only(course) == Problem(
        path, line_of(path, 'choices: ["Micrô", "Máy'), "item 'cc-4' repeats the choice 'Micrô'"
    )


def test_true_false_answer(course: Path) -> None:
    path = course / CCG
    edit(path, '    answer: "Sai"\n', '    answer: "Không"\n')
    assert only(course) == Problem(
        path, line_of(path, 'answer: "Không"'), "true_false item 'cc-5' must answer 'Đúng' or 'Sai', not 'Không'"
    )


def test_short_answer_must_not_be_empty(course: Path) -> None:
    path = course / CCG
    edit(path, '    answer: "đọc lại"\n', '    answer: "  "\n')
    assert only(course) == Problem(path, line_of(path, 'answer: "  "'), "quiz[5].answer: must not be empty (got '  ')")


def test_short_item_takes_no_choices(course: Path) -> None:
    path = course / CCG
    edit(path, '    answer: "đọc lại"\n', '    answer: "đọc lại"\n    choices: ["đọc lại", "gửi luôn"]\n')
    assert only(course) == Problem(
        path, line_of(path, 'choices: ["đọc lại"'), "short item 'cc-6' takes no choices (only mcq items do)"
    )


def test_lesson_needs_five_items(course: Path) -> None:
    path = course / OTP
    text = path.read_text(encoding="utf-8")
    start, end = text.index("  - id: otp-5"), text.index("---\n", 4)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert only(course) == Problem(path, line_of(path, "quiz:"), "the lesson has 4 quiz items; at least 5 are required")


# --- placement and skills files ----------------------------------------------------------------


def test_placement_item_count(course: Path) -> None:
    path = course / "placement.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  - id: pl-10")], encoding="utf-8")
    assert only(course) == Problem(path, line_of(path, "items:"), "the placement test has 9 items; 10–24 are required")


def test_placement_unknown_skill(course: Path) -> None:
    path = course / "placement.yaml"
    edit(path, "    skill: dt-giong-noi\n  - id: pl-10", "    skill: dt-camera\n  - id: pl-10")
    assert only(course) == Problem(
        path, line_of(path, "skill: dt-camera"), "unknown skill 'dt-camera' of item 'pl-09' (not in skills.yaml)"
    )


def test_placement_answer_checked_like_lesson_items(course: Path) -> None:
    path = course / "placement.yaml"
    edit(path, 'answer: "Kẻ lừa đảo"', 'answer: "Nhân viên ngân hàng"')
    assert only(course) == Problem(
        path,
        line_of(path, 'answer: "Nhân viên ngân hàng"'),
        "the answer 'Nhân viên ngân hàng' of item 'pl-05' is not one of its choices",
    )


def test_missing_placement_and_skills_files(course: Path) -> None:
    (course / "placement.yaml").unlink()
    (course / "skills.yaml").unlink()
    assert check_curriculum(course) == [
        Problem(course / "placement.yaml", 0, "missing placement.yaml (the placement test: items:)"),
        Problem(course / "skills.yaml", 0, "missing skills.yaml (every skill: id, name, module)"),
    ]


def test_yaml_file_that_is_not_a_mapping(course: Path) -> None:
    (course / "placement.yaml").write_text("- một\n- hai\n", encoding="utf-8")
    assert only(course) == Problem(course / "placement.yaml", 1, "expected a mapping of fields (key: value)")


def test_empty_course(tmp_path: Path) -> None:
    assert Problem(tmp_path, 0, "the course has no lessons (<module>/<NN-slug>.md)") in check_curriculum(tmp_path)
    assert check_curriculum(tmp_path / "khong-co") == [Problem(tmp_path / "khong-co", 0, "not a folder")]


# --- the real course ---------------------------------------------------------------------------


def _has_lessons(root: Path) -> bool:
    return any("--" not in p.stem for p in root.glob("*/*.md"))


@pytest.mark.skipif(not _has_lessons(COURSE_DIR), reason="knowledge/lessons has no lessons yet")
def test_real_course_has_no_problems() -> None:
    problems = check_curriculum(COURSE_DIR)
    assert problems == [], "\n".join(map(str, problems))
