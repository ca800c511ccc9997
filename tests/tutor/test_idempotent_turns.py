"""Idempotent turns (issue 14, item 7): a turn's replies are stored with its message id, so a retry
after a crash between the commit and the response gets the answer instead of `[]`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.tutor.conversation_kit import Chat, events, learner_id_of, onboard
from tutor.conversation import Conversation
from tutor.messages import Inbound, Reply
from tutor.reply_codec import replies_from_json, replies_to_json


def test_a_retried_message_id_gets_the_stored_replies_with_buttons(tutor, engine) -> None:
    chat = Chat(tutor, "idem-1")
    first = chat.say("/start", message_id="m-1")
    assert first and any(reply.buttons for reply in first)
    again = chat.say("/start", message_id="m-1")
    assert again == first  # same texts, same (signed) buttons
    learner_id = learner_id_of(engine, "telegram", "idem-1")
    assert learner_id is not None


def test_a_question_answered_after_the_commit_is_stored_too(tutor, engine) -> None:
    chat = Chat(tutor, "idem-2")
    onboard(chat)
    answered = chat.say("Mật khẩu mạnh là gì?", message_id="q-1")
    assert any("12 ký tự" in reply.text for reply in answered)
    retried = chat.say("Mật khẩu mạnh là gì?", message_id="q-1")
    assert [r.text for r in retried] == [r.text for r in answered]
    learner_id = learner_id_of(engine, "telegram", "idem-2")
    assert len(events(engine, learner_id, "question_asked")) == 1  # handled once


def test_a_crash_after_the_commit_loses_nothing(tutor: Conversation, engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The response is lost (the process dies as the turn returns): the retry gets the answer."""
    chat = Chat(tutor, "idem-3")
    onboard(chat)
    inbound = Inbound("telegram", "idem-3", "crash-1", text="/nhacnho 19:30")
    original = tutor._handle

    def dies_after_commit(message: Inbound) -> list:  # type: ignore[type-arg]
        original(message)
        raise RuntimeError("killed between commit and response")

    monkeypatch.setattr(tutor, "_handle", dies_after_commit)
    assert "hệ thống đang bận" in tutor.handle(inbound)[0].text
    monkeypatch.undo()
    retried = tutor.handle(inbound)
    assert retried and "19:30" in retried[0].text


def test_export_counts_stored_replies_instead_of_repeating_them(tutor) -> None:
    chat = Chat(tutor, "idem-4")
    onboard(chat)
    sizes = []
    for n in range(3):
        replies = chat.say("/taidulieu", message_id=f"x-{n}")
        (path,) = [r.document_path for r in replies if r.document_path]
        dumped = Path(path).read_text(encoding="utf-8")
        sizes.append(len(dumped))
        json.loads(dumped)
    assert sizes[2] - sizes[1] < 2000  # grows by a few rows, not by a copy of the previous export


def test_reply_codec_round_trip(tutor) -> None:
    chat = Chat(tutor, "idem-5")
    onboard(chat)
    replies = chat.say("/hoc")
    assert replies_from_json(json.loads(json.dumps(replies_to_json(replies)))) == replies
    assert replies_from_json([{"no": "text"}, "x", {"text": "ok"}])[0].text == "ok"
    assert replies_from_json(None) == []


def test_stored_replies_are_forgotten_after_the_retry_window(quick_container, engine) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from tests.tutor.conversation_kit import Clock, FakeAnswerer, build_tutor

    clock = Clock()
    tutor = build_tutor(quick_container, clock, answerer=FakeAnswerer())
    chat = Chat(tutor, "idem-6")
    onboard(chat)
    clock.advance(timedelta(days=3))
    tutor.purge_inactive()
    with engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT count(*) FROM tutor_processed_messages WHERE replies IS NOT NULL"))
        assert kept.scalar_one() == 0


def _processed(engine) -> list[tuple[str, str, int | None]]:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT channel, message_id, learner_id FROM tutor_processed_messages"))
        return [tuple(row) for row in rows]


def _learners(engine) -> int:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM tutor_learners")).scalar_one())


def test_retried_messages_of_a_deleted_learner_get_the_confirmation_and_create_nobody(tutor, engine) -> None:
    """After /xoadulieu, a retry of the confirming message, of the /xoadulieu that asked, or of any
    earlier message of the learner answers the same confirmation: it does not run again, creates no
    learner, and the raw message ids (a Telegram chat id is in them) are not kept."""
    chat = Chat(tutor, "8123456789")
    onboard(chat)
    chat.say("/tiendo", message_id="8123456789:40")
    asked = chat.say("/xoadulieu", message_id="8123456789:41")
    assert any(b.label == "Xóa hết" for r in asked for row in r.buttons for b in row)
    done = chat.say("có", message_id="8123456789:42")
    assert "Đã xóa" in done[0].text
    learners_after = _learners(engine)
    deleted_events = len(events(engine, None, "data_deleted"))
    for message_id in ("8123456789:42", "8123456789:41", "8123456789:40"):
        again = chat.say("có" if message_id.endswith("42") else "/xoadulieu", message_id=message_id)
        assert [r.text for r in again] == [r.text for r in done], message_id
    assert learner_id_of(engine, "telegram", "8123456789") is None
    assert _learners(engine) == learners_after
    assert len(events(engine, None, "data_deleted")) == deleted_events
    assert not [row for row in _processed(engine) if "8123456789" in row[1]]


def test_a_retried_long_reply_is_stored_compressed_and_returned_whole(tutor, engine) -> None:
    from tutor.reply_codec import MAX_STORED_CHARS

    chat = Chat(tutor, "idem-long")
    onboard(chat)
    inbound = Inbound("telegram", "idem-long", "long-1", text="/tiendo")
    first = tutor.handle(inbound)
    long_replies = [*first, Reply("Đoạn dài về mật khẩu và mã OTP. " * 1000)]
    tutor._runner.save_replies(inbound, long_replies)  # what a long answer's turn stores
    assert sum(len(r.text) for r in long_replies) > MAX_STORED_CHARS
    assert tutor.handle(inbound) == long_replies
