"""Zalo token handling against a local OAuth server: an expired access token (-216) is refreshed
exactly once, the send retried, the new pair committed in the database, the old refresh token never
sent again — also when several messages, or two workers, hit the expiry at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.zalo_api import ZaloApi, ZaloApiError
from bot.zalo_store import TokenPair, ZaloTokenStore
from bot.zalo_tokens import ZaloTokens
from tests.bot.zalo_helpers import ZaloRepos, make_zalo_channel, make_zalo_repos
from tests.fakes.tutor_port import FakeTutor
from tests.fakes.zalo_api import APP_ID, APP_SECRET, FIRST_ACCESS, FIRST_REFRESH, FakeZaloApi
from tutor.messages import Reply

pytestmark = pytest.mark.slow


@pytest.fixture
def repos(database_url: str) -> Iterator[ZaloRepos]:
    built, engine = make_zalo_repos(database_url)
    yield built
    engine.dispose()


async def test_expired_token_is_refreshed_once_and_the_send_retried(fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    channel = make_zalo_channel(fake_zalo, repos, FakeTutor())
    await channel.start()
    try:
        assert repos.tokens.current() == TokenPair(FIRST_ACCESS, FIRST_REFRESH)
        fake_zalo.expire(FIRST_ACCESS)
        sent = await channel.send_replies("u1", [Reply("Xin chào")])
        assert sent == 1
        oauth = fake_zalo.oauth_calls()
        assert len(oauth) == 1
        assert oauth[0].body == {"refresh_token": FIRST_REFRESH, "app_id": APP_ID, "grant_type": "refresh_token"}
        assert oauth[0].headers["secret_key"] == APP_SECRET
        attempts = fake_zalo.messages("u1", ok_only=False)
        assert [c.headers["access_token"] for c in attempts] == [FIRST_ACCESS, "access-1"]
        assert [c.ok for c in attempts] == [False, True]
        # The new pair is in the database, and the old refresh token is gone.
        stored = repos.tokens.current()
        assert stored is not None
        assert (stored.access_token, stored.refresh_token, stored.generation) == ("access-1", "refresh-1", 1)
        assert stored.expires_at is not None and stored.expires_at > datetime.now(UTC) + timedelta(hours=24)
        # Later sends use the new token without refreshing again.
        await channel.send_replies("u1", [Reply("Lần hai")])
        assert len(fake_zalo.oauth_calls()) == 1
        assert fake_zalo.messages("u1")[-1].headers["access_token"] == "access-1"
        # Next expiry: the stored refresh token is used, never the first one again.
        fake_zalo.expire("access-1")
        await channel.send_replies("u1", [Reply("Lần ba")])
        assert fake_zalo.presented_refresh == [FIRST_REFRESH, "refresh-1"]
        assert channel.describe()["token_refreshes"] == 2
    finally:
        await channel.stop()


async def test_a_restart_uses_the_stored_pair_not_the_environment_one(fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    first = make_zalo_channel(fake_zalo, repos, FakeTutor())
    await first.start()
    fake_zalo.expire(FIRST_ACCESS)
    await first.send_replies("u1", [Reply("a")])
    await first.stop()
    second = make_zalo_channel(fake_zalo, repos, FakeTutor())  # same env pair, used up by now
    await second.start()
    try:
        await second.send_replies("u1", [Reply("b")])
    finally:
        await second.stop()
    assert fake_zalo.messages("u1")[-1].headers["access_token"] == "access-1"
    assert fake_zalo.presented_refresh == [FIRST_REFRESH]


async def test_concurrent_sends_on_an_expired_token_refresh_once(fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    fake_zalo.refresh_delay_s = 0.3
    channel = make_zalo_channel(fake_zalo, repos, FakeTutor())
    await channel.start()
    try:
        fake_zalo.expire(FIRST_ACCESS)
        results = await asyncio.gather(*(channel.send_replies(f"u{i}", [Reply(f"tin {i}")]) for i in range(6)))
    finally:
        await channel.stop()
    assert results == [1] * 6
    assert len(fake_zalo.oauth_calls()) == 1
    assert len(fake_zalo.messages()) == 6


async def test_two_workers_refresh_the_shared_pair_once(fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    """Two processes' token managers (separate locks, separate stores) on one database."""
    fake_zalo.refresh_delay_s = 0.5
    async with httpx.AsyncClient() as http:
        api = ZaloApi(
            http, api_base=fake_zalo.base_url, oauth_base=fake_zalo.base_url, app_id=APP_ID, app_secret=APP_SECRET
        )
        pair = TokenPair(FIRST_ACCESS, FIRST_REFRESH)
        a = ZaloTokens(ZaloTokenStore(repos.session_factory), api, first_pair=pair)
        b = ZaloTokens(ZaloTokenStore(repos.session_factory), api, first_pair=pair)
        await a.ensure()
        await b.ensure()
        try:
            new_a, new_b = await asyncio.gather(a.refresh(FIRST_ACCESS), b.refresh(FIRST_ACCESS))
        finally:
            a.close()
            b.close()
    assert new_a == new_b == "access-1"
    assert fake_zalo.presented_refresh == [FIRST_REFRESH]


async def test_refused_refresh_changes_nothing(fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    channel = make_zalo_channel(fake_zalo, repos, FakeTutor())
    await channel.start()
    try:
        fake_zalo.valid_refresh.clear()  # e.g. the refresh token was revoked
        fake_zalo.expire(FIRST_ACCESS)
        with pytest.raises(ZaloApiError):
            await channel.send_replies("u1", [Reply("a")])
    finally:
        await channel.stop()
    assert repos.tokens.current() == TokenPair(FIRST_ACCESS, FIRST_REFRESH)
    assert repos.users.window("u1").sent_since == 0


async def test_start_without_any_token_pair_refuses(fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    channel = make_zalo_channel(fake_zalo, repos, FakeTutor(), first_pair=None)
    with pytest.raises(RuntimeError, match="HOCVUSO_ZALO__ACCESS_TOKEN"):
        await channel.start()
    await channel.stop()


async def test_token_about_to_expire_is_refreshed_before_sending(fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    repos.tokens.seed(TokenPair(FIRST_ACCESS, FIRST_REFRESH, datetime.now(UTC) + timedelta(minutes=1)))
    channel = make_zalo_channel(fake_zalo, repos, FakeTutor())
    await channel.start()
    try:
        await channel.send_replies("u1", [Reply("a")])
    finally:
        await channel.stop()
    attempts = fake_zalo.messages("u1", ok_only=False)
    assert [c.headers["access_token"] for c in attempts] == ["access-1"]
    assert len(fake_zalo.oauth_calls()) == 1
