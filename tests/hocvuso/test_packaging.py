"""pyproject.toml describes files that exist, and `make lint` runs every check it promises."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO_ROOT


def _pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_data_pattern_matches_a_file() -> None:
    package_data = _pyproject()["tool"]["setuptools"]["package-data"]
    for package, patterns in package_data.items():
        for pattern in patterns:
            assert list((REPO_ROOT / package).glob(pattern)), f"{package}: {pattern} matches nothing"


def test_the_checkers_cover_the_five_packages_and_are_dev_dependencies() -> None:
    data = _pyproject()
    packages = {"bot", "tutor", "knowledge", "ingest", "hocvuso"}
    assert set(data["tool"]["mypy"]["packages"]) == packages
    assert set(data["tool"]["importlinter"]["root_packages"]) == packages
    dev = " ".join(data["project"]["optional-dependencies"]["dev"])
    for tool in ("ruff", "mypy", "import-linter", "hypothesis", "types-PyYAML"):
        assert tool in dev


def test_make_test_runs_lint_first_and_lint_runs_every_check() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    for command in ("ruff check .", "ruff format --check .", "mypy", "lint-imports"):
        assert command in lint
    test_line = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "lint" in test_line.split()
