"""The Zalo OA access token: read from the database, refreshed once per expiry across workers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from bot.runtime import run_in
from bot.zalo_api import ZaloApi
from bot.zalo_store import TokenPair, ZaloTokenStore

log = logging.getLogger("bot.zalo")


class ZaloTokens:
    """The OA access token: read from the database, refreshed once per expiry across workers."""

    def __init__(
        self,
        store: ZaloTokenStore,
        api: ZaloApi,
        *,
        first_pair: TokenPair | None,
        refresh_margin: timedelta = timedelta(minutes=5),
        timeout_s: float = 30.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._api = api
        self._first = first_pair
        self._margin = refresh_margin
        self._timeout = timeout_s
        self._clock = clock
        self._lock = asyncio.Lock()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="zalo-token")
        self.refreshes = 0  # refreshes this worker performed (for /healthz and tests)

    async def ensure(self) -> None:
        """Make sure a pair exists: the database's, else the environment's first pair."""
        current = await run_in(self._pool, self._store.current)
        if current is not None:
            return
        if self._first is None:
            raise RuntimeError(
                "Zalo: no token pair in the database; set HOCVUSO_ZALO__ACCESS_TOKEN and "
                "HOCVUSO_ZALO__REFRESH_TOKEN to the OA's first token pair"
            )
        await run_in(self._pool, self._store.seed, self._first)

    async def access_token(self) -> str:
        """A usable access token (refreshed first when it is about to expire)."""
        pair = await run_in(self._pool, self._store.current)
        if pair is None:
            await self.ensure()
            pair = await run_in(self._pool, self._store.current)
            assert pair is not None
        if pair.expires_at is not None and pair.expires_at - self._clock() <= self._margin:
            return await self.refresh(pair.access_token)
        return pair.access_token

    async def refresh(self, stale_access_token: str) -> str:
        """Replace the pair whose access token is stale, once; returns the new access token.

        Concurrent callers in this process wait on an asyncio lock; other processes on the row
        lock. Whoever comes second finds the token already replaced and uses the new one, so a
        refresh token is never sent twice.
        """
        loop = asyncio.get_running_loop()

        def exchange(refresh_token: str) -> TokenPair:
            future = asyncio.run_coroutine_threadsafe(self._api.refresh(refresh_token, self._clock()), loop)
            pair = future.result(timeout=self._timeout)
            self.refreshes += 1
            return pair

        async with self._lock:
            pair = await run_in(self._pool, self._store.replace, stale_access_token, exchange)
        log.info("Zalo: access token refreshed")
        return pair.access_token

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
