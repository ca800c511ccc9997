"""The web chat's conversation history: kept server-side so that a reload restores the conversation.

One row per message shown in the page (what the learner sent, each reply as the page renders it),
keyed by the browser's learner id (the signed cookie's). Only a learner who agreed to the data
notice has a history; when the tutor no longer knows them as one (deleted their data, purged, never
agreed) the web chat forgets their history. The page renders rows with textContent only, as live
replies.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from knowledge.db import Base, transaction

MAX_HISTORY = 300  # messages kept per learner (older ones are dropped)
ROLES = ("me", "bot")


class WebChatMessageRow(Base):
    """One message of a web chat conversation: `role` me|bot, `body` as the page renders it."""

    __tablename__ = "webchat_messages"
    __table_args__ = (Index("ix_webchat_messages_user_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(8))
    turn: Mapped[str | None] = mapped_column(String(128), nullable=True)  # the client's message id
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebChatHistory:
    """Stores and reads each web learner's conversation (the bot's own table)."""

    def __init__(self, session_factory: sessionmaker[Session], max_messages: int = MAX_HISTORY) -> None:
        self._factory = session_factory
        self.max_messages = max_messages

    def add(
        self,
        user_id: str,
        messages: list[tuple[str, dict[str, Any]]],
        now: datetime | None = None,
        turn: str | None = None,
    ) -> None:
        """Append (role, body) messages in order and drop what is past `max_messages`.

        `turn` (the client's message id) keeps a retried turn, answered again, from being kept twice."""
        if not messages:
            return
        at = now or datetime.now(UTC)
        with transaction(self._factory) as session:
            if turn is not None:
                seen = select(WebChatMessageRow.id).where(
                    WebChatMessageRow.user_id == user_id, WebChatMessageRow.turn == turn
                )
                if session.execute(seen.limit(1)).first() is not None:
                    return
            for role, body in messages:
                if role not in ROLES:
                    raise ValueError(f"unknown role {role!r}")
                session.add(WebChatMessageRow(user_id=user_id, role=role, turn=turn, body=body, at=at))
            session.flush()
            count = session.execute(
                select(func.count()).select_from(WebChatMessageRow).where(WebChatMessageRow.user_id == user_id)
            ).scalar_one()
            if count > self.max_messages:
                keep_from = session.execute(
                    select(WebChatMessageRow.id)
                    .where(WebChatMessageRow.user_id == user_id)
                    .order_by(WebChatMessageRow.id.desc())
                    .offset(self.max_messages - 1)
                    .limit(1)
                ).scalar_one()
                session.execute(
                    delete(WebChatMessageRow).where(
                        WebChatMessageRow.user_id == user_id, WebChatMessageRow.id < keep_from
                    )
                )

    def recent(self, user_id: str) -> list[dict[str, Any]]:
        """The learner's messages, oldest first: {"role": ..., **body}."""
        with self._factory() as session:
            rows = session.execute(
                select(WebChatMessageRow.role, WebChatMessageRow.body)
                .where(WebChatMessageRow.user_id == user_id)
                .order_by(WebChatMessageRow.id)
            ).all()
        return [{**body, "role": role} for role, body in rows]

    def forget(self, user_id: str) -> int:
        """Delete the learner's whole history; returns how many messages were removed."""
        with transaction(self._factory) as session:
            result = session.execute(delete(WebChatMessageRow).where(WebChatMessageRow.user_id == user_id))
            return int(getattr(result, "rowcount", 0) or 0)


def export_rows(session: Session, user_id: str) -> list[dict[str, Any]]:
    """A web learner's history rows, JSON-ready, on the caller's session (for data-rights exports)."""
    rows = session.scalars(
        select(WebChatMessageRow).where(WebChatMessageRow.user_id == user_id).order_by(WebChatMessageRow.id)
    )
    return [{"role": r.role, "body": r.body, "at": r.at.isoformat() if r.at else None} for r in rows]


def delete_rows(session: Session, user_id: str) -> None:
    """Delete a web learner's history on the caller's session (for data-rights deletion)."""
    session.execute(delete(WebChatMessageRow).where(WebChatMessageRow.user_id == user_id))
