"""The channel runtime's parts on their own: the inbox's own store, per-learner order, failures and
apologies, and the reminder scheduler with a fake clock."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.inbox import Inbox, open_sqlite_inbox
from bot.reminders import ReminderScheduler
from bot.runtime import ChannelRuntime, KeyedLocks, Unreadable
from bot.tutor_pool import ThreadTutorRunner
from hocvuso.container import Container
from knowledge.db import transaction
from tests.conftest import make_settings
from tests.fakes.tutor_port import FakeTutor
from tutor.messages import ReminderTarget, Reply


def test_the_inbox_records_while_the_tutor_holds_the_main_write_lock(data_dir: Path) -> None:
    """With SQLite the inbox is its own file (data_dir/inbox.db): recording an update, which a
    webhook does before acknowledging, never waits for a tutor transaction on the main database."""
    container = Container(make_settings(data_dir))
    inbox = container.channel_inbox
    assert (data_dir / "inbox.db").is_file()
    holding, release = threading.Event(), threading.Event()

    def tutor_transaction() -> None:
        with transaction(container.session_factory) as session:
            session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the main file's write lock is ours
            holding.set()
            release.wait(30)

    writer = threading.Thread(target=tutor_transaction)
    writer.start()
    try:
        assert holding.wait(30)
        started = time.monotonic()
        assert inbox.record("telegram", "1", {"update_id": 1})
        assert time.monotonic() - started < 2.0  # the busy timeout is 5 s: this did not wait for it
    finally:
        release.set()
        writer.join()
        container.close()
    assert inbox.status("telegram", "1") == "received"


def test_an_existing_inbox_file_is_opened_again(tmp_path: Path) -> None:
    engine, factory = open_sqlite_inbox(tmp_path / "inbox.db")
    assert Inbox(factory).record("zalo", "a", {})
    engine.dispose()
    engine, factory = open_sqlite_inbox(tmp_path / "inbox.db")
    assert not Inbox(factory).record("zalo", "a", {})  # the row is still there: a retry
    engine.dispose()


class ScriptedPlatform:
    """A platform whose updates say what to do: {"user": ..., "do": "ok" | "fail" | "unreadable"}."""

    name = "test"

    def __init__(self) -> None:
        self.handled: list[tuple[str, int]] = []
        self.apologized: list[str] = []

    def key_of(self, data: dict[str, Any]) -> str:
        return str(data["user"])

    async def handle(self, data: dict[str, Any]) -> None:
        if data["do"] == "unreadable":
            raise Unreadable("bad")
        await asyncio.sleep(0.001 * (data["n"] % 3))  # later updates may finish first, if unordered
        self.handled.append((data["user"], data["n"]))
        if data["do"] == "fail":
            raise RuntimeError("scripted")

    async def apologize(self, data: dict[str, Any]) -> None:
        self.apologized.append(data["user"])


async def test_runtime_orders_each_learner_and_ends_every_row(tmp_path: Path) -> None:
    engine, factory = open_sqlite_inbox(tmp_path / "inbox.db")
    inbox = Inbox(factory)
    platform = ScriptedPlatform()
    pool = ThreadPoolExecutor(2)
    runtime = ChannelRuntime(platform, inbox, pool)
    try:
        for n in range(30):
            user = f"u{n % 3}"
            do = "fail" if n == 7 else "unreadable" if n == 8 else "ok"
            assert await runtime.accept(str(n), {"user": user, "n": n, "do": do})
        assert not await runtime.accept("3", {"user": "u0", "n": 3, "do": "ok"})  # a retry
        await runtime.idle(timeout=60)
    finally:
        pool.shutdown()
    for user in ("u0", "u1", "u2"):
        mine = [n for u, n in platform.handled if u == user]
        assert mine == sorted(mine) and mine  # arrival order per learner
    assert platform.apologized == ["u1"]  # n=7 failed; the unreadable one gets no apology
    assert inbox.status("test", "7") == "failed" and inbox.status("test", "8") == "failed"
    assert inbox.counts("test") == {"processed": 28, "failed": 2}
    assert runtime.locked_learners == 0 and runtime.in_flight == 0
    engine.dispose()


async def test_keyed_locks_are_forgotten() -> None:
    locks = KeyedLocks()
    async with locks.hold("a"):
        assert len(locks) == 1
    assert len(locks) == 0


class Collecting:
    """A channel that records what it was asked to deliver; learner "boom" makes it raise."""

    name = "web"

    def __init__(self) -> None:
        self.got: list[tuple[str, str]] = []

    async def deliver_reminder(self, user_id: str, reply: Reply) -> str:
        if user_id == "boom":
            raise ConnectionError("down")
        self.got.append((user_id, reply.text))
        return "sent"


async def test_scheduler_delivers_what_is_due_in_batches_once() -> None:
    tutor = FakeTutor(targets=[ReminderTarget("web", f"l{i}", "19:30") for i in range(5)])
    tutor.targets += [ReminderTarget("web", "boom", "19:30"), ReminderTarget("web", "late", "21:00")]
    channel = Collecting()
    now = [datetime(2026, 11, 28, 12, 0, tzinfo=UTC)]  # 19:00 in Hanoi
    runner = ThreadTutorRunner(tutor, 1)
    scheduler = ReminderScheduler(channel, runner, interval_s=0, batch=2, clock=lambda: now[0])
    try:
        assert await scheduler.tick() == {}
        now[0] = datetime(2026, 11, 28, 12, 45, tzinfo=UTC)  # 19:45
        results = await scheduler.tick()
        assert results == {**{f"l{i}": "sent" for i in range(5)}, "boom": "failed"}
        assert await scheduler.tick() == {}
        now[0] = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)  # 21:00
        assert await scheduler.tick() == {"late": "sent"}
    finally:
        runner.close()
    assert len(channel.got) == 6 and scheduler.delivered == 6


async def test_scheduler_loop_survives_a_failing_tutor() -> None:
    class Broken(FakeTutor):
        calls = 0

        def due_reminders(self, channel: str, now: datetime, limit: int = 100) -> list[Any]:
            Broken.calls += 1
            raise RuntimeError("database down")

    runner = ThreadTutorRunner(Broken(), 1)
    scheduler = ReminderScheduler(Collecting(), runner, interval_s=0.01)
    scheduler.start()
    try:
        deadline = time.monotonic() + 30
        while Broken.calls < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
    finally:
        await scheduler.stop()
        runner.close()
    assert Broken.calls >= 3
