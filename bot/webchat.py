"""The web chat: a small offline page (`GET /`) and `POST /api/chat`, in front of the same tutor.

A browser is a learner identified by a signed cookie (itsdangerous): a random id made on the first
message, signed with the cookie secret; a missing or tampered cookie simply starts a new learner.
The page (bot/static/) renders tutor text with `textContent` only, so tutor text is never HTML.
Lesson illustrations are served from the lessons folder (`GET /media/...`, images only).

Like the other channels it runs the tutor in a bounded pool, one learner's turns in order
(`bot.runtime.KeyedLocks`), answers a failure with the one APOLOGY, and gets daily reminders from
`bot.reminders.ReminderScheduler`. A browser cannot be pushed to, so a due reminder waits in memory
for the learner's next message or poll (`GET /api/pending`; the page asks on load and every minute).
`GET /api/menu` gives the quick actions, generated from the tutor's command registry.

The conversation of a learner who agreed to the data notice is kept server-side
(`bot.webchat_history`, `GET /api/history`), so a reload restores it; it is forgotten as soon as the
tutor no longer knows the learner as one (after /xoadulieu, for instance). A reply's document
(data export, certificate) and an image that is the learner's own (the certificate's PNG) become
opaque links valid for ten minutes, for that learner only, while they exist (`bot.webchat_documents`);
a restored history gets fresh ones. A certificate's verification address in a reply is listed in
`links`, which the page shows as links (no other address in tutor text is made clickable: lessons
quote scam addresses as examples).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from bot.flood import AddressLimiter, SharedAddressLimiter
from bot.input_boundary import BadInput, read_json, refuse
from bot.reminders import ReminderScheduler
from bot.runtime import KeyedLocks
from bot.speech import Heard, SpeechService, hear
from bot.speech.audio import max_bytes_for
from bot.tutor_pool import ThreadTutorRunner
from bot.webchat_cookie import LearnerCookie
from bot.webchat_documents import IMAGE_TYPES, DocumentLinks
from bot.webchat_history import WebChatHistory
from bot.webchat_memory import DOCUMENT_GONE as DOCUMENT_GONE  # re-exported
from bot.webchat_memory import LearnerMemory, no_store
from bot.webchat_render import VERIFY_URL as VERIFY_URL  # re-exported
from bot.webchat_render import ReplyRenderer
from knowledge.sanitize import sanitize_json
from tutor.messages import APOLOGY, Inbound, MenuEntry, Reply, TutorPort

log = logging.getLogger(__name__)

CHANNEL = "web"
COOKIE_NAME = "hocvuso_web"
COOKIE_MAX_AGE = 365 * 24 * 3600
STATIC_DIR = Path(__file__).parent / "static"
STATIC_FILES = {
    "chat.css": "text/css; charset=utf-8",
    "chat.js": "text/javascript; charset=utf-8",
    "voice.js": "text/javascript; charset=utf-8",
}
# What MediaRecorder produces: Chrome/Firefox audio/webm or audio/ogg, Safari audio/mp4 (some say video/…).
VOICE_TYPES = ("audio/", "video/webm", "video/mp4", "video/ogg")
IMAGE_SUFFIXES = IMAGE_TYPES
FAVICON = STATIC_DIR / "favicon.ico"
MAX_PENDING_LEARNERS = 10_000  # reminders kept for browsers that have not come back (oldest dropped)
MAX_PENDING_PER_LEARNER = 3
GONE_TTL_S = 600.0  # how long a reminder claimed before a learner's deletion may still arrive
MAX_LABEL_CHARS = 100  # a tapped button's label, shown as the learner's message in the history
SLOW_DOWN = "Bạn gửi nhanh quá. Vui lòng chờ một phút rồi thử lại nhé."
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class WebChatConfig:
    """What the web chat needs, resolved by the composition root."""

    cookie_secret: bytes = field(repr=False)
    media_root: Path | None = None  # lessons folder; Reply.image_path values under it are served
    max_message_chars: int = 2000
    max_body_bytes: int = 64_000  # a message is at most a few kilobytes
    new_learners_per_minute: int = 30  # per client address (browsers without our cookie)
    messages_per_minute: int = 600  # per client address, every learner behind it together
    housekeeping_s: float = 3600.0  # how often the retention purge runs (0: never)
    tutor_workers: int = 4
    reminder_check_s: float = 60.0  # how often due reminders are asked for (0: never, tests tick)
    document_ttl_s: int = 600  # how long a reply document's download link works
    temp_dir: Path | None = None  # the tutor's temporary exports (it sweeps them; links never delete)
    voice_max_seconds: int = 60  # longest microphone recording transcribed (bytes capped to match)


class WebChat:
    """The web chat channel: the page, its static files, the chat API, lesson images, reminders."""

    name = CHANNEL

    def __init__(
        self,
        config: WebChatConfig,
        tutor: TutorPort,
        history: WebChatHistory | None = None,
        speech: SpeechService | None = None,
        *,
        housekeeping: Callable[[], int] | None = None,
        new_learners: SharedAddressLimiter | None = None,
    ) -> None:
        """`speech` transcribes the microphone's recordings (None: voice notes are off);
        `housekeeping()` (the tutor's retention purge: learners who never consented go after a
        day) runs when the app starts and every `housekeeping_s` seconds after; `new_learners`
        counts new learners per address in the database, shared by every worker (None: in this
        process only)."""
        self.config = config
        self._history = history
        self._speech = speech
        self._documents = DocumentLinks(config.cookie_secret, config.document_ttl_s)
        self._housekeeping = housekeeping
        self._housekeeping_task: asyncio.Task[None] | None = None
        self._cookie = LearnerCookie(config.cookie_secret)
        self._runner = ThreadTutorRunner(tutor, config.tutor_workers, "web-tutor")
        self._locks = KeyedLocks()
        self._pending: OrderedDict[str, list[Reply]] = OrderedDict()  # learner -> reminders to show
        # Learners seen gone (deleted data): a reminder claimed before the deletion is not kept for them.
        self._gone: OrderedDict[str, float] = OrderedDict()
        self._media_root = config.media_root.resolve() if config.media_root else None
        self._render = ReplyRenderer(self._media_root, self._documents)
        self._memory = LearnerMemory(CHANNEL, history, self._documents, self._runner, self._learner_of)
        self.reminders = ReminderScheduler(self, self._runner, interval_s=config.reminder_check_s)
        self._started = False
        self._new_learners = AddressLimiter(config.new_learners_per_minute)
        self._shared_new_learners = new_learners
        self._messages = AddressLimiter(config.messages_per_minute)

    # --- lifecycle (a ChannelService of bot.server) ---------------------------------------
    async def start(self) -> None:
        """Start the reminder scheduler and the housekeeping loop."""
        self.reminders.start()
        if self._housekeeping is not None and self.config.housekeeping_s > 0:
            self._housekeeping_task = asyncio.create_task(self._housekeep(), name="webchat:housekeeping")
        self._started = True

    async def _housekeep(self) -> None:
        assert self._housekeeping is not None
        while True:
            try:
                removed = await asyncio.to_thread(self._housekeeping)
                if removed:
                    log.info("web chat housekeeping: %d learner(s) past retention deleted", removed)
            except Exception as exc:  # the database is busy or down: next time
                log.warning("web chat housekeeping failed (%s)", type(exc).__name__)
            await asyncio.sleep(self.config.housekeeping_s)

    async def stop(self) -> None:
        """Stop the reminder scheduler and housekeeping; release the tutor's threads."""
        if self._housekeeping_task is not None:
            self._housekeeping_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping_task
            self._housekeeping_task = None
        await self.reminders.stop()
        self.close()
        self._started = False

    def _learner_of(self, request: Request) -> str | None:
        """The learner of a valid cookie, else None."""
        return self._cookie.loads(request.cookies.get(COOKIE_NAME))

    def describe(self) -> dict[str, Any]:
        """What /healthz says about the web chat (no personal data)."""
        return {"enabled": True, "running": self._started, "reminders_waiting": len(self._pending)}

    # --- reminders -------------------------------------------------------------------------
    async def deliver_reminder(self, user_id: str, reply: Reply) -> str:
        """Keep a due reminder for the learner's next message or poll; returns "queued" ("dropped"
        for a learner who has just deleted their data: the tutor claimed it before the deletion)."""
        gone_at = self._gone.get(user_id)
        if gone_at is not None and time.monotonic() - gone_at < GONE_TTL_S:
            return "dropped"
        waiting = self._pending.pop(user_id, [])
        self._pending[user_id] = [*waiting, reply][-MAX_PENDING_PER_LEARNER:]
        while len(self._pending) > MAX_PENDING_LEARNERS:
            self._pending.popitem(last=False)
        return "queued"

    def take_pending(self, user_id: str) -> list[Reply]:
        """The reminders waiting for this learner (handed over once)."""
        return self._pending.pop(user_id, [])

    def _seen_consenting(self, learner: str, consented: bool | None) -> None:
        """After the tutor said whether `learner` is (still) a consenting learner: one who is not
        (deleted their data, purged, never agreed) loses the reminders kept in memory for them."""
        if consented is None:
            return
        if consented:
            self._gone.pop(learner, None)
            return
        self._pending.pop(learner, None)
        self._gone[learner] = time.monotonic()
        self._gone.move_to_end(learner)
        while len(self._gone) > MAX_PENDING_LEARNERS:
            self._gone.popitem(last=False)

    async def _take_pending_polled(self, learner: str | None) -> list[Reply]:
        """The reminders for a poll, once the tutor confirms the learner still consents (a learner
        deleted by the retention purge or the CLI has not sent a message since)."""
        if not learner or learner not in self._pending:
            return []
        self._seen_consenting(learner, await self._memory.consented(learner))
        return self.take_pending(learner)

    async def menu(self) -> list[MenuEntry]:
        """The tutor's menu (empty when the tutor cannot say)."""
        try:
            entries: list[MenuEntry] = await self._runner.call("menu")
        except Exception as exc:
            log.warning("web chat: menu unavailable (%s)", type(exc).__name__)
            return []
        return entries

    # --- rendering (bot.webchat_render) ----------------------------------------------------------
    def image_url(self, image_path: str | None) -> str | None:
        """The /media/ URL of a lesson image, or None when it is not a servable image."""
        return self._render.image_url(image_path)

    def reply_json(self, reply: Reply, learner: str | None = None) -> dict[str, Any]:
        """One reply as the page renders it (see `ReplyRenderer.reply_json`)."""
        return self._render.reply_json(reply, learner)

    # --- routes --------------------------------------------------------------------------
    def router(self) -> APIRouter:
        """`GET /`, `GET /static/{name}`, `POST /api/chat`, `GET /media/{path}`."""
        router = APIRouter()

        @router.get("/", include_in_schema=False)
        async def index() -> Response:
            html = (STATIC_DIR / "index.html").read_bytes()
            return Response(html, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)

        @router.get("/favicon.ico", include_in_schema=False)
        async def favicon() -> Response:
            headers = {"Cache-Control": "public, max-age=604800", "X-Content-Type-Options": "nosniff"}
            return Response(FAVICON.read_bytes(), media_type="image/x-icon", headers=headers)

        @router.get("/static/{name}", include_in_schema=False)
        async def static(name: str) -> Response:
            media_type = STATIC_FILES.get(name)
            if media_type is None:
                return JSONResponse({"error": "not found"}, status_code=404)
            return Response((STATIC_DIR / name).read_bytes(), media_type=media_type, headers=SECURITY_HEADERS)

        @router.get("/media/{path:path}", include_in_schema=False)
        async def media(path: str) -> Response:
            if self._media_root is None:
                return JSONResponse({"error": "not found"}, status_code=404)
            target = (self._media_root / path).resolve()
            try:
                target.relative_to(self._media_root)
            except ValueError:
                return JSONResponse({"error": "not found"}, status_code=404)
            media_type = IMAGE_SUFFIXES.get(target.suffix.lower())
            if media_type is None or not target.is_file():
                return JSONResponse({"error": "not found"}, status_code=404)
            return FileResponse(target, media_type=media_type, headers={"X-Content-Type-Options": "nosniff"})

        @router.post("/api/chat", include_in_schema=False)
        async def chat(request: Request) -> Response:
            return await self._chat(request)

        @router.post("/api/voice", include_in_schema=False)
        async def voice(request: Request) -> Response:
            return await self._voice(request)

        @router.get("/api/pending", include_in_schema=False)
        async def pending(request: Request) -> Response:
            learner = self._cookie.loads(request.cookies.get(COOKIE_NAME))
            replies = await self._take_pending_polled(learner)
            rendered = [self.reply_json(r, learner) for r in replies]
            if learner and rendered:
                await self._memory.remember(learner, None, rendered)
            return no_store(JSONResponse({"replies": rendered}))

        @router.get("/api/menu", include_in_schema=False)
        async def menu() -> Response:
            entries = [
                {"command": e.command, "label": e.label, "description": e.description, "quick": e.quick}
                for e in await self.menu()
            ]
            return JSONResponse({"menu": entries})

        self._memory.add_routes(router)
        return router

    async def _chat(self, request: Request) -> Response:
        # JSON only: a cross-site HTML form cannot send it without a CORS preflight we never grant.
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return JSONResponse({"error": "application/json expected"}, status_code=415)
        try:
            body = await read_json(request, self.config.max_body_bytes)
        except BadInput as error:
            return refuse(CHANNEL, error, {"error": error.reason})
        if not isinstance(body, dict):
            return JSONResponse({"error": "invalid request"}, status_code=400)
        text, payload, client_id = body.get("text"), body.get("payload"), body.get("id")
        label = body.get("label") if isinstance(body.get("label"), str) else None
        if payload is not None and (not isinstance(payload, str) or not 0 < len(payload) <= 256):
            return JSONResponse({"error": "invalid payload"}, status_code=400)
        if text is not None and not isinstance(text, str):
            return JSONResponse({"error": "invalid text"}, status_code=400)
        if payload is None and not (text or "").strip():
            return JSONResponse({"error": "empty message"}, status_code=400)
        if text is not None and len(text) > self.config.max_message_chars * 2:
            text = text[: self.config.max_message_chars * 2]  # the tutor refuses it politely

        turn_id = _client_id(client_id)
        mine = text if payload is None else (label or "")[:MAX_LABEL_CHARS]

        async def typed_inbound(user_id: str) -> Inbound:
            return Inbound(
                channel=CHANNEL,
                user_id=user_id,
                message_id=f"{user_id}:{turn_id}",
                text=text,
                payload=payload,
                kind="button" if payload is not None else "text",
            )

        learner = self._cookie.loads(request.cookies.get(COOKIE_NAME))
        return await self._turn(request, learner, typed_inbound, lambda _: mine, turn_id)

    async def _voice(self, request: Request) -> Response:
        # An audio type only: like /api/chat's JSON, a cross-site form cannot send one without a
        # CORS preflight we never grant. The recording is read into memory, capped, never stored.
        if not request.headers.get("content-type", "").lower().startswith(VOICE_TYPES):
            return JSONResponse({"error": "audio expected"}, status_code=415)
        limit, too_long = max_bytes_for(self.config.voice_max_seconds), False
        data = bytearray()
        async for chunk in request.stream():
            if len(data) + len(chunk) > limit:
                too_long = True  # the learner is told so by the tutor; the rest is not read
                break
            data.extend(chunk)
        if not data and not too_long:
            return JSONResponse({"error": "empty recording"}, status_code=400)
        learner = self._cookie.loads(request.cookies.get(COOKIE_NAME))
        turn_id = _client_id(request.query_params.get("id"))

        async def heard_inbound(user_id: str) -> Inbound:
            heard = Heard(None, "too_long") if too_long else await hear(self._speech, bytes(data))
            return heard.inbound(CHANNEL, user_id, f"{user_id}:{turn_id}")

        def spoken(inbound: Inbound) -> str:  # the history shows a voice note as what was heard
            return f"🎤 {inbound.text}" if inbound.text else "🎤"

        return await self._turn(request, learner, heard_inbound, spoken, turn_id)

    async def _turn(
        self,
        request: Request,
        learner: str | None,
        make_inbound: Callable[[str], Awaitable[Inbound]],
        mine_of: Callable[[Inbound], str | None],
        turn_id: str,
    ) -> Response:
        """One turn of `learner` (a new one when None, given a cookie), in order with their others;
        `mine_of(inbound)` is the learner's message as the history shows it."""
        address = request.client.host if request.client else "unknown"
        if not self._messages.allow(address):
            return _slow_down(address, "messages")
        new_cookie = learner is None
        if learner is None:
            if not await self._new_learner_allowed(address):
                return _slow_down(address, "new learners")
            learner = self._cookie.new_id()
        async with self._locks.hold(learner):  # one learner's turns in order, like the other channels
            inbound = await make_inbound(learner)
            try:
                replies: list[Reply] = await self._runner.call("handle", inbound)
            except Exception as exc:  # the tutor never raises; this is a last guard
                log.error("web chat turn failed: %s", type(exc).__name__)
                replies = [Reply(APOLOGY)]
        consented = await self._memory.consented(learner)
        self._seen_consenting(learner, consented)  # after /xoadulieu: waiting reminders dropped
        replies = [*self.take_pending(learner), *replies]
        rendered = sanitize_json([self.reply_json(r, learner) for r in replies])
        if rendered:  # a duplicate delivery (same client id) gets no reply and is not kept twice
            await self._memory.remember(learner, mine_of(inbound), rendered, turn_id, consented)
        response = no_store(JSONResponse({"replies": rendered}))
        if new_cookie:
            secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
            response.set_cookie(
                COOKIE_NAME,
                self._cookie.dumps(learner),
                max_age=COOKIE_MAX_AGE,
                httponly=True,
                samesite="lax",
                secure=secure,
                path="/",
            )
        return response

    async def _new_learner_allowed(self, address: str) -> bool:
        """Whether `address` may make one more new learner this minute (counted in the database
        when shared: every worker and a restart see the same count)."""
        if self._shared_new_learners is None:
            return self._new_learners.allow(address)
        return await asyncio.to_thread(self._shared_new_learners.allow, address)

    def close(self) -> None:
        """Release the tutor's threads."""
        self._runner.close()


def _client_id(value: object) -> str:
    """The page's message id when well-formed, else a random one."""
    return value if isinstance(value, str) and _CLIENT_ID.match(value) else secrets.token_urlsafe(12)


def _slow_down(address: str, what: str) -> Response:
    """429 with the one Vietnamese line the page shows; one short log line (no address: personal)."""
    log.warning("web chat: too many %s from one address in a minute", what)
    body = {"error": "too many requests", "replies": [{"text": SLOW_DOWN, "buttons": [], "image": None}]}
    return no_store(JSONResponse(body, status_code=429, headers={"Retry-After": "60"}))
