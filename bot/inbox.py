"""Channel bookkeeping: the durable inbox of received updates.

It is channel-agnostic (the `channel` argument is "telegram", "zalo", ...). The composition
root hands it to the channels.

The inbox has a store of its own (`open_sqlite_inbox`) when the main database is SQLite: recording
an update before acknowledging it then never queues behind the tutor's transactions on the main
file's one write lock (a burst of new learners would otherwise wait hundreds of milliseconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.models import INBOX_FAILED, INBOX_PROCESSED, INBOX_RECEIVED, InboxRow
from knowledge.db import make_engine, make_session_factory, transaction


def _now() -> datetime:
    return datetime.now(UTC)


def open_sqlite_inbox(path: Path, *, busy_timeout_ms: int = 5000) -> tuple[Engine, sessionmaker[Session]]:
    """The inbox's own SQLite file (created with its table on first use), with its own write lock.

    Only `channel_inbox` lives there; returns (engine, session factory) — dispose the engine after.
    """
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=busy_timeout_ms)
    InboxRow.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
    return engine, make_session_factory(engine)


@dataclass(frozen=True)
class InboxItem:
    """A received update still waiting to be processed."""

    id: int
    channel: str
    external_id: str
    payload: dict[str, Any]
    attempts: int


class Inbox:
    """Durable, deduplicating inbox of updates received from a channel's webhook or poller.

    Use it in three steps:

    1. `record(channel, external_id, payload)` as soon as an update arrives, *before* it is
       acknowledged: it commits the row and returns True, or returns False when that
       (channel, external_id) was recorded before — a platform retry to acknowledge and ignore.
       The check is atomic (a unique constraint), so two workers receiving the same retry at
       once cannot both get True. `external_id` is the platform's own id: Telegram's
       `update_id`, Zalo's `message.msg_id` (or another stable event id).
    2. After the work is done: `mark_processed(channel, external_id)` (the payload, which holds
       the learner's message, is cleared; the row stays for deduplication), or
       `mark_failed(channel, external_id, error)` with a short error label (never the message).
    3. On start: `pending(channel)` returns rows left `received` by a crash, oldest first, to
       process again. The tutor deduplicates on the Inbound message id, so replaying an update
       whose replies were already sent does not answer twice.

    `purge(older_than)` deletes processed and failed rows older than the platform's retry window.
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def record(self, channel: str, external_id: str, payload: dict[str, Any]) -> bool:
        """Store a received update; False if (channel, external_id) was seen before."""
        return self.record_many(channel, [(external_id, payload)])[0]

    def record_many(self, channel: str, items: list[tuple[str, dict[str, Any]]]) -> list[bool]:
        """Store several updates in one transaction (one commit); for each, True if it is new.

        A webhook under load hands its updates over in batches so that acknowledging costs one
        write lock per batch, not per update. An id repeated inside the batch is new only once.
        """
        if not items:
            return []
        now = _now()
        with transaction(self._factory) as session:
            dialect = session.get_bind().dialect.name
            if dialect in ("sqlite", "postgresql"):
                return [self._insert_ignore(session, dialect, channel, eid, data, now) for eid, data in items]
        return [self._insert_or_false(channel, eid, data, now) for eid, data in items]

    @staticmethod
    def _insert_ignore(
        session: Session, dialect: str, channel: str, external_id: str, payload: dict[str, Any], now: datetime
    ) -> bool:
        from sqlalchemy.dialects import postgresql, sqlite

        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        statement = (
            insert(InboxRow)
            .values(
                channel=channel,
                external_id=external_id,
                payload=payload,
                status=INBOX_RECEIVED,
                attempts=0,
                received_at=now,
            )
            .on_conflict_do_nothing(index_elements=["channel", "external_id"])
            .returning(InboxRow.id)
        )
        return session.execute(statement).scalar() is not None

    def _insert_or_false(self, channel: str, external_id: str, payload: dict[str, Any], now: datetime) -> bool:
        try:
            with transaction(self._factory) as session:
                session.add(
                    InboxRow(
                        channel=channel,
                        external_id=external_id,
                        payload=payload,
                        status=INBOX_RECEIVED,
                        attempts=0,
                        received_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def pending(self, channel: str, limit: int = 10_000) -> list[InboxItem]:
        """Updates of `channel` recorded but not yet processed (nor failed), oldest first."""
        with self._factory() as session:
            rows = session.scalars(
                select(InboxRow)
                .where(InboxRow.channel == channel, InboxRow.status == INBOX_RECEIVED)
                .order_by(InboxRow.id)
                .limit(limit)
            ).all()
            return [InboxItem(r.id, r.channel, r.external_id, dict(r.payload), r.attempts) for r in rows]

    def mark_processed(self, channel: str, external_id: str) -> None:
        """The update was handled: clear its payload, keep the row so retries stay deduplicated."""
        self.mark_processed_many(channel, [external_id])

    def mark_processed_many(self, channel: str, external_ids: list[str]) -> None:
        """`mark_processed` for several updates in one transaction."""
        if not external_ids:
            return
        with transaction(self._factory) as session:
            session.execute(
                update(InboxRow)
                .where(InboxRow.channel == channel, InboxRow.external_id.in_(external_ids))
                .values(
                    status=INBOX_PROCESSED, error=None, processed_at=_now(), payload={}, attempts=InboxRow.attempts + 1
                )
            )

    def mark_failed(self, channel: str, external_id: str, error: str) -> None:
        """The update could not be handled; `error` is a short label (an exception type), no data."""
        self._finish(channel, external_id, INBOX_FAILED, error[:200], clear_payload=False)

    def status(self, channel: str, external_id: str) -> str | None:
        """The row's status, or None when the update was never recorded."""
        with self._factory() as session:
            return session.scalar(
                select(InboxRow.status).where(InboxRow.channel == channel, InboxRow.external_id == external_id)
            )

    def counts(self, channel: str) -> dict[str, int]:
        """Number of rows of `channel` per status."""
        with self._factory() as session:
            rows = session.execute(
                select(InboxRow.status, func.count()).where(InboxRow.channel == channel).group_by(InboxRow.status)
            ).all()
        return {status: int(count) for status, count in rows}

    def rows_of_user(self, channel: str, user_id: str) -> list[dict[str, Any]]:
        """The rows of `channel` whose stored update is about `user_id` (processed rows hold no
        update any more), JSON-ready."""
        return [_row_dict(row) for row in self._user_rows(channel, user_id)]

    def forget_user(self, channel: str, user_id: str) -> int:
        """Delete the rows of `channel` whose stored update is about `user_id`; returns how many."""
        ids = [row.id for row in self._user_rows(channel, user_id)]
        if not ids:
            return 0
        with transaction(self._factory) as session:
            session.execute(delete(InboxRow).where(InboxRow.id.in_(ids)))
        return len(ids)

    def _user_rows(self, channel: str, user_id: str) -> list[InboxRow]:
        with self._factory() as session:
            rows = session.scalars(
                select(InboxRow).where(InboxRow.channel == channel, InboxRow.status != INBOX_PROCESSED)
            ).all()
            # A processed row keeps only its id, which names the user for events without a
            # message id (Zalo's "follow:<user>:<timestamp>").
            named = session.scalars(
                select(InboxRow).where(
                    InboxRow.channel == channel,
                    InboxRow.status == INBOX_PROCESSED,
                    InboxRow.external_id.like(f"%:{_escape_like(user_id)}:%", escape="\\"),
                )
            ).all()
            session.expunge_all()
        return [row for row in rows if user_id in users_in(row.payload)] + list(named)

    def purge(self, older_than: timedelta) -> int:
        """Delete processed/failed rows received more than `older_than` ago; return how many."""
        cutoff = _now() - older_than
        with transaction(self._factory) as session:
            result = session.execute(
                delete(InboxRow).where(
                    InboxRow.status.in_((INBOX_PROCESSED, INBOX_FAILED)),
                    InboxRow.received_at < cutoff,
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)  # a CursorResult for DELETE

    def _finish(self, channel: str, external_id: str, status: str, error: str | None, *, clear_payload: bool) -> None:
        values: dict[str, Any] = {
            "status": status,
            "error": error,
            "processed_at": _now(),
            "attempts": InboxRow.attempts + 1,
        }
        if clear_payload:
            values["payload"] = {}
        with transaction(self._factory) as session:
            session.execute(
                update(InboxRow)
                .where(InboxRow.channel == channel, InboxRow.external_id == external_id)
                .values(**values)
            )


_USER_KEYS = ("from", "user", "chat", "sender", "follower")


def users_in(payload: Any, depth: int = 0) -> set[str]:
    """The user ids a stored update mentions (Telegram `from`/`chat`/`user`, Zalo `sender`/`follower`)."""
    found: set[str] = set()
    if not isinstance(payload, dict) or depth > 3:
        return found
    for key, value in payload.items():
        if key in _USER_KEYS and isinstance(value, dict) and value.get("id") is not None:
            found.add(str(value["id"]))
        if isinstance(value, dict):
            found |= users_in(value, depth + 1)
    return found


def _row_dict(row: InboxRow) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in InboxRow.__table__.columns:
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
