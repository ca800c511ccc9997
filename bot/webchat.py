"""The web chat: a small offline page (`GET /`) and `POST /api/chat`, in front of the same tutor.

A browser is a learner identified by a signed cookie (itsdangerous): a random id made on the first
message, signed with the cookie secret; a missing or tampered cookie simply starts a new learner.
The page (bot/static/) renders tutor text with `textContent` only, so tutor text is never HTML.
Lesson illustrations are served from the lessons folder (`GET /media/...`, images only).
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer

from tutor.messages import Inbound, Reply, TutorPort

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
ERROR_TEXT = "Xin lỗi, hệ thống đang bận. Bạn vui lòng thử lại sau ít phút nhé."
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
    """Routes of the web chat: the page, its two static files, the chat API and lesson images."""

    def __init__(self, config: WebChatConfig, tutor: TutorPort) -> None:
        self.config = config
        self._tutor = tutor
        self._cookie = LearnerCookie(config.cookie_secret)
        self._pool = ThreadPoolExecutor(config.tutor_workers, thread_name_prefix="web-tutor")
        self._media_root = config.media_root.resolve() if config.media_root else None

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
        try:
            replies = await asyncio.get_running_loop().run_in_executor(self._pool, self._tutor.handle, inbound)
        except Exception as exc:  # the tutor never raises; this is a last guard
            log.error("web chat turn failed: %s", type(exc).__name__)
            replies = [Reply(ERROR_TEXT)]
        response = JSONResponse({"replies": [self.reply_json(r) for r in replies]})
        response.headers["Cache-Control"] = "no-store"
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
        self._pool.shutdown(wait=False, cancel_futures=True)
