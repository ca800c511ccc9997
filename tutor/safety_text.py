"""The canonical form the scam detector reads: folded, teencode expanded, typos and voice errors repaired.

Workers type fast on small phones, without tone marks, in teencode, with Telex left-overs
("chuyeenr tieenf") or through voice typing ("mã ô tê pê", "chuyển khoảng"). The detector's
patterns are written once, against this one form:

- folded (no marks, lower case, đ -> d), punctuation turned into spaces;
- repeated letters but "uu" collapsed ("tienn" -> "tien", "otpp" -> "otp"), then a few brand names restored;
- a final Telex tone key removed ("tieenf" -> "tien"): Vietnamese syllables never end in f, j, r, s, x;
- teencode expanded ("ck" -> "chuyen khoan", "t" -> "toi", "r" -> "roi");
- amounts ("5tr", "1tr2", "500k", "7 cu", "3 lít", "một triệu hai") become "so tien";
  voice-typing spellings become the words meant ("hải quang", "da lô", "mã qui a").
"""

from __future__ import annotations

import re

from knowledge.textnorm import FOLDED_TEENCODE, fold, normalize

_WORD = re.compile(r"[a-z0-9]+")
# "uu" is Vietnamese ("cứu", "bưu"): every other doubled letter is a typo or a Telex key.
_REPEATS = re.compile(r"([a-tv-z])\1+")
# A Vietnamese syllable (onset, vowels, coda) followed by a Telex key: tone (f j r s x) or "w" (ư, ơ, ă).
# The onset is spelled out so English words ("transfer", "teamviewer") are not cut.
_TELEX_TAIL = re.compile(
    r"^((?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[nctpm])?)[fjrswx]$"
)
# Words that legitimately end in a Telex key, or whose last letter is not a tone key.
_KEEP_TAIL = frozenset({"sms", "gps", "ios", "bus", "news", "vs", "ts", "bs", "cs", "mr", "ms", "yes", "plus"})

# Per word, on the collapsed folded form: brand names back to their spelling, typos and
# voice-typing errors to the word meant.
_WORD_FIXES: dict[str, str] = {
    "facebok": "facebook",
    "facebk": "facebook",
    "fb": "facebook",
    "face": "facebook",
    "ap": "app",
    "aps": "app",
    "apk": "apk",
    "shiper": "shipper",
    "ship": "shipper",
    "shiperr": "shipper",
    "0tp": "otp",
    "hak": "hack",
    "hac": "hack",
    "hach": "hack",
    "tein": "tien",
    "tine": "tien",
    "tin3": "tien",
    "chuyn": "chuyen",
    "chuyeb": "chuyen",
    "khoang": "khoan",
    "kkhoan": "khoan",
    "thuog": "thuong",
    "thuon": "thuong",
    "gju": "giu",
    "fiel": "file",
    "lik": "link",
    "lin": "link",
    "zl": "zalo",
    "nt": "nhan tin",
    "ib": "nhan tin",
    "inbox": "nhan tin",
    "mess": "messenger",
    "mesenger": "messenger",
    "bs": "bac si",
    "nv": "nhan vien",
    "nvien": "nhan vien",
    "dthoai": "dien thoai",
    "ngta": "nguoi ta",
    "nguoita": "nguoi ta",
    "hachk": "hack",
    "hacker": "hack",
    "acount": "tai khoan",
    "otb": "otp",
    "khaon": "khoan",
}

# English words in Vietnamese messages ("bi scam roi", "da transfer 5tr"), read before the typo
# repairs (which would cut "transfer" to "transfe"), as the Vietnamese word the patterns know.
_ENGLISH: dict[str, str] = {
    "scam": "lua dao",
    "scammer": "ke lua dao",
    "scammed": "bi lua",
    "transfer": "chuyen khoan",
    "transferred": "chuyen khoan",
    "banking": "chuyen khoan",
    "bank": "ngan hang",
    "account": "tai khoan",
    "police": "cong an",
    "lock": "khoa",
    "locked": "khoa",
    "deposit": "dat coc",
    "install": "cai",
    "installed": "cai",
    "control": "dieu khien",
    "call": "goi",
    "verify": "xac minh",
    "click": "bam",
    "withdraw": "rut",
    "code": "ma",
    "password": "mat khau",
    "pass": "mat khau",
    "send": "gui",
    "money": "tien",
    "someone": "co nguoi",
    "ask": "xin",
    "chat": "nhan tin",
    "rep": "tra loi",
    "reply": "tra loi",
    "unfriend": "chan",
    "seller": "nguoi ban",
    "shop": "shop",
    "hr": "nhan su",
    "job": "viec",
    "crypto": "tien ao",
    "trade": "dau tu",
    "join": "tham gia",
    "group": "nhom",
    "teamviewer": "app dieu khien",
    "anydesk": "app dieu khien",
    "ultraviewer": "app dieu khien",
    "airdroid": "app dieu khien",
}

# Teencode read in a message about what is happening to the learner (on top of the shared table).
_TEENCODE: dict[str, str] = {
    **FOLDED_TEENCODE,
    "t": "toi",
    "tui": "toi",
    "e": "em",
    "a": "anh",
    "r": "roi",
    "rui": "roi",
    "oy": "roi",
    "ud": "app",
    "bik": "biet",
    "bit": "biet",
    "atm": "atm",
    "cmnd": "can cuoc",
    "cccd": "can cuoc",
    "tr": "trieu",
    "dg": "dang",
    "dag": "dang",
    "lm": "lam",
    "hd": "huong dan",
    "tn": "tin nhan",
    "cty": "cong ty",
    "vc": "viec",
    "h": "gio",
    "qa": "qua",
    "m": "minh",
    "n": "no",
    "cs": "canh sat",
    "cd": "cong doan",
    "thg": "thang",
    "xkld": "xuat khau lao dong",
    "gd": "giao dich",
    "z": "vay",
    "cskh": "cham soc khach hang",
}

# Multi-word voice-typing and spacing errors, on the joined form.
_PHRASE_FIXES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b{pattern}\b"), replacement)
    for pattern, replacement in (
        (r"o te pe|o tp|o (?:t|toi) p|ot p", "otp"),
        (r"video goi", "goi video"),
        (r"phay buc|phay book|pay buc", "facebook"),
        (r"sip po|sip per", "shipper"),
        (r"(?:a|anh) pe ka|(?:a|anh) p k|ap ka", "apk"),
        # "hộ" (on someone's behalf) folds like "họ" (they): "ký hộ được không", "nhận tiền hộ có sao không".
        (
            r"(?<!cho )(?<!voi )(?<!la )(?<!ma )(?<!cua )(?<!theo )(?<!goi )(?<!bao )(?<!nghe )ho"
            r"(?= (?:khong|co|duoc|nhe|voi|nha|di|dum)\b|$)",
            "giup",
        ),
        (r"hai quang", "hai quan"),
        (r"(?:(?:da|gia) lo(?= video| goi)|(?<=goi )da lo|(?<=qua )da lo)", "zalo"),
        (r"(?:ma (?:qui|kiu|quy) (?:anh|a|r)|(?<=quet )(?:qui|kiu) anh)", "ma qr"),
        (r"moc toi", "moc tui"),  # "móc túi" (pickpocket), not "tôi"
        # Amounts: "5 trieu", "5tr", "1tr2", "500k", "7 cu", "2 ty", "300 nghin", "3 lit" (slang: 100k) -> "so tien"
        (r"\d+(?: \d+)* ?(?:k|tr|trieu|cu|ty|nghin|ngan|lit|dong|d)(?:\d+)?\b", "so tien"),
        (
            r"(?:mot|hai|ba|bon|nam|lam|sau|bay|tam|chin|muoi|tram)(?: (?:mot|hai|ba|bon|nam|lam|sau|bay|tam|chin|muoi|tram))*"
            r" (?:trieu|nghin|ty|cu|lit)",
            "so tien",
        ),
        # The rest of an amount: "1 trieu 2", "mot trieu hai", "so tien ruoi"
        (r"so tien (?:\d+|mot|hai|ba|bon|nam|lam|sau|bay|tam|chin|ruoi)\b", "so tien"),
    )
)


def _fix_word(word: str) -> str:
    if word in _ENGLISH:
        return _ENGLISH[word]
    word = _REPEATS.sub(r"\1", word)
    if word in _WORD_FIXES:
        return _WORD_FIXES[word]
    if word in _TEENCODE:
        return _TEENCODE[word]
    if len(word) >= 3 and word not in _KEEP_TAIL:
        tail = _TELEX_TAIL.match(word)
        if tail:
            # Strip the Telex tone key and undo its vowel keys ("tieenf" -> "tienf" -> "tien").
            stripped = tail.group(1).replace("aw", "a").replace("ow", "o").replace("uw", "u").replace("dd", "d")
            return _WORD_FIXES.get(stripped, stripped)
    return word


#: Only the start of a message is read: a scam is told in a sentence or two, and this bounds the time.
MAX_CHARS = 1000


def canonical(text: str) -> str:
    """The one form the scam patterns are written against (see the module docstring)."""
    words = _WORD.findall(fold(normalize((text or "")[:MAX_CHARS])))
    joined = " ".join(_fix_word(w) for w in words)
    for pattern, replacement in _PHRASE_FIXES:
        joined = pattern.sub(replacement, joined)
    return joined
