"""The one channel runtime: accept → inbox → ordered per-learner processing → tutor → send → done/failed.

A platform adapter (Telegram, Zalo) supplies only what is its own — the learner an update belongs
to, how to handle one update (parse → `Inbound` → tutor → render → send) and how to apologize —
and `ChannelRuntime` does the rest the same way for every channel:

1. `accept(external_id, data)` records the update in the durable inbox (batched: many webhook
   requests share one commit) and returns False for a platform retry seen before;
2. the update is then dispatched — processed in this process, or handed to a `sink` (Telegram's
   worker processes, another event loop);
3. `schedule(...)` processes it in a task, holding the learner's lock so one learner's updates
   run in arrival order while different learners' run concurrently;
4. the inbox row ends `processed` (batched), or `failed` with the one apology sent to the learner.

`replay_pending()` queues again what a crash left `received`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import AsyncIterator, Callable, Hashable
from concurrent.futures import Executor
from typing import Any, Protocol, TypeVar

from bot.batch_writer import BatchWriter
from bot.inbox import Inbox
from knowledge.sanitize import sanitize_json

log = logging.getLogger(__name__)
_T = TypeVar("_T")


async def run_in(pool: Executor, fn: Callable[..., _T], *args: Any) -> _T:
    """`fn(*args)` in `pool`, awaited: blocking database calls never run on an event loop."""
    return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)


def log_failure(logger: logging.Logger, what: str, exc: BaseException | None) -> None:
    """Log a failure with its type and stack frames only: exception messages may hold a learner's
    words or, for a rejected token, the token itself."""
    frames = "".join(traceback.format_tb(exc.__traceback__)) if exc is not None else ""
    logger.error("%s: %s\n%s", what, type(exc).__name__, frames)


class KeyedLocks:
    """One asyncio lock per key (a learner), forgotten as soon as nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}  # lock, holders and waiters

    @contextlib.asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """Hold the lock of `key`; callers with the same key get it in arrival order."""
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class Unreadable(Exception):
    """The platform cannot read this update: it is marked failed ("unreadable"), without an apology."""


class Platform(Protocol):
    """What a platform supplies to the runtime."""

    name: str

    def key_of(self, data: dict[str, Any]) -> Hashable:
        """The learner (or chat) a raw update belongs to; updates of one key are handled in order."""
        ...

    async def handle(self, data: dict[str, Any]) -> None:
        """Parse → Inbound → tutor → render → send. Raises `Unreadable`, or anything on failure."""
        ...

    async def apologize(self, data: dict[str, Any]) -> None:
        """Tell the learner behind a failed update that it could not be answered (APOLOGY)."""
        ...


class ChannelRuntime:
    """Accepts, orders and processes one channel's updates; see the module docstring."""

    def __init__(
        self,
        platform: Platform,
        inbox: Inbox,
        db_pool: Executor,
        *,
        sink: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        """`sink(external_id, data)` receives recorded updates instead of `schedule` (e.g. to hand
        them to worker processes, or to another event loop that then calls `schedule`)."""
        self.platform = platform
        self._channel = platform.name
        self._inbox = inbox
        self._db_pool = db_pool
        self._sink = sink
        self._locks = KeyedLocks()
        self._tasks: set[asyncio.Task[None]] = set()
        self._recorder: BatchWriter[tuple[str, dict[str, Any]], bool] = BatchWriter(
            lambda items: inbox.record_many(self._channel, items), db_pool
        )
        self._completer: BatchWriter[str, None] = BatchWriter(self._mark_processed, db_pool)

    # --- accepting -----------------------------------------------------------------------
    async def accept(self, external_id: str, data: dict[str, Any]) -> bool:
        """Record the update durably and dispatch it; False when it was recorded before."""
        if not await self._recorder.submit((external_id, data)):
            return False
        self.dispatch(external_id, data)
        return True

    def dispatch(self, external_id: str, data: dict[str, Any]) -> None:
        """Hand a recorded update to the sink, or process it here."""
        if self._sink is not None:
            self._sink(external_id, data)
        else:
            self.schedule(external_id, data)

    async def replay_pending(self) -> int:
        """Dispatch again what was recorded but never processed (a crash between ack and work)."""
        items = await run_in(self._db_pool, self._inbox.pending, self._channel)
        for item in items:
            # Rows recorded before the input boundary sanitised updates may hold lone surrogates.
            self.dispatch(item.external_id, sanitize_json(item.payload))
        return len(items)

    # --- processing ----------------------------------------------------------------------
    def schedule(self, external_id: str, data: dict[str, Any]) -> None:
        """Process the update in a task of the running loop, after the learner's earlier ones."""
        task = asyncio.get_running_loop().create_task(self._process(external_id, data))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, external_id: str, data: dict[str, Any]) -> None:
        async with self._locks.hold(self.platform.key_of(data)):
            try:
                await self.platform.handle(data)
            except Unreadable:
                log.warning("%s: update %s unreadable", self._channel, external_id)
                await self._mark_failed(external_id, "unreadable")
                return
            except Exception as exc:
                log_failure(log, f"{self._channel}: update {external_id} failed", exc)
                await self._mark_failed(external_id, type(exc).__name__)
                try:
                    await self.platform.apologize(data)
                except Exception as again:  # the platform is down too: the row says failed
                    log.warning("%s: apology not sent (%s)", self._channel, type(again).__name__)
                return
        await self._completer.submit(external_id)

    async def _mark_failed(self, external_id: str, label: str) -> None:
        try:
            await run_in(self._db_pool, self._inbox.mark_failed, self._channel, external_id, label)
        except Exception as exc:  # the row stays `received` and is replayed on the next start
            log.warning("%s: inbox not updated (%s)", self._channel, type(exc).__name__)

    def _mark_processed(self, external_ids: list[str]) -> list[None]:
        self._inbox.mark_processed_many(self._channel, external_ids)
        return [None] * len(external_ids)

    # --- lifecycle -----------------------------------------------------------------------
    @property
    def in_flight(self) -> int:
        """Updates being processed (or waiting for their learner's turn) in this loop."""
        return len(self._tasks)

    @property
    def locked_learners(self) -> int:
        """Learners with an update being processed or waiting (their locks are forgotten after)."""
        return len(self._locks)

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait (at most `timeout` s) until the updates in flight are processed and written."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks and loop.time() < deadline:
            await asyncio.wait(list(self._tasks), timeout=max(0.0, deadline - loop.time()))
        await self._completer.flush()
        await self._recorder.flush()
