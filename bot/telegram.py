"""Telegram channel (python-telegram-bot v22): translates updates into `Inbound`, renders `Reply`.

One `TelegramChannel` serves both modes:

- webhook (inside `hocvuso serve`): `router()` gives `POST /telegram/webhook`; the secret header is
  checked in constant time before the body is read, the update is recorded in the durable inbox,
  200 goes back at once and the update is processed afterwards by the PTB `Application`;
- polling (`hocvuso telegram`): PTB's `Updater` long-polls `getUpdates`; every update goes through
  the same inbox, so both modes deduplicate and recover from crashes the same way.

Accepting, ordering (one learner's updates in order, different learners concurrently) and the
inbox are `bot.runtime.ChannelRuntime`'s. The bot runs on an event loop of its own (a thread), so
the web server's loop only acknowledges webhooks. What happens to an update after it was recorded
(`bot.telegram_updates.TelegramUpdateHandler`) runs either here, with the synchronous tutor in a
thread pool, or in worker processes sharded by learner (`bot.telegram_workers`,
`telegram.tutor_processes`), which leaves the server process nothing but acknowledging. Daily
reminders come from `bot.reminders.ReminderScheduler`; the command menu (setMyCommands) from
`TutorPort.menu()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
import sys
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from telegram import Bot, BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Updater

from bot.inbox import Inbox
from bot.input_boundary import BadInput, read_json, refuse
from bot.reminders import ReminderScheduler
from bot.runtime import ChannelRuntime, run_in
from bot.speech import SpeechService
from bot.telegram_store import PollStore
from bot.telegram_updates import (
    CHANNEL,
    SendOptions,
    TelegramUpdateHandler,
    log_failure,
    quiet_noisy_loggers,
)
from bot.telegram_workers import UpdateWorkers
from bot.tutor_pool import ThreadTutorRunner, TutorRunner
from knowledge.sanitize import sanitize_json
from tutor.messages import MenuEntry, Reply, TutorPort

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"
ALLOWED_UPDATES = ("message", "callback_query", "poll_answer", "my_chat_member")
MAX_WEBHOOK_BODY = 1_000_000  # bytes; Telegram updates are a few kilobytes
_T = TypeVar("_T")


@dataclass(frozen=True)
class TelegramConfig:
    """Everything the Telegram channel needs, resolved by the composition root."""

    token: str
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: str = ""  # required in webhook mode
    base_url: str = ""  # self-hosted Bot API, e.g. http://127.0.0.1:8081/bot
    use_quiz_polls: bool = False
    media_root: Path | None = None  # relative Reply.image_path values are resolved here
    max_messages_per_second: float = 30.0  # AIORateLimiter's overall limit (Telegram's is ~30/s)
    tutor_workers: int = 4
    polling_timeout_s: int = 10
    reminder_sync_s: float = 60.0  # how often due reminders are asked for (0: never, tests tick)
    inbox_retention: timedelta = timedelta(days=3)

    @property
    def send_options(self) -> SendOptions:
        """How replies are rendered (the same in the server and in update workers)."""
        return SendOptions(use_quiz_polls=self.use_quiz_polls, media_root=self.media_root)


def base_file_url(base_url: str) -> str:
    """The file URL of a self-hosted Bot API server: .../bot -> .../file/bot."""
    root = base_url.rstrip("/")
    if root.endswith("/bot"):
        return root[: -len("/bot")] + "/file/bot"
    return root + "/file/bot"


_SECRET_CHARS = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def check_telegram_settings(*, mode: str, webhook_url: str, base_url: str, webhook_secret: str) -> str | None:
    """An operator-readable problem with Telegram settings (a token is set), or None when usable."""
    if base_url and not base_url.startswith(("http://", "https://")):
        return f"telegram.base_url must be an http(s) URL such as http://127.0.0.1:8081/bot, not {base_url!r}."
    if webhook_secret and not _SECRET_CHARS.match(webhook_secret):
        return "HOCVUSO_TELEGRAM__WEBHOOK_SECRET must be 1-256 characters from A-Z, a-z, 0-9, '_' and '-'."
    if mode != "webhook":
        return None
    if not webhook_url:
        return (
            "telegram.mode is 'webhook' but telegram.webhook_url is empty: set it to the public HTTPS "
            "URL Telegram posts to (https://your.host/telegram/webhook), or set telegram.mode: polling "
            "and run `hocvuso telegram`."
        )
    if not webhook_url.startswith("https://") and not base_url:
        return f"telegram.webhook_url must start with https:// (Telegram only posts to HTTPS), got {webhook_url!r}."
    if not webhook_url.rstrip("/").endswith(WEBHOOK_PATH):
        return f"telegram.webhook_url must end with {WEBHOOK_PATH} (the route `hocvuso serve` listens on)."
    return None


class _LoopThread:
    """An asyncio event loop of its own in a daemon thread.

    The bot (processing updates, sending replies, reminders) runs here, so that the web server's
    event loop only acknowledges webhooks: an acknowledgement never waits in a queue behind
    hundreds of replies being sent.
    """

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    async def run(self, coro: Coroutine[Any, Any, _T]) -> _T:
        """Run `coro` on this loop and await its result from the caller's loop."""
        try:
            if asyncio.get_running_loop() is self.loop:
                return await coro
        except RuntimeError:
            pass
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self.loop.close()


class TelegramChannel:
    """The Telegram adapter: one PTB Application, the inbox, and the tutor behind a TutorPort."""

    name = CHANNEL

    def __init__(
        self,
        config: TelegramConfig,
        tutor: TutorPort,
        inbox: Inbox,
        polls: PollStore,
        *,
        workers: UpdateWorkers | None = None,
        clock: Callable[[], datetime] | None = None,
        speech: SpeechService | None = None,
    ) -> None:
        """`tutor` answers learners in threads of this process, unless `workers` (processes with
        a tutor of their own) process the updates; it still serves reminders either way."""
        if config.mode == "webhook" and not (config.webhook_url and config.webhook_secret):
            raise ValueError("webhook mode needs webhook_url and webhook_secret")
        quiet_noisy_loggers()
        self.config = config
        # Threads of this process run the tutor for learners' messages, unless workers do; then
        # two threads are enough for the light calls (reminders, a learner blocking the bot).
        self._runner: TutorRunner = ThreadTutorRunner(tutor, 2 if workers else config.tutor_workers)
        self._workers = workers
        self._inbox = inbox
        self._polls = polls
        self._clock = clock or (lambda: datetime.now(UTC))
        self._db_pool = ThreadPoolExecutor(2, thread_name_prefix="tg-db")
        self._secret = config.webhook_secret.encode("utf-8")
        self._updater: Updater | None = None
        self._pump: asyncio.Task[None] | None = None
        self._started = False
        self._bot_thread: _LoopThread | None = None
        self.application = self._build_application()
        self._handler = TelegramUpdateHandler(
            self.application.bot,
            config.send_options,
            runner=self._runner,
            polls=polls,
            db_pool=self._db_pool,
            speech=speech,
        )
        self.runtime = ChannelRuntime(self._handler, inbox, self._db_pool, sink=self._enqueue)
        self.reminders = ReminderScheduler(
            self, self._runner, interval_s=config.reminder_sync_s, clock=lambda: self._clock()
        )

    # --- construction --------------------------------------------------------------------
    def _build_application(self) -> Application:
        builder = (
            ApplicationBuilder()
            .token(self.config.token)
            .updater(None)
            .job_queue(None)  # reminders are bot.reminders'; updates are processed by the runtime
            # A few dozen kept-alive connections carry 100 messages/s; more only add handshakes.
            # Under a burst, a send may wait for one of them longer than PTB's 1 s default.
            .connection_pool_size(64)
            .pool_timeout(30.0)
            .read_timeout(30.0)
            .write_timeout(30.0)
            .rate_limiter(
                AIORateLimiter(
                    overall_max_rate=self.config.max_messages_per_second,
                    overall_time_period=1,
                    max_retries=2,
                )
            )
        )
        if self.config.base_url:
            builder = builder.base_url(self.config.base_url).base_file_url(base_file_url(self.config.base_url))
        return builder.build()

    @property
    def bot(self) -> Bot:
        return self.application.bot

    @property
    def workers(self) -> UpdateWorkers | None:
        """The worker processes that process updates, or None when this process does."""
        return self._workers

    # --- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        """Start processing (webhook mode: also register the webhook) and replay the inbox."""
        if self._bot_thread is None:
            self._bot_thread = _LoopThread("telegram-bot")
        await self._bot_thread.run(self._start())

    async def _start(self) -> None:
        await self._runner.start()
        # getMe first: an unreachable Bot API or a rejected token fails the start at once.
        await self.application.initialize()
        await self.application.start()
        self._started = True
        if self._workers is not None:
            await self._workers.start(self._replay_shard)
        if self.config.mode == "webhook":
            try:
                await self.bot.set_webhook(
                    url=self.config.webhook_url,
                    secret_token=self.config.webhook_secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
                log.info("Telegram webhook registered; updates arrive at %s", WEBHOOK_PATH)
            except TelegramError as exc:  # keep serving: a webhook set before still delivers
                log.error("Telegram: setWebhook failed (%s); check telegram.webhook_url", type(exc).__name__)
        await self._set_commands()
        try:
            replayed = await self.replay_pending()
        except Exception as exc:  # an unreadable inbox never keeps the channel from starting
            log.error("Telegram: inbox replay failed (%s); new updates are served", type(exc).__name__)
            replayed = 0
        if replayed:
            log.info("Telegram: %d update(s) left by a previous run queued again", replayed)
        self.reminders.start()
        await run_in(self._db_pool, self._inbox.purge, self.config.inbox_retention)

    async def _set_commands(self) -> None:
        """The command menu (setMyCommands), generated from the tutor's command registry."""
        try:
            entries: list[MenuEntry] = await self._runner.call("menu")
            commands = bot_commands(entries)
            if commands:
                await self.bot.set_my_commands(commands)
        except Exception as exc:  # no menu is no reason not to serve
            log.warning("Telegram: command menu not set (%s)", type(exc).__name__)

    async def start_polling(self) -> None:
        """Start the channel and long-poll getUpdates (the `hocvuso telegram` mode)."""
        await self.start()
        assert self._bot_thread is not None
        await self._bot_thread.run(self._start_polling())

    async def _start_polling(self) -> None:
        queue: asyncio.Queue[object] = asyncio.Queue()
        self._updater = Updater(bot=self.bot, update_queue=queue)
        await self._updater.initialize()
        await self._updater.start_polling(
            timeout=self.config.polling_timeout_s,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=False,
        )
        self._pump = asyncio.create_task(self._pump_polled(queue), name="telegram:pump")
        log.info("Telegram long polling started")

    async def stop(self) -> None:
        """Stop polling (if any), finish the updates in flight, release resources."""
        if self._bot_thread is not None:
            await self._bot_thread.run(self._stop())
            self._bot_thread.close()
            self._bot_thread = None
        self._runner.close()
        self._db_pool.shutdown(wait=False, cancel_futures=True)

    async def _stop(self) -> None:
        await self.reminders.stop()
        updater, self._updater = self._updater, None
        if updater is not None:
            with contextlib.suppress(Exception):
                await updater.stop()
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None
        if self._workers is not None:
            await self._workers.stop()  # they finish the updates they hold
        # The updates in flight finish (and are written as such) before the bot's HTTP client goes.
        await self.runtime.idle(timeout=60)
        if self._started:
            await self.application.stop()
            await self.application.shutdown()
            self._started = False
        if updater is not None:
            with contextlib.suppress(Exception):
                await updater.shutdown()

    async def _pump_polled(self, queue: asyncio.Queue[object]) -> None:
        while True:
            update = await queue.get()
            if not isinstance(update, Update):
                continue
            try:
                await self.submit(update.to_dict())
            except Exception:  # the database is down: the update is lost to this run only
                log_failure(f"could not record polled update {update.update_id}", sys.exc_info()[1])

    def describe(self) -> dict[str, Any]:
        """What /healthz says about this channel."""
        status: dict[str, Any] = {"enabled": True, "mode": self.config.mode, "running": self._started}
        if self._workers is not None:
            status["workers"] = self._workers.describe()
        return status

    # --- inbox ---------------------------------------------------------------------------
    def check_secret(self, header_value: str | None) -> bool:
        """Constant-time comparison of the webhook secret header."""
        if not header_value:
            return False
        return hmac.compare_digest(header_value.encode("utf-8"), self._secret)

    async def submit(self, data: dict[str, Any]) -> bool:
        """Record a raw update durably and queue it; False when its update_id was seen before."""
        data = sanitize_json(data)  # polled updates too: nothing unencodable is ever recorded
        update_id = data.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise ValueError("update without an integer update_id")
        return await self.runtime.accept(str(update_id), data)

    def _enqueue(self, external_id: str, data: dict[str, Any]) -> None:
        """Hand a recorded update over on the bot's own loop: to its worker process, or to the runtime."""
        bot_loop = self._bot_thread.loop if self._bot_thread is not None else None
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if bot_loop is None or bot_loop is running:
            self._put_update(external_id, data)
        else:
            bot_loop.call_soon_threadsafe(self._put_update, external_id, data)

    def _put_update(self, external_id: str, data: dict[str, Any]) -> None:
        if self._workers is not None:
            self._workers.submit(data)
        else:
            self.runtime.schedule(external_id, data)

    async def replay_pending(self) -> int:
        """Queue the updates recorded but never processed (a crash between ack and work)."""
        return await self.runtime.replay_pending()

    async def _replay_shard(self, shard: int) -> None:
        """A worker was replaced: hand it the unprocessed updates of its learners again."""
        assert self._workers is not None
        items = await run_in(self._db_pool, self._inbox.pending, CHANNEL)
        mine = [item for item in items if self._workers.shard_of(item.payload) == shard]
        for item in mine:
            self._workers.submit(sanitize_json(item.payload))
        if mine:
            log.info("Telegram: %d update(s) handed to the restarted worker %d", len(mine), shard)

    # --- webhook -------------------------------------------------------------------------
    def router(self) -> APIRouter:
        """`POST /telegram/webhook` (only mounted in webhook mode)."""
        router = APIRouter()

        @router.post(WEBHOOK_PATH, include_in_schema=False)
        async def telegram_webhook(request: Request) -> JSONResponse:
            # The secret is checked before the body is read: a stranger's request costs nothing.
            if not self.check_secret(request.headers.get(SECRET_HEADER)):
                return JSONResponse({"ok": False}, status_code=403)
            try:
                data = await read_json(request, MAX_WEBHOOK_BODY)
                if not isinstance(data, dict):
                    raise BadInput(400, "not an object")
                new = await self.submit(data)
            except BadInput as error:
                return refuse(CHANNEL, error, {"ok": False})
            except ValueError:
                return refuse(CHANNEL, BadInput(400, "update without an id"), {"ok": False})
            return JSONResponse({"ok": True, "duplicate": not new})

        return router

    # --- sending -----------------------------------------------------------------------
    async def send_replies(self, chat_id: int, user_id: str, replies: list[Reply]) -> bool:
        """Send the replies in order; False (and the learner marked inactive) if the bot is blocked."""
        return await self._handler.send_replies(chat_id, user_id, replies)

    # --- reminders -----------------------------------------------------------------------
    async def send_due_reminders(self) -> dict[str, str]:
        """Deliver the reminders due now, on the bot's loop; returns user_id -> outcome."""
        return await self._on_bot_loop(self.reminders.tick())

    async def _on_bot_loop(self, coro: Coroutine[Any, Any, _T]) -> _T:
        if self._bot_thread is None:
            return await coro
        return await self._bot_thread.run(coro)

    async def deliver_reminder(self, user_id: str, reply: Reply) -> str:
        """Send a due reminder (claimed by the tutor): "sent", "blocked" (the learner blocked the
        bot and is marked inactive) or "failed"."""
        try:
            chat_id = int(user_id)
        except ValueError:
            return "failed"
        try:
            return "sent" if await self.send_replies(chat_id, user_id, [reply]) else "blocked"
        except TelegramError as exc:
            log.warning("Telegram: reminder failed (%s)", type(exc).__name__)
            return "failed"


# Telegram's rules for a menu command: 1-32 of a-z, 0-9 and "_"; a description of 1-256 characters.
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


def bot_commands(entries: list[MenuEntry]) -> list[BotCommand]:
    """The tutor's menu as Telegram bot commands (entries Telegram would refuse are left out)."""
    commands = []
    for entry in entries:
        if _COMMAND.match(entry.command) and entry.description.strip():
            commands.append(BotCommand(entry.command, entry.description.strip()[:256]))
    return commands[:100]
