"""The chat model factory, with the real langchain_openai client against the local fake server."""

from __future__ import annotations

import time

import pytest

from tests.fakes.openai_server import OpenAIFake, echo_user, openai_fake  # noqa: F401 (fixture)
from tutor.config import LLMConfig
from tutor.llm import make_chat_model


@pytest.fixture
def fake() -> OpenAIFake:
    with OpenAIFake("Xin chào [1].") as server:
        yield server


@pytest.mark.parametrize(("base_url", "model"), [("", ""), ("http://127.0.0.1:9/v1", ""), ("", "qwen2.5"), ("  ", " ")])
def test_no_model_without_endpoint_and_name(base_url: str, model: str) -> None:
    assert make_chat_model(LLMConfig(base_url=base_url, model=model)) is None


def test_client_is_configured_from_settings(fake: OpenAIFake) -> None:
    settings = LLMConfig(
        base_url=fake.base_url,
        model="qwen2.5-7b",
        api_key="sk-test-123",
        timeout_s=3.5,
        max_tokens=77,
        temperature=0.1,
    )
    model = make_chat_model(settings)
    assert model is not None
    assert model.max_retries == 0
    assert model.request_timeout == 3.5
    assert "sk-test-123" not in repr(model)  # the key stays a secret

    reply = model.invoke([("system", "Hệ thống"), ("human", "Chào bạn")])

    assert reply.content == "Xin chào [1]."
    request = fake.last_request
    assert request.path == "/v1/chat/completions"
    assert request.headers.get("authorization") == "Bearer sk-test-123"
    assert request.body["model"] == "qwen2.5-7b"
    assert request.body.get("max_completion_tokens", request.body.get("max_tokens")) == 77
    assert request.body["temperature"] == 0.1
    assert request.system == "Hệ thống"
    assert request.user == "Chào bạn"


def test_local_servers_need_no_key(fake: OpenAIFake) -> None:
    model = make_chat_model(LLMConfig(base_url=fake.base_url, model="llama3"))
    assert model is not None
    fake.reply = echo_user
    assert model.invoke("Một câu hỏi").content == "Một câu hỏi"
    assert fake.last_request.headers.get("authorization", "").startswith("Bearer ")


def test_slow_server_times_out_within_the_configured_timeout(fake: OpenAIFake) -> None:
    model = make_chat_model(LLMConfig(base_url=fake.base_url, model="m", timeout_s=0.5))
    assert model is not None
    fake.delay_s = 5
    started = time.monotonic()
    with pytest.raises(Exception) as raised:
        model.invoke("chậm")
    elapsed = time.monotonic() - started
    assert "timeout" in type(raised.value).__name__.lower()
    assert elapsed < 2.0  # one attempt, no retries
    assert len(fake.requests) == 1


def test_server_errors_and_malformed_bodies_raise(fake: OpenAIFake) -> None:
    model = make_chat_model(LLMConfig(base_url=fake.base_url, model="m", timeout_s=2))
    assert model is not None
    fake.status = 500
    with pytest.raises(Exception):  # noqa: B017 (the client raises its own error types)
        model.invoke("lỗi")
    fake.status = 200
    fake.raw_body = b"{not json"
    with pytest.raises(Exception):  # noqa: B017 (the client raises its own error types)
        model.invoke("lỗi")
    assert len(fake.requests) == 2  # max_retries=0: exactly one request each


def test_fake_streams_and_reports_usage(fake: OpenAIFake) -> None:
    """The fake also speaks SSE streaming, for channels that stream answers."""
    model = make_chat_model(LLMConfig(base_url=fake.base_url, model="m"))
    assert model is not None
    fake.reply = "Bước một. Bước hai."
    chunks = [c.content for c in model.stream("hi")]
    assert "".join(chunks) == "Bước một. Bước hai."
    assert len([c for c in chunks if c]) > 1
    assert fake.last_request.body["stream"] is True

    usage = model.invoke("hi").usage_metadata
    assert usage is not None and usage["output_tokens"] == 4


def test_fake_reset_restores_defaults(fake: OpenAIFake) -> None:
    fake.status = 500
    fake.delay_s = 3
    fake.reply = "khác"
    model = make_chat_model(LLMConfig(base_url=fake.base_url, model="m", timeout_s=5))
    fake.reset()
    assert fake.requests == []
    assert model.invoke("x").content == "Xin chào [1]."


def test_shared_fixture_is_a_running_server(openai_fake: OpenAIFake) -> None:  # noqa: F811
    model = make_chat_model(LLMConfig(base_url=openai_fake.base_url, model="m"))
    assert model.invoke("hi").content == "Xin chào."
    assert openai_fake.last_request.user == "hi"
