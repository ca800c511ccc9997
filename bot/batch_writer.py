"""`BatchWriter`: many small database writes from an event loop, one transaction per batch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Generic, TypeVar

_I = TypeVar("_I")
_R = TypeVar("_R")


class BatchWriter(Generic[_I, _R]):
    """Runs `fn(items)` in an executor for everything queued while the previous call ran.

    Under load, many webhook requests share one database transaction (one commit, one write
    lock) instead of queueing for a lock each; when idle, an item is written on its own at once.
    """

    def __init__(self, fn: Callable[[list[_I]], list[_R]], executor: Executor, max_batch: int = 256) -> None:
        self._fn = fn
        self._executor = executor
        self._max_batch = max_batch
        self._queue: list[tuple[_I, asyncio.Future[_R]]] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, item: _I) -> _R:
        """Queue `item` and wait until the batch holding it is written; returns its result."""
        loop = asyncio.get_running_loop()
        if self._task is not None and self._task.get_loop() is not loop:
            # Used from another event loop than the batches': write this one on its own.
            [result] = await loop.run_in_executor(self._executor, self._fn, [item])
            return result
        future: asyncio.Future[_R] = loop.create_future()
        self._queue.append((item, future))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())
        return await future

    async def flush(self) -> None:
        """Wait for the batch being written (if any)."""
        if self._task is not None and self._task.get_loop() is asyncio.get_running_loop():
            await self._task

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            try:
                results = await loop.run_in_executor(self._executor, self._fn, [i for i, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
