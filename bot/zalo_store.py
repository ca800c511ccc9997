"""Zalo bookkeeping repositories: the OA token pair and each follower's reply window and buttons.

The composition root builds them on the shared session factory and hands them to `ZaloChannel`;
they are the only way the Zalo channel touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.zalo_models import ZaloTokenRow, ZaloUserRow
from knowledge.db import transaction

TOKEN_KEY = "oa"
MAX_REMEMBERED_BUTTONS = 40


def _now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns: read them as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class TokenPair:
    """An access token and the single-use refresh token that replaces it (never printed)."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime | None = None
    generation: int = 0


class Cipher(Protocol):
    """Encrypts tokens at rest (the composition root's key); see hocvuso.secret_files.TokenCipher."""

    def encrypt(self, value: str) -> str: ...

    def decrypt(self, stored: str) -> str: ...


class _Plain:
    """No encryption (tests of the store's locking; production always passes a cipher)."""

    def encrypt(self, value: str) -> str:
        return value

    def decrypt(self, stored: str) -> str:
        return stored


class ZaloTokenStore:
    """The OA's current token pair, replaced atomically under a row lock, encrypted at rest."""

    def __init__(self, session_factory: sessionmaker[Session], cipher: Cipher | None = None) -> None:
        self._factory = session_factory
        self._cipher: Cipher = cipher or _Plain()

    def _pair(self, row: ZaloTokenRow) -> TokenPair:
        decrypt = self._cipher.decrypt
        return TokenPair(decrypt(row.access_token), decrypt(row.refresh_token), aware(row.expires_at), row.generation)

    def current(self) -> TokenPair | None:
        """The stored pair, or None before the first one was saved."""
        with self._factory() as session:
            row = session.get(ZaloTokenRow, TOKEN_KEY)
            return self._pair(row) if row is not None else None

    def seed(self, pair: TokenPair) -> TokenPair:
        """Store the first pair (from the environment) unless a pair exists; return the current one.

        A pair already in the database always wins: it is newer than the environment's, whose
        refresh token was used up by the first refresh.
        """
        try:
            with transaction(self._factory) as session:
                if session.get(ZaloTokenRow, TOKEN_KEY) is None:
                    session.add(
                        ZaloTokenRow(
                            key=TOKEN_KEY,
                            access_token=self._cipher.encrypt(pair.access_token),
                            refresh_token=self._cipher.encrypt(pair.refresh_token),
                            expires_at=pair.expires_at,
                            generation=0,
                            updated_at=_now(),
                        )
                    )
        except IntegrityError:  # another process seeded it at the same moment
            pass
        current = self.current()
        assert current is not None
        return current

    def replace(self, stale_access_token: str, exchange: Callable[[str], TokenPair]) -> TokenPair:
        """Refresh the pair whose access token is `stale_access_token`, exactly once.

        Inside one transaction holding the row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
        BEGIN IMMEDIATE locks the whole file): when the stored access token is no longer the stale
        one, another worker refreshed already and its pair is returned; otherwise
        `exchange(refresh_token)` gets a new pair, which is committed before this returns. If
        `exchange` raises, nothing changes.
        """
        with transaction(self._factory) as session:
            row = session.scalars(
                select(ZaloTokenRow).where(ZaloTokenRow.key == TOKEN_KEY).with_for_update()
            ).one_or_none()
            if row is None:
                raise LookupError("no Zalo token pair stored")
            stored = self._pair(row)
            if stored.access_token != stale_access_token:
                return stored
            new = exchange(stored.refresh_token)
            row.access_token = self._cipher.encrypt(new.access_token)
            row.refresh_token = self._cipher.encrypt(new.refresh_token)
            row.expires_at = new.expires_at
            row.generation = row.generation + 1
            row.updated_at = _now()
            return self._pair(row)


@dataclass(frozen=True)
class ReplyWindow:
    """A follower's free-reply window: when they last wrote and how many messages we sent since."""

    last_user_at: datetime | None
    sent_since: int


def label_key(label: str) -> str:
    """How a button label is matched against the text Zalo sends back (case and spaces ignored)."""
    import unicodedata

    return " ".join(unicodedata.normalize("NFC", label).casefold().split())


class ZaloUserStore:
    """Per follower: the reply window (Zalo's 8 free replies in 48 h) and the last buttons shown."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def _row(self, session: Session, user_id: str) -> ZaloUserRow:
        row = session.get(ZaloUserRow, user_id)
        if row is None:
            row = ZaloUserRow(user_id=user_id, last_user_at=None, sent_since=0, buttons={}, updated_at=_now())
            session.add(row)
            session.flush()
        return row

    def _write(self, fn: Callable[[ZaloUserRow], None], user_id: str, *, create: bool = True) -> None:
        for attempt in range(2):
            try:
                with transaction(self._factory) as session:
                    if not create and session.get(ZaloUserRow, user_id) is None:
                        return  # e.g. the follower's data was just deleted: nothing to recreate
                    row = self._row(session, user_id)
                    fn(row)
                    row.updated_at = _now()
                return
            except IntegrityError:  # created concurrently: once more, now it exists
                if attempt:
                    raise

    def user_wrote(self, user_id: str, at: datetime) -> None:
        """The follower sent us something: a new free window opens, nothing sent in it yet."""

        def apply(row: ZaloUserRow) -> None:
            row.last_user_at = at
            row.sent_since = 0

        self._write(apply, user_id)

    def record_sent(self, user_id: str, messages: int, buttons: dict[str, str] | None = None) -> None:
        """Count `messages` sent to the follower and remember the buttons they were shown."""

        def apply(row: ZaloUserRow) -> None:
            row.sent_since = (row.sent_since or 0) + messages
            if buttons:
                merged = {k: v for k, v in (row.buttons or {}).items() if k not in buttons}
                merged.update(buttons)
                row.buttons = dict(list(merged.items())[-MAX_REMEMBERED_BUTTONS:])

        self._write(apply, user_id, create=False)

    def button_payload(self, user_id: str, text: str) -> str | None:
        """The payload of the shown button whose label is `text`, if any."""
        with self._factory() as session:
            row = session.get(ZaloUserRow, user_id)
            if row is None or not row.buttons:
                return None
            return row.buttons.get(label_key(text))

    def window(self, user_id: str) -> ReplyWindow:
        """The follower's reply window (never wrote: no window)."""
        with self._factory() as session:
            row = session.get(ZaloUserRow, user_id)
            if row is None:
                return ReplyWindow(None, 0)
            return ReplyWindow(aware(row.last_user_at), row.sent_since or 0)
