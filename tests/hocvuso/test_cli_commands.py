"""The README's command table is the CLI: every command listed exists and has `--help` with an example."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from hocvuso.cli import app
from tests.conftest import REPO_ROOT

runner = CliRunner()
_WORD = re.compile(r"^[a-z][a-z-]*$")


def readme_commands() -> list[tuple[str, ...]]:
    """Command paths ("lessons", "check") named in the first column of the README's command table."""
    commands: list[tuple[str, ...]] = []
    for line in (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `hocvuso "):
            continue
        first_cell = line.split("|")[1]
        for span in re.findall(r"`([^`]+)`", first_cell):
            words = span.split()
            if words and words[0] == "hocvuso":
                words = words[1:]
            path = []
            for word in words:
                if not _WORD.match(word):
                    break
                path.append(word)
            if path:
                commands.append(tuple(path))
    return commands


def test_the_readme_table_names_the_commands() -> None:
    commands = readme_commands()
    assert ("serve",) in commands and ("lessons", "stats") in commands and ("bench", "retrieval") in commands
    assert len(commands) >= 10


@pytest.mark.parametrize("command", readme_commands(), ids=" ".join)
def test_each_readme_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output, result.output
    assert "hocvuso " + " ".join(command) in " ".join(result.output.split()), result.output


def test_the_console_script_starts_without_an_import_cycle() -> None:
    """`python -m hocvuso --help` in a fresh interpreter lists every top-level command."""
    done = subprocess.run(
        [sys.executable, "-m", "hocvuso", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT), "COLUMNS": "200", "NO_COLOR": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for top in sorted({command[0] for command in readme_commands()}):
        assert top in done.stdout, (top, done.stdout)
