"""Where a channel's event loop runs the (synchronous) tutor: a pool of threads.

Telegram can instead process whole updates in worker processes (`bot.telegram_workers`); those
run their own tutor through a `ThreadTutorRunner` too.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from tutor.messages import TutorPort


class TutorRunner(Protocol):
    """Runs TutorPort methods off the event loop."""

    async def call(self, method: str, *args: Any) -> Any:
        """`getattr(tutor, method)(*args)`, awaited."""
        ...

    async def start(self) -> None:
        """Get ready (start workers)."""
        ...

    def close(self) -> None:
        """Release the workers."""
        ...


class ThreadTutorRunner:
    """The tutor in a pool of threads of this process."""

    def __init__(self, tutor: TutorPort, workers: int) -> None:
        self._tutor = tutor
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None

    async def start(self) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="tutor")

    async def call(self, method: str, *args: Any) -> Any:
        if self._pool is None:
            await self.start()
        assert self._pool is not None
        return await asyncio.get_running_loop().run_in_executor(self._pool, getattr(self._tutor, method), *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
