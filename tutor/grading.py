"""Answer matching for quiz items: what a worker types on a phone, read generously but honestly.

- mcq: a letter (`b`, `B.`, `câu b`), a number (`2`), or the choice's text with or without tone
  marks and with small typos, or part of its content ("cong an", "chi minh toi thoi") when that
  names one choice clearly better than the others (`tutor.grading_words.choice_by_content`);
- true_false: `đúng`/`sai`, `dung`, `d`/`s`, `true`/`false`, `có`/`không`, `1`/`2`, teencode `ko`;
- short: the expected answer or any accepted one, ignoring tone marks, case, punctuation, spaces,
  a classifier in front ("nút micro") and a few typos: per word, scaled by its length (none in a
  word of ≤ 2 letters, so one syllable never turns into another), never a different number;
  numbers in words or digits alike ("mười hai" = "12"); and an answer that contains a key term
  (the expected answer or an accepted one, see `key_terms`) is right ("bật 4G", "dấu vân tay"),
  or, when the term is negated ("không phải OTP", "tắt micro") or other numbers stand beside it,
  unclear: the tutor asks again, never marks it wrong. Short forms are read both ways ("dk" =
  được or đăng ký, "nh" = ngân hàng), a key term may be paraphrased ("tìm ảnh trên google"), the
  opposite denied counts ("không phải thật" = giả), and a key term that begins the name of another
  thing is none ("ngân hàng nhà nước" is no lender).

`understood=False` means the input cannot be read as an answer at all (a letter beyond the choices,
an emoji, an empty message): the tutor asks again instead of marking it wrong.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge.textnorm import FOLDED_TEENCODE, fold, normalize
from tutor.grading_words import (
    alternative_reading,
    choice_by_content,
    denied_opposite,
    names_another_thing,
    paraphrase_span,
)
from tutor.numberwords import digits_for_number_words

if TYPE_CHECKING:
    from knowledge.curriculum import QuizItem

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")
# Filler a learner may put around an answer ("đáp án là b", "chọn câu 2", "otp ạ").
_LEADING_FILLERS = (
    "toi nghi la",
    "theo toi la",
    "theo toi",
    "dap an dung la",
    "dap an la",
    "dap an",
    "tra loi",
    "toi chon",
    "em chon",
    "chon",
    "phuong an",
    "cau tra loi",
    "cau",
    "y",
    "chac la",
    "la",
    # classifiers in front of a name: "nút micro", "biểu tượng micro", "mục Màn hình"
    "bieu tuong",
    "nut bam",
    "nut",
    "cai",
    "chiec",
    "hinh",
    "muc",
    "che do",
)
_TRAILING_FILLERS = ("a", "nhe", "nha", "ha", "ah", "ak", "ne", "roi", "a nhe")
_TEENCODE = {
    **FOLDED_TEENCODE,
    # In an answer, these are more ways to say "không".
    "kg": "khong",
    "hong": "khong",
    "hem": "khong",
}
_TRUE_WORDS = {
    "dung", "d", "true", "t", "co", "c", "1", "yes", "y", "phai", "dung roi", "dung vay",
    "chinh xac", "dung the", "vang", "u", "uk", "ok",
}  # fmt: skip
_FALSE_WORDS = {
    "sai", "s", "false", "f", "khong", "no", "n", "2", "sai roi", "khong dung", "khong phai",
    "chua dung", "sai bet", "khong co",
}  # fmt: skip
_DONT_KNOW = {
    "khong biet", "chiu", "khong nho", "quen roi", "quen", "khong ro", "toi khong biet",
    "em khong biet", "chiu thua",
}  # fmt: skip
_KEY_PREFIX = re.compile(r"^\s*\(?\s*(?:([A-Za-z])\s*[.):\-]\s*|(\d{1,2})\s*[.):\-]\s+)\S")
TRUE_FALSE_LABELS = ("Đúng", "Sai")  # index 0 and 1, as the tutor shows them


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer.

    `chosen_index`: the choice the learner picked (mcq; true_false: 0 = Đúng, 1 = Sai), if any.
    `expected`: the correct answer as authored, to show in feedback; `expected_index` its choice.
    """

    correct: bool
    chosen_index: int | None
    understood: bool
    expected: str
    expected_index: int | None = None


def clean(text: str) -> str:
    """Folded comparison form: no marks, lower case, punctuation as spaces, teencode expanded."""
    return readings(text)[0]


def readings(text: str) -> list[str]:
    """`clean(text)` first, then, when a short form means another word in an answer ("giay dk xe"
    = giấy đăng ký xe, "nh" = ngân hàng), that reading too."""
    folded = fold(normalize(text or ""))
    raw = _NON_WORD.sub(" ", folded).replace("_", " ").split()
    forms = [" ".join(_TEENCODE.get(w, w) for w in raw)]
    other = alternative_reading(raw)
    if other is not None:
        forms.append(" ".join(_TEENCODE.get(w, w) for w in other))
    return list(dict.fromkeys(forms))


def _strip_fillers(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for filler in _LEADING_FILLERS:
            if text.startswith(filler + " "):
                text = text[len(filler) + 1 :]
                changed = True
        for filler in _TRAILING_FILLERS:
            if text.endswith(" " + filler):
                text = text[: -len(filler) - 1]
                changed = True
    return text


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap two neighbours)."""
    if a == b:
        return 0
    if not a or not b:
        return len(a) or len(b)
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def allowed_typos(length: int) -> int:
    """How many edits in all an answer of `length` characters (cleaned) may be off by."""
    if length <= 4:
        return 0
    if length <= 10:
        return 1
    if length <= 20:
        return 2
    return 3


def _word_typos(length: int) -> int:
    """How many edits one word of `length` letters may take (a short syllable changes meaning)."""
    if length <= 2:
        return 0
    if length <= 5:
        return 1
    return 2


def _is_swap(a: str, b: str) -> bool:
    """True when `a` is `b` with two neighbouring letters swapped ("opt" for "otp")."""
    if len(a) != len(b) or len(a) < 3:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def texts_match(answer: str, expected: str) -> bool:
    """True when two cleaned texts are the same answer.

    Equal; or equal without spaces ("app store" / "appstore"); or the same words, each within a
    few typos for its length (none for words of ≤ 2 letters, one swap of neighbouring letters
    always allowed, i/y spelled either way), few in all, and always the same numbers.
    """
    if not answer or not expected:
        return False
    if answer == expected:
        return True
    if _DIGITS.findall(answer) != _DIGITS.findall(expected):
        return False
    if answer.replace(" ", "") == expected.replace(" ", ""):
        return True
    words, targets = answer.split(), expected.split()
    if len(words) != len(targets):
        return False
    edits = swaps = 0
    for word, target in zip(words, targets, strict=True):
        if word == target or word.replace("y", "i") == target.replace("y", "i"):
            continue
        if _is_swap(word, target):
            swaps += 1
            continue
        if abs(len(word) - len(target)) > _word_typos(len(target)):
            return False
        distance = edit_distance(word, target)
        if distance > _word_typos(len(target)):
            return False
        edits += distance
    return edits + swaps <= max(allowed_typos(len(expected)), 1 if edits == 0 else 0)


def _choice_by_text(answer: str, choices: list[str]) -> int | None:
    cleaned = [clean(c) for c in choices]
    close = [i for i, choice in enumerate(cleaned) if texts_match(answer, choice)]
    if len(close) == 1:
        return close[0]
    # Most of one choice's text, and no other choice contains it ("ch play hoac app store").
    containing = [
        i for i, choice in enumerate(cleaned) if f" {answer} " in f" {choice} " and len(answer) >= 0.6 * len(choice)
    ]
    if len(containing) == 1:
        return containing[0]
    return None


def _choice_by_key(answer: str, count: int) -> tuple[int | None, bool]:
    """(index, is_key): a letter or number naming a choice; is_key when it looks like one at all.

    A key beyond the choices ("e" for four choices, "5") gives (None, True).
    """
    if answer.isdigit() and len(answer) <= 2:
        number = int(answer)
        return (number - 1 if 1 <= number <= count else None), True
    if len(answer) == 1 and answer in string.ascii_lowercase:
        index = string.ascii_lowercase.index(answer)
        return (index if index < count else None), True
    return None, False


def _expected_choice(item: QuizItem) -> int | None:
    target = clean(item.answer)
    for index, choice in enumerate(item.choices):
        if clean(choice) == target:
            return index
    return None


def _grade_mcq(item: QuizItem, raw: str) -> Grade:
    choices = list(item.choices)
    expected_index = _expected_choice(item)

    def verdict(index: int | None, understood: bool = True) -> Grade:
        return Grade(
            correct=index is not None and index == expected_index,
            chosen_index=index,
            understood=understood,
            expected=item.answer,
            expected_index=expected_index,
        )

    answer = clean(raw)
    if not answer:
        return verdict(None, understood=False)
    attempts = list(dict.fromkeys((answer, _strip_fillers(answer))))
    cleaned_choices = [clean(c) for c in choices]
    # 1. The exact text of a choice wins, even when a choice is itself a number or a letter.
    for attempt in attempts:
        if attempt in cleaned_choices:
            return verdict(cleaned_choices.index(attempt))
    if any(attempt in _DONT_KNOW for attempt in attempts):
        return verdict(None)
    # 2. A letter or a number alone ("b", "B.", "câu 2").
    for attempt in attempts:
        index, is_key = _choice_by_key(attempt, len(choices))
        if is_key:
            return verdict(index, understood=index is not None)
    # 3. A key followed by (part of) the choice text ("B. Từ CH Play…").
    key = _KEY_PREFIX.match(normalize(raw))
    if key:
        index, _ = _choice_by_key(clean(key.group(1) or key.group(2)), len(choices))
        if index is not None:
            return verdict(index)
    # 4. The choice text with typos, or most of it.
    for attempt in attempts:
        index = _choice_by_text(attempt, choices)
        if index is not None:
            return verdict(index)
    # 5. Part of one choice's content ("cong an", "chi minh toi thoi"), clearly naming that choice.
    split_choices = [c.split() for c in cleaned_choices]
    for reading in readings(raw):
        for attempt in dict.fromkeys((reading, _strip_fillers(reading))):
            index = choice_by_content(attempt.split(), split_choices, texts_match)
            if index is not None:
                return verdict(index)
    return verdict(None, understood=False)


def _parse_true_false(text: str) -> bool | None:
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    return None


def _grade_true_false(item: QuizItem, raw: str) -> Grade:
    truth = _parse_true_false(clean(item.answer))
    expected_index = None if truth is None else (0 if truth else 1)
    answer = clean(raw)
    stripped = _strip_fillers(answer)
    said = _parse_true_false(answer)
    if said is None:
        said = _parse_true_false(stripped)
    if said is None and (answer in _DONT_KNOW or stripped in _DONT_KNOW):
        return Grade(False, None, True, item.answer, expected_index)
    if said is None:
        return Grade(False, None, False, item.answer, expected_index)
    chosen = 0 if said else 1
    return Grade(chosen == expected_index, chosen, True, item.answer, expected_index)


# A single ordinary syllable ("mật", "sàn", "bịa") is an accepted answer on its own, but inside a
# longer answer it is usually part of another word ("mật khẩu"), so it is no key term.
_PLAIN_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ng|nh|ch|[cmnpt])?$"
)
# Words that deny the term after them ("bỏ chặn" = unblock). Not "dung": đừng, dùng and đúng fold alike.
_NEGATORS_BEFORE = {"khong", "chang", "cha", "chua", "tat", "bo"}
_NEGATORS_AFTER = {"khong", "chua"}
_NEGATION_LINKS = {"phai", "can", "bat", "co", "la", "cai", "duoc", "nen", "dung"}  # dùng/đừng fold alike
_MAX_ANSWER_WORDS = 60  # a longer text is no answer; keeps the window search cheap


def short_form(text: str) -> str:
    """The comparison form of a short answer: `clean`, with numbers in words as digits."""
    return digits_for_number_words(clean(text))


def is_key_term(term: str) -> bool:
    """True when `term` (in `short_form`) is specific enough to count inside a longer answer."""
    words = term.split()
    if not words:
        return False
    if len(words) >= 2 or any(ch.isdigit() for ch in term) or len(term) >= 4:
        return True
    return not _PLAIN_SYLLABLE.match(term)


def key_terms(item: QuizItem) -> list[str]:
    """The item's key terms in `short_form`: its expected answer and accepted answers that are specific."""
    forms = dict.fromkeys(short_form(text) for text in (item.answer, *(item.accept or ())))
    return [form for form in forms if form and is_key_term(form)]


def _find_term(words: list[str], term: str) -> tuple[int, int] | None:
    """(start, end) of the first window of `words` that is `term`, typos allowed as in `texts_match`."""
    size = len(term.split())
    for start in range(0, len(words) - size + 1):
        if texts_match(" ".join(words[start : start + size]), term):
            return start, start + size
    # "appstore" for "app store": the term written as one word.
    joined = term.replace(" ", "")
    if size > 1:
        for start, word in enumerate(words):
            if texts_match(word, joined):
                return start, start + 1
    return None


def _negated(words: list[str], start: int, end: int) -> bool:
    """True when the words around a key term deny it ("không phải là OTP", "tắt micro", "OTP không?")."""
    pos = start - 1
    # Skip the little words between a negator and the term: "không phải là", "chưa có", "không bật".
    while pos >= 0 and start - pos <= 3 and words[pos] in _NEGATION_LINKS:
        pos -= 1
    if pos >= 0 and words[pos] in _NEGATORS_BEFORE:
        return True
    return end == len(words) - 1 and words[-1] in _NEGATORS_AFTER


def term_span(words: list[str], term: str, terms: list[str]) -> tuple[int, int] | None:
    """(start, end) where `term` stands in `words`: as written (typos allowed) or paraphrased (its
    content words in any order); never inside a name of another thing ("ngân hàng nhà nước")."""
    span = _find_term(words, term) or paraphrase_span(words, term)
    if span is None or names_another_thing(words, span[0], span[1], terms):
        return None
    return span


def _key_term_verdict(answer: str, terms: list[str]) -> bool | None:
    """True: a key term stands in the answer; None: one stands there but is denied or beside other
    numbers (unclear); False: none does."""
    words = answer.split()[:_MAX_ANSWER_WORDS]
    for term in sorted(terms, key=len, reverse=True):
        span = term_span(words, term, terms)
        if span is None:
            continue
        start, end = span
        outside = words[:start] + words[end:]
        other_numbers = any(ch.isdigit() for ch in term) and any(_DIGITS.search(w) for w in outside)
        if _negated(words, start, end) or other_numbers:
            return None  # a shorter term inside a denied one ("otp" in "không phải mã otp") is denied too
        return True
    return False


def _short_verdict(item: QuizItem, answer: str) -> bool | None:
    """True right, False wrong, None unclear, for one reading of a short answer (in `short_form`)."""
    candidates = [short_form(text) for text in (item.answer, *(item.accept or ()))]
    attempts = dict.fromkeys((answer, _strip_fillers(answer)))
    if any(texts_match(a, c) for a in attempts for c in candidates if c):
        return True
    terms = key_terms(item)
    expected = short_form(item.answer)
    one_word = _NON_WORD.search(normalize(item.answer).strip()) is None  # not "dấu /", whose "/" is lost
    if one_word and expected and expected not in terms and answer.startswith(expected + " "):
        # A one-syllable answer said first, then explained ("bịa ra số liệu"): it is the answer.
        terms = [*terms, expected]
    verdict = _key_term_verdict(answer, terms)
    if verdict is False and denied_opposite(answer.split(), expected):
        return True  # "không phải thật" for "Giả"
    return verdict


def _grade_short(item: QuizItem, raw: str) -> Grade:
    forms = [digits_for_number_words(form) for form in readings(raw)]
    if not forms[0]:
        return Grade(False, None, False, item.answer)
    verdicts = [_short_verdict(item, form) for form in forms]
    if True in verdicts:
        return Grade(True, None, True, item.answer)
    if None in verdicts:
        return Grade(False, None, False, item.answer)
    return Grade(False, None, True, item.answer)


def grade(item: QuizItem, answer: str) -> Grade:
    """Grade a typed (or button) `answer` to `item`; never raises for any input text."""
    raw = answer or ""
    if item.type == "mcq" and item.choices:
        return _grade_mcq(item, raw)
    if item.type == "true_false":
        return _grade_true_false(item, raw)
    return _grade_short(item, raw)
