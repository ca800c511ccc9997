"""The key that signs button payloads: from the environment, else one file shared by every worker."""

from __future__ import annotations

import stat
from pathlib import Path

from pydantic import SecretStr

from hocvuso.container import Container
from tests.conftest import make_settings


def test_generated_once_per_data_dir_private_and_shared(data_dir: Path) -> None:
    first = Container(make_settings(data_dir))
    key = first.payload_secret
    assert len(key) == 64 and first.payload_secret == key
    path = data_dir / "payload.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Container(make_settings(data_dir)).payload_secret == key  # a second worker or a restart
    assert [p.name for p in data_dir.iterdir() if p.name.startswith("payload")] == ["payload.key"]


def test_environment_secret_wins(data_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HOCVUSO_TUTOR__PAYLOAD_SECRET", "from-the-environment")
    settings = make_settings(data_dir)
    assert settings.tutor.payload_secret == SecretStr("from-the-environment")
    assert Container(settings).payload_secret == b"from-the-environment"
    assert not (data_dir / "payload.key").exists()


def test_a_secret_in_config_yaml_is_refused(tmp_path: Path) -> None:
    import pytest

    from hocvuso.settings import ConfigError, load_settings

    config = tmp_path / "config.yaml"
    config.write_text("tutor:\n  payload_secret: oops\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="HOCVUSO_TUTOR__PAYLOAD_SECRET"):
        load_settings(config)
