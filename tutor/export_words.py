"""Words of the data export (/taidulieu): the tutor's internal codes said in Vietnamese.

`tutor.export` names every table and column; this module turns the codes inside the rows (event
details, conversation modes, quiz kinds, answer modes, scam kinds, groups) into words, and drops
what only the machine needs (search chunk ids, button sequence numbers, rate-limit counters).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from knowledge.curriculum import Curriculum
from tutor.texts import GROUP_LABELS

# What a conversation is doing (`ConversationState.mode`).
MODES = {
    "consent": "chờ đồng ý điều khoản",
    "name": "hỏi tên",
    "unit": "hỏi đơn vị",
    "group": "hỏi nhóm",
    "idle": "chờ tin nhắn",
    "lesson": "đang học bài",
    "quiz": "đang làm bài tập",
    "placement": "đang làm bài kiểm tra đầu vào",
    "review": "đang ôn tập",
    "practice": "đang luyện kỹ năng còn thiếu",
}
QUIZ_KINDS = {
    "quiz": "bài tập của bài học",
    "placement": "kiểm tra đầu vào",
    "review": "ôn tập",
    "practice": "luyện kỹ năng còn thiếu",
}
ANSWER_MODES = {
    "llm": "trợ lý AI viết từ bài học",
    "extractive": "trích từ bài học",
    "not_found": "chưa tìm thấy trong bài học",
    "safety": "các bước khẩn cấp khi bị lừa",
    "off_topic": "ngoài nội dung khóa học",
}
SCAM_KINDS = {
    "money_sent": "đã chuyển tiền",
    "call_in_progress": "đang nghe cuộc gọi lạ",
    "otp": "bị hỏi mã OTP",
    "hacked": "bị chiếm tài khoản",
    "threat": "bị đe dọa",
    "fake_accident": "tin người thân gặp nạn",
    "fake_authority": "giả danh cơ quan nhà nước",
    "courier": "giả danh giao hàng",
    "prize": "trúng thưởng, quà tặng giả",
    "task_job": "việc làm, nhiệm vụ giả",
    "app_install": "bị dụ cài ứng dụng",
    "link_clicked": "đã bấm đường link lạ",
    "pressure": "bị hối thúc",
}
FEEDBACK = {"up": "hữu ích 👍", "down": "chưa hữu ích 👎"}

# Machine-only keys, left out of the export (no personal data in them).
DROPPED = {"chunks", "seq", "rate", "unit_options", "link_fails", "name_hint"}

# Conversation notes (`ConversationState.data`) that mean something to the learner.
NOTE_NAMES = {
    "placement_done": "đã làm bài kiểm tra đầu vào",
    "tested_out": "học phần đã vững qua kiểm tra đầu vào",
    "certified": "đã nhận chứng nhận",
    "topic": "học phần đang chọn",
    "goal": "điều bạn muốn học",
    "ranking": "hiện tên trên bảng xếp hạng",
}


def _word(table: dict[str, str]) -> Callable[[Any], Any]:
    return lambda value: table.get(value, value) if isinstance(value, str) else value


class Words:
    """Translates the codes inside one learner's rows (lessons, modules and skills by name)."""

    def __init__(self, curriculum: Curriculum, unit_id: str | None = None, unit_name: str | None = None) -> None:
        self.curriculum = curriculum
        self.units = {unit_id: unit_name} if unit_id and unit_name else {}
        modules = {m.id: m.title for m in curriculum.modules.values()}
        lesson = self.lesson
        self.details: dict[str, tuple[str, Callable[[Any], Any]]] = {
            "answer": ("câu trả lời", lambda v: v),
            "correct": ("đúng", lambda v: v),
            "response_s": ("thời gian trả lời (giây)", lambda v: v),
            "kind": ("loại", _word(QUIZ_KINDS)),
            "skill": ("kỹ năng", self.skill),
            "total": ("tổng số câu", lambda v: v),
            "section": ("phần", lambda v: v),
            "version": ("phiên bản", lambda v: v),
            "group": ("nhóm", _word(GROUP_LABELS)),
            "unit_id": ("đơn vị", lambda v: self.units.get(v, v)),
            "value": ("đánh giá", _word(FEEDBACK)),
            "time": ("giờ", lambda v: v),
            "question": ("câu hỏi", lambda v: v),
            "answered": ("đã trả lời", lambda v: v),
            "mode": ("cách trả lời", _word(ANSWER_MODES)),
            "sources": ("nguồn", self.sources),
            "best_lesson": ("bài gần nhất", lesson),
            "strong_modules": ("học phần đã vững", lambda v: [modules.get(m, m) for m in v or []]),
            "tested_out": ("học phần đã vững qua kiểm tra đầu vào", lambda v: [modules.get(m, m) for m in v or []]),
            "scam_kind": ("loại lừa đảo", _word(SCAM_KINDS)),
            "topic": ("học phần đang chọn", lambda v: modules.get(v, v)),
        }

    def lesson(self, lesson_id: Any) -> Any:
        found = self.curriculum.lessons.get(lesson_id) if isinstance(lesson_id, str) else None
        return found.title if found else lesson_id

    def skill(self, skill_id: Any) -> Any:
        found = self.curriculum.skills.get(skill_id) if isinstance(skill_id, str) else None
        return found.name if found else skill_id

    @staticmethod
    def sources(value: Any) -> Any:
        """Each source as «lesson title» › section (the file path is the server's business)."""
        out = []
        for source in value or []:
            if isinstance(source, dict):
                title, heading = source.get("title") or "", source.get("heading") or ""
                out.append(f"«{title}» › {heading}" if heading else f"«{title}»")
        return out

    def event_details(self, data: dict[str, Any]) -> dict[str, Any]:
        """An event's details with Vietnamese keys and values; machine-only keys dropped."""
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key in DROPPED:
                continue
            name, word = self.details.get(key, ("thông tin khác: " + key, lambda v: v))
            out[name] = word(value)
        return out

    def notes(self, data: dict[str, Any] | None) -> dict[str, Any]:
        """A conversation's notes: what means something to the learner, in words."""
        out: dict[str, Any] = {}
        for key, value in (data or {}).items():
            if key in NOTE_NAMES:
                word = self.details.get(key, ("", lambda v: v))[1]
                out[NOTE_NAMES[key]] = word(value)
        return out
