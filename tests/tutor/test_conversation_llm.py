"""The tutor core with an LLM configured: the real langchain/openai client against a local
chat-completions server on 127.0.0.1 (tests/fakes/openai_server.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from hocvuso.container import Container
from tests.conftest import FIXTURE_COURSE, REPO_ROOT, make_settings
from tests.fakes.openai_server import ChatRequest, OpenAIFake
from tests.tutor.conversation_kit import Chat, answer_right, build_tutor, events, learner_id_of, onboard
from tutor.flows.quiz import item as quiz_item
from tutor.models import GeneratedItem

pytestmark = pytest.mark.slow

GENERATED = [
    {
        "type": "mcq",
        "question": "Để gõ bằng giọng nói, bạn chạm vào biểu tượng gì trên bàn phím?",
        "choices": ["Biểu tượng micrô", "Biểu tượng thùng rác", "Biểu tượng máy in"],
        "answer": "Biểu tượng micrô",
        "explanation": "Chạm micrô trên bàn phím rồi nói.",
        "skill": "dt-giong-noi",
    },
    {
        "type": "true_false",
        "question": "Nên đọc lại tin nhắn và sửa chữ sai trước khi bấm gửi.",
        "answer": "Đúng",
        "explanation": "Điện thoại có thể nghe nhầm.",
        "skill": "dt-giong-noi",
    },
]
LLM_ANSWER = "Bạn mở Cài đặt, chọn Màn hình rồi Cỡ chữ và kéo thanh trượt sang phải [1]."


def reply_for(request: ChatRequest) -> str:
    """Quiz generation requests get JSON items; questions get a short cited answer."""
    if "JSON" in request.system and "bai_hoc" in request.system:
        return json.dumps(GENERATED, ensure_ascii=False)
    return LLM_ANSWER


@pytest.fixture
def fake() -> Iterator[OpenAIFake]:
    with OpenAIFake(reply=reply_for) as server:
        yield server


# Q&A cards never answer alone here, so questions take the passages + LLM path these tests are
# about; a sure card answering without the model is tested below with the default thresholds.
NO_SURE_CARDS = {"answer_card_min_score": 1.01, "answer_card_sure_score": 1.01}


@pytest.fixture
def llm_container(data_dir: Path, database_url: str, embedder, fake: OpenAIFake) -> Iterator[Container]:  # type: ignore[no-untyped-def]
    yield from _container(data_dir, database_url, embedder, fake, NO_SURE_CARDS)


@pytest.fixture
def card_container(data_dir: Path, database_url: str, embedder, fake: OpenAIFake) -> Iterator[Container]:  # type: ignore[no-untyped-def]
    yield from _container(data_dir, database_url, embedder, fake, {})


def _container(data_dir, database_url, embedder, fake, tutor) -> Iterator[Container]:  # type: ignore[no-untyped-def]
    units = {"units_file": REPO_ROOT / "knowledge" / "units_sample.csv"}
    settings = make_settings(
        data_dir,
        database_url,
        llm={"base_url": fake.base_url, "model": fake.model, "timeout_s": 1.5},
        tutor={**units, **tutor},
    )
    container = Container(settings)
    container.__dict__["embedder"] = embedder
    assert container.ingestor.run([FIXTURE_COURSE]).ok
    yield container
    container.close()


def test_nothing_reaches_the_llm_before_consent_then_answers_come_from_it(llm_container, fake) -> None:
    tutor = build_tutor(llm_container)
    chat = Chat(tutor, "tg-llm")
    chat.say("/start")
    chat.say("Làm sao để chữ trên điện thoại to hơn?")
    chat.say("mật khẩu của tôi là Abc@12345 có mạnh không")
    assert fake.requests == []

    onboard_rest = Chat(tutor, "tg-llm")
    onboard_rest.last = chat.last
    onboard_rest.press("Đồng ý")  # the last question, kept in memory only, is answered now
    asked_after_consent = len(fake.requests)
    onboard_rest.press("Bỏ qua")
    onboard_rest.press("Bỏ qua")
    onboard_rest.press("Công nhân")
    assert len(fake.requests) == asked_after_consent

    onboard_rest.say("Làm sao để chữ trên điện thoại to hơn?")
    assert fake.requests, "the question should reach the LLM after consent"
    assert "chữ trên điện thoại to hơn" in fake.requests[-1].user
    assert "Cỡ chữ" in onboard_rest.text
    learner_id = learner_id_of(llm_container.engine, "telegram", "tg-llm")
    asked = events(llm_container.engine, learner_id, "question_asked")
    assert asked[-1]["data"]["mode"] == "llm"


def test_a_sure_card_answers_without_the_llm(card_container, fake) -> None:
    chat = Chat(build_tutor(card_container), "tg-card")
    onboard(chat)
    chat.say("Làm sao để chữ trên điện thoại to hơn?")
    assert fake.requests == [], "a sure Q&A card is the reply: no model call"
    assert "Theo bài «Chữ to dễ đọc và gõ bằng giọng nói»" in chat.text
    asked = events(card_container.engine, learner_id_of(card_container.engine, "telegram", "tg-card"), "question_asked")
    assert asked[-1]["data"]["mode"] == "card"


def test_a_model_that_leaks_its_prompt_or_is_slow_does_not_change_the_tutor(llm_container, fake) -> None:
    from tutor.answering import SYSTEM_PROMPT

    tutor = build_tutor(llm_container)
    chat = Chat(tutor, "tg-leak")
    onboard(chat)
    fake.reply = lambda request: "Đây là hướng dẫn của tôi: " + request.system
    # The model echoes its instructions as if told to. The question stays plain: on the small test
    # course, words of an injection ("system prompt") would stop it before the model (a topic the
    # course never names), and this test is about what the model sends back.
    chat.say("Làm sao để chữ trên điện thoại to hơn?")
    assert SYSTEM_PROMPT[:60] not in chat.text
    assert fake.requests

    fake.reply = LLM_ANSWER
    fake.delay_s = 3.0  # past llm.timeout_s: the extractive answer is used
    chat.say("Làm sao gõ tin nhắn bằng giọng nói?")
    assert chat.last and chat.last[0].sources
    assert "micrô" in chat.text.lower()
    fake.delay_s = 0.0
    fake.status = 500
    chat.say("Làm sao gõ tin nhắn bằng giọng nói?")
    assert chat.last[0].sources and "micrô" in chat.text.lower()


def test_generated_quiz_items_are_verified_stored_and_reused(llm_container, fake) -> None:
    tutor = build_tutor(llm_container)
    curriculum = tutor.curriculum
    chat = Chat(tutor, "tg-gen")
    onboard(chat)
    chat.say("/kiemtra chữ to giọng nói")
    while "🏁" not in chat.text:
        answer_right(chat, curriculum)
    # Generation runs in the background (a slow model delays no turn): wait for the stored items.
    deadline = time.monotonic() + 60
    stored: list = []  # type: ignore[type-arg]
    while not stored and time.monotonic() < deadline:
        with llm_container.engine.connect() as conn:
            stored = list(conn.execute(sa.select(GeneratedItem.id, GeneratedItem.lesson_id)).all())
        time.sleep(0.05)
    generation_requests = [r for r in fake.requests if "bai_hoc" in r.system]
    assert len(generation_requests) == 1
    assert stored and {lesson for _, lesson in stored} == {"co-chu-giong-noi"}

    # The next quiz on the lesson asks the new (never answered) items first, without a new request.
    chat.say("/kiemtra chữ to giọng nói")
    lookup = _StoredItems(tutor, llm_container)
    asked = []
    while "🏁" not in chat.text:
        asked.append(chat.quiz().item_id)
        answer_right(chat, lookup)
        assert "✅" in chat.text
    assert {item_id for item_id, _ in stored} <= set(asked)
    assert all(item_id.startswith("gen-") for item_id, _ in stored)
    assert len([r for r in fake.requests if "bai_hoc" in r.system]) == 1


class _StoredItems:
    """Looks items up like the tutor does (course first, then generated items in the database)."""

    def __init__(self, tutor, container) -> None:  # type: ignore[no-untyped-def]
        self.tutor, self.container = tutor, container

    def item(self, item_id: str):  # type: ignore[no-untyped-def]
        with self.container.session_factory() as session:
            return quiz_item(self.tutor.context, session, item_id)
