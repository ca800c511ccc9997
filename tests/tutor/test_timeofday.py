"""The one time-of-day parser."""

from __future__ import annotations

from datetime import time

import pytest

from tutor.timeofday import parse_hhmm, parse_spoken_time, parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [("19:30", time(19, 30)), ("7h", time(7)), ("7g15", time(7, 15)), ("07.05", time(7, 5)), ("24:00", None)],
)
def test_parse_time(text: str, expected: time | None) -> None:
    assert parse_time(text) == expected


def test_stored_form_is_zero_padded_so_strings_compare_as_times() -> None:
    assert parse_hhmm("7h") == "07:00" < "19:30" == parse_hhmm("19h30")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8h tối", "20:00"),
        ("8h toi", "20:00"),
        ("20 giờ", "20:00"),
        ("20 gio", "20:00"),
        ("8 giờ tối", "20:00"),
        ("tối 8h", "20:00"),
        ("toi 8h30", "20:30"),
        ("20h30", "20:30"),
        ("8:30 sáng", "08:30"),
        ("6h sang", "06:00"),
        ("nhac nho 8h toi", "20:00"),
        ("nhắc tôi lúc 8h tối mỗi ngày", "20:00"),
        ("8 giờ rưỡi chiều", "20:30"),
        ("2h chieu", "14:00"),
        ("10h đêm", "22:00"),
        ("12h trưa", "12:00"),
        ("19:30", "19:30"),
        ("7:00", "07:00"),
        ("8 PM", "20:00"),
    ],
)
def test_spoken_times(text: str, expected: str) -> None:
    spoken = parse_spoken_time(text)
    assert spoken is not None and not spoken.ambiguous and spoken.hhmm == expected


@pytest.mark.parametrize("text", ["8h", "8 giờ", "8h30", "nhac toi 8h", "7g"])
def test_a_bare_hour_is_ambiguous(text: str) -> None:
    spoken = parse_spoken_time(text)
    assert spoken is not None and spoken.ambiguous
    assert spoken.evening == f"{spoken.hour + 12:02d}:{spoken.minute:02d}"


@pytest.mark.parametrize("text", ["sáng", "25h", "8h70", "1h tối", "20h sáng", "mai nhé", ""])
def test_not_times(text: str) -> None:
    assert parse_spoken_time(text) is None
