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

from dataclasses import dataclass

from tutor.safety_rules import RULES, ScamKind, cue_kind, is_about_scams
from tutor.safety_text import canonical

__all__ = ["ScamKind", "ScamTriage", "is_scam_in_progress", "safety_steps", "scam_kind", "triage"]


def scam_kind(text: str) -> ScamKind | None:
    """The kind of scam happening to the learner now, or None (see the module docstring)."""
    if not text or not text.strip():
        return None
    folded = canonical(text)
    if not folded:
        return None
    for rule in RULES:
        if rule.matches(folded):
            return None if is_about_scams(folded, rule.kind) else rule.kind
    kind = cue_kind(folded)
    return None if kind is None or is_about_scams(folded, kind) else kind


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
