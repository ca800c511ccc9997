"""The channels' side of the learner's data rights (`tutor.messages.ChannelDataPort`).

Every table a channel keeps that may hold something about a channel user is listed in `TABLES`
and covered here, for export and for deletion (a test lists all tables and checks this list):

- `channel_inbox`: received updates not yet processed (or failed) still hold the message and the
  sender's name — in its own store (`Inbox`), often another SQLite file;
- `zalo_users`: a follower's reply window and the buttons last shown;
- `telegram_polls`: quiz polls sent to a chat;
- `channel_deliveries`: legacy reminder bookkeeping (no longer written);
- `webchat_messages`: the web chat's conversation history (restored after a reload).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import webchat_history
from bot.inbox import Inbox
from bot.models import DeliveryRow, TelegramPollRow
from bot.zalo_models import ZaloUserRow

TABLES: tuple[str, ...] = ("channel_inbox", "zalo_users", "telegram_polls", "channel_deliveries", "webchat_messages")


class ChannelPersonalData:
    """Export and delete what the channels store about one channel user."""

    tables: tuple[str, ...] = TABLES

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    def export_user(self, session: Session, channel: str, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every channel row about this user, per table (empty tables left out)."""
        out: dict[str, list[dict[str, Any]]] = {"channel_inbox": self._inbox.rows_of_user(channel, user_id)}
        if channel == "zalo":
            out["zalo_users"] = [_row(r) for r in session.scalars(select(ZaloUserRow).where(_zalo(user_id)))]
        if channel == "telegram":
            out["telegram_polls"] = [_row(r) for r in session.scalars(select(TelegramPollRow).where(_poll(user_id)))]
        deliveries = select(DeliveryRow).where(_delivery(channel, user_id))
        out["channel_deliveries"] = [_row(r) for r in session.scalars(deliveries)]
        if channel == "web":
            out["webchat_messages"] = webchat_history.export_rows(session, user_id)
        return {table: rows for table, rows in out.items() if rows}

    def delete_user(self, session: Session, channel: str, user_id: str) -> None:
        """Delete every channel row about this user (the inbox in its own store)."""
        if channel == "zalo":
            session.execute(delete(ZaloUserRow).where(_zalo(user_id)))
        if channel == "telegram":
            session.execute(delete(TelegramPollRow).where(_poll(user_id)))
        session.execute(delete(DeliveryRow).where(_delivery(channel, user_id)))
        if channel == "web":
            webchat_history.delete_rows(session, user_id)
        self._inbox.forget_user(channel, user_id)


def _zalo(user_id: str) -> Any:
    return ZaloUserRow.user_id == user_id


def _poll(user_id: str) -> Any:
    return TelegramPollRow.chat_id == user_id


def _delivery(channel: str, user_id: str) -> Any:
    return (DeliveryRow.channel == channel) & (DeliveryRow.user_id == user_id)


def _row(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime) else value
    return out
