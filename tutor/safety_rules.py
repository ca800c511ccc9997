"""The scam detector's rules, on the canonical form of `tutor.safety_text` (see `tutor.safety`).

Each rule is a set of patterns that must all match; the first rule that matches names the kind.
Then one filter switches the match off for questions *about* scams: learning words, hypotheticals,
general yes/no questions, a danger already averted — unless something shows it is happening now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

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
    "lost_phone",
    "gift_fee",
]

# --- vocabulary (canonical form) -----------------------------------------------------------------
_THEY = (
    r"(?:co nguoi|nguoi ta|nguoi la|ho|ben kia|ke|ke gian|co ke|doi tuong|so la|ai do|nguoi nao do|"
    r"bon no|chung no|no|nguoi tu xung|nguoi xung|nguoi goi|co ai|dau day|so nuoc ngoai)"
)
_KIN = (
    r"(?:con(?: trai| gai)?|chong|vo|bo|me|ba|ong|chau|nguoi nha|nguoi than|"
    r"em(?: trai| gai)|anh trai|chi gai)"
)
_AUTH = (
    r"(?:cong an|canh sat|toa an|toa|vien kiem sat|ngan hang|dien luc|evn|thue(?! bao(?! toi| minh| em))|bhxh|bao hiem xa hoi|"
    r"bao hiem|nha mang|viettel|vinaphone|mobifone|buu dien|hai quan|chinh quyen|can bo|nhan vien|"
    r"dai uy|trung uy|thuong uy|thieu ta|trung ta|thuong ta|dieu tra vien)"
)
_SECRET = (
    r"(?:otp|ma (?:otp|xac thuc|xac nhan|kich hoat|bao mat|pin|so|\w+ so)|mat khau|mk|so the|stk|"
    r"so tai khoan|ma pin|cvv|ma cvv|so can cuoc|can cuoc|mat sau the)"
)
_THREAT = (
    r"(?:doa|de doa|tong tien|khung bo|uy hiep|dot nha|tung (?:anh|clip|video|hinh)|ghep (?:anh|mat)|"
    r"doi no|lam am|bung (?:anh|clip))"
)
_MONEY_ACT = (
    r"(?:chuyen (?:tien|khoan|nham|so tien|het|cho)|gui (?:tien|so tien)|nap (?:tien|so tien|vao)|"
    r"dat coc|coc|dong (?:so )?tien|dong so tien|nop (?:so )?tien|thanh toan)"
)
_SCAM_CONTEXT = (
    r"(?:nguoi la|lua dao|lua|ke gian|ke|tai khoan la|so la|nguoi goi|tu xung|xung la|xung|chan|block|"
    r"khong lien lac|bien mat|tat may|doi them|bat nap|nguoi tren|tren (?:mang|facebook|zalo|tiktok)|shop online|"
    r"xoa (?:nick|tai khoan|facebook|zalo)|khoa nick|khong (?:tra loi|nghe may)|mat tich|khong giao|"
    r"khong thay (?:\w+ )?(?:lien lac|tra loi|phan hoi)|mat lien lac|khong co don(?: hang)?|khong (?:he )?dat (?:gi|hang|don))"
)

# Someone pushing the learner to act ("bảo", "bắt", "yêu cầu", "ép", "giục", "dọa", "kêu", "dụ",
# "xúi", "xin"), not "bảo vệ", "thông báo", "cảnh báo", "bắt đầu", "bất động sản", "xin hỏi".
_PRESSURE = (
    r"(?<!thong )(?<!canh )(?:bao(?! (?:ve|mat|nhieu|gio|hiem|cao|luc|lau|quan|tri|dam|hanh|dong))|"
    r"bat(?! (?:dau|buoc|gap|dong san))|noi(?! chuyen(?! khoan| tien))|yeu cau|ep|giuc|doa|keu|du|xui|xin|"
    r"nho(?= (?:toi|minh|em) (?:nhan|chuyen|mo|gui|doc)))"
)
_FILLER = (
    r"(?:(?:toi|minh|em|anh|chi|con|co|chu|bac|me|bo|vo|chong|nguoi|nha|ho|phai|di|ngay|luon|"
    r"them|lai|gap|mot|1|so|sang|qua|vao|cho|de|hay|la|nay|cai|cai do|gium|ho|giup|truoc|het) ){0,4}"
)
_ACTION = (
    r"(?:chuyen (?:gap |ngay |luon )?(?:tien|khoan|so tien|tra|lai|them|het)|chuyen (?:vao|sang|qua) (?:so )?(?:tai khoan|stk|vi)|"
    r"nap (?:tien|the|them|so tien)|gui (?:tien|so tien|link)|thanh toan|vay|mo (?:app|tai khoan|ung dung)|"
    r"(?:dong|nop|tra) (?:\w+ )?(?:tien|so tien|phi)|nhan (?:tien )?ho|vao (?:link|duong link|trang)|"
    r"quay (?:video|clip|mat)|chup (?:anh )?(?:mat|can cuoc|the)|xac minh khuon mat|doc so can cuoc|"
    r"dong (?:tien|phi)|dat coc|nop (?:tien|phi|thue|phat)|tra phi|mua the|"
    r"doc (?:ma|so|otp|stk|so the|so tai khoan)|gui (?:ma otp|otp)|dua (?:ma|otp)|"
    r"cung cap (?:ma|otp|mat khau|so the|thong tin|stk)|"
    r"cai (?:dat )?(?:app|apk|phan mem|ung dung|file)|cai de|tai (?:app|apk|phan mem|ung dung)|"
    r"(?:bam|nhan|an|click) (?:vao )?(?:link|duong dan|duong link|phim|so)|"
    r"quet ma|chia se man hinh|ra (?:cay )?atm|ra ngan hang|lam theo|giu bi mat|"
    r"khong (?:duoc )?(?:cup|tat) may|otp|mat khau|stk)"
)
_CLAIM = (
    r"(?:no (?:tien|cuoc)|cat (?:dien|nuoc|sim|song)|khoa (?:sim|the|tai khoan)|bi khoa|trieu tap|rua tien|"
    r"ma tuy|vu an|dinh (?:vu|den|liu)|lien quan|nghi pham|tam giu|tai khoan an toan|chuan hoa|"
    r"cap nhat thong tin|phim \d|bam phim|nhan phim|link|cai (?:app|ung dung|phan mem|dat)|quyet toan|"
    r"hoan tien|hoan thue|nhan tien|truy na|bat giam|khoi to|khoan vay|kien ra toa)"
)
_ACCOUNT = r"(?:zalo|facebook|nick|tai khoan|acc|messenger|gmail|email|dien thoai|sim|instagram|tiktok|the)"


_PHONE = r"(?:dien thoai|iphone|smartphone|dtdd|may(?! tinh| in| anh| giat| lanh))"
# "mất điện thoại", "bị móc túi", "đánh rơi máy", "điện thoại bị giật" — not "mất sóng", "mất tiếng".
_LOST_PHONE = (
    rf"\b(?:(?:bi |vua |da )?mat (?:cai |chiec |luon |het )?{_PHONE}|danh roi (?:cai |chiec |mat )?{_PHONE}|"
    rf"(?:bi|vua bi) (?:trom|cuop|giat|moc tui|moc|lay cap|lay mat) (?:\w+ ){{0,2}}?{_PHONE}|bi moc tui|"
    rf"{_PHONE} (?:\w+ ){{0,2}}?bi (?:mat|trom|cuop|giat|moc|lay cap|lay mat)(?! (?:tieng|song|ket noi|wifi|mang|"
    r"du lieu|anh|hinh|danh ba|chu|am thanh|nguon|4g|3g|5g|bluetooth|pin|sac|man hinh|quyen|cap|dinh vi))"
    r"|\bthat lac (?:\w+ )?(?:dien thoai|may))\b"
)
LOST_PHONE = re.compile(_LOST_PHONE)
# ... and it happened to this learner, not a question about phones in general.
_LOST_NOW = (
    r"\b(?:roi|vua|moi|da|hom qua|sang nay|dem qua|toi qua|chieu qua|luc nay|hom nay|luc|toi|minh|em|mk|"
    r"cua toi|bi moc tui|bi trom|bi cuop|bi giat)\b"
)


@dataclass(frozen=True)
class _Rule:
    kind: ScamKind
    all_of: tuple[re.Pattern[str], ...]
    none_of: re.Pattern[str] | None = None

    def matches(self, folded: str) -> bool:
        """All patterns found and the exclusion (if any) not."""
        if self.none_of is not None and self.none_of.search(folded):
            return False
        return all(p.search(folded) for p in self.all_of)


def _rule(kind: ScamKind, *patterns: str, unless: str | None = None) -> _Rule:
    return _Rule(kind, tuple(re.compile(p) for p in patterns), re.compile(unless) if unless else None)


# Fees and charges the bank takes every month are not thefts.
_FEES = r"\b(?:phi|hang thang|moi thang|thang nao|phi sms|phi duy tri|phi thuong nien)\b"


# In priority order: the first rule that matches names the kind (what already happened first).
RULES: tuple[_Rule, ...] = (
    # Money already gone: "lỡ ck cho bên lừa đảo rồi", "vừa mất 50 triệu", "em bị lừa mất 3 triệu"
    _rule("money_sent", r"\b(?:vua|lo|da|moi|roi|xong|trot)\b", rf"\b{_MONEY_ACT}\b", rf"\b{_SCAM_CONTEXT}\b"),
    _rule(
        "money_sent",
        rf"\b{_MONEY_ACT} (?:\w+ )?(?:cho|vao|sang) (?:tai khoan |1 |mot )?"
        r"(?:nguoi la|ke lua dao|ben lua dao|lua dao|so la|tai khoan la|ke gian)\b",
    ),
    _rule("money_sent", r"\blua (?:lay|mat|het|chuyen) (?:\w+ )?(?:tien|so tien)\b"),
    _rule("money_sent", r"\b(?:toi|minh|em|mk) (?:\w+ )?bi (?:\w+ ){1,6}?lua(?! dao)\b"),
    _rule("task_job", r"\bbi doi (?:phi|tien|so tien)\b", r"\b(?:vay|giai ngan|rut|nhiem vu|san)\b"),
    _rule("money_sent", r"\b(?:ve|con) (?:0|khong|so tien) ?(?:dong)?$|\bbay mau\b|\bsach tien\b"),
    _rule("money_sent", r"\b(?:bi|vua|da|moi) mat (?:het )?(?:so tien|tien)\b"),
    _rule("money_sent", r"\bbi lua(?: dao)? (?:roi|mat|het|so tien|chuyen|nap|gui|tien)\b"),
    _rule(
        "money_sent",
        r"\b(?:dang|vua|moi|da|toi|minh|em|mk|hinh nhu|chac|co le|nghi) (?:la )?(?:da )?(?:bi|dang bi) lua\b",
    ),
    # A phone lost or stolen: its SIM, bank apps and accounts are at stake (before "hacked")
    _rule("lost_phone", _LOST_PHONE, _LOST_NOW),
    # QR codes of a courier, fees to receive a "gift", police and courts on a video call
    _rule(
        "courier",
        r"\b(?:shipper|nguoi giao hang|giao hang|buu dien|nguoi giao)\b",
        r"\bquet (?:ma )?qr\b|\bquet ma\b",
        r"\b(?:mat|tru) (?:het |sach |luon |mat )?(?:so tien|tien)\b|\bbi (?:tru|lua)\b|\bkhong (?:he )?dat\b",
    ),
    # "mất 5 củ rồi", "vừa mất 700k", "tk mất 2 triệu" — not a price ("mất 5k phí", "mất 50k một tháng")
    _rule(
        "money_sent",
        r"\b(?:(?:bi|vua|da|moi|tai khoan|the|vi) (?:\w+ )?mat (?:het |sach |luon )?so tien|"
        r"mat (?:het |sach |luon )?so tien (?:roi|trong|tu|o|oi|ad|huhu|luon|that|vi|do|khi|sau|ma|oan)|"
        r"mat (?:het |sach )so tien)\b",
        unless=r"\b(?:phi|moi thang|hang thang|mot thang|1 thang|thang nao)\b",
    ),
    _rule(
        "gift_fee",
        r"\b(?:phi|thue|tien) hai quan\b|\bhai quan\b (?:\w+ ){0,5}?(?:phi|thue|giu)\b",
        r"\b(?:dong|nop|chuyen|tra|gui) (?:\w+ )?(?:phi|thue|tien|so tien)\b|\b(?:bat|nho|yeu cau|phai|doi) (?:\w+ ){0,2}?(?:dong|nop|chuyen|tra)\b",
        r"\b(?:qua|kien hang|buu pham|buu kien|goi hang|hang|nguoi yeu|ban trai|ban gai|nuoc ngoai|tren mang|qua mang)\b",
    ),
    _rule(
        "fake_authority",
        r"\b(?:cong an|canh sat|toa an|toa|vien kiem sat|kiem sat vien|dieu tra vien|thanh tra)\b",
        r"\b(?:zalo|messenger|facebook|viber|telegram) (?:\w+ )?video\b|\bvideo (?:call|zalo|qua zalo)\b"
        r"|\bgoi (?:video )?(?:qua )?(?:zalo|messenger|facebook|viber|telegram)\b|\bqua (?:zalo|messenger|facebook)\b",
        r"\b(?:goi|nhan tin|bao|moi|bat|yeu cau|lam viec|doc)\b",
    ),
    _rule(
        "fake_authority",
        rf"\b(?:gia danh|mao danh|gia mao|gia lam|tu xung) (?:la )?(?:\w+ )?{_AUTH}\b",
        r"\b(?:bat|bao|doi|ep|yeu cau|doa|keu|goi|nhan tin)\b",
    ),
    # Hacked accounts and unexplained debits
    _rule(
        "hacked",
        rf"\b{_ACCOUNT}\b (?:\w+ ){{0,6}}?bi (?:\w+ ){{0,2}}?(?:hack|chiem|mat quyen|nguoi khac|dieu khien|tru|lay mat|doi (?:mat khau|so dien thoai|email)|"
        r"chuyen (?:het |sach |di )?(?:tien|so tien))\b",
        unless=_FEES,
    ),
    _rule("hacked", r"\b(?:bi|bao) tru (?:mat |het )?(?:tien|so tien)\b", unless=_FEES),
    _rule(
        "hacked",
        r"\b(?:bi|vua|da|ho|nguoi ta|ke|ai do|no|chung no) (?:\w+ ){0,2}?(?:rut|lay|tru|hack|chiem|cuom|an cap|"
        r"danh cap|mat(?! khau)) (?:sach |het |mat |duoc |luon )?(?:\w+ )?(?:tien|so tien|zalo|facebook|nick|acc|tai khoan|"
        r"the|vi|email|gmail)\b",
        unless=_FEES,
    ),
    _rule("hacked", r"\b(?:ai do|nguoi la|ke|nguoi khac|ho) (?:vua |da )?doi mat khau\b"),
    _rule("hacked", r"\b(?:dung|lay) (?:\w+ ){0,3}?(?:cua toi|cua minh|cua em) (?:de )?(?:vay|muon|lua)\b"),
    _rule("hacked", r"\btu (?:dong )?(?:chuyen|tru|mat) (?:tien|so tien|di)\b"),
    _rule("hacked", r"\bdang nhap (?:tu |tren |o |bang )?(?:thiet bi|may|dien thoai) la\b"),
    _rule("hacked", r"\bbi phong toa\b", r"\b(?:nhan tien|nguoi la|ho|nho)\b"),
    _rule(
        "hacked",
        r"\b(?:toi|minh|em|vua|da) (?:\w+ )?bi mat (?:dien thoai|the|vi)\b",
        r"\b(?:ngan hang|app|vi dien tu|momo)\b",
    ),
    _rule(
        "hacked",
        r"\b(?:nguoi la|ai do|ke|nguoi khac|ho|co nguoi) (?:\w+ ){0,2}?dieu khien (?:\w+ )?(?:dien thoai|may|man hinh)\b",
    ),
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
        # someone asks, or it is urgent: not "bố tôi nằm viện, muốn chuyển tiền cho em gái thế nào"
        r"\b(?:goi|nhan tin|nhan|bao|noi|bat|doi|xin|can|gap|ngay|lien|nguoi la|so la|ho|nguoi ta|phai)\b",
    ),
    _rule(
        "fake_accident",
        rf"\b{_KIN}\b (?:\w+ ){{0,5}}?(?:bi tai nan|gay tai nan|cap cuu|nhap vien|o benh vien|bi bat|bi giu)\b",
        r"\b(?:nguoi la|so la|co nguoi|nguoi ta|ai do|co ai) (?:\w+ ){0,2}?(?:goi|nhan tin|nhan|bao|noi)\b",
    ),
    # Threats and blackmail
    _rule(
        "threat",
        rf"\b{_THREAT}\b",
        rf"\b(?:{_THEY}|toi|minh|em)\b",
        r"\b(?:tien|so tien|chuyen|tra|neu khong|khong thi)\b",
    ),
    _rule("threat", r"\b(?:doi|bat|yeu cau) (?:\w+ ){0,2}?(?:tien|so tien)\b", r"\b(?:khong thi|neu khong)\b"),
    _rule("threat", rf"\b(?:bi|dang bi)\b (?:\w+ ){{0,5}}?{_THREAT}\b"),
    _rule("threat", rf"\b{_THEY}\b (?:\w+ ){{0,6}}?{_THREAT}\b"),
    _rule("threat", rf"\b{_THREAT} (?:\w+ ){{0,2}}?(?:toi|minh|em|ca nha|nha toi|gia dinh)\b"),
    # One-time codes asked for or given
    _rule(
        "otp",
        rf"\b(?:doi|xin|hoi|lay|muon|can)\b (?:\w+ ){{0,3}}?{_SECRET}\b",
        r"\b(?:co nguoi|nguoi ta|nguoi la|ho|ben kia|ke|nhan vien|shipper|ai do|so la|nguoi goi)\b",
    ),
    _rule(
        "otp",
        r"\b(?:doc|gui|dua|cho|nhan tin|nhan lai|chup|cung cap|khai)\b (?:lai |cai |het |luon |ngay )?(?:cho \w+ )?"
        r"(?:otp|ma (?:otp|xac thuc|xac nhan|kich hoat|bao mat|so|\w+ so))\b",
    ),
    _rule("otp", r"\bdoc (?:lai )?(?:cai )?ma\b(?! qr)"),
    _rule(
        "otp",
        rf"\b(?:doc|gui|dua|cho|cung cap|nhap|khai)\b (?:\w+ ){{0,3}}?{_SECRET}\b",
        rf"\b(?:vua|da|roi|{_THEY})\b",
    ),
    # A call going on now
    _rule(
        "call_in_progress",
        r"\bdang (?:co )?(?:(?:nguoi|ai|ho|nguoi ta|nguoi la|so la|ben kia) )?"
        r"(?:goi|nghe may|goi video|goi dien|giu may|noi chuyen)\b",
        r"\b(?:bao|bat|noi|xung|yeu cau|doi|lam theo|cup may|tat may|giu may|atm|chuyen|otp|stk|nghi pham|vu an)\b",
    ),
    _rule(
        "call_in_progress",
        r"\b(?:dung|khong duoc|cam|khong cho) (?:\w+ ){0,2}?(?:cup|tat|ke voi ai|noi voi ai)\b|\bbi giu may\b",
    ),
    _rule(
        "call_in_progress",
        r"\b(?:dang|vua|phai) (?:ra|den|o) (?:ngan hang|atm|cay atm) (?:de )?(?:rut|chuyen|gui|nop)\b",
        r"\b(?:nguoi la|so la|goi|nguoi ta|ho|ben kia|xung)\b",
    ),
    # Fake police, court, bank, utility, tax, social insurance, carrier
    _rule(
        "fake_authority",
        rf"\b(?:tu )?(?:xung|(?<!tin )nhan) (?:la )?(?:ben |nhan vien |can bo )?(?:{_AUTH}|ca|giao vien|bac si|shipper)\b",
    ),
    _rule(
        "fake_authority",
        rf"\b{_AUTH}\b (?:\w+ ){{0,3}}?(?:goi|nhan tin|nhan duoc|(?<!thong )bao|noi|gui tin|gui)\b",
        rf"\b{_CLAIM}\b",
        unless=r"\blich (?:cat|mat|ngung cap) (?:dien|nuoc)\b",
    ),
    _rule(
        "fake_authority",
        rf"\b{_AUTH}\b (?:\w+ ){{0,3}}?{_CLAIM}\b",
        r"\b(?:goi|nhan tin|nhan duoc|(?<!thong )bao|noi|gui)\b",
        unless=r"\blich (?:cat|mat|ngung cap) (?:dien|nuoc)\b",
    ),
    _rule("fake_authority", r"\bmac (?:ao|do|quan phuc|sac phuc) (?:cong an|canh sat|quan doi)\b"),
    _rule(
        "fake_authority", r"\b(?:chuyen|gui|nap|dua)\b (?:\w+ ){0,3}?(?:vao|sang|qua) tai khoan (?:an toan|tam giu)\b"
    ),
    _rule("fake_authority", r"\b(?:khoi|neu khong se|khong thi) bi (?:bat|khoi to|truy na|bat giam)\b"),
    _rule(
        "fake_authority",
        r"\b(?:se|thi) bi (?:bat|khoi to|truy na|bat giam|kien|cat dien|khoa)\b",
        rf"\b{_THEY}\b",
    ),
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
    _rule(
        "fake_authority",
        rf"\b{_THEY}\b (?:\w+ ){{0,3}}?(?:goi|nhan tin|nhan)\b",
        r"\b(?:ma tuy|rua tien|vu an|trieu tap|truy na|khoi to|bat giam|nghi pham|khoan vay|kien ra toa|"
        r"duong day|mua ban nguoi|dinh (?:vao|vu|den|liu)|khoa (?:2|hai) chieu)\b",
    ),
    # Prizes that cost a fee
    _rule(
        "prize",
        r"\btrung (?:thuong|giai|qua|iphone|xe|dien thoai|so tien|tien|sh|laptop|tuyen|\w+ (?:thuong|giai))\b",
        r"\b(?:phi|thue|chuyen (?:tien|khoan|phi)|mua the|nap the|the cao|dat coc|bao hiem|van chuyen|"
        r"(?:dong|nop|chuyen|gui|nap) (?:\w+ )?(?:tien|so tien|phi))\b",
    ),
    _rule("prize", r"\bnhan qua\b", r"\b(?:phai|bat|yeu cau)\b (?:\w+ ){0,3}?(?:chuyen|dong|nop|nap|mua)\b"),
    # "Tasks", trading platforms and "jobs" that keep the money
    _rule(
        "task_job",
        r"\b(?:khong|chua) (?:cho )?rut(?: (?:\w+ )?(?:duoc|tien|ra))?\b|\bbi giu (?:lai )?tien\b|\bgiu tien\b",
        r"\b(?:nap|dong|nop|bat|phi|thue|nhiem vu|san|dau tu)\b",
    ),
    _rule(
        "task_job",
        r"\b(?:nap|dau tu|gui tien|chuyen)\b",
        r"\b(?:app|san|web|trang|nhom|ung dung)\b (?:\w+ ){0,3}?(?:sap|bay|bien mat|dong cua|khoa tai khoan|khong cho rut)\b",
    ),
    _rule(
        "pressure",
        rf"\b{_THEY}\b",
        r"\bphai (?:nop|dong|chuyen|tra|nap) (?:\w+ )?(?:phi|tien|thue|so tien|truoc)\b",
    ),
    # Apps and screen sharing on a stranger's word
    _rule("app_install", r"\b(?:file |tep )?apk\b", r"\b(?:gui|bat|bao|cai|tai|nhan)\b"),
    _rule("app_install", r"\b(?:ho|nguoi ta|nguoi la|ben kia|co nguoi) (?:dang )?huong dan (?:toi|minh|em)\b"),
    # Done as a stranger said: "nghe theo họ cài ứng dụng", "chuyển tiền theo lời người gọi"
    _rule(
        "pressure",
        r"\b(?:nghe|lam) theo (?:loi )?(?:ho|nguoi ta|nguoi la|ben kia|nguoi goi|huong dan cua ho)\b"
        r"|\btheo (?:loi|huong dan cua) (?:nguoi goi|nguoi la|ho|nguoi ta|ben kia|so la)\b",
        r"\b(?:cai|chuyen|bam|doc|nap|gui|quet|dang nhap|mo|tai)\b",
    ),
    _rule("link_clicked", r"\blink\b", r"\b(?:toi|minh|em|da|lo) (?:da )?(?:bam|an|nhan|click|vao) (?:\w+ )?roi\b"),
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

# --- a net under the rules: enough kinds of cues together ----------------------------------------
_CUES: dict[str, re.Pattern[str]] = {
    "stranger": re.compile(
        rf"\b(?:{_THEY}|mao danh|gia lam|gia danh|gia mao|tu xung|xung|tu nhan|giong la|so la|ke xau)\b"
    ),
    "demand": re.compile(
        r"\b(?:bao|bat|doi(?! (?:mat khau|ten|so|sim|tra|hinh|mau|anh|may|dien thoai|ngon ngu|cai dat))|yeu cau|ep|giuc|xin|muon|khong cho|lam theo|huong dan|du|keu)\b"
    ),
    "money": re.compile(
        r"\b(?:tien|so tien|chuyen|chuyen khoan|nap|dong phi|nop|vay|coc|chuoc|phi|thue|the cao|thanh toan|stk|"
        r"ngan hang|atm|vi)\b"
    ),
    "secret": re.compile(rf"\b(?:{_SECRET}|thong tin|mat khau)\b"),
    "harm": re.compile(
        r"\b(?:(?<!quet )(?<!khuon )(?<!quay )(?<!chup )mat(?! khau| truoc| sau| bao| phi| thoi gian| ket noi| song| tieng)|lay mat|bi rut|rut (?:sach|het|mat)|"
        r"tru|hack|chiem|lua|phong toa|doa|trieu tap|chuoc|ve 0|het tien|tu nhan tin|"
        r"thiet bi la|mao danh|gia lam|gia danh|gia mao|khong lien lac)\b"
    ),
    "now": re.compile(r"\b(?:dang(?! nhap| ky| ki)|vua|moi|roi|cuu|gap|ngay|luon)\b"),
}


def cue_kind(folded: str) -> ScamKind | None:
    """ "pressure" when a stranger or a loss, a demand or a loss, money or secrets, and "now" meet."""
    found = {name for name, cue in _CUES.items() if cue.search(folded)}
    if not found & {"stranger", "harm"} or not found & {"money", "secret"}:
        return None
    return "pressure" if len(found) >= 4 else None


# --- questions about scams, not scams happening -------------------------------------------------
# Asking how to tell, what it is, how to prevent; or afraid it might happen: learning, unless it is
# going on ("đang", "vừa", "rồi").
_STRONG_LEARNING = re.compile(
    r"\b(?:la gi|the nao la|lam sao biet|sao biet|lam sao nhan ra|dau hieu|nhan biet|phong tranh|phong chong|"
    r"phong ngua|(?:sao|cach|the nao|gi) de (?:\w+ )?khong|tranh bi|nam ngoai|nam truoc|"
    r"(?:tai sao|vi sao|sao) (?:\w+ ){0,8}?la (?:lua dao|lua)$|thu doan|vi du|phap luat|theo luat|xu ly (?:the nao|ra sao|sao)|bi xu ly|"
    r"(?:hay|thuong|de) bi|hoi (?:de|cho) (?:biet|chac)|tim hieu|hoat dong (?:the nao|ra sao|nhu the nao))\b"
)
_FEAR = re.compile(r"\b(?:so|lo so|ngai|e ngai) (?:\w+ )?(?:bi|rang)\b")
_LEARNING = re.compile(
    r"\b(?:la gi|the nao la|nhan biet|nhan dien|phong tranh|phong chong|phong ngua|de khong|khong bi|"
    r"tranh (?:bi|lua|cuoc)|dau hieu|(?:cac |nhung )?chieu (?:lua|tro|thuc|moi)|kieu lua|thu doan|vi du|"
    r"co phai|tai sao|kieu gi|kieu nao|(?<!khong biet )vi sao|la sao|do dau|phap luat|theo luat|bi phat|nguy hiem|co that|gia danh|gia mao|"
    r"bai hoc|hoc bai|day (?:bo|me|ong|ba|cho)|dan (?:bo|me|ong|ba)|meo|hay bi|lam sao biet|sao biet|"
    r"lam sao nhan ra|co sao khong)\b"
)
# Something shows it is happening to this learner now.
_NOW = re.compile(
    r"\b(?:dang(?! nhap| ky| ki| tin| bai| anh)|vua|(?<!roi )moi(?! nap| vao| tham gia)|roi(?! moi)|ho|nguoi ta|ben kia|co nguoi|lo(?! ma| bi)|xong|nghi|"
    r"(?:toi|minh|em|mk) (?:\w+ )?bi|(?:bat|bao|doi|ep|yeu cau|nho|doa|keu) (?:toi|minh|em|mk|me|bo)|"
    # someone reached this learner with a demand: "nhân viên gọi bảo đọc mã", not "công an có gọi bắt ... không"
    r"(?<!co )(?:goi|nhan tin|tin nhan|goi dien) (?:\w+ ){0,3}?(?:bao|noi|bat|doi|xin|yeu cau))\b"
)
_HYPOTHETICAL = re.compile(
    r"\b(?:(?<!doa )(?<!noi )(?<!bao )neu(?! (?:\w+ )?khong)|gia su|lo ma|phong khi|trong truong hop|gia nhu)\b|^khi\b"
)
_HAPPENED = re.compile(r"\b(?:dang(?! nhap| ky| ki)|vua|roi(?! moi))\b")
_YES_NO = re.compile(r"(?:^|\s)(?:co (?:\w+ ){0,10}?(?:khong|chua)|(?:that|dung|phai|duoc) khong)$")
# A how-to for anyone: "cách lấy lại facebook bị hack", "hướng dẫn khóa sim khi mất máy".
_HOW_TO = re.compile(r"^(?:cach|huong dan|chi (?:toi |minh |em )?cach|lam (?:sao|the nao) de)\b")
# "tôi cúp máy rồi", "em xóa luôn rồi": the learner stopped it; unless it goes on ("nhưng họ vẫn gọi").
_AVERTED = re.compile(
    r"\b(?:toi|minh|em|da|nen|lien|thi) (?:da )?(?:cup may|tat may|xoa|chan|khong (?:chuyen|lam theo|bam|tra loi|nghe)|"
    r"chua (?:chuyen|bam|lam))\b|\bsuyt (?:bi|nua|thi)\b|\bbiet (?:ngay |no )?la lua\b"
)
_DONE = re.compile(r"\b(?:roi|da|xong)\b")
_STILL = re.compile(r"\b(?:nhung (?:ho|no|nguoi ta|ben kia|van|lai)|van|lai goi|tiep tuc|lai nhan)\b")
_THEN = re.compile(r"(?<!khong )\bthi\b")  # not "không thì" (a threat)
_ASKS = re.compile(r"\b(?:the nao|ra sao|lam sao|sao|gi|khong|ntn|nhu the nao|o dau)$")
_PERSONAL = re.compile(r"\b(?:toi|minh|em|mk|cua toi|ho|nguoi ta|ben kia|dang|vua|roi|moi)\b")


def is_about_scams(folded: str, kind: ScamKind) -> bool:
    """True for a question about scams in general, hypothetical, for learning, or a danger averted."""
    averted = _AVERTED.search(folded) is not None and _DONE.search(folded) is not None
    if kind not in ("money_sent", "hacked") and averted and not _STILL.search(folded):
        return True
    if _HYPOTHETICAL.search(folded) and not _HAPPENED.search(folded):
        return True
    if (_STRONG_LEARNING.search(folded) or _FEAR.search(folded)) and not _HAPPENED.search(folded):
        return True
    now = _NOW.search(folded) is not None
    if (_LEARNING.search(folded) or _HOW_TO.search(folded)) and not now:
        return True
    if _YES_NO.search(folded) and not now:
        return True
    # "bị hack Zalo thì lấy lại thế nào": a condition about nobody in particular.
    return _THEN.search(folded) is not None and not _PERSONAL.search(folded) and _ASKS.search(folded) is not None
