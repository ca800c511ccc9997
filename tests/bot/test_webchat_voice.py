"""The web chat's microphone endpoint over real HTTP: `POST /api/voice` with a real recording
(WebM/Opus as Chrome records it), the same cookie as `/api/chat`, limits, and bad recordings."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.server import create_app
from bot.speech import LocalModelConfig, LocalWhisper, SpeechConfig, SpeechService
from bot.webchat import WebChat, WebChatConfig
from tests.bot.speech_clips import FakeLocal, fake_speech, needs_espeak, needs_ffmpeg, speech, tone
from tests.bot.telegram_helpers import serve_app
from tests.fakes.tutor_port import FakeTutor

pytestmark = [pytest.mark.slow, needs_ffmpeg]
SECRET = b"cookie-secret-for-voice-tests"
WEBM = "audio/webm;codecs=opus"


@pytest.fixture
def voice_tmp(tmp_path: Path) -> AsyncIterator[Path]:
    folder = tmp_path / "voice-tmp"
    yield folder
    assert not folder.exists() or list(folder.iterdir()) == [], "a recording was left on disk"


async def _site(tutor: FakeTutor, speech: SpeechService | None, max_seconds: int = 60):  # type: ignore[no-untyped-def]
    chat = WebChat(WebChatConfig(cookie_secret=SECRET, voice_max_seconds=max_seconds), tutor, speech=speech)
    return chat, serve_app(create_app(extra_routers=[chat.router()]))


async def test_a_recording_is_heard_and_answered_with_the_same_cookie(tmp_path: Path, voice_tmp: Path) -> None:
    tutor, speech = FakeTutor(), fake_speech("Học tiếp.", voice_tmp)
    chat, served = await _site(tutor, speech)
    async with served as base_url, httpx.AsyncClient(base_url=base_url) as client:
        typed = await client.post("/api/chat", json={"text": "xin chào", "id": "m1"})
        cookie = typed.cookies
        spoken = await client.post(
            "/api/voice?id=v1", content=tone(1.5, "webm_opus", tmp_path), headers={"Content-Type": WEBM}
        )
        assert spoken.status_code == 200, spoken.text
        assert spoken.json()["replies"][0]["text"] == "Bạn hỏi: Học tiếp."
        assert spoken.headers["cache-control"] == "no-store"
        assert "set-cookie" not in spoken.headers and cookie  # the same learner, no new cookie
    chat.close()
    speech.close()
    first, voice = tutor.inbounds
    assert (voice.kind, voice.text, voice.voice_problem) == ("voice", "Học tiếp.", None)
    assert voice.user_id == first.user_id and voice.message_id == f"{first.user_id}:v1"


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "multipart/form-data; boundary=x", ""])
async def test_only_audio_types_are_accepted(content_type: str, tmp_path: Path) -> None:
    tutor, speech = FakeTutor(), fake_speech("x")
    chat, served = await _site(tutor, speech)
    async with served as base_url, httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post(
            "/api/voice", content=b"\x1aE\xdf\xa3" * 10, headers={"Content-Type": content_type}
        )
        assert response.status_code == 415
    chat.close()
    speech.close()
    assert tutor.inbounds == []


async def test_bad_recordings_reach_the_tutor_as_named_problems(tmp_path: Path, voice_tmp: Path) -> None:
    tutor, speech = FakeTutor(), fake_speech("không dùng tới", voice_tmp, max_seconds=2)
    chat, served = await _site(tutor, speech, max_seconds=2)
    async with served as base_url, httpx.AsyncClient(base_url=base_url) as client:
        cases = [
            (bytes(range(256)) * 4, "audio/webm"),  # not audio at all
            (tone(3.0, "webm_opus", tmp_path), WEBM),  # over voice_max_seconds
            (b"\0" * 2_000_000, "audio/ogg"),  # more bytes than 2 s can hold: not even read
        ]
        for body, content_type in cases:
            response = await client.post("/api/voice", content=body, headers={"Content-Type": content_type})
            assert response.status_code == 200
        assert (await client.post("/api/voice", content=b"", headers={"Content-Type": WEBM})).status_code == 400
    chat.close()
    speech.close()
    assert [(i.kind, i.text, i.voice_problem) for i in tutor.inbounds] == [
        ("voice", None, "not_audio"),
        ("voice", None, "too_long"),
        ("voice", None, "too_long"),
    ]


async def test_without_speech_the_tutor_says_voice_is_off(tmp_path: Path) -> None:
    tutor = FakeTutor()
    chat, served = await _site(tutor, None)
    async with served as base_url, httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post(
            "/api/voice", content=tone(1.0, "webm_opus", tmp_path), headers={"Content-Type": WEBM}
        )
        assert response.status_code == 200
    chat.close()
    assert [(i.kind, i.text, i.voice_problem) for i in tutor.inbounds] == [("voice", None, None)]


async def test_the_page_ships_the_microphone_script(tmp_path: Path) -> None:
    chat, served = await _site(FakeTutor(), None)
    async with served as base_url, httpx.AsyncClient(base_url=base_url) as client:
        page = (await client.get("/")).text
        script = await client.get("/static/voice.js")
    chat.close()
    assert '<script src="/static/voice.js" defer></script>' in page
    assert script.status_code == 200 and "MediaRecorder" in script.text and "/api/voice" in script.text


async def test_text_turns_never_wait_behind_audio(tmp_path: Path) -> None:
    gate = threading.Event()
    tutor, local = FakeTutor(), FakeLocal("học tiếp", gate)
    speech_service = SpeechService(SpeechConfig(workers=1), local)  # type: ignore[arg-type]
    chat, served = await _site(tutor, speech_service)
    async with served as base_url, httpx.AsyncClient(base_url=base_url, timeout=60) as voice_client:
        note = tone(1.0, "webm_opus", tmp_path)
        spoken = asyncio.create_task(voice_client.post("/api/voice", content=note, headers={"Content-Type": WEBM}))
        deadline = asyncio.get_running_loop().time() + 30
        while local.calls == 0 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)  # until the note is being "heard" (held at the gate)
        assert local.calls == 1
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as other:
            typed = await other.post("/api/chat", json={"text": "tiến độ"})  # another learner
        assert typed.json()["replies"][0]["text"] == "Bạn hỏi: tiến độ"
        assert not spoken.done()
        gate.set()
        assert (await spoken).json()["replies"][0]["text"] == "Bạn hỏi: học tiếp"
    chat.close()
    speech_service.close()


@needs_espeak
async def test_real_speech_through_the_web_chat_with_the_local_model(tmp_path: Path) -> None:
    """The whole path with the real model: a spoken English sentence (espeak-ng; its Vietnamese is
    not intelligible to Whisper base) recorded as WebM/Opus, posted, transcribed, handed over."""
    tutor = FakeTutor()
    local = LocalWhisper(LocalModelConfig(models_dir=tmp_path / "models", language="en"))
    speech_service = SpeechService(SpeechConfig(tmp_dir=tmp_path / "t"), local)
    chat, served = await _site(tutor, speech_service)
    note = speech("Please explain how to make a strong password.", "en", "webm_opus", tmp_path)
    async with served as base_url, httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        response = await client.post("/api/voice", content=note, headers={"Content-Type": WEBM})
    chat.close()
    speech_service.close()
    assert response.status_code == 200
    [inbound] = tutor.inbounds
    assert inbound.kind == "voice" and "password" in (inbound.text or "").lower(), inbound.text
    assert list((tmp_path / "t").iterdir()) == []


async def test_a_voice_turn_is_kept_in_the_history_as_what_was_heard(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from bot.webchat_history import WebChatHistory
    from hocvuso.container import Container

    built = Container(settings)
    tutor, speech_service = FakeTutor(), fake_speech("Học tiếp.")
    chat = WebChat(
        WebChatConfig(cookie_secret=SECRET), tutor, WebChatHistory(built.session_factory), speech=speech_service
    )
    async with serve_app(create_app(extra_routers=[chat.router()])) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            await client.post("/api/chat", json={"payload": "consent:yes", "label": "Đồng ý", "id": "h1"})
            note = tone(1.0, "webm_opus", tmp_path)
            await client.post("/api/voice?id=h2", content=note, headers={"Content-Type": WEBM})
            messages = (await client.get("/api/history")).json()["messages"]
    chat.close()
    speech_service.close()
    built.close()
    mine = [m["text"] for m in messages if m["role"] == "me"]
    assert mine == ["Đồng ý", "🎤 Học tiếp."]
