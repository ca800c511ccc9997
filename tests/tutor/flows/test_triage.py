"""Scam triage, off-topic replies and the content-gap log, through the real tutor core (fake answerer)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.tutor.conversation_kit import Chat, events, learner_id_of, onboard
from tutor.answering import Answer
from tutor.flows.triage import MENU_LABEL
from tutor.models import ContentGap
from tutor.safety import safety_steps
from tutor.scope import OFF_TOPIC_TEXT


def _gaps(container: Any) -> list[ContentGap]:
    with container.session_factory() as session:
        return list(session.scalars(select(ContentGap).order_by(ContentGap.id)))


class NotFound:
    """An answerer that finds nothing (the best hit is below its floor)."""

    def __init__(self) -> None:
        self.questions: list[str] = []

    def answer(self, question: str, **_kwargs: Any) -> Answer:
        self.questions.append(question)
        return Answer(text="Mình chưa tìm thấy nội dung này.", sources=(), answered=False, mode="not_found")


def test_a_scam_question_gets_the_steps_first_without_the_answerer(quick_tutor, quick_container, fake_answerer) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(quick_tutor, "t-1")
    onboard(chat)
    replies = chat.say("toi vua chuyen tien cho nguoi la phai lam sao")
    assert replies[0].text.startswith(safety_steps())
    assert fake_answerer.questions == []
    assert {"👍", "👎"} <= set(chat.labels())
    learner = learner_id_of(quick_container.engine, "telegram", "t-1")
    asked = events(quick_container.engine, learner, "question_asked")
    assert asked[-1]["data"]["mode"] == "safety" and asked[-1]["data"]["scam_kind"] == "money_sent"
    assert _gaps(quick_container) == []  # answered: not a content gap


def test_an_off_topic_question_gets_the_honest_reply_and_the_menu(quick_tutor, quick_container, fake_answerer) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(quick_tutor, "t-2")
    onboard(chat)
    replies = chat.say("gia vang hom nay")
    assert [r.text for r in replies] == [OFF_TOPIC_TEXT]
    assert fake_answerer.questions == []
    assert MENU_LABEL in chat.labels() and not any(label.startswith("📘") for label in chat.labels())
    chat.press(MENU_LABEL)
    assert "📘" in chat.text  # the course opens
    gaps = _gaps(quick_container)
    assert [(g.reason, g.question, g.lesson_id) for g in gaps] == [("off_topic", "gia vang hom nay", None)]


def test_unanswered_and_thumbs_down_questions_reach_the_gap_log(quick_tutor, quick_container, fake_answerer) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(quick_tutor, "t-3")
    onboard(chat)
    chat.say("mật khẩu mạnh là gì?")  # answered by the fake answerer
    chat.press("👎")
    quick_tutor._answerer = NotFound()
    chat.say("cách cài Windows 11 cho máy tính, sđt 0912345678")
    gaps = _gaps(quick_container)
    assert [g.reason for g in gaps] == ["thumbs_down", "not_found"]
    assert gaps[0].question == "mật khẩu mạnh là gì?"
    assert "0912345678" not in gaps[1].question and gaps[1].folded.startswith("cach cai windows 11")
    chat.press("👎")  # a 👎 on an unanswered question is one more vote for the same gap
    assert [g.reason for g in _gaps(quick_container)] == ["thumbs_down", "not_found", "thumbs_down"]
    groups = quick_container.gap_log.grouped()
    assert [g.count for g in groups] == [2, 1]
