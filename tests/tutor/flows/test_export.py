"""/taidulieu: a short summary in chat and the complete data as one readable JSON file (issue 10)."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.tutor.conversation_kit import Chat, answer_right, onboard
from tutor.export import SCHEDULER_EXPLAINED, ExportFiles


def test_export_is_one_summary_and_one_readable_file(quick_tutor, quick_container) -> None:
    lan = Chat(quick_tutor, "ex-lan")
    onboard(lan, name="Lan")
    lan.say("/hoc")
    lan.say("/baitap")
    for _ in range(3):
        answer_right(lan, quick_tutor.curriculum)
    replies = lan.say("/taidulieu")

    assert len(replies) == 1  # no flood: one message with one document
    reply = replies[0]
    assert "Bài học" in reply.text and "tệp JSON" in reply.text and len(reply.text) < 600
    path = Path(reply.document_path or "")
    assert path.is_file() and path.parent == quick_container.settings.data_dir / "exports"
    assert reply.document_name and reply.document_name.endswith(".json")
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)

    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["hồ sơ"]["tên"] == "Lan"
    assert data["hồ sơ"]["đơn vị"] == "Công đoàn Công ty May Thành Công"
    assert data["hồ sơ"]["nhóm"].startswith("Công nhân") and data["hồ sơ"]["đồng ý điều khoản"] == "đã đồng ý"
    assert data["giải thích lịch ôn tập"] == SCHEDULER_EXPLAINED
    cards = data["lịch ôn tập"]
    assert len(cards) == 3
    for card in cards:
        assert set(card) <= set(SCHEDULER_EXPLAINED)  # every scheduler field is named and explained
        assert card["độ bền trí nhớ (ngày)"] > 0 and 1 <= card["độ khó (1-10)"] <= 10
        assert "(" in card["câu hỏi"]  # the question's text, its id in brackets
    answered = [e for e in data["nhật ký học tập"] if e["việc"] == "trả lời câu hỏi"]
    assert len(answered) == 3 and all(e["chi tiết"]["đúng"] is True for e in answered)
    assert data["kỹ năng"] and all(0 <= s["mức thành thạo (%)"] <= 100 for s in data["kỹ năng"])
    raw = path.read_text(encoding="utf-8")
    for internal in ('"stability"', '"difficulty"', '"card_id"', '"learner_id"'):
        assert internal not in raw, internal


def test_export_files_expire(tmp_path: Path) -> None:
    files = ExportFiles(tmp_path / "exports", ttl=timedelta(minutes=10))
    now = datetime.now(UTC)
    old = files.write({"a": 1}, now)
    past = time.time() - 11 * 60
    os.utime(old, (past, past))
    fresh = files.write({"b": 2}, now)  # writing sweeps the expired file
    assert not old.exists() and fresh.exists()
    assert files.sweep(now + timedelta(minutes=11)) == 1 and not fresh.exists()


def test_the_minute_tick_of_the_channels_sweeps_expired_exports(quick_tutor, quick_container) -> None:
    lan = Chat(quick_tutor, "ex-sweep")
    onboard(lan, name="Lan")
    path = Path(lan.say("/taidulieu")[0].document_path or "")
    assert path.is_file()
    quick_tutor.due_reminders("telegram", datetime.now(UTC))
    assert path.is_file()  # still within its 10 minutes
    quick_tutor.due_reminders("telegram", datetime.now(UTC) + timedelta(minutes=11))
    assert not path.exists()


def test_xoadulieu_deletes_the_export_files_at_once(quick_tutor, quick_container) -> None:
    """QA finding 6: the JSON export (name, every question) does not outlive the deletion."""
    lan = Chat(quick_tutor, "ex-delete")
    onboard(lan, name="Lan")
    first = Path(lan.say("/taidulieu")[0].document_path or "")
    second = Path(lan.say("/taidulieu")[0].document_path or "")
    other = Chat(quick_tutor, "ex-other")
    onboard(other, name="Hoa")
    theirs = Path(other.say("/taidulieu")[0].document_path or "")
    assert first.is_file() and second.is_file() and theirs.is_file()
    lan.say("/xoadulieu")
    lan.press("Xóa")
    assert "Đã xóa" in lan.text
    assert not first.exists() and not second.exists()
    assert theirs.is_file()  # another learner's export is theirs to keep until its ttl


def _keys(value: object) -> list[str]:
    if isinstance(value, dict):
        return [str(k) for k in value] + [k for v in value.values() for k in _keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def test_export_has_no_raw_internals(quick_tutor, quick_container) -> None:
    """QA finding 22: every key Vietnamese; modes, notes, chunk ids, answer modes and group codes
    translated or dropped; the certificate under a Vietnamese name."""
    import re

    lan = Chat(quick_tutor, "ex-raw")
    onboard(lan, name="Lan")
    lan.press("Làm bài kiểm tra")
    while "🏁" not in lan.text:
        answer_right(lan, quick_tutor.curriculum)
    lan.say("mật khẩu mạnh là gì vậy?")
    lan.say("/hoc mat khau")
    path = Path(lan.say("/taidulieu")[0].document_path or "")
    data = json.loads(path.read_text(encoding="utf-8"))
    english = [k for k in _keys(data) if re.fullmatch(r"[a-z_]+", k)]
    assert english == [], english
    raw = path.read_text(encoding="utf-8")
    for internal in ('"extractive"', '"worker"', '"lesson"', "placement_done", "unit_options", '"seq"', "chunks",
                     "strong_modules", "best_lesson", '"certificates"'):  # fmt: skip
        assert internal not in raw, internal
    state = data["trạng thái trò chuyện"][0]
    assert state["đang làm"] == "đang học bài" and state["bài đang mở"] == "Đặt mật khẩu mạnh"
    assert state["ghi chú"]["đã làm bài kiểm tra đầu vào"] is True
    asked = next(e for e in data["nhật ký học tập"] if e["việc"] == "đặt câu hỏi")
    assert asked["chi tiết"]["cách trả lời"] == "trích từ bài học"
    profile = next(e for e in data["nhật ký học tập"] if e["việc"] == "hoàn tất hồ sơ")
    assert profile["chi tiết"]["nhóm"].startswith("Công nhân")
    assert profile["chi tiết"]["đơn vị"] == "Công đoàn Công ty May Thành Công"
    assert "giấy chứng nhận" in data
