"""One reminder scheduler for every channel: due reminders come from the tutor, each claimed once.

Every `interval_s` (60 s by default) the scheduler asks `TutorPort.due_reminders(channel, now)` —
which claims each learner's reminder for the day in the tutor's database, so two processes never
get the same one — and hands each reply to the channel's `deliver_reminder(user_id, reply)`.
The channel says how it went: "sent", "blocked", "failed", "outside_window" (Zalo's free reply
window is closed) or "queued" (the web chat keeps it for the learner's next page load or poll).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from bot.tutor_pool import TutorRunner
from tutor.messages import ReminderTarget, Reply

log = logging.getLogger(__name__)


class ReminderChannel(Protocol):
    """A channel that can deliver a reminder to one of its learners."""

    name: str

    async def deliver_reminder(self, user_id: str, reply: Reply) -> str:
        """Send (or keep) one learner's reminder; returns how it went (see the module docstring)."""
        ...


class ReminderScheduler:
    """Asks the tutor for due reminders every `interval_s` and delivers them through one channel."""

    def __init__(
        self,
        channel: ReminderChannel,
        runner: TutorRunner,
        *,
        interval_s: float = 60.0,
        batch: int = 100,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`interval_s` <= 0 starts no loop (call `tick()` yourself, e.g. in tests with a fake clock)."""
        self._channel = channel
        self._runner = runner
        self._interval = interval_s
        self._batch = batch
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self.delivered = 0  # reminders sent or queued by this process (for /healthz)

    async def tick(self) -> dict[str, str]:
        """Deliver every reminder due now; returns user_id -> outcome."""
        results: dict[str, str] = {}
        now = self._clock()
        while True:
            due: list[tuple[ReminderTarget, Reply]] = await self._runner.call(
                "due_reminders", self._channel.name, now, self._batch
            )
            for target, reply in due:
                results[target.user_id] = await self._deliver(target.user_id, reply)
            if len(due) < self._batch:  # claimed ones are not returned again: stop when drained
                return results

    async def _deliver(self, user_id: str, reply: Reply) -> str:
        try:
            outcome = await self._channel.deliver_reminder(user_id, reply)
        except Exception as exc:  # one learner's failure does not stop the others'
            log.warning("%s: reminder not delivered (%s)", self._channel.name, type(exc).__name__)
            return "failed"
        if outcome in ("sent", "queued"):
            self.delivered += 1
        return outcome

    def start(self) -> None:
        """Start the loop on the running event loop (nothing when `interval_s` <= 0)."""
        if self._interval > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name=f"{self._channel.name}:reminders")

    async def stop(self) -> None:
        """Stop the loop (a delivery in progress is cancelled; its claim stays with the tutor)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the tutor's database is down: try again next time
                log.warning("%s: reminders not checked (%s)", self._channel.name, type(exc).__name__)
            await asyncio.sleep(self._interval)
