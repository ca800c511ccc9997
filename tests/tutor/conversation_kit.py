"""Helpers for driving the real tutor core in tests: a controllable clock and a scripted learner."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from knowledge.db import Base
from tutor.conversation import Conversation
from tutor.messages import Button, Inbound, Reply

_ids = itertools.count(1)


class Clock:
    """A test clock: each reading moves it forward by `step` (so answers take time)."""

    def __init__(self, start: datetime | None = None, step: timedelta = timedelta(seconds=4)) -> None:
        self.now = start or datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
        self.step = step
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            current = self.now
            self.now = self.now + self.step
            return current

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self.now = self.now + delta


class Chat:
    """One learner on one channel, talking to a Conversation the way a channel adapter would."""

    def __init__(self, tutor: Conversation, user: str, channel: str = "telegram") -> None:
        self.tutor = tutor
        self.user = user
        self.channel = channel
        self.last: list[Reply] = []

    def send(self, inbound: Inbound) -> list[Reply]:
        self.last = self.tutor.handle(inbound)
        for reply in self.last:  # the contract every channel relies on
            assert reply.text.strip(), "empty reply text"
            for row in reply.buttons:
                for button in row:
                    assert button.label and len(button.payload.encode("utf-8")) <= 64, button
            if reply.quiz is not None and reply.quiz.choices:
                assert len(reply.quiz.choice_payloads) == len(reply.quiz.choices)
                assert reply.quiz.correct_index is not None
        return self.last

    def say(
        self, text: str | None, kind: str = "text", message_id: str | None = None, display_name: str | None = None
    ) -> list[Reply]:
        """Send a text message."""
        return self.send(
            Inbound(
                self.channel,
                self.user,
                message_id or f"m{next(_ids)}",
                text=text,
                kind=kind,  # type: ignore[arg-type]
                display_name=display_name,
            )
        )

    def payload(self, payload: str, display_name: str | None = None) -> list[Reply]:
        """Send a raw button payload (as a channel would after a tap)."""
        return self.send(
            Inbound(
                self.channel, self.user, f"m{next(_ids)}", payload=payload, kind="button", display_name=display_name
            )
        )

    def button(self, label_part: str, replies: Iterable[Reply] | None = None) -> Button:
        """The first button of the last replies whose label contains `label_part`."""
        for reply in replies if replies is not None else self.last:
            for row in reply.buttons:
                for button in row:
                    if label_part in button.label:
                        return button
        raise AssertionError(f"no button {label_part!r} in {self.labels()}")

    def press(self, label_part: str) -> list[Reply]:
        return self.payload(self.button(label_part).payload)

    def labels(self) -> list[str]:
        return [b.label for r in self.last for row in r.buttons for b in row]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    def quiz(self) -> Any:
        """The open quiz question of the last replies (fails when none)."""
        for reply in reversed(self.last):
            if reply.quiz is not None:
                return reply.quiz
        raise AssertionError(f"no quiz question in: {self.text}")


def answer_right(chat: Chat, curriculum: Any) -> list[Reply]:
    """Answer the open quiz question correctly (button for choices, typed text for short items)."""
    question = chat.quiz()
    if question.choices:
        return chat.payload(question.choice_payloads[question.correct_index])
    return chat.say(curriculum.item(question.item_id).answer)


def answer_wrong(chat: Chat, curriculum: Any) -> list[Reply]:
    """Answer the open quiz question wrongly."""
    question = chat.quiz()
    if question.choices:
        wrong = next(i for i in range(len(question.choices)) if i != question.correct_index)
        return chat.payload(question.choice_payloads[wrong])
    return chat.say("không biết đâu")


def onboard(chat: Chat, name: str = "Lan", group_label: str = "Công nhân") -> None:
    """Consent, name, unit and group: the learner ends on the "placement?" offer."""
    chat.say("/start")
    chat.press("Đồng ý")
    chat.say(name)
    chat.say("may thanh cong")
    chat.press("May Thành Công")
    chat.press(group_label)
    assert "Hồ sơ đã xong" in chat.text, chat.text


def learner_rows(engine: sa.Engine, learner_id: int) -> dict[str, int]:
    """Rows referring to a learner, per table (every table with a learner_id column, plus learners)."""
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if "learner_id" in table.c:
                n = conn.execute(
                    sa.select(sa.func.count()).select_from(table).where(table.c.learner_id == learner_id)
                ).scalar_one()
                counts[table.name] = n
        learners = Base.metadata.tables["tutor_learners"]
        counts["tutor_learners"] = conn.execute(
            sa.select(sa.func.count()).select_from(learners).where(learners.c.id == learner_id)
        ).scalar_one()
    return counts


def learner_id_of(engine: sa.Engine, channel: str, user: str) -> int | None:
    identities = Base.metadata.tables["tutor_channel_identities"]
    with engine.connect() as conn:
        return conn.execute(
            sa.select(identities.c.learner_id).where(
                identities.c.channel == channel, identities.c.channel_user_id == user
            )
        ).scalar_one_or_none()


def events(engine: sa.Engine, learner_id: int | None, kind: str | None = None) -> list[dict[str, Any]]:
    table = Base.metadata.tables["tutor_events"]
    query = sa.select(table).where(table.c.learner_id == learner_id).order_by(table.c.id)
    if kind:
        query = query.where(table.c.kind == kind)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def build_tutor(
    container: Any, clock: Clock | None = None, answerer: Any = None, **tutor_overrides: Any
) -> Conversation:
    """A Conversation on a test container: fixture course, the repo's units, a test clock.

    `answerer` replaces the container's (which searches the store with the embedding model)."""
    from hocvuso.package_config import tutor_config
    from knowledge.curriculum import load_curriculum
    from tests.conftest import FIXTURE_COURSE, REPO_ROOT
    from tutor.units import load_units

    config = dataclasses.replace(tutor_config(container.settings), **tutor_overrides)
    return Conversation(
        container.session_factory,
        load_curriculum(FIXTURE_COURSE),
        answerer if answerer is not None else container.answerer,
        load_units(REPO_ROOT / "knowledge" / "units_sample.csv"),
        config,
        clock=clock or Clock(),
        chat_model=container.chat_model,
        payload_secret=b"test-secret",
    )


class FakeAnswerer:
    """Answers every question from a fixed text, with no search (no embedding model needed)."""

    def __init__(self, text: str = "Mật khẩu mạnh dài ít nhất 12 ký tự.") -> None:
        self.text = text
        self.questions: list[str] = []

    def answer(self, question: str, **_kwargs: Any) -> Any:
        from tutor.answering import Answer

        self.questions.append(question)
        return Answer(text=self.text, sources=(), answered=True, mode="extractive")
