"""The knowledge commands as an operator runs them: ingest, search, status (real model, real store)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from filelock import FileLock
from typer.testing import CliRunner

from hocvuso.cli import app
from tests.conftest import FIXTURE_COURSE


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    config = tmp_path / "config.yaml"
    config.write_text("{}\n", encoding="utf-8")
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    monkeypatch.setenv("HOCVUSO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOCVUSO_INGEST__LESSONS_DIR", str(course))
    return {"config": config, "course": course, "data": tmp_path / "data"}


def _run(env: dict[str, Path], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--config", str(env["config"]), *args])
    return result.exit_code, result.output


@pytest.mark.slow
def test_ingest_search_status_round_trip(cli_env: dict[str, Path], tmp_path: Path) -> None:
    code, out = _run(cli_env, "ingest", "--json")
    assert code == 0, out
    report = json.loads(out.strip().splitlines()[-1])
    assert report["added"] >= 4 and report["failed"] == 0

    code, out = _run(cli_env, "ingest")
    assert code == 0 and "Nothing to embed" in out

    code, out = _run(cli_env, "search", "mat khau manh", "-k", "2", "--json")
    hits = json.loads(out)["hits"]
    assert code == 0 and len(hits) == 2
    assert {"doc_id", "source", "title", "heading", "text", "score"} <= set(hits[0])
    assert hits[0]["doc_id"] == "mat-khau-manh"

    queries = tmp_path / "q.jsonl"
    queries.write_text('{"q": "mã OTP"}\ncỡ chữ\n\n', encoding="utf-8")
    code, out = _run(cli_env, "search", "--queries", str(queries), "--json")
    lines = [json.loads(line) for line in out.strip().splitlines()]
    assert code == 0 and [line["q"] for line in lines] == ["mã OTP", "cỡ chữ"]

    code, out = _run(cli_env, "status", "--json")
    status = json.loads(out)
    assert code == 0 and status["chunks"] > 0 and status["documents"] >= 4
    assert status["last_ingest"] and status["embedding_model"]


@pytest.mark.slow
def test_ingest_exit_codes_for_bad_files_and_the_lock(cli_env: dict[str, Path]) -> None:
    (cli_env["course"] / "hong.pdf").write_bytes(b"%PDF-1.4 broken")
    code, out = _run(cli_env, "ingest")
    assert code == 1 and "hong.pdf" in out and "PDF" in out

    cli_env["data"].mkdir(exist_ok=True)
    with FileLock(str(cli_env["data"] / "ingest.lock")).acquire(timeout=1):
        code, out = _run(cli_env, "ingest")
    assert code == 3 and "Another ingestion is running" in out


def test_dry_run_and_usage_errors(cli_env: dict[str, Path]) -> None:
    code, out = _run(cli_env, "ingest", "--dry-run", "--json")
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["dry_run"] is True
    code, out = _run(cli_env, "ingest", "/no/such/folder")
    assert code == 2 and "Not found" in out
    code, out = _run(cli_env, "search")
    assert code == 2


@pytest.mark.parametrize("command", ["ingest", "search", "status", "bench"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"] if command != "bench" else [command, "retrieval", "--help"])
    assert result.exit_code == 0 and "Example: hocvuso" in result.output


def test_bad_config_is_reported_in_english_with_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("telegram:\n  token: secret\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config), "status"])
    assert result.exit_code == 2 and "Configuration error" in result.output
