"""Fixtures shared by the channel tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.zalo_api import FakeZaloApi


@pytest.fixture
def fake_zalo() -> Iterator[FakeZaloApi]:
    """Zalo's send and OAuth APIs, served on 127.0.0.1."""
    fake = FakeZaloApi().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_api() -> Iterator[FakeTelegramApi]:
    """The Telegram Bot API, served on 127.0.0.1."""
    with FakeTelegramApi() as api:
        yield api
