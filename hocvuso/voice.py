"""Builds the speech service from `voice.*` settings (called by the composition root)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from hocvuso.settings import ConfigError, Settings

if TYPE_CHECKING:
    from bot.speech import SpeechService

log = logging.getLogger("hocvuso.channels")


def check_voice_settings(settings: Settings) -> str | None:
    """What is wrong with a half-configured remote endpoint, or None."""
    voice = settings.voice
    if voice.base_url and not voice.model:
        return "voice.base_url is set but voice.model is empty: name the endpoint's model (e.g. whisper-1)."
    if voice.model and not voice.base_url:
        return "voice.model is set but voice.base_url is empty: set the endpoint (…/v1) or clear voice.model."
    if voice.base_url and not voice.base_url.startswith(("http://", "https://")):
        return f"voice.base_url must start with http:// or https:// (got {voice.base_url!r})."
    return None


def speech_models_dir(settings: Settings) -> Path:
    """Where the local model is joined from its packages."""
    return settings.data_dir / "models"


def build_speech_service(settings: Settings) -> SpeechService | None:
    """The speech service, or None when voice is off (disabled, or ffmpeg / the model packages
    missing: one log line says which). Raises ConfigError when the remote endpoint is half-set."""
    problem = check_voice_settings(settings)
    if problem:
        raise ConfigError(problem)
    voice = settings.voice
    if not voice.enabled:
        log.info("Voice notes are off: voice.enabled is false.")
        return None
    from bot.speech import LocalModelConfig, LocalWhisper, ModelUnavailable, SpeechConfig, SpeechService
    from bot.speech.audio import ffmpeg_path
    from bot.speech.remote import RemoteConfig, RemoteWhisper
    from bot.speech.whisper_local import model_parts

    if ffmpeg_path() is None:
        log.warning("Voice notes are off: ffmpeg is not installed (apt-get install ffmpeg, or make install).")
        return None
    try:
        model_parts()
    except ModelUnavailable as exc:
        log.warning("Voice notes are off: %s", exc)
        return None
    local = LocalWhisper(LocalModelConfig(models_dir=speech_models_dir(settings)))
    remote = None
    if voice.base_url:
        key = voice.api_key.get_secret_value() if voice.api_key is not None else ""
        remote = RemoteWhisper(RemoteConfig(voice.base_url, voice.model, key, timeout_s=voice.timeout_s))
    tmp_dir = settings.data_dir / "tmp"
    config = SpeechConfig(max_seconds=float(voice.max_seconds), workers=voice.workers, tmp_dir=tmp_dir)
    log.info(
        "Voice notes are on: %s, up to %d s, %d worker(s) (pid %d).",
        "remote endpoint, local fallback" if remote else "local model",
        voice.max_seconds,
        voice.workers,
        os.getpid(),
    )
    return SpeechService(config, local, remote)
