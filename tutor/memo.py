"""What a learner wrote before consenting, kept in this process's memory only (never in the database).

Before «Đồng ý» nothing of a learner's message may be stored, yet a newcomer's first message is often
a goal ("tôi muốn học cách tránh bị lừa đảo") or a question. It is kept here, keyed by channel and
user, for `ttl` and at most `limit` users, and acted on right after consent (the question answered,
the goal's topic opened once the profile is done). If the process restarts, or another process
handles the consent tap, it is simply gone and the learner asks again: a deliberate trade-off for
storing nothing before consent.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Remembered:
    """A question or a topic goal written before consent."""

    kind: str  # "question" | "goal"
    text: str  # the question, or the topic words of the goal
    at: datetime


class PreConsentMemo:
    """A small, bounded, expiring in-memory map (channel, user) → what they wrote before consent."""

    def __init__(self, ttl: timedelta = timedelta(minutes=30), limit: int = 5000) -> None:
        self._ttl = ttl
        self._limit = limit
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, str], Remembered] = OrderedDict()

    def keep(self, channel: str, user_id: str, item: Remembered) -> None:
        """Remember `item` for this user (the latest one wins); the oldest entries go past `limit`."""
        with self._lock:
            self._items.pop((channel, user_id), None)
            self._items[(channel, user_id)] = item
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def take(self, channel: str, user_id: str, now: datetime) -> Remembered | None:
        """What this user wrote before consent (removed from memory), unless it has expired."""
        with self._lock:
            item = self._items.pop((channel, user_id), None)
        return item if item is not None and now - item.at <= self._ttl else None

    def forget(self, channel: str, user_id: str) -> None:
        """Drop what this user wrote (e.g. their data was deleted)."""
        with self._lock:
            self._items.pop((channel, user_id), None)
