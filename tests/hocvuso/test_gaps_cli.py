"""`hocvuso gaps` as an editor runs it: text and JSON, --since, on a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hocvuso.cli import app
from hocvuso.container import Container
from hocvuso.settings import load_settings
from tests.conftest import FIXTURE_COURSE


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text("{}\n", encoding="utf-8")
    monkeypatch.setenv("HOCVUSO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOCVUSO_INGEST__LESSONS_DIR", str(FIXTURE_COURSE))
    return config


def _seed(config: Path) -> None:
    container = Container(load_settings(config))
    try:
        log = container.gap_log
        for moment, text, reason in [
            (datetime(2026, 10, 1, tzinfo=UTC), "cài Windows 11 cho máy tính", "not_found"),
            (datetime(2026, 11, 2, tzinfo=UTC), "cach cai windows 11 cho may tinh", "thumbs_down"),
            (datetime(2026, 11, 3, tzinfo=UTC), "máy in không nhận lệnh in", "not_found"),
        ]:
            log._clock = lambda moment=moment: moment  # noqa: SLF001 - a fixed clock per row
            log.record(text, reason)
    finally:
        container.close()


def _run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--config", str(config), "gaps", *args])
    return result.exit_code, result.output


def test_gaps_lists_groups_with_counts(cli_env: Path) -> None:
    code, out = _run(cli_env)
    assert code == 0 and "No unanswered questions" in out
    _seed(cli_env)
    code, out = _run(cli_env)
    assert code == 0, out
    assert "3 unanswered question(s) in 2 group(s)" in out
    lines = out.splitlines()
    assert "2 ×" in lines[1] and "indows 11" in lines[1] and "not_found 1, thumbs_down 1" in lines[1]


def test_gaps_json_and_since(cli_env: Path) -> None:
    _seed(cli_env)
    code, out = _run(cli_env, "--since", "2026-11-01", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["since"].startswith("2026-11-01")
    assert sorted(g["count"] for g in data["groups"]) == [1, 1]
    assert all("learner" not in key for g in data["groups"] for key in g)
    code, out = _run(cli_env, "--since", "yesterday")
    assert code == 2
