"""Speech-to-text for every channel: bytes of a voice note in, a transcript (or a named problem) out.

Transcription runs on its own bounded pool of `voice.workers` threads, so text turns (run on the
channels' tutor pools) never wait behind audio; when more notes wait than the pool can clear in a
reasonable time the newest is refused as "busy" instead of queueing without end. The audio lives
only in memory and one temporary file removed at once (bot.speech.audio): nothing is kept.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.speech.audio import SpeechError, decode_audio, remove_stale
from bot.speech.remote import RemoteFailed, RemoteWhisper
from bot.speech.whisper_local import LocalWhisper
from tutor.messages import Inbound

log = logging.getLogger(__name__)

QUEUE_PER_WORKER = 4  # notes waiting per worker before a new one is refused as "busy"


@dataclass(frozen=True)
class SpeechConfig:
    """Limits of the speech service (from `voice.*`)."""

    max_seconds: float = 60.0
    workers: int = 1
    tmp_dir: Path | None = None  # where a note's bytes sit while ffmpeg reads them (None: system temp)


@dataclass(frozen=True)
class Heard:
    """What a channel hands the tutor for a voice note: the transcript, or why there is none
    (both None: voice notes are off)."""

    text: str | None
    problem: str | None = None

    def inbound(self, channel: str, user_id: str, message_id: str, sent_at: datetime | None = None) -> Inbound:
        """The tutor's inbound for this note: kind "voice", the transcript as text."""
        return Inbound(
            channel, user_id, message_id, text=self.text, kind="voice", sent_at=sent_at, voice_problem=self.problem
        )


@dataclass(frozen=True)
class Transcript:
    """What was heard in one voice note."""

    text: str
    seconds: float  # length of the note
    elapsed_s: float  # decoding + transcription
    engine: str  # "local" or "remote"


class SpeechService:
    """Decodes and transcribes voice notes on a bounded pool; local model, remote endpoint first if set."""

    def __init__(self, config: SpeechConfig, local: LocalWhisper, remote: RemoteWhisper | None = None) -> None:
        self.config = config
        self._local = local
        self._remote = remote
        self._pool = ThreadPoolExecutor(max(1, config.workers), thread_name_prefix="voice")
        self._slots = threading.BoundedSemaphore(max(1, config.workers) * (1 + QUEUE_PER_WORKER))
        remove_stale(config.tmp_dir)

    def describe(self) -> dict[str, object]:
        """What /healthz says about voice notes (no personal data)."""
        return {
            "enabled": True,
            "engine": "remote, local fallback" if self._remote is not None else "local",
            "model_loaded": self._local.loaded,
            "max_seconds": self.config.max_seconds,
            "workers": self.config.workers,
        }

    def warm(self) -> Future[None]:
        """Assemble and load the local model in the background (the first note then waits less)."""
        return self._pool.submit(self._local.load)

    def transcribe(self, data: bytes) -> Transcript:
        """Decode and transcribe in the calling thread. Raises SpeechError naming the problem."""
        started = time.monotonic()
        audio = decode_audio(data, self.config.max_seconds, self.config.tmp_dir)
        text, engine = "", "local"
        if self._remote is not None:
            try:
                text, engine = self._remote.transcribe_wav(audio.wav_bytes()), "remote"
            except RemoteFailed as exc:
                log.warning("Remote transcription failed (%s); using the local model", exc)
        if engine == "local":
            try:
                text = self._local.transcribe(audio.samples)
            except Exception as exc:  # a broken model must not take the channel down
                log.error("Local transcription failed: %s", type(exc).__name__)  # type only, as everywhere
                raise SpeechError("failed", type(exc).__name__) from exc
        if not text:
            raise SpeechError("silent", "no speech recognized")
        return Transcript(text, round(audio.seconds, 2), round(time.monotonic() - started, 2), engine)

    def submit(self, data: bytes) -> Future[Transcript]:
        """`transcribe(data)` on the voice pool; a full queue fails the future with SpeechError("busy")."""
        if not self._slots.acquire(blocking=False):
            refused: Future[Transcript] = Future()
            refused.set_exception(SpeechError("busy", "voice queue full"))
            return refused
        try:
            future = self._pool.submit(self.transcribe, data)
        except RuntimeError:  # the pool was shut down
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        return future

    async def transcribe_async(self, data: bytes) -> Transcript:
        """`transcribe(data)` on the voice pool, awaited from an event loop."""
        return await asyncio.wrap_future(self.submit(data))

    def close(self) -> None:
        """Stop the pool (waiting notes are dropped) and the remote client."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._remote is not None:
            self._remote.close()


async def hear(speech: SpeechService | None, data: bytes) -> Heard:
    """Transcribe a channel's voice note on the voice pool; never raises. Logs durations and the
    problem only, never what was said."""
    if speech is None:
        return Heard(None)
    try:
        heard = await speech.transcribe_async(data)
    except SpeechError as exc:
        log.info("voice note not heard: %s", exc.problem)
        return Heard(None, exc.problem)
    except Exception as exc:  # a last guard: the learner gets the short "failed" reply
        log.error("voice note failed: %s", type(exc).__name__)
        return Heard(None, "failed")
    log.info("voice note heard: %.1f s of audio in %.1f s (%s)", heard.seconds, heard.elapsed_s, heard.engine)
    return Heard(heard.text)
