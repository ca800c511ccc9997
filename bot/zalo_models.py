"""Tables owned by the Zalo channel: the OA token pair and per-follower bookkeeping.

- `zalo_tokens`: the current access/refresh token pair of the Official Account (one row, key "oa").
  Zalo's refresh token is single-use, so every refresh replaces the pair under a row lock, and the
  new pair is committed before it is used.
- `zalo_users`: per follower, when they last wrote (Zalo's free 48-hour reply window), how many
  messages we sent since (8 are free), and the labels of the buttons we last showed them (an
  `oa.query.show` button comes back as the label's text; the label maps back to the tutor's payload).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.db import Base


class ZaloTokenRow(Base):
    """The OA's current token pair (secrets: never logged)."""

    __tablename__ = "zalo_tokens"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)  # "oa"
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)  # +1 per refresh
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ZaloUserRow(Base):
    """A Zalo follower's reply window and last buttons (no message text is kept)."""

    __tablename__ = "zalo_users"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_user_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_since: Mapped[int] = mapped_column(Integer, default=0)  # messages sent since last_user_at
    buttons: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # label key -> payload
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
