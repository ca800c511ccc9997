"""Per-address limits of the web chat.

A browser without a cookie is a new learner; without a limit one address could make thousands a
minute (each kept until the retention purge), and dropping the cookie would give a fresh per-learner
quota.

- `SharedAddressLimiter` (new learners per address and minute): counted in the database, one row
  per address and minute, so every worker process sharing the database shares the quota and a
  restart does not reset it. The address is stored only as a keyed hash (HMAC with the cookie key),
  and rows older than a few minutes are deleted. One small upsert per new learner (a new learner's
  first turn writes far more); a database error falls back to counting in this process.
- `AddressLimiter` (every message per address): a sliding one-minute window in this process's
  memory, so that no message pays a database write; with several worker processes each counts its
  own share (the limit is per process, explicitly).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from sqlalchemy import Integer, String, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from knowledge.db import Base, transaction

log = logging.getLogger(__name__)

MAX_ADDRESSES = 50_000
KEEP_MINUTES = 3  # minutes of counts kept (the current one is all that is read)


class AddressMinuteRow(Base):
    """How many new web learners one address (keyed hash) made in one minute."""

    __tablename__ = "webchat_address_minutes"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True)  # unix time // 60
    count: Mapped[int] = mapped_column(Integer)


class AddressLimiter:
    """At most `limit` events per address per `window_s` seconds (0: no limit), in this process."""

    def __init__(self, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, address: str) -> bool:
        """Count one event of `address`; False (not counted) when it is over the limit."""
        if self.limit <= 0:
            return True
        now = self._clock()
        events = self._events.pop(address, None) or deque()
        while events and events[0] <= now - self.window_s:
            events.popleft()
        allowed = len(events) < self.limit
        if allowed:
            events.append(now)
        self._events[address] = events
        while len(self._events) > MAX_ADDRESSES:
            self._events.popitem(last=False)
        return allowed

    def __len__(self) -> int:
        return len(self._events)


class SharedAddressLimiter:
    """At most `limit` events per address per clock minute (0: no limit), counted in the database.

    `allow` blocks on the database: call it from a thread (`asyncio.to_thread`).
    """

    def __init__(
        self,
        limit: int,
        session_factory: sessionmaker[Session],
        key: bytes,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self._sessions = session_factory
        self._key = key
        self._clock = clock
        self._fallback = AddressLimiter(limit)
        self._swept_minute = -1

    def address_hash(self, address: str) -> str:
        """The address as stored: a keyed hash (no raw IP in the database)."""
        return hmac.new(self._key, address.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:40]

    def allow(self, address: str) -> bool:
        """Count one event of `address` in the current minute; False when it is over the limit."""
        if self.limit <= 0:
            return True
        minute = int(self._clock() // 60)
        try:
            return self._count(self.address_hash(address), minute) <= self.limit
        except Exception as exc:  # the database is busy or down: count in this process meanwhile
            log.warning("web chat: new-learner limit counted in memory (%s)", type(exc).__name__)
            return self._fallback.allow(address)

    def _count(self, hashed: str, minute: int) -> int:
        with transaction(self._sessions) as session:
            dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            statement = dialect.insert(AddressMinuteRow).values(address=hashed, minute=minute, count=1)
            count = session.scalar(
                statement.on_conflict_do_update(
                    index_elements=["address", "minute"], set_={"count": AddressMinuteRow.count + 1}
                ).returning(AddressMinuteRow.count)
            )
            if minute != self._swept_minute:  # once a minute per process: old counts go
                session.execute(delete(AddressMinuteRow).where(AddressMinuteRow.minute < minute - KEEP_MINUTES + 1))
                self._swept_minute = minute
        return int(count or 0)
