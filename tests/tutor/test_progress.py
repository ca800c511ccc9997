"""Progress summary, certificate, text bars and streaks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from knowledge.curriculum import Curriculum, load_curriculum
from tests.conftest import FIXTURE_COURSE
from tutor.progress import CERTIFICATE_TEXT, bar, streak_days, summarize

THRESHOLD = 0.8
TODAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def course() -> Curriculum:
    return load_curriculum(FIXTURE_COURSE)


def test_bars() -> None:
    assert bar(0.6) == "▰▰▰▱▱ 60%"
    assert bar(0.0) == "▱▱▱▱▱ 0%"
    assert bar(1.0) == "▰▰▰▰▰ 100%"
    assert bar(0.84) == "▰▰▰▰▱ 84%"
    assert bar(1.7) == "▰▰▰▰▰ 100%" and bar(-1) == "▱▱▱▱▱ 0%"
    assert bar(0.5, width=10) == "▰▰▰▰▰▱▱▱▱▱ 50%"


def test_worker_in_progress(course: Curriculum) -> None:
    mastery = {"dt-co-chu": 0.9, "dt-giong-noi": 0.6, "at-mat-khau": 0.3}
    summary = summarize(course, "worker", mastery, {"co-chu-giong-noi"}, THRESHOLD, 3, 2)
    assert not summary.certified
    assert (summary.lessons_done, summary.lessons_total) == (1, 2)
    assert summary.modules_done == 1 and len(summary.modules) == 2
    assert (summary.core_mastered, summary.core_total) == (1, 3)  # at-otp is for officers only
    assert [s.id for s in summary.skills] == ["dt-co-chu", "dt-giong-noi", "at-mat-khau"]
    text = summary.to_text()
    assert "▰▰▰▰▰ 90% Chỉnh cỡ chữ ✅" in text
    assert "▰▰▰▱▱ 60% Gõ bằng giọng nói" in text
    assert "▰▰▱▱▱ 30% Đặt mật khẩu mạnh" in text
    assert "Bài đã học: 1/2" in text and "Học phần xong: 1/2" in text
    assert "Kỹ năng cốt lõi đạt chuẩn: 1/3" in text
    assert "Chuỗi ngày học: 3 ngày" in text
    assert "Câu cần ôn hôm nay: 2" in text and "/ontap" in text
    assert CERTIFICATE_TEXT not in text
    assert "Còn 2 kỹ năng cốt lõi" in text


def test_certificate_when_every_core_skill_of_the_group_is_mastered(course: Curriculum) -> None:
    mastery = {"dt-co-chu": 0.85, "dt-giong-noi": 0.8, "at-mat-khau": 0.95}
    worker = summarize(course, "worker", mastery, set(), THRESHOLD, 0, 0)
    assert worker.certified
    text = worker.to_text()
    assert "Chúc mừng! Bạn đã đạt chuẩn kỹ năng số cơ bản." in text
    assert "Hôm nay không có câu nào cần ôn." in text
    # The same mastery does not certify an officer: at-otp is one of their core skills.
    officer = summarize(course, "officer", mastery, set(), THRESHOLD, 0, 0)
    assert not officer.certified and officer.core_total == 4
    assert CERTIFICATE_TEXT not in officer.to_text()
    officer_done = summarize(course, "officer", {**mastery, "at-otp": 0.81}, set(), THRESHOLD, 0, 0)
    assert officer_done.certified


def test_just_under_threshold_is_not_certified(course: Curriculum) -> None:
    mastery = {"dt-co-chu": 0.85, "dt-giong-noi": 0.7999, "at-mat-khau": 0.95}
    assert not summarize(course, "worker", mastery, set(), THRESHOLD, 0, 0).certified


def test_new_learner_text(course: Curriculum) -> None:
    summary = summarize(course, "public", {}, set(), THRESHOLD, 0, 0)
    text = summary.to_text()
    assert not summary.certified
    assert "/kiemtradauvao" in text
    assert "▰" not in text and "▱" not in text
    assert "Học một bài hôm nay" in text


def test_text_is_phone_sized(course: Curriculum) -> None:
    mastery = {"dt-co-chu": 0.5, "dt-giong-noi": 0.6, "at-mat-khau": 0.3, "at-otp": 0.2}
    summary = summarize(course, "officer", mastery, {"mat-khau-manh"}, THRESHOLD, 12, 5)
    text = summary.to_text()
    assert len(text) < 900
    assert max(len(line) for line in text.splitlines()) <= 90
    capped = summarize(course, "officer", mastery, set(), THRESHOLD, 1, 0)
    object.__setattr__(capped, "max_skill_lines", 2)
    short = capped.to_text()
    assert "… và 2 kỹ năng khác" in short
    assert "▰▰▱▱▱ 30% Đặt mật khẩu mạnh" not in short  # the bars are capped…
    assert "Còn 4 kỹ năng cốt lõi nữa" in short  # …but every missing skill is listed
    for name in ("Đặt mật khẩu mạnh", "Chỉnh cỡ chữ", "Gõ bằng giọng nói"):
        assert name in short


def test_streak_days() -> None:
    def days(*offsets: int) -> list[date]:
        return [TODAY - timedelta(days=o) for o in offsets]

    assert streak_days([], TODAY) == 0
    assert streak_days(days(0), TODAY) == 1
    assert streak_days(days(0, 1, 2), TODAY) == 3
    assert streak_days(days(1, 2), TODAY) == 2  # today not over yet: yesterday's streak still counts
    assert streak_days(days(2, 3), TODAY) == 0  # a missed day breaks it
    assert streak_days(days(0, 1, 3, 4, 5), TODAY) == 2
    assert streak_days(days(0, 0, 1, 1), TODAY) == 2  # duplicates count once
    assert streak_days(days(-1, 0), TODAY) == 1  # a future date (clock skew) is ignored
