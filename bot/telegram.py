"""Telegram channel (python-telegram-bot v22): translates updates into `Inbound`, renders `Reply`.

One `TelegramChannel` serves both modes:

- webhook (inside `hocvuso serve`): `router()` gives `POST /telegram/webhook`; the secret header is
  checked in constant time before the body is read, the update is recorded in the durable inbox,
  200 goes back at once and the update is processed afterwards by the PTB `Application`;
- polling (`hocvuso telegram`): PTB's `Updater` long-polls `getUpdates`; every update goes through
  the same inbox, so both modes deduplicate and recover from crashes the same way.

Updates of one chat are processed in order; different chats concurrently. PTB runs on an event loop
of its own (a thread), so the web server's loop only acknowledges webhooks. What happens to an
update after it was recorded (`bot.telegram_updates.TelegramUpdateHandler`) runs either here, with
the synchronous tutor in a thread pool, or in worker processes sharded by learner
(`bot.telegram_workers`, `telegram.tutor_processes`), which leaves the server process nothing but
acknowledging. Database bookkeeping uses its own small pool and writes acknowledgements in
batches, so acknowledging a webhook never waits behind a learner's lesson.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from telegram import Bot, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    TypeHandler,
    Updater,
)

from bot.batch_writer import BatchWriter
from bot.inbox import DeliveryLog, Inbox
from bot.telegram_store import PollStore
from bot.telegram_tutor_pool import ThreadTutorRunner, TutorRunner
from bot.telegram_updates import (
    CHANNEL,
    PerChatUpdateProcessor,
    SendOptions,
    TelegramUpdateHandler,
    log_failure,
    quiet_noisy_loggers,
)
from bot.telegram_workers import UpdateWorkers
from tutor.messages import Reply, TutorPort

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
    timezone: str = "Asia/Ho_Chi_Minh"
    media_root: Path | None = None  # relative Reply.image_path values are resolved here
    max_messages_per_second: float = 30.0  # AIORateLimiter's overall limit (Telegram's is ~30/s)
    tutor_workers: int = 4
    polling_timeout_s: int = 10
    reminder_sync_s: float = 60.0  # how often reminder schedules are rebuilt from the database
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

    PTB (processing updates, sending replies, the JobQueue) runs here, so that the web server's
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
        deliveries: DeliveryLog,
        *,
        workers: UpdateWorkers | None = None,
        clock: Callable[[], datetime] | None = None,
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
        self._deliveries = deliveries
        self._tz = ZoneInfo(config.timezone)
        self._clock = clock or (lambda: datetime.now(self._tz))
        self._db_pool = ThreadPoolExecutor(2, thread_name_prefix="tg-db")
        self._recorder: BatchWriter[tuple[str, dict[str, Any]], bool] = BatchWriter(
            lambda items: inbox.record_many(CHANNEL, items), self._db_pool
        )
        self._secret = config.webhook_secret.encode("utf-8")
        self._reminders: dict[str, tuple[str, Any]] = {}  # user_id -> (HH:MM, Job)
        self._updater: Updater | None = None
        self._pump: asyncio.Task[None] | None = None
        self._started = False
        self._bot_thread: _LoopThread | None = None
        self.application = self._build_application()
        self._handler = TelegramUpdateHandler(
            self.application.bot,
            config.send_options,
            runner=self._runner,
            inbox=inbox,
            polls=polls,
            db_pool=self._db_pool,
        )

    # --- construction --------------------------------------------------------------------
    def _build_application(self) -> Application:
        builder = (
            ApplicationBuilder()
            .token(self.config.token)
            .updater(None)
            .concurrent_updates(PerChatUpdateProcessor())
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
        application = builder.build()
        application.add_handler(TypeHandler(Update, self._on_update))
        application.add_error_handler(self._on_error)
        return application

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
        replayed = await self.replay_pending()
        if replayed:
            log.info("Telegram: %d update(s) left by a previous run queued again", replayed)
        if self.application.job_queue is not None:
            self.application.job_queue.run_repeating(
                self._sync_reminders_job,
                interval=self.config.reminder_sync_s,
                first=0.5,
                name="telegram:reminder-sync",
            )
        await self._db(self._inbox.purge, self.config.inbox_retention)

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
        if self._started:
            # Application.stop waits for the updates in flight; the bot's HTTP client goes last.
            await self.application.stop()
            await self.application.shutdown()
            self._started = False
        await self._handler.flush()
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
    async def _db(self, fn: Callable[..., _T], *args: Any) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._db_pool, fn, *args)

    def check_secret(self, header_value: str | None) -> bool:
        """Constant-time comparison of the webhook secret header."""
        if not header_value:
            return False
        return hmac.compare_digest(header_value.encode("utf-8"), self._secret)

    async def submit(self, data: dict[str, Any]) -> bool:
        """Record a raw update durably and queue it; False when its update_id was seen before."""
        update_id = data.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise ValueError("update without an integer update_id")
        if not await self._recorder.submit((str(update_id), data)):
            return False
        self._enqueue(data)
        return True

    def _enqueue(self, data: dict[str, Any]) -> None:
        """Hand a recorded update over on PTB's own loop: to its worker process, or to PTB."""
        bot_loop = self._bot_thread.loop if self._bot_thread is not None else None
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if bot_loop is None or bot_loop is running:
            self._put_update(data)
        else:
            bot_loop.call_soon_threadsafe(self._put_update, data)

    def _put_update(self, data: dict[str, Any]) -> None:
        if self._workers is not None:
            self._workers.submit(data)
            return
        update = self._handler.parse(data)
        if update is not None:
            self.application.update_queue.put_nowait(update)

    async def replay_pending(self) -> int:
        """Queue the updates recorded but never processed (a crash between ack and work)."""
        items = await self._db(self._inbox.pending, CHANNEL)
        for item in items:
            self._enqueue(item.payload)
        return len(items)

    async def _replay_shard(self, shard: int) -> None:
        """A worker was replaced: hand it the unprocessed updates of its learners again."""
        assert self._workers is not None
        items = await self._db(self._inbox.pending, CHANNEL)
        mine = [item for item in items if self._workers.shard_of(item.payload) == shard]
        for item in mine:
            self._workers.submit(item.payload)
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
            length = request.headers.get("content-length")
            if length and length.isdigit() and int(length) > MAX_WEBHOOK_BODY:
                return JSONResponse({"ok": False}, status_code=413)
            body = await request.body()
            try:
                data = json.loads(body)
                if not isinstance(data, dict):
                    raise ValueError("not an object")
                new = await self.submit(data)
            except ValueError:
                return JSONResponse({"ok": False}, status_code=400)
            return JSONResponse({"ok": True, "duplicate": not new})

        return router

    # --- processing ---------------------------------------------------------------------
    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._handler.process(update)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log_failure("error in a job or handler", context.error)

    async def send_replies(self, chat_id: int, user_id: str, replies: list[Reply]) -> bool:
        """Send the replies in order; False (and the learner marked inactive) if the bot is blocked."""
        return await self._handler.send_replies(chat_id, user_id, replies)

    # --- reminders -----------------------------------------------------------------------
    async def _sync_reminders_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self._sync_reminders()
        except Exception as exc:
            log.warning("Telegram: reminder schedules not refreshed (%s)", type(exc).__name__)

    async def sync_reminders(self) -> dict[str, str]:
        """Rebuild the daily reminder jobs from the tutor's targets; returns user_id -> HH:MM."""
        return await self._on_bot_loop(self._sync_reminders())

    async def _on_bot_loop(self, coro: Coroutine[Any, Any, _T]) -> _T:
        if self._bot_thread is None:
            return await coro
        return await self._bot_thread.run(coro)

    async def _sync_reminders(self) -> dict[str, str]:
        job_queue = self.application.job_queue
        if job_queue is None:
            return {}
        targets = await self._runner.call("reminder_targets", CHANNEL)
        wanted: dict[str, dtime] = {}
        for target in targets:
            parsed = _parse_hhmm(target.time_hhmm)
            if parsed is not None:
                wanted[target.user_id] = parsed
        for user_id, (hhmm, job) in list(self._reminders.items()):
            if user_id not in wanted or wanted[user_id].strftime("%H:%M") != hhmm:
                job.schedule_removal()
                del self._reminders[user_id]
        for user_id, at in wanted.items():
            if user_id in self._reminders:
                continue
            job = job_queue.run_daily(
                self._reminder_job,
                time=at.replace(tzinfo=self._tz),
                data=user_id,
                name="telegram:reminder",  # no user id: job names reach the scheduler's logs
            )
            self._reminders[user_id] = (at.strftime("%H:%M"), job)
        return {user_id: hhmm for user_id, (hhmm, _job) in self._reminders.items()}

    def next_reminders(self) -> dict[str, datetime | None]:
        """When each scheduled learner's reminder runs next (user_id -> aware datetime)."""
        return {user_id: job.next_t for user_id, (_hhmm, job) in self._reminders.items()}

    async def _reminder_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        job = context.job
        if job is None or not isinstance(job.data, str):
            return
        try:
            await self._send_reminder(job.data)
        except Exception as exc:
            log.warning("Telegram: reminder not sent (%s)", type(exc).__name__)

    async def send_reminder(self, user_id: str) -> str:
        """Send today's reminder to one learner, at most once a day.

        Returns "sent", "empty" (nothing to say), "duplicate" (already done today), "blocked"
        (Forbidden: the learner is marked inactive and their job dropped) or "failed".
        """
        return await self._on_bot_loop(self._send_reminder(user_id))

    async def _send_reminder(self, user_id: str) -> str:
        day = self._clock().astimezone(self._tz).date().isoformat()
        if not await self._db(self._deliveries.claim, CHANNEL, user_id, "reminder", day):
            return "duplicate"
        reply = await self._runner.call("reminder_for", CHANNEL, user_id)
        if reply is None:
            status = "empty"
        else:
            try:
                chat_id = int(user_id)
            except ValueError:
                chat_id = 0
            try:
                status = "sent" if chat_id and await self.send_replies(chat_id, user_id, [reply]) else "blocked"
            except (BadRequest, TelegramError) as exc:
                log.warning("Telegram: reminder failed (%s)", type(exc).__name__)
                status = "failed"
        if status == "blocked":
            entry = self._reminders.pop(user_id, None)
            if entry is not None:
                entry[1].schedule_removal()
        await self._db(self._deliveries.finish, CHANNEL, user_id, "reminder", day, status)
        return status


def _parse_hhmm(value: str) -> dtime | None:
    try:
        hours, minutes = value.strip().split(":")
        return dtime(int(hours), int(minutes))
    except (ValueError, AttributeError):
        return None
