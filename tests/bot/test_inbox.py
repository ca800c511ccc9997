"""The channel inbox and delivery log on real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.bot.telegram_helpers import Repos, make_repos


@pytest.fixture
def repos(database_url: str) -> Iterator[Repos]:
    built, engine = make_repos(database_url)
    yield built
    engine.dispose()


def test_record_is_deduplicated_per_channel(repos: Repos) -> None:
    inbox = repos.inbox
    assert inbox.record("telegram", "1", {"update_id": 1, "message": {"text": "chào"}})
    assert not inbox.record("telegram", "1", {"update_id": 1})
    assert inbox.record("zalo", "1", {"msg_id": "1"})  # another channel, same id: different update
    assert [i.external_id for i in inbox.pending("telegram")] == ["1"]
    assert inbox.pending("telegram")[0].payload["message"]["text"] == "chào"


def test_processed_rows_keep_dedup_but_drop_the_message(repos: Repos) -> None:
    inbox = repos.inbox
    inbox.record("telegram", "7", {"update_id": 7, "message": {"text": "số điện thoại của tôi"}})
    inbox.record("telegram", "8", {"update_id": 8})
    inbox.mark_processed("telegram", "7")
    inbox.mark_failed("telegram", "8", "RuntimeError")
    assert inbox.pending("telegram") == []
    assert inbox.counts("telegram") == {"processed": 1, "failed": 1}
    assert not inbox.record("telegram", "7", {"update_id": 7})
    with repos.session_factory() as session:
        from bot.models import InboxRow

        row = session.query(InboxRow).filter_by(external_id="7").one()
        assert row.payload == {} and row.attempts == 1
    assert inbox.purge(timedelta(days=1)) == 0
    assert inbox.purge(timedelta(seconds=-1)) == 2


def test_concurrent_retries_record_once(repos: Repos) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def deliver() -> None:
        barrier.wait()
        results.append(repos.inbox.record("telegram", "42", {"update_id": 42}))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]
