"""Due reminders: found in the database, each learner's reminder claimed once per local day."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.tutor.conversation_kit import Chat, build_tutor, onboard
from tutor.models import ReminderDelivery

# 2026-03-02 12:00 UTC is 19:00 in Hà Nội.
AT_19_00 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
AT_23_50 = datetime(2026, 3, 2, 16, 50, tzinfo=UTC)  # after any reminder time of that day


def _deliveries(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(ReminderDelivery)).scalar_one()


def test_due_reminders_are_claimed_once_per_day(quick_tutor, quick_container) -> None:
    lan, minh = Chat(quick_tutor, "r-lan"), Chat(quick_tutor, "r-minh")
    onboard(lan, name="Lan")
    onboard(minh, name="Minh")
    lan.say("/nhacnho 18:30")
    minh.say("nhac nho 19h30")
    Chat(quick_tutor, "r-none").say("/start")  # no consent: never reminded

    assert quick_tutor.due_reminders("telegram", AT_19_00 - timedelta(hours=1)) == []
    due = quick_tutor.due_reminders("telegram", AT_19_00)
    assert [(t.user_id, t.time_hhmm) for t, _ in due] == [("r-lan", "18:30")]
    target, reply = due[0]
    assert "Lan" in reply.text and reply.buttons
    assert quick_tutor.due_reminders("telegram", AT_19_00 + timedelta(minutes=5)) == []  # claimed
    assert quick_tutor.due_reminders("zalo", AT_19_00) == []

    later = quick_tutor.due_reminders("telegram", AT_19_00 + timedelta(minutes=45))
    assert [t.user_id for t, _ in later] == ["r-minh"]
    next_day = quick_tutor.due_reminders("telegram", AT_19_00 + timedelta(days=1))
    assert [t.user_id for t, _ in next_day] == ["r-lan"]
    assert _deliveries(quick_container.engine) == 3

    # Buttons of a reminder work like any other button.
    lan.payload(reply.buttons[0][0].payload)
    assert "📘" in lan.text


def test_limit_and_a_turned_off_reminder(quick_tutor) -> None:
    chats = [Chat(quick_tutor, f"r-{i}") for i in range(3)]
    for chat in chats:
        onboard(chat)
        chat.say("/nhacnho 7:00")
    chats[2].say("/tatnhacnho")
    first = quick_tutor.due_reminders("telegram", AT_19_00, limit=1)
    rest = quick_tutor.due_reminders("telegram", AT_19_00, limit=10)
    assert len(first) == 1 and len(rest) == 1
    assert {t.user_id for t, _ in first + rest} == {"r-0", "r-1"}


def test_two_processes_asking_at_once_never_share_a_reminder(quick_container, clock, fake_answerer) -> None:
    tutors = [build_tutor(quick_container, clock, answerer=fake_answerer) for _ in range(2)]
    for i in range(6):
        chat = Chat(tutors[0], f"r-race-{i}")
        onboard(chat)
        chat.say("/nhacnho 19:00")
    results: list[list[str]] = [[], []]
    barrier = threading.Barrier(2)

    def ask(index: int) -> None:
        barrier.wait(timeout=60)
        results[index] = [t.user_id for t, _ in tutors[index].due_reminders("telegram", AT_19_00)]

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    claimed = results[0] + results[1]
    assert sorted(claimed) == sorted(f"r-race-{i}" for i in range(6))  # each exactly once
    assert _deliveries(quick_container.engine) == 6


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/nhacnho 8h toi", "20:00"),
        ("nhac nho 8 gio toi", "20:00"),
        ("/nhacnho 20 giờ", "20:00"),
        ("/nhacnho tối 8h", "20:00"),
        ("nhắc nhở 20h30", "20:30"),
        ("/nhacnho 8:30 sáng", "08:30"),
    ],
)
def test_reminder_times_as_learners_type_them(quick_tutor, typed, expected) -> None:
    chat = Chat(quick_tutor, f"r-typed-{typed}")
    onboard(chat)
    chat.say(typed)
    assert expected in chat.text
    due = quick_tutor.due_reminders("telegram", AT_23_50)
    assert [t.time_hhmm for t, _ in due if t.user_id == chat.user] == [expected]


def test_a_bare_hour_asks_morning_or_evening(quick_tutor) -> None:
    chat = Chat(quick_tutor, "r-bare")
    onboard(chat)
    chat.say("/nhacnho 8h")
    assert "sáng hay" in chat.text and chat.labels() == ["🌅 08:00 sáng", "🌙 20:00 tối"]
    assert quick_tutor.due_reminders("telegram", AT_23_50) == []  # nothing set silently
    chat.press("20:00 tối")
    assert [t.time_hhmm for t, _ in quick_tutor.due_reminders("telegram", AT_23_50 + timedelta(days=1))] == ["20:00"]
