"""The SQLite write gate: writers of one file queue on an OS lock instead of SQLite's busy handler."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from knowledge.db import make_engine, make_session_factory, transaction

pytest.importorskip("fcntl")  # the gate is an flock: POSIX only


def _make_table(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, who TEXT)"))
    engine.dispose()


def _hold_write(path: str, started: object, seconds: float) -> None:
    """In another process: a write transaction that keeps the database locked for `seconds`."""
    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        session.execute(text("INSERT INTO t (who) VALUES ('holder')"))
        started.set()  # type: ignore[attr-defined]
        time.sleep(seconds)
    engine.dispose()


def test_writer_waits_for_another_process_beyond_the_busy_timeout(tmp_path: Path) -> None:
    """A 100 ms busy timeout would fail against a 1 s writer; queued on the gate, the write waits
    and then goes through (and lands after the holder's)."""
    db = tmp_path / "gate.db"
    _make_table(db)
    context = multiprocessing.get_context("spawn")
    started = context.Event()
    holder = context.Process(target=_hold_write, args=(str(db), started, 1.0))
    holder.start()
    try:
        assert started.wait(60)
        engine = make_engine(f"sqlite:///{db}", busy_timeout_ms=100)
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            session.execute(text("INSERT INTO t (who) VALUES ('waiter')"))
        with engine.connect() as conn:
            order = [row[0] for row in conn.execute(text("SELECT who FROM t ORDER BY id"))]
        engine.dispose()
    finally:
        holder.join(30)
    assert holder.exitcode == 0
    assert order == ["holder", "waiter"]


def test_gate_is_released_after_a_rollback(tmp_path: Path) -> None:
    db = tmp_path / "gate.db"
    _make_table(db)
    engine = make_engine(f"sqlite:///{db}", busy_timeout_ms=100)
    factory = make_session_factory(engine)
    with pytest.raises(RuntimeError), transaction(factory) as session:
        session.execute(text("INSERT INTO t (who) VALUES ('lost')"))
        raise RuntimeError("crash inside a transaction")
    other = make_engine(f"sqlite:///{db}", busy_timeout_ms=100)
    with transaction(make_session_factory(other)) as session:
        session.execute(text("INSERT INTO t (who) VALUES ('next')"))
    with other.connect() as conn:
        assert [row[0] for row in conn.execute(text("SELECT who FROM t"))] == ["next"]
    engine.dispose()
    other.dispose()


def test_second_connection_in_the_same_thread_does_not_deadlock(tmp_path: Path) -> None:
    """Holding the gate and opening another write on the same file in the same thread fails after
    the busy timeout (a programming error) instead of hanging forever."""
    db = tmp_path / "gate.db"
    _make_table(db)
    engine = make_engine(f"sqlite:///{db}", busy_timeout_ms=100)
    factory = make_session_factory(engine)
    started = time.monotonic()
    with transaction(factory) as outer:
        outer.execute(text("INSERT INTO t (who) VALUES ('outer')"))
        with pytest.raises(OperationalError, match="locked"), transaction(factory) as inner:
            inner.execute(text("INSERT INTO t (who) VALUES ('inner')"))
    assert time.monotonic() - started < 30
    with transaction(factory) as session:  # and the gate is free again
        session.execute(text("INSERT INTO t (who) VALUES ('after')"))
    engine.dispose()


def test_two_engines_on_one_file_in_one_thread_do_not_deadlock(tmp_path: Path) -> None:
    """Engines on the same file share the process's gate: a nested write through a second engine
    meets SQLite's busy timeout instead of waiting for a gate its own thread holds."""
    db = tmp_path / "gate.db"
    _make_table(db)
    first = make_engine(f"sqlite:///{db}", busy_timeout_ms=100)
    second = make_engine(f"sqlite:///{db}", busy_timeout_ms=100)
    with transaction(make_session_factory(first)) as outer:
        outer.execute(text("INSERT INTO t (who) VALUES ('outer')"))
        with pytest.raises(OperationalError, match="locked"), transaction(make_session_factory(second)) as inner:
            inner.execute(text("INSERT INTO t (who) VALUES ('inner')"))
    with transaction(make_session_factory(second)) as session:
        session.execute(text("INSERT INTO t (who) VALUES ('after')"))
    first.dispose()
    second.dispose()
