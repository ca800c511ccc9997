"""Fixtures of the conversation tests: a controllable clock and the real tutor over the fixture course."""

from __future__ import annotations

import pytest

from tests.tutor.conversation_kit import Clock, FakeAnswerer, build_tutor


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tutor(quick_tutor):  # type: ignore[no-untyped-def]
    """The tutor of conversation tests: no embedding model, questions answered by `FakeAnswerer`."""
    return quick_tutor


@pytest.fixture
def engine(quick_container):  # type: ignore[no-untyped-def]
    return quick_container.engine


@pytest.fixture
def fake_answerer() -> FakeAnswerer:
    return FakeAnswerer()


@pytest.fixture
def quick_container(settings):  # type: ignore[no-untyped-def]
    """A composition root with no embedding model and no store: for tests not about retrieval."""
    from hocvuso.container import Container

    built = Container(settings)
    yield built
    built.close()


@pytest.fixture
def quick_tutor(quick_container, clock, fake_answerer):  # type: ignore[no-untyped-def]
    """The real tutor core over the fixture course, answering questions with `FakeAnswerer`."""
    return build_tutor(quick_container, clock, answerer=fake_answerer)


@pytest.fixture
def db(quick_container):  # type: ignore[no-untyped-def]
    """A migrated database behind a composition root (no embedding model): officers' and registry tests."""
    return quick_container
