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
    r"quen (?:qua|tren) mang|yeu (?:qua|tren) mang|(?:nguoi yeu|ban trai|ban gai) (?:quen )?(?:qua|tren) mang|nguoi nuoc ngoai|"
    r"gov vn (?:com|net|org|info|xyz|top|cc|vip|online|site|app)|tren (?:mang|facebook|zalo|tiktok|nhom)|moi gioi|moi biet|hoa ra|khong phai (?:la )?(?:co|thay|ban)"
)
# The learner found out afterwards: "mới biết là nick giả", "hóa ra", "cô bảo không phải cô".
REVEALED = _re(
    r"moi biet|moi phat hien|moi thay|moi de y|moi nhan ra|hoa ra|ten (?:\w+ ){0,3}?khac (?:han|hoan toan|voi)|khac ten|"
    r"khong phai (?:la )?(?:no|con|anh|chi|em)(?= goi| nhan| noi|$)|"
    r"khong phai (?:la )?(?:co|thay|ban|nguoi nha)|nick gia|gia mao"
)
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
    r"gui (?:link|tin|anh|ma|qr)|(?:dang|van) (?:tren|giu) may|giu may|(?:dang|van) (?:nghe|cam) (?:may|dien thoai)|cuoc goi|ib|lien he|so la|quay trung"
)
# A push to act: "bao", "bat", "doi", "yeu cau", "xin", "nho", "huong dan" (not "bao ve", "thong bao").
_PUSH = (
    r"(?<!thong )(?<!canh )bao(?! (?:ve|mat|nhieu|gio|hiem|cao|luc|lau|tri|dam|hanh|dong|la))|"
    r"bat(?! (?:dau|buoc|dong san|coc))|doi|yeu cau|xin|nho|ep|giuc|keu|huong dan|du|noi|phai"
)
_ACT = (
    r"chuyen|ck|nap|dong(?! nghiep| y| ho| vat| hanh| bo| cua| app| ung dung| lai| vien| phuc)|nop|tra|gui|doc|cung cap|dien|nhap|bam|click|"
    r"cai(?! (?:do|nay|kia|gi|nao|ay))|tai|quet|chia se man hinh|lam theo|ket ban|ad zalo|"
    r"ra (?:cay )?atm|ra ngan hang|rut|mua|o yen|khong (?:duoc )?(?:noi|cup|tat)|dang nhap|vao (?:link|trang)|"
    r"kich hoat|xac minh|cap quyen|dong y|le phi|phi"
)
DEMAND = re.compile(rf"\b(?:{_PUSH})\b (?:{_W}){{0,4}}?(?:{_ACT})\b")
SECRET = _re(
    r"otp|ma (?:otp|xac nhan|xac minh|xac thuc|kich hoat|bao mat|so|\d+ so|\w+ so)|ma(?= (?:vua|gui ve|de|do))|"
    r"mat khau|so the|cvv|(?:sau|6|bon|4|tam|8) so(?! (?:dien thoai|tai khoan|nha|tien))"
)
THREAT = _re(
    r"doa|de doa|tong tien|khung bo|uy hiep|tung (?:anh|clip|video|hinh)|"
    r"gui (?:anh|clip|video|hinh) (?:\w+ ){0,3}?cho (?:vo|chong|gia dinh|ca nha|cong ty|nguoi than|ban be|sep|moi nguoi)|"
    r"lam am|bat coc|chuoc|giet|(?<!so )khong (?:\w+ ){0,2}?thi|neu khong|(?:se|thi|keo) bi (?:bat|khoa|cat|tuoc|phat|kien|giu)|"
    r"(?:dang|dua|gui|tung) (?:anh|hinh|clip|video) (?:\w+ ){0,2}?len (?:mang|nhom|facebook|zalo|tiktok)|"
    r"(?:nhan tin|goi|goi dien|nhan) (?:\w+ )?chui|chui boi|"
    r"(?:tung|(?:bi|se|doa) (?:dang|dua|gui)) (?:\w+ ){0,3}?len (?:mang|nhom|facebook|zalo|tiktok)|danh ba|quyt no|bom no|boi nho|beu|"
    r"cat (?:dien|nuoc|sim)|sim bi khoa|bi khoa trong"
)
AUTHORITY = _re(
    r"cong an|canh sat|toa an|toa|vien kiem sat|ngan hang|dien luc|ben dien|cong ty dien|nha mang|viettel|vietel|"
    r"vinaphone|mobifone|tong dai|thue(?! nha| phong| xe| tro| bao)|bao hiem|bhxh|can bo|phuong|xa|cong doan|nhan su|giao vien|co giao|thay|bac si|benh vien|shipper|"
    r"giao hang|buu dien|chuyen phat|hai quan|san thuong mai|shope|lazada|tiki|tiktok shop|sendo|cham soc khach hang|nhan vien|cong ty|tuyen dung"
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
    r"|\bdang nhap (?:tren |o |bang |tu )?(?:mot |1 )?(?:may|thiet bi|dien thoai) (?:khac|la)\b"
    r"|\b(?:thiet bi|may|dien thoai) (?:khac|la) (?:\w+ ){0,2}?dang nhap\b"
    rf"|\b(?:{_ACCOUNTS})\b (?:{_W}){{0,4}}?bi (?:ai do|nguoi khac|nguoi la|ke|ai) (?:dang nhap|dung|lay|doi)\b"
    r"|\bmat song\b (?:\w+ ){0,8}?(?:dang nhap|doi sim|otp|ngan hang)\b"
    rf"|\b(?:nguoi khac|ai do|ai|co nguoi|nguoi ta) (?:{_W}){{0,2}}?(?:dang nhap|dung|su dung|doi|lay)\b (?:{_W}){{0,3}}?(?:{_ACCOUNTS})\b"
    r"|\b(?:tru|rut|mat) (?:het |sach )?(?:tien|so tien)\b (?:\w+ ){0,3}?(?:ma|nhung) (?:toi|minh|em) (?:\w+ )?(?:khong|chua)"
    r"|\b(?:giao dich|tru tien) (?:\w+ ){0,2}?(?:ma|nhung) (?:toi|minh|em) (?:khong|chua)"
    r"|\bbi (?:rut|tru) sach\b|\brut sach\b"
)
# The phone acting on its own: someone else holds it.
REMOTE_HARM = _re(r"tu (?:dong )?(?:bam|di chuyen|mo|chay|bat|tat)|man hinh (?:\w+ )?tu|khong (?:\w+ )?dieu khien duoc")
REMOTE = _re(
    r"dieu khien|app dieu khien|tu (?:dong )?(?:bam|di chuyen|mo|chay)|man hinh (?:\w+ )?tu|apk|cap quyen|tro nang|"
    r"chia se man hinh"
)
TASK = _re(r"nhiem vu|san|dau tu|loi nhuan|hoa hong|chung khoan|tien ao|danh gia|chot don|ctv|cong tac vien")
# A fee asked before a benefit: a prize, a gift, a salary, a loan, a job, a refund.
FEE = _re(r"phi|le phi|thue|coc|tien coc|dat coc|bao hiem khoan vay|kich hoat|mua (?:bo )?dung cu|nap (?:them|tien)")
BENEFIT = _re(
    r"nhan (?:qua|thuong|tien|luong|giai|hang|don)|(?:tang|phat) qua|qua (?:tang|tet|tri an)|thuong|trung|luong|giai ngan|vay|viec|vao lam|"
    r"hoan (?:tien|lai)|boi thuong|tro cap|ho tro|loi nhuan|rut|gui (?:qua|vang|do|hang|kien hang|hop qua|tien) ve"
)
NOW = _re(r"dang|vua|roi|da|xong|gap|ngay|lien|gio|hom nay|chieu nay|sang nay|trong \d+ ?(?:h|gio|phut)|lien tuc")
# A win or a gift: a fee asked for one is a scam whoever asks ("được báo trúng ... phải nạp phí").
WIN = _re(r"trung|(?:tang|phat|nhan) qua|qua (?:tang|tet|tri an)|may man|tri an")
MONEY = _re(r"vay|no tien|tien|so tien|chuyen|chuyen khoan|nap|phi|coc|ngan hang|atm|tai khoan|stk|the|vien phi|chuoc")
# Pay to get one's own money or a promised sum out: "nộp tiền để mở khóa", "phí rút tiền", "nạp 30% mới rút".
UNLOCK = _re(
    r"(?:nop|dong|nap|chuyen|tra|gui) (?:\w+ ){0,4}?(?:de|moi|thi moi) (?:duoc )?(?:mo khoa|rut|giai ngan|xac minh|kich hoat)|"
    r"phi (?:mo khoa|rut|giai ngan|xac minh|kich hoat)"
)
# A party that moves the learner off the platform: "kết bạn Zalo làm theo", "add zalo".
OFF_PLATFORM = _re(
    r"(?:ket ban|ad|them|add) (?:\w+ )?(?:zalo|telegram)|(?:chuyen|nhan tin) (?:sang|qua) (?:zalo|telegram)"
)
# About to pay, or asked to stop someone who is: "chuẩn bị ck", "đang định bán đất để nạp", "cần ngăn gấp".
INTEND = _re(
    r"(?:chuan bi|sap|dinh|dang dinh|tinh) (?:\w+ ){0,2}?(?:chuyen|nap|gui tien|ban (?:dat|nha|xe|vang))|"
    r"(?:can|phai) ngan|ngan (?:gap|lai|kip)"
)
# Distress that comes with a loss: "huhu", "cứu", "chết rồi", "giờ làm sao".
DISTRESS = _re(
    r"huhu|hu hu|(?<!tra )(?<!nghien )cuu|giup (?:\w+ )?voi|chet (?:roi|toi|em)|toang|tieu roi|hoang|"
    r"gio (?:phai )?lam (?:sao|gi)|lam sao (?:bay gio|gio)"
)
# A crime the learner is said to be tied to, the opening of fake police calls.
CRIME = _re(r"ma tuy|rua tien|vu an|truy na|lenh bat|trieu tap|khoi to|dinh (?:vu|den|liu|vao)|duong day|tam giu")
# The caller wants it kept secret: "không được kể cho ai", "ở một mình trong phòng".
SECRECY = _re(
    r"(?:khong duoc|dung|cam|khong cho) (?:\w+ ){0,2}?(?:ke|noi|bao) (?:voi|cho) ai|giu bi mat|o (?:mot )?minh (?:trong )?phong"
)
# A code or password handed over: "đọc rồi", "gửi rồi", "vừa đọc", "em gửi lại".
GIVEN = _re(r"(?:da|vua|lo) (?:doc|gui|dua|nhap|cung cap)|(?:doc|gui|dua|nhap|cung cap) (?:\w+ ){0,3}?(?:roi|xong)")
# A page or link already opened and typed into: "bấm vào nhập rồi", "đang điền".
ENTERED = _re(
    r"(?:vua|da|lo|moi|dang) (?:\w+ ){0,1}?(?:bam|an|click|nhap|dien|dang nhap)|(?:bam|nhap|dien|vao) (?:\w+ ){0,3}?(?:roi|xong)"
)
ANY_LINK = _re(r"link|duong link|duong dan|gov vn")
# Money asked to borrow by message, in a hurry: the opening of a hijacked account.
BORROW = _re(r"(?:muon|vay|hoi vay|muon tam) (?:\w+ ){0,2}?(?:so tien|tien)")
HURRY = _re(r"gap|ngay|lien|cap cuu|benh vien|dang ket|dang can")
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
    if "unlock" in has and any_of("they", "demand", "scammer", "task", "win"):
        return "task_job"
    if "crime" in has and any_of("contact", "they") and any_of("now", "me", "demand"):
        return "fake_authority"
    if "secrecy" in has and any_of("contact", "they"):
        return "call_in_progress"
    if "secret" in has and "given" in has and any_of("contact", "they", "demand"):
        return "otp"
    if "any_link" in has and "entered" in has and any_of("scammer", "contact", "threat"):
        return "link_clicked"
    if "off_platform" in has and any_of("benefit", "authority") and any_of("demand", "contact"):
        return "pressure"
    if "intend" in has and "money" in has and any_of("scammer", "revealed"):
        return "pressure"
    if "borrow" in has and "contact" in has and "hurry" in has:
        return "pressure"
    if "transfer_done" in has and "distress" in has and any_of("they", "scammer", "loss", "revealed"):
        return "money_sent"
    if "remote" in has and (any_of("scammer", "they", "demand", "contact", "loss") or REMOTE_HARM.search(folded)):
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
    "unlock": UNLOCK,
    "off_platform": OFF_PLATFORM,
    "intend": INTEND,
    "distress": DISTRESS,
    "crime": CRIME,
    "secrecy": SECRECY,
    "given": GIVEN,
    "entered": ENTERED,
    "any_link": ANY_LINK,
    "borrow": BORROW,
    "hurry": HURRY,
}


def signals(folded: str) -> set[str]:
    """The names of the signals found in a canonical message (for tests and tuning reports)."""
    return {name for name, pattern in _SIGNALS.items() if pattern.search(folded)}


# --- ordinary contexts, whatever the signals ------------------------------------------------------
# Learning frames that a victim does not use: "nghe nói có kiểu lừa", "muốn biết để dặn bố mẹ".
_LEARN_FRAME = _re(
    r"nghe noi|muon biet|de dan|dan (?:bo|me|ong|ba|moi nguoi|nguoi nha)|(?:cac|may|nhung) (?:cai )?vu|"
    r"co kieu|kieu lua|phong tranh|de phong"
)
# ... unless the learner or their family is in it now, or someone is pushing the learner.
_PERSONAL_NOW = _re(
    r"(?:toi|em|minh|mk|nha toi|me toi|bo toi|vo toi|chong toi|con toi) (?:\w+ ){0,2}?(?:dang|vua|moi|da|bi)|"
    r"(?:bao|bat|doi|ep|yeu cau) (?:toi|minh|em|mk)"
)
# Over and settled: a past time and a resolution ("hồi trước bị hack, lấy lại được rồi").
_PAST = _re(
    r"tung|nam ngoai|nam roi|nam truoc|hoi truoc|truoc day|lan (?:truoc|trc)|hom truoc|tuan truoc|thang truoc|dot truoc"
)
_RESOLVED = _re(
    r"lay lai duoc|(?:da )?tra lai (?:\w+ )?(?:tien|roi)|tra xong|xong roi|da xu ly|giai quyet (?:xong|roi)|rut kinh nghiem|"
    r"da bao (?:ngan hang|cong an)|da khoa|da doi mat khau|cam on|(?:toi|em|minh) khong (?:dua|doc|gui|chuyen|bam|tin)"
)
_STILL = _re(r"van|lai goi|lai nhan|lai bi|bi nua|lan nay|vua|dang|tiep tuc|nhung (?:ho|no|nguoi ta|ben kia)")
# The learner checked the person by another channel: "gọi video thấy nó rồi", "gọi hỏi lại rồi, nó thật".
_VERIFIED = _re(
    r"goi (?:video|dien|lai) (?:\w+ ){0,4}?(?:thay|hoi lai|kiem tra|xac nhan)|hoi lai (?:roi|ky)|"
    r"(?:no|ho|ban|con|chi|anh) that|dung la (?:no|con|ban|nguoi nha)|da kiem tra"
)
# Someone the learner knows, met in person, not through a message: "đồng nghiệp nhờ", "quán ăn quen".
_KNOWN = _re(
    r"sep|truong phong|ke toan|dong nghiep|ban cung phong|ban than|chu (?:nha |phong )?tro|quan (?:\w+ )?quen|shop quen|tiem quen|nguoi quen|hang xom"
)
# A code that came because the learner is doing it: "gửi mã OTP khi em đang tự chuyển khoản".
_SELF = _re(
    r"(?:toi|em|minh|mk) (?:dang |vua )?tu (?:chuyen|dang nhap|giao dich|thanh toan|mua)|"
    r"khi (?:toi|em|minh|mk) (?:dang )?(?:tu )?(?:chuyen|dang nhap|giao dich|thanh toan)"
)
# "Is this a scam / is this normal?" about a message that asks for nothing risky.
_CHECK_Q = _re(
    r"co phai (?:la )?lua(?: dao)? (?:khong|a|ha)|la lua(?: dao)? (?:dung|phai) khong|"
    r"(?:co )?binh thuong (?:khong|a|anh|ha|dung khong)$|la binh thuong"
)
# Paid at an office or counter, face to face: not a stranger's account.
# A known person whose account, number or voice has changed is the classic impersonation ("chủ trọ
# bảo chuyển cọc vào số tài khoản mới, giọng lạ"): knowing the name proves nothing then.
_SWITCHED = _re(
    r"(?:stk|tk|tai khoan|so tai khoan)(?: \w+)? (?:la|moi|khac)|giong (?:noi )?(?:la|khac)"
    r"|doi (?:stk|so tai khoan|tai khoan|so dien thoai)|nick (?:moi|la|khac)|so (?:dien thoai )?(?:moi|la)"
)
_IN_PERSON = _re(r"qua ke toan|tai (?:quay|truong|van phong|chi nhanh)|truc tiep tai|tien mat truc tiep")
_ASKS_RISK = frozenset({"secret", "link", "any_link", "transfer_done", "off_platform", "given", "entered"})
_DANGER = frozenset(
    {"scammer", "revealed", "loss", "threat", "takeover", "remote", "crime", "distress", "unlock", "intend", "link"}
)


def ordinary_context(folded: str) -> bool:
    """True when the message, whatever its words of money or codes, is not a scam going on now.

    A learning frame, an event over and settled, a person checked by another channel, an
    acquaintance met in person, a code the learner's own transfer sent (see the patterns above).
    """
    has = signals(folded)
    danger = bool(has & _DANGER)
    if _LEARN_FRAME.search(folded) and not _PERSONAL_NOW.search(folded):
        return True
    if _PAST.search(folded) and _RESOLVED.search(folded) and not _STILL.search(folded):
        return True
    if _VERIFIED.search(folded) and not danger and "secret" not in has:
        return True
    secret_asked = "secret" in has and bool(has & {"demand", "given"})
    known = _KNOWN.search(folded) and not _SWITCHED.search(folded)
    if known and not danger and not secret_asked and not has & {"contact", "any_link", "given"}:
        return True
    if _CHECK_Q.search(folded) and not has & (_DANGER - {"scammer"}) and not has & _ASKS_RISK:
        return "demand" not in has or _IN_PERSON.search(folded) is not None
    return bool(_SELF.search(folded)) and not danger and not has & {"they", "demand"}
