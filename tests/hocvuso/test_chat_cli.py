"""`hocvuso chat`: a scripted terminal learner, in-process (CliRunner) and as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hocvuso.cli import app
from tests.conftest import FIXTURE_COURSE, REPO_ROOT

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """Embedded defaults on a fresh data dir: the chat command must build DB, store and model."""
    path = tmp_path / "config.yaml"
    path.write_text(
        f"data_dir: {tmp_path / 'data'}\n"
        f"ingest:\n  lessons_dir: {FIXTURE_COURSE}\n"
        f"tutor:\n  units_file: {REPO_ROOT / 'knowledge' / 'units_sample.csv'}\n",
        encoding="utf-8",
    )
    return path


def test_scripted_chat_through_piped_stdin(config: Path) -> None:
    script = "\n".join(
        [
            "/start",
            "1",  # [1] Đồng ý
            "Lan",
            "may thanh cong",
            "1",  # the unit
            "3",  # công nhân lao động doanh nghiệp
            "2",  # skip placement: straight to the first lesson
            "1",  # Tiếp
            "Làm sao để chữ trên điện thoại to hơn?",
            "/tiendo",
        ]
    )
    result = runner.invoke(app, ["--config", str(config), "chat", "--user", "lan"], input=script + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "> /start" in out and "[1] Đồng ý" in out
    assert "Chào Lan! Hồ sơ đã xong" in out
    assert "📘 Bài:" in out and "· 2/" in out  # the lesson advanced by pressing [1]
    assert "📖" in out and "[1] 👍" in out  # a cited answer with feedback buttons
    assert "📊 Tiến độ" in out
    assert "Traceback" not in out

    purged = runner.invoke(app, ["--config", str(config), "purge-inactive"])
    assert purged.exit_code == 0, purged.output
    assert "Deleted 0 learner(s) inactive for more than 730 days." in purged.output


def test_chat_state_survives_a_restart_in_a_new_process(config: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCVUSO_")}
    command = [
        sys.executable,
        "-c",
        "from hocvuso.cli import main; main()",
        "--config",
        str(config),
        "chat",
        "--user",
        "an",
    ]

    def run(lines: list[str]) -> str:
        done = subprocess.run(
            command, input="\n".join(lines) + "\n", capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=240
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    first = run(["/start", "1", "An", "benh vien", "1", "2", "2"])  # public sector; skip placement
    assert "📘 Bài:" in first
    second = run(["/hoc"])  # a new process: the lesson resumes, no consent asked again
    assert "tiếp tục" in second and "Đồng ý" not in second
