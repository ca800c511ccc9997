"""Decoding any voice note to 16 kHz mono float samples with ffmpeg, and naming what went wrong.

Every input (OGG/Opus from Telegram, AAC/M4A/AMR from Zalo, WebM/Opus from a browser, MP3, WAV) goes
through one ffmpeg call. The bytes are written to a private temporary file first (an MP4/M4A needs a
seekable input) that is removed in every case, so no audio stays on disk after the call.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
MIN_SECONDS = 0.3  # shorter than this is a tap on the mic button, not a question
SILENCE_PEAK = 0.003  # about -50 dBFS: below this everywhere the note holds no voice
DECODE_TIMEOUT_S = 30.0
TMP_PREFIX = "hocvuso-voice-"
BYTES_PER_SECOND_CAP = 200_000  # above 1.5 Mbit/s of compressed audio: not a voice note (WAV 48 kHz stereo fits)

VoiceProblem = Literal["too_long", "silent", "not_audio", "corrupt", "unsupported", "busy", "failed"]


class SpeechError(Exception):
    """A voice note that cannot be heard; `problem` says why (the tutor words the reply)."""

    def __init__(self, problem: VoiceProblem, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else problem)
        self.problem: VoiceProblem = problem


@dataclass(frozen=True)
class DecodedAudio:
    """Mono float32 samples at 16 kHz in [-1, 1]."""

    samples: np.ndarray

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    def wav_bytes(self) -> bytes:
        """The samples as a 16-bit PCM WAV file (what a remote transcription endpoint receives)."""
        import io
        import wave

        pcm = (np.clip(self.samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes(pcm)
        return buffer.getvalue()


def ffmpeg_path() -> str | None:
    """The ffmpeg executable, or None when it is not installed."""
    return shutil.which("ffmpeg")


def max_bytes_for(max_seconds: float) -> int:
    """The largest upload worth decoding for notes of at most `max_seconds`."""
    return int(max_seconds * BYTES_PER_SECOND_CAP) + 1_000_000


def decode_audio(data: bytes, max_seconds: float, tmp_dir: Path | None = None) -> DecodedAudio:
    """Decode `data` (any container and codec ffmpeg reads) to 16 kHz mono.

    Raises SpeechError: too_long (over `max_seconds`, or more bytes than such a note can hold), not_audio (text, an image, random
    bytes), unsupported (a codec ffmpeg lacks), corrupt (an audio file that breaks off or fails its
    checks), silent (nothing above the silence floor, or shorter than MIN_SECONDS).
    """
    if not data:
        raise SpeechError("not_audio", "empty")
    if len(data) > max_bytes_for(max_seconds):
        raise SpeechError("too_long", f"{len(data)} bytes")
    ffmpeg = ffmpeg_path()
    if ffmpeg is None:
        raise SpeechError("failed", "ffmpeg is not installed")
    if tmp_dir is not None:
        tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, dir=tmp_dir)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # One second more than allowed: a longer note decodes past the limit and is refused below,
        # while ffmpeg never decodes more than that of an hour-long file.
        command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(path)]
        command += ["-t", f"{max_seconds + 1:.1f}", "-vn", "-sn", "-dn", "-ac", "1", "-ar", str(SAMPLE_RATE)]
        command += ["-f", "f32le", "pipe:1"]
        try:
            done = subprocess.run(command, capture_output=True, timeout=DECODE_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise SpeechError("corrupt", "ffmpeg timed out") from exc
    finally:
        path.unlink(missing_ok=True)
    errors = done.stderr.decode("utf-8", "replace")
    samples = np.frombuffer(done.stdout[: len(done.stdout) // 4 * 4], dtype="<f4").astype(np.float32)
    if done.returncode != 0 or not len(samples):
        raise SpeechError(classify_ffmpeg_error(errors, bool(len(samples))), _first_line(errors))
    audio = DecodedAudio(samples)
    if audio.seconds > max_seconds:
        raise SpeechError("too_long", f"over {max_seconds:g} s")
    if audio.seconds < MIN_SECONDS or float(np.max(np.abs(samples))) < SILENCE_PEAK:
        raise SpeechError("silent", f"{audio.seconds:.1f} s")
    return audio


def remove_stale(tmp_dir: Path | None, older_than_s: float = 3600.0) -> int:
    """Remove voice notes a killed process left in `tmp_dir` (older than `older_than_s`: another
    process sharing the folder may be decoding a fresh one). Returns how many were removed."""
    if tmp_dir is None or not tmp_dir.is_dir():
        return 0
    removed, cutoff = 0, time.time() - older_than_s
    for path in tmp_dir.glob(f"{TMP_PREFIX}*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:  # removed meanwhile by another process
            continue
    if removed:
        log.info("Removed %d voice note(s) left behind by a stopped process", removed)
    return removed


def classify_ffmpeg_error(stderr: str, decoded_some: bool) -> VoiceProblem:
    """What ffmpeg's error output says about the input."""
    text = stderr.lower()
    if "decoder" in text and "not found" in text or "unsupported codec" in text or "unknown codec" in text:
        return "unsupported"
    if "does not contain any stream" in text or "matches no streams" in text:
        return "not_audio"  # e.g. an image: ffmpeg reads it, but it holds no sound
    if "invalid data found when processing input" in text and not decoded_some:
        return "not_audio"
    return "corrupt"


def _first_line(text: str) -> str:
    # ffmpeg names the temporary file in its messages; only the reason after it is logged.
    line = text.strip().splitlines()[0] if text.strip() else "no output"
    return line.rsplit(": ", 1)[-1][:200]
