"""Ingestion limits (issue 14, item 5): symlinks and paths leaving the lessons folder are refused
with a reason, files over `ingest.max_file_mb` are named and skipped before they are read, text
files with NUL bytes are binary and refused. Dry runs: no embedding model needed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from hocvuso.container import Container
from ingest.guard import file_sha256, outside_reason
from tests.conftest import make_settings
from tests.ingest.sample_files import LESSON_MD

SECRET_LINE = "root:x:0:0:hocvuso-secret-marker:/root:/bin/bash"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons"
    (folder / "mod").mkdir(parents=True)
    (folder / "mod" / "01-bai.md").write_text(LESSON_MD, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.txt").write_text(SECRET_LINE + "\n", encoding="utf-8")
    os.symlink(outside / "passwd.txt", folder / "mod" / "link.txt")
    os.symlink(outside, folder / "linked-dir")
    with (folder / "mod" / "huge.txt").open("wb") as handle:
        handle.truncate(50_000_000)  # 50 MB (sparse): refused by its size, never read
    (folder / "mod" / "six.txt").write_text("Mật khẩu mạnh.\n" * 400_000, encoding="utf-8")  # ~6.4 MB
    (folder / "mod" / "nul.txt").write_bytes("Bài học\x00\x00\x00 về mật khẩu".encode())
    return folder


def test_symlinks_big_and_binary_files_are_refused_with_reasons(course: Path, data_dir: Path) -> None:
    container = Container(make_settings(data_dir, None, ingest={"lessons_dir": course}))
    try:
        started = time.perf_counter()
        report = container.ingestor.run([course], dry_run=True)
        elapsed = time.perf_counter() - started
    finally:
        container.close()
    reasons = {problem.source: problem.reason for problem in report.failed}
    assert "symbolic link" in reasons["mod/link.txt"]
    assert "symbolic link" in reasons["linked-dir"]
    assert "50.0 MB" in reasons["mod/huge.txt"] and "ingest.max_file_mb" in reasons["mod/huge.txt"]
    assert "over the limit of 5 MB" in reasons["mod/six.txt"]
    assert "binary content" in reasons["mod/nul.txt"]
    assert report.added == ["mod/01-bai.md"]
    assert not report.ok  # named, skipped, exit code 1
    assert elapsed < 60


def test_the_limit_is_a_setting(course: Path, data_dir: Path) -> None:
    settings = make_settings(data_dir, None, ingest={"lessons_dir": course, "max_file_mb": 10})
    container = Container(settings)
    try:
        report = container.ingestor.run([course / "mod"], dry_run=True)
    finally:
        container.close()
    assert "mod/six.txt" not in {p.source for p in report.failed} and "six.txt" in report.added


def test_guard_helpers(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "a.txt").write_text("x", encoding="utf-8")
    assert outside_reason(root, root / "a.txt") is None
    assert outside_reason(root, root / ".." / "root" / "a.txt") is not None
    assert outside_reason(root, tmp_path / "elsewhere.txt") == "outside the lessons folder"
    assert file_sha256(root / "a.txt") == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
