"""Officers' questions the cue words miss, read by a model — through the real LangChain/OpenAI
client against the local fake OpenAI-compatible server: the model returns parameters only (JSON,
validated), the figures come from the fixed queries; garbage, an out-of-scope unit, an unknown
module or a hung model give the "you can ask" help; "none" goes to the ordinary answer."""

# ruff: noqa: F811  (pytest fixtures imported from other test modules are redefined as arguments)
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.fakes.openai_server import OpenAIFake, openai_fake  # noqa: F401  (fixture)
from tests.tutor.conversation_kit import Chat, build_tutor, onboard
from tests.tutor.flows.test_officers_chat import certify, officers  # noqa: F401  (fixture)
from tutor import texts_officers as tx
from tutor.answering import Answerer
from tutor.config import LLMConfig
from tutor.llm import make_chat_model
from tutor.models import Event
from tutor.officer_llm import NOT_STATISTICS, UNREADABLE, parse_reply
from tutor.officer_models import OfficerView
from tutor.officer_questions import RATE, looks_statistical, parse_question

MISSED = "công ty may thành công giờ được mấy người đạt rồi?"  # no cue-word kind, but figures


@pytest.fixture
def model_tutor(quick_container, clock, officers, openai_fake):  # type: ignore[no-untyped-def]
    model = make_chat_model(LLMConfig(base_url=openai_fake.base_url, model=openai_fake.model, timeout_s=5.0))
    # A real answerer (no passages) whose bounded pool the officers' questions share.
    answerer = Answerer(lambda *_a, **_k: [], model, min_relevance=0.5, llm_workers=1, llm_timeout_s=1.5)
    built = build_tutor(quick_container, clock, answerer=answerer)
    built.context.officers = officers
    built.context.chat_model = model
    yield built
    answerer.close()


def model_says(fake: OpenAIFake, **fields: object) -> None:
    fake.reply = "```json\n" + json.dumps({"kind": "rate", **fields}) + "\n```"


def district_officer(tutor, officers) -> Chat:  # type: ignore[no-untyped-def]
    chat = Chat(tutor, "officer-llm")
    onboard(chat)
    chat.say(f"/canbo {officers.invite('cd-kcn-tan-hoa').code}")
    return chat


def viewed(container) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with container.session_factory() as session:
        return [tuple(r) for r in session.execute(sa.select(OfficerView.unit_id, OfficerView.what)).all()]


def test_the_text_is_one_the_cue_words_miss() -> None:
    assert parse_question(MISSED) is None and looks_statistical(MISSED)
    assert not looks_statistical("mật khẩu mạnh là gì?")


def test_the_model_gives_parameters_and_the_fixed_query_gives_the_numbers(  # type: ignore[no-untyped-def]
    model_tutor,
    officers,
    openai_fake,
    quick_container,
    clock,
) -> None:
    certify(quick_container, "cdcs-may-thanh-cong", "worker", 6, clock.now)
    chat = district_officer(model_tutor, officers)
    openai_fake.reset()
    model_says(openai_fake, unit="cdcs-may-thanh-cong", group="worker", module=None, period=None)
    replies = chat.say(MISSED)
    assert len(replies) == 1
    text = replies[0].text
    assert "Công đoàn Công ty May Thành Công" in text and "(6/1850)" in text  # the fixed query's figures
    assert "{" not in text and "json" not in text  # nothing of the model's text
    request = openai_fake.last_request
    assert "<question>công ty may thành công" in request.user
    assert "cdcs-may-thanh-cong: Công đoàn Công ty May Thành Công" in request.system
    assert "cdcs-thpt-le-loi" not in request.system  # only units of the officer's scope are offered
    assert ("cdcs-may-thanh-cong", f"chat:question:{RATE}") in viewed(quick_container)


@pytest.mark.parametrize(
    "reply",
    [
        "Tỷ lệ đạt chuẩn ở công ty may là 42%.",  # prose: the model tried to answer
        '{"kind": "rate", "unit": null, "answer": "42%"}',  # an extra field
        '{"kind": "ranking", "unit": null}',  # not one of the kinds
        '{"kind": "rate", "group": "students"}',  # not one of the groups
        '{"kind": "rate", "module": "nau-an"}',  # not a module of the course
        "",
    ],
)
def test_anything_but_a_valid_object_gives_the_help(model_tutor, officers, openai_fake, reply) -> None:  # type: ignore[no-untyped-def]
    chat = district_officer(model_tutor, officers)
    openai_fake.reply = reply
    replies = chat.say(MISSED)
    assert [r.text for r in replies] == [tx.QUESTION_NOT_UNDERSTOOD]


def test_a_malformed_http_body_gives_the_help(model_tutor, officers, openai_fake) -> None:  # type: ignore[no-untyped-def]
    chat = district_officer(model_tutor, officers)
    openai_fake.raw_body = b'{"choices": [ {"message": '
    assert chat.say(MISSED)[0].text == tx.QUESTION_NOT_UNDERSTOOD


def test_a_unit_outside_the_scope_is_refused_without_its_figures(  # type: ignore[no-untyped-def]
    model_tutor,
    officers,
    openai_fake,
    quick_container,
    clock,
) -> None:
    certify(quick_container, "cdcs-thpt-le-loi", "public", 9, clock.now)
    chat = district_officer(model_tutor, officers)
    for code in ("cdcs-thpt-le-loi", "cdcs-invented-by-the-model"):
        model_says(openai_fake, unit=code, group="public")
        assert [r.text for r in chat.say(MISSED)] == [tx.UNIT_NOT_IN_SCOPE]
    assert all(unit != "cdcs-thpt-le-loi" for unit, _ in viewed(quick_container))


def test_a_hung_model_gives_the_help(model_tutor, officers, openai_fake) -> None:  # type: ignore[no-untyped-def]
    chat = district_officer(model_tutor, officers)
    model_says(openai_fake, unit=None)
    openai_fake.delay_s = 4.0  # longer than the answerer's 1.5 s wait
    assert [r.text for r in chat.say(MISSED)] == [tx.QUESTION_NOT_UNDERSTOOD]


def test_a_module_named_by_the_model_gets_the_module_figures(model_tutor, officers, openai_fake) -> None:  # type: ignore[no-untyped-def]
    chat = district_officer(model_tutor, officers)
    openai_fake.reply = json.dumps({"kind": "overview", "unit": None, "module": "an-toan", "period": "month"})
    text = chat.say("tiến độ chuyên đề thứ hai của đơn vị tôi?")[0].text
    assert text.startswith("📘 An toàn tài khoản – Công đoàn các Khu công nghiệp Tân Hòa:")
    assert "0 bài đã học xong" in text


def test_none_goes_to_the_ordinary_answer_and_learners_never_reach_the_model(  # type: ignore[no-untyped-def]
    model_tutor,
    officers,
    openai_fake,
    quick_container,
) -> None:
    chat = district_officer(model_tutor, officers)
    openai_fake.reset()
    openai_fake.reply = '{"kind": "none"}'
    replies = chat.say("đơn vị mình có lớp học vào cuối tuần không?")
    assert len(openai_fake.requests) == 1
    assert replies[0].text not in (tx.QUESTION_NOT_UNDERSTOOD, tx.UNIT_NOT_IN_SCOPE)
    with quick_container.session_factory() as session:
        asked = session.scalars(sa.select(Event.data).where(Event.kind == "question_asked")).all()
    assert [a["question"] for a in asked] == ["đơn vị mình có lớp học vào cuối tuần không?"]

    learner = Chat(model_tutor, "learner-llm")
    onboard(learner)
    openai_fake.reset()
    learner.say(MISSED)
    assert openai_fake.requests == []  # a learner's text is an ordinary question, never a statistics one


def test_parse_reply_accepts_only_the_fixed_shape() -> None:
    modules = {"an-toan"}
    good = parse_reply('{"kind": "active", "period": "month", "group": "public"}', modules)
    assert not isinstance(good, str) and good is not UNREADABLE
    assert (good.kind, good.days, good.group, good.unit_code) == ("active", 30, "public", None)  # type: ignore[union-attr]
    assert parse_reply('{"kind": "none"}', modules) == NOT_STATISTICS
    for bad in (None, "{}", '{"kind": "rate"', '{"kind": "rate", "period": "year"}', "x" * 3000, '["rate"]'):
        assert parse_reply(bad, modules) is UNREADABLE
