"""Telegram voice notes and audio files: downloaded with getFile through the real library from the
fake Bot API, decoded by ffmpeg, heard, and handed to the tutor as kind "voice"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.speech import SpeechService
from bot.telegram import TelegramChannel, TelegramConfig
from tests.bot.speech_clips import fake_speech, needs_ffmpeg, tone
from tests.bot.telegram_helpers import Repos, eventually, make_repos, sent_texts, wait_calls
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.tutor_port import FakeTutor

pytestmark = [pytest.mark.slow, needs_ffmpeg]
USER = 4343


@pytest.fixture
def repos(database_url: str) -> Iterator[Repos]:
    built, engine = make_repos(database_url)
    yield built
    engine.dispose()


def voice_channel(
    fake: FakeTelegramApi, repos: Repos, tutor: FakeTutor, speech: SpeechService | None
) -> TelegramChannel:
    config = TelegramConfig(
        token=fake.token, mode="polling", base_url=fake.base_url, polling_timeout_s=1, reminder_sync_s=3600
    )
    return TelegramChannel(config, tutor, repos.inbox, repos.polls, speech=speech)


async def test_voice_notes_and_audio_files_are_heard(fake_api: FakeTelegramApi, repos: Repos, tmp_path: Path) -> None:
    tutor, speech = FakeTutor(), fake_speech("Học tiếp.", tmp_path / "t", max_seconds=5)
    channel = voice_channel(fake_api, repos, tutor, speech)
    await channel.start_polling()
    try:
        fake_api.push_update(fake_api.voice_update(USER, tone(1.5, "ogg_opus", tmp_path), duration=2))
        fake_api.push_update(
            fake_api.voice_update(USER, tone(1.0, "mp3", tmp_path), duration=1, kind="audio", mime_type="audio/mpeg")
        )
        calls = await wait_calls(fake_api, lambda c: len(sent_texts(c, USER)) >= 2, timeout=60)
        await eventually(lambda: repos.inbox.counts("telegram").get("processed") == 2)
    finally:
        await channel.stop()
        speech.close()
    assert [c.text for c in sent_texts(calls, USER)] == ["Bạn hỏi: Học tiếp."] * 2
    assert [(i.kind, i.text, i.voice_problem) for i in tutor.inbounds] == [("voice", "Học tiếp.", None)] * 2
    assert len(fake_api.find("getFile")) == 2 and len(fake_api.file_downloads) == 2
    assert list((tmp_path / "t").iterdir()) == []  # nothing of the audio kept


async def test_bad_notes_become_problems_and_long_ones_are_not_downloaded(
    fake_api: FakeTelegramApi, repos: Repos, tmp_path: Path
) -> None:
    tutor, speech = FakeTutor(), fake_speech("không dùng tới", max_seconds=5)
    channel = voice_channel(fake_api, repos, tutor, speech)
    await channel.start_polling()
    try:
        fake_api.push_update(fake_api.voice_update(USER, tone(1.0, "ogg_opus", tmp_path), duration=600))
        fake_api.push_update(fake_api.voice_update(USER, b"OggS" + bytes(range(200)) * 5, duration=3))
        await eventually(lambda: repos.inbox.counts("telegram").get("processed") == 2, timeout=60)
    finally:
        await channel.stop()
        speech.close()
    assert [(i.kind, i.text, i.voice_problem) for i in tutor.inbounds] == [
        ("voice", None, "too_long"),
        ("voice", None, "corrupt"),  # an OGG header, then garbage
    ]
    assert len(fake_api.file_downloads) == 1  # the 10-minute note was refused on its stated duration


async def test_without_speech_nothing_is_downloaded(fake_api: FakeTelegramApi, repos: Repos, tmp_path: Path) -> None:
    tutor = FakeTutor()
    channel = voice_channel(fake_api, repos, tutor, None)
    await channel.start_polling()
    try:
        fake_api.push_update(fake_api.voice_update(USER, tone(1.0, "ogg_opus", tmp_path), duration=1))
        await eventually(lambda: repos.inbox.counts("telegram").get("processed") == 1, timeout=60)
    finally:
        await channel.stop()
    assert [(i.kind, i.text, i.voice_problem) for i in tutor.inbounds] == [("voice", None, None)]
    assert fake_api.find("getFile") == [] and fake_api.file_downloads == []
