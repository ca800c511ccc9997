"""Scams in progress: recognise a learner who is being scammed right now, and what to tell them.

A detector of its own, not a side effect of retrieval: the message is read in one canonical form
(`tutor.safety_text.canonical`: folded, teencode expanded, typos and voice-typing errors repaired)
against rules for each kind of scam — money already sent, a call in progress, an OTP asked for,
a hacked account, threats and blackmail, a fake accident of a relative, fake police / bank /
utility / courier, prize fees, "tasks" that keep money, apps installed on a stranger's word.

Questions *about* scams ("làm sao nhận biết lừa đảo", "nếu có người gọi xưng công an thì làm gì",
"ngân hàng có hỏi OTP không") are not alarms: learning words, hypotheticals and general yes/no
questions switch a match off unless something shows it is happening now ("đang", "vừa", "rồi",
"họ"). The balance still leans towards safety: the steps cost a few lines, a miss costs savings.
Measured on tests/tutor/data/urgent.yaml and ordinary.yaml (tests/tutor/test_safety.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from tutor.safety_text import canonical

ScamKind = Literal[
    "money_sent",
    "call_in_progress",
    "otp",
    "hacked",
    "threat",
    "fake_accident",
    "fake_authority",
    "courier",
    "prize",
    "task_job",
    "app_install",
    "link_clicked",
    "pressure",
]

# --- vocabulary (canonical form) -----------------------------------------------------------------
_THEY = (
    r"(?:co nguoi|nguoi ta|nguoi la|ho|ben kia|ke|ke gian|co ke|doi tuong|so la|ai do|nguoi nao do|"
    r"bon no|chung no|no|nguoi tu xung|nguoi xung|nguoi goi|co ai)"
)
_KIN = (
    r"(?:con(?: trai| gai)?|chong|vo|bo|me|ba|ong|chau|nguoi nha|nguoi than|"
    r"em(?: trai| gai)|anh trai|chi gai)"
)
_AUTH = (
    r"(?:cong an|canh sat|toa an|toa|vien kiem sat|ngan hang|dien luc|evn|thue|bhxh|bao hiem xa hoi|"
    r"bao hiem|nha mang|viettel|vinaphone|mobifone|buu dien|hai quan|chinh quyen|can bo|nhan vien)"
)
_SECRET = (
    r"(?:otp|ma (?:otp|xac thuc|xac nhan|kich hoat|bao mat|pin|so|\w+ so)|mat khau|mk|so the|stk|"
    r"so tai khoan|ma pin)"
)
_THREAT = r"(?:doa|de doa|tong tien|khung bo|uy hiep|dot nha|tung (?:anh|clip|video|hinh)|ghep (?:anh|mat))"
_MONEY_ACT = (
    r"(?:chuyen (?:tien|khoan|nham|so tien|het|cho)|gui (?:tien|so tien)|nap (?:tien|so tien|vao)|"
    r"dat coc|coc|dong tien|nop tien|thanh toan)"
)
_SCAM_CONTEXT = (
    r"(?:nguoi la|lua dao|lua|ke gian|ke|tai khoan la|so la|nguoi goi|tu xung|xung la|xung|chan|block|"
    r"khong lien lac|bien mat|tat may|doi them|bat nap|nguoi tren|tren (?:mang|facebook|zalo)|shop online)"
)

# Someone pushing the learner to act ("bảo", "bắt", "yêu cầu", "ép", "giục", "dọa", "kêu", "dụ",
# "xúi", "xin"), not "bảo vệ", "thông báo", "cảnh báo", "bắt đầu", "bất động sản", "xin hỏi".
_PRESSURE = (
    r"(?<!thong )(?<!canh )(?:bao(?! (?:ve|mat|nhieu|gio|hiem|cao|luc|lau|quan|tri|dam|hanh|dong))|"
    r"bat(?! (?:dau|buoc|gap|dong san))|noi(?! chuyen(?! khoan| tien))|yeu cau|ep|giuc|doa|keu|du|xui|xin)"
)
_FILLER = (
    r"(?:(?:toi|minh|em|anh|chi|con|co|chu|bac|me|bo|vo|chong|nguoi|nha|ho|phai|di|ngay|luon|"
    r"them|lai|gap|mot|1|so|sang|qua|vao|cho|de|hay|la|nay|cai|cai do|gium|ho|giup|truoc|het) ){0,4}"
)
_ACTION = (
    r"(?:chuyen (?:tien|khoan|so tien)|nap (?:tien|the|them|so tien)|gui (?:tien|so tien|link)|"
    r"dong (?:tien|phi)|dat coc|nop (?:tien|phi|thue|phat)|tra phi|mua the|"
    r"doc (?:ma|so|otp|stk|so the|so tai khoan)|gui (?:ma otp|otp)|dua (?:ma|otp)|"
    r"cung cap (?:ma|otp|mat khau|so the|thong tin|stk)|"
    r"cai (?:dat )?(?:app|apk|phan mem|ung dung|file)|cai de|tai (?:app|apk|phan mem|ung dung)|"
    r"(?:bam|nhan|an|click) (?:vao )?(?:link|duong dan|duong link|phim)|"
    r"quet ma|chia se man hinh|ra (?:cay )?atm|ra ngan hang|lam theo|giu bi mat|"
    r"khong (?:duoc )?(?:cup|tat) may|otp|mat khau|stk)"
)
_CLAIM = (
    r"(?:no (?:tien|cuoc)|cat (?:dien|nuoc|sim|song)|khoa (?:sim|the|tai khoan)|bi khoa|trieu tap|rua tien|"
    r"ma tuy|vu an|dinh (?:vu|den|liu)|lien quan|nghi pham|tam giu|tai khoan an toan|chuan hoa|"
    r"cap nhat thong tin|phim \d|bam phim|nhan phim|link|cai (?:app|ung dung|phan mem|dat)|quyet toan|"
    r"hoan tien|hoan thue|nhan tien|truy na|bat giam|khoi to)"
)
_ACCOUNT = r"(?:zalo|facebook|nick|tai khoan|acc|messenger|gmail|email|dien thoai|sim|instagram|tiktok|the)"


@dataclass(frozen=True)
class _Rule:
    kind: ScamKind
    all_of: tuple[re.Pattern[str], ...]


def _rule(kind: ScamKind, *patterns: str) -> _Rule:
    return _Rule(kind, tuple(re.compile(p) for p in patterns))


# In priority order: the first rule that matches names the kind (what already happened first).
_RULES: tuple[_Rule, ...] = (
    # Money already gone: "lỡ ck cho bên lừa đảo rồi", "vừa mất 50 triệu", "em bị lừa mất 3 triệu"
    _rule("money_sent", r"\b(?:vua|lo|da|moi|roi|xong|trot)\b", rf"\b{_MONEY_ACT}\b", rf"\b{_SCAM_CONTEXT}\b"),
    _rule(
        "money_sent",
        rf"\b{_MONEY_ACT} (?:\w+ )?(?:cho|vao|sang) (?:tai khoan |1 |mot )?"
        r"(?:nguoi la|ke lua dao|ben lua dao|lua dao|so la|tai khoan la|ke gian)\b",
    ),
    _rule("money_sent", r"\b(?:bi|vua|da|moi) mat (?:het )?(?:so tien|tien)\b"),
    _rule("money_sent", r"\bbi lua(?: dao)? (?:roi|mat|het|so tien|chuyen|nap|gui|tien)\b"),
    _rule(
        "money_sent",
        r"\b(?:dang|vua|moi|da|toi|minh|em|mk|hinh nhu|chac|co le|nghi|so) (?:la )?(?:da )?(?:bi|dang bi) lua\b",
    ),
    # Hacked accounts and unexplained debits
    _rule(
        "hacked",
        rf"\b{_ACCOUNT}\b (?:\w+ ){{0,6}}?bi (?:\w+ ){{0,2}}?(?:hack|chiem|mat quyen|nguoi khac|dieu khien|tru|lay mat)\b",
    ),
    _rule("hacked", r"\b(?:bi|bao) tru (?:tien|so tien)\b"),
    _rule("hacked", r"\btu (?:dong )?(?:chuyen|tru|mat) (?:tien|so tien|di)\b"),
    _rule("hacked", r"\bmat quyen (?:truy cap|dang nhap|kiem soat)\b"),
    _rule("hacked", r"\bbi (?:hack|chiem) (?:mat )?(?:zalo|facebook|nick|tai khoan)\b"),
    _rule(
        "hacked",
        r"\b(?:nguoi khac|ai do|nguoi la|co nguoi|ke) (?:\w+ ){0,2}?(?:dang nhap|dung|su dung|lay) "
        r"(?:\w+ ){0,3}?(?:zalo|facebook|nick|tai khoan)\b",
    ),
    # A stranger's page or app already used: "lỡ bấm link lạ", "vừa đăng nhập vào trang giả"
    _rule(
        "link_clicked",
        r"\b(?:vua|da|moi) (?:dang nhap|nhap|dien|bam|an|click)\b (?:\w+ ){0,6}?(?:gia|la|lua dao|ho gui)\b",
    ),
    _rule(
        "link_clicked",
        r"\blo (?:tay )?(?:bam|an|click|nhap|dien|dang nhap|cung cap|vao) (?:\w+ ){0,4}?"
        r"(?:link|duong dan|duong link|trang|web|mat khau|so the|stk|thong tin)\b",
    ),
    _rule("app_install", r"\blo (?:tay )?(?:cai|tai) (?:\w+ ){0,2}?(?:app|apk|ung dung|phan mem|file)\b"),
    _rule("otp", rf"\blo (?:tay )?(?:doc|gui|dua|cho|cung cap|nhap) (?:\w+ ){{0,2}}?{_SECRET}\b"),
    _rule("money_sent", rf"\blo (?:tay )?{_MONEY_ACT}\b"),
    # Relatives "in hospital", "held by the police", money needed at once
    _rule(
        "fake_accident",
        rf"\b{_KIN}\b (?:\w+ ){{0,5}}?(?:bi tai nan|gay tai nan|tai nan|cap cuu|nhap vien|o benh vien|bi nga|"
        r"dang mo|bi bat|bi (?:cong an )?giu|bi tam giu)\b",
        r"\b(?:tien|chuyen|chuyen khoan|vien phi|phi|boi thuong|nop phat|mo)\b",
    ),
    _rule(
        "fake_accident",
        rf"\b{_KIN}\b (?:\w+ ){{0,5}}?(?:bi tai nan|gay tai nan|cap cuu|nhap vien|o benh vien|bi bat|bi giu)\b",
        r"\b(?:nguoi la|so la|co nguoi|nguoi ta|ai do|co ai) (?:\w+ ){0,2}?(?:goi|nhan tin|nhan|bao|noi)\b",
    ),
    # Threats and blackmail
    _rule("threat", rf"\b(?:bi|dang bi)\b (?:\w+ ){{0,3}}?{_THREAT}\b"),
    _rule("threat", rf"\b{_THEY}\b (?:\w+ ){{0,3}}?{_THREAT}\b"),
    _rule("threat", rf"\b{_THREAT} (?:\w+ ){{0,2}}?(?:toi|minh|em|ca nha|nha toi|gia dinh)\b"),
    # One-time codes asked for or given
    _rule(
        "otp",
        rf"\b(?:doi|xin|hoi|lay|muon|can)\b (?:\w+ ){{0,3}}?{_SECRET}\b",
        r"\b(?:co nguoi|nguoi ta|nguoi la|ho|ben kia|ke|nhan vien|shipper|ai do|so la|nguoi goi)\b",
    ),
    _rule(
        "otp",
        r"\b(?:doc|gui|dua|cho|nhan tin|nhan lai|chup)\b (?:lai |cai |het |luon |ngay )?(?:cho \w+ )?"
        r"(?:otp|ma (?:otp|xac thuc|xac nhan|kich hoat|bao mat|so|\w+ so))\b",
    ),
    _rule("otp", r"\bdoc (?:lai )?(?:cai )?ma\b(?! qr)"),
    # A call going on now
    _rule(
        "call_in_progress",
        r"\bdang (?:co )?(?:(?:nguoi|ai|ho|nguoi ta|nguoi la|so la|ben kia) )?"
        r"(?:goi|nghe may|goi video|goi dien|giu may|noi chuyen)\b",
        r"\b(?:bao|bat|noi|xung|yeu cau|doi|lam theo|cup may|tat may|giu may|atm|chuyen|otp|stk|nghi pham|vu an)\b",
    ),
    _rule(
        "call_in_progress", r"\b(?:dung|khong duoc|cam|khong cho) (?:\w+ )?(?:cup may|tat may|ke voi ai|noi voi ai)\b"
    ),
    # Fake police, court, bank, utility, tax, social insurance, carrier
    _rule(
        "fake_authority",
        rf"\b(?:tu )?xung (?:la )?(?:ben |nhan vien |can bo )?(?:{_AUTH}|ca|giao vien|bac si|shipper)\b",
    ),
    _rule(
        "fake_authority", rf"\b{_AUTH}\b (?:\w+ ){{0,3}}?(?:goi|nhan tin|nhan|bao|noi|gui tin|gui)\b", rf"\b{_CLAIM}\b"
    ),
    _rule("fake_authority", rf"\b{_AUTH}\b (?:\w+ ){{0,3}}?{_CLAIM}\b", r"\b(?:goi|nhan tin|nhan|bao|noi|gui)\b"),
    _rule("fake_authority", r"\bmac (?:ao|do|quan phuc|sac phuc) (?:cong an|canh sat|quan doi)\b"),
    _rule(
        "fake_authority", r"\b(?:chuyen|gui|nap|dua)\b (?:\w+ ){0,3}?(?:vao|sang|qua) tai khoan (?:an toan|tam giu)\b"
    ),
    _rule("fake_authority", r"\b(?:khoi|neu khong se|khong thi) bi (?:bat|khoi to|truy na|bat giam)\b"),
    # Parcels "held", couriers asking for money first
    _rule(
        "courier",
        r"\b(?:buu pham|buu kien|goi hang|don hang|kien hang|hang)\b (?:\w+ ){0,4}?(?:bi giu|bi tam giu|giu)\b",
        r"\b(?:phi|thue|chuyen|dong|nop)\b",
    ),
    _rule(
        "courier",
        r"\b(?:shipper|nguoi giao hang|giao hang|buu dien)\b",
        r"\b(?:bao|bat|yeu cau|doi|phai)\b (?:\w+ ){0,6}?(?:chuyen (?:tien|khoan)|dong phi|bam (?:vao )?link|quet ma)",
    ),
    # Prizes that cost a fee
    _rule(
        "prize",
        r"\btrung (?:thuong|giai|qua|iphone|xe|dien thoai|so tien|tien|sh|laptop|\w+ (?:thuong|giai))\b",
        r"\b(?:phi|thue|chuyen (?:tien|khoan|phi)|mua the|nap the|the cao|dat coc|bao hiem|dong tien|nop tien)\b",
    ),
    _rule("prize", r"\bnhan qua\b", r"\b(?:phai|bat|yeu cau)\b (?:\w+ ){0,3}?(?:chuyen|dong|nop|nap|mua)\b"),
    # "Tasks", trading platforms and "jobs" that keep the money
    _rule(
        "task_job",
        r"\b(?:khong|chua) (?:cho )?rut (?:\w+ )?(?:duoc|tien|ra)\b|\bbi giu (?:lai )?tien\b|\bgiu tien\b",
        r"\b(?:nap|dong|nop|bat|phi|thue|nhiem vu|san|dau tu)\b",
    ),
    # Apps and screen sharing on a stranger's word
    _rule("app_install", r"\b(?:file |tep )?apk\b", r"\b(?:gui|bat|bao|cai|tai|nhan)\b"),
    _rule("app_install", r"\b(?:ho|nguoi ta|nguoi la|ben kia|co nguoi) (?:dang )?huong dan (?:toi|minh|em)\b"),
    # Anyone pushing to pay, read a code, install or tap: "có người bảo tôi chuyển tiền"
    _rule("pressure", rf"\b{_PRESSURE} {_FILLER}{_ACTION}\b"),
    _rule(
        "pressure",
        r"\b(?:dang|vua|moi) (?:goi|nhan tin|nhan duoc (?:tin nhan|cuoc goi)) (?:\w+ ){0,4}?"
        r"(?:chuyen (?:tien|khoan)|nap tien|otp|link|cai app|cai ung dung|mat khau|tai khoan)\b",
    ),
    _rule(
        "pressure",
        r"\b(?:co nguoi|nguoi la|so la|nguoi ta|ho|ben kia) (?:\w+ ){0,3}?(?:goi|nhan tin) (?:\w+ ){0,4}?"
        r"(?:chuyen (?:tien|khoan)|nap tien|otp|link|cai app|cai ung dung|mat khau|tai khoan)\b",
    ),
)

# --- questions about scams, not scams happening -------------------------------------------------
_LEARNING = re.compile(
    r"\b(?:la gi|the nao la|nhan biet|nhan dien|phong tranh|phong chong|phong ngua|de khong bi|khong bi|"
    r"tranh (?:bi|lua|cuoc)|dau hieu|(?:cac |nhung )?chieu (?:lua|tro|thuc|moi)|kieu lua|thu doan|vi du|"
    r"co phai|tai sao|vi sao|la sao|do dau|phap luat|theo luat|bi phat|nguy hiem|co that|gia danh|gia mao|"
    r"bai hoc|hoc bai|day (?:bo|me|ong|ba|cho)|dan (?:bo|me|ong|ba)|meo|hay bi)\b"
)
# Something shows it is happening to this learner now.
_NOW = re.compile(r"\b(?:dang|vua|moi|roi|ho|nguoi ta|ben kia|co nguoi|lo(?! ma| bi)|xong|nghi)\b")
_HYPOTHETICAL = re.compile(r"\b(?:neu(?! khong)|gia su|lo ma|phong khi|trong truong hop|gia nhu)\b|^khi\b")
_HAPPENED = re.compile(r"\b(?:dang|vua|roi)\b")
_YES_NO = re.compile(r"(?:^|\s)co (?:\w+ ){0,10}?(?:khong|chua)$")
_THEN = re.compile(r"\bthi\b")
_PERSONAL = re.compile(r"\b(?:toi|minh|em|mk|cua toi|ho|nguoi ta|ben kia|dang|vua|roi|moi)\b")


def _is_about_scams(folded: str) -> bool:
    """True for a question about scams in general, hypothetical, or for learning."""
    if _HYPOTHETICAL.search(folded) and not _HAPPENED.search(folded):
        return True
    now = _NOW.search(folded) is not None
    if _LEARNING.search(folded) and not now:
        return True
    if _YES_NO.search(folded) and not now:
        return True
    # "bị hack Zalo thì lấy lại thế nào": a condition about nobody in particular.
    return _THEN.search(folded) is not None and not _PERSONAL.search(folded)


def scam_kind(text: str) -> ScamKind | None:
    """The kind of scam happening to the learner now, or None (see the module docstring)."""
    if not text or not text.strip():
        return None
    folded = canonical(text)
    if not folded:
        return None
    for rule in _RULES:
        if all(p.search(folded) for p in rule.all_of):
            return None if _is_about_scams(folded) else rule.kind
    return None


def is_scam_in_progress(text: str) -> bool:
    """True when the message reads like a scam happening to the learner now.

    Works with or without tone marks, with teencode ("co ng bao t ck"), typos and voice typing.
    """
    return scam_kind(text) is not None


# --- what to tell the learner -------------------------------------------------------------------
_SAFETY_STEPS = (
    "⚠️ Làm ngay:\n"
    "1. Gọi tổng đài ngân hàng của bạn (số in trên thẻ hoặc trong ứng dụng chính thức) "
    "để khóa tài khoản và tra soát, chặn khoản tiền đã chuyển.\n"
    "2. Không chuyển tiền nữa. Không đưa mã OTP, mật khẩu cho bất kỳ ai.\n"
    "3. Báo công an: gọi 113 hoặc đến công an nơi gần nhất. Giữ lại tin nhắn, số điện thoại, biên lai."
)

# One line for the situation, after the steps; then the matching lesson.
_KIND_TIPS: dict[ScamKind, str] = {
    "money_sent": "Gọi ngân hàng càng sớm càng dễ chặn được tiền. Ai hứa «lấy lại tiền giúp» mà đòi phí cũng là lừa đảo.",
    "call_in_progress": "Cúp máy ngay. Công an, ngân hàng thật không làm việc, không đòi tiền qua điện thoại.",
    "otp": "Mã OTP là chìa khóa tài khoản của bạn: ngân hàng, công an, người giao hàng không bao giờ hỏi.",
    "hacked": "Đổi mật khẩu trong ứng dụng chính thức và báo bạn bè: đừng chuyển tiền cho ai mượn qua tin nhắn.",
    "threat": "Đừng trả tiền cho kẻ đe dọa: trả rồi họ sẽ đòi thêm. Chụp lại tin nhắn làm bằng chứng.",
    "fake_accident": "Tự gọi cho người thân, nhà trường hoặc bệnh viện để kiểm tra trước khi chuyển bất cứ đồng nào.",
    "fake_authority": "Công an, tòa án, ngân hàng, điện lực không đòi tiền, không bắt cài ứng dụng qua điện thoại.",
    "courier": "Không chuyển khoản trước cho người giao hàng. Kiểm tra đơn trong chính ứng dụng mua sắm.",
    "prize": "Trúng thưởng mà phải đóng phí, nộp thuế trước là lừa đảo. Đừng chuyển gì cả.",
    "task_job": "Đừng nạp thêm: nạp bao nhiêu cũng không rút được.",
    "app_install": "Tắt mạng điện thoại, gỡ ứng dụng lạ, không chia sẻ màn hình với ai.",
    "link_clicked": "Đổi ngay mật khẩu đã nhập, trong ứng dụng chính thức, không qua đường link.",
    "pressure": "Ai bảo bạn chuyển tiền, đọc mã hay cài ứng dụng qua điện thoại đều là lừa đảo: dừng lại.",
}

# The lesson to offer after the steps, by kind.
_KIND_LESSONS: dict[ScamKind, str] = {
    "money_sent": "lua-dao-05",
    "call_in_progress": "lua-dao-01",
    "otp": "internet-an-toan-02",
    "hacked": "lua-dao-05",
    "threat": "lua-dao-05",
    "fake_accident": "lua-dao-01",
    "fake_authority": "lua-dao-01",
    "courier": "mua-sam-05",
    "prize": "lua-dao-01",
    "task_job": "lua-dao-02",
    "app_install": "lua-dao-04",
    "link_clicked": "lua-dao-05",
    "pressure": "lua-dao-01",
}


@dataclass(frozen=True)
class ScamTriage:
    """What to answer a scam in progress: the steps, one line for the situation, a lesson to open."""

    kind: ScamKind
    text: str
    lesson_id: str


def safety_steps() -> str:
    """The safety steps for a scam in progress, in short Vietnamese, most urgent first."""
    return _SAFETY_STEPS


def triage(text: str) -> ScamTriage | None:
    """The reply to a scam in progress (steps first, then a line for its kind), or None if there is none.

    The caller offers `lesson_id` after the text (a button), when the course has that lesson.
    """
    kind = scam_kind(text)
    if kind is None:
        return None
    return ScamTriage(kind, f"{_SAFETY_STEPS}\n{_KIND_TIPS[kind]}", _KIND_LESSONS[kind])
