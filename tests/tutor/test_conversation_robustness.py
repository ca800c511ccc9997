"""Bad input, forged or stale buttons, duplicates, concurrency, rate limit, failures and isolation,
through the real tutor core on a real database."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.tutor.conversation_kit import (
    Chat,
    Clock,
    answer_right,
    build_tutor,
    events,
    learner_id_of,
    onboard,
)
from tutor import texts
from tutor.flows import build_registry
from tutor.messages import APOLOGY, Inbound
from tutor.models import ConversationState, ProcessedMessage
from tutor.payloads import MAX_PAYLOAD_BYTES
from tutor.timeofday import parse_hhmm


# --- parsing (pure) ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "command", "arg"),
    [
        ("/hoc", "hoc", ""),
        ("/learn", "hoc", ""),
        ("/hoc@HocvusoBot", "hoc", ""),
        ("Học", "hoc", ""),
        ("hoc", "hoc", ""),
        ("tien do", "tiendo", ""),
        ("Tiến độ", "tiendo", ""),
        ("/TienDo", "tiendo", ""),
        ("kiem tra dau vao", "kiemtradauvao", ""),
        ("/nhacnho 19:30", "nhacnho", "19:30"),
        ("nhắc nhở 7h", "nhacnho", "7h"),
        ("/lienket 123456", "lienket", "123456"),
        ("lien ket 123456", "lienket", "123456"),
        ("/hoi mật khẩu là gì", "hoi", "mật khẩu là gì"),
        ("/xyz", "unknown", ""),
        ("Học tiếp", "hoc", ""),
        ("hoc tiep", "hoc", ""),
        ("Danh mục", "baihoc", ""),
        ("/kiemtra", "baitap", ""),
        ("học như thế nào cho nhanh", None, ""),
        ("mật khẩu mạnh là gì?", None, ""),
    ],
)
def test_parse_command(text: str, command: str | None, arg: str) -> None:
    parsed = build_registry().parse(text)
    if command is None:
        assert parsed is None
    elif command == "unknown":
        assert parsed is not None and parsed.command is None and parsed.arg == arg
    else:
        assert parsed is not None and parsed.command is not None
        assert (parsed.command.name, parsed.arg) == (command, arg)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19:30", "19:30"),
        ("7h", "07:00"),
        ("7h05", "07:05"),
        ("21.15", "21:15"),
        ("25:00", None),
        ("7:60", None),
        ("sáng", None),
    ],
)
def test_parse_hhmm(text: str, expected: str | None) -> None:
    assert parse_hhmm(text) == expected


# --- bad input ----------------------------------------------------------------------------------
def test_bad_input_gets_helpful_vietnamese_replies(tutor) -> None:
    chat = Chat(tutor, "tg-bad")
    onboard(chat)
    cases = [
        (dict(text=None, kind="sticker"), texts.NON_TEXT),
        (dict(text=None, kind="photo"), texts.NON_TEXT),
        (dict(text="", kind="text"), texts.EMPTY),
        (dict(text="   \n ", kind="text"), texts.EMPTY),
        (dict(text="😀😀🎉", kind="text"), texts.EMOJI_ONLY),
        (dict(text="x" * 10_000, kind="text"), texts.too_long(2000)),
        (dict(text="/abcxyz", kind="text"), texts.unknown_command("/abcxyz")),
    ]
    for kwargs, expected in cases:
        replies = chat.say(**kwargs)
        assert [r.text for r in replies] == [expected], kwargs
    assert "/trogiup" in texts.unknown_command("/abcxyz")


def test_photo_with_a_caption_is_read_as_text(tutor) -> None:
    chat = Chat(tutor, "tg-cap")
    onboard(chat)
    chat.say("/trogiup", kind="photo")
    assert chat.text == tutor.help_text()


def test_forged_stale_and_foreign_payloads_are_refused_politely(tutor, engine) -> None:
    alice, bob = Chat(tutor, "tg-alice"), Chat(tutor, "tg-bob")
    onboard(alice, name="Alice")
    onboard(bob, name="Bob")
    alice.say("/hoc")
    next_payload = alice.button("Tiếp").payload
    body = next_payload.rsplit("|", 1)[0]

    for forged in (
        "nx:abcdef:0|AAAAAAAAAAAA",  # bad signature
        body,  # no signature
        body + "|",  # empty signature
        "|" + next_payload.rsplit("|", 1)[1],  # no body
        "x" * (MAX_PAYLOAD_BYTES + 10),  # oversize
        "a:999:0|" + next_payload.rsplit("|", 1)[1],  # signature of another body
    ):
        assert [r.text for r in alice.payload(forged)] == [texts.STALE_BUTTON], forged

    # Bob pressing Alice's button: refused, and neither state moves.
    bob_id = learner_id_of(engine, "telegram", "tg-bob")
    alice_id = learner_id_of(engine, "telegram", "tg-alice")
    assert [r.text for r in bob.payload(next_payload)] == [texts.STALE_BUTTON]
    with engine.connect() as conn:
        states = dict(conn.execute(sa.select(ConversationState.learner_id, ConversationState.section)).all())
    assert states[alice_id] == 0 and states[bob_id] == 0

    # The genuine press works once; pressed again (an old message) it is stale.
    assert "2/" in alice.payload(next_payload)[0].text
    assert [r.text for r in alice.payload(next_payload)] == [texts.STALE_BUTTON]


def test_answer_to_a_closed_quiz(tutor) -> None:
    chat = Chat(tutor, "tg-closed")
    onboard(chat)
    chat.say("/hoc")
    chat.press("Làm bài tập")
    payloads = chat.quiz().choice_payloads
    chat.say("/hoc")  # leaving the quiz closes it
    assert [r.text for r in chat.payload(payloads[0])] == [texts.QUIZ_CLOSED]


def test_consent_button_before_contact_and_profile_buttons_out_of_turn(tutor) -> None:
    chat = Chat(tutor, "tg-order")
    chat.say("/start")
    consent = chat.button("Đồng ý").payload
    chat.payload(consent)
    skip = chat.button("Bỏ qua").payload
    chat.say("/hoc")  # a command during the profile: finish the profile first
    assert texts.PROFILE_FIRST in chat.text
    chat.payload(skip)  # name skipped
    chat.payload(skip)  # unit skipped (same signed body, valid in the unit step too)
    assert texts.ASK_GROUP in chat.text
    chat.payload(skip)  # no skipping the group
    assert texts.STALE_BUTTON in chat.text
    chat.say("ai biết")
    assert texts.GROUP_UNKNOWN in chat.text
    chat.press("Cán bộ công đoàn")
    assert "Hồ sơ đã xong" in chat.text
    chat.payload(consent)  # consenting again is harmless
    assert texts.ASK_NAME not in chat.text


# --- duplicates, concurrency, rate limit -----------------------------------------------------------
def test_same_message_id_is_handled_once(tutor, engine) -> None:
    chat = Chat(tutor, "tg-dup")
    onboard(chat)
    first = chat.say("/nhacnho 19:30", message_id="dup-1")
    second = chat.say("/nhacnho 19:30", message_id="dup-1")
    assert first and "19:30" in first[0].text
    assert second == first  # a redelivery gets the stored replies again (issue 14: idempotent turns)
    learner_id = learner_id_of(engine, "telegram", "tg-dup")
    assert len(events(engine, learner_id, "reminder_set")) == 1
    # The same id on another channel is another message.
    other = Chat(tutor, "zl-dup", "zalo")
    assert other.say("/start", message_id="dup-1")


def test_concurrent_messages_of_one_learner_are_serialized(tutor, engine) -> None:
    chat = Chat(tutor, "tg-conc")
    onboard(chat)
    chat.say("/hoc")
    press = chat.button("Tiếp").payload
    results: list[list[str]] = []
    barrier = threading.Barrier(6)

    def tap(i: int) -> None:
        barrier.wait()
        replies = tutor.handle(Inbound("telegram", "tg-conc", f"tap-{i}", payload=press, kind="button"))
        results.append([r.text for r in replies])

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    advanced = [r for r in results if r and "2/" in r[0]]
    stale = [r for r in results if r == [texts.STALE_BUTTON]]
    assert len(advanced) == 1 and len(stale) == 5
    learner_id = learner_id_of(engine, "telegram", "tg-conc")
    viewed = [e["data"]["section"] for e in events(engine, learner_id, "section_viewed")]
    assert viewed == [0, 1]


def test_two_workers_on_one_database_do_not_lose_updates(quick_container, engine, clock) -> None:
    """Two Conversation objects (as two processes would be) share only the database."""
    first = build_tutor(quick_container, clock)
    second = build_tutor(quick_container, clock)
    chat = Chat(first, "tg-workers")
    onboard(chat)
    errors: list[BaseException] = []

    def send(tutor, start: int) -> None:  # type: ignore[no-untyped-def]
        try:
            for i in range(start, start + 6):
                tutor.handle(Inbound("telegram", "tg-workers", f"w-{i}", text=f"/nhacnho {i:02d}:00"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(first, 0)), threading.Thread(target=send, args=(second, 10))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    learner_id = learner_id_of(engine, "telegram", "tg-workers")
    assert len(events(engine, learner_id, "reminder_set")) == 12
    with engine.connect() as conn:
        handled = conn.execute(
            sa.select(sa.func.count()).select_from(ProcessedMessage).where(ProcessedMessage.message_id.like("w-%"))
        ).scalar_one()
    assert handled == 12

    # The same "Tiếp" pressed at once through both workers advances the lesson once.
    chat.say("/hoc")
    press = chat.button("Tiếp").payload
    results: list[str] = []
    barrier = threading.Barrier(4)

    def tap(tutor, i: int) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        replies = tutor.handle(Inbound("telegram", "tg-workers", f"tap2-{i}", payload=press, kind="button"))
        results.append(replies[0].text if replies else "")

    taps = [threading.Thread(target=tap, args=(first if i % 2 else second, i)) for i in range(4)]
    for thread in taps:
        thread.start()
    for thread in taps:
        thread.join()
    assert sorted(r == texts.STALE_BUTTON for r in results) == [False, True, True, True], results


def test_rate_limit_per_learner(quick_container) -> None:
    clock = Clock(step=timedelta(milliseconds=10))
    tutor = build_tutor(quick_container, clock, rate_limit_per_minute=5, rate_limit_burst=5)
    chat = Chat(tutor, "tg-fast")
    calm = Chat(tutor, "tg-calm")
    for _ in range(5):
        assert chat.say("/trogiup")[0].text == tutor.help_text()
    assert [r.text[:18] for r in chat.say("/trogiup")] == [texts.RATE_LIMITED[:18]]
    assert chat.say("/trogiup") == []  # said once per burst, then silence
    assert calm.say("/trogiup")[0].text == tutor.help_text()  # other learners are not slowed down
    clock.advance(timedelta(seconds=61))
    assert chat.say("/trogiup")[0].text == tutor.help_text()


# --- failures and isolation ----------------------------------------------------------------------
class BrokenAnswerer:
    def answer(self, question, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"boom while answering {question}")


def test_unexpected_failure_gives_a_short_apology_and_logs_no_personal_data(tutor, caplog) -> None:
    chat = Chat(tutor, "tg-boom")
    onboard(chat, name="Nguyễn Văn Bí Mật")
    tutor._answerer = BrokenAnswerer()
    with caplog.at_level(logging.ERROR, logger="tutor.conversation"):
        replies = chat.say("số điện thoại 0912345678 của tôi bị lộ thì sao")
    assert [r.text for r in replies] == [APOLOGY]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "RuntimeError" in logged
    assert "0912345678" not in logged and "Bí Mật" not in logged and "tg-boom" not in logged
    assert "Traceback" not in replies[0].text


def test_no_learner_sees_another_learners_data(tutor) -> None:
    alice, bob = Chat(tutor, "tg-a"), Chat(tutor, "tg-b")
    onboard(alice, name="Alice Nguyễn")
    alice.say("Số tài khoản 0123456789 của tôi có bị lộ không?")
    alice.say("/nhacnho 06:45")
    alice.say("/hoc")
    onboard(bob, name="Bob Trần")
    for command in ("/taidulieu", "/tiendo", "/hoc", "/kiemtra", "/ontap", "/start"):
        text = "\n".join(r.text for r in bob.say(command))
        assert "Alice" not in text and "0123456789" not in text and "06:45" not in text, command
    bob.say("/taidulieu")
    exported = Path(bob.last[0].document_path or "").read_text(encoding="utf-8")
    assert '"tên": "Bob Trần"' in exported and "Alice" not in exported
    # Bob on Zalo is a different learner until he links.
    zalo_bob = Chat(tutor, "tg-a", "zalo")  # same user id string, other channel
    zalo_bob.say("/start")
    assert "Alice" not in zalo_bob.text and "Đồng ý" in zalo_bob.labels()


def test_question_during_a_quiz_is_answered_and_the_quiz_stays_open(tutor, engine) -> None:
    chat = Chat(tutor, "tg-qq")
    onboard(chat)
    chat.say("/hoc")
    chat.press("Làm bài tập")
    open_question = chat.last
    item_id = chat.quiz().item_id
    chat.say("Cỡ chữ nằm ở đâu trong phần cài đặt vậy?")
    assert "👍" in chat.labels()
    chat.last = open_question
    answer_right(chat, tutor.curriculum)
    assert "✅" in chat.text
    learner_id = learner_id_of(engine, "telegram", "tg-qq")
    assert events(engine, learner_id, "quiz_answered")[0]["item_id"] == item_id
