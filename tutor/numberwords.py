"""Vietnamese numbers written in words, turned into digits on folded text ("muoi hai" -> "12").

Only readings that cannot be ordinary words are converted: a run of two or more number words
("muoi hai", "sau muoi", "mot mot ba"), or one number word right before a unit or magnitude
("nam trieu", "hai ky tu"). A lone "ba" (father), "nam" (year), "sau" (after), "tam" (temporary)
or "mot" (a, one) stays a word, so "mot nguoi la" and "15 nam" keep their meaning.
"""

from __future__ import annotations

_DIGIT_WORDS = {
    "khong": 0,
    "linh": 0,
    "le": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "lam": 5,
    "nham": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}
# Words that only mean a digit in the unit place after "muoi" ("muoi lam" = 15, "hai muoi tu" = 24).
_UNIT_ONLY = {"lam", "nham", "tu", "linh", "le"}
_TEN = "muoi"
_HUNDRED = "tram"
# A lone number word before one of these is a number ("nam trieu", "hai ky tu", "sau chu so").
_UNITS = {"trieu", "nghin", "ngan", "tram", "ty", "ky", "ki", "chu", "so", "phan", "gio", "ngay", "thang"}


def _is_number_word(word: str) -> bool:
    return word in _DIGIT_WORDS or word in (_TEN, _HUNDRED)


def _value(run: list[str]) -> str | None:
    """The digits of a run of number words, or None when the run is not one number."""
    if all(w in _DIGIT_WORDS and w not in _UNIT_ONLY for w in run) and _TEN not in run and _HUNDRED not in run:
        # Read digit by digit ("mot mot ba" = 113, "khong sau" = 06), as phone numbers are read.
        return "".join(str(_DIGIT_WORDS[w]) for w in run) if len(run) > 1 else str(_DIGIT_WORDS[run[0]])
    total, pos = 0, 0
    if len(run) >= 2 and run[1] == _HUNDRED and run[0] in _DIGIT_WORDS:
        total, pos = _DIGIT_WORDS[run[0]] * 100, 2
        if pos < len(run) and run[pos] in ("linh", "le"):
            pos += 1
    rest = run[pos:]
    if not rest:
        return str(total) if pos else None
    if rest[0] == _TEN:  # "muoi", "muoi hai", "muoi lam"
        tens, rest = 10, rest[1:]
    elif len(rest) >= 2 and rest[1] == _TEN and rest[0] in _DIGIT_WORDS:  # "hai muoi", "sau muoi tu"
        tens, rest = _DIGIT_WORDS[rest[0]] * 10, rest[2:]
    else:
        tens = 0
    if len(rest) > 1:
        return None
    unit = 0
    if rest:
        word = rest[0]
        if word == "mot" and tens >= 20:
            unit = 1  # "hai muoi mot"/"mốt"
        elif word in _DIGIT_WORDS:
            unit = _DIGIT_WORDS[word]
        else:
            return None
    return str(total + tens + unit)


def _longest_number(words: list[str], start: int) -> tuple[int, str] | None:
    """(end, digits) for the longest run of number words from `start` that reads as one number."""
    end = start
    while end < len(words) and _is_number_word(words[end]):
        end += 1
    for stop in range(end, start, -1):
        run = words[start:stop]
        digits = _value(run)
        if digits is None:
            continue
        followed_by_unit = stop < len(words) and words[stop] in _UNITS
        if len(run) >= 2 or run[0] == _TEN or (followed_by_unit and run[0] not in _UNIT_ONLY):
            return stop, digits
    return None


def digits_for_number_words(text: str) -> str:
    """`text` (folded, lower case, one space between words) with numbers in words as digits."""
    words = text.split()
    out: list[str] = []
    pos = 0
    while pos < len(words):
        found = _longest_number(words, pos) if _is_number_word(words[pos]) else None
        if found is None:
            out.append(words[pos])
            pos += 1
        else:
            pos, digits = found
            out.append(digits)
    return " ".join(out)
