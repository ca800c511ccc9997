"""Telegram update workers (`telegram.tutor_processes`): updates processed in worker processes
sharded by learner, a dead worker replaced with its unprocessed updates, a clean stop drains."""

from __future__ import annotations

import os
import signal
from typing import Any

import httpx
import pytest
from telegram import Update

from bot.telegram import SECRET_HEADER
from bot.telegram_updates import raw_update_key, update_key
from bot.telegram_workers import TelegramWorkerPool, WorkerBotConfig
from hocvuso.container import Container
from tests.bot.telegram_helpers import (
    WEBHOOK_URL,
    configure,
    eventually,
    polling_learner,
    serve_app,
)
from tests.fakes.telegram_api import FakeTelegramApi
from tutor import texts


def test_raw_update_key_agrees_with_the_parsed_update() -> None:
    """The server shards raw updates; PTB orders parsed ones: both must name the same learner."""
    fake = FakeTelegramApi()
    sent = {"message_id": 9, "date": 0, "chat": fake.chat(42), "text": "Câu hỏi"}
    updates = [
        fake.message_update(42, "xin chào"),
        fake.sticker_update(42),
        fake.callback_update(42, "a:1", sent),
        fake.callback_update(42, "a:1"),
        fake.poll_answer_update(42, "p1", 0),
        {
            "update_id": 77,
            "my_chat_member": {
                "chat": fake.chat(42),
                "from": fake.user(42),
                "date": 0,
                "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "B"}},
                "new_chat_member": {
                    "status": "kicked",
                    "until_date": 0,
                    "user": {"id": 1, "is_bot": True, "first_name": "B"},
                },
            },
        },
    ]
    for data in updates:
        assert raw_update_key(data) == update_key(Update.de_json(data, None)) == 42, data
    assert raw_update_key({"update_id": 5}) == -5  # nothing to key on: its own id


def test_learners_spread_over_workers_and_stay_on_theirs() -> None:
    pool = TelegramWorkerPool(lambda: None, 3, bot_config=None)  # type: ignore[arg-type]
    fake = FakeTelegramApi()
    shards = {pool.shard_of(fake.message_update(user, "a")) for user in range(100, 130)}
    assert shards == {0, 1, 2}
    assert {pool.shard_of(fake.message_update(123, text)) for text in ("a", "b", "/start")} == {
        pool.shard_of(fake.callback_update(123, "x"))
    }
    with pytest.raises(ValueError):
        TelegramWorkerPool(lambda: None, 0, bot_config=None)  # type: ignore[arg-type]


def _broken_parts():  # type: ignore[no-untyped-def]
    """A worker factory that fails, as with an unreadable database (runs in the worker)."""
    raise RuntimeError("database unreadable")


async def test_workers_that_cannot_start_fail_the_start_and_leave_nothing_running() -> None:
    pool = TelegramWorkerPool(_broken_parts, 2, WorkerBotConfig(token="1:x"))

    async def never(shard: int) -> None:
        raise AssertionError("no worker was running to be replaced")

    with pytest.raises(RuntimeError, match="did not start"):
        await pool.start(never)
    assert pool.pids() == [None, None]
    assert pool.describe() == {"processes": 2, "alive": 0}


@pytest.mark.slow
async def test_dead_worker_is_replaced_and_gets_its_pending_updates(
    ingested_container: Container, fake_api: FakeTelegramApi
) -> None:
    configure(ingested_container, fake_api, mode="polling", tutor_processes=1)
    async with polling_learner(ingested_container, fake_api) as learner:
        await learner.say("/start")
        assert texts.GREETING.splitlines()[0] in learner.text
        channel = ingested_container.telegram_channel
        pool = channel.workers
        assert isinstance(pool, TelegramWorkerPool)
        [old_pid] = pool.pids()
        assert old_pid is not None and old_pid != os.getpid()

        # An update acknowledged (recorded) but never processed: the worker dies holding it.
        inbox = ingested_container.channel_inbox
        held = fake_api.message_update(learner.user, "/start")
        assert inbox.record("telegram", str(held["update_id"]), held)
        os.kill(old_pid, signal.SIGKILL)

        await eventually(lambda: inbox.status("telegram", str(held["update_id"])) == "processed", timeout=120)
        [new_pid] = pool.pids()
        assert new_pid not in (None, old_pid)
        assert channel.describe()["workers"] == {"processes": 1, "alive": 1}
        # The learner is answered by the new worker, as before.
        await learner.press("Đồng ý")
        assert texts.ASK_NAME in learner.text


@pytest.mark.slow
async def test_stop_lets_workers_finish_what_they_hold(
    ingested_container: Container, fake_api: FakeTelegramApi, capfd: pytest.CaptureFixture[str]
) -> None:
    """Webhook mode under uvicorn: updates acknowledged just before the server stops are all
    processed and answered before the workers exit; none is left `received`. The workers' INFO
    log never shows the token (httpx logs request URLs, which hold it)."""
    ingested_container.settings = ingested_container.settings.model_copy(update={"log_level": "INFO"})
    configure(ingested_container, fake_api, mode="webhook", webhook_url=WEBHOOK_URL, tutor_processes=2)
    app = ingested_container.web_app
    users = list(range(9100, 9110))
    posted: list[dict[str, Any]] = []
    async with serve_app(app) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        secret = fake_api.webhook["secret_token"]
        for user in users:
            update = fake_api.message_update(user, "/start")
            response = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: secret})
            assert response.status_code == 200 and response.json() == {"ok": True, "duplicate": False}
            posted.append(update)
        health = (await client.get("/healthz")).json()
    # serve_app has stopped the app: the channel stopped its workers after they drained.
    assert health["channels"]["telegram"]["workers"] == {"processes": 2, "alive": 2}
    inbox = ingested_container.channel_inbox
    assert [inbox.status("telegram", str(u["update_id"])) for u in posted] == ["processed"] * len(users)
    for user in users:
        assert any(texts.GREETING.splitlines()[0] in c.text for c in fake_api.find("sendMessage", user))
    logged = capfd.readouterr().err
    assert "knowledge store loaded" in logged  # the workers' INFO lines were captured
    assert fake_api.token not in logged


@pytest.mark.slow
@pytest.mark.parametrize("processes", [0, 1])
async def test_unreadable_update_is_failed_and_the_next_one_answered(
    ingested_container: Container, fake_api: FakeTelegramApi, processes: int
) -> None:
    """An update PTB cannot parse is acknowledged, recorded, then marked failed (never retried);
    the learner's next update is answered as usual, in the server process or in a worker."""
    configure(ingested_container, fake_api, mode="webhook", webhook_url=WEBHOOK_URL, tutor_processes=processes)
    inbox = ingested_container.channel_inbox
    async with serve_app(ingested_container.web_app) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        secret = fake_api.webhook["secret_token"]
        broken = {"update_id": 990_001, "message": {"message_id": 1, "from": fake_api.user(9300)}}
        response = await client.post("/telegram/webhook", json=broken, headers={SECRET_HEADER: secret})
        assert response.status_code == 200
        await eventually(lambda: inbox.status("telegram", "990001") == "failed")
        update = fake_api.message_update(9300, "/start")
        await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: secret})
        await eventually(lambda: inbox.status("telegram", str(update["update_id"])) == "processed")
    assert any(texts.GREETING.splitlines()[0] in c.text for c in fake_api.find("sendMessage", 9300))


@pytest.mark.slow
async def test_worker_ignores_an_update_handed_over_twice(
    ingested_container: Container, fake_api: FakeTelegramApi
) -> None:
    """A replay can hand a worker an update it already holds: it is processed once (one answer to
    the button press, one reply)."""
    configure(ingested_container, fake_api, mode="polling", tutor_processes=1)
    async with polling_learner(ingested_container, fake_api) as learner:
        await learner.say("/start")
        call, data = learner.button("Đồng ý")
        press = fake_api.callback_update(learner.user, data, fake_api.sent_message(call))
        inbox = ingested_container.channel_inbox
        assert inbox.record("telegram", str(press["update_id"]), press)
        pool = ingested_container.telegram_channel.workers
        assert isinstance(pool, TelegramWorkerPool)
        channel = ingested_container.telegram_channel
        for _ in range(2):
            await channel._bot_thread.run(_submit(pool, press))  # on the loop that owns the pool
        await eventually(lambda: inbox.status("telegram", str(press["update_id"])) == "processed")
        await eventually(lambda: len(fake_api.find("sendMessage", learner.user)) >= 2)
    # Leaving polling_learner stopped the workers after they drained: a second (wrong) processing
    # would show below.
    answers = [c for c in fake_api.find("answerCallbackQuery")]
    assert len(answers) == 1
    assert sum(texts.ASK_NAME in c.text for c in fake_api.find("sendMessage", learner.user)) == 1


async def _submit(pool: TelegramWorkerPool, data: dict[str, Any]) -> None:
    pool.submit(data)
