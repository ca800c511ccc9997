"""Shared helpers for the Zalo tests: signed events in Zalo's recorded shapes, and a channel wired to
the fake Zalo API on a real database."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.inbox import Inbox
from bot.zalo import ZaloChannel, ZaloConfig
from bot.zalo_store import TokenPair, ZaloTokenStore, ZaloUserStore
from hocvuso.migrate import upgrade_to_head
from knowledge.db import make_engine, make_session_factory
from tests.fakes.zalo_api import APP_ID, APP_SECRET, FIRST_ACCESS, FIRST_REFRESH, FakeZaloApi
from tutor.messages import TutorPort

OA_SECRET_KEY = "oa-secret-Xy7Qp0vB"
OA_ID = "388613280878808645"
_msg_ids = itertools.count(1)


@dataclass
class ZaloRepos:
    """The bookkeeping repositories the Zalo channel uses, on one migrated database."""

    session_factory: sessionmaker[Session]
    inbox: Inbox
    tokens: ZaloTokenStore
    users: ZaloUserStore


def make_zalo_repos(database_url: str) -> tuple[ZaloRepos, Any]:
    """Migrate the database and build the repositories; returns (repos, engine to dispose)."""
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    repos = ZaloRepos(factory, Inbox(factory), ZaloTokenStore(factory), ZaloUserStore(factory))
    return repos, engine


def make_zalo_channel(fake: FakeZaloApi, repos: ZaloRepos, tutor: TutorPort, **overrides: Any) -> ZaloChannel:
    """A ZaloChannel pointed at the fake API (both the message API and OAuth)."""
    values: dict[str, Any] = {
        "app_id": APP_ID,
        "oa_secret_key": OA_SECRET_KEY,
        "app_secret": APP_SECRET,
        "api_base": fake.base_url,
        "oauth_base": fake.base_url,
        "first_pair": TokenPair(FIRST_ACCESS, FIRST_REFRESH),
        "reminder_check_s": 0,  # tests tick the reminder scheduler themselves
    }
    speech = overrides.pop("speech", None)
    values.update(overrides)
    return ZaloChannel(ZaloConfig(**values), tutor, repos.inbox, repos.tokens, repos.users, speech=speech)


def now_ms() -> str:
    return str(int(time.time() * 1000))


def text_event(user_id: str, text: str, *, msg_id: str | None = None, timestamp: str | None = None) -> dict[str, Any]:
    """A `user_send_text` event as Zalo posts it."""
    return {
        "app_id": APP_ID,
        "user_id_by_app": "552177279717587730",
        "event_name": "user_send_text",
        "timestamp": timestamp or now_ms(),
        "sender": {"id": user_id},
        "recipient": {"id": OA_ID},
        "message": {"msg_id": msg_id or f"96d3cdf3af1504609{next(_msg_ids):04d}", "text": text},
    }


def follow_event(user_id: str, event: str = "follow", *, timestamp: str | None = None) -> dict[str, Any]:
    """A `follow` / `unfollow` event as Zalo posts it."""
    return {
        "oa_id": OA_ID,
        "follower": {"id": user_id},
        "user_id_by_app": "552177279717587730",
        "event_name": event,
        "source": "oa_profile",
        "app_id": APP_ID,
        "timestamp": timestamp or now_ms(),
    }


def sticker_event(user_id: str) -> dict[str, Any]:
    """A `user_send_sticker` event (acknowledged and ignored)."""
    return {
        "app_id": APP_ID,
        "event_name": "user_send_sticker",
        "timestamp": now_ms(),
        "sender": {"id": user_id},
        "recipient": {"id": OA_ID},
        "message": {
            "msg_id": f"stk{next(_msg_ids):06d}",
            "attachments": [
                {"type": "sticker", "payload": {"id": "bfe458bf64fa8da4d4eb", "url": "https://example.invalid/s"}}
            ],
        },
    }


def audio_event(user_id: str, url: str) -> dict[str, Any]:
    """A `user_send_audio` event: the voice message's URL on Zalo's servers."""
    return {
        "app_id": APP_ID,
        "event_name": "user_send_audio",
        "timestamp": now_ms(),
        "sender": {"id": user_id},
        "recipient": {"id": OA_ID},
        "message": {"msg_id": f"aud{next(_msg_ids):06d}", "attachments": [{"type": "audio", "payload": {"url": url}}]},
    }


def signed(event: dict[str, Any], *, secret: str = OA_SECRET_KEY, prefix: str = "mac=") -> tuple[bytes, dict[str, str]]:
    """The raw body and headers Zalo would send: X-ZEvent-Signature = mac=sha256(app_id+body+ts+key)."""
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    mac = hashlib.sha256(
        str(event["app_id"]).encode() + body + str(event["timestamp"]).encode() + secret.encode()
    ).hexdigest()
    return body, {"X-ZEvent-Signature": prefix + mac, "Content-Type": "application/json"}


def zalo_settings(fake: FakeZaloApi) -> dict[str, Any]:
    """The `zalo` settings section of a Zalo OA served by `fake` (for a real `Container`)."""
    return {
        "app_id": APP_ID,
        "api_base": fake.base_url,
        "oauth_base": fake.base_url,
        "oa_secret_key": OA_SECRET_KEY,
        "app_secret": APP_SECRET,
        "access_token": FIRST_ACCESS,
        "refresh_token": FIRST_REFRESH,
    }
