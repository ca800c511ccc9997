"""Officers' texts (Vietnamese, phone-sized): /canbo, /thongke, /dangnhap and answers to their questions."""

from __future__ import annotations

INDICATOR_LABELS = {
    "officers_competent": "Cán bộ công đoàn đạt chuẩn",
    "public_staff_competent": "Công chức, viên chức đạt chuẩn",
    "workers_competent": "Công nhân lao động đạt chuẩn",
    "grassroots_connected": "CĐCS dùng hệ thống số",
}
GROUP_WORDS = {"officer": "cán bộ công đoàn", "public": "công chức, viên chức", "worker": "công nhân lao động"}

ONLY_OFFICERS = (
    "Số liệu thống kê chỉ dành cho cán bộ công đoàn.\n"
    "Nếu bạn là cán bộ: xin mã mời ở công đoàn cấp trên, rồi gửi /canbo MÃ"
)
CODE_MISSING = "Gửi /canbo kèm mã mời, ví dụ: /canbo K7QM4TXP"
CODE_BAD = "Mã mời không đúng hoặc đã hết hạn. Bạn xin mã mới ở công đoàn cấp trên nhé."
CODE_LOCKED = "Bạn nhập sai mã nhiều lần. Vui lòng thử lại sau 10 phút."
UNIT_NOT_IN_SCOPE = "Không tìm thấy đơn vị này trong phạm vi bạn phụ trách."
NO_SUBUNITS = "Chưa có đơn vị cấp dưới có số thành viên."
NO_DATA = "chưa có trong danh sách"
LINK_INTRO = (
    "🔐 Link đăng nhập trang quản trị (dùng 1 lần, trong {minutes} phút):\n{url}\nĐừng gửi link này cho người khác."
)
QUESTION_HINT = (
    "Bạn có thể hỏi, ví dụ:\n"
    "• tỷ lệ công nhân đạt chuẩn ở công ty may X?\n"
    "• đơn vị nào thấp nhất?\n"
    "• tuần này bao nhiêu người học?"
)


def officer_welcome(unit_name: str) -> str:
    return (
        f"✅ Bạn là cán bộ của: {unit_name}.\n"
        "Bạn xem được số liệu của đơn vị này và các đơn vị cấp dưới.\n"
        "/thongke – xem chỉ tiêu\n/dangnhap – mở trang quản trị"
    )


def bar(value: float | None, width: int = 10) -> str:
    """A text progress bar: ▓▓▓░░░░░░░ (full at 100%)."""
    filled = 0 if value is None else max(0, min(width, round(value * width)))
    return "▓" * filled + "░" * (width - filled)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def few(min_group: int) -> str:
    return f"dưới {min_group} người"


def active_learners(unit_name: str, days: int, shown: str) -> str:
    period = "7 ngày qua" if days == 7 else f"{days} ngày qua"
    return f"👥 {unit_name}: {shown} người học trong {period}."


def certified_total(unit_name: str, shown: str, members: int) -> str:
    return f"🎓 {unit_name}: {shown} người đạt chuẩn kỹ năng số (trên {members} đoàn viên trong danh sách)."
