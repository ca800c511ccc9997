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

Under the rules, `tutor.safety_signals` reads categories of signals (money handed over, a loss, a
stranger, contact, a demand, a secret, a threat, an authority, a relative in an emergency...) and
their combinations, so a scam told in words no rule lists is still caught.
When no rule fires, `tutor.safety_model` (n-grams, logistic regression, trained on the message
sets) gives a second opinion; it can only add alarms, and can be switched off (`tutor.safety_model`).
Last, `tutor.safety_signals.ordinary_context` switches off any match in a context that is not a scam
going on: a learning frame, an event over and settled, a person checked by another channel, an
acquaintance met in person, a code sent by the learner's own transfer.
Measured on tests/tutor/data/urgent.yaml and ordinary.yaml (tuned on), and on three held-out batches
written blind (urgent_heldout*.yaml, ordinary_heldout*.yaml), all in tests/tutor/test_safety.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor import safety_model
from tutor.safety_rules import LOST_PHONE, RULES, ScamKind, cue_kind, is_about_scams
from tutor.safety_signals import ordinary_context, signal_kind
from tutor.safety_text import canonical

__all__ = [
    "ScamKind",
    "ScamTriage",
    "is_scam_in_progress",
    "lost_phone_help",
    "safety_steps",
    "scam_kind",
    "triage",
]


# The learned second opinion may only alarm on a message about money, codes, accounts, links or an
# authority: n-grams alone sent "chó nhà tôi bị ve cắn" and "công ty bảo nộp hồ sơ xin việc qua email"
# to the bank.
_SCAM_WORLD = re.compile(
    r"\b(?:tien|trieu|nghin|\d+ ?(?:k|tr|cu|xi)|chuyen khoan|chuyen tien|ck|stk|tai khoan|tk|ngan hang"
    r"|vi dien tu|momo|zalopay|otp|ma xac (?:nhan|thuc)|mat khau|mk|link|duong dan|dang nhap|trang web|web"
    r"|app|ung dung|cong an|toa an|vien kiem sat|thue|bao hiem|dien luc|phi|nap|coc|vay|no|doa|hack|lua"
    r"|trung thuong|can cuoc|cccd|xac minh|xac thuc|danh tinh|sim)\b"
)


def scam_kind(text: str) -> ScamKind | None:
    """The kind of scam happening to the learner now, or None (see the module docstring)."""
    if not text or not text.strip():
        return None
    folded = canonical(text)
    if not folded:
        return None
    kind = next((rule.kind for rule in RULES if rule.matches(folded)), None)
    if kind is None:
        kind = signal_kind(folded) or cue_kind(folded)
    if kind is None and _SCAM_WORLD.search(folded) and safety_model.urgent(folded):
        kind = "pressure"  # the learned second opinion: no rule names the kind, so the generic steps
    if kind is None or is_about_scams(folded, kind) or ordinary_context(folded):
        return None
    return kind


def is_scam_in_progress(text: str) -> bool:
    """True when the message reads like a scam happening to the learner now.

    Works with or without tone marks, with teencode ("co ng bao t ck"), typos and voice typing.
    """
    return scam_kind(text) is not None


# --- what to tell the learner -------------------------------------------------------------------
_SAFETY_STEPS = (
    "⚠️ Làm ngay:\n"
    "1. Gọi tổng đài ngân hàng của bạn (số in trên thẻ hoặc trong ứng dụng chính thức) để khóa tài khoản; "
    "đã chuyển tiền thì xin tra soát để chặn lại.\n"
    "2. Cúp máy người lạ. Không chuyển tiền nữa, không đưa mã OTP, mật khẩu cho bất kỳ ai.\n"
    "3. Báo công an: gọi 113 hoặc đến công an nơi gần nhất. Giữ lại tin nhắn, số điện thoại, biên lai."
)

# Steps of their own where the generic ones do not fit: an account taken over, a phone lost or stolen.
_ACCOUNT_STEPS = (
    "⚠️ Lấy lại tài khoản ngay:\n"
    "1. Dùng máy khác đổi mật khẩu. Không vào được thì mở trang lấy lại tài khoản chính thức "
    "(Facebook: facebook.com/hacked; Zalo, Gmail: «Quên mật khẩu»).\n"
    "2. Đăng xuất khỏi mọi thiết bị lạ, bật xác thực 2 lớp.\n"
    "3. Gọi điện báo người thân, bạn bè (qua kênh khác): đừng chuyển tiền cho ai mượn qua tin nhắn."
)
_LOST_PHONE_STEPS = (
    "⚠️ Mất điện thoại, làm ngay (dùng máy khác):\n"
    "1. Gọi nhà mạng khóa SIM, để kẻ gian không nhận được mã OTP.\n"
    "2. Gọi tổng đài ngân hàng, ví điện tử để khóa ứng dụng và thẻ.\n"
    "3. Tìm, khóa hoặc xóa máy: google.com/android/find (Android), icloud.com/find (iPhone).\n"
    "4. Đổi mật khẩu Zalo, Facebook, email. Bị trộm, cướp thì báo công an."
)
# The bank and the police, when money or a bank account is at stake in an account taken over.
_MONEY_LINE = "💰 Có dính tới tiền, tài khoản ngân hàng: gọi ngay tổng đài ngân hàng để khóa, rồi báo công an (113)."

# Accounts that are not a bank's: their own recovery steps and lesson.
_SOCIAL = re.compile(r"\b(?:zalo|facebook|nick|messenger|gmail|email|instagram|tiktok|acc)\b")
_BANKING = re.compile(r"\b(?:ngan hang|the|vi|momo|so tien|tien|stk|atm|chuyen|rut|tru|vay)\b")

# One line for the situation, after the steps; then the matching lesson.
_KIND_TIPS: dict[ScamKind, str] = {
    "money_sent": "Gọi ngân hàng càng sớm càng dễ chặn được tiền. Ai hứa «lấy lại tiền giúp» mà đòi phí cũng là lừa đảo.",
    "call_in_progress": "Công an, ngân hàng thật không làm việc, không đòi tiền hay mã OTP qua điện thoại.",
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
    "lost_phone": "Gọi nhà mạng khóa SIM ngay (từ máy khác) để kẻ gian không nhận được mã OTP.",
    "gift_fee": "Quà từ người quen qua mạng mà bắt đóng «phí hải quan» là lừa đảo: không có món quà nào cả.",
}

# The lesson to offer after the steps, by kind.
_KIND_LESSONS: dict[ScamKind, str] = {
    "money_sent": "lua-dao-05",
    "call_in_progress": "lua-dao-01",
    "otp": "internet-an-toan-02",
    "hacked": "xu-ly-su-co-04",
    "threat": "lua-dao-05",
    "fake_accident": "lua-dao-01",
    "fake_authority": "lua-dao-01",
    "courier": "mua-sam-05",
    "prize": "lua-dao-01",
    "task_job": "lua-dao-02",
    "app_install": "lua-dao-04",
    "link_clicked": "lua-dao-05",
    "pressure": "lua-dao-01",
    "lost_phone": "xu-ly-su-co-01",
    "gift_fee": "lua-dao-03",
}


@dataclass(frozen=True)
class ScamTriage:
    """What to answer a scam in progress: the steps, one line for the situation, a lesson to open."""

    kind: ScamKind
    text: str
    lesson_id: str


def safety_steps(text: str | None = None) -> str:
    """The safety steps, in short Vietnamese, most urgent first: those of the situation in `text`.

    Without `text` (or for a scam that is about money): call the bank, send nothing more, the police.
    An account taken over gets its recovery steps; a phone lost or stolen gets SIM, bank and find-my-phone.
    """
    kind = scam_kind(text) if text else None
    return _steps(kind, canonical(text or ""))


def _steps(kind: ScamKind | None, folded: str) -> str:
    if kind == "lost_phone":
        return _LOST_PHONE_STEPS
    if kind == "hacked" and _SOCIAL.search(folded):
        return f"{_ACCOUNT_STEPS}\n{_MONEY_LINE}" if _BANKING.search(folded) else _ACCOUNT_STEPS
    return _SAFETY_STEPS


def _lesson(kind: ScamKind, folded: str) -> str:
    if kind == "hacked" and re.search(r"\bzalo\b", folded) and not re.search(r"\b(?:facebook|gmail|email)\b", folded):
        return "xu-ly-su-co-02"  # Zalo: its own recovery lesson
    return _KIND_LESSONS[kind]


def triage(text: str) -> ScamTriage | None:
    """The reply to a scam in progress (steps of its kind first, then a line for it), or None if there is none.

    The caller offers `lesson_id` after the text (a button), when the course has that lesson.
    """
    kind = scam_kind(text)
    if kind is None:
        return None
    folded = canonical(text)
    steps = _steps(kind, folded)
    own_steps = kind == "lost_phone" or steps.startswith(_ACCOUNT_STEPS)  # their steps already say it
    reply = steps if own_steps else f"{steps}\n{_KIND_TIPS[kind]}"
    return ScamTriage(kind, reply, _lesson(kind, folded))


def lost_phone_help(text: str) -> ScamTriage | None:
    """The lost-phone steps for a question about a lost or stolen phone ("mất điện thoại thì làm gì trước").

    Not an alarm (nothing shows it is happening now), but the steps are the answer, in that order.
    """
    if not text or not LOST_PHONE.search(canonical(text)):
        return None
    return ScamTriage("lost_phone", _LOST_PHONE_STEPS, _KIND_LESSONS["lost_phone"])
