"""The speech service: model assembly, the remote endpoint and its fallback, the bounded pool,
and (slow) real transcription with the local Whisper base model."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.speech import (
    LocalModelConfig,
    LocalWhisper,
    RemoteConfig,
    RemoteWhisper,
    SpeechConfig,
    SpeechError,
    SpeechService,
    assemble_model,
)
from bot.speech.whisper_local import clean_transcript, model_parts
from tests.bot.speech_clips import FakeLocal, needs_espeak, needs_ffmpeg, speech, tone
from tests.fakes.transcription_server import TranscriptionFake


def test_the_model_is_joined_once_atomically_by_concurrent_callers(tmp_path: Path) -> None:
    expected = sum(part.stat().st_size for part in model_parts())
    with ThreadPoolExecutor(3) as pool:
        folders = list(pool.map(lambda _: assemble_model(tmp_path / "models"), range(3)))
    assert len(set(folders)) == 1
    folder = folders[0]
    assert (folder / "model.bin").stat().st_size == expected
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    mtime = (folder / "model.bin").stat().st_mtime_ns
    assert assemble_model(tmp_path / "models") == folder
    assert (folder / "model.bin").stat().st_mtime_ns == mtime  # not joined again


def test_a_half_written_model_is_rebuilt(tmp_path: Path) -> None:
    folder = assemble_model(tmp_path / "models")
    with (folder / "model.bin").open("r+b") as handle:
        handle.truncate(1000)  # as if a copy had been killed half-way by hand
    assemble_model(tmp_path / "models")
    assert (folder / "model.bin").stat().st_size == sum(part.stat().st_size for part in model_parts())


def test_known_hallucinations_are_dropped() -> None:
    assert clean_transcript(" Hãy subscribe cho kênh Ghiền Mì Gõ để không bỏ lỡ") == ""
    assert clean_transcript("  mật  khẩu\nmạnh ") == "mật khẩu mạnh"


@needs_ffmpeg
def test_remote_endpoint_gets_a_wav_and_its_text_is_used(tmp_path: Path) -> None:
    local = FakeLocal()
    with TranscriptionFake(text=" Làm sao tạo mật khẩu mạnh? ") as fake:
        remote = RemoteWhisper(RemoteConfig(fake.base_url, "large-v3", "sk-test"))
        service = SpeechService(SpeechConfig(tmp_dir=tmp_path / "t"), local, remote)  # type: ignore[arg-type]
        try:
            result = service.transcribe(tone(1.5, "ogg_opus", tmp_path))
        finally:
            service.close()
    assert (result.text, result.engine) == ("Làm sao tạo mật khẩu mạnh?", "remote")
    assert local.calls == 0
    request = fake.requests[-1]
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.fields == {"model": "large-v3", "language": "vi", "response_format": "json"}
    assert request.file[:4] == b"RIFF" and request.filename == "voice.wav"


@needs_ffmpeg
@pytest.mark.parametrize("failure", ["status", "body", "down"])
def test_remote_failure_falls_back_to_the_local_model(failure: str, tmp_path: Path) -> None:
    local = FakeLocal("học tiếp")
    with TranscriptionFake() as fake:
        fake.status = 503 if failure == "status" else 200
        fake.raw_body = b"<html>gateway</html>" if failure == "body" else None
        if failure != "down":
            result = _transcribe_with(fake.base_url, local, tmp_path)
        base_url = fake.base_url
    if failure == "down":
        result = _transcribe_with(base_url, local, tmp_path)  # nothing listens there any more
    assert (result.text, result.engine) == ("học tiếp", "local")
    assert local.calls == 1


def _transcribe_with(base_url: str, local: FakeLocal, tmp_path: Path):  # type: ignore[no-untyped-def]
    remote = RemoteWhisper(RemoteConfig(base_url, "m", timeout_s=5))
    service = SpeechService(SpeechConfig(tmp_dir=tmp_path / "t"), local, remote)  # type: ignore[arg-type]
    try:
        return service.transcribe(tone(1.0, "wav", tmp_path))
    finally:
        service.close()


@needs_ffmpeg
def test_an_empty_transcript_is_silent(tmp_path: Path) -> None:
    service = SpeechService(SpeechConfig(), FakeLocal(""))  # type: ignore[arg-type]
    try:
        with pytest.raises(SpeechError) as caught:
            service.transcribe(tone(1.0, "wav", tmp_path))
    finally:
        service.close()
    assert caught.value.problem == "silent"


@needs_ffmpeg
def test_the_pool_is_bounded_and_refuses_when_full(tmp_path: Path) -> None:
    gate = threading.Event()
    local = FakeLocal("ok", gate)
    service = SpeechService(SpeechConfig(workers=1), local)  # type: ignore[arg-type]
    clip = tone(0.5, "wav", tmp_path)
    try:
        futures = [service.submit(clip) for _ in range(5)]  # 1 running + 4 waiting
        refused = service.submit(clip)
        with pytest.raises(SpeechError) as caught:
            refused.result(timeout=5)
        assert caught.value.problem == "busy"
        gate.set()
        assert [f.result(timeout=60).text for f in futures] == ["ok"] * 5
        assert service.submit(clip).result(timeout=60).text == "ok"  # slots came back
    finally:
        gate.set()
        service.close()


@pytest.mark.slow
@needs_ffmpeg
@needs_espeak
def test_real_speech_is_transcribed_by_the_local_model(tmp_path: Path) -> None:
    """espeak-ng's English is clear enough for Whisper base; its Vietnamese is not (the benchmark
    uses real Vietnamese recordings: `hocvuso bench voice`)."""
    local = LocalWhisper(LocalModelConfig(models_dir=tmp_path / "models", language="en"))
    service = SpeechService(SpeechConfig(tmp_dir=tmp_path / "t"), local)
    try:
        note = speech("Hello. I want to learn how to make a strong password.", "en", "ogg_opus", tmp_path)
        result = service.transcribe(note)
    finally:
        service.close()
    words = result.text.lower()
    assert "password" in words and "learn" in words, result.text
    assert result.engine == "local" and 2 < result.seconds < 8
    assert list((tmp_path / "t").iterdir()) == []
