"""Secrets (issue 14, item 9): redacted from logs at every level (ours, httpx's, python-telegram-bot's),
the data dir 0700 and the database and keys 0600, Zalo's tokens encrypted at rest, unknown or
capitalised keys in config.yaml refused."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.zalo_store import TokenPair, ZaloTokenStore
from hocvuso.container import Container
from hocvuso.secret_files import TokenCipher, fernet_key
from hocvuso.settings import ConfigError, load_settings
from tests.bot.telegram_helpers import WEBHOOK_URL
from tests.conftest import REPO_ROOT, make_settings
from tests.fakes.telegram_api import FakeTelegramApi

WEBHOOK_SECRET = "whsec_Q2xvdWRzQXJlTmljZQ"
LLM_KEY = "sk-llm-0123456789abcdefXYZ"
ZALO_ACCESS = "zalo-access-AbCdEf0123456789"
ZALO_REFRESH = "zalo-refresh-ZyXwVu9876543210"
LEVELS = (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL)


class Capture(logging.Handler):
    """Every formatted line, as an operator's log file would hold it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def capture() -> Iterator[Capture]:
    handler = Capture()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def _secret_settings(data_dir: Path, database_url: str, fake: FakeTelegramApi):  # type: ignore[no-untyped-def]
    return make_settings(
        data_dir,
        database_url,
        llm={"api_key": LLM_KEY},
        telegram={
            "token": fake.token,
            "base_url": fake.base_url,
            "mode": "webhook",
            "webhook_url": WEBHOOK_URL,
            "webhook_secret": WEBHOOK_SECRET,
        },
    )


async def test_no_secret_in_any_log_line_at_any_level(
    data_dir: Path, database_url: str, fake_api: FakeTelegramApi, capture: Capture
) -> None:
    container = Container(_secret_settings(data_dir, database_url, fake_api))
    secrets = [fake_api.token, WEBHOOK_SECRET, LLM_KEY]
    try:
        log = logging.getLogger("hocvuso.test")
        for level in LEVELS:
            log.log(level, "token %s secret %s key %s", *secrets)
            log.log(level, f"inline {fake_api.token} in an f-string")
            try:
                raise RuntimeError(f"https://api.telegram.org/bot{fake_api.token}/getMe failed")
            except RuntimeError:
                log.log(level, "call failed", exc_info=True)
        channel = container.telegram_channel
        await channel.start()  # getMe, setWebhook(secret_token=...), setMyCommands: DEBUG chatter
        await channel.stop()
        # A refreshed Zalo pair, seen by the cipher, is redacted from then on.
        container.token_cipher.encrypt(ZALO_ACCESS)
        log.error("zalo said %s", ZALO_ACCESS)
    finally:
        container.close()
    text = "\n".join(capture.lines)
    assert "[REDACTED]" in text and len(capture.lines) > 5 * len(LEVELS)
    assert any("setWebhook" in line for line in capture.lines)  # the library's own lines were seen
    for secret in [*secrets, ZALO_ACCESS]:
        assert secret not in text


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_dir_database_and_keys_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    data_dir.parent.mkdir()
    container = Container(make_settings(data_dir, None))
    try:
        container.engine  # noqa: B018  (creates and migrates the database)
        container.channel_inbox  # noqa: B018
        container.cookie_secret  # noqa: B018
        container.token_cipher  # noqa: B018
        with container.engine.begin() as conn:
            conn.execute(sa.text("SELECT 1"))
    finally:
        container.close()
    assert _mode(data_dir) == 0o700
    for name in ("hocvuso.db", "inbox.db", "cookie.key", "data.key"):
        assert _mode(data_dir / name) == 0o600, name
    for extra in data_dir.glob("*.db-*"):  # WAL and shared-memory files follow the database
        assert _mode(extra) & 0o077 == 0, extra.name


def test_zalo_tokens_are_encrypted_at_rest(data_dir: Path, database_url: str) -> None:
    container = Container(make_settings(data_dir, database_url))
    try:
        store = ZaloTokenStore(container.session_factory, container.token_cipher)
        pair = store.seed(TokenPair(ZALO_ACCESS, ZALO_REFRESH))
        assert (pair.access_token, pair.refresh_token) == (ZALO_ACCESS, ZALO_REFRESH)
        with container.engine.connect() as conn:
            raw = conn.execute(sa.text("SELECT access_token, refresh_token FROM zalo_tokens")).one()
        assert ZALO_ACCESS not in raw[0] and ZALO_REFRESH not in raw[1]
        assert raw[0].startswith(TokenCipher.PREFIX)
        refreshed = store.replace(ZALO_ACCESS, lambda refresh: TokenPair("new-access-123456", "new-refresh-123456"))
        assert refreshed.access_token == "new-access-123456"
        with container.engine.connect() as conn:
            raw = conn.execute(sa.text("SELECT access_token FROM zalo_tokens")).scalar_one()
        assert "new-access" not in raw
        # A pair stored in plain text before this version is still read.
        with container.engine.begin() as conn:
            conn.execute(sa.text("UPDATE zalo_tokens SET access_token = 'legacy-access-1'"))
        current = store.current()
        assert current is not None and current.access_token == "legacy-access-1"
    finally:
        container.close()


def test_the_environment_key_wins_over_the_key_file(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = fernet_key()
    monkeypatch.setenv("HOCVUSO_DATA_KEY", key)
    container = Container(make_settings(data_dir, None))
    try:
        stored = container.token_cipher.encrypt("a-token-value")
    finally:
        container.close()
    assert TokenCipher(key.encode()).decrypt(stored) == "a-token-value"
    assert not (data_dir / "data.key").exists()


@pytest.mark.parametrize(
    "text",
    [
        "Telegram:\n  Token: '123:abc'\n",  # capitalised: silently ignored before
        "telegram:\n  mode: polling\n  tokn: x\n",
        "log_levl: DEBUG\n",
        "ingest:\n  max_file_MB: 3\n",
    ],
)
def test_unknown_or_capitalised_config_keys_are_refused(tmp_path: Path, text: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(config)


def test_the_shipped_config_has_no_unknown_keys() -> None:
    settings = load_settings(REPO_ROOT / "config.yaml")
    assert settings.ingest.max_file_mb == 5
