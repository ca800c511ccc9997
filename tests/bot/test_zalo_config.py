"""Zalo settings: off without settings (one log line), refusing to start when half-configured, wired
into `hocvuso serve`'s app when fully configured."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from bot.zalo import check_zalo_settings
from hocvuso.container import Container
from hocvuso.settings import ConfigError
from tests.conftest import make_settings

FULL = {
    "app_id": "3608465249409039670",
    "oa_secret_key": "k",
    "app_secret": "s",
    "access_token": "a",
    "refresh_token": "r",
    "api_base": "https://openapi.zalo.me",
    "oauth_base": "https://oauth.zaloapp.com",
}


def test_check_zalo_settings() -> None:
    assert check_zalo_settings(**FULL) is None
    assert (
        check_zalo_settings(
            **{**FULL, "app_id": "", "oa_secret_key": "", "app_secret": "", "access_token": "", "refresh_token": ""}
        )
        is None
    )
    assert check_zalo_settings(**{**FULL, "access_token": "", "refresh_token": ""}) is None  # pair already in the DB
    problem = check_zalo_settings(**{**FULL, "app_secret": ""})
    assert problem is not None and "HOCVUSO_ZALO__APP_SECRET" in problem and "half-configured" in problem
    problem = check_zalo_settings(**{**FULL, "refresh_token": ""})
    assert problem is not None and "HOCVUSO_ZALO__REFRESH_TOKEN" in problem
    problem = check_zalo_settings(**{**FULL, "api_base": "openapi.zalo.me"})
    assert problem is not None and "zalo.api_base" in problem


def test_off_without_settings(data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    container = Container(make_settings(data_dir))
    with caplog.at_level(logging.INFO):
        assert container.zalo_channel is None
    assert [r.getMessage() for r in caplog.records if "Zalo is off" in r.getMessage()] == [
        "Zalo is off: zalo.app_id and HOCVUSO_ZALO__* secrets are not set."
    ]
    container.close()


def test_half_configured_refuses(data_dir: Path) -> None:
    container = Container(make_settings(data_dir, zalo={"app_id": "123", "oa_secret_key": "k"}))
    with pytest.raises(ConfigError, match="HOCVUSO_ZALO__APP_SECRET"):
        _ = container.web_app
    container.close()


async def test_configured_zalo_is_served(data_dir: Path) -> None:
    zalo = {k: v for k, v in FULL.items()}
    container = Container(make_settings(data_dir, zalo=zalo))
    app = container.web_app
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            health = (await client.get("/healthz")).json()
            unsigned = await client.post("/zalo/webhook", content=b"{}")
        assert health["channels"]["zalo"]["enabled"] is True
        assert unsigned.status_code == 401
    finally:
        container.close()
