"""Learner-facing texts of mastery, the certificate and placement (Vietnamese, phone-sized)."""

from __future__ import annotations

from collections.abc import Sequence

# Channels wrap lines themselves: never hard-wrap a message. The list of missing skills is kept
# within this many characters (names per module cut down, then counts) so /tiendo fits a phone.
MISSING_BUDGET = 700
NEAR_CERTIFICATE = 5  # /chungnhan names the missing skills when at most this many are left

BTN_PRACTICE_MISSING = "Luyện kỹ năng còn thiếu"
BTN_CERTIFICATE = "Nhận chứng nhận"

CERTIFIED = "🎓 Chúc mừng! Bạn đã đạt chuẩn kỹ năng số cơ bản."
NO_NAME = "Học viên"
NO_UNIT = "Chưa chọn đơn vị"
TESTED_OUT = "💡 Kỹ năng đã vững (qua kiểm tra đầu vào hay bài tập) thì không cần học lại bài."
TESTED_OUT_CERTIFIED = "💡 Bạn đạt chuẩn nhờ bài kiểm tra, không cần học hết các bài."
NO_PRACTICE_ITEMS = "Chưa có câu luyện tập cho các kỹ năng này. Gõ /baihoc để chọn bài học."
PLACEMENT_DONE = (
    "Bạn đã làm bài kiểm tra đầu vào rồi (mỗi người làm một lần). Gõ /hoc để học tiếp, hoặc /tiendo để xem kết quả."
)
PRACTICE_NOTHING_MISSING = "👏 Bạn không còn thiếu kỹ năng cốt lõi nào. Gõ /tiendo để xem kết quả."


def certificate_message(name: str, number: str, date_text: str, code: str, verify_url: str) -> str:
    """The message sent with the certificate files."""
    lines = [
        CERTIFIED,
        f"👤 {name}",
        f"📄 Số: {number} · Ngày cấp: {date_text}",
        f"🔑 Mã kiểm tra: {code}",
    ]
    if verify_url:
        lines.append(f"Xem, tải ảnh và PDF, hoặc cho người khác kiểm tra tại: {verify_url}")
    lines.append("Gõ /chungnhan để nhận lại chứng nhận bất cứ lúc nào.")
    return "\n".join(lines)


def not_certified_yet(mastered: int, total: int, listed: bool) -> str:
    """How far the learner is from the certificate; points to /tiendo when the skills are not listed."""
    line = f"Bạn chưa đạt chuẩn: đã vững {mastered}/{total} kỹ năng cốt lõi, còn {total - mastered} kỹ năng."
    return line if listed else f"{line} Gõ /tiendo để xem còn thiếu gì."


def _module_line(module: str, names: Sequence[str], shown: int) -> str:
    if shown >= len(names):
        return f"• {module}: " + ", ".join(names)
    if shown == 0:
        return f"• {module}: {len(names)} kỹ năng"
    return f"• {module}: " + ", ".join(names[:shown]) + f" và {len(names) - shown} kỹ năng khác"


def missing_skills(names_by_module: Sequence[tuple[str, Sequence[str]]], budget: int = MISSING_BUDGET) -> list[str]:
    """The missing skills, one line per module (names joined; no hard wrap: channels wrap). When the
    lines would pass `budget` characters, each module names fewer skills and counts the rest."""
    total = sum(len(names) for _, names in names_by_module)
    widest = max((len(names) for _, names in names_by_module), default=0)
    lines: list[str] = []
    for shown in range(widest, -1, -1):
        lines = [_module_line(module, names, shown) for module, names in names_by_module]
        if sum(len(line) + 1 for line in lines) <= budget:
            break
    return [f"Còn thiếu {total} kỹ năng cốt lõi:", *lines]


def lessons_done_skills_missing(count: int) -> str:
    return (
        f"📚 Bạn đã học xong các bài, nhưng còn {count} kỹ năng chưa vững. "
        f"Bấm «{BTN_PRACTICE_MISSING}» để luyện đúng những kỹ năng đó."
    )


def next_step_lesson(title: str) -> str:
    return f"👉 Bước tiếp theo: học bài «{title}» (gõ /hoc)."


def next_step_practice() -> str:
    return f"👉 Bước tiếp theo: bấm «{BTN_PRACTICE_MISSING}» (gõ /luyentap)."


def next_step_certificate() -> str:
    return "👉 Gõ /chungnhan để nhận giấy chứng nhận (ảnh và PDF)."


def placement_result(
    correct: int, total: int, strong: Sequence[str], weak: Sequence[str], start: str | None, untested: bool = False
) -> str:
    """The placement result: one line per module, đã vững or cần học, where learning starts, and
    (`untested`) that skills of the modules đã vững were not asked and wait for practice."""
    lines = [f"🏁 Bạn đúng {correct}/{total} câu kiểm tra đầu vào."]
    for title in strong:
        lines.append(f"✅ {title}: đã vững")
    for title in weak:
        lines.append(f"📘 {title}: cần học")
    if strong and not weak:
        lines.append("Bạn đã vững mọi học phần!")
    elif strong:
        lines.append("Bạn đã vững một phần: mình bỏ qua các học phần đó (vẫn mở được từ /baihoc).")
    if untested:
        lines.append(f"Vài kỹ năng của học phần đã vững chưa được hỏi: bấm «{BTN_PRACTICE_MISSING}» để luyện nhanh.")
    if start:
        lines.append(f"Mình bắt đầu với bài «{start}». Gõ /hoc nhé!")
    return "\n".join(lines)


def placement_header(pos: int, expected: int) -> str:
    return f"✍️ Kiểm tra đầu vào · câu {pos} (tối đa {expected})"
