"""Vietnamese text normalization, applied once and the same way to documents and queries.

- NFC composition;
- one tone-mark placement (the widespread "old" style: `hòa`, `thúy`, `hoàng`), so `hoà` and
  `hòa` are the same string;
- zero-width and control characters removed;
- a folded form (no tone or vowel marks, `đ` -> `d`, lower case) for text typed without marks.
"""

from __future__ import annotations

import re
import unicodedata

_TONE_MARKS = {
    "\u0300": "grave",  # huyền
    "\u0301": "acute",  # sắc
    "\u0303": "tilde",  # ngã
    "\u0309": "hook",  # hỏi
    "\u0323": "dot",  # nặng
}
_QUALITY_MARKED = set("âăêôơưÂĂÊÔƠƯ")
_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_CONTROL = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]")
_WORD = re.compile(r"\w+", re.UNICODE)


def _strip_tone(syllable: str) -> tuple[str, str | None]:
    """Return (syllable without its tone mark, the tone's combining char or None)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tones = [ch for ch in decomposed if ch in _TONE_MARKS]
    if len(tones) != 1:
        # No tone, or not one syllable (glued words): leave it as written.
        return syllable, None
    kept = "".join(ch for ch in decomposed if ch not in _TONE_MARKS)
    return unicodedata.normalize("NFC", kept), tones[0]


def _tone_position(base: str) -> int | None:
    """Index in `base` (NFC, no tone) of the vowel that carries the tone, or None."""
    lower = base.lower()
    start = 0
    # "qu" and "gi" (before another vowel) belong to the initial consonant.
    if lower.startswith("qu") and len(lower) > 2 and lower[2] in _VOWELS:
        start = 2
    elif lower.startswith("gi") and len(lower) > 2 and lower[2] in _VOWELS:
        start = 2
    while start < len(base) and base[start] not in _VOWELS:
        start += 1
    if start >= len(base):
        # "gì", "gỉ": the i of "gi" is the only vowel.
        return 1 if lower.startswith("gi") and len(lower) == 2 else None
    end = start
    while end < len(base) and base[end] in _VOWELS:
        end += 1
    if any(ch in _VOWELS for ch in base[end:]) or end - start > 3:
        return None  # not a single Vietnamese syllable
    cluster = range(start, end)
    has_final = end < len(base)
    marked = [i for i in cluster if base[i] in _QUALITY_MARKED]
    if marked:
        return marked[-1]
    size = end - start
    if size == 1:
        return start
    if size == 3:
        return start + 1
    return start + 1 if has_final else start


def _place_tone(token: str) -> str:
    base, tone = _strip_tone(token)
    if tone is None:
        return token
    pos = _tone_position(base)
    if pos is None:
        return token
    decomposed_vowel = unicodedata.normalize("NFD", base[pos]) + tone
    vowel = unicodedata.normalize("NFC", decomposed_vowel)
    return base[:pos] + vowel + base[pos + 1 :]


def normalize(text: str) -> str:
    """NFC, canonical tone placement, no zero-width/control characters, tidy spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _WORD.sub(lambda m: _place_tone(m.group(0)), text)
    return text


def fold(text: str) -> str:
    """Lower-case text without any Vietnamese marks (`Mật khẩu` -> `mat khau`)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d")


def has_marks(text: str) -> bool:
    """True when the text carries any Vietnamese tone or vowel mark (or đ)."""
    # fold() drops exactly the marks and đ, so any difference means the text carried one.
    return fold(text) != text.lower()


def mark_ratio(text: str) -> float:
    """Fraction of word tokens that carry a mark; 0.0 for text without words."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    return sum(1 for w in words if has_marks(w)) / len(words)


# Teencode and abbreviations common in workers' messages, by folded form, with the word they stand
# for. Only unambiguous ones: "tao" (tạo/tao), "bn" (bạn/bao nhiêu), "mk" (mình/mật khẩu) and "kg"
# (không/kilôgam) stay as typed.
TEENCODE: dict[str, str] = {
    "ko": "không",
    "k": "không",
    "kh": "không",
    "khg": "không",
    "hok": "không",
    "dc": "được",
    "dk": "được",
    "j": "gì",
    "ng": "người",
    "ngta": "người ta",
    "mn": "mọi người",
    "ntn": "như thế nào",
    "vs": "với",
    "trc": "trước",
    "ck": "chuyển khoản",
    "tk": "tài khoản",
    "stk": "số tài khoản",
    "sdt": "số điện thoại",
    "dt": "điện thoại",
    "dthoai": "điện thoại",
}


# The same table on folded text, for code that compares folded forms (grading, safety checks).
FOLDED_TEENCODE: dict[str, str] = {short: fold(full) for short, full in TEENCODE.items()}


_STANDALONE_WORD = re.compile(r"(?<![\w-])\w+(?![\w-])", re.UNICODE)


def expand_teencode(text: str) -> str:
    """Replace whole-word teencode ("ko nhan dc otp") with the words it stands for.

    Only lower-case words standing alone: "K-12", "TK" or "Ng" (a name) are left as written.
    """

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        return TEENCODE.get(fold(word), word) if word.islower() else word

    return _STANDALONE_WORD.sub(replace, text)


# Abbreviations workers type for course words, by folded form, with what they stand for. Unlike
# TEENCODE they are not replaced in the text (some are ambiguous: "mk" is "mật khẩu" or "mình"; the
# lessons write "BHXH" as often as "bảo hiểm xã hội"): a check that a text covers a question's words
# counts either form (`tutor.card_match`).
ABBREVIATIONS: dict[str, str] = {
    "tncn": "thu nhập cá nhân",
    "bhxh": "bảo hiểm xã hội",
    "bhyt": "bảo hiểm y tế",
    "bhtn": "bảo hiểm thất nghiệp",
    "cccd": "căn cước",
    "cmnd": "chứng minh nhân dân",
    "gplx": "giấy phép lái xe",
    "stk": "số tài khoản",
    "tk": "tài khoản",
    "mk": "mật khẩu",
    "pass": "mật khẩu",
    "ck": "chuyển khoản",
    "dvc": "dịch vụ công",
    "dvcqg": "dịch vụ công quốc gia",
    "vneid": "định danh điện tử",
    "sdt": "số điện thoại",
    "dt": "điện thoại",
    "nh": "ngân hàng",
    "mxh": "mạng xã hội",
    "cty": "công ty",
    "nld": "người lao động",
    "cn": "công nhân",
    "cd": "công đoàn",
    "cdcs": "công đoàn cơ sở",
    "app": "ứng dụng",
    "fb": "facebook",
    "onl": "online",
}
