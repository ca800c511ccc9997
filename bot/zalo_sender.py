"""Sending one planned Zalo message through the OA API: the access token (refreshed once on
-216), lesson images uploaded once and their attachment ids reused a while, documents uploaded
each time (exports are single-use). `bot.zalo.ZaloChannel` plans the turn and composes this."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot.zalo_api import (
    DOCUMENT_TYPES,
    ERROR_TOKEN_EXPIRED,
    IMAGE_TYPES,
    MAX_FILE_BYTES,
    MAX_IMAGE_BYTES,
    SendResult,
    ZaloApi,
    ZaloApiError,
)
from bot.zalo_render import ZaloOut
from bot.zalo_tokens import ZaloTokens

log = logging.getLogger("bot.zalo")  # the channel's logger: operators grep one name

# Sent instead of a document Zalo would not take (e.g. a type it refuses), so the turn never goes silent.
DOCUMENT_NOT_SENT = "📄 Zalo chưa nhận gửi tệp này. Bạn thử lại sau, hoặc mở trang web học và gõ /taidulieu nhé."


class ZaloSender:
    """Sends planned messages with the OA's access token; connected to the API when the channel starts."""

    def __init__(self, clock: Callable[[], datetime], attachment_ttl: timedelta) -> None:
        """`attachment_ttl`: how long an uploaded image's attachment id is reused."""
        self._clock = clock
        self._attachment_ttl = attachment_ttl
        self._api: ZaloApi | None = None
        self._tokens: ZaloTokens | None = None
        self._attachments: dict[tuple[str, float], tuple[str, datetime]] = {}  # (path, mtime) -> id, when
        self.sent_messages = 0

    def connect(self, api: ZaloApi, tokens: ZaloTokens) -> None:
        """Use this API client and token keeper from now on (the channel's start)."""
        self._api = api
        self._tokens = tokens

    async def send(self, user_id: str, out: ZaloOut) -> SendResult:
        """Send one message (its image or document uploaded first).

        Raises ZaloApiError when Zalo refuses it.
        """
        if out.document is not None:
            attachment = await self._document_token(out.document, out.document_name)
        else:
            attachment = await self._attachment(out.image) if out.image is not None else None
        message = out.message(attachment) if out.document is None or attachment else {"text": DOCUMENT_NOT_SENT}
        result = await self._with_token(lambda token: self._connected_api().send(token, user_id, message))
        if not result.ok:
            log.warning("Zalo: message refused (error %s)", result.error)
            raise ZaloApiError(result.error, "send refused")
        self.sent_messages += 1
        return result

    def _connected_api(self) -> ZaloApi:
        assert self._api is not None, "channel not started"
        return self._api

    async def _with_token(self, call: Callable[[str], Awaitable[SendResult]]) -> SendResult:
        """Run an API call with the access token; on -216 refresh once and run it again."""
        assert self._tokens is not None, "channel not started"
        token = await self._tokens.access_token()
        result = await call(token)
        if result.error == ERROR_TOKEN_EXPIRED:
            token = await self._tokens.refresh(token)
            result = await call(token)
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
        if cached is not None and now - cached[1] < self._attachment_ttl:
            return cached[0]
        content_type = IMAGE_TYPES.get(path.suffix.lower())
        if content_type is None or stat.st_size > MAX_IMAGE_BYTES:
            return None
        data = await asyncio.to_thread(path.read_bytes)
        result = await self._with_token(
            lambda token: self._connected_api().upload_image(token, data, path.name, content_type)
        )
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
            lambda token: self._connected_api().upload_file(token, data, name or path.name, content_type)
        )
        if not result.ok or not result.message_id:
            log.warning("Zalo: file upload refused (error %s); sending a note instead", result.error)
            return None
        return result.message_id
