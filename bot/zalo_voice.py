"""Zalo audio messages (`user_send_audio`): the event carries a URL on Zalo's servers; the note is
downloaded into memory (capped), heard by `bot.speech`, and never stored."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from bot.speech import Heard, SpeechService, hear
from bot.speech.audio import max_bytes_for

log = logging.getLogger(__name__)

AUDIO_EVENT = "user_send_audio"


def audio_url(message: dict[str, Any]) -> str | None:
    """The URL of the first audio attachment of an event's `message`, if any."""
    for attachment in message.get("attachments") or []:
        if not isinstance(attachment, dict) or attachment.get("type") not in ("audio", "voice"):
            continue
        url = (attachment.get("payload") or {}).get("url")
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return url
    return None


async def hear_audio(http: httpx.AsyncClient, speech: SpeechService | None, message: object) -> Heard:
    """What the follower said in an audio message (an event's `message`; never raises)."""
    if speech is None:
        return Heard(None)
    url = audio_url(message) if isinstance(message, dict) else None
    if url is None:
        return Heard(None, "not_audio")
    limit = max_bytes_for(speech.config.max_seconds)
    data = bytearray()
    try:
        async with http.stream("GET", url, follow_redirects=True) as response:
            if response.status_code != 200:
                log.warning("Zalo: audio download answered HTTP %d", response.status_code)
                return Heard(None, "failed")
            async for chunk in response.aiter_bytes():
                data.extend(chunk)
                if len(data) > limit:
                    return Heard(None, "too_long")  # the rest is not downloaded
    except httpx.HTTPError as exc:
        log.warning("Zalo: could not download an audio message (%s)", type(exc).__name__)
        return Heard(None, "failed")
    return await hear(speech, bytes(data))
