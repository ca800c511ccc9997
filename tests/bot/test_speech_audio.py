"""Decoding real OGG/Opus, WebM/Opus, MP3, WAV and M4A/AAC through ffmpeg, and every bad input named."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from bot.speech.audio import (
    SAMPLE_RATE,
    TMP_PREFIX,
    DecodedAudio,
    SpeechError,
    decode_audio,
    max_bytes_for,
    remove_stale,
)
from tests.bot.speech_clips import FORMATS, encode, needs_ffmpeg, silence, tone

pytestmark = needs_ffmpeg


@pytest.fixture
def voice_tmp(tmp_path: Path) -> Path:
    """The decoder's temporary folder; every test checks it is empty afterwards."""
    folder = tmp_path / "voice-tmp"
    folder.mkdir()
    yield folder
    assert list(folder.iterdir()) == [], "a temporary audio file was left behind"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_channel_format_decodes_to_16k_mono(fmt: str, tmp_path: Path, voice_tmp: Path) -> None:
    data = tone(2.0, fmt, tmp_path)
    audio = decode_audio(data, max_seconds=60, tmp_dir=voice_tmp)
    assert audio.samples.dtype == np.float32
    assert abs(audio.seconds - 2.0) < 0.15, audio.seconds
    assert 0.03 < float(np.max(np.abs(audio.samples))) <= 1.0  # lavfi sine peaks at 1/8 × volume


def test_decoded_audio_round_trips_as_wav(tmp_path: Path, voice_tmp: Path) -> None:
    audio = decode_audio(tone(1.0, "ogg_opus", tmp_path), max_seconds=60, tmp_dir=voice_tmp)
    again = decode_audio(audio.wav_bytes(), max_seconds=60, tmp_dir=voice_tmp)
    assert len(again.samples) == len(audio.samples)
    assert float(np.max(np.abs(again.samples - audio.samples))) < 1e-3


def test_a_note_over_max_seconds_is_too_long(tmp_path: Path, voice_tmp: Path) -> None:
    data = tone(5.0, "ogg_opus", tmp_path)
    assert decode_audio(data, max_seconds=6, tmp_dir=voice_tmp).seconds == pytest.approx(5.0, abs=0.15)
    with pytest.raises(SpeechError) as caught:
        decode_audio(data, max_seconds=3, tmp_dir=voice_tmp)
    assert caught.value.problem == "too_long"


def test_more_bytes_than_a_note_can_hold_are_refused_before_decoding(voice_tmp: Path) -> None:
    with pytest.raises(SpeechError) as caught:
        decode_audio(b"\0" * (max_bytes_for(1) + 1), max_seconds=1, tmp_dir=voice_tmp)
    assert caught.value.problem == "too_long"


@pytest.mark.parametrize("fmt", ["ogg_opus", "webm_opus", "wav"])
def test_silence_is_silent(fmt: str, tmp_path: Path, voice_tmp: Path) -> None:
    with pytest.raises(SpeechError) as caught:
        decode_audio(silence(3.0, fmt, tmp_path), max_seconds=60, tmp_dir=voice_tmp)
    assert caught.value.problem == "silent"


def test_a_tap_on_the_mic_is_silent(tmp_path: Path, voice_tmp: Path) -> None:
    with pytest.raises(SpeechError) as caught:
        decode_audio(tone(0.1, "wav", tmp_path), max_seconds=60, tmp_dir=voice_tmp)
    assert caught.value.problem == "silent"


def _png(tmp_path: Path) -> bytes:
    out = tmp_path / "image.png"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=red:s=16x16",
            "-frames:v",
            "1",
            str(out),
        ],
        check=True,
        timeout=60,
    )
    return out.read_bytes()


@pytest.mark.parametrize(
    "make",
    [
        lambda tmp: "Xin chào, đây là chữ chứ không phải âm thanh.".encode(),
        lambda tmp: bytes(range(256)) * 8,
        _png,
        lambda tmp: b"",
    ],
    ids=["text", "random-bytes", "image", "empty"],
)
def test_what_is_not_audio_is_named_so(make, tmp_path: Path, voice_tmp: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpeechError) as caught:
        decode_audio(make(tmp_path), max_seconds=60, tmp_dir=voice_tmp)
    assert caught.value.problem == "not_audio"


def test_a_corrupt_ogg_is_corrupt(tmp_path: Path, voice_tmp: Path) -> None:
    good = tone(2.0, "ogg_opus", tmp_path)
    broken = good[:200] + bytes(reversed(good[200:4000]))  # a real header, then mangled pages
    with pytest.raises(SpeechError) as caught:
        decode_audio(broken, max_seconds=60, tmp_dir=voice_tmp)
    assert caught.value.problem == "corrupt"


def test_a_codec_ffmpeg_lacks_is_unsupported(tmp_path: Path, voice_tmp: Path) -> None:
    wav = bytearray(tone(1.0, "wav", tmp_path))
    fmt_chunk = wav.find(b"fmt ") + 8
    wav[fmt_chunk : fmt_chunk + 2] = (0x7777).to_bytes(2, "little")  # an audio format tag nobody decodes
    with pytest.raises(SpeechError) as caught:
        decode_audio(bytes(wav), max_seconds=60, tmp_dir=voice_tmp)
    assert caught.value.problem == "unsupported"


def test_stereo_48k_input_is_downmixed(tmp_path: Path, voice_tmp: Path) -> None:
    graph = "sine=frequency=440:duration=1.5:sample_rate=48000"
    out = tmp_path / "stereo.wav"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", graph, "-ac", "2", str(out)],
        check=True,
        timeout=60,
    )
    audio = decode_audio(out.read_bytes(), max_seconds=60, tmp_dir=voice_tmp)
    assert len(audio.samples) == pytest.approx(1.5 * SAMPLE_RATE, abs=SAMPLE_RATE * 0.05)
    assert isinstance(audio, DecodedAudio)


def test_encode_helper_covers_the_channels() -> None:
    assert {"ogg_opus", "webm_opus", "mp3", "wav", "m4a_aac"} <= set(FORMATS)
    assert callable(encode)


def test_notes_left_by_a_killed_process_are_removed_at_start(tmp_path: Path) -> None:
    import os
    import time

    folder = tmp_path / "voice-tmp"
    folder.mkdir()
    old, fresh, other = folder / f"{TMP_PREFIX}old", folder / f"{TMP_PREFIX}fresh", folder / "not-ours"
    for path in (old, fresh, other):
        path.write_bytes(b"audio")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    os.utime(other, (two_hours_ago, two_hours_ago))
    assert remove_stale(folder) == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted([fresh.name, other.name])
    assert remove_stale(tmp_path / "missing") == 0
