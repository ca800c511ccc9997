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
"""

from __future__ import annotations

import logging
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer

from bot.reminders import ReminderScheduler
from bot.runtime import KeyedLocks
from bot.tutor_pool import ThreadTutorRunner
from tutor.messages import APOLOGY, Inbound, MenuEntry, Reply, TutorPort

log = logging.getLogger(__name__)

CHANNEL = "web"
COOKIE_NAME = "hocvuso_web"
COOKIE_MAX_AGE = 365 * 24 * 3600
STATIC_DIR = Path(__file__).parent / "static"
STATIC_FILES = {"chat.css": "text/css; charset=utf-8", "chat.js": "text/javascript; charset=utf-8"}
IMAGE_SUFFIXES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
MAX_PENDING_LEARNERS = 10_000  # reminders kept for browsers that have not come back (oldest dropped)
MAX_PENDING_PER_LEARNER = 3
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
    tutor_workers: int = 4
    reminder_check_s: float = 60.0  # how often due reminders are asked for (0: never, tests tick)


class LearnerCookie:
    """Signs and reads the learner id kept in the browser's cookie."""

    def __init__(self, secret: bytes) -> None:
        self._serializer = URLSafeSerializer(secret, salt="hocvuso-webchat-learner")

    def new_id(self) -> str:
        return secrets.token_urlsafe(16)

    def dumps(self, learner_id: str) -> str:
        return str(self._serializer.dumps({"u": learner_id}))

    def loads(self, value: str | None) -> str | None:
        """The learner id of a cookie, or None when missing, forged or malformed."""
        if not value:
            return None
        try:
            data = self._serializer.loads(value)
        except BadSignature:
            return None
        learner = data.get("u") if isinstance(data, dict) else None
        return learner if isinstance(learner, str) and 0 < len(learner) <= 64 else None


class WebChat:
    """The web chat channel: the page, its static files, the chat API, lesson images, reminders."""

    name = CHANNEL

    def __init__(self, config: WebChatConfig, tutor: TutorPort) -> None:
        self.config = config
        self._cookie = LearnerCookie(config.cookie_secret)
        self._runner = ThreadTutorRunner(tutor, config.tutor_workers, "web-tutor")
        self._locks = KeyedLocks()
        self._pending: OrderedDict[str, list[Reply]] = OrderedDict()  # learner -> reminders to show
        self._media_root = config.media_root.resolve() if config.media_root else None
        self.reminders = ReminderScheduler(self, self._runner, interval_s=config.reminder_check_s)
        self._started = False

    # --- lifecycle (a ChannelService of bot.server) ---------------------------------------
    async def start(self) -> None:
        """Start the reminder scheduler."""
        self.reminders.start()
        self._started = True

    async def stop(self) -> None:
        """Stop the reminder scheduler and release the tutor's threads."""
        await self.reminders.stop()
        self.close()
        self._started = False

    def describe(self) -> dict[str, Any]:
        """What /healthz says about the web chat (no personal data)."""
        return {"enabled": True, "running": self._started, "reminders_waiting": len(self._pending)}

    # --- reminders -------------------------------------------------------------------------
    async def deliver_reminder(self, user_id: str, reply: Reply) -> str:
        """Keep a due reminder for the learner's next message or poll; returns "queued"."""
        waiting = self._pending.pop(user_id, [])
        self._pending[user_id] = [*waiting, reply][-MAX_PENDING_PER_LEARNER:]
        while len(self._pending) > MAX_PENDING_LEARNERS:
            self._pending.popitem(last=False)
        return "queued"

    def take_pending(self, user_id: str) -> list[Reply]:
        """The reminders waiting for this learner (handed over once)."""
        return self._pending.pop(user_id, [])

    async def menu(self) -> list[MenuEntry]:
        """The tutor's menu (empty when the tutor cannot say)."""
        try:
            entries: list[MenuEntry] = await self._runner.call("menu")
        except Exception as exc:
            log.warning("web chat: menu unavailable (%s)", type(exc).__name__)
            return []
        return entries

    # --- rendering -----------------------------------------------------------------------
    def image_url(self, image_path: str | None) -> str | None:
        """The /media/ URL of a lesson image, or None when it is not a servable image."""
        if not image_path or self._media_root is None:
            return None
        path = Path(image_path)
        if not path.is_absolute():
            path = self._media_root / path
        try:
            relative = path.resolve().relative_to(self._media_root)
        except ValueError:
            return None
        if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
            return None
        return "/media/" + relative.as_posix()

    def reply_json(self, reply: Reply) -> dict[str, Any]:
        """One reply as the page renders it (plain strings; the page never parses them as HTML)."""
        image = self.image_url(reply.image_path)
        return {
            "text": reply.text,
            "buttons": [[{"label": b.label, "payload": b.payload} for b in row] for row in reply.buttons if row],
            "image": image,
            "caption": (reply.image_caption or "") if image else "",
            "sources": [
                {"title": s.title, "heading": s.heading, "locator": s.locator}
                for s in reply.sources
                if s.title and s.title not in reply.text
            ],
        }

    # --- routes --------------------------------------------------------------------------
    def router(self) -> APIRouter:
        """`GET /`, `GET /static/{name}`, `POST /api/chat`, `GET /media/{path}`."""
        router = APIRouter()

        @router.get("/", include_in_schema=False)
        async def index() -> Response:
            html = (STATIC_DIR / "index.html").read_bytes()
            return Response(html, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)

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

        @router.get("/api/pending", include_in_schema=False)
        async def pending(request: Request) -> Response:
            learner = self._cookie.loads(request.cookies.get(COOKIE_NAME))
            replies = self.take_pending(learner) if learner else []
            return _no_store(JSONResponse({"replies": [self.reply_json(r) for r in replies]}))

        @router.get("/api/menu", include_in_schema=False)
        async def menu() -> Response:
            entries = [
                {"command": e.command, "label": e.label, "description": e.description, "quick": e.quick}
                for e in await self.menu()
            ]
            return JSONResponse({"menu": entries})

        return router

    async def _chat(self, request: Request) -> Response:
        # JSON only: a cross-site HTML form cannot send it without a CORS preflight we never grant.
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return JSONResponse({"error": "application/json expected"}, status_code=415)
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "invalid JSON"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "invalid request"}, status_code=400)
        text, payload, client_id = body.get("text"), body.get("payload"), body.get("id")
        if payload is not None and (not isinstance(payload, str) or not 0 < len(payload) <= 256):
            return JSONResponse({"error": "invalid payload"}, status_code=400)
        if text is not None and not isinstance(text, str):
            return JSONResponse({"error": "invalid text"}, status_code=400)
        if payload is None and not (text or "").strip():
            return JSONResponse({"error": "empty message"}, status_code=400)
        if text is not None and len(text) > self.config.max_message_chars * 2:
            text = text[: self.config.max_message_chars * 2]  # the tutor refuses it politely
        if not (isinstance(client_id, str) and _CLIENT_ID.match(client_id)):
            client_id = secrets.token_urlsafe(12)

        learner = self._cookie.loads(request.cookies.get(COOKIE_NAME))
        new_cookie = learner is None
        if learner is None:
            learner = self._cookie.new_id()
        inbound = Inbound(
            channel=CHANNEL,
            user_id=learner,
            message_id=f"{learner}:{client_id}",
            text=text,
            payload=payload,
            kind="button" if payload is not None else "text",
        )
        async with self._locks.hold(learner):  # one learner's turns in order, like the other channels
            try:
                replies: list[Reply] = await self._runner.call("handle", inbound)
            except Exception as exc:  # the tutor never raises; this is a last guard
                log.error("web chat turn failed: %s", type(exc).__name__)
                replies = [Reply(APOLOGY)]
        replies = [*self.take_pending(learner), *replies]
        response = _no_store(JSONResponse({"replies": [self.reply_json(r) for r in replies]}))
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

    def close(self) -> None:
        """Release the tutor's threads."""
        self._runner.close()


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
