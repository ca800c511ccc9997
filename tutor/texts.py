"""Every Vietnamese string a learner sees, in one place: short, phone-sized, full diacritics."""

from __future__ import annotations

import hashlib
import re

# Bump when the consent notice changes in substance; learners are asked again.
CONSENT_VERSION = "1"

GROUP_LABELS = {
    "officer": "Cán bộ công đoàn",
    "public": "Khu vực công (cán bộ, công chức, viên chức)",
    "worker": "Công nhân, người lao động doanh nghiệp",
}

GREETING = (
    "Xin chào! Mình là trợ lý Bình dân học vụ số của Công đoàn 👋\n"
    "Mình giúp bạn học kỹ năng số qua các bài ngắn, câu hỏi nhanh và trả lời thắc mắc."
)


def consent_notice(retention_days: int, uses_llm: bool = False) -> str:
    """The personal-data notice (Nghị định 13/2023/NĐ-CP, Luật Bảo vệ dữ liệu cá nhân); the line about
    an AI service only when one is configured (`uses_llm`): without it, nothing leaves the server."""
    ai_line = "• Câu hỏi của bạn có thể được một dịch vụ AI xử lý để trả lời.\n" if uses_llm else ""
    return (
        "🔒 Trước khi bắt đầu, xin bạn đọc và đồng ý:\n"
        "• Mục đích: giúp bạn học và thống kê kết quả học cho tổ chức Công đoàn.\n"
        "• Lưu: tên hiển thị, đơn vị, nhóm, bài đã học, câu trả lời, câu hỏi bạn gửi.\n"
        "• Tin nhắn thoại chỉ được chuyển thành chữ; mình không lưu âm thanh.\n"
        f"• Thời gian lưu: tối đa {retention_days} ngày kể từ lần dùng cuối.\n"
        f"{ai_line}"
        "• Bạn có thể tải dữ liệu (/taidulieu) hoặc xóa hết (/xoadulieu) bất cứ lúc nào.\n"
        "Bấm «Đồng ý» để bắt đầu."
    )


def consent_hash(retention_days: int, uses_llm: bool = False) -> str:
    """SHA-256 of the exact notice text shown (stored with each consent record)."""
    return hashlib.sha256(consent_notice(retention_days, uses_llm).encode("utf-8")).hexdigest()


BTN_AGREE = "Đồng ý"
BTN_NEXT = "Tiếp ▶️"
BTN_ASK = "Hỏi ❓"
BTN_QUIZ = "Làm bài tập ✍️"
BTN_SKIP = "Bỏ qua"
BTN_LEARN = "Học bài 📘"
BTN_PLACEMENT = "Làm bài kiểm tra đầu vào"
BTN_REVIEW = "Ôn tập 🔁"
BTN_PROGRESS = "Xem tiến độ 📊"
BTN_DELETE_YES = "Xóa hết"
BTN_CANCEL = "Hủy"
BTN_TRUE = "Đúng"
BTN_FALSE = "Sai"

CONSENT_NEEDED = "Bạn cần bấm «Đồng ý» trước khi mình lưu hay xử lý tin nhắn của bạn."
CONSENT_THANKS = "Cảm ơn bạn! 🎉"
ASK_NAME = "Bạn muốn mình gọi bạn là gì? Gõ tên (hoặc bấm «Bỏ qua»)."


def use_name(name: str) -> str:
    return f"Gọi tôi là {name[:40]}"


NAME_TOO_LONG = "Tên hơi dài, bạn gõ ngắn hơn (tối đa 60 ký tự) nhé."
ASK_UNIT = "Bạn thuộc công đoàn cơ sở nào? Gõ một phần tên đơn vị, ví dụ: «may thành công»."
UNIT_PICK = "Bạn chọn đơn vị của mình:"
UNIT_NOT_FOUND = "Mình chưa tìm thấy đơn vị đó. Bạn gõ thử tên khác, hoặc bấm «Bỏ qua»."
ASK_GROUP = "Bạn thuộc nhóm nào?"
GROUP_UNKNOWN = "Bạn bấm một trong các nút bên dưới nhé."


def welcome_name(name: str | None) -> str:
    return f"Chào {name}! " if name else "Chào bạn! "


def profile_done(name: str | None) -> str:
    return (
        welcome_name(name)
        + "Hồ sơ đã xong ✅\nBạn làm bài kiểm tra đầu vào (khoảng 5 phút) để mình chọn bài hợp với bạn nhé?"
    )


# The /trogiup text is generated from the command registry (tutor/registry.py) between these.
HELP_TITLE = "📋 Các lệnh:"
HELP_FOOTER = "Gõ không dấu cũng được, ví dụ: hoc, tien do."

# Bad input and errors
EMPTY = "Bạn chưa gõ gì. Gõ câu hỏi, hoặc /trogiup để xem các lệnh."
NON_TEXT = "Mình chỉ đọc được chữ thôi 🙏 Bạn gõ câu hỏi bằng chữ nhé."
EMOJI_ONLY = "😊 Mình chưa hiểu ý bạn. Bạn gõ câu hỏi bằng chữ, hoặc /trogiup."


def too_long(limit: int) -> str:
    return f"Tin nhắn dài quá (hơn {limit} ký tự). Bạn gõ ngắn gọn câu hỏi chính thôi nhé."


def unknown_command(command: str) -> str:
    return f"Mình không biết lệnh «{command[:30]}». Gõ /trogiup để xem các lệnh."


RATE_LIMITED = "Bạn gửi nhanh quá 😅 Chờ một phút rồi gửi tiếp nhé."
STALE_BUTTON = "Nút này đã cũ rồi. Bạn dùng tin nhắn mới nhất, hoặc gõ /trogiup."
QUIZ_CLOSED = "Câu hỏi này đã đóng rồi. Gõ /kiemtra để làm bài mới nhé."

# Lessons
ALL_DONE = "🎉 Bạn đã học hết các bài dành cho bạn! Gõ /ontap để ôn, hoặc /tiendo để xem kết quả."
LESSON_NOT_FOUND = "Mình không tìm thấy bài đó. Gõ /hoc để học bài tiếp theo."
PROFILE_FIRST = "Bạn hoàn tất hồ sơ trước đã nhé."


def lesson_intro(title: str, duration_min: int, objectives: list[str]) -> str:
    goals = "\n".join(f"• {o}" for o in objectives[:4])
    return f"📘 Bài: {title} (~{duration_min} phút)\nSau bài này bạn sẽ:\n{goals}"


_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])|`([^`]+)`")
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)


def plain_markdown(text: str) -> str:
    """Lesson Markdown as chat text: emphasis and code marks dropped, list dashes as bullets.

    Chat apps show `**` literally (Zalo has no formatting; Telegram is sent plain text).
    """
    text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or m.group(4) or "", text)
    return _BULLET.sub(lambda m: f"{m.group(1)}• ", text)


def short_label(text: str, limit: int = 40) -> str:
    """A button label that fits: cut at a word boundary with an ellipsis, never mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:-–")
    return f"{cut}…"


def lesson_section(title: str, index: int, total: int, heading: str, text: str) -> str:
    return f"📘 {title} · {index}/{total}\n\n{heading}\n{plain_markdown(text)}".strip()


def lesson_done(title: str) -> str:
    return f"✅ Bạn đã học xong bài «{title}». Làm bài tập để nhớ lâu hơn nhé!"


def lesson_resume(title: str) -> str:
    return f"Mình tiếp tục bài «{title}» nhé."


ASK_PROMPT = "Bạn gõ câu hỏi đi, mình trả lời ngay ✍️"
ASK_EMPTY = "Bạn gõ câu hỏi sau /hoi nhé, ví dụ: /hoi mật khẩu mạnh là gì?"
FEEDBACK_THANKS_UP = "Cảm ơn bạn! 👍"
FEEDBACK_THANKS_DOWN = "Cảm ơn bạn đã góp ý. Mình sẽ cố trả lời tốt hơn 🙏"
ANSWER_FEEDBACK_HINT = "Câu trả lời có giúp được bạn không?"

# Quizzes
NO_QUIZ_ITEMS = "Bài này chưa có câu hỏi. Gõ /hoc để học bài khác nhé."
NO_LESSON_FOR_QUIZ = "Bạn chưa học bài nào. Gõ /hoc để bắt đầu nhé."
QUIZ_ANSWER_AGAIN = "Mình chưa đọc được câu trả lời. Bạn bấm nút, hoặc gõ chữ cái (A, B, C…) nhé."
QUIZ_TYPE_ANSWER = "✍️ Gõ câu trả lời của bạn."
QUIZ_TF_HINT = "Bấm «Đúng» hoặc «Sai»."


def quiz_header(kind: str, pos: int, total: int) -> str:
    label = {"placement": "Kiểm tra đầu vào", "review": "Ôn tập", "practice": "Luyện kỹ năng"}.get(kind, "Bài tập")
    return f"✍️ {label} · câu {pos}/{total}"


SKIPPED = "⏭️ Bỏ qua câu này."


def feedback(correct: bool, expected: str, explanation: str, source: str | None, skipped: bool = False) -> str:
    """The feedback after an item: right, wrong with the answer, or skipped (not shown as wrong)."""
    head = "✅ Đúng rồi!" if correct else f"❌ Chưa đúng. Đáp án: {expected}"
    if skipped:
        head = f"{SKIPPED} Đáp án: {expected}"
    lines = [head]
    if explanation:
        lines.append(explanation)
    if source:
        lines.append(f"📖 Xem lại: {source}")
    return "\n".join(lines)


def placement_mark(correct: bool) -> str:
    return "✅ Đúng" if correct else "❌ Chưa đúng"


def quiz_summary(correct: int, total: int) -> str:
    stars = "⭐" * max(1, round(5 * correct / total)) if total else ""
    return f"🏁 Xong! Bạn đúng {correct}/{total} câu {stars}"


def placement_summary(correct: int, total: int, strong: list[str], weak: list[str]) -> str:
    lines = [f"🏁 Bạn đúng {correct}/{total} câu kiểm tra đầu vào."]
    if strong:
        lines.append("Bạn đã vững: " + ", ".join(strong[:4]) + ".")
    if weak:
        lines.append("Mình sẽ bắt đầu với: " + ", ".join(weak[:3]) + ".")
    lines.append("Gõ /hoc để học bài đầu tiên nhé!")
    return "\n".join(lines)


NO_PLACEMENT = "Hiện chưa có bài kiểm tra đầu vào. Gõ /hoc để học luôn nhé."
NOTHING_TO_REVIEW = "👏 Hôm nay không có câu nào cần ôn. Gõ /hoc để học tiếp nhé."

# Reminders
REMIND_USAGE = "Gõ giờ muốn nhắc, ví dụ: /nhacnho 19:30"


def remind_set(hhmm: str) -> str:
    return f"⏰ Mình sẽ nhắc bạn học lúc {hhmm} mỗi ngày (giờ Việt Nam). Tắt: /tatnhacnho"


REMIND_OFF = "Đã tắt nhắc học. Bật lại: /nhacnho 19:30"


def reminder(name: str | None, due: int) -> str:
    hello = f"Chào {name}! " if name else ""
    if due:
        return f"⏰ {hello}Đến giờ học rồi. Bạn có {due} câu cần ôn hôm nay."
    return f"⏰ {hello}Đến giờ học rồi. Học một bài ngắn 5 phút nhé!"


# Data rights
EXPORT_INTRO = "📦 Đây là toàn bộ dữ liệu mình lưu về bạn (JSON):"
DELETE_CONFIRM = "⚠️ Bạn chắc chắn muốn xóa toàn bộ dữ liệu? Việc này không hoàn tác được."
DELETE_DONE = "🗑️ Đã xóa toàn bộ dữ liệu của bạn. Nếu muốn học lại, gõ /start."
DELETE_CANCELLED = "Đã hủy, dữ liệu của bạn vẫn còn."
NOTHING_STORED = "Mình chưa lưu dữ liệu gì về bạn."


# Linking channels
def link_code(code: str, minutes: int) -> str:
    return (
        f"🔗 Mã liên kết của bạn: {code}\n"
        f"Trên ứng dụng kia (Telegram hoặc Zalo), gõ: /lienket {code}\n"
        f"Mã dùng được {minutes} phút."
    )


LINK_DONE = "🔗 Đã liên kết! Từ giờ bạn học tiếp ở đây với cùng tiến độ."
LINK_BAD = "Mã không đúng hoặc đã hết hạn. Gõ /lienket trên ứng dụng kia để lấy mã mới."
LINK_SAME = "Tài khoản này đã liên kết sẵn rồi."
LINK_LOCKED = "Bạn nhập sai nhiều lần quá. Chờ ít phút rồi thử lại nhé."
