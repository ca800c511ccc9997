"""Scope: questions outside digital skills (weather, gold price, a poem) get an honest short reply.

`is_off_topic(text)` is True when the message names nothing digital and names something clearly
outside the course (weather, prices of gold or fuel, lottery, football, horoscope, cooking, health,
a poem or a song to write, questions about the assistant, general knowledge): precise enough to
reply before retrieval. `names_nothing_of_the_course(text)` is broader (any sentence of three words
or more with nothing digital or about learning in it): for the answer pipeline to word its reply
when retrieval found nothing above its floor. A message that mentions a phone, an app, a bank transfer, a scam, VNeID… is in scope, even
with an off-topic word ("đầu tư vàng online có lừa đảo không"). Anything else is left to the
answer pipeline and its score floor. Reply: `OFF_TOPIC_TEXT`, with the course menu (/baihoc).
"""

from __future__ import annotations

import re

from knowledge.textnorm import expand_teencode, fold, normalize
from tutor.safety import is_scam_in_progress

_WORD = re.compile(r"[a-z0-9]+")

# Anything digital or taught by the course: one of these keeps a message in scope.
_DIGITAL = re.compile(
    r"\b(?:dien thoai|dt|smartphone|iphone|android|samsung|may tinh|laptop|ipad|may tinh bang|app|ung dung|"
    r"phan mem|zalo|facebook|fb|messenger|tiktok|youtube|google|gmail|email|mail|thu dien tu|mang xa hoi|"
    r"internet|online|truc tuyen|qua mang|tren mang|wifi|wi fi|4g|5g|3g|sim|nha mang|du lieu|mat khau|"
    r"tai khoan|otp|xac thuc|vneid|dinh danh|vssid|bhxh|bhyt|dich vu cong|cong dich vu|chuyen khoan|"
    r"chuyen tien|ngan hang|the atm|atm|vi dien tu|momo|zalopay|vnpay|vietqr|qr|shopee|lazada|tiki|sendo|"
    r"mua hang|mua sam|don hang|giao hang|shipper|cod|lua dao|bi lua|hack|link|duong dan|web|website|trang web|"
    r"tro ly ai|dung ai|hoi ai|ai (?:la gi|tra loi|viet|tao)|chatgpt|chat gpt|gemini|tro ly ao|chuyen doi so|so hoa|chu ky so|van ban dien tu|excel|bang tinh|word|"
    r"zoom|google meet|meet|hop truc tuyen|doan vien|camera|chup anh|chup man hinh|gui anh|hinh anh|video|"
    r"cai dat|cap nhat|bo nho|sao luu|dam may|drive|icloud|danh ba|tin nhan|nhan tin|cuoc goi|goi dien|"
    r"man hinh|co chu|phong to|giong noi|ban phim|go chu|bluetooth|dinh vi|quyen rieng tu|virus|ma doc|"
    r"bai hoc|bai (?:\d+|tiep|kiem tra|nay)|khoa hoc|bai kiem tra|quiz|chung chi|ky nang so|digital|file|pdf|"
    r"quet mat|thanh toan|shop|danh gia|tem|van don|https|http|ten mien|gov|he thong|cong nghe|tra soat|giao dich|"
    r"nhan hang|goi|(?<!gia )lua|113|cong an|dien luc|xung|gia danh|gia mao|doa|so la|nghe may|luong cao|"
    r"tuyen dung|phat nguoi|thue bao|the tin dung|tien dien|tien nuoc|nap tien|bao hiem (?:xa hoi|y te)|the bao hiem|dong bao hiem|grab|dat xe|windows|win|"
    r"game|canva|tai ve|mp3|tai nhac|chieu (?:lua|gia|tro)|gia (?:tai nan|lam|danh|mao)|mang|tien|the cao|so (?:hoa|lieu)|(?:gia dinh|cong dan|can bo|ky nang) so|"
    r"dien tu|cong doan|thue|dau tu|chinh hang|hang (?:hieu|nhai)|giay to|giay kham|ho so|rieng tu|"
    r"nhom (?:zalo|chat|telegram|facebook|chung khoan|dau tu)|san (?:chung khoan|dau tu)|lich su (?:tro chuyen|duyet)|"
    r"buu pham|buu kien|hai quan|quang cao|tra cuu|thu ho|dat hang|hang (?:loi|gia|khong dat)|nguoi la|ghep (?:anh|mat)|anh (?:cua|nong|ghep)|xuat khau lao dong|tuyen dung|viec lam|phi|lam gia|"
    r"may in|sms|trung thuong|tong dai|so the|the ngan hang|so dien thoai|sdt|can cuoc|cccd|chip|sinh trac|khuon mat|van tay|bao mat|an toan)\b"
)

# Clearly outside the course.
# Learning with the assistant itself ("tôi muốn học", "bài tiếp theo"): in scope.
_COURSE = re.compile(
    r"\b(?:hoc|bai(?! (?:tho|hat|van|phat bieu|toan))|khoa hoc|kiem tra|chung chi|chung nhan|on tap|huong dan|tro giup|"
    r"giup do|chi dan|menu|lenh|hoi|muon biet|tim hieu|thac mac)\b"
)
# Small talk is the flows' business, not a question to turn down.
_SMALL_TALK = re.compile(
    r"\b(?:xin chao|chao|cam on|tam biet|hen gap|ok|oke|vang|da|hieu roi|duoc roi|hay qua|tiep|tiep tuc|xong|"
    r"dung roi|sai roi|chon)\b"
)

_OFF_TOPIC = re.compile(
    r"\b(?:thoi tiet|du bao|nang khong|troi (?:mua|nang|lanh|nong)|(?:mai|hom nay|chieu nay|toi nay) (?:co )?mua|"
    r"mua (?:to|lon|bao|da|rao)|(?:se|sap) mua|bao so|"
    r"gia (?:vang|xang|dau|heo|lua|gao|ca phe|cao su|dat|nha)|vang (?:sjc|9999|mieng|nhan)|ty gia|"
    r"do la|chung khoan|co phieu|xo so|vietlott|lo de|soi cau|bong da|da bong|world cup|u23|lich thi dau|"
    r"tu vi|tuoi (?:ty|suu|dan|mao|thin|ti|ngo|mui|than|dau|tuat|hoi)|phong thuy|xem ngay|hop mau|"
    r"nau|mon (?:an|gi|ngon)|an gi|cong thuc nau|lam banh|bai tho|lam tho|tho ve|bai hat|sang tac|hat (?:cho|mot|bai)|"
    r"ke chuyen|chuyen cuoi|co tich|bai van|bai phat bieu|thuoc|dau (?:dau|bung|lung|rang)|bi sot|sot|bi ho|"
    r"huyet ap|benh(?! vien)|giam can|lam dep|nguoi yeu|bao nhieu tuoi|ten la gi|thich toi|am lich|may gio|"
    r"thu do|tong thong|lich su(?! (?:tro chuyen|duyet|giao dich|cuoc goi|tin nhan|dang nhap))|bao nhieu tinh|"
    r"\d+ (?:cong|tru|nhan|chia) \d+|"
    r"dich (?:cau|doan|bai|giup|sang)|giai (?:bai|toan)|luong toi thieu|nghi phep|nghi tet|luat lao dong|"
    r"mua (?:xe|nha)|xe may|quan ao|bo phim|xem phim|phim (?:gi|hay|moi)|ca si|dien vien|"
    r"troi (?:co )?(?:mua|nang|lanh|nong|ret|gio)|(?:lanh|nong|ret) (?:khong|ko)|gia \w+ hom nay|gia bac|"
    r"(?:viet|soan|sang tac) (?:giup|ho|cho|mot|1)|truyen (?:cuoi|co tich|ngan|ma|tranh)|"
    r"luoc|chien|xao|nuong|kho (?:ca|thit)|(?:ca|thit) kho|mon (?:an|ngon)|"
    r"ban (?:la (?:trai|gai|nguoi)|ten gi|co nguoi yeu|bao nhieu tuoi|thich|song o|o dau)|"
    r"thu may|hom nay la ngay|duong lich|nuoc nao|thanh pho nao|dan so|dong dan|the gioi|"
    r"choi co|co tuong|co vua|caro)\b"
)

OFF_TOPIC_TEXT = (
    "Mình là trợ lý học kỹ năng số, nên chưa giúp được việc này.\n"
    "Mình giúp bạn: dùng điện thoại, Zalo, VNeID và dịch vụ công, chuyển khoản, mua sắm online, "
    "tránh lừa đảo, dùng trợ lý AI.\n"
    "Gõ /baihoc để xem các bài học, hoặc hỏi mình một câu về những việc đó."
)


def _folded(text: str) -> str:
    return " ".join(_WORD.findall(fold(expand_teencode(normalize((text or "")[:1000])))))


# "AI" typed in capitals is the assistant kind, not "ai" (who).
_AI = re.compile(r"\bA\.?I\b")


def _names_digital(text: str, folded: str) -> bool:
    return _DIGITAL.search(folded) is not None or _AI.search(text or "") is not None


def is_off_topic(text: str) -> bool:
    """True when the message is clearly outside digital skills and names nothing digital.

    Precise enough to answer before any retrieval (the questions flow does).
    """
    folded = _folded(text)
    if not folded or _names_digital(text, folded) or is_scam_in_progress(text):
        return False
    return _OFF_TOPIC.search(folded) is not None


def names_nothing_of_the_course(text: str) -> bool:
    """True for a real sentence with nothing digital and nothing about learning in it.

    Broader than `is_off_topic` and less sure: meant to pick the honest "outside what I help with"
    reply when retrieval also found nothing above its floor, not to pre-empt retrieval.
    """
    if is_off_topic(text):
        return True
    folded = _folded(text)
    if not folded or _names_digital(text, folded) or _COURSE.search(folded) or is_scam_in_progress(text):
        return False
    return len(folded.split()) >= 3 and not _SMALL_TALK.search(folded)


def off_topic_reply() -> str:
    """The honest reply to an off-topic question: what the assistant helps with, and /baihoc."""
    return OFF_TOPIC_TEXT
