"""Word-level reading of typed answers for `tutor.grading`: what a teacher hears in a few words.

- other readings of short forms that mean another word inside an answer ("dk xe" = đăng ký xe,
  while "ko dk" = không được; "nh" = ngân hàng);
- an MCQ answered with part of a choice's content ("cong an" for «Công an xã, phường…»): the choice
  whose distinctive words the answer names, when it beats every other choice clearly;
- a paraphrase of a key term: all of its content words, in any order, with a few synonyms
  ("tìm ảnh trên google" for "tra ảnh google");
- the opposite of the expected answer, denied ("không phải thật" for "Giả");
- names that contain an accepted term but name something else ("ngân hàng nhà nước" is no lender).

All functions work on folded words (no marks, lower case), as `tutor.grading.clean` gives them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

# Short forms with another meaning in an answer than in a sentence; tried as a second reading, so
# "dk" stays "được" in "ko dk" and becomes "đăng ký" in "giay dk xe".
ANSWER_READINGS: dict[str, str] = {
    "dk": "dang ky",
    "dky": "dang ky",
    "dki": "dang ky",
    "nh": "ngan hang",
    "cty": "cong ty",
    "yc": "yeu cau",
    "nv": "nhan vien",
    "gv": "giao vien",
    "mk": "mat khau",
    "pass": "mat khau",
    "fb": "facebook",
    "gg": "google",
    "app": "ung dung",
    "ud": "ung dung",
    "tn": "tin nhan",
    "bh": "bao hiem",
    "bhxh": "bao hiem xa hoi",
    "bhyt": "bao hiem y te",
    "cccd": "can cuoc",
    "cmnd": "can cuoc",
    "ubnd": "uy ban nhan dan",
}
# Words that say the same thing in an answer (one canonical word each); "hình ảnh" is one "ảnh".
_SYNONYMS: dict[str, str] = {
    "tra": "tim",
    "kiem": "tim",
    "hinh": "anh",
    "bam": "nhan",
    "cham": "nhan",
    "toi": "_self",  # the learner about themselves; choices say "bạn"
    "minh": "_self",
    "em": "_self",
    "tao": "_self",
    "ban": "_self",
    "chinh": "_self",
}
# Little words that carry no choice of their own (the trailing fillers of `tutor.grading` too).
_SELF = "_self"
_STOPWORDS = frozenset(
    "la va hoac cua o tai den ra vao cho de thi ma nhe nha a ah ak ha ne thoi di roi cai nhung cac "
    "voi tren duoi trong ay do nay kia nhu luon ca".split()
)
# Words of a chat reply, not of a choice ("đúng rồi", "hiểu rồi", "tiếp", "không có cái nào"): an
# answer made only of them names no choice, even when one choice holds "dùng" or "không".
_REPLY_WORDS = frozenset(
    "dung sai co khong chua roi vang da u uk ok oke hieu biet tiep xong bo qua chiu nao cung duoc gi sao "
    "vay dap an cau chon thoi cam on chao tat het hai nhieu lam hoc de kho xin loi day".split()
) | {_SELF}
_NEGATORS = frozenset({"khong", "chang", "cha", "chua"})
# The two sides of an either/or item ("thật hay giả"): the other side denied is this side.
OPPOSITES: dict[str, str] = {
    "gia": "that",
    "that": "gia",
    "an toan": "nguy hiem",
    "nguy hiem": "an toan",
    "hop phap": "trai phep",
    "trai phep": "hop phap",
}
_AFTER_DENIAL = frozenset({"dau", "a", "nhe", "nha", "roi", "het", "ma", "day", "do", "ak", "ah"})
# Names that begin with an accepted term but name another thing: the State Bank lends to no one.
OTHER_THINGS: tuple[str, ...] = ("ngan hang nha nuoc", "ngan hang den", "tin dung den")
_MIN_MATCHED_LETTERS = 5  # "co", "pin", "tien" alone name no choice
_MIN_COVERAGE = 0.6  # of the answer's content words found in the chosen choice
_MARGIN = 2.0  # the chosen choice's score against the next one


def alternative_reading(words: Sequence[str]) -> list[str] | None:
    """`words` (folded, before teencode) with the answer readings of `ANSWER_READINGS`; None when
    none applies."""
    if not any(w in ANSWER_READINGS for w in words):
        return None
    return " ".join(ANSWER_READINGS.get(w, w) for w in words).split()


def _canonical(words: Sequence[str]) -> list[str]:
    return [_SYNONYMS.get(w, w) for w in words]


def content_words(words: Sequence[str]) -> list[str]:
    """The words that carry meaning, canonical, in order, without repeats."""
    return list(dict.fromkeys(w for w in _canonical(words) if w not in _STOPWORDS))


def _word_forms(words: Sequence[str]) -> set[str]:
    """A choice's canonical words and its neighbours joined ("wi fi" also as "wifi")."""
    canon = _canonical(words)
    return set(canon) | {a + b for a, b in zip(canon, canon[1:], strict=False)}


def _has_word(forms: set[str], word: str, same: Callable[[str, str], bool]) -> bool:
    # Typos only in words of 4 letters or more: a short syllable changed is another word.
    return word in forms or (len(word) >= 4 and any(same(word, form) for form in forms))


def choice_by_content(
    answer: Sequence[str],
    choices: Sequence[Sequence[str]],
    same: Callable[[str, str], bool],
) -> int | None:
    """The choice that the answer's content words name clearly better than any other, or None.

    Each answer word weighs 1/(number of choices holding it), so a word in every choice decides
    nothing; the best choice must hold most of the answer's words, several letters of them, beat the
    next one `_MARGIN` times over, and the answer must not deny it ("không phải công an").
    `same` tells whether two words are the same despite typos (`tutor.grading.texts_match`). An
    answer made only of chat words ("đúng rồi", "tiếp", "hiểu rồi") names no choice.
    """
    wanted = content_words(answer)
    if not wanted or len(wanted) > 12 or all(w in _REPLY_WORDS for w in wanted):
        return None
    forms = [_word_forms(choice) for choice in choices]
    holders = {w: [i for i, f in enumerate(forms) if _has_word(f, w, same)] for w in wanted}
    scores = [sum(1 / len(holders[w]) for w in wanted if i in holders[w]) for i in range(len(choices))]
    ranked = sorted(range(len(choices)), key=lambda i: scores[i], reverse=True)
    best = ranked[0]
    second = scores[ranked[1]] if len(ranked) > 1 else 0.0
    matched = [w for w in wanted if best in holders[w]]
    if not matched or sum(2 if w == _SELF else len(w) for w in matched) < _MIN_MATCHED_LETTERS:
        return None
    if len(matched) < _MIN_COVERAGE * len(wanted) or scores[best] < _MARGIN * second:
        return None
    if any(w in _NEGATORS for w in answer) and not any(w in _NEGATORS for w in choices[best]):
        return None
    return best


def paraphrase_span(words: Sequence[str], term: str) -> tuple[int, int] | None:
    """(start, end) of the stretch of `words` holding every content word of a term of two or more
    such words, in any order ("tim anh tren google" for "tra anh google"); None when absent."""
    needed = content_words(term.split())
    if len(needed) < 2 or any(ch.isdigit() for ch in term):
        return None  # numbers must stand as written ("15 hoac 20 nam" is no "15 nam")
    canon = _canonical(words)
    if len(canon) > len(term.split()) + 4:
        return None  # a sentence that happens to hold the words is no paraphrase
    places = [canon.index(w) for w in needed if w in canon]
    if len(places) < len(needed):
        return None
    return min(places), max(places) + 1


def denied_opposite(words: Sequence[str], expected: str) -> bool:
    """True when the answer denies the opposite of the expected one ("khong phai that" for "gia")."""
    opposite = OPPOSITES.get(expected)
    if opposite is None:
        return False
    text = " ".join(words)
    for prefix in ("khong phai la", "khong phai", "khong la", "chang phai", "khong"):
        head, found, tail = f" {text} ".partition(f" {prefix} {opposite} ")
        # Only little words may follow: "không phải thật đâu", not "không thật sự giả".
        if found and all(w in _AFTER_DENIAL for w in tail.split()):
            return True
    return False


def names_another_thing(words: Sequence[str], start: int, end: int, terms: Sequence[str]) -> bool:
    """True when the term at words[start:end] begins a name in `OTHER_THINGS` that is not itself one
    of the accepted `terms` ("ngan hang nha nuoc" when "ngan hang" is accepted as a lender)."""
    tail = " ".join(words[start:])
    term = " ".join(words[start:end])
    for other in OTHER_THINGS:
        if other in terms or not other.startswith(term + " "):
            continue
        if f"{tail} ".startswith(other + " "):
            return True
    return False
