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


# --- the unit's list of learners (officers of a grassroots unit; learners who agreed) --------------
LIST_ONLY_GRASSROOTS = (
    "Danh sách học viên chỉ dành cho cán bộ công đoàn cơ sở: học viên của chính đơn vị mình, "
    "người đã đồng ý hiện tên.\nBạn xem số liệu tổng hợp bằng /thongke."
)
LIST_MAX_CHAT_ROWS = 30  # a phone screen; the dashboard and its downloads have everyone
GROUP_SHORT = {"officer": "cán bộ CĐ", "public": "công chức", "worker": "công nhân"}

# Learner side: /hienten (learners choose; nobody is listed until they say yes).
LISTING_ASK = (
    "👥 Cho cán bộ công đoàn cơ sở của bạn thấy tên bạn trong danh sách học viên?\n"
    "Họ thấy: tên, nhóm, số bài đã học, đạt chuẩn hay chưa, tuần học gần nhất. "
    "Người khác không thấy. Bạn đổi ý lúc nào cũng được."
)
LISTING_NOW_ON = "Hiện tại: tên bạn CÓ trong danh sách."
LISTING_NOW_OFF = "Hiện tại: tên bạn đang ẩn (mặc định)."
BTN_LISTING_YES = "Cho thấy tên"
BTN_LISTING_NO = "Ẩn tên"
LISTING_ON = "✅ Đã cho cán bộ công đoàn cơ sở thấy tên bạn trong danh sách học viên.\nMuốn ẩn đi: /hienten"
LISTING_OFF = "🙈 Tên bạn đã ẩn khỏi danh sách học viên.\nMuốn hiện lại: /hienten"

# The officers' question the model could not read (or took too long on): what they can ask.
QUESTION_NOT_UNDERSTOOD = "Mình chưa hiểu câu hỏi số liệu này.\n" + QUESTION_HINT + "\n• /thongke – xem chỉ tiêu"


def learner_list(unit_name: str, rows: list[tuple[str, str | None, int, bool, str]]) -> str:
    """The chat list: (name, group, lessons completed, certified, last active week "dd/mm")."""
    if not rows:
        return f"👥 {unit_name}: chưa có học viên nào đồng ý hiện tên.\nHọc viên tự bật bằng lệnh /hienten."
    lines = [f"👥 Học viên {unit_name} đồng ý hiện tên ({len(rows)} người):"]
    for i, (name, group, lessons, certified, week) in enumerate(rows[:LIST_MAX_CHAT_ROWS], 1):
        status = "✅ đạt chuẩn" if certified else "chưa đạt chuẩn"
        lines.append(f"{i}. {name} · {GROUP_SHORT.get(group or '', 'chưa chọn nhóm')} · {lessons} bài · "
                     f"{status} · học gần nhất tuần {week}")  # fmt: skip
    if len(rows) > LIST_MAX_CHAT_ROWS:
        lines.append(f"… và {len(rows) - LIST_MAX_CHAT_ROWS} người nữa.")
    lines.append("Xem đủ, tải Excel: /dangnhap")
    return "\n".join(lines)


def module_progress(title: str, unit_name: str, started: str, completed: int, mastery: float | None) -> str:
    """One module's figures in a unit (a question naming a module)."""
    return (
        f"📘 {title} – {unit_name}:\n{started} người đã bắt đầu, {completed} bài đã học xong, "
        f"mức thành thạo trung bình {percent(mastery)}."
    )
