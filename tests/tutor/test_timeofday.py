"""The one time-of-day parser."""

from __future__ import annotations

from datetime import time

import pytest

from tutor.timeofday import parse_hhmm, parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [("19:30", time(19, 30)), ("7h", time(7)), ("7g15", time(7, 15)), ("07.05", time(7, 5)), ("24:00", None)],
)
def test_parse_time(text: str, expected: time | None) -> None:
    assert parse_time(text) == expected


def test_stored_form_is_zero_padded_so_strings_compare_as_times() -> None:
    assert parse_hhmm("7h") == "07:00" < "19:30" == parse_hhmm("19h30")
