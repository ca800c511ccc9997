"""A Telegram voice note through everything real: the fake Bot API serves the note, a worker
process (`telegram.tutor_processes: 1`) downloads it with getFile, the local Whisper base model
hears it, and the real tutor shows what it heard before answering."""

from __future__ import annotations

from pathlib import Path

import pytest

from hocvuso.container import Container
from tests.bot.speech_clips import needs_espeak, needs_ffmpeg, speech, tone
from tests.bot.telegram_helpers import configure, eventually, polling_learner
from tests.fakes.telegram_api import FakeTelegramApi

pytestmark = [pytest.mark.slow, needs_ffmpeg, needs_espeak]


async def test_a_voice_note_is_heard_in_a_worker_with_the_real_model(
    ingested_container: Container, fake_api: FakeTelegramApi, tmp_path: Path
) -> None:
    configure(ingested_container, fake_api, mode="polling", tutor_processes=1)
    inbox = ingested_container.channel_inbox
    async with polling_learner(ingested_container, fake_api) as learner:
        notes = [
            speech("Hello, I want to learn about passwords.", "en", "ogg_opus", tmp_path),
            tone(2.0, "ogg_opus", tmp_path),  # a tone is no speech: the VAD hears nothing
        ]
        for note in notes:
            update = fake_api.voice_update(learner.user, note, duration=4)
            fake_api.push_update(update)
            # Generous: the worker runs at a lower CPU priority and loads the model at its first note.
            await eventually(lambda u=update: inbox.status("telegram", str(u["update_id"])) == "processed", 300)
    sent = [c.text for c in fake_api.find("sendMessage", learner.user)]
    assert sent[0].startswith("🎤 Mình nghe: «"), sent
    assert "chưa nghe rõ" in sent[-1]
    data_dir = ingested_container.settings.data_dir
    assert (data_dir / "models" / "whisper-base" / "model.bin").is_file()  # joined once, in the data dir
    assert list((data_dir / "tmp").iterdir()) == []  # no audio left behind
