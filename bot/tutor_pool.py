"""Where a channel's event loop runs the (synchronous) tutor: a bounded pool of threads.

Every channel (Telegram, Zalo, the web chat, Telegram's update worker processes) calls the tutor
through a `TutorRunner`, so a slow turn never blocks an event loop and the pool bounds how many
turns run at once.
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
    """The tutor in a pool of `workers` threads of this process."""

    def __init__(self, tutor: TutorPort, workers: int, name: str = "tutor") -> None:
        self._tutor = tutor
        self._workers = workers
        self._name = name
        self._pool: ThreadPoolExecutor | None = None

    async def start(self) -> None:
        """Create the pool (also done by the first call)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix=self._name)

    async def call(self, method: str, *args: Any) -> Any:
        """Run `tutor.<method>(*args)` in the pool."""
        if self._pool is None:
            await self.start()
        assert self._pool is not None
        return await asyncio.get_running_loop().run_in_executor(self._pool, getattr(self._tutor, method), *args)

    def close(self) -> None:
        """Drop queued calls and release the threads (running calls finish on their own)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
