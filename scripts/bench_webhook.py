"""Webhook load benchmark: N concurrent learners posting Telegram updates to `hocvuso serve`.

Everything runs on 127.0.0.1: `hocvuso serve` (a subprocess, telegram.mode webhook, extractive
answers) receives signed webhook posts; its replies go to the local fake Bot API
(tests/fakes/telegram_api.py) living in this process. Each learner behaves like a person: sends one
update, waits for the bot's answer (reading it for buttons to press next), then waits for its next
turn; turns are paced so that all learners together offer `--rate` updates per second. A share of
updates is posted twice (as Telegram does on retries).

Reported: updates/s achieved, acknowledge time p50/p95/p99 (webhook POST → 200), time to the first
reply p50/p95, lost replies (an update never answered within 120 s), duplicated replies (an update
processed twice according to the server's inbox, or a retry not acknowledged as a duplicate), and
the server side inbox/tutor row counts. `messages_after_reply_window` counts bot messages that came
after a learner had taken its answer as complete (slow multi-part replies), for information.

    python scripts/bench_webhook.py --learners 500 --rate 100 --duration 60 --store /tmp/hocvuso-bench-store

`--burst-new N` measures the first day of a campaign instead: N learners never seen before each send
/start once, together at `--rate` updates/s (no onboarding phase); the acknowledgement times show
whether recording an update waits for the tutor's writes (it must not: the inbox has its own store).

    python scripts/bench_webhook.py --burst-new 300 --rate 100 --tutor-processes 2 --store /tmp/hocvuso-bench-store

`--inbox-contention` measures only the mechanism, in this process: `Inbox.record` of 300 updates at
100/s while two threads run 20 ms write transactions on the main SQLite file, with the inbox in that
file and in its own file.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fakes.telegram_api import ApiCall, FakeTelegramApi  # noqa: E402

SECRET = "bench-secret_0123456789abcdefABCDEF"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
QUESTIONS = [
    "mật khẩu mạnh là gì?",
    "lam sao kich hoat vneid",
    "cách nhận biết tin nhắn lừa đảo",
    "OTP là gì, có được đọc cho người khác không?",
    "làm sao cập nhật phần mềm điện thoại",
    "wifi công cộng có an toàn không",
]
QUIET_S = 0.25  # a reply is complete when the chat has been quiet this long
REPLY_TIMEOUT_S = 120.0  # an update without any answer after this long counts as lost
ONBOARDING_STEPS = 6


def question_pool(kind: str, course: Path) -> list[str]:
    """Free questions learners ask: the six fixed ones, or also every quiz question of the course
    (a few hundred different texts, so a cache of query vectors does not make them all free)."""
    if kind == "fixed":
        return list(QUESTIONS)
    from knowledge.curriculum import load_curriculum

    curriculum = load_curriculum(course, strict=False)
    return [*QUESTIONS, *(item.question for lesson in curriculum.lessons.values() for item in lesson.quiz)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Stats:
    ack_ms: list[float] = field(default_factory=list)
    reply_ms: list[float] = field(default_factory=list)
    sent: int = 0
    retries: int = 0
    retries_not_duplicate: int = 0
    bad_status: int = 0
    lost: int = 0
    unsolicited: int = 0
    messages: int = 0


class ChatWatch:
    """Messages the bot sends to one chat, delivered from the fake API's threads to the loop."""

    def __init__(self) -> None:
        self.messages: list[ApiCall] = []
        self.changed = asyncio.Event()
        self.expecting = False


class Learner:
    """A scripted learner: onboarding, then lessons, quiz buttons and questions."""

    def __init__(
        self,
        user_id: int,
        fake: FakeTelegramApi,
        watch: ChatWatch,
        rng: random.Random,
        question_share: float,
        questions: list[str] = QUESTIONS,
    ) -> None:
        self.user = user_id
        self.questions = questions
        self.question_share = question_share
        self.fake = fake
        self.watch = watch
        self.rng = rng
        self.step = 0
        self.last: list[ApiCall] = []

    def _button(self, *parts: str) -> dict[str, Any] | None:
        for call in reversed(self.last):
            markup = call.json("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if any(p in button["text"] for p in parts):
                        return self.fake.callback_update(
                            self.user, button["callback_data"], self.fake.sent_message(call)
                        )
        return None

    def next_update(self) -> dict[str, Any]:
        step, self.step = self.step, self.step + 1
        script = {0: "/start", 2: "Lan", 3: "may thanh cong"}
        if step in script:
            return self.fake.message_update(self.user, script[step])
        wanted = {1: ("Đồng ý",), 4: ("May Thành Công",), 5: ("Công nhân",)}.get(step)
        if wanted is None:
            roll = self.rng.random()
            if roll < self.question_share:
                return self.fake.message_update(self.user, self.rng.choice(self.questions))
            if roll < self.question_share + 0.1:
                return self.fake.message_update(self.user, self.rng.choice(["/hoc", "/tiendo", "/ontap"]))
            wanted = ("Tiếp", "Làm bài tập", "A", "Đúng", "Học bài")
        update = self._button(*wanted)
        return update or self.fake.message_update(self.user, self.rng.choice(self.questions))


async def post_update(
    client: httpx.AsyncClient, update: dict[str, Any], learner: Learner, stats: Stats, retry_share: float
) -> bool:
    """Post one update (and, for a `retry_share` of them, again as Telegram's retry), counting the
    acknowledgement time and bad answers; False when the first post did not get through."""
    t0 = time.monotonic()
    try:
        response = await client.post("/telegram/webhook", json=update, headers={HEADER: SECRET})
    except httpx.TransportError:
        stats.bad_status += 1
        return False
    stats.ack_ms.append((time.monotonic() - t0) * 1000)
    stats.sent += 1
    if response.status_code != 200:
        stats.bad_status += 1
    if learner.rng.random() < retry_share:
        stats.retries += 1
        try:
            again = await client.post("/telegram/webhook", json=update, headers={HEADER: SECRET})
            if again.status_code != 200 or not again.json().get("duplicate"):
                stats.retries_not_duplicate += 1
        except httpx.TransportError:
            stats.bad_status += 1
    return True


async def turn(learner: Learner, client: httpx.AsyncClient, stats: Stats, retry_share: float) -> None:
    """One update from the learner: post it (maybe twice), wait for the whole answer, read it."""
    update = learner.next_update()
    watch = learner.watch
    seen = len(watch.messages)
    watch.expecting = True
    t0 = time.monotonic()  # the fake API stamps calls with time.monotonic() too
    if not await post_update(client, update, learner, stats, retry_share):
        watch.expecting = False
        return
    # Wait for the first reply, then for the chat to go quiet.
    deadline = t0 + REPLY_TIMEOUT_S
    while len(watch.messages) == seen and time.monotonic() < deadline:
        watch.changed.clear()
        try:
            await asyncio.wait_for(watch.changed.wait(), deadline - time.monotonic())
        except TimeoutError:
            break
    if len(watch.messages) == seen:
        stats.lost += 1
    else:
        stats.reply_ms.append((watch.messages[seen].at - t0) * 1000)
        while True:
            count = len(watch.messages)
            await asyncio.sleep(QUIET_S)
            if len(watch.messages) == count:
                break
    learner.last = watch.messages[seen:]
    watch.expecting = False


async def burst_new(learners: list[Learner], client: httpx.AsyncClient, stats: Stats, rate: float) -> None:
    """Each learner (never seen before) posts /start once, all of them together at `rate` per second."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.5

    async def one(i: int, learner: Learner) -> None:
        await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
        learner.watch.expecting = True
        await post_update(client, learner.next_update(), learner, stats, 0.0)

    await asyncio.gather(*(one(i, learner) for i, learner in enumerate(learners)))


async def onboard(learner: Learner, client: httpx.AsyncClient, stats: Stats, gate: asyncio.Semaphore) -> None:
    """Consent, name, unit and group (not measured): the measured phase starts with learners."""
    async with gate:
        while learner.step < ONBOARDING_STEPS:
            await turn(learner, client, stats, 0.0)


async def run_learner(
    learner: Learner,
    client: httpx.AsyncClient,
    stats: Stats,
    start_at: float,
    interval: float,
    end_at: float,
    retry_share: float,
) -> None:
    """Paced turns: one every `interval` seconds (later when the previous answer is slower)."""
    loop = asyncio.get_running_loop()
    next_at = start_at
    while next_at <= end_at:
        now = loop.time()
        if next_at > now:
            await asyncio.sleep(next_at - now)
        await turn(learner, client, stats, retry_share)
        next_at = max(next_at + interval, loop.time())


async def run_learner_open(
    learner: Learner,
    client: httpx.AsyncClient,
    stats: Stats,
    start_at: float,
    interval: float,
    end_at: float,
    retry_share: float,
) -> None:
    """Open loop: post on schedule whether or not the previous answer came (Telegram's view of
    many independent people); the learner reads whatever the bot has sent it so far."""
    loop = asyncio.get_running_loop()
    next_at = start_at
    watch = learner.watch
    watch.expecting = True  # answers may arrive at any time in this mode
    while next_at <= end_at:
        now = loop.time()
        if next_at > now:
            await asyncio.sleep(next_at - now)
        learner.last = watch.messages[-3:]
        await post_update(client, learner.next_update(), learner, stats, retry_share)
        next_at += interval


def inbox_db(data_dir: Path) -> Path:
    """The inbox's own SQLite file (older versions kept the inbox in the main database)."""
    own = data_dir / "inbox.db"
    return own if own.is_file() else data_dir / "hocvuso.db"


async def drain(data_dir: Path, timeout: float) -> float:
    """Wait until the server has processed every recorded update; returns the seconds waited."""
    engine = sa.create_engine(f"sqlite:///{inbox_db(data_dir)}")
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout:
            with engine.connect() as conn:
                waiting = conn.execute(
                    sa.text("SELECT count(*) FROM channel_inbox WHERE status = 'received'")
                ).scalar_one()
            if not waiting:
                break
            await asyncio.sleep(0.5)
    finally:
        engine.dispose()
    return time.perf_counter() - started


def max_inbox_id(data_dir: Path) -> int:
    engine = sa.create_engine(f"sqlite:///{inbox_db(data_dir)}")
    with engine.connect() as conn:
        value = conn.execute(sa.text("SELECT max(id) FROM channel_inbox")).scalar_one()
    engine.dispose()
    return int(value or 0)


def cpu_seconds(pid: int) -> dict[str, float]:
    """CPU time (user + system) used so far by a process and by each of its children, by pid."""
    ticks = os.sysconf("SC_CLK_TCK")

    def one(p: int) -> float:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    result = {"server": one(pid)}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    result[f"worker-{entry.name}"] = one(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return result


def rss_mib(pid: int) -> dict[str, float]:
    """Resident memory (MiB) of the server and of each of its child processes, by role."""

    def one(p: int) -> float:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    result = {"server": one(pid)}
    for name in cpu_seconds(pid):
        if name.startswith("worker-"):
            try:
                result[name] = one(int(name.split("-", 1)[1]))
            except OSError:
                continue
    return result


def write_config(
    root: Path,
    course: Path,
    port: int,
    api: FakeTelegramApi,
    rate_limit: float,
    workers: int,
    processes: int,
    query_cache_size: int = 2048,
) -> Path:
    import yaml

    config = {
        "data_dir": str(root / "data"),
        "log_level": "WARNING",
        "ingest": {"lessons_dir": str(course)},
        "search": {"query_cache_size": query_cache_size},
        "tutor": {"units_file": str(REPO / "knowledge" / "units_sample.csv"), "rate_limit_per_minute": 60},
        "telegram": {
            "mode": "webhook",
            "webhook_url": "https://bench.invalid/telegram/webhook",
            "base_url": api.base_url,
            "max_messages_per_second": rate_limit,
            "workers": workers,
            "tutor_processes": processes,
        },
        "serve": {"host": "127.0.0.1", "port": port},
    }
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def hocvuso(config: Path, *args: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCVUSO_")}
    env.update(HOCVUSO_TELEGRAM__TOKEN=kwargs.pop("token"), HOCVUSO_TELEGRAM__WEBHOOK_SECRET=SECRET)
    profile = kwargs.pop("profile", None)
    runner = [sys.executable, "-m", "cProfile", "-o", profile] if profile else [sys.executable]
    return subprocess.Popen([*runner, "-m", "hocvuso", "--config", str(config), *args], cwd=REPO, env=env, **kwargs)


def server_counts(data_dir: Path, first_id: int) -> dict[str, Any]:
    """Inbox and tutor row counts, and receive→processed times of the measured updates."""
    from datetime import datetime

    engine = sa.create_engine(f"sqlite:///{inbox_db(data_dir)}")
    with engine.connect() as conn:
        spans = []
        for received, processed in conn.execute(
            sa.text(
                "SELECT received_at, processed_at FROM channel_inbox WHERE id > :first AND processed_at IS NOT NULL"
            ),
            {"first": first_id},
        ):
            spans.append(
                (datetime.fromisoformat(str(processed)) - datetime.fromisoformat(str(received))).total_seconds() * 1000
            )
        inbox = dict(conn.execute(sa.text("SELECT status, count(*) FROM channel_inbox GROUP BY status")).all())
        processed_twice = conn.execute(sa.text("SELECT count(*) FROM channel_inbox WHERE attempts > 1")).scalar_one()
    engine.dispose()
    engine = sa.create_engine(f"sqlite:///{data_dir / 'hocvuso.db'}")
    with engine.connect() as conn:
        handled = conn.execute(
            sa.text("SELECT count(*) FROM tutor_processed_messages WHERE channel = 'telegram'")
        ).scalar_one()
    engine.dispose()
    return {
        "inbox": inbox,
        "processed_twice": processed_twice,
        "tutor_processed_messages": handled,
        "received_to_replied_ms": {
            "p50": round(percentile(spans, 50), 1),
            "p95": round(percentile(spans, 95), 1),
            "max": round(max(spans, default=float("nan")), 1),
        },
    }


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    course = Path(args.course).resolve()
    with tempfile.TemporaryDirectory(prefix="hocvuso-bench-") as tmp, FakeTelegramApi() as api:
        root = Path(tmp)
        port = free_port()
        config = write_config(
            root, course, port, api, args.bot_rate_limit, args.workers, args.tutor_processes, args.query_cache_size
        )
        t = time.perf_counter()
        store = Path(args.store) if args.store else None
        if store is not None and (store / "hocvuso.db").is_file():
            shutil.copytree(store, root / "data")  # a store ingested earlier from the same course
        else:
            ingest = hocvuso(config, "ingest", token=api.token, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, err = ingest.communicate(timeout=1800)
            if ingest.returncode != 0:
                raise SystemExit(f"ingest failed: {err.decode()[-2000:]}")
            if store is not None:
                shutil.copytree(root / "data", store)
        ingest_s = time.perf_counter() - t
        server_log = (root / "serve.log").open("wb")
        server = hocvuso(
            config, "serve", token=api.token, stdout=server_log, stderr=subprocess.STDOUT, profile=args.profile
        )
        loop = asyncio.get_running_loop()
        watches: dict[int, ChatWatch] = {}
        stats = Stats()

        def on_call(call: ApiCall) -> None:
            if call.method not in ("sendMessage", "sendPhoto", "sendPoll"):
                return
            watch = watches.get(call.chat_id or 0)
            if watch is None:
                return

            def deliver() -> None:
                stats.messages += 1
                if not watch.expecting:
                    stats.unsolicited += 1
                watch.messages.append(call)
                watch.changed.set()

            try:
                loop.call_soon_threadsafe(deliver)
            except RuntimeError:  # the benchmark is over
                pass

        api.listeners.append(on_call)
        base = f"http://127.0.0.1:{port}"
        # Idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them under us.
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200, keepalive_expiry=2.0)
        try:
            async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
                for _ in range(600):
                    try:
                        if (await client.get("/healthz")).status_code == 200 and api.webhook:
                            break
                    except httpx.TransportError:
                        pass
                    if server.poll() is not None:
                        raise SystemExit("hocvuso serve exited")
                    await asyncio.sleep(0.1)
                health = (await client.get("/healthz")).json()
                rng = random.Random(7)
                questions = question_pool(args.questions, course)
                users = itertools.count(100_000)
                learners = []
                for _ in range(args.learners):
                    user = next(users)
                    watches[user] = ChatWatch()
                    learners.append(
                        Learner(user, api, watches[user], random.Random(rng.random()), args.question_share, questions)
                    )
                warmup = Stats()
                t_warm = time.perf_counter()
                gate = asyncio.Semaphore(50)
                if not args.burst_new:
                    await asyncio.gather(*(onboard(learner, client, warmup, gate) for learner in learners))
                warmup_s = time.perf_counter() - t_warm
                first_id = max_inbox_id(root / "data")
                cpu_before = cpu_seconds(server.pid)
                bench_cpu_before = time.process_time()
                interval = args.learners / args.rate
                start = loop.time() + 0.5
                end = start + args.duration
                t_run = time.perf_counter()
                runner = run_learner_open if args.mode == "open" else run_learner
                if args.burst_new:
                    await burst_new(learners, client, stats, args.rate)
                else:
                    await asyncio.gather(
                        *(
                            runner(
                                learner,
                                client,
                                stats,
                                start + i * interval / args.learners,
                                interval,
                                end,
                                args.retry_share,
                            )
                            for i, learner in enumerate(learners)
                        )
                    )
                run_s = time.perf_counter() - t_run
                memory = rss_mib(server.pid)
                drain_s = await drain(root / "data", args.drain_timeout)
                cpu_after = cpu_seconds(server.pid)
                bench_cpu = time.process_time() - bench_cpu_before
                server_cpu = cpu_after["server"] - cpu_before["server"]
                worker_cpu = sum(v - cpu_before.get(k, 0.0) for k, v in cpu_after.items() if k != "server")
                await asyncio.sleep(2.0)  # late duplicates would show up as unsolicited messages
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
            server_log.close()
            log_text = (root / "serve.log").read_text(encoding="utf-8", errors="replace")
            if not args.quiet or server.returncode not in (0, -15):
                print(log_text[-4000:], file=sys.stderr)
        counts = server_counts(root / "data", first_id)
        if args.keep_data:
            shutil.copytree(root, args.keep_data, dirs_exist_ok=True)  # database and server log
    closed_only = {
        "first_reply_ms": {
            "p50": round(percentile(stats.reply_ms, 50), 1),
            "p95": round(percentile(stats.reply_ms, 95), 1),
            "max": round(max(stats.reply_ms, default=float("nan")), 1),
        },
        "messages_after_reply_window": stats.unsolicited,
    }
    return {
        "burst_new": bool(args.burst_new),
        "learners": args.learners,
        "offered_rate": args.rate,
        "duration_s": args.duration,
        "cpu_count": os.cpu_count(),
        "bot_rate_limit_per_s": args.bot_rate_limit,
        "tutor_workers": args.workers,
        "tutor_processes": args.tutor_processes,
        "query_cache_size": args.query_cache_size,
        "questions": f"{args.questions} ({len(question_pool(args.questions, course))} different)",
        "course": str(course.relative_to(REPO) if course.is_relative_to(REPO) else course),
        "store": {k: health.get(k) for k in ("documents", "chunks")},
        "ingest_s": round(ingest_s, 1),
        "onboarding": {"updates": warmup.sent, "seconds": round(warmup_s, 1), "lost": warmup.lost},
        "mode": args.mode,
        "updates_sent": stats.sent,
        "updates_per_s": round(stats.sent / run_s, 1),
        "ack_ms": {
            "p50": round(percentile(stats.ack_ms, 50), 1),
            "p95": round(percentile(stats.ack_ms, 95), 1),
            "p99": round(percentile(stats.ack_ms, 99), 1),
            "max": round(max(stats.ack_ms, default=float("nan")), 1),
        },
        "drain_after_load_s": round(drain_s, 1),
        **(closed_only if args.mode == "closed" else {}),
        "cpu_ms_per_update": {
            "server_process": round(server_cpu * 1000 / max(stats.sent, 1), 1),
            "tutor_workers": round(worker_cpu * 1000 / max(stats.sent, 1), 1),
            "benchmark_and_fake_bot_api": round(bench_cpu * 1000 / max(stats.sent, 1), 1),
        },
        "load_average_after": [round(x, 1) for x in os.getloadavg()],
        "rss_mib_at_end_of_load": memory,
        "bot_messages": stats.messages,
        "lost": stats.lost
        if args.mode == "closed"
        else counts["inbox"].get("received", 0) + counts["inbox"].get("failed", 0),
        "duplicated": counts["processed_twice"] + stats.retries_not_duplicate,
        "retries_posted": stats.retries,
        "non_200": stats.bad_status,
        "server": counts,
    }


def inbox_contention() -> dict[str, dict[str, float]]:
    """Inbox record latency while two "tutor" writers keep the main SQLite file's write lock busy."""
    import threading

    from bot.inbox import Inbox, open_sqlite_inbox
    from hocvuso.migrate import upgrade_to_head
    from knowledge.db import make_engine, make_session_factory, transaction

    def run(root: Path, own_file: bool) -> dict[str, float]:
        engine = make_engine(f"sqlite:///{root / 'hocvuso.db'}")
        upgrade_to_head(engine)
        main = make_session_factory(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE IF NOT EXISTS busy (x INTEGER)"))
        inbox_engine, inbox_factory = open_sqlite_inbox(root / "inbox.db")
        inbox = Inbox(inbox_factory if own_file else main)
        stop = threading.Event()

        def tutor() -> None:
            while not stop.is_set():
                with transaction(main) as session:
                    session.execute(sa.text("INSERT INTO busy VALUES (1)"))
                    time.sleep(0.02)  # a turn's transaction: reads, grading, writes

        writers = [threading.Thread(target=tutor) for _ in range(2)]
        for writer in writers:
            writer.start()
        latencies = []
        t0 = time.monotonic()
        for i in range(300):
            time.sleep(max(0.0, t0 + i / 100 - time.monotonic()))
            started = time.monotonic()
            inbox.record("telegram", str(i), {"update_id": i})
            latencies.append((time.monotonic() - started) * 1000)
        stop.set()
        for writer in writers:
            writer.join()
        engine.dispose()
        inbox_engine.dispose()
        return {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
            "max": round(max(latencies), 1),
        }

    with tempfile.TemporaryDirectory() as same, tempfile.TemporaryDirectory() as own:
        return {"inbox_in_main_file_ms": run(Path(same), False), "inbox_in_own_file_ms": run(Path(own), True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--rate", type=float, default=100.0, help="updates per second offered, all learners")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--course", default=str(REPO / "knowledge" / "lessons"))
    parser.add_argument("--retry-share", type=float, default=0.05, help="share of updates posted twice")
    parser.add_argument("--bot-rate-limit", type=float, default=1000.0, help="telegram.max_messages_per_second")
    parser.add_argument("--workers", type=int, default=4, help="telegram.workers")
    parser.add_argument("--tutor-processes", type=int, default=0, help="telegram.tutor_processes")
    parser.add_argument("--question-share", type=float, default=0.2, help="share of free questions")
    parser.add_argument(
        "--questions",
        choices=("course", "fixed"),
        default="course",
        help="free questions: six fixed ones, or those plus every quiz question of the course",
    )
    parser.add_argument("--store", help="folder caching the ingested store between runs")
    parser.add_argument(
        "--mode",
        choices=("open", "closed"),
        default="open",
        help="open: post on schedule (independent people); closed: each learner waits for its answer",
    )
    parser.add_argument("--drain-timeout", type=float, default=600.0, help="seconds to wait for the backlog")
    parser.add_argument("--profile", help="run the server's main thread under cProfile, stats to this file")
    parser.add_argument("--json", dest="json_path", help="also write the result here")
    parser.add_argument("--query-cache-size", type=int, default=2048, help="search.query_cache_size")
    parser.add_argument("--keep-data", help="copy the server's data folder and log here after the run")
    parser.add_argument("--quiet", action="store_true", help="show the server's log only if it failed")
    parser.add_argument(
        "--burst-new",
        type=int,
        default=0,
        metavar="N",
        help="first day of a campaign: N new learners each send /start once at --rate (no onboarding)",
    )
    parser.add_argument("--inbox-contention", action="store_true", help="measure only the inbox store (see above)")
    args = parser.parse_args()
    if args.inbox_contention:
        print(json.dumps(inbox_contention(), indent=2))
        return
    if args.burst_new:
        args.learners, args.mode = args.burst_new, "open"
        args.duration = args.burst_new / args.rate
    result = asyncio.run(bench(args))
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json_path:
        Path(args.json_path).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
