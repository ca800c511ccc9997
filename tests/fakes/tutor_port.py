"""A small, thread-safe TutorPort for channel tests: a scripted consent → lesson → quiz flow.

It deduplicates on Inbound.message_id like the real tutor, and records everything it was asked.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tutor.messages import Button, CertificateCheck, Inbound, MenuEntry, QuizQuestion, ReminderTarget, Reply

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REMINDER_GRACE = timedelta(hours=1)  # a reminder time missed by less than this is still honoured
MENU = [
    MenuEntry("hoc", "Học tiếp", "Học bài tiếp theo", quick=True),
    MenuEntry("on", "Ôn tập", "Ôn lại các câu đến hạn", quick=True),
    MenuEntry("tiendo", "Tiến độ", "Xem tiến độ học của bạn", quick=True),
    MenuEntry("trogiup", "Trợ giúp", "Các lệnh bạn có thể dùng"),
]

LONG_TEXT = " ".join(
    f"Câu số {i}: mật khẩu mạnh có ít nhất mười hai ký tự, gồm chữ, số và ký hiệu." for i in range(160)
)
QUIZ = QuizQuestion(
    item_id="q-matkhau-1",
    question="Mật khẩu nào mạnh nhất?",
    choices=("123456", "ngaysinh1990", "Tr@ng-Xanh-42-Mua"),
    choice_payloads=("ans:q-matkhau-1:0", "ans:q-matkhau-1:1", "ans:q-matkhau-1:2"),
    correct_index=2,
    explanation="Mật khẩu dài, trộn chữ, số và ký hiệu thì khó đoán.",
)


@dataclass
class FakeTutor:
    """Scripted tutor: /start → consent button → lesson → quiz; 'dài' → a 10,000+ character answer."""

    targets: list[ReminderTarget] = field(default_factory=list)
    reminder_text: str | None = "Đến giờ học rồi! Bạn có 2 câu cần ôn hôm nay."
    inbounds: list[Inbound] = field(default_factory=list)
    active_changes: list[tuple[str, str, bool]] = field(default_factory=list)
    image_path: str | None = None
    document_path: str | None = None  # what /taidulieu sends as a document
    agreed: set[tuple[str, str]] = field(default_factory=set)  # (channel, user_id) who pressed «Đồng ý»
    fail_on: str | None = None  # text that makes handle() raise
    menu_entries: list[MenuEntry] = field(default_factory=lambda: list(MENU))
    claimed: set[tuple[str, str, str]] = field(default_factory=set)  # (channel, user_id, local day)
    _seen: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, inbound: Inbound) -> list[Reply]:
        with self._lock:
            key = (inbound.channel, inbound.message_id)
            if key in self._seen:
                return []
            self._seen.add(key)
            self.inbounds.append(inbound)
        if self.fail_on is not None and inbound.text == self.fail_on:
            raise RuntimeError(f"scripted failure for {inbound.text}")
        if inbound.kind == "button":
            if inbound.payload == "consent:yes":
                with self._lock:
                    self.agreed.add((inbound.channel, inbound.user_id))
            return self._on_button(inbound.payload or "")
        if inbound.kind in ("sticker", "photo"):
            return [Reply("Mình chỉ đọc được chữ thôi. Bạn gõ câu hỏi nhé.")]
        text = (inbound.text or "").strip()
        if text.startswith("/start"):
            return [
                Reply(
                    "Chào bạn! Mình là trợ lý Bình dân học vụ số. Bạn đồng ý để mình lưu tiến độ học?",
                    buttons=((Button("Đồng ý", "consent:yes"), Button("Không", "consent:no")),),
                )
            ]
        if text == "/xoadulieu":
            with self._lock:
                self.agreed.discard((inbound.channel, inbound.user_id))
            return [Reply("🗑️ Đã xóa toàn bộ dữ liệu của bạn.")]
        if text == "/taidulieu":
            return [Reply("📦 Dữ liệu của bạn", document_path=self.document_path, document_name="du-lieu.json")]
        if text == "dài":
            return [Reply(LONG_TEXT)]
        if text == "tệp":
            return [Reply("Giấy chứng nhận <1>", document_path=self.document_path, document_name="chung-nhan.pdf")]
        if text == "ảnh":
            return [Reply("Xem hình minh hoạ nhé.", image_path=self.image_path, image_caption="Màn hình cài đặt <b>")]
        return [Reply(f"Bạn hỏi: {text}")]

    def _on_button(self, payload: str) -> list[Reply]:
        if payload == "consent:yes":
            return [
                Reply(
                    "Bài 1: Mật khẩu mạnh. Dùng ít nhất 12 ký tự, trộn chữ, số và ký hiệu.",
                    buttons=((Button("Làm bài kiểm tra", "quiz:start"),),),
                )
            ]
        if payload == "quiz:start":
            return [
                Reply(
                    QUIZ.question,
                    buttons=tuple((Button(c, p),) for c, p in zip(QUIZ.choices, QUIZ.choice_payloads, strict=True))
                    + ((Button("Bỏ qua", "quiz:skip"),),),
                    quiz=QUIZ,
                )
            ]
        if payload.startswith("ans:q-matkhau-1:"):
            correct = payload.endswith(":2")
            return [Reply("✅ Đúng rồi!" if correct else "❌ Chưa đúng. " + QUIZ.explanation)]
        return [Reply("Nút này đã cũ rồi. Bạn gõ /menu để tiếp tục nhé.")]

    def _reminder(self) -> Reply | None:
        return Reply(self.reminder_text) if self.reminder_text else None

    def menu(self) -> list[MenuEntry]:
        return list(self.menu_entries)

    def due_reminders(self, channel: str, now: datetime, limit: int = 100) -> list[tuple[ReminderTarget, Reply]]:
        """Like the tutor's: targets whose local time came within the grace period, each claimed once
        a day; a learner with nothing to say is claimed and skipped."""
        local = now.astimezone(TZ)
        due: list[tuple[ReminderTarget, Reply]] = []
        with self._lock:
            for target in self.targets:
                if target.channel != channel or len(due) >= limit:
                    continue
                hours, minutes = (int(x) for x in target.time_hhmm.split(":"))
                at = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
                key = (channel, target.user_id, local.date().isoformat())
                if not at <= local < at + REMINDER_GRACE or key in self.claimed:
                    continue
                self.claimed.add(key)
                reply = self._reminder()
                if reply is not None:
                    due.append((target, reply))
        return due

    def consented(self, channel: str, user_id: str) -> bool:
        with self._lock:
            return (channel, user_id) in self.agreed

    def set_active(self, channel: str, user_id: str, active: bool) -> None:
        with self._lock:
            self.active_changes.append((channel, user_id, active))

    def certificate_file(self, code: str, kind: str) -> str | None:
        return None

    def verify_certificate(self, code: str) -> CertificateCheck:
        """Only "GOODCODE42" is a valid certificate."""
        if code.upper() == "GOODCODE42":
            return CertificateCheck(True, "GOODCODE42", "HVS-2026-000001", "Lan", "CĐCS May", "Công nhân", "2026-03-02")
        return CertificateCheck(False, code.upper())
