"""Tables owned by the channels: their own bookkeeping, never learner state (that is the tutor's).

- `channel_inbox`: every update a channel received (Telegram updates, Zalo events), recorded before
  the webhook is acknowledged; the unique (channel, external_id) pair deduplicates retries.
- `telegram_polls`: a Telegram quiz poll we sent → the tutor's payload for each choice, so that a
  poll answer can be turned back into a button press.
- `channel_deliveries`: no longer written (reminders are claimed once in the tutor's database, see
  `TutorPort.due_reminders`); kept until a migration drops the table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.db import Base

INBOX_RECEIVED = "received"
INBOX_PROCESSED = "processed"
INBOX_FAILED = "failed"


class InboxRow(Base):
    """One update received from a channel, stored durably before it is acknowledged."""

    __tablename__ = "channel_inbox"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_channel_inbox_channel_external"),
        Index("ix_channel_inbox_channel_status", "channel", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))  # Telegram update_id, Zalo msg_id
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=INBOX_RECEIVED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # exception type only, no data
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TelegramPollRow(Base):
    """A quiz poll sent to a learner: which item it asks and the payload of each choice."""

    __tablename__ = "telegram_polls"

    poll_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[str] = mapped_column(String(200))
    choice_payloads: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class DeliveryRow(Base):
    """Legacy: a proactive message sent to a user on a given local day (no longer written)."""

    __tablename__ = "channel_deliveries"
    __table_args__ = (UniqueConstraint("channel", "user_id", "kind", "day", name="uq_channel_deliveries_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD in the tutor's time zone
    status: Mapped[str] = mapped_column(String(16))  # claimed | sent | blocked | failed | empty
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


import bot.flood  # noqa: E402,F401  (the web chat's shared new-learner counts, for Alembic too)
import bot.webchat_history  # noqa: E402,F401  (the web chat history table, for Alembic too)
import bot.zalo_models  # noqa: E402,F401  (Zalo's tables, so Alembic's metadata holds them too)
