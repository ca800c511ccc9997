"""The one time-of-day parser of the code base ("19:30", "7h", "7h05", "19.30" → "HH:MM")."""

from __future__ import annotations

import re
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
