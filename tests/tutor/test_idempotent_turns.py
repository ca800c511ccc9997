"""Idempotent turns (issue 14, item 7): a turn's replies are stored with its message id, so a retry
after a crash between the commit and the response gets the answer instead of `[]`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.tutor.conversation_kit import Chat, events, learner_id_of, onboard
from tutor.conversation import Conversation
from tutor.messages import Inbound
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
