"""A learner's data export (/taidulieu): every stored row, with readable Vietnamese keys, in one JSON file.

The raw rows come from `LearnerStore.export`; here they get names a learner can read (lesson and
skill names beside their ids, event kinds in words) and the review scheduler's fields are named
and explained (no bare `stability` or `card_id`). Tables this module does not know yet are kept as
stored, so the export stays complete when a table is added.

`ExportFiles` writes the file into a temporary folder of the data directory; files are deleted once
sent (by the channel), with the learner (/xoadulieu: the file name carries the learner's id), or at
the latest after `ttl` (swept by every new export and by the channels' minute tick).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from knowledge.curriculum import Curriculum
from tutor.export_words import MODES, Words
from tutor.texts import GROUP_LABELS

log = logging.getLogger(__name__)

EXPORT_TTL = timedelta(minutes=10)
EXPORT_PREFIX = "hocvuso-du-lieu-"

_EVENT_NAMES = {
    "consent_given": "đồng ý điều khoản",
    "profile_completed": "hoàn tất hồ sơ",
    "lesson_started": "bắt đầu bài học",
    "section_viewed": "xem một phần bài",
    "lesson_completed": "học xong bài",
    "quiz_answered": "trả lời câu hỏi",
    "quiz_completed": "làm xong bài tập",
    "placement_completed": "làm xong bài kiểm tra đầu vào",
    "certified": "đạt chứng nhận",
    "question_asked": "đặt câu hỏi",
    "feedback": "đánh giá câu trả lời",
    "reminder_set": "đặt giờ nhắc",
    "reminder_off": "tắt nhắc học",
    "data_exported": "tải dữ liệu",
    "data_deleted": "xóa dữ liệu",
    "channel_linked": "liên kết kênh",
}
# FSRS card states (fsrs.State): 1 Learning, 2 Review, 3 Relearning.
_CARD_STATES = {1: "đang học", 2: "đang ôn", 3: "học lại (vừa trả lời sai)"}
SCHEDULER_EXPLAINED = {
    "câu hỏi": "Câu hỏi bạn đã trả lời (mã câu hỏi trong ngoặc).",
    "lần ôn tới": "Thời điểm câu hỏi được đưa lại vào /ontap (giờ quốc tế UTC).",
    "lần trả lời trước": "Lần gần nhất bạn trả lời câu hỏi này.",
    "trả lời đúng lần trước": "Lần gần nhất bạn trả lời đúng hay sai.",
    "giai đoạn": "Đang học, đang ôn, hoặc học lại sau khi trả lời sai.",
    "độ bền trí nhớ (ngày)": (
        "Ước tính số ngày bạn còn nhớ câu này (khả năng nhớ khoảng 90%): càng lớn thì càng lâu mới phải ôn."
        " Trong thuật toán FSRS gọi là stability."
    ),
    "độ khó (1-10)": "Câu này khó với bạn đến đâu, từ 1 (dễ) đến 10 (khó). Trong FSRS gọi là difficulty.",
}
INTRO = (
    "Đây là toàn bộ dữ liệu Hocvuso lưu về bạn. Bạn có thể xóa hết bằng lệnh /xoadulieu."
    " Thời gian ghi theo giờ quốc tế (UTC); giờ Việt Nam = UTC + 7."
)


def _skill_name(curriculum: Curriculum, skill: str) -> str:
    found = curriculum.skills.get(skill)
    return found.name if found else skill


def _lesson_title(curriculum: Curriculum, lesson_id: str | None) -> str | None:
    if not lesson_id:
        return None
    lesson = curriculum.lessons.get(lesson_id)
    return f"{lesson.title} ({lesson_id})" if lesson else lesson_id


def _question(curriculum: Curriculum, item_id: str | None) -> str | None:
    if not item_id:
        return None
    found = curriculum.item(item_id)
    return f"{found.question} ({item_id})" if found else item_id


def _review_card(curriculum: Curriculum, row: dict[str, Any]) -> dict[str, Any]:
    card = row.get("card") or {}
    stability, difficulty = card.get("stability"), card.get("difficulty")
    return {
        "câu hỏi": _question(curriculum, row.get("item_id")),
        "lần ôn tới": row.get("due"),
        "lần trả lời trước": card.get("last_review") or row.get("updated_at"),
        "trả lời đúng lần trước": row.get("last_correct"),
        "giai đoạn": _CARD_STATES.get(int(card.get("state") or 0), "chưa rõ"),
        "độ bền trí nhớ (ngày)": round(stability, 1) if isinstance(stability, int | float) else None,
        "độ khó (1-10)": round(difficulty, 1) if isinstance(difficulty, int | float) else None,
    }


def _event(curriculum: Curriculum, words: Words, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "lúc": row.get("at"),
        "việc": _EVENT_NAMES.get(row.get("kind") or "", row.get("kind")),
        "kênh": row.get("channel"),
    }
    if row.get("lesson_id"):
        out["bài học"] = _lesson_title(curriculum, row["lesson_id"])
    if row.get("item_id"):
        # feedback events keep the rated question's event number there, not a quiz item
        out["câu hỏi"] = _question(curriculum, row["item_id"])
    details = row.get("data")
    if isinstance(details, dict) and details:
        out["chi tiết"] = words.event_details(details)
    elif details:
        out["chi tiết"] = details
    return out


def _certificate(row: dict[str, Any]) -> dict[str, Any]:
    group = row.get("group")
    return {
        "mã kiểm tra": row.get("code"),
        "tên in trên giấy": row.get("name"),
        "đơn vị": row.get("unit_name"),
        "nhóm": GROUP_LABELS.get(group, group) if group else None,
        "ngày cấp": row.get("issued_at"),
    }


_CHANNEL_TABLES = {
    "channel_inbox": "tin nhắn đang chờ xử lý",
    "channel_deliveries": "tin đã gửi cho bạn",
    "webchat_messages": "lịch sử trò chuyện trên web",
    "zalo_users": "tài khoản Zalo",
    "telegram_polls": "câu hỏi Telegram",
}

# The officers' tables (a learner who is a union officer): readable names, rows as stored.
_OFFICER_TABLES = {
    "officers": "tài khoản cán bộ công đoàn",
    "officer_digests": "bản tin tuần đã gửi",
    "officer_tokens": "phiên đăng nhập trang quản trị",
    "officer_views": "nhật ký xem thống kê",
    "officer_invites": "mã mời cán bộ",
}


def _channel_data(data: dict[str, Any]) -> dict[str, Any]:
    """The channels' own rows about the learner, under readable table names."""
    return {
        account: {_CHANNEL_TABLES.get(table, table): rows for table, rows in tables.items()}
        if isinstance(tables, dict)
        else tables
        for account, tables in data.items()
    }


_CONSENT_STATES = {"given": "đã đồng ý", "pending": "chưa trả lời", "withdrawn": "đã rút lại"}


def _profile(learner: dict[str, Any] | None, unit_name: str | None) -> dict[str, Any] | None:
    if learner is None:
        return None
    group = learner.get("group")
    return {
        "mã học viên": learner.get("id"),
        "tên": learner.get("display_name"),
        "nhóm": GROUP_LABELS.get(group, group) if group else None,
        "đơn vị": unit_name or learner.get("unit_id"),
        "giờ nhắc học": learner.get("reminder_time"),
        "đang học": learner.get("active"),
        "đồng ý điều khoản": _CONSENT_STATES.get(learner.get("consent_state") or "", learner.get("consent_state")),
        # /hienten: whether the grassroots unit's officers see this learner in its list of learners
        "hiện tên trong danh sách học viên của công đoàn cơ sở": (
            f"có, từ {learner['listed_at']}" if learner.get("listed_at") else "không"
        ),
        "ngày bắt đầu": learner.get("created_at"),
        "lần cuối ghé": learner.get("last_seen_at"),
    }


def readable_export(
    raw: dict[str, Any], curriculum: Curriculum, now: datetime, unit_name: str | None = None
) -> dict[str, Any]:
    """The learner's raw rows (`LearnerStore.export`) with readable keys; unknown tables kept as stored.

    `unit_name`: the learner's union unit as named in the registry (else its id is shown)."""
    rows = dict(raw)
    learner = rows.get("learner") or {}
    words = Words(curriculum, learner.get("unit_id"), unit_name)
    out: dict[str, Any] = {"giới thiệu": INTRO, "ngày xuất": now.isoformat()}
    out["hồ sơ"] = _profile(rows.pop("learner", None), unit_name)
    out["kênh trò chuyện"] = [
        {"kênh": r.get("channel"), "mã trên kênh": r.get("channel_user_id"), "đang dùng": r.get("active"),
         "từ ngày": r.get("created_at")}
        for r in rows.pop("channel_identities", [])
    ]  # fmt: skip
    out["đồng ý điều khoản"] = [
        {"phiên bản": r.get("version"), "đồng ý lúc": r.get("accepted_at"), "rút lại lúc": r.get("withdrawn_at")}
        for r in rows.pop("consents", [])
    ]
    out["bài học"] = [
        {"bài": _lesson_title(curriculum, r.get("lesson_id")), "trạng thái": "đã xong" if r.get("status") == "completed"
         else "đang học", "bắt đầu": r.get("started_at"), "xong lúc": r.get("completed_at")}
        for r in rows.pop("lesson_progress", [])
    ]  # fmt: skip
    out["kỹ năng"] = [
        {"kỹ năng": _skill_name(curriculum, r.get("skill") or ""), "mã": r.get("skill"),
         "mức thành thạo (%)": round(100 * float(r.get("p") or 0)), "cập nhật": r.get("updated_at")}
        for r in rows.pop("mastery", [])
    ]  # fmt: skip
    out["lịch ôn tập"] = [_review_card(curriculum, r) for r in rows.pop("review_cards", [])]
    out["giải thích lịch ôn tập"] = SCHEDULER_EXPLAINED
    out["nhật ký học tập"] = [_event(curriculum, words, r) for r in rows.pop("events", [])]
    states = rows.pop("states", [])
    out["trạng thái trò chuyện"] = [
        {"đang làm": MODES.get(s.get("mode") or "", s.get("mode")), "bài đang mở": words.lesson(s.get("lesson_id")),
         "phần": s.get("section"), "ghi chú": words.notes(s.get("data")), "cập nhật": s.get("updated_at")}
        for s in states
    ]  # fmt: skip
    out["giấy chứng nhận"] = [_certificate(r) for r in rows.pop("certificates", [])]
    if "channels" in rows:
        out["dữ liệu trên kênh"] = _channel_data(rows.pop("channels"))
    out["tin nhắn đã nhận"] = [
        {"kênh": r.get("channel"), "mã tin nhắn": r.get("message_id"), "lúc": r.get("at")}
        for r in rows.pop("processed_messages", [])
    ]
    out["lời nhắc đã gửi"] = [
        {"ngày": r.get("day"), "kênh": r.get("channel"), "lúc": r.get("sent_at")}
        for r in rows.pop("reminder_deliveries", [])
    ]
    out["mã liên kết"] = [{"mã": r.get("code"), "hết hạn": r.get("expires_at")} for r in rows.pop("link_codes", [])]
    for table, table_rows in rows.items():  # a table added later: as stored, so nothing is missing
        out[_OFFICER_TABLES.get(table, table)] = table_rows
    return out


def summary_counts(raw: dict[str, Any]) -> dict[str, int]:
    """How many lessons done, skills tracked, items scheduled and events logged (for the chat summary)."""
    lessons = raw.get("lesson_progress", [])
    return {
        "lessons_done": sum(1 for r in lessons if r.get("status") == "completed"),
        "lessons_started": len(lessons),
        "skills": len(raw.get("mastery", [])),
        "cards": len(raw.get("review_cards", [])),
        "events": len(raw.get("events", [])),
    }


class ExportFiles:
    """The temporary export folder: one JSON file per export, removed after `ttl` at the latest."""

    def __init__(self, folder: Path, ttl: timedelta = EXPORT_TTL) -> None:
        self.folder = folder
        self.ttl = ttl

    def write(self, data: dict[str, Any], now: datetime, learner_id: int | None = None) -> Path:
        """Write `data` as a new JSON file (a random name nobody can guess, tagged with `learner_id`
        so `remove_for` finds it) and sweep expired files."""
        self.sweep(now)
        self.folder.mkdir(parents=True, exist_ok=True)
        owner = f"{learner_id}-" if learner_id is not None else ""
        path = self.folder / f"{EXPORT_PREFIX}{owner}{now:%Y%m%d}-{secrets.token_hex(8)}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(path)
        return path

    def remove_for(self, learner_id: int) -> int:
        """Delete every export file of `learner_id` now (their data is being deleted); how many."""
        if not self.folder.is_dir():
            return 0
        removed = 0
        for path in self.folder.glob(f"{EXPORT_PREFIX}{learner_id}-*"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed

    def sweep(self, now: datetime) -> int:
        """Delete export files older than the ttl; returns how many."""
        if not self.folder.is_dir():
            return 0
        limit = now.timestamp() - self.ttl.total_seconds()
        removed = 0
        for path in self.folder.glob(f"{EXPORT_PREFIX}*"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except OSError as exc:  # another process removed it first
                log.debug("export sweep skipped a file: %s", type(exc).__name__)
        return removed
