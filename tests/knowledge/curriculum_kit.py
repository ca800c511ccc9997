"""Helpers for the curriculum tests: a private copy of the fixture course and small file edits."""

from __future__ import annotations

import shutil
from pathlib import Path

from knowledge.curriculum import Problem, check_curriculum
from tests.conftest import FIXTURE_COURSE

MKM = Path("an-toan/01-mat-khau-manh.md")
OTP = Path("an-toan/02-ma-otp.md")
CCG = Path("dien-thoai/01-co-chu-giong-noi.md")
AN_TOAN_FAQ = Path("an-toan/faq.yaml")
DIEN_THOAI_FAQ = Path("dien-thoai/faq.yaml")


def copy_course(tmp_path: Path) -> Path:
    """A private copy of the fixture course, to break one thing at a time."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in a file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """1-based number of the `nth` line of a file containing `needle`."""
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not found {nth} time(s) in {path}"
    return hits[nth - 1]


def only(root: Path) -> Problem:
    """The single problem of the course (fails listing all when there are several)."""
    problems = check_curriculum(root)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def add_mcq(path: Path, item_id: str, skill: str, choices: list[str], answer: str, question: str = "") -> None:
    """Insert an mcq item at the top of a lesson's quiz; its question is unique unless given."""
    question = question or " ".join(f"{item_id}x{n}" for n in range(4)) + "?"  # shares no word with others
    quoted = ", ".join(f'"{c}"' for c in choices)
    item = (
        f'  - id: {item_id}\n    type: mcq\n    question: "{question}"\n    choices: [{quoted}]\n'
        f'    answer: "{answer}"\n    skill: {skill}\n'
    )
    edit(path, "quiz:\n", "quiz:\n" + item)
