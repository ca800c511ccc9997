"""`hocvuso lessons check`, `lessons stats` and `lessons stale` through typer's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import hocvuso.commands.lessons  # noqa: F401  (registers the `lessons` sub-app)
from hocvuso.cli import app
from tests.conftest import FIXTURE_COURSE

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config file whose lessons folder is the fixture course and whose data dir is not created yet."""
    path = tmp_path / "config.yaml"
    path.write_text(f"data_dir: {tmp_path / 'data'}\ningest:\n  lessons_dir: {FIXTURE_COURSE}\n", encoding="utf-8")
    return path


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The fixture course with one mcq answer that is not among its choices."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    lesson = root / "dien-thoai/01-co-chu-giong-noi.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace('answer: "Micrô"', 'answer: "Micro"'), encoding="utf-8"
    )
    return root


def test_check_valid_course_exits_0_with_the_bank_report_and_a_summary() -> None:
    result = runner.invoke(app, ["lessons", "check", str(FIXTURE_COURSE)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("Quiz bank (limits: answer longest <= 35%, one answer position <= 40%)")
    rows = {line.split()[0]: line.split() for line in lines[2:6]}
    assert list(rows) == ["dien-thoai", "an-toan", "placement", "total"]
    assert rows["total"][1:4] == ["10", "10%", "3/3/3/1"]  # mcq, answer longest, answer positions A/B/C/D
    assert "near-duplicate questions across lessons: 0;" in lines[6]
    assert lines[-1].startswith("OK: ")
    assert "2 modules, 3 lessons, 16 quiz items, 10 placement items, 4 skills, 15 Q&A cards" in lines[-1]
    quiet = runner.invoke(app, ["lessons", "check", "--no-report", str(FIXTURE_COURSE)])
    assert quiet.exit_code == 0 and len(quiet.stdout.strip().splitlines()) == 1


def test_check_fails_on_a_bank_limit(tmp_path: Path) -> None:
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    lesson = root / "an-toan/01-mat-khau-manh.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace(
            '"Khi nghi mật khẩu bị lộ, nên đổi mật khẩu ngay."', '"Khi nghi mật khẩu bị lộ, chắc chắn nên đổi ngay."'
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["lessons", "check", str(root)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].endswith(
        "true/false item 'mkm-5' has the giveaway word 'chắc chắn'; state the misconception plainly"
    )
    assert "true/false giveaway words: 1;" in result.stdout
    assert "1 problem(s) in 1 file(s)." in result.stderr


def test_check_broken_course_prints_file_line_reason_and_exits_1(broken: Path) -> None:
    result = runner.invoke(app, ["lessons", "check", "--no-report", str(broken)])
    assert result.exit_code == 1
    lesson = broken / "dien-thoai/01-co-chu-giong-noi.md"
    line = next(
        n for n, text in enumerate(lesson.read_text(encoding="utf-8").splitlines(), 1) if 'answer: "Micro"' in text
    )
    assert result.stdout.splitlines() == [
        f"{lesson}:{line}: the answer 'Micro' of item 'cc-4' is not one of its choices"
    ]
    assert "1 problem(s) in 1 file(s)." in result.stderr


def test_check_defaults_to_configured_folder_without_building_the_database(config: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--config", str(config), "lessons", "check"])
    assert result.exit_code == 0, result.output
    assert str(FIXTURE_COURSE) in result.stdout
    assert not (tmp_path / "data").exists()  # the container built neither database nor vector store


def test_check_missing_folder_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lessons", "check", str(tmp_path / "khong-co")])
    assert result.exit_code == 2
    assert "Not a course folder" in result.stderr


def test_stats_table() -> None:
    result = runner.invoke(app, ["lessons", "stats", str(FIXTURE_COURSE)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "dien-thoai" in out and "an-toan" in out and "total" in out
    assert out.index("dien-thoai") < out.index("an-toan")  # module order
    assert (
        "3 lessons, 16 quiz items, 10 placement items, 4 skills; media: 1 transcripts, 1 images; "
        "1 advanced lessons, 2 facts, 15 Q&A cards." in " ".join(out.split())
    )


def test_stats_json() -> None:
    result = runner.invoke(app, ["lessons", "stats", str(FIXTURE_COURSE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [row["module"] for row in data["modules"]] == ["dien-thoai", "an-toan"]
    an_toan = data["modules"][1]
    assert an_toan["lessons"] == 2 and an_toan["items"] == {"mcq": 4, "true_false": 4, "short": 2}
    assert an_toan["transcripts"] == 1 and an_toan["images"] == 0
    assert (an_toan["advanced"], an_toan["facts"], an_toan["cards"]) == (1, 2, 10)
    totals = data["totals"]
    assert totals["lessons"] == 3 and totals["items"] == {"mcq": 6, "true_false": 6, "short": 4}
    assert (totals["transcripts"], totals["images"]) == (1, 1)
    assert (totals["advanced"], totals["facts"], totals["cards"]) == (1, 2, 15)
    assert totals["words"] > 300 and totals["reading_min"] == round(totals["words"] / 180, 1)
    assert data["placement_items"] == 10 and data["problems"] == 0


def test_stats_counts_valid_lessons_of_a_broken_course(broken: Path) -> None:
    result = runner.invoke(app, ["lessons", "stats", str(broken), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["problems"] == 1 and data["totals"]["lessons"] == 3


@pytest.mark.parametrize(
    ("before", "expected"),
    [("2026-01", ["mat-khau-manh"]), ("2026-10", ["mat-khau-manh"]), ("2026-10-02", ["mat-khau-manh", "ma-otp"])],
)
def test_stale_json(before: str, expected: list[str]) -> None:
    result = runner.invoke(app, ["lessons", "stale", str(FIXTURE_COURSE), "--before", before, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [fact["lesson"] for fact in data["facts"]] == expected and data["total"] == 2
    first = data["facts"][0]
    lesson = FIXTURE_COURSE / "an-toan/01-mat-khau-manh.md"
    assert first["file"] == str(lesson) and first["checked"] == "2025-06"
    assert first["claim"] == "Mật khẩu mạnh dài ít nhất 12 ký tự"
    assert first["source"] == "Cẩm nang an toàn thông tin (Bộ Công an)"
    assert lesson.read_text(encoding="utf-8").splitlines()[first["line"] - 1].strip().startswith("- claim:")


def test_stale_text() -> None:
    result = runner.invoke(app, ["lessons", "stale", str(FIXTURE_COURSE), "--before", "2026-01"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith(": mat-khau-manh (checked 2025-06)") and "01-mat-khau-manh.md:" in lines[0]
    assert lines[1].strip() == "claim: Mật khẩu mạnh dài ít nhất 12 ký tự"
    assert lines[2].strip() == "source: Cẩm nang an toàn thông tin (Bộ Công an)"
    assert lines[-1] == "1 of 2 fact(s) last checked before 2026-01-01."


@pytest.mark.parametrize("before", ["2026", "01/2026", "2026-13"])
def test_stale_rejects_a_bad_date(before: str) -> None:
    result = runner.invoke(app, ["lessons", "stale", str(FIXTURE_COURSE), "--before", before])
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output


@pytest.mark.parametrize("command", [["lessons"], ["lessons", "check"], ["lessons", "stats"], ["lessons", "stale"]])
def test_help_has_an_example(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example: hocvuso lessons" in result.stdout
