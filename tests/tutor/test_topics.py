"""Topic words → module (first) or lesson titles, on the real course."""

from __future__ import annotations

import pytest

from knowledge.curriculum import Curriculum, load_curriculum
from tests.conftest import COURSE_DIR
from tutor.topics import find_topic, first_unfinished


@pytest.fixture(scope="module")
def course() -> Curriculum:
    return load_curriculum(COURSE_DIR)


@pytest.mark.parametrize(
    ("words", "group", "module", "whole"),
    [
        ("lua dao", "worker", "lua-dao", True),
        ("tranh bi lua dao", "worker", "lua-dao", True),
        ("vneid", "worker", "dich-vu-cong", True),
        ("ngân hàng số", "worker", "ngan-hang-so", True),
        ("mat khau manh", "worker", "internet-an-toan", True),
        ("otp", "worker", "internet-an-toan", False),
        ("dien thoai", "worker", "dien-thoai", True),
        ("chu ky so", "officer", "can-bo-so", True),
    ],
)
def test_topics(course, words, group, module, whole) -> None:
    match = find_topic(course, words, group)
    assert match is not None and (match.module, match.whole_module) == (module, whole)


@pytest.mark.parametrize("words", ["nau pho", "gia vang hom nay", "chu ky so"])
def test_no_topic_for_a_worker(course, words) -> None:
    assert find_topic(course, words, "worker") is None


def test_first_unfinished_skips_completed_lessons(course) -> None:
    match = find_topic(course, "lua dao", "worker")
    assert match is not None and match.lessons[0] == "lua-dao-01"
    lesson = first_unfinished(course, match, {"lua-dao-01", "lua-dao-03"})
    assert lesson is not None and lesson.id == "lua-dao-02"
    assert first_unfinished(course, match, set(match.lessons)) is None
