"""Zalo audio messages end to end: a signed `user_send_audio` event over real HTTP, the note
downloaded from its URL (a local server standing in for Zalo's CDN), heard, answered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.server import create_app
from bot.speech import SpeechService
from tests.bot.speech_clips import fake_speech, needs_ffmpeg, tone
from tests.bot.telegram_helpers import serve_app
from tests.bot.zalo_helpers import ZaloRepos, audio_event, make_zalo_channel, make_zalo_repos, signed
from tests.fakes.tutor_port import FakeTutor
from tests.fakes.zalo_api import FakeZaloApi

pytestmark = [pytest.mark.slow, needs_ffmpeg]
USER = "2468458835296117999"


@pytest.fixture
def repos(database_url: str) -> Iterator[ZaloRepos]:
    built, engine = make_zalo_repos(database_url)
    yield built
    engine.dispose()


async def _run(fake: FakeZaloApi, repos: ZaloRepos, tutor: FakeTutor, speech: SpeechService | None, events) -> None:  # type: ignore[no-untyped-def]
    channel = make_zalo_channel(fake, repos, tutor, speech=speech)
    async with serve_app(create_app(channels=[channel])) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
            for event in events:
                body, headers = signed(event)
                response = await client.post("/zalo/webhook", content=body, headers=headers)
                assert response.status_code == 200
            await channel.idle(60)


async def test_an_audio_message_is_heard_and_answered(fake_zalo: FakeZaloApi, repos: ZaloRepos, tmp_path: Path) -> None:
    tutor, speech = FakeTutor(), fake_speech("Làm bài tập.", tmp_path / "t")
    url = fake_zalo.serve_media("voice-1.m4a", tone(2.0, "m4a_aac", tmp_path))
    event = audio_event(USER, url)
    await _run(fake_zalo, repos, tutor, speech, [event])
    speech.close()
    assert [c.text for c in fake_zalo.messages(USER)] == ["Bạn hỏi: Làm bài tập."]
    [inbound] = tutor.inbounds
    assert (inbound.kind, inbound.text, inbound.voice_problem) == ("voice", "Làm bài tập.", None)
    assert inbound.message_id == event["message"]["msg_id"]
    assert repos.inbox.status("zalo", event["message"]["msg_id"]) == "processed"
    assert list((tmp_path / "t").iterdir()) == []


async def test_bad_or_missing_audio_is_a_problem_for_the_tutor(
    fake_zalo: FakeZaloApi, repos: ZaloRepos, tmp_path: Path
) -> None:
    tutor, speech = FakeTutor(), fake_speech("không dùng tới", max_seconds=2)
    events = [
        audio_event(USER, fake_zalo.serve_media("long.m4a", tone(4.0, "m4a_aac", tmp_path))),
        audio_event(USER, fake_zalo.serve_media("photo.jpg", b"\xff\xd8\xff\xe0 not a sound")),
        audio_event(USER, f"{fake_zalo.base_url}/media/gone.aac"),  # 404 on the CDN
    ]
    await _run(fake_zalo, repos, tutor, speech, events)
    speech.close()
    assert [(i.kind, i.text, i.voice_problem) for i in tutor.inbounds] == [
        ("voice", None, "too_long"),
        ("voice", None, "not_audio"),
        ("voice", None, "failed"),
    ]


async def test_without_speech_nothing_is_downloaded(fake_zalo: FakeZaloApi, repos: ZaloRepos, tmp_path: Path) -> None:
    tutor = FakeTutor()
    url = fake_zalo.serve_media("voice-2.m4a", tone(1.0, "m4a_aac", tmp_path))
    await _run(fake_zalo, repos, tutor, None, [audio_event(USER, url)])
    assert [(i.kind, i.text, i.voice_problem) for i in tutor.inbounds] == [("voice", None, None)]
    assert fake_zalo.media_downloads == []
