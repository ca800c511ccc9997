"""What everyday words mean, whatever the state: pure functions on one message's text.

The turn runner and the flows ask these before anything else reads the text, so that "tiếp",
"ok", "xong chưa" go on instead of being searched, a question is never taken as a name or a quiz
answer, and "tôi muốn học về lừa đảo" opens a topic. All matching is on folded text (no tone
marks, lower case), so unmarked typing and common teencode ("dc", "ko", "mk") work the same.
"""

from __future__ import annotations

import re

from knowledge.textnorm import fold

# Words that mean "go on" (in a lesson: the next section; idle: «Học tiếp»). Folded, spaces collapsed.
_CONTINUE = {
    "tiep",
    "tiep di",
    "tiep nhe",
    "tiep nha",
    "tiep tuc",
    "tiep theo",
    "xem tiep",
    "hoc tiep",
    "ok tiep",
    "ok",
    "oke",
    "okie",
    "okay",
    "ok roi",
    "oki",
    "uk",
    "uh",
    "u",
    "um",
    "vang",
    "da",
    "da vang",
    "duoc",
    "duoc roi",
    "dc",
    "dc roi",
    "xong",
    "xong roi",
    "xong chua",
    "doc xong",
    "doc xong roi",
    "hieu",
    "hieu roi",
    "da hieu",
    "em hieu roi",
    "toi hieu roi",
    "minh hieu roi",
    "roi",
    "r",
    "next",
    "go on",
    "continue",
    "di tiep",
    "sang bai tiep",
    "bai tiep",
    "bai tiep theo",
    "tiep tuc hoc",
    "da doc xong",
    "roi sao nua",
    "roi sao",
    "sao nua",
    "gi nua",
    "roi gi nua",
    "con gi nua",
    "hieu roi a",
}
# Words around a continuation that change nothing: "tiếp đi bạn", "em hiểu rồi ạ", "xong rồi bạn ơi".
_FILLER_END = {"di", "nhe", "nha", "a", "ha", "ban", "oi", "em", "anh", "chi", "thoi", "la", "nhe ban", "ad", "nhen"}
_FILLER_START = {"em", "toi", "minh", "tui", "oke", "ok", "uh", "u", "vang", "da"}
_CONTINUE_WORDS = {"tiep", "ok", "oke", "okie", "oki", "xong", "roi", "r", "hieu", "next", "vang", "da", "dc", "uh"}

# Small talk: answered with a friendly line and the way on, never searched in the lessons.
_SMALL_TALK = {
    "thanks": {
        "cam on",
        "cam on ban",
        "cam on nhieu",
        "cam on nhe",
        "cam on a",
        "thanks",
        "thank you",
        "tks",
        "thank",
        "camon",
    },
    "hello": {"chao", "xin chao", "chao ban", "hello", "hi", "alo", "chao bot", "chao em", "chao ad", "hey"},
    "laugh": {"haha", "hihi", "hehe", "kaka", "hi hi", "ha ha", "hjhj"},
    "no": {"khong", "ko", "k", "thoi", "khong can", "ko can", "thoi khoi", "khoi"},
}

_SKIP = {"bo qua", "bo", "skip", "qua", "bo cau nay", "bo qua cau nay", "cau khac", "khong biet bo qua", "pass"}

# Openers and phrases that make a message a question (folded). Matched as whole words.
_QUESTION_OPENERS = (
    "tai sao",
    "vi sao",
    "lam sao",
    "lam the nao",
    "the nao",
    "nhu the nao",
    "cho hoi",
    "xin hoi",
    "hoi",
    "giai thich",
    "co phai",
    "co nen",
    "nen lam gi",
    "khi nao",
    "o dau",
    "bao nhieu",
    "ai",
    "cai gi",
    "gi",
    "sao",
    "neu",
    # How-to requests typed as workers do: "cach bat nfc", "huong dan cai vneid", "chi toi cach…"
    "cach",
    "huong dan",
    "chi toi",
    "chi minh",
    "chi em",
)
_QUESTION_PHRASES = (
    "la gi",
    "lam sao",
    "lam the nao",
    "nhu the nao",
    "the nao",
    "tai sao",
    "vi sao",
    "phai lam gi",
    "lam gi",
    "o dau",
    "khi nao",
    "bao nhieu",
    "co duoc khong",
    "duoc khong",
    "dc ko",
    "dc k",
    "khong a",
    "ko a",
    "co khong",
    "hay khong",
    "chua hieu",
    "khong hieu",
    "ko hieu",
    "giai thich",
    "nghia la",
    "la sao",
    "ra sao",
)
# "lấy lại sao", "khóa sao ạ": a question ending in "sao".
_ENDS_IN_SAO = re.compile(r"\b(?:\w+ )sao(?: a| ha| vay| day| nhi)?$")

# In a quiz an answer may start with "nếu", "ai" or "không": only these make it a question there.
_STRONG_QUESTION = (
    "la gi",
    "lam sao",
    "lam the nao",
    "nhu the nao",
    "tai sao",
    "vi sao",
    "giai thich",
    "nghia la",
    "la sao",
    "khong hieu",
    "chua hieu",
    "ko hieu",
    "cho hoi",
    "xin hoi",
    "hoi chut",
)

# Phrases a sentence holds and a person's name never does (folded, whole words).
_NOT_IN_NAMES = (
    "lam sao",
    "the nao",
    "muon",
    "giup",
    "cach",
    "khong",
    "ko",
    "bi lua",
    "lua dao",
    "chuyen tien",
    "chuyen khoan",
    "mat khau",
    "tai khoan",
    "dien thoai",
    "ngan hang",
    "hoc ve",
    "hoc bai",
    "bai hoc",
    "la gi",
    "dang bi",
    "vua bi",
    "giup toi",
)
# "tôi là Lan", "tên em là Minh", "mình tên Hùng": the name after the introduction.
_INTRO = re.compile(
    r"^(?:(?:xin chao|chao ban|chao),?\s+)?(?:(?:toi|em|minh|tui|anh|chi|con|chau)\s+)?(?:ten\s+)?"
    r"(?:(?:toi|em|minh|tui)\s+)?(?:la|ten la|ten)\s+",
)
_NAME_WORD = re.compile(r"[^\W\d_]+(?:[.'-][^\W\d_]+)*\.?")

# "tôi muốn học về lừa đảo", "hoc ve vneid", "mk mun hoc cach tranh bi lua dao", "dạy tôi về VNeID".
_SUBJECT = r"(?:toi|tui|to|t|em|e|minh|mk|anh|chi|co|chu|bac|cho toi|cho em|cho minh)"
_WANT = r"(?:muon|mun|can|thich|dinh|se|dang|rat muon|muon duoc|can duoc|duoc|hay)"
_TOPIC_REQUEST = re.compile(
    rf"^(?:{_SUBJECT}\s+)?(?:{_WANT}\s+)*(?:hoc|tim hieu|xem bai)\s+(?:them\s+)?(?:ve|cach|bai|chu de|phan)\s+(.+)$"
    rf"|^(?:{_SUBJECT}\s+)?(?:{_WANT}\s+)+(?:hoc|tim hieu)\s+(.+)$"
    rf"|^(?:day|chi)\s+(?:{_SUBJECT}\s+)?(?:hoc\s+)?ve\s+(.+)$"
    rf"|^(?:bai hoc|cac bai|bai)\s+ve\s+(.+)$"
)


def folded(text: str) -> str:
    """Folded text with punctuation at the ends and repeated spaces removed."""
    return " ".join(fold(text).strip(" .!,;~…>").split())


def is_continuation(text: str) -> bool:
    """True for "tiếp", "tiep di", "ok", "xong", "xong chưa", "hiểu rồi", "rồi", "next"… with the
    fillers people add ("tiếp đi bạn", "em hiểu rồi ạ", "ok, tiếp"); a "?" allowed."""
    plain = folded(text).rstrip(" ?")
    plain = re.sub(r"(\w)\1{2,}", r"\1", plain)  # "okkk", "tiepppp"
    words = [w for w in re.split(r"[\s,]+", plain) if w]
    if not words or len(words) > 6:
        return False
    if " ".join(words) in _CONTINUE:
        return True
    while len(words) > 1 and words[-1] in _FILLER_END:
        words = words[:-1]
    core = " ".join(words)
    if core in _CONTINUE:
        return True
    if len(words) > 1 and words[0] in _FILLER_START and " ".join(words[1:]) in _CONTINUE:
        return True
    return 1 < len(words) <= 4 and all(w in _CONTINUE_WORDS for w in words)


# Small talk said with the words around it ("cảm ơn em nhiều", "chào buổi sáng", "em ơi", "hay quá",
# "ngu thế"): a message made only of these phrases and fillers. The first phrase kind found wins, in
# this order (an insult with a thank-you is still an insult).
_TALK_PHRASES: tuple[tuple[str, str], ...] = (
    (
        "insult",
        r"(?:do |bot |may |thang )?(?:ngu ngoc|ngu|dot|vo dung|do te|te|tao lao|xam|lam nham|nham|vo van|kem|chan|"
        r"ngao|khung)(?: (?:the|vay|qua|vl|vcl|vai|that|the nho|ghe|lam))*",
    ),
    ("thanks", r"(?:cam on|camon|cam ta|thanks you|thank you|thanks|thank|tks|thx|ty)"),
    ("praise", r"(?:tuyet voi|tuyet|xuat sac|hay ghe|qua hay|hay|gioi|dinh|good|great|nice|de hieu|huu ich|du lam)"),
    ("hello", r"(?:xin chao|chao(?: buoi (?:sang|trua|chieu|toi))?|hello|helo|hi|alo|a lo|hey)"),
    ("laugh", r"(?:haha|hihi|hehe|kaka|hi hi|ha ha|hjhj|kk)"),
)
# Words said around small talk that carry nothing: "em", "ơi", "ạ", "nhiều", "quá", "nhé"…
_TALK_FILLERS = (
    r"(?:ca nha|moi nguoi|nhieu nhe|nhieu nha|so much|em|ad|admin|ban|bot|oi|a|ak|ah|nha|nhe|nhen|nhieu|nhiu|lam|qua|"
    r"that|ne|ha|vay|minh|toi|nhi|day|rat|cau|anh|chi|co|nhe ban|heng|hen|ui|u)"
)
_TALK_TOKENS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rf"{pattern}(?= |$)")) for kind, pattern in (*_TALK_PHRASES, ("filler", _TALK_FILLERS))
)
# Words that call the tutor ("em ơi", "ad ơi", "bot ơi"): a greeting when said alone.
_CALLING = frozenset({"em", "ad", "admin", "ban", "bot", "oi", "alo", "cau"})
# "bạn là ai", "em tên gì", "bạn là người hay máy": who the tutor is.
_WHO = re.compile(
    r"^(?:(?:xin chao|chao|cho hoi|hoi) )?(?:ban|em|may|bot|ad|cau|day|nay|ben nay|trang nay)? ?"
    r"(?:la ai|ten (?:la )?gi|ten gi|la gi|la nguoi hay (?:may|robot|bot)|la nguoi that|la (?:robot|may|bot|ai)|"
    r"co phai (?:la )?(?:nguoi|robot|may|bot)(?: that)?(?: khong)?)(?: (?:vay|the|a|ha|nhi|day|khong|ko))*$"
    r"|^(?:ten (?:ban|em|may|cau) la gi|ai (?:day|vay|the|do)|(?:ban|em|bot) (?:co the )?(?:giup|lam) (?:duoc )?(?:gi|nhung gi)(?: cho (?:toi|minh|em))?)$"
)
# A lone number or letter (an answer when no quiz is open).
_LONE_ANSWER = re.compile(r"^(?:cau |chon |dap an )?(?:\d{1,3}|[a-d])$")


def small_talk(text: str) -> str | None:
    """The kind of small talk, or None for anything else (a question, a sentence with content).

    Kinds: "thanks", "hello", "praise", "insult", "who" (who the tutor is), "laugh", "no",
    "number" (a lone digit or letter, an answer with no quiz open). Fillers around them are allowed:
    "cảm ơn em nhiều", "chào buổi sáng", "em ơi", "hay quá", "ngu thế", "bạn là ai".
    """
    plain = re.sub(r"(\w)\1{2,}", r"\1", folded(text).rstrip(" ?!."))
    plain = " ".join(re.findall(r"\w+", plain))
    if not plain:
        return None
    if plain in _SMALL_TALK["no"]:
        return "no"
    if _LONE_ANSWER.match(plain):
        return "number"
    if _WHO.match(plain):
        return "who"
    return _talk_kind(plain)


def _talk_kind(plain: str) -> str | None:
    """Read `plain` as small-talk phrases and fillers only; the kind found first by priority, else None."""
    found: set[str] = set()
    pos = 0
    while pos < len(plain):
        if plain[pos] == " ":
            pos += 1
            continue
        # The longest phrase or filler starting here ("hihi" is a laugh, not "hi" and "hi").
        matches = [(m.end(), kind) for kind, pattern in _TALK_TOKENS if (m := pattern.match(plain, pos))]
        if not matches:
            return None  # a word that is not small talk
        pos, kind = max(matches)
        found.add(kind)
    for kind, _ in _TALK_PHRASES:
        if kind in found:
            return kind
    return "hello" if set(plain.split()) & _CALLING else None


def is_skip(text: str) -> bool:
    """True for "bỏ qua", "bo qua", "skip", "câu khác"."""
    return folded(text).rstrip(" ?") in _SKIP


def _has(folded_text: str, phrase: str) -> bool:
    return re.search(rf"(?:^|\s){re.escape(phrase)}(?:\s|$)", folded_text) is not None


def looks_like_question(text: str, *, strict: bool = False) -> bool:
    """True when the message is clearly a question: a "?", or a question word or phrase
    ("là gì", "làm sao", "tại sao", "được không"…) — never true for a one-word reply.

    `strict` (inside a quiz, where answers are expected): only a "?" or an unmistakable phrase
    ("là gì", "tại sao", "không hiểu"…) counts, so "nếu bị lừa thì gọi ngân hàng" stays an answer."""
    if "?" in text:
        return True
    plain = folded(text)
    words = plain.split()
    if len(words) < 2:
        return False
    if strict:
        return any(_has(plain, phrase) for phrase in _STRONG_QUESTION)
    if any(plain == opener or plain.startswith(opener + " ") for opener in _QUESTION_OPENERS):
        return True
    return any(_has(plain, phrase) for phrase in _QUESTION_PHRASES) or _ENDS_IN_SAO.search(plain) is not None


def name_from(text: str) -> str | None:
    """The person's name in `text` ("Lan", "tôi là Lan" -> "Lan"), or None when it cannot be a name:
    a question, a sentence ("làm sao đặt mật khẩu mạnh"), digits, or more than 6 words."""
    name = " ".join(text.split()).strip(" .!,")
    if not name or len(name) > 60 or looks_like_question(name) or is_continuation(name):
        return None
    intro = _INTRO.match(fold(name))
    if intro and intro.end() < len(name):
        name = name[intro.end() :].strip(" .!,")  # folding keeps lengths of precomposed text
    words = name.split()
    if not 1 <= len(words) <= 6 or not all(_NAME_WORD.fullmatch(w) for w in words):
        return None
    plain = folded(name)
    if any(_has(plain, phrase) for phrase in _NOT_IN_NAMES):
        return None
    return name


def topic_request(text: str) -> str | None:
    """The topic words of a request to learn something ("toi muon hoc ve lua dao" -> "lua dao"),
    or None when the message is not such a request (or is a how-to question instead)."""
    if looks_like_question(text):
        return None
    match = _TOPIC_REQUEST.match(folded(text))
    if not match:
        return None
    topic = next(group for group in match.groups() if group)
    topic = re.sub(r"\s+(?:nhe|nha|a|di|voi|duoc khong|nhe ban)$", "", topic.strip())
    return topic or None
