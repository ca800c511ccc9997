"""Telegram bookkeeping: quiz polls we sent, so a poll answer maps back to the tutor's payload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from bot.models import TelegramPollRow
from knowledge.db import transaction


@dataclass(frozen=True)
class PollRecord:
    """A quiz poll sent to a chat: the item it asks and each choice's payload."""

    poll_id: str
    chat_id: str
    item_id: str
    choice_payloads: tuple[str, ...]


class PollStore:
    """Repository of sent quiz polls (poll id → item and choice payloads)."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def save(self, poll_id: str, chat_id: str, item_id: str, choice_payloads: tuple[str, ...]) -> None:
        """Remember a poll just sent."""
        with transaction(self._factory) as session:
            session.merge(
                TelegramPollRow(
                    poll_id=poll_id,
                    chat_id=chat_id,
                    item_id=item_id,
                    choice_payloads=list(choice_payloads),
                    created_at=datetime.now(UTC),
                )
            )

    def get(self, poll_id: str) -> PollRecord | None:
        """The poll with this id, or None (unknown or purged)."""
        with self._factory() as session:
            row = session.get(TelegramPollRow, poll_id)
            if row is None:
                return None
            return PollRecord(row.poll_id, row.chat_id, row.item_id, tuple(row.choice_payloads))

    def purge(self, older_than: timedelta) -> int:
        """Forget polls sent more than `older_than` ago; return how many."""
        cutoff = datetime.now(UTC) - older_than
        with transaction(self._factory) as session:
            result = session.execute(delete(TelegramPollRow).where(TelegramPollRow.created_at < cutoff))
            return int(getattr(result, "rowcount", 0) or 0)  # a CursorResult for DELETE
