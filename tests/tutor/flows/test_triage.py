"""Scam triage, off-topic replies and the content-gap log, through the real tutor core (fake answerer)."""

from __future__ import annotations

from typing import Any

import pytest
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
    assert chat.text.startswith("📚 Danh mục bài học")  # the course menu opens (/baihoc)
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


class SafetyAnswer:
    """An answerer that, like the real one, returns the steps of the question's kind apart from its answer."""

    def __init__(self, grounded: str) -> None:
        self.grounded = grounded

    def answer(self, question: str, **_kwargs: Any) -> Answer:
        steps = safety_steps(question)
        return Answer(text=self.grounded, sources=(), answered=True, mode="safety", steps=steps)


def test_a_hacked_facebook_gets_recovery_steps_then_its_question_answered(  # type: ignore[no-untyped-def]
    quick_tutor, quick_container, fake_answerer
) -> None:
    chat = Chat(quick_tutor, "t-4")
    onboard(chat)
    replies = chat.say("bi hack facebook roi lay lai sao")
    steps = replies[0].text
    assert "đổi mật khẩu" in steps.lower() and "Đăng xuất" in steps and "facebook.com/hacked" in steps
    assert "Cúp máy" not in steps and "tổng đài ngân hàng" not in steps  # no money at stake
    assert fake_answerer.questions == ["bi hack facebook roi lay lai sao"]  # answered once, after the steps
    assert [r.text for r in replies[1:]] == [fake_answerer.text]
    learner = learner_id_of(quick_container.engine, "telegram", "t-4")
    asked = events(quick_container.engine, learner, "question_asked")
    assert len(asked) == 1 and asked[0]["data"]["scam_kind"] == "hacked"


def test_a_lost_phone_gets_sim_bank_and_find_my_phone_steps_then_the_answer(  # type: ignore[no-untyped-def]
    quick_tutor, fake_answerer
) -> None:
    chat = Chat(quick_tutor, "t-5")
    onboard(chat)
    text = (
        "toi bi mat dien thoai co cai app ngan hang va zalo, gio phai lam nhung gi, khoa sim the nao, "
        "bao ngan hang ra sao?"
    )
    replies = chat.say(text)
    steps = replies[0].text
    assert steps.index("khóa SIM") < steps.index("ngân hàng") < steps.index("google.com/android/find")
    assert "Cúp máy" not in steps
    assert fake_answerer.questions == [text] and replies[-1].text == fake_answerer.text


def test_a_follow_up_question_found_nowhere_adds_nothing_and_no_gap(quick_tutor, quick_container) -> None:  # type: ignore[no-untyped-def]
    quick_tutor._answerer = NotFound()
    chat = Chat(quick_tutor, "t-6")
    onboard(chat)
    replies = chat.say("danh roi dien thoai roi, lam sao khoa sim")
    assert len(replies) == 1 and "khóa SIM" in replies[0].text
    assert "chưa tìm thấy" not in chat.text
    assert _gaps(quick_container) == []


def test_the_follow_up_answer_does_not_repeat_the_steps(quick_tutor) -> None:  # type: ignore[no-untyped-def]
    quick_tutor._answerer = SafetyAnswer("Vào trang lấy lại tài khoản của Facebook.")
    chat = Chat(quick_tutor, "t-7")
    onboard(chat)
    replies = chat.say("facebook bị hack rồi làm sao lấy lại")
    assert [r.text for r in replies[1:]] == ["Vào trang lấy lại tài khoản của Facebook."]
    steps = safety_steps("facebook bị hack rồi làm sao lấy lại")
    assert steps != safety_steps() and chat.text.count(steps) == 1  # the kind's steps, once


def test_what_now_alone_is_answered_by_the_steps(quick_tutor, fake_answerer) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(quick_tutor, "t-8")
    onboard(chat)
    for text in ("mat 5 cu roi ad oi", "Tôi lỡ chuyển 20 triệu cho bên lừa đảo rồi, giờ làm thế nào?"):
        replies = chat.say(text)
        assert len(replies) == 1 and replies[0].text.startswith(safety_steps())
    assert fake_answerer.questions == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cam on em nhieu", "Không có gì"),
        ("chao buoi sang", "Chào bạn"),
        ("em oi", "Chào bạn"),
        ("hay qua", "Cảm ơn bạn"),
        ("2", "/baitap"),
        ("ban la ai", "Bình dân học vụ số"),
        ("ban ten gi", "/baihoc"),
        ("ngu the", "Xin lỗi"),
        ("/hoi ban la ai", "Bình dân học vụ số"),
    ],
)
def test_small_talk_gets_a_short_reply_never_not_found_nor_a_gap(  # type: ignore[no-untyped-def]
    quick_tutor, quick_container, text, expected
) -> None:
    """QA finding 11."""
    answerer = NotFound()
    quick_tutor._answerer = answerer
    chat = Chat(quick_tutor, f"talk-{text}")
    onboard(chat)
    replies = chat.say(text)
    assert len(replies) == 1 and expected in replies[0].text
    assert "chưa tìm thấy" not in replies[0].text and len(replies[0].text) <= 300
    assert answerer.questions == [] and _gaps(quick_container) == []


@pytest.mark.parametrize(
    "text", ["mat dien thoai thi lam gi", "mat dt thi lam gi truoc", "mất điện thoại thì làm gì trước"]
)
def test_a_question_about_a_lost_phone_gets_the_lost_phone_steps(quick_tutor, fake_answerer, text) -> None:  # type: ignore[no-untyped-def]
    """QA "still wrong": these got the volume and brightness bullets of «Cài đặt cơ bản»."""
    chat = Chat(quick_tutor, f"lost-{text}")
    onboard(chat)
    replies = chat.say(text)
    assert len(replies) == 1 and "khóa SIM" in replies[0].text and "Cúp máy" not in replies[0].text
    assert fake_answerer.questions == []  # "làm gì": the steps are the answer
