"""Telegram update workers: the processing of updates, in worker processes sharded by learner.

With `telegram.tutor_processes: N`, the server process only acknowledges webhooks: it records an
update in the inbox, answers 200 and writes the raw update to the worker that owns the learner
(`raw_update_key(update) % N`). Each worker process parses the update, asks its own tutor, sends the
replies with its own `Bot` and closes the inbox row, so the CPU-heavy work (search, grading, HTTP
to Telegram) runs outside the process that answers Telegram, at a lower CPU priority. One learner
always lands on the same worker, which keeps their updates in order.

Framing on the socket between them: a 4-byte big-endian length, then the update as JSON. A worker
reads until end of file (the server stopping, or dying), finishes what it holds and exits. A worker
that dies is started again and the still-unprocessed updates of its learners are handed to it again;
updates seen before are ignored by the worker, and the tutor deduplicates on message ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import multiprocessing
import os
import signal
import socket
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from bot.inbox import Inbox
from bot.runtime import ChannelRuntime
from bot.speech import SpeechService
from bot.telegram_store import PollStore
from bot.telegram_updates import (
    SendOptions,
    TelegramUpdateHandler,
    log_failure,
    quiet_noisy_loggers,
    raw_update_key,
)
from bot.tutor_pool import ThreadTutorRunner
from tutor.messages import TutorPort

log = logging.getLogger(__name__)

READY = b"R"
_HEADER = 4
START_TIMEOUT_S = 600.0  # loading a worker's embedding model and store on a slow disk
STOP_TIMEOUT_S = 60.0
RESTARTS_ALLOWED = 5  # a worker dying more often than this within RESTART_WINDOW_S stays down
RESTART_WINDOW_S = 300.0
BOT_START_ATTEMPTS = 24
BOT_START_RETRY_S = 5.0
_DRAIN_TIMEOUT_S = 3600.0  # the server kills a worker that takes longer than STOP_TIMEOUT_S anyway
_SEEN_KEPT = 20_000  # update ids a worker remembers, to ignore one handed over twice


@dataclass(frozen=True)
class WorkerParts:
    """What a worker process builds for itself (its own database connections and tutor)."""

    tutor: TutorPort
    inbox: Inbox
    polls: PollStore
    speech: SpeechService | None = None  # hears voice notes (None: voice notes are off)


@dataclass(frozen=True)
class WorkerBotConfig:
    """How a worker's `Bot` reaches Telegram and renders replies (no secrets beyond the token)."""

    token: str
    base_url: str = ""
    base_file_url: str = ""
    max_messages_per_second: float = 30.0  # this worker's share of the bot's limit
    send: SendOptions = SendOptions()


class UpdateWorkers(Protocol):
    """Where a channel hands recorded updates when it does not process them itself."""

    async def start(self, on_restart: Callable[[int], Awaitable[None]]) -> None:
        """Start the workers; `on_restart(shard)` is awaited after a dead worker was replaced."""
        ...

    def shard_of(self, data: dict[str, Any]) -> int:
        """The worker that owns this raw update."""
        ...

    def submit(self, data: dict[str, Any]) -> None:
        """Hand a raw update (already recorded in the inbox) to its worker."""
        ...

    async def stop(self) -> None:
        """Let every worker finish what it holds, then end them."""
        ...

    def describe(self) -> dict[str, Any]:
        """Status for /healthz."""
        ...


class _Worker:
    """The server's side of one worker process."""

    def __init__(self, shard: int, process: Any, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.shard = shard
        self.process = process
        self.reader = reader
        self.writer = writer
        self.watch: asyncio.Task[None] | None = None


class TelegramWorkerPool:
    """`processes` spawned worker processes, each owning the learners of one shard."""

    def __init__(
        self,
        factory: Callable[[], WorkerParts],
        processes: int,
        bot_config: WorkerBotConfig,
        *,
        nice: int = 10,
    ) -> None:
        """`factory` (picklable, e.g. a functools.partial of a module-level builder) runs once in
        each worker. `nice` lowers the workers' CPU priority so the server's acknowledgements
        come first when the cores are busy."""
        if processes < 1:
            raise ValueError("processes must be at least 1")
        self._factory = factory
        self._processes = processes
        self._bot_config = bot_config
        self._nice = nice
        self._workers: list[_Worker | None] = [None] * processes
        self._on_restart: Callable[[int], Awaitable[None]] | None = None
        self._restarts: list[list[float]] = [[] for _ in range(processes)]
        self._stopping = False
        self._context = multiprocessing.get_context("spawn")

    async def start(self, on_restart: Callable[[int], Awaitable[None]]) -> None:
        self._on_restart = on_restart
        self._stopping = False
        results = await asyncio.gather(
            *(self._spawn(shard) for shard in range(self._processes)), return_exceptions=True
        )
        for result in results:
            if isinstance(result, _Worker):
                self._install(result)
        failure = next((r for r in results if isinstance(r, BaseException)), None)
        if failure is not None:
            await self.stop()  # the ones that did start must not live on
            raise failure
        log.info("Telegram: %d update worker process(es) ready", self._processes)

    async def _spawn(self, shard: int) -> _Worker:
        ours, theirs = socket.socketpair()
        process = self._context.Process(
            target=worker_main,
            args=(theirs, self._factory, self._bot_config, self._nice),
            name=f"hocvuso-telegram-worker-{shard}",
            daemon=True,
        )
        try:
            process.start()
        finally:
            theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours)
        try:
            ready = await asyncio.wait_for(reader.read(1), START_TIMEOUT_S)
        except TimeoutError:
            ready = b""
        if ready != READY:
            writer.close()
            await asyncio.to_thread(_end, process)
            raise RuntimeError(f"Telegram worker {shard} did not start; its log lines above say why")
        return _Worker(shard, process, reader, writer)

    def _install(self, worker: _Worker) -> None:
        self._workers[worker.shard] = worker
        worker.watch = asyncio.get_running_loop().create_task(
            self._watch(worker), name=f"telegram:worker-{worker.shard}"
        )

    async def _watch(self, worker: _Worker) -> None:
        """A worker writes nothing after READY: end of file means it died (or was stopped)."""
        with contextlib.suppress(ConnectionError):
            await worker.reader.read()
        if self._stopping:
            return
        await asyncio.to_thread(worker.process.join, 5.0)
        log.error(
            "Telegram: update worker %d died (exit code %s); starting it again",
            worker.shard,
            worker.process.exitcode,
        )
        worker.writer.close()
        self._workers[worker.shard] = None
        now = time.monotonic()
        recent = [t for t in self._restarts[worker.shard] if now - t < RESTART_WINDOW_S]
        if len(recent) >= RESTARTS_ALLOWED:
            log.critical(
                "Telegram: update worker %d died %d times in %d s; its learners wait until a restart",
                worker.shard,
                len(recent),
                int(RESTART_WINDOW_S),
            )
            return
        self._restarts[worker.shard] = [*recent, now]
        try:
            replacement = await self._spawn(worker.shard)
        except Exception as exc:
            log.critical("Telegram: update worker %d could not be restarted (%s)", worker.shard, type(exc).__name__)
            return
        if self._stopping:
            replacement.writer.close()
            await asyncio.to_thread(_end, replacement.process)
            return
        self._install(replacement)
        if self._on_restart is not None:
            await self._on_restart(worker.shard)

    def shard_of(self, data: dict[str, Any]) -> int:
        return raw_update_key(data) % self._processes

    def submit(self, data: dict[str, Any]) -> None:
        worker = self._workers[self.shard_of(data)]
        if self._stopping or worker is None or worker.writer.is_closing():
            # Down or being replaced: the update stays `received` and is handed over on restart.
            return
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        worker.writer.write(len(body).to_bytes(_HEADER, "big") + body)

    def pids(self) -> list[int | None]:
        """Worker process ids by shard (None while one is down)."""
        return [w.process.pid if w is not None else None for w in self._workers]

    async def stop(self) -> None:
        self._stopping = True
        workers = [w for w in self._workers if w is not None]
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.writer.write_eof()  # "no more updates": the worker drains and exits
        await asyncio.gather(*(asyncio.to_thread(_end, w.process, STOP_TIMEOUT_S) for w in workers))
        for worker in workers:
            worker.writer.close()
            if worker.watch is not None:
                worker.watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker.watch
        self._workers = [None] * self._processes

    def describe(self) -> dict[str, Any]:
        alive = sum(1 for w in self._workers if w is not None and w.process.is_alive())
        return {"processes": self._processes, "alive": alive}


def _end(process: Any, timeout: float = 5.0) -> None:
    """Wait for a worker to exit; kill it when it does not."""
    process.join(timeout)
    if process.is_alive():
        log.warning("Telegram: update worker %s did not stop in %.0f s; killing it", process.name, timeout)
        process.kill()
        process.join(5.0)


# --- the worker process ------------------------------------------------------------------
def worker_main(
    sock: socket.socket, factory: Callable[[], WorkerParts], bot_config: WorkerBotConfig, nice: int
) -> None:
    """Entry point of a worker process."""
    # Before any numeric library loads: OpenMP threads that spin while idle would steal the
    # cores the server and the other workers need.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # The server stops its workers by closing the socket (after the last update): a Ctrl-C or a
    # service manager's SIGTERM sent to the whole group must not cut an update in half.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)
    try:
        parts = factory()
    except Exception as exc:
        log_failure("update worker could not build its tutor", exc)
        sock.close()
        raise SystemExit(1) from None
    try:
        asyncio.run(_serve(sock, parts, bot_config))
    except Exception as exc:  # type and frames only: a rejected token's message repeats the token
        log_failure("update worker stopped", exc)
        raise SystemExit(1) from None


def _build_bot(config: WorkerBotConfig) -> Any:
    from telegram.ext import AIORateLimiter, ExtBot
    from telegram.request import HTTPXRequest

    # Kept-alive connections for this worker's replies: sends of different learners overlap, and
    # with 16 the benchmark's replies queued for a free connection (p50 1 s instead of 0.15 s).
    request = HTTPXRequest(connection_pool_size=64, pool_timeout=30.0, read_timeout=30.0, write_timeout=30.0)
    limiter = AIORateLimiter(overall_max_rate=config.max_messages_per_second, overall_time_period=1, max_retries=2)
    kwargs: dict[str, Any] = {"request": request, "rate_limiter": limiter}
    if config.base_url:
        kwargs.update(base_url=config.base_url, base_file_url=config.base_file_url)
    return ExtBot(config.token, **kwargs)


async def _serve(sock: socket.socket, parts: WorkerParts, config: WorkerBotConfig) -> None:

    from telegram.error import NetworkError

    quiet_noisy_loggers()  # after the factory configured logging: request URLs hold the token
    reader, writer = await asyncio.open_connection(sock=sock)
    bot = _build_bot(config)
    # A worker replacing a dead one may start while Telegram is briefly unreachable: keep trying
    # (getMe) for a while rather than leave its learners without a worker.
    for attempt in range(BOT_START_ATTEMPTS):
        try:
            await bot.initialize()
            break
        except NetworkError:  # TimedOut included; a rejected token (InvalidToken) is not retried
            if attempt == BOT_START_ATTEMPTS - 1:
                raise
            log.warning("Telegram worker: Bot API unreachable; retrying in %.0f s", BOT_START_RETRY_S)
            await asyncio.sleep(BOT_START_RETRY_S)
    db_pool = ThreadPoolExecutor(2, thread_name_prefix="tg-db")
    # One thread: this process is one core's worth of tutor; the event loop stays free to send.
    runner = ThreadTutorRunner(parts.tutor, 1)
    handler = TelegramUpdateHandler(
        bot, config.send, runner=runner, polls=parts.polls, db_pool=db_pool, speech=parts.speech
    )
    runtime = ChannelRuntime(handler, parts.inbox, db_pool)  # the server recorded; this processes
    seen: OrderedDict[int, None] = OrderedDict()
    writer.write(READY)
    await writer.drain()
    try:
        while True:
            try:
                header = await reader.readexactly(_HEADER)
                body = await reader.readexactly(int.from_bytes(header, "big"))
            except (asyncio.IncompleteReadError, ConnectionError):
                break  # the server is done with us (or gone)
            data = json.loads(body)
            update_id = data.get("update_id")
            if update_id in seen:
                continue
            seen[update_id] = None
            if len(seen) > _SEEN_KEPT:
                seen.popitem(last=False)
            runtime.schedule(str(update_id), data)
        await runtime.idle(timeout=_DRAIN_TIMEOUT_S)
    finally:
        with contextlib.suppress(Exception):
            await bot.shutdown()
        runner.close()
        db_pool.shutdown(wait=True)
        writer.close()
