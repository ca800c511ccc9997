"""The relational database: one declarative Base for every table, and engine construction.

SQLite (the default) gets WAL, foreign keys and a busy timeout on every connection so that a
web worker, a bot worker and an ingestion can share one file, and its writers queue on a file lock
(`SqliteWriteGate`). PostgreSQL is used as is.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:  # POSIX; elsewhere writers fall back to SQLite's own busy handler
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base shared by the knowledge manifest and the tutor's tables."""

    metadata = MetaData(naming_convention=NAMING)


class SqliteWriteGate:
    """Queues the writers of one SQLite file, across threads and processes, on an OS file lock.

    A SQLite writer that finds the database locked sleeps and retries (1, 2, 5, ... 100 ms); while
    other processes write back to back it can starve for seconds: a webhook waiting to record an
    update would then answer late. A blocking `flock` instead wakes the next writer the moment the
    lock is free. Every transaction takes the gate at BEGIN and gives it back when its connection
    returns to the pool (after COMMIT or ROLLBACK); the kernel drops it if a process dies.

    A thread already holding the gate through one connection does not wait for it again through
    another (that would deadlock); the second connection meets SQLite's busy timeout instead.
    """

    def __init__(self, path: Path) -> None:
        self._path = path.with_name(path.name + ".writelock")
        self._mutex = threading.Lock()  # flock is per open file: threads of a process queue here
        self._fd: int | None = None
        self._pid = 0
        self._owner: int | None = None  # thread id holding the gate

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def acquire(self) -> bool:
        """Wait for the gate; False (nothing taken) when this thread holds it already."""
        if fcntl is None or self._owner == threading.get_ident():
            return False
        self._mutex.acquire()
        try:
            fcntl.flock(self._file(), fcntl.LOCK_EX)
        except BaseException:
            self._mutex.release()
            raise
        self._owner = threading.get_ident()
        return True

    def release(self) -> None:
        """Give the gate back (called once for each True `acquire`)."""
        self._owner = None
        try:
            if fcntl is not None and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._mutex.release()


_GATE_KEY = "hocvuso_write_gate"
# One gate per database file and process, shared by every engine on that file: a thread holding
# it through one engine must not wait for it through another (that would never end).
_GATES: dict[Path, SqliteWriteGate] = {}
_GATES_LOCK = threading.Lock()


def _gate_for(path: Path) -> SqliteWriteGate:
    with _GATES_LOCK:
        gate = _GATES.get(path)
        if gate is None:
            gate = _GATES[path] = SqliteWriteGate(path)
        return gate


def make_engine(url: str, *, echo: bool = False, busy_timeout_ms: int = 5000) -> Engine:
    """Create an engine; for SQLite, create the parent folder and set per-connection pragmas."""
    if url.startswith("sqlite"):
        db_path = url.split("///", 1)[-1]
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            # Let SQLAlchemy's "begin" event own BEGIN (pysqlite would defer it otherwise).
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        gate = _gate_for(Path(db_path).resolve()) if db_path and db_path != ":memory:" else None

        # Take the write lock at BEGIN so two writers queue instead of failing on upgrade.
        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
            info = conn.connection.info if gate is not None else None
            if gate is not None and info is not None and not info.get(_GATE_KEY) and gate.acquire():
                info[_GATE_KEY] = True
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _release_gate(gate, info)
                raise

        if gate is not None:

            @event.listens_for(engine, "checkin")
            def _sqlite_checkin(_dbapi_conn, record) -> None:  # type: ignore[no-untyped-def]
                _release_gate(gate, record.info if record is not None else None)

            @event.listens_for(engine, "invalidate")
            def _sqlite_invalidate(_dbapi_conn, record, _exc) -> None:  # type: ignore[no-untyped-def]
                _release_gate(gate, record.info if record is not None else None)

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, future=True)


def _release_gate(gate: SqliteWriteGate | None, info: dict[str, Any] | None) -> None:
    if gate is not None and info is not None and info.pop(_GATE_KEY, False):
        gate.release()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits together or not at all."""
    with factory() as session, session.begin():
        yield session
