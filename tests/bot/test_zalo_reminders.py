"""Zalo reminders: the scheduler delivers what the tutor says is due, once a day, and Zalo sends it
only inside its free reply window (48 h after the learner's last message, 8 messages) unless
proactive messages are allowed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.zalo import ZaloChannel
from tests.bot.zalo_helpers import ZaloRepos, make_zalo_channel, make_zalo_repos
from tests.fakes.tutor_port import FakeTutor
from tests.fakes.zalo_api import FakeZaloApi
from tutor.messages import ReminderTarget

pytestmark = pytest.mark.slow
NOW = datetime(2026, 11, 28, 12, 31, tzinfo=UTC)  # 19:31 in Hanoi


@pytest.fixture
def repos(database_url: str) -> Iterator[ZaloRepos]:
    built, engine = make_zalo_repos(database_url)
    yield built
    engine.dispose()


@pytest.fixture
def tutor() -> FakeTutor:
    return FakeTutor(
        targets=[
            ReminderTarget("zalo", "recent", "19:30"),
            ReminderTarget("zalo", "stale", "19:30"),
            ReminderTarget("zalo", "used-up", "19:30"),
            ReminderTarget("zalo", "later", "21:00"),
            ReminderTarget("telegram", "123", "19:30"),
        ]
    )


async def _channel(fake: FakeZaloApi, repos: ZaloRepos, tutor: FakeTutor, **overrides: object) -> ZaloChannel:
    channel = make_zalo_channel(fake, repos, tutor, **overrides)
    channel._clock = lambda: NOW  # the channel's clock decides "now" and the window
    await channel.start()
    return channel


@pytest.fixture
def windows(repos: ZaloRepos) -> None:
    repos.users.user_wrote("recent", NOW - timedelta(hours=3))
    repos.users.user_wrote("stale", NOW - timedelta(hours=49))
    repos.users.user_wrote("used-up", NOW - timedelta(hours=1))
    repos.users.record_sent("used-up", 8)
    repos.users.user_wrote("later", NOW - timedelta(hours=1))


async def test_only_inside_the_free_window_and_once_a_day(
    fake_zalo: FakeZaloApi, repos: ZaloRepos, tutor: FakeTutor, windows: None
) -> None:
    channel = await _channel(fake_zalo, repos, tutor)
    try:
        first = await channel.reminders.tick()
        second = await channel.reminders.tick()
    finally:
        await channel.stop()
    assert first == {"recent": "sent", "stale": "outside_window", "used-up": "outside_window"}
    assert second == {}  # claimed once by the tutor: never again the same day
    assert [c.user_id for c in fake_zalo.messages()] == ["recent"]
    assert fake_zalo.messages()[0].text == tutor.reminder_text
    assert repos.users.window("recent").sent_since == 1
    assert repos.users.window("stale").sent_since == 0


async def test_proactive_messages_when_allowed(
    fake_zalo: FakeZaloApi, repos: ZaloRepos, tutor: FakeTutor, windows: None
) -> None:
    channel = await _channel(fake_zalo, repos, tutor, allow_proactive=True)
    try:
        results = await channel.reminders.tick()
    finally:
        await channel.stop()
    assert results == {"recent": "sent", "stale": "sent", "used-up": "sent"}
    assert sorted(c.user_id for c in fake_zalo.messages()) == ["recent", "stale", "used-up"]


async def test_nothing_to_say_sends_nothing(fake_zalo: FakeZaloApi, repos: ZaloRepos, windows: None) -> None:
    tutor = FakeTutor(targets=[ReminderTarget("zalo", "recent", "19:30")], reminder_text=None)
    channel = await _channel(fake_zalo, repos, tutor)
    try:
        assert await channel.reminders.tick() == {}
    finally:
        await channel.stop()
    assert fake_zalo.calls == []


def test_free_window_rule(fake_zalo: FakeZaloApi, repos: ZaloRepos) -> None:
    channel = make_zalo_channel(fake_zalo, repos, FakeTutor())
    channel._clock = lambda: NOW
    assert channel.in_free_window(NOW - timedelta(hours=47, minutes=59), 7)
    assert not channel.in_free_window(NOW - timedelta(hours=47, minutes=59), 7, messages=2)
    assert not channel.in_free_window(NOW - timedelta(hours=48), 0)
    assert not channel.in_free_window(None, 0)
