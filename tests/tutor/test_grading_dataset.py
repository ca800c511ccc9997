"""Fair grading of typed answers, measured on a teacher-labelled set (tests/tutor/data/typed_answers.yaml).

Every short item of the course has typed answers labelled right or wrong as a teacher would grade
them; MCQ items answered with part of a choice's content too (right: the expected choice). The grader must agree with the teacher on at least 95% of them, and never mark ❌ an answer
that contains one of the item's key terms (it may ask again when the term is denied).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.curriculum import Curriculum, QuizItem, load_curriculum
from tests.conftest import COURSE_DIR
from tutor.grading import grade, key_terms, short_form
from tutor.grading_words import names_another_thing

DATA = Path(__file__).parent / "data" / "typed_answers.yaml"
ISSUE_EXAMPLES = (
    "bat 4g",
    "mang 4g",
    "it nhat 12 ky tu",
    "dau van tay",
    "chan no",
    "ten nguoi nhan tien",
    "quay video",
)


@pytest.fixture(scope="module")
def course() -> Curriculum:
    return load_curriculum(COURSE_DIR, strict=False)


@pytest.fixture(scope="module")
def labelled(course: Curriculum) -> list[tuple[QuizItem, str, bool]]:
    rows: list[tuple[QuizItem, str, bool]] = []
    for entry in yaml.safe_load(DATA.read_text(encoding="utf-8")):
        found = course.item(entry["item"])
        assert found is not None, f"{entry['item']} is not in the course"
        rows += [(found, text, True) for text in entry.get("right", [])]
        rows += [(found, text, False) for text in entry.get("wrong", [])]
    return rows


def _contains(answer: str, term: str, terms: list[str]) -> bool:
    """The term stands in the answer as written, and not as the start of another thing's name
    ("ngân hàng nhà nước" holds "ngân hàng" but names no lender)."""
    words = short_form(answer).split()
    size = len(term.split())
    return any(
        words[i : i + size] == term.split() and not names_another_thing(words, i, i + size, terms)
        for i in range(len(words) - size + 1)
    )


def test_the_set_covers_every_module_and_is_large_enough(course: Curriculum, labelled: list) -> None:
    assert len(labelled) >= 150
    modules = {course.lessons[it.lesson_id].module for it, _, _ in labelled if it.lesson_id}
    assert modules == set(course.modules)
    texts = {text for _, text, _ in labelled}
    assert set(ISSUE_EXAMPLES) <= texts
    assert sum(1 for *_, right in labelled if not right) >= 100  # wrong answers too, or agreement says little


def test_agreement_with_the_teacher_is_at_least_95_percent(labelled: list) -> None:
    disagreements = [
        (it.id, text, "right" if right else "wrong") for it, text, right in labelled if grade(it, text).correct != right
    ]
    agreement = 1 - len(disagreements) / len(labelled)
    print(f"\ntyped answers: {len(labelled)}, agreement {agreement:.1%}, disagreements: {disagreements}")
    assert agreement >= 0.95, disagreements


def test_no_cross_on_an_answer_containing_a_key_term(labelled: list) -> None:
    crossed = []
    for it, text, _ in labelled:
        verdict = grade(it, text)
        terms = key_terms(it)
        if any(_contains(text, term, terms) for term in terms) and verdict.understood and not verdict.correct:
            crossed.append((it.id, text))
    assert not crossed


@pytest.mark.parametrize("text", ISSUE_EXAMPLES)
def test_the_issue_examples_are_right(labelled: list, text: str) -> None:
    matches = [(it, right) for it, t, right in labelled if t == text]
    assert matches
    for it, right in matches:
        assert right and grade(it, text).correct, (it.id, text)
