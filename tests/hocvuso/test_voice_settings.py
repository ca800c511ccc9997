"""voice.* settings and how the composition root builds (or switches off) the speech service."""

from __future__ import annotations

from pathlib import Path

import pytest

from hocvuso.container import Container
from hocvuso.settings import ConfigError, load_settings
from hocvuso.voice import build_speech_service


def test_defaults_are_the_issues(tmp_path: Path) -> None:
    voice = load_settings(None, data_dir=tmp_path).voice
    assert (voice.enabled, voice.max_seconds, voice.workers, voice.base_url, voice.model) == (True, 60, 1, "", "")
    assert voice.api_key is None


def test_repo_config_yaml_matches_the_defaults() -> None:
    voice = load_settings(Path(__file__).resolve().parents[2] / "config.yaml").voice
    assert (voice.enabled, voice.max_seconds, voice.workers, voice.base_url) == (True, 60, 1, "")


def test_api_key_comes_from_the_environment_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOCVUSO_VOICE__API_KEY", "sk-voice")
    monkeypatch.setenv("HOCVUSO_VOICE__MAX_SECONDS", "30")
    settings = load_settings(None, data_dir=tmp_path)
    assert settings.voice.api_key is not None and settings.voice.api_key.get_secret_value() == "sk-voice"
    assert settings.voice.max_seconds == 30
    leaked = tmp_path / "leak.yaml"
    leaked.write_text("voice:\n  api_key: sk-oops\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="HOCVUSO_VOICE__API_KEY"):
        load_settings(leaked)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"base_url": "http://127.0.0.1:9000/v1"}, "voice.model is empty"),
        ({"model": "large-v3"}, "voice.base_url is empty"),
        ({"base_url": "127.0.0.1:9000", "model": "m"}, "must start with http"),
    ],
)
def test_a_half_configured_endpoint_refuses_to_start(tmp_path: Path, values: dict, message: str) -> None:
    settings = load_settings(None, data_dir=tmp_path, voice=values)
    with pytest.raises(ConfigError, match=message):
        build_speech_service(settings)


def test_voice_off_and_on(tmp_path: Path) -> None:
    off = Container(load_settings(None, data_dir=tmp_path, voice={"enabled": False}))
    assert off.speech is None
    assert off.health_stats()["voice"] == {"enabled": False}
    on = Container(load_settings(None, data_dir=tmp_path, voice={"base_url": "http://h/v1", "model": "m"}))
    try:
        assert on.speech is not None and on.speech.config.max_seconds == 60
        assert on.speech.config.tmp_dir == tmp_path / "tmp"
        assert on.health_stats()["voice"] == {
            "enabled": True,
            "engine": "remote, local fallback",
            "model_loaded": False,  # loaded by `hocvuso serve`'s warm-up or the first note
            "max_seconds": 60.0,
            "workers": 1,
        }
    finally:
        on.close()
