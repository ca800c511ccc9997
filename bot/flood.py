"""Per-address limits of the web chat: a sliding one-minute window per client address.

A browser without a cookie is a new learner; without a limit one address could make thousands a
minute (each kept until the retention purge), and dropping the cookie would give a fresh per-learner
quota. `AddressLimiter` counts events per address in the last `window_s` seconds; the table of
addresses is bounded (the least recently seen are forgotten first).
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_ADDRESSES = 50_000


class AddressLimiter:
    """At most `limit` events per address per `window_s` seconds (0: no limit)."""

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
