"""Shared helpers for the Telegram tests: repositories on a real database, a channel on the fake API,
and the app served by uvicorn on a free 127.0.0.1 port."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from bot.inbox import Inbox
from bot.telegram import TelegramChannel, TelegramConfig
from bot.telegram_store import PollStore
from hocvuso.container import Container
from hocvuso.migrate import upgrade_to_head
from hocvuso.settings import TelegramSettings
from knowledge.db import make_engine, make_session_factory
from tests.fakes.telegram_api import ApiCall, FakeTelegramApi
from tutor.messages import TutorPort

WEBHOOK_SECRET = "test-secret_0123456789abcdef"
WEBHOOK_URL = "https://bot.example.org/telegram/webhook"
_users = itertools.count(5000)


@dataclass
class Repos:
    """The channel bookkeeping repositories on one database."""

    session_factory: sessionmaker[Session]
    inbox: Inbox
    polls: PollStore


def make_repos(database_url: str) -> tuple[Repos, Any]:
    """Migrated database and its repositories; returns (repos, engine) — dispose the engine after."""
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    return Repos(factory, Inbox(factory), PollStore(factory)), engine


def make_channel(
    fake: FakeTelegramApi, repos: Repos, tutor: TutorPort, *, mode: str = "polling", **overrides: Any
) -> TelegramChannel:
    """A TelegramChannel pointed at the fake Bot API."""
    values: dict[str, Any] = {
        "token": fake.token,
        "mode": mode,
        "base_url": fake.base_url,
        "polling_timeout_s": 1,
        "reminder_sync_s": 3600,
        "max_messages_per_second": 1000,
    }
    if mode == "webhook":
        values.update(webhook_url=WEBHOOK_URL, webhook_secret=WEBHOOK_SECRET)
    values.update(overrides)
    return TelegramChannel(TelegramConfig(**values), tutor, repos.inbox, repos.polls)


async def wait_calls(
    fake: FakeTelegramApi, predicate: Callable[[list[ApiCall]], bool], timeout: float = 15.0
) -> list[ApiCall]:
    """Await (without blocking the event loop) until the fake API's calls satisfy predicate."""
    return await asyncio.to_thread(fake.wait_for, predicate, timeout)


def sent_texts(calls: list[ApiCall], chat_id: int) -> list[ApiCall]:
    """sendMessage calls to one chat."""
    return [c for c in calls if c.method == "sendMessage" and c.chat_id == chat_id]


def payloads(call: ApiCall) -> list[str]:
    """The callback_data of an inline keyboard sent with a message."""
    markup = call.json("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


@contextlib.asynccontextmanager
async def serve_app(app: FastAPI, start_timeout: float = 300.0) -> AsyncIterator[str]:
    """Run `app` with uvicorn on a free 127.0.0.1 port (lifespan on); yields the base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    # The lifespan starts the channels first (worker processes load the embedding model): on a
    # loaded machine that takes minutes, so poll for readiness with a generous deadline.
    deadline = asyncio.get_running_loop().time() + start_timeout
    while not (server.started or task.done()) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.025)
    if not server.started:
        server.should_exit = True
        await task
        raise RuntimeError("uvicorn did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 300)  # the channels drain what they hold before stopping


async def eventually(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Await until check() returns something truthy (run in a thread: it may touch the database)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await asyncio.to_thread(check)
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


class TelegramLearner:
    """A learner in a Telegram client: sends updates, waits until they are processed, reads replies."""

    def __init__(self, fake: FakeTelegramApi, container: Container, post: Any) -> None:
        self.fake = fake
        self.container = container
        self.post = post  # async (update) -> None: how the update reaches the bot
        self.user = next(_users)
        self.last: list[ApiCall] = []

    async def _send(self, update: dict[str, Any]) -> list[ApiCall]:
        before = len(self.fake.find())
        await self.post(update)
        inbox = self.container.channel_inbox
        await eventually(lambda: inbox.status("telegram", str(update["update_id"])) in ("processed", "failed"))
        assert inbox.status("telegram", str(update["update_id"])) == "processed"
        self.last = [c for c in self.fake.find()[before:] if c.chat_id == self.user]
        return self.last

    async def say(self, text: str) -> list[ApiCall]:
        return await self._send(self.fake.message_update(self.user, text))

    async def press(self, label_part: str) -> list[ApiCall]:
        call, data = self.button(label_part)
        return await self._send(self.fake.callback_update(self.user, data, self.fake.sent_message(call)))

    def button(self, label_part: str) -> tuple[ApiCall, str]:
        for call in reversed(self.last):
            markup = call.json("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if label_part in button["text"]:
                        return call, button["callback_data"]
        raise AssertionError(f"no button {label_part!r} in {self.labels()}")

    def labels(self) -> list[str]:
        return [
            b["text"]
            for c in self.last
            for row in (c.json("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
        ]

    @property
    def text(self) -> str:
        return "\n".join(c.text for c in self.last if c.method == "sendMessage")


def configure(container: Container, fake: FakeTelegramApi, **telegram: Any) -> None:
    container.settings = container.settings.model_copy(
        update={
            "telegram": TelegramSettings(
                token=fake.token, base_url=fake.base_url, max_messages_per_second=1000, **telegram
            )
        }
    )


@contextlib.asynccontextmanager
async def polling_learner(container: Container, fake: FakeTelegramApi) -> AsyncIterator[TelegramLearner]:
    channel = container.telegram_channel
    channel.config = dataclasses.replace(channel.config, polling_timeout_s=1)
    await channel.start_polling()

    async def post(update: dict[str, Any]) -> None:
        fake.push_update(update)

    try:
        yield TelegramLearner(fake, container, post)
    finally:
        await channel.stop()
