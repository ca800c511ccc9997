"""Secret files: created once, private, and the same for processes that start together."""

from __future__ import annotations

import multiprocessing
import secrets
import stat
import time
from pathlib import Path

from hocvuso.container import Container
from hocvuso.secret_files import stored_secret
from tests.conftest import make_settings

PROCESSES = 6
KEYS = 40


def _slow_secret() -> str:
    """A generator that returns on the next 20 ms tick of the clock, so that the processes creating
    the same key all try to publish it at the same instant."""
    time.sleep(0.02 - time.time() % 0.02)
    return secrets.token_urlsafe(32)


def _race(folder: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    """One process: wait for the others, then read-or-create every key."""
    barrier.wait(timeout=120)
    results.put([stored_secret(Path(folder) / f"k{i}.key", _slow_secret) for i in range(KEYS)])


def test_processes_starting_together_end_up_with_the_same_secrets(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [context.Process(target=_race, args=(str(tmp_path), barrier, results)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    seen = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    on_disk = [(tmp_path / f"k{i}.key").read_text(encoding="utf-8").strip() for i in range(KEYS)]
    assert all(values == on_disk for values in seen), "two processes got different secrets"
    assert len(set(on_disk)) == KEYS and all(len(value) >= 40 for value in on_disk)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"k{i}.key" for i in range(KEYS))  # no temp left
    assert all(stat.S_IMODE((tmp_path / f"k{i}.key").stat().st_mode) == 0o600 for i in range(KEYS))


def test_an_existing_secret_is_kept_and_the_generator_is_used_once(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "web.key"
    calls: list[int] = []

    def generate() -> str:
        calls.append(1)
        return "first-value"

    assert stored_secret(path, generate) == "first-value"
    assert stored_secret(path, generate) == "first-value"
    assert calls == [1]


def test_cookie_and_webhook_secrets_live_in_the_data_dir(data_dir: Path) -> None:
    container = Container(make_settings(data_dir))
    cookie = container.cookie_secret
    webhook = container.telegram_webhook_secret()
    assert cookie != webhook.encode("utf-8")
    again = Container(make_settings(data_dir))
    assert again.cookie_secret == cookie and again.telegram_webhook_secret() == webhook
    for name in (
        "cookie.key",
        "telegram_webhook.key",
    ):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600
