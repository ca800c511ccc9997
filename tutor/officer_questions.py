"""Officers' questions in plain Vietnamese, mapped to a fixed set of kinds with parameters.

No model writes a query: the text is folded (tone marks optional), matched against cue words, and
becomes a `StatsQuestion` (kind, group, unit words, period) that a fixed, tested query answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.textnorm import fold, normalize

RATE, WEAKEST, ACTIVE, CERTIFIED, CONNECTED, OVERVIEW = (
    "rate",
    "weakest",
    "active",
    "certified",
    "connected",
    "overview",
)
KINDS = (RATE, WEAKEST, ACTIVE, CERTIFIED, CONNECTED, OVERVIEW)

_WEAKEST = ("thap nhat", "yeu nhat", "kem nhat", "cham nhat", "it nhat", "can ho tro")
_HOW_MANY = ("bao nhieu", "may nguoi", "so nguoi", "co may", "ty le", "phan tram", "bao nhieu phan tram")
_RATE = ("ty le", "phan tram", "bao nhieu phan tram")
_DONE = ("dat chuan", "hoc xong", "hoan thanh", "chung nhan", "dat ky nang")
_ACTIVE = ("nguoi hoc", "hoc vien", "dang hoc", "hoat dong", "tham gia", "nguoi dung", "dung bot", "co hoc")
_CONNECTED = ("ket noi", "he thong du lieu", "he thong so", "du lieu so")
_OVERVIEW = ("chi tieu", "thong ke", "so lieu", "tien do don vi", "bao cao")
_UNIT_MARKERS = re.compile(r"\b(?:o|tai|cua|thuoc|trong)\s+(.+)$")
_OWN_UNIT = re.compile(r"\b(?:don vi|cong doan) (?:toi|minh|cua toi|cua minh)\b")
_STOP_TAIL = re.compile(r"\b(?:tuan nay|thang nay|\d+ ngay( qua)?|hom nay|la bao nhieu|bao nhieu|the nao|ra sao)\b.*$")


# Words that make a text worth showing the model when the cue words above found no kind (officers only).
_STATS_HINTS = (
    *_HOW_MANY, *_WEAKEST, *_DONE, *_CONNECTED, *_OVERVIEW, "don vi", "cdcs", "co so", "doan vien", "hoc vien",
    "nguoi hoc", "tien do", "so luong", "cao nhat", "tot nhat", "hoc phan", "chuyen de",
)  # fmt: skip


@dataclass(frozen=True)
class StatsQuestion:
    """A recognised officer question: `kind` in KINDS; `group` officer/public/worker or None (all);
    `unit_text` the words naming a unit (None: the officer's own); `days` the period (7 or 30);
    `unit_code` a registry code (from the model, checked against the officer's scope) and `module`
    a course module id (from the model, checked against the course) when they were named."""

    kind: str
    group: str | None = None
    unit_text: str | None = None
    days: int = 7
    unit_code: str | None = None
    module: str | None = None


def _has(folded: str, cues: tuple[str, ...]) -> bool:
    return any(re.search(rf"\b{re.escape(cue)}\b", folded) for cue in cues)


def _group(folded: str) -> str | None:
    if _has(folded, ("cong chuc", "vien chuc", "khu vuc cong")):
        return "public"
    if _has(folded, ("can bo", "can bo cong doan")):
        return "officer"
    if _has(folded, ("cong nhan", "nguoi lao dong", "lao dong", "doanh nghiep")):
        return "worker"
    return None


def _unit_text(folded: str) -> str | None:
    if _OWN_UNIT.search(folded):
        return None
    match = _UNIT_MARKERS.search(folded)
    if not match:
        return None
    words = _STOP_TAIL.sub("", match.group(1)).strip(" ?.!,")
    # "trong tuần này" or "của tôi" name no unit.
    return words if words and words not in ("toi", "minh", "don vi", "don vi toi") else None


def parse_question(text: str) -> StatsQuestion | None:
    """The statistics question `text` asks, or None when it is not one."""
    folded = " ".join(re.sub(r"[^\w\s]", " ", fold(normalize(text))).split())
    if not folded:
        return None
    days = 30 if _has(folded, ("thang nay", "30 ngay", "thang qua")) else 7
    if _has(folded, _WEAKEST) and _has(folded, ("don vi", "cong doan", "noi nao", "cho nao", "cdcs", "co so")):
        return StatsQuestion(WEAKEST, _group(folded), _unit_text(folded), days)
    asks_number = _has(folded, _HOW_MANY)
    if asks_number and _has(folded, _CONNECTED):
        return StatsQuestion(CONNECTED, None, _unit_text(folded), days)
    if asks_number and _has(folded, _DONE):
        group = _group(folded)
        kind = RATE if (_has(folded, _RATE) or group is not None) else CERTIFIED
        return StatsQuestion(kind, group, _unit_text(folded), days)
    if asks_number and _has(folded, _ACTIVE):
        return StatsQuestion(ACTIVE, _group(folded), _unit_text(folded), days)
    if _has(folded, _OVERVIEW) and _has(folded, ("don vi", "cong doan", "chien dich", "toi", "minh")):
        return StatsQuestion(OVERVIEW, None, _unit_text(folded), days)
    return None


def looks_statistical(text: str) -> bool:
    """Whether an officer's text that `parse_question` did not read may still ask for figures (then
    the model, when configured, is asked to read it; it may answer that it is no such question)."""
    folded = " ".join(re.sub(r"[^\w\s]", " ", fold(normalize(text))).split())
    return bool(folded) and _has(folded, _STATS_HINTS)
