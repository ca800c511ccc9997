"""Scams in progress: recognise a learner who is being pressured right now, and what to tell them.

Detection works on the folded text (no tone marks, lower case) after expanding common teencode,
so "có người đang bảo tôi chuyển tiền", "co ng dang bao t ck" and "dang bi lua" are all caught.
It deliberately errs towards safety: showing the safety steps to someone who only asked a
general question costs a few lines; missing a scam in progress can cost their savings.
General questions about scams ("lừa đảo qua mạng là gì?", "làm sao để không bị lừa?") are not
treated as in progress.
"""

from __future__ import annotations

import re

from knowledge.textnorm import FOLDED_TEENCODE, fold, normalize

# Teencode and abbreviations seen in workers' messages, on folded text (whole words only).
# Ambiguous ones ("tao" = tạo, "bn" = bạn/bao nhiêu, "mk") are left alone on purpose.
_TEENCODE: dict[str, str] = {
    **FOLDED_TEENCODE,
    # In a message about what is happening to the learner, these read as "I" / "app".
    "t": "toi",
    "tui": "toi",
    "e": "em",
    "apk": "app",
    "ud": "app",
}

_WORD = re.compile(r"[a-z0-9]+")

# Someone is pushing the learner to act: "bảo", "bắt", "yêu cầu", "ép", "giục", "dọa", "kêu",
# "dụ", "xúi", "xin" (not "bảo vệ", "bảo mật", "thông báo", "cảnh báo", "bắt đầu"; not "nhờ",
# which folds to "nho" like "nhớ").
_PRESSURE = (
    r"(?<!thong )(?<!canh )(?:bao(?! (?:ve|mat|nhieu|gio|hiem|cao|luc|lau|quan|tri|dam))|"
    r"bat(?! (?:dau|buoc|gap|dong))|yeu cau|ep|giuc|doa|keu|du|xui|xin)"
)
# Words allowed between the pressure verb and the action ("bảo tôi phải chuyển ngay").
_FILLER = (
    r"(?:(?:toi|minh|em|anh|chi|con|co|chu|bac|me|bo|vo|chong|nguoi|nha|ho|phai|di|ngay|luon|"
    r"them|lai|gap|mot|1|so|sang|qua|vao|cho|de|hay|la|nay|cai|cai do|gium|ho|giup) ){0,4}"
)
# What scammers push people to do.
_ACTION = (
    r"(?:chuyen (?:tien|khoan)|nap (?:tien|the)|gui tien|dong tien|dat coc|nop tien|tra phi|"
    r"doc (?:ma|so|otp)|gui (?:ma otp|otp)|dua (?:ma|otp)|cung cap (?:ma|otp|mat khau|so the)|"
    r"cai (?:dat )?(?:app|phan mem|ung dung)|tai (?:app|phan mem|ung dung)|"
    r"(?:bam|nhan|an|click) (?:vao )?(?:link|duong dan)|"
    r"quet ma|chia se man hinh|mua the cao|otp|mat khau)"
)
_ACTION_SHORT = r"(?:chuyen (?:tien|khoan)|nap tien|otp|link|cai app|cai ung dung|mat khau|tai khoan)"

_IN_PROGRESS_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        # "có người đang bảo tôi chuyển tiền", "họ bắt mình đọc mã", "bảo cài app"
        rf"\b{_PRESSURE} {_FILLER}{_ACTION}\b",
        # "đang bị lừa", "hình như tôi bị lừa rồi", "vừa bị lừa mất tiền"
        r"\b(?:dang|vua|sap|moi|nghi|so|hinh nhu|co le|chac) (?:la )?(?:toi |minh |em |da )?"
        r"(?:bi|dang bi) (?:lua|lua dao|chiem|hack|lay)\b",
        r"\b(?:toi|minh|em|me|bo|vo|chong|nguoi nha) (?:da |vua |dang )?bi (?:lua|lua dao|hack)\b",
        r"\bbi (?:lua|lua dao|hack) (?:roi|mat|het)\b",
        # Giving away the one-time code: "đọc mã OTP", "gửi OTP cho họ"
        r"\b(?:doc|gui|dua|cho) (?:lai )?(?:cai )?(?:ma )?otp\b",
        r"\bdoc (?:lai )?(?:cai )?ma (?:xac thuc|kich hoat|xac nhan)\b",
        # The usual pretexts of fake "police / court" calls and "safe account" transfers
        r"\b(?:khoi|de khong|tranh|neu khong se|khong thi) bi (?:bat|khoi to|truy na|bat giam)\b",
        r"\b(?:chuyen|gui|nap|dua) (?:tien |het tien )?(?:vao|sang|qua) tai khoan an toan\b",
        r"\btu xung (?:la )?(?:cong an|canh sat|toa an|vien kiem sat|ngan hang|nhan vien|can bo|"
        r"buu dien|dien luc|thue|bhxh|bao hiem)\b",
        rf"\b(?:dang|vua|moi) (?:goi|nhan tin|nhan duoc (?:tin nhan|cuoc goi)) (?:\w+ ){{0,4}}?"
        rf"{_ACTION_SHORT}\b",
        rf"\b(?:co nguoi|nguoi la|so la|nguoi ta|ho|ben kia) (?:\w+ ){{0,3}}?(?:goi|nhan tin) "
        rf"(?:\w+ ){{0,4}}?{_ACTION_SHORT}\b",
    )
)

# General questions about scams ("dấu hiệu nhận biết lừa đảo?") with nobody involved right now.
_GENERAL_ONLY = re.compile(
    r"\b(?:la gi|the nao la|nhan biet|phong tranh|phong chong|de khong bi|tranh bi|dau hieu|"
    r"cac chieu|chieu tro|thu doan|vi du)\b"
)
_SOMEONE_NOW = re.compile(r"\b(?:dang|vua|moi|co nguoi|nguoi ta|nguoi la|ho|ben kia)\b")


def _fold_expanded(text: str) -> str:
    """Folded text with teencode expanded and punctuation turned into spaces."""
    words = _WORD.findall(fold(normalize(text)))
    return " ".join(_TEENCODE.get(w, w) for w in words)


def is_scam_in_progress(text: str) -> bool:
    """True when the message reads like a scam happening to the learner now.

    Works with or without tone marks and with common teencode ("co ng bao t ck").
    """
    if not text or not text.strip():
        return False
    folded = _fold_expanded(text)
    if not folded or not any(p.search(folded) for p in _IN_PROGRESS_PATTERNS):
        return False
    if _GENERAL_ONLY.search(folded) and not _SOMEONE_NOW.search(folded):
        return False
    return True


_SAFETY_STEPS = (
    "⚠️ Nếu ai đó đang yêu cầu bạn làm việc này, hãy dừng lại ngay:\n"
    "1. Dừng nói chuyện, cúp máy. Không chuyển tiền, không nạp tiền.\n"
    "2. Không đọc, không gửi mã OTP, mật khẩu hay mã kích hoạt cho bất kỳ ai.\n"
    "3. Không bấm link lạ, không cài ứng dụng theo lời người khác.\n"
    "4. Gọi ngay ngân hàng theo số tổng đài in trên thẻ, hoặc vào ứng dụng chính thức "
    "của ngân hàng để khóa tài khoản, khóa thẻ.\n"
    "5. Báo công an nơi gần nhất (hoặc gọi 113). Công an, tòa án không bao giờ "
    "yêu cầu chuyển tiền qua điện thoại."
)


def safety_steps() -> str:
    """The safety steps for a scam in progress, in short Vietnamese, most urgent first."""
    return _SAFETY_STEPS
