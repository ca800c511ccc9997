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


async def test_new_learner_limit_holds_across_processes_and_restarts(data_dir: Path, database_url: str) -> None:
    """Two web chat workers on one database share the per-address quota of new learners, and a
    restart does not reset it; the address is kept only as a keyed hash, per minute."""
    from bot.flood import SharedAddressLimiter

    container = Container(make_settings(data_dir, database_url))
    try:
        container.engine  # noqa: B018  (migrated)
        tutor = FakeTutor()

        def worker() -> WebChat:
            config = WebChatConfig(cookie_secret=SECRET, new_learners_per_minute=5, reminder_check_s=0)
            shared = SharedAddressLimiter(5, container.session_factory, SECRET)
            return WebChat(config, tutor, new_learners=shared)

        chats = [worker(), worker()]
        statuses = []
        async with serve_app(create_app(extra_routers=[chats[0].router()])) as first:
            async with serve_app(create_app(extra_routers=[chats[1].router()])) as second:
                for n in range(4):
                    for base_url in (first, second):
                        async with httpx.AsyncClient(base_url=base_url) as fresh:
                            reply = await fresh.post("/api/chat", json={"text": f"chào {n}"})
                            statuses.append(reply.status_code)
        assert statuses == [200] * 5 + [429] * 3
        restarted = worker()
        chats.append(restarted)
        async with serve_app(create_app(extra_routers=[restarted.router()])) as base_url:
            async with httpx.AsyncClient(base_url=base_url) as fresh:
                assert (await fresh.post("/api/chat", json={"text": "chào lại"})).status_code == 429
        with container.engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(sa.text("SELECT * FROM webchat_address_minutes"))]
        assert rows and not any("127.0.0.1" in str(value) for row in rows for value in row)
        for chat in chats:
            chat.close()
    finally:
        container.close()


def test_shared_limiter_counts_per_minute_and_forgets_old_minutes(data_dir: Path) -> None:
    from bot.flood import SharedAddressLimiter

    container = Container(make_settings(data_dir, None))
    try:
        container.engine  # noqa: B018
        now = [1_000_000.0]
        limiter = SharedAddressLimiter(2, container.session_factory, SECRET, clock=lambda: now[0])
        assert [limiter.allow("10.0.0.1") for _ in range(3)] == [True, True, False]
        assert limiter.allow("10.0.0.2")  # another address has its own quota
        now[0] += 60
        assert limiter.allow("10.0.0.1")  # a new minute
        now[0] += 600
        limiter.allow("10.0.0.3")
        with container.engine.connect() as conn:
            minutes = {r[0] for r in conn.execute(sa.text("SELECT minute FROM webchat_address_minutes"))}
        assert minutes == {int(now[0] // 60)}  # old minutes deleted
        assert SharedAddressLimiter(0, container.session_factory, SECRET).allow("x")  # 0: no limit
    finally:
        container.close()
