"""The output guard on LLM replies: a model's answer reaches a learner only when it adds nothing
the lessons do not say in the places that matter for scams, and asks for nothing dangerous.

`check_reply(text, sources)` returns the reason to refuse it, or None:

- a phone number, account/card number (6+ digits), link or domain, or amount of money that does
  not appear in the retrieved passages (or cards) — a model pushed by a prompt injection would
  otherwise relay "call 0912 345 678" or "pay 500.000đ to …";
- an instruction to share an OTP, a password or PIN, or to transfer money (a sentence with such an
  object and a sharing verb, and no negation: the lessons' own "không bao giờ đọc mã OTP" passes);
- the system prompt leaking: its canary or any long run of it, compared with every letter kept
  and everything else dropped (so "H V S - 7 Q 2 K" or a spaced-out rule is caught), and answers
  that talk about their instructions or are written in English (a translated prompt).

A refused reply falls back to the extractive answer, which quotes the lessons themselves.
`strip_markup` removes HTML tags a model may write (channels show plain text anyway).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from knowledge.textnorm import fold

_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|info|io|me|ly|xyz|top|"
    r"shop|site|online|link|app|click|cc|co|biz|tk|ml|ga)\b(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"(?<![\w])\+?\d[\d .\-]{4,}\d(?![\w])")
_AMOUNT = re.compile(
    r"(\d[\d.,]*)\s*(đ\b|đồng|vnd|vnđ|nghìn|ngàn|ngan|nghin|triệu|trieu|tỷ|ty\b|k\b|usd|\$)",
    re.IGNORECASE,
)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]{0,200}>")
_SCRIPT_BLOCK = re.compile(r"<\s*(script|style)[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_SENTENCES = re.compile(r"(?<=[.!?\n])\s+")

# Folded (no marks) phrases: what must never be handed over, the verbs of handing it to someone,
# transfers and their recipients. Negations are matched on the text WITH marks ("đừng" vs "dùng").
_SECRETS = ("otp", "ma xac thuc", "ma xac nhan", "mat khau", "ma pin", "password", "ma bao mat", "cvv")
_SHARE = (
    "doc cho",
    "doc lai cho",
    "doc ma",
    "gui cho",
    "gui ma",
    "gui lai",
    "cung cap",
    "cho biet",
    "chia se",
    "bao cho",
    "nhan tin",
    "nhan cho",
    "share",
    "send",
    "tell",
    "give",
)
_TRANSFER = ("chuyen tien", "chuyen khoan", "nap tien", "transfer")
_RECIPIENT = (
    "cho toi",
    "cho chung toi",
    "cho ben",
    "cho nguoi",
    "vao tai khoan",
    "vao so tai khoan",
    "theo so tai khoan",
    "de nhan",
    "de duoc",
    "phi xac minh",
    "phi kich hoat",
    "phi mo khoa",
    "ngay lap tuc",
    "dat coc",
    "thanh toan truoc",
    "to us",
    "to me",
)
_NEGATION = re.compile(r"(?<!\w)(không|đừng|chẳng|chớ|cấm|never|not|don't|do not)(?!\w)", re.IGNORECASE)
_META = (
    "system prompt",
    "instruction",
    "my rules",
    "i was told",
    "i am told",
    "i must only",
    "untrusted",
    "tai_lieu",
    "cau_hoi",
    "quy tac bat buoc",
    "huong dan he thong",
    "loi nhac he thong",
    "cac quy tac nay",
)
_ENGLISH = {"the", "and", "you", "your", "to", "of", "is", "are", "only", "must", "not", "with", "this", "that"}


def strip_markup(text: str) -> str:
    """`text` without script/style blocks and HTML tags."""
    return _TAG.sub("", _SCRIPT_BLOCK.sub("", text))


def compact(text: str) -> str:
    """Letters and digits only, folded and lower case: spacing and punctuation tricks vanish."""
    folded = fold(unicodedata.normalize("NFKC", text)).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _numbers(text: str) -> set[str]:
    """Runs of 6+ digits (phone, account and card numbers), separators dropped."""
    return {d for d in (_digits(m.group(0)) for m in _DIGIT_RUN.finditer(text)) if len(d) >= 6}


def _hosts(text: str) -> set[str]:
    found = set()
    for match in _LINK.finditer(text):
        link = re.sub(r"^(?:https?://)?(?:www\.)?", "", match.group(0).lower())
        found.add(link.split("/")[0].rstrip("."))
    return found


def _amounts(text: str) -> set[str]:
    return {_digits(m.group(1)) + fold(m.group(2)).lower() for m in _AMOUNT.finditer(text)}


def unknown_facts(text: str, sources: Iterable[str]) -> list[str]:
    """Phone/account numbers, links and amounts in `text` that no source mentions (kinds only)."""
    corpus = "\n".join(sources)
    known_numbers = _numbers(corpus)
    known_hosts = _hosts(corpus)
    known_amounts = _amounts(corpus)
    corpus_digits = _digits(corpus)
    problems = []
    if any(n not in known_numbers and n not in corpus_digits for n in _numbers(text)):
        problems.append("number")
    if any(not any(h == k or h.endswith("." + k) for k in known_hosts) for h in _hosts(text)):
        problems.append("link")
    if _amounts(text) - known_amounts:
        problems.append("amount")
    return problems


def _has(words: str, phrases: Iterable[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", words) for p in phrases)


def dangerous_instruction(text: str) -> bool:
    """True when a sentence asks to share an OTP/password/PIN or to transfer money, unnegated."""
    for sentence in _SENTENCES.split(text):
        if _NEGATION.search(unicodedata.normalize("NFC", sentence)):
            continue
        words = " ".join(fold(sentence).lower().split())
        if _has(words, _SECRETS) and _has(words, _SHARE):
            return True
        if _has(words, _TRANSFER) and _has(words, _RECIPIENT):
            return True
    return False


def leaks_prompt(text: str, system_prompt: str, canary: str, window: int = 40) -> bool:
    """True when `text` repeats the prompt, whatever its spacing, or talks about instructions, or
    is written in English (a translation of the prompt is the usual trick)."""
    squeezed = compact(text)
    if compact(canary) in squeezed:
        return True
    prompt = compact(system_prompt)
    windows = {prompt[i : i + window] for i in range(0, max(0, len(prompt) - window + 1))}
    if any(squeezed[i : i + window] in windows for i in range(0, max(0, len(squeezed) - window + 1))):
        return True
    words = fold(text).lower()
    if sum(1 for phrase in _META if phrase in words) >= 1:
        return True
    tokens = re.findall(r"[a-z']+", words)
    english = sum(1 for t in tokens if t in _ENGLISH)
    return english >= 5 and english / max(1, len(tokens)) > 0.15


def check_reply(text: str, sources: Iterable[str], *, system_prompt: str, canary: str) -> str | None:
    """Why this model reply must not reach the learner, or None when it may."""
    if leaks_prompt(text, system_prompt, canary):
        return "prompt leak"
    if dangerous_instruction(text):
        return "dangerous instruction"
    unknown = unknown_facts(text, list(sources))
    if unknown:
        return "unknown " + "/".join(unknown)
    return None
