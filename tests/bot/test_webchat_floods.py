"""Web chat floods (issue 14, item 4): new learners and messages limited per client address and
minute (dropping the cookie gives no fresh quota), learners who never consent deleted after a day,
long questions bounded before retrieval."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from bot.flood import AddressLimiter
from bot.server import create_app
from bot.webchat import SLOW_DOWN, WebChat, WebChatConfig
from hocvuso.container import Container
from tests.bot.telegram_helpers import eventually, serve_app
from tests.conftest import make_settings
from tests.fakes.tutor_port import FakeTutor
from tests.tutor.conversation_kit import Chat, Clock, FakeAnswerer, build_tutor, onboard
from tutor.answering import MAX_QUESTION_CHARS, Answerer

SECRET = b"cookie-secret-for-flood-tests"


@pytest.fixture
async def site() -> AsyncIterator[tuple[FakeTutor, str]]:
    tutor = FakeTutor()
    chat = WebChat(
        WebChatConfig(cookie_secret=SECRET, new_learners_per_minute=5, messages_per_minute=12, reminder_check_s=0),
        tutor,
    )
    async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
        yield tutor, base_url
    chat.close()


async def test_new_learners_per_address_are_limited_and_cookies_do_not_reset_it(site) -> None:  # type: ignore[no-untyped-def]
    tutor, base_url = site
    statuses = []
    for n in range(8):
        async with httpx.AsyncClient(base_url=base_url) as fresh:  # a new browser (no cookie) each time
            statuses.append((await fresh.post("/api/chat", json={"text": f"chào {n}", "id": f"m{n}"})).status_code)
    assert statuses == [200] * 5 + [429] * 3
    assert len({inbound.user_id for inbound in tutor.inbounds}) == 5  # no learner made past the limit
    async with httpx.AsyncClient(base_url=base_url) as fresh:
        refused = await fresh.post("/api/chat", json={"text": "chào"})
        assert refused.json()["replies"][0]["text"] == SLOW_DOWN and refused.headers["retry-after"] == "60"


async def test_messages_per_address_are_limited_whatever_the_learner(site) -> None:  # type: ignore[no-untyped-def]
    _tutor, base_url = site
    async with httpx.AsyncClient(base_url=base_url) as client:
        codes = [(await client.post("/api/chat", json={"text": f"câu {n}"})).status_code for n in range(14)]
    assert codes.count(200) == 12 and codes[-2:] == [429, 429]


def test_address_limiter_window_slides() -> None:
    now = [0.0]
    limiter = AddressLimiter(2, window_s=60, clock=lambda: now[0])
    assert [limiter.allow("a"), limiter.allow("a"), limiter.allow("a"), limiter.allow("b")] == [True, True, False, True]
    now[0] = 60.5
    assert limiter.allow("a")
    assert AddressLimiter(0).allow("x")  # 0: no limit


def test_learners_who_never_consent_are_deleted_after_a_day(data_dir: Path, database_url: str) -> None:
    container = Container(make_settings(data_dir, database_url))
    engine = container.engine
    clock = Clock()
    tutor = build_tutor(container, clock, answerer=FakeAnswerer())
    Chat(tutor, "browser-1", "web").say("xin chào")  # never consents
    onboard(Chat(tutor, "browser-2", "web"))
    clock.advance(timedelta(hours=23))
    assert tutor.purge_inactive() == 0
    clock.advance(timedelta(hours=2))
    assert tutor.purge_inactive() == 1
    with engine.connect() as conn:
        users = conn.execute(sa.text("SELECT channel_user_id FROM tutor_channel_identities")).scalars().all()
    assert users == ["browser-2"]
    container.close()


async def test_the_web_chat_runs_the_purge_when_it_starts() -> None:
    calls: list[int] = []

    def purge() -> int:
        calls.append(1)
        return 0

    chat = WebChat(WebChatConfig(cookie_secret=SECRET, reminder_check_s=0), FakeTutor(), housekeeping=purge)
    await chat.start()
    try:
        await eventually(lambda: calls, timeout=30)
    finally:
        await chat.stop()


def test_long_questions_are_bounded_before_retrieval() -> None:
    queries: list[str] = []

    def search(query: str, **_kwargs: Any) -> list[Any]:
        queries.append(query)
        return []

    answerer = Answerer(search, None, min_relevance=0.8)
    answer = answerer.answer("mật khẩu mạnh là gì " * 100)
    assert not answer.answered
    assert queries and all(len(q) <= MAX_QUESTION_CHARS for q in queries)
