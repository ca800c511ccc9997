"""Fixtures of the conversation tests: a controllable clock and the real tutor over the fixture course."""

from __future__ import annotations

import pytest

from tests.tutor.conversation_kit import Clock, build_tutor


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tutor(ingested_container, clock):  # type: ignore[no-untyped-def]
    return build_tutor(ingested_container, clock)


@pytest.fixture
def engine(ingested_container):  # type: ignore[no-untyped-def]
    return ingested_container.engine


@pytest.fixture
def db(settings):  # type: ignore[no-untyped-def]
    """A composition root for database-only tests (migrated; never loads the embedding model)."""
    from hocvuso.container import Container

    built = Container(settings)
    yield built
    built.close()
