"""Where a channel runs the (synchronous) tutor: threads of the server process, or worker processes.

`ThreadTutorRunner` is the simple default. `ProcessTutorRunner` runs the tutor in separate
processes at a lower CPU priority: the tutor's Python work (search, grading, state) then neither
holds the server's GIL nor competes with the event loop on equal terms, so webhooks are
acknowledged quickly even while every core is busy answering, and several cores answer at once.
Each worker process builds its own tutor with `factory` (a picklable callable, e.g. a
`functools.partial` of a module-level builder and the settings), once, when it starts.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
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
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, getattr(self._tutor, method), *args
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class _WorkerState:
    """The tutor of one worker process (set by the pool's initializer, used by `_invoke`)."""

    tutor: TutorPort | None = None


def _init_worker(factory: Callable[[], TutorPort], nice: int) -> None:
    # Before any numeric library loads: OpenMP threads that spin while idle would steal the
    # cores the other workers and the server need.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if nice:
        try:
            os.nice(nice)
        except OSError:
            pass
    _WorkerState.tutor = factory()
    parent = os.getppid()
    threading.Thread(target=_exit_with_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A worker whose server was killed (no clean shutdown) must not live on as an orphan."""
    while os.getppid() == parent:
        time.sleep(2.0)
    os._exit(0)


def _invoke(method: str, *args: Any) -> Any:
    tutor = _WorkerState.tutor
    if tutor is None:
        raise RuntimeError("tutor worker not initialized")
    return getattr(tutor, method)(*args)


def _ready() -> int:
    return os.getpid()


class ProcessTutorRunner:
    """The tutor in `processes` worker processes (spawned, so no inherited threads or sockets)."""

    def __init__(self, factory: Callable[[], TutorPort], processes: int, *, nice: int = 5) -> None:
        self._factory = factory
        self._processes = processes
        self._nice = nice
        self._pool: ProcessPoolExecutor | None = None

    async def start(self) -> None:
        """Start every worker and wait until each has built its tutor."""
        if self._pool is not None:
            return
        self._pool = ProcessPoolExecutor(
            max_workers=self._processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self._factory, self._nice),
        )
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._pool, _ready) for _ in range(self._processes)))

    async def call(self, method: str, *args: Any) -> Any:
        if self._pool is None:
            await self.start()
        assert self._pool is not None
        return await asyncio.get_running_loop().run_in_executor(self._pool, _invoke, method, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
