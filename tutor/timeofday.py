"""The one time-of-day parser of the code base: clock forms ("19:30", "7h", "7h05", "19.30" → "HH:MM")
and the times learners type for reminders ("8h tối", "tối 8h", "20 giờ", "8:30 sáng")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from knowledge.textnorm import fold

_HHMM = re.compile(r"^([01]?\d|2[0-3])\s*(?:[:hg.]\s*([0-5]\d)?)?$")


def parse_hhmm(text: str) -> str | None:
    """'19:30', '7h', '7h05', '19.30' -> 'HH:MM'; None when not a valid time of day."""
    match = _HHMM.match(fold(text).strip())
    if not match:
        return None
    return f"{int(match.group(1)):02d}:{int(match.group(2) or 0):02d}"


def parse_time(text: str) -> time | None:
    """A time of day from any form `parse_hhmm` accepts; None when not one."""
    hhmm = parse_hhmm(text)
    if hhmm is None:
        return None
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))


# --- spoken times: "8h tối", "20 giờ", "tối 8h", "8:30 sáng", "8 giờ rưỡi chiều" -----------------
_TIME = r"(?P<h>\d{1,2})\s*(?:(?P<sep>[:.]|h|g|gio)\s*(?:(?P<m>\d{1,2})|(?P<half>ruoi))?\s*(?:phut|p)?)?"
_PERIOD = r"(?P<p>sang|trua|chieu|toi|dem|khuya|am|pm)"
_BEFORE = re.compile(rf"^{_PERIOD}\s+(?:luc\s+)?{_TIME}$")
_AFTER = re.compile(rf"^{_TIME}(?:\s+{_PERIOD})?$")
_LEAD = re.compile(
    r"^(?:(?:hay|ban)\s+)?(?:(?:nhac\s*nho|nhac|remind)\s*(?:(?:toi|em|minh|giup toi|giup em)\s+(?=luc|vao|\d))?)?"
    r"\s*(?:hoc\s+)?(?:(?:moi ngay|hang ngay)\s+)?(?:vao\s+)?(?:luc\s+)?"
)
_TRAIL = re.compile(r"(?:\s+(?:moi ngay|hang ngay|nhe|nha|giup toi|giup em|a|nhe ban|duoc khong|di))+$")


@dataclass(frozen=True)
class SpokenTime:
    """A time of day as a learner types it; `ambiguous` when "8h" may be morning or evening."""

    hour: int
    minute: int
    ambiguous: bool = False

    @property
    def hhmm(self) -> str:
        """The 24-hour "HH:MM" form (for an ambiguous time: the morning reading)."""
        return f"{self.hour:02d}:{self.minute:02d}"

    @property
    def evening(self) -> str:
        """The evening reading of an ambiguous time ("8h" → "20:00")."""
        return f"{(self.hour % 12) + 12:02d}:{self.minute:02d}"


def _with_period(hour: int, period: str) -> int | None:
    """The 24-hour hour of `hour` said with a part of the day; None when they contradict."""
    if hour >= 13:
        return hour if period in ("trua", "chieu", "toi", "dem", "khuya", "pm") else None
    if period in ("sang", "am"):
        return 0 if hour == 12 else hour
    if period == "trua":
        return hour if hour in (11, 12) else (hour + 12 if hour <= 2 else None)
    if period in ("chieu", "pm"):
        return hour if hour == 12 else hour + 12
    if period == "toi":
        return 0 if hour == 12 else (hour + 12 if hour >= 5 else None)
    # đêm, khuya: "10h đêm" is 22:00, "2h đêm" is 02:00
    return 0 if hour == 12 else (hour + 12 if hour >= 8 else hour)


def parse_spoken_time(text: str) -> SpokenTime | None:
    """A daily time from what a learner types: "19:30", "20h30", "8h tối", "tối 8h", "20 giờ",
    "8 giờ tối", "8:30 sáng", "8 giờ rưỡi chiều", "nhac nho 8h toi". A bare "8h" (1–11 with h/giờ
    and no part of the day) is `ambiguous`; "7:30" in clock notation is taken as written."""
    plain = " ".join(fold(text).replace(",", " ").split())
    plain = _TRAIL.sub("", _LEAD.sub("", plain)).strip()
    match = _BEFORE.match(plain) or _AFTER.match(plain)
    if not match:
        return None
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    if match.group("half"):
        minute = 30
    if hour > 23 or minute > 59:
        return None
    period, sep = match.group("p"), match.group("sep")
    if period:
        converted = _with_period(hour, period)
        return None if converted is None else SpokenTime(converted, minute)
    clock = sep in (":", ".")
    return SpokenTime(hour, minute, ambiguous=not clock and 1 <= hour <= 11)
