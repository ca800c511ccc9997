"""Zalo Official Account channel: the webhook, sending through the OA API, tokens, reminders.

`POST /zalo/webhook` verifies the event's signature (see `bot.zalo_api.verify_signature`) and its
timestamp before anything else; a bad one gets 401 and nothing is stored. A good event is recorded
in the durable inbox (deduplicated on `message.msg_id`), acknowledged at once, and processed after,
in arrival order per follower:

- `user_send_text` → the tutor (a tap on one of our buttons comes back as its label's text and is
  turned back into the button's payload);
- `user_send_audio` → the note downloaded from its URL, heard (`bot.zalo_voice`), the tutor;
- `follow` → the tutor's greeting (an Inbound "/start");
- `unfollow` → `TutorPort.set_active(False)`;
- any other event is acknowledged and ignored.

Accepting, ordering and the inbox are `bot.runtime.ChannelRuntime`'s; daily reminders come from
`bot.reminders.ReminderScheduler`. A turn's replies are combined into as few messages as possible
(Zalo counts them: 8 free replies in the 48 hours after the learner's last message). Reminders go
out only inside that free window unless `allow_proactive`. An expired access token (error -216) is refreshed once — under an asyncio
lock and the database row lock, the new pair committed before use — and the send retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.inbox import Inbox
from bot.input_boundary import BadInput, parse_json, read_body, refuse
from bot.reminders import ReminderScheduler
from bot.runtime import ChannelRuntime, run_in
from bot.speech import SpeechService
from bot.tutor_pool import ThreadTutorRunner
from bot.zalo_api import (
    DOCUMENT_TYPES,
    ERROR_TOKEN_EXPIRED,
    IMAGE_TYPES,
    MAX_FILE_BYTES,
    MAX_IMAGE_BYTES,
    SIGNATURE_HEADER,
    SendResult,
    ZaloApi,
    ZaloApiError,
    verify_signature,
)
from bot.zalo_render import ZaloOut, plan_replies, with_quick_replies
from bot.zalo_store import TokenPair, ZaloTokenStore, ZaloUserStore
from bot.zalo_tokens import ZaloTokens
from bot.zalo_voice import AUDIO_EVENT, hear_audio
from tutor.messages import APOLOGY, Inbound, MenuEntry, Reply, TutorPort

log = logging.getLogger(__name__)

# Sent instead of a document Zalo would not take (e.g. a type it refuses), so the turn never goes silent.
DOCUMENT_NOT_SENT = "📄 Zalo chưa nhận gửi tệp này. Bạn thử lại sau, hoặc mở trang web học và gõ /taidulieu nhé."

CHANNEL = "zalo"
WEBHOOK_PATH = "/zalo/webhook"
MAX_WEBHOOK_BODY = 256_000  # bytes; Zalo events are small


@dataclass(frozen=True)
class ZaloConfig:
    """Everything the Zalo channel needs, resolved from settings by the composition root."""

    app_id: str
    oa_secret_key: str = field(repr=False)
    app_secret: str = field(repr=False)
    api_base: str = "https://openapi.zalo.me"
    oauth_base: str = "https://oauth.zaloapp.com"
    first_pair: TokenPair | None = field(default=None, repr=False)  # from the environment
    signature_window_s: int = 300
    allow_proactive: bool = False
    free_replies: int = 8
    free_window: timedelta = timedelta(hours=48)
    http_timeout_s: float = 10.0
    refresh_margin: timedelta = timedelta(minutes=5)  # refresh this long before expiry
    tutor_workers: int = 4
    reminder_check_s: float = 60.0  # how often due reminders are asked for (0: never, tests tick)
    inbox_retention: timedelta = timedelta(days=3)
    media_root: Path | None = None  # relative Reply.image_path values are resolved here
    attachment_ttl: timedelta = timedelta(hours=12)  # reuse an uploaded image's id this long


def check_zalo_settings(
    *,
    app_id: str,
    oa_secret_key: str,
    app_secret: str,
    access_token: str,
    refresh_token: str,
    api_base: str,
    oauth_base: str,
) -> str | None:
    """An operator-readable problem when Zalo is half-configured, or None (fully set, or all unset).

    All unset means Zalo is off. The first token pair may be left out once a pair is in the
    database (checked when the channel starts).
    """
    given = {
        "zalo.app_id": app_id,
        "HOCVUSO_ZALO__OA_SECRET_KEY": oa_secret_key,
        "HOCVUSO_ZALO__APP_SECRET": app_secret,
        "HOCVUSO_ZALO__ACCESS_TOKEN": access_token,
        "HOCVUSO_ZALO__REFRESH_TOKEN": refresh_token,
    }
    if not any(given.values()):
        return None
    required = ["zalo.app_id", "HOCVUSO_ZALO__OA_SECRET_KEY", "HOCVUSO_ZALO__APP_SECRET"]
    missing = [name for name in required if not given[name]]
    if bool(access_token) != bool(refresh_token):
        missing.append("HOCVUSO_ZALO__REFRESH_TOKEN" if access_token else "HOCVUSO_ZALO__ACCESS_TOKEN")
    if missing:
        return (
            f"Zalo is half-configured: {', '.join(missing)} not set. Set zalo.app_id (config.yaml), "
            "HOCVUSO_ZALO__OA_SECRET_KEY and HOCVUSO_ZALO__APP_SECRET (and, the first time, "
            "HOCVUSO_ZALO__ACCESS_TOKEN with HOCVUSO_ZALO__REFRESH_TOKEN), or unset them all to turn Zalo off."
        )
    for name, url in (("zalo.api_base", api_base), ("zalo.oauth_base", oauth_base)):
        if not url.startswith(("http://", "https://")):
            return f"{name} must be an http(s) URL, not {url!r}."
    return None


def _external_id(data: dict[str, Any]) -> str | None:
    """The id an event is deduplicated on: message.msg_id, or event + user + timestamp."""
    message = data.get("message")
    if isinstance(message, dict) and message.get("msg_id"):
        return str(message["msg_id"])[:128]
    event = str(data.get("event_name", ""))
    user = _user_id(data) or ""
    stamp = str(data.get("timestamp", ""))
    if not event or not stamp:
        return None
    return f"{event}:{user}:{stamp}"[:128]


def _user_id(data: dict[str, Any]) -> str | None:
    """The follower an event is about (sender for messages, follower for follow/unfollow)."""
    for key in ("sender", "follower", "user"):
        value = data.get(key)
        if isinstance(value, dict) and value.get("id"):
            return str(value["id"])
    return None


def _timestamp(data: dict[str, Any]) -> datetime | None:
    """When Zalo sent the event (milliseconds since the epoch), or None when unusable."""
    stamp = str(data.get("timestamp", ""))
    if not stamp.isdigit() or len(stamp) > 15:  # 15 digits of milliseconds reach the year 33658
        return None
    try:
        return datetime.fromtimestamp(int(stamp) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None


class ZaloChannel:
    """The Zalo OA adapter: webhook in, OA message API out, the tutor behind a TutorPort."""

    name = CHANNEL

    def __init__(
        self,
        config: ZaloConfig,
        tutor: TutorPort,
        inbox: Inbox,
        token_store: ZaloTokenStore,
        users: ZaloUserStore,
        *,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] | None = None,
        speech: SpeechService | None = None,
    ) -> None:
        """`speech` hears audio messages (None: voice notes are off)."""
        self.config = config
        self._speech = speech
        self._inbox = inbox
        self._token_store = token_store
        self._users = users
        self._own_http = http is None
        self._http = http
        self._clock = clock or (lambda: datetime.now(UTC))
        self._runner = ThreadTutorRunner(tutor, config.tutor_workers, "zalo-tutor")
        self._db_pool = ThreadPoolExecutor(2, thread_name_prefix="zalo-db")
        self.runtime = ChannelRuntime(self, inbox, self._db_pool)
        self.reminders = ReminderScheduler(self, self._runner, interval_s=config.reminder_check_s, clock=self._now)
        self._tokens: ZaloTokens | None = None
        self._started = False
        self._attachments: dict[tuple[str, float], tuple[str, datetime]] = {}  # (path, mtime) -> id, when
        self._quick: tuple[str, ...] | None = None  # the quick menu's labels, asked of the tutor once
        self.sent_messages = 0

    # --- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        """Open the HTTP client, make sure a token pair exists, replay the inbox, start reminders."""
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.config.http_timeout_s)
        api = ZaloApi(
            self._http,
            api_base=self.config.api_base,
            oauth_base=self.config.oauth_base,
            app_id=self.config.app_id,
            app_secret=self.config.app_secret,
        )
        self._api = api
        self._tokens = ZaloTokens(
            self._token_store,
            api,
            first_pair=self.config.first_pair,
            refresh_margin=self.config.refresh_margin,
            timeout_s=self.config.http_timeout_s * 3,
            clock=self._clock,
        )
        await self._tokens.ensure()
        self._started = True
        await self.runtime.replay_pending()
        self.reminders.start()
        with contextlib.suppress(Exception):
            await run_in(self._db_pool, self._inbox.purge, self.config.inbox_retention)
        log.info("Zalo channel started; events arrive at %s", WEBHOOK_PATH)

    async def stop(self) -> None:
        """Finish the events in flight (briefly), stop reminders, close the HTTP client."""
        await self.reminders.stop()
        await self.runtime.idle(timeout=10)
        if self._own_http and self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._tokens is not None:
            self._tokens.close()
        self._runner.close()
        self._db_pool.shutdown(wait=False, cancel_futures=True)
        self._started = False

    def describe(self) -> dict[str, Any]:
        """What /healthz says about this channel (no secrets, no personal data)."""
        return {
            "enabled": True,
            "running": self._started,
            "in_flight": self.runtime.in_flight,
            "token_refreshes": self._tokens.refreshes if self._tokens else 0,
        }

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until every received event has been processed (tests, shutdown)."""
        await self.runtime.idle(timeout)

    def _now(self) -> datetime:
        return self._clock()

    # --- webhook -------------------------------------------------------------------------
    def verify(self, headers_signature: str | None, body: bytes) -> dict[str, Any] | None:
        """The event when its signature, app id and timestamp check out; None otherwise."""
        try:
            data = parse_json(body)
        except BadInput:
            return None
        if not isinstance(data, dict):
            return None
        app_id = str(data.get("app_id", ""))
        stamp = str(data.get("timestamp", ""))
        if not app_id or app_id != self.config.app_id or not stamp.isdigit():
            return None
        if not verify_signature(headers_signature, app_id, body, stamp, self.config.oa_secret_key):
            return None
        sent = _timestamp(data)
        if sent is None:
            return None
        age = (self._clock() - sent).total_seconds()
        if abs(age) > self.config.signature_window_s:
            return None
        return data

    def router(self) -> APIRouter:
        """`POST /zalo/webhook`."""
        router = APIRouter()

        @router.post(WEBHOOK_PATH, include_in_schema=False)
        async def zalo_webhook(request: Request) -> JSONResponse:
            try:
                body = await read_body(request, MAX_WEBHOOK_BODY)
            except BadInput as error:
                return refuse(CHANNEL, error, {"ok": False})
            data = self.verify(request.headers.get(SIGNATURE_HEADER), body)
            if data is None:
                return JSONResponse({"ok": False}, status_code=401)
            try:
                new = await self.submit(data)
            except ValueError:
                return refuse(CHANNEL, BadInput(400, "event without an id"), {"ok": False})
            return JSONResponse({"ok": True, "duplicate": not new})

        return router

    async def submit(self, data: dict[str, Any]) -> bool:
        """Record a verified event durably and queue it; False when it was seen before."""
        external_id = _external_id(data)
        if external_id is None:
            raise ValueError("event without an id")
        return await self.runtime.accept(external_id, data)

    # --- processing (the runtime's Platform) ----------------------------------------------
    def key_of(self, data: dict[str, Any]) -> str:
        """One follower's events are handled in arrival order."""
        return _user_id(data) or ""

    async def apologize(self, data: dict[str, Any]) -> None:
        """The one apology, for a message the follower wrote (not for follow/unfollow events)."""
        user_id = _user_id(data)
        if data.get("event_name") in ("user_send_text", AUDIO_EVENT) and user_id:
            await self.send_replies(user_id, [Reply(APOLOGY)])

    async def handle(self, data: dict[str, Any]) -> None:
        """One event: the tutor's answer to a message or a follow; unfollow deactivates."""
        event = data.get("event_name")
        user_id = _user_id(data)
        if not user_id:
            return
        now = self._clock()
        if event == "user_send_text":
            raw = data.get("message")
            message: dict[str, Any] = raw if isinstance(raw, dict) else {}
            text = str(message.get("text", ""))
            await run_in(self._db_pool, self._users.user_wrote, user_id, now)
            payload = await run_in(self._db_pool, self._users.button_payload, user_id, text)
            inbound = Inbound(
                channel=CHANNEL,
                user_id=user_id,
                message_id=str(message.get("msg_id") or _external_id(data)),
                text=text,
                payload=payload,
                kind="button" if payload else "text",
                sent_at=_timestamp(data),
            )
        elif event == AUDIO_EVENT:
            await run_in(self._db_pool, self._users.user_wrote, user_id, now)
            assert self._http is not None  # opened by start()
            heard = await hear_audio(self._http, self._speech, data.get("message"))
            inbound = heard.inbound(CHANNEL, user_id, str(_external_id(data)), _timestamp(data))
        elif event == "follow":
            await run_in(self._db_pool, self._users.user_wrote, user_id, now)
            await self._runner.call("set_active", CHANNEL, user_id, True)
            inbound = Inbound(
                channel=CHANNEL,
                user_id=user_id,
                message_id=str(_external_id(data)),
                text="/start",
                kind="text",
                sent_at=_timestamp(data),
            )
        elif event == "unfollow":
            await self._runner.call("set_active", CHANNEL, user_id, False)
            return
        else:
            return  # other events: acknowledged and ignored
        replies = await self._runner.call("handle", inbound)
        await self.send_replies(user_id, replies)

    # --- sending -------------------------------------------------------------------------
    async def send_replies(self, user_id: str, replies: list[Reply]) -> int:
        """Send a turn's replies as few messages as possible; returns how many were sent.

        Raises ZaloApiError when Zalo refuses a message (the rest of the turn is not sent).
        """
        outs = with_quick_replies(plan_replies(replies, self.config.media_root), await self._quick_labels())
        sent = 0
        shown: dict[str, str] = {}
        try:
            for out in outs:
                await self._send(user_id, out)
                sent += 1
                shown.update(out.button_map())
        finally:
            if sent:
                await run_in(self._db_pool, self._users.record_sent, user_id, sent, shown)
        return sent

    async def _quick_labels(self) -> tuple[str, ...]:
        """Labels of the tutor's quick menu (Học tiếp · Hỏi · Bài tập · Tiến độ · Danh mục)."""
        if self._quick is None:
            try:
                entries: list[MenuEntry] = await self._runner.call("menu")
            except Exception as exc:  # no quick replies is no reason not to answer
                log.warning("Zalo: quick menu unavailable (%s)", type(exc).__name__)
                return ()
            self._quick = tuple(e.label for e in entries if e.quick and e.label)
        return self._quick

    async def _with_token(self, call: Callable[[str], Awaitable[SendResult]]) -> SendResult:
        """Run an API call with the access token; on -216 refresh once and run it again."""
        assert self._tokens is not None, "channel not started"
        token = await self._tokens.access_token()
        result = await call(token)
        if result.error == ERROR_TOKEN_EXPIRED:
            token = await self._tokens.refresh(token)
            result = await call(token)
        return result

    async def _send(self, user_id: str, out: ZaloOut) -> SendResult:
        if out.document is not None:
            attachment = await self._document_token(out.document, out.document_name)
        else:
            attachment = await self._attachment(out.image) if out.image is not None else None
        message = out.message(attachment) if out.document is None or attachment else {"text": DOCUMENT_NOT_SENT}
        result = await self._with_token(lambda token: self._api.send(token, user_id, message))
        if not result.ok:
            log.warning("Zalo: message refused (error %s)", result.error)
            raise ZaloApiError(result.error, "send refused")
        self.sent_messages += 1
        return result

    async def _attachment(self, path: Path) -> str | None:
        """The attachment id of an uploaded lesson image (uploaded once, then reused a while).

        None when the image cannot be sent (too large, unreadable, refused): the message then
        goes out as text, its caption included.
        """
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (str(path), stat.st_mtime)
        cached = self._attachments.get(key)
        now = self._clock()
        if cached is not None and now - cached[1] < self.config.attachment_ttl:
            return cached[0]
        content_type = IMAGE_TYPES.get(path.suffix.lower())
        if content_type is None or stat.st_size > MAX_IMAGE_BYTES:
            return None
        data = await asyncio.to_thread(path.read_bytes)
        result = await self._with_token(lambda token: self._api.upload_image(token, data, path.name, content_type))
        if not result.ok or not result.message_id:
            log.warning("Zalo: image upload refused (error %s); sending its caption only", result.error)
            return None
        self._attachments[key] = (result.message_id, now)
        return result.message_id

    async def _document_token(self, path: Path, name: str) -> str | None:
        """The file token of an uploaded document (each upload once: exports are single-use);
        None when Zalo refuses it (too large, a type it does not take): a short text goes instead."""
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError:
            return None
        if len(data) > MAX_FILE_BYTES:
            return None
        content_type = DOCUMENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        result = await self._with_token(
            lambda token: self._api.upload_file(token, data, name or path.name, content_type)
        )
        if not result.ok or not result.message_id:
            log.warning("Zalo: file upload refused (error %s); sending a note instead", result.error)
            return None
        return result.message_id

    # --- reminders -----------------------------------------------------------------------
    def in_free_window(self, last_user_at: datetime | None, sent_since: int, messages: int = 1) -> bool:
        """True when `messages` more can go out free: inside 48 h of the last message, under 8."""
        if last_user_at is None:
            return False
        return (
            self._clock() - last_user_at < self.config.free_window and sent_since + messages <= self.config.free_replies
        )

    async def deliver_reminder(self, user_id: str, reply: Reply) -> str:
        """A due reminder (claimed by the tutor), sent only inside the free window unless allowed.

        Returns "sent", "outside_window" or "failed".
        """
        if not self.config.allow_proactive:
            needed = len(plan_replies([reply], self.config.media_root))
            window = await run_in(self._db_pool, self._users.window, user_id)
            if not self.in_free_window(window.last_user_at, window.sent_since, needed):
                return "outside_window"
        try:
            await self.send_replies(user_id, [reply])
        except (ZaloApiError, httpx.HTTPError) as exc:
            log.warning("Zalo: reminder failed (%s)", type(exc).__name__)
            return "failed"
        return "sent"
