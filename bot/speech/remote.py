"""A remote OpenAI-compatible transcription endpoint (`POST {base_url}/audio/transcriptions`).

For better accuracy an operator runs a larger Whisper on their own machine (e.g. a faster-whisper
server) and sets `voice.base_url` (like `llm.base_url`, it ends in `/v1`), `voice.model` and
`HOCVUSO_VOICE__API_KEY`. The decoded note is sent as a 16 kHz WAV, so the endpoint never has to
read a platform's container; nothing about the learner travels with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx

from bot.speech.whisper_local import clean_transcript

log = logging.getLogger(__name__)


class RemoteFailed(RuntimeError):
    """The endpoint did not answer with a transcript (network, status, body)."""


@dataclass(frozen=True)
class RemoteConfig:
    """Where the remote endpoint is and how long to wait for it."""

    base_url: str
    model: str
    api_key: str = field(default="", repr=False)
    timeout_s: float = 20.0
    language: str = "vi"


class RemoteWhisper:
    """Transcribes a WAV through the endpoint; raises RemoteFailed so the caller can fall back."""

    name = "remote"

    def __init__(self, config: RemoteConfig, client: httpx.Client | None = None) -> None:
        self.config = config
        self._client = client or httpx.Client(timeout=config.timeout_s)

    @property
    def url(self) -> str:
        return self.config.base_url.rstrip("/") + "/audio/transcriptions"

    def transcribe_wav(self, wav: bytes) -> str:
        """The endpoint's transcript of `wav` (cleaned like a local one)."""
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        form = {"model": self.config.model, "language": self.config.language, "response_format": "json"}
        try:
            response = self._client.post(
                self.url, headers=headers, data=form, files={"file": ("voice.wav", wav, "audio/wav")}
            )
        except httpx.HTTPError as exc:
            raise RemoteFailed(type(exc).__name__) from exc
        if response.status_code != 200:
            raise RemoteFailed(f"HTTP {response.status_code}")
        try:
            text = response.json()["text"]
        except (ValueError, KeyError, TypeError) as exc:
            raise RemoteFailed("no 'text' in the response") from exc
        if not isinstance(text, str):
            raise RemoteFailed("'text' is not a string")
        return clean_transcript(text)

    def close(self) -> None:
        self._client.close()
