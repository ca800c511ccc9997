"""A second reader under the scam rules: categories of signals, and the combinations that make an alarm.

The rules of `tutor.safety_rules` name phrasings; they miss a scam told in words they do not list.
This module reads the canonical form (`tutor.safety_text.canonical`) for *kinds* of signal — money
already handed over, a loss or a broken promise, a stranger, contact going on, a demand to act,
a secret, a threat, an authority, a relative in an emergency, an account taken over, a phone
controlled from afar, a "task" that keeps the money, a fee asked for before a benefit — and raises
an alarm when two that together mean "scam, now" meet. `tutor.safety` then applies the same filter
as for the rules (questions about scams, hypotheticals, a danger averted are not alarms).
"""

from __future__ import annotations

import re

from tutor.safety_rules import ScamKind

_W = r"(?:\w+ )"  # one word and its space, for "up to n words between"


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b")


# --- signals (canonical form) ---------------------------------------------------------------------
# Money or a thing of value handed over: "chuyen khoan", "nap", "dong coc", "gui tien", "tra phi".
_PAY = (
    r"chuyen(?! nha| vien| sang (?:so|sim))(?: khoan| tien)?|ck|nap|dong(?! nghiep| y| ho| vat| hanh| bo| cua| app| ung dung| lai| vien| phuc)|nop|(?<!kiem )tra(?! loi| cuu| gop)|"
    r"gui(?! (?:anh|hinh|tin|ma|link|email|thu|ho so|cv|loi|ve|den|nham))|"
    r"dat coc|coc|mua|thanh toan"
)
# ... and it is done: "roi", "vua", "da", "xong", "lo", "het", or an amount paid.
_DONE = r"roi|vua|da|xong|lo|het|sach|may lan|\d+ lan|(?:hai|ba) lan|hoi sang"
TRANSFER_DONE = re.compile(
    rf"\b(?:{_DONE}|moi)\b {_W}{{0,3}}?(?:{_PAY})\b|\b(?:{_PAY})\b (?:{_W}){{0,8}}?(?:{_DONE})\b"
)
# Who the learner deals with is not who they claim: a stranger, a fraud, a fake, found out.
SCAMMER = _re(
    r"nguoi la|so la|sdt la|so dien thoai la|lua|lua dao|ke gian|xung|tu xung|gia danh|mao danh|gia mao|"
    r"nick gia|(?:anh|bill|bien lai|hoa don|tin|trang|link|app|web) (?:\w+ ){0,2}?gia(?! (?:re|tien|ca|bao))|gia(?= (?:la|danh|mao))|nguoi dang tin|nguoi tren mang|"
    r"quen (?:qua|tren) mang|tren (?:mang|facebook|zalo|tiktok|nhom)|moi gioi|moi biet|hoa ra|khong phai (?:la )?(?:co|thay|ban)"
)
# The learner found out afterwards: "mới biết là nick giả", "hóa ra", "cô bảo không phải cô".
REVEALED = _re(r"moi biet|moi phat hien|hoa ra|khong phai (?:la )?(?:co|thay|ban|nguoi nha)|nick gia|gia mao")
# Someone else, unnamed: "họ", "người ta", "bên kia", "nó" (a scammer when other signals say so).
THEY = _re(r"nguoi ta|ho|ben kia|no|thang|dua|ai do|co nguoi|ke|chung no|bon no")
# The other side vanished or keeps the money.
LOSS = _re(
    r"(?:bi|da|roi|ho|no|shop|nguoi ban) (?:\w+ )?chan|chan (?:toi|minh|em|luon|so|sdt|zalo|facebook|nick|lien lac)|"
    r"block|khoa (?:trang|nick|zalo|facebook|tai khoan)|bien mat|mat tich|khong (?:lien lac|lien he|goi|nghe may|"
    r"tra loi|giao|hoan|tra lai|co (?:hang|phong|don)|thay (?:hang|ai|dau|lam))|thue bao|goi (?:lai )?khong (?:duoc|ai)|"
    r"(?:khong|chua) (?:cho )?rut|doi them|nap them|(?:mat|tru|rut) (?:het |sach |luon )?(?:tien|so tien)(?! (?:phi|thang|moi|mot thang|1 thang|nam))|"
    r"unfriend|bi lua|khoa tai khoan"
)
# Someone reached the learner, or is reaching them now.
CONTACT = _re(
    r"goi(?! y| cuoc| hang| qua| tin| 4g| data)|goi dien|goi video|nhan tin|tin nhan(?! chuyen| ngan hang)|"
    r"nhan duoc (?:tin|cuoc|link|cuoc goi|email|thu|sms)|sms (?:tu|bao)|nhan (?:messenger|zalo|facebook)|nhan (?=doi|xin|bao|noi|bat|doa)|"
    r"gui (?:link|tin|anh|ma|qr)|(?:dang|van) (?:tren|giu) may|cuoc goi|ib|lien he|so la|quay trung"
)
# A push to act: "bao", "bat", "doi", "yeu cau", "xin", "nho", "huong dan" (not "bao ve", "thong bao").
_PUSH = (
    r"(?<!thong )(?<!canh )bao(?! (?:ve|mat|nhieu|gio|hiem|cao|luc|lau|tri|dam|hanh|dong|la))|"
    r"bat(?! (?:dau|buoc|dong san|coc))|doi|yeu cau|xin|nho|ep|giuc|keu|huong dan|du|noi|phai"
)
_ACT = (
    r"chuyen|ck|nap|dong(?! nghiep| y| ho| vat| hanh| bo| cua| app| ung dung| lai| vien| phuc)|nop|tra|gui|doc|cung cap|dien|nhap|bam|click|cai|tai|quet|chia se man hinh|"
    r"ra (?:cay )?atm|ra ngan hang|rut|mua|o yen|khong (?:duoc )?(?:noi|cup|tat)|dang nhap|vao (?:link|trang)|"
    r"kich hoat|xac minh|cap quyen|dong y|le phi|phi"
)
DEMAND = re.compile(rf"\b(?:{_PUSH})\b (?:{_W}){{0,4}}?(?:{_ACT})\b")
SECRET = _re(
    r"otp|ma (?:otp|xac nhan|xac minh|xac thuc|kich hoat|bao mat|so|\d+ so|\w+ so)|ma(?= (?:vua|gui ve|de|do))|"
    r"mat khau|so the|cvv"
)
THREAT = _re(
    r"doa|de doa|tong tien|khung bo|uy hiep|tung (?:anh|clip|video|hinh)|"
    r"gui (?:anh|clip|video|hinh) (?:\w+ ){0,3}?cho (?:vo|chong|gia dinh|ca nha|cong ty|nguoi than|ban be|sep|moi nguoi)|"
    r"lam am|bat coc|chuoc|giet|khong (?:\w+ ){0,2}?thi|neu khong|(?:se|thi|keo) bi (?:bat|khoa|cat|tuoc|phat|kien|giu)|"
    r"(?:tung|(?:bi|se|doa) (?:dang|dua|gui)) (?:\w+ ){0,3}?len (?:mang|nhom|facebook|zalo|tiktok)|danh ba|quyt no|bom no|boi nho|beu|"
    r"cat (?:dien|nuoc|sim)|sim bi khoa|bi khoa trong"
)
AUTHORITY = _re(
    r"cong an|canh sat|toa an|toa|vien kiem sat|ngan hang|dien luc|ben dien|cong ty dien|nha mang|viettel|vietel|"
    r"vinaphone|mobifone|tong dai|thue(?! nha| phong| xe| tro| bao)|bao hiem|bhxh|can bo|phuong|xa|cong doan|nhan su|giao vien|co giao|thay|bac si|benh vien|shipper|"
    r"giao hang|buu dien|chuyen phat|hai quan|san thuong mai|cham soc khach hang|nhan vien|cong ty|tuyen dung"
)
_KIN = (
    r"con(?: trai| gai)?|chong|vo|bo|me|ba(?: ngoai| noi)?|ong(?: ngoai| noi)?|chau|em(?: trai| gai)|anh(?: trai)|"
    r"chi(?: gai)?|nguoi nha|nguoi than|toi"
)
_EMERGENCY = (
    r"tai nan|cap cuu|nga|nhap vien|o (?:benh )?vien|phau thuat|mo gap|ngo doc|xe (?:dung|tong|can)|danh nhau|"
    r"bi bat(?! dau)|bi (?:cong an )?giu|bat coc"
)
KIN_EMERGENCY = re.compile(rf"\b(?:{_KIN})\b (?:{_W}){{0,5}}?(?:{_EMERGENCY})\b")
_ACCOUNTS = r"zalo|facebook|nick|tai khoan|acc|messenger|gmail|email|sim|app ngan hang|the"
# A link to tap after a claim: "bấm link xác minh", "click link thanh toán".
LINK = _re(
    r"(?:bam|nhan|an|click|vao|mo) (?:vao )?(?:link|duong link|duong dan)|link (?:de|xac minh|thanh toan|nhan|cap nhat)"
)
TAKEOVER = re.compile(
    rf"\b(?:{_ACCOUNTS})\b (?:{_W}){{0,5}}?(?:bi (?:{_W}){{0,2}}?(?:hack|chiem|lay|doi)|tu (?:dong )?(?:dang xuat|mat|tru|dung)|"
    r"khong vao duoc)\b"
    rf"|\b(?:{_ACCOUNTS})\b (?:{_W}){{0,12}}?(?:khong (?:vao|dang nhap) duoc nua|tu dang (?:bai|tin)|dang (?:bai|tin) (?:la|lung tung))\b"
    r"|\bdang nhap (?:tren|o|bang|tu) (?:may|thiet bi|dien thoai) (?:khac|la)\b"
    rf"|\b(?:nguoi khac|ai do|ai|co nguoi|nguoi ta) (?:{_W}){{0,2}}?(?:dang nhap|dung|su dung|doi|lay)\b (?:{_W}){{0,3}}?(?:{_ACCOUNTS})\b"
    r"|\b(?:tru|rut|mat) (?:het |sach )?(?:tien|so tien)\b (?:\w+ ){0,3}?(?:ma|nhung) (?:toi|minh|em) (?:\w+ )?(?:khong|chua)"
    r"|\b(?:giao dich|tru tien) (?:\w+ ){0,2}?(?:ma|nhung) (?:toi|minh|em) (?:khong|chua)"
    r"|\bbi (?:rut|tru) sach\b|\brut sach\b"
)
REMOTE = _re(
    r"dieu khien|app dieu khien|tu (?:dong )?(?:bam|di chuyen|mo|chay)|man hinh (?:\w+ )?tu|apk|cap quyen|tro nang|"
    r"chia se man hinh"
)
TASK = _re(r"nhiem vu|san|dau tu|loi nhuan|hoa hong|chung khoan|tien ao|danh gia|chot don|ctv|cong tac vien")
# A fee asked before a benefit: a prize, a gift, a salary, a loan, a job, a refund.
FEE = _re(r"phi|le phi|thue|coc|tien coc|dat coc|bao hiem khoan vay|kich hoat|mua (?:bo )?dung cu|nap (?:them|tien)")
BENEFIT = _re(
    r"nhan (?:qua|thuong|tien|luong|giai|hang|don)|(?:tang|phat) qua|qua (?:tang|tet|tri an)|thuong|trung|luong|giai ngan|vay|viec|vao lam|"
    r"hoan (?:tien|lai)|boi thuong|tro cap|ho tro|loi nhuan|rut"
)
NOW = _re(r"dang|vua|roi|da|xong|gap|ngay|lien|gio|hom nay|chieu nay|sang nay|trong \d+ ?(?:h|gio|phut)|lien tuc")
# A win or a gift: a fee asked for one is a scam whoever asks ("được báo trúng ... phải nạp phí").
WIN = _re(r"trung|(?:tang|phat|nhan) qua|qua (?:tang|tet|tri an)|may man|tri an")
MONEY = _re(r"vay|no tien|tien|so tien|chuyen|chuyen khoan|nap|phi|coc|ngan hang|atm|tai khoan|stk|the|vien phi|chuoc")
ME = _re(r"toi|minh|em|tui|anh|chi|me toi|bo toi|vo toi|chong toi|con toi|cua toi|nha toi")


def signal_kind(folded: str) -> ScamKind | None:
    """The kind a combination of signals points to, or None (see the module docstring)."""
    has = signals(folded)

    def any_of(*names: str) -> bool:
        return bool(has.intersection(names))

    someone = any_of("scammer", "they", "authority")
    if "takeover" in has:
        return "hacked"
    if ("transfer_done" in has and any_of("scammer", "loss")) or ("paid" in has and any_of("loss", "revealed")):
        return "task_job" if "task" in has else "money_sent"
    if "remote" in has and any_of("me", "now", "scammer", "they"):
        return "app_install"
    if "kin_emergency" in has and any_of("contact", "demand") and any_of("money", "now", "fee"):
        return "fake_accident"
    if "secret" in has and any_of("demand", "contact") and (someone or "demand" in has):
        return "otp"
    if "threat" in has and any_of("money", "demand", "contact") and (someone or "me" in has):
        return "threat"
    if "task" in has and "money" in has and any_of("loss", "fee"):
        return "task_job"
    if "authority" in has and "contact" in has and any_of("demand", "threat", "link"):
        return "fake_authority"
    if "link" in has and "contact" in has and any_of("threat", "benefit", "fee", "authority", "secret"):
        return "link_clicked"
    if (
        "fee" in has
        and "benefit" in has
        and any_of("demand", "transfer_done")
        and any_of("scammer", "they", "contact", "win")
    ):
        return "prize"
    if "contact" in has and "demand" in has and someone and any_of("money", "secret", "now"):
        return "pressure"
    return None


_SIGNALS: dict[str, re.Pattern[str]] = {
    "transfer_done": TRANSFER_DONE,
    "scammer": SCAMMER,
    "they": THEY,
    "revealed": REVEALED,
    "link": LINK,
    "paid": re.compile(rf"\b(?:{_PAY})\b"),
    "loss": LOSS,
    "contact": CONTACT,
    "demand": DEMAND,
    "secret": SECRET,
    "threat": THREAT,
    "authority": AUTHORITY,
    "kin_emergency": KIN_EMERGENCY,
    "takeover": TAKEOVER,
    "remote": REMOTE,
    "task": TASK,
    "fee": FEE,
    "benefit": BENEFIT,
    "now": NOW,
    "me": ME,
    "money": MONEY,
    "win": WIN,
}


def signals(folded: str) -> set[str]:
    """The names of the signals found in a canonical message (for tests and tuning reports)."""
    return {name for name, pattern in _SIGNALS.items() if pattern.search(folded)}
