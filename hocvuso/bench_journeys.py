"""`hocvuso bench journeys`: simulated learners driven through the real conversation to the certificate.

Each profile is one learner talking to the real `Conversation` (real flows, real SQLite database in a
temporary folder, real grading and mastery) the way a tapping learner would: press «Tiếp» through a
lesson, take its quiz, «Học bài» for the next one, «Luyện kỹ năng còn thiếu» when offered.
Questions are never asked, so the answerer is a canned one (no search, no embedding model): turn
times measure the tutor core, not retrieval. Profiles:

- perfect: skips placement, answers every item right;
- wrong 1 in 8: skips placement, every eighth answer is wrong;
- placement all right: takes the placement test answering everything right, then answers right;
- placement all wrong: takes the placement test answering everything wrong, then answers right.

Reported per profile: whether the certificate came, learner turns to it, lessons completed, bot
messages per lesson, and p50/p95 turn time.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.orm import Session, sessionmaker

from knowledge.curriculum import Curriculum
from knowledge.db import Base, make_engine, make_session_factory
from tutor import texts
from tutor import texts_journey as tj
from tutor.answering import Answer
from tutor.config import TutorConfig
from tutor.conversation import Conversation
from tutor.messages import Button, Inbound, Reply
from tutor.store import LearnerStore
from tutor.units import UnitRegistry

if TYPE_CHECKING:
    from tutor.answering import Answerer

PROFILES = ("perfect", "wrong_1_in_8", "placement_all_right", "placement_all_wrong")
GROUP_LABELS = {"worker": "Công nhân", "public": "công chức", "officer": "Cán bộ công đoàn"}


class CannedAnswerer:
    """Answers any question with one fixed text (the journeys never ask; a stray one is counted)."""

    def __init__(self) -> None:
        self.asked = 0

    def answer(self, question: str, **_kwargs: Any) -> Answer:
        self.asked += 1
        return Answer(text="(câu trả lời mẫu)", sources=(), answered=True, mode="extractive")


class SimClock:
    """Simulated time: every reading moves on `step` (a learner tapping every few seconds)."""

    def __init__(self, step: timedelta = timedelta(seconds=5)) -> None:
        self.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        self.step = step

    def __call__(self) -> datetime:
        current = self.now
        self.now += self.step
        return current


@dataclass
class JourneyResult:
    """One simulated learner's journey."""

    profile: str
    group: str
    certified: bool = False
    turns: int = 0  # learner messages and taps until the certificate (or the cap)
    placement_items: int = 0
    lessons_completed: int = 0
    replies: int = 0  # bot messages received
    wrong_answers: int = 0
    practice_sessions: int = 0  # «Luyện kỹ năng còn thiếu» sessions taken
    stray_questions: int = 0
    turn_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def messages_per_lesson(self) -> float:
        return self.replies / self.lessons_completed if self.lessons_completed else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.turn_ms) if self.turn_ms else 0.0

    @property
    def p95_ms(self) -> float:
        if len(self.turn_ms) < 2:
            return self.turn_ms[0] if self.turn_ms else 0.0
        return statistics.quantiles(self.turn_ms, n=20)[18]

    def summary(self) -> dict[str, Any]:
        """JSON-ready numbers (no per-turn list)."""
        out = {k: v for k, v in asdict(self).items() if k != "turn_ms"}
        out.update(
            messages_per_lesson=round(self.messages_per_lesson, 1),
            p50_ms=round(self.p50_ms, 1),
            p95_ms=round(self.p95_ms, 1),
        )
        return out


class SimLearner:
    """One learner on the "bench" channel, answering right or wrong as its profile says."""

    def __init__(self, tutor: Conversation, curriculum: Curriculum, user: str, result: JourneyResult) -> None:
        self.tutor, self.curriculum, self.user, self.result = tutor, curriculum, user, result
        self.last: list[Reply] = []
        self._n = 0
        self.answers = 0

    # --- sending ---------------------------------------------------------------------------
    def _send(self, text: str | None = None, payload: str | None = None) -> list[Reply]:
        self._n += 1
        inbound = Inbound(
            "bench",
            self.user,
            f"{self.user}-{self._n}",
            text=text,
            payload=payload,
            kind="button" if payload else "text",
        )
        started = time.perf_counter()
        self.last = self.tutor.handle(inbound)
        self.result.turn_ms.append((time.perf_counter() - started) * 1000)
        self.result.turns += 1
        self.result.replies += len(self.last)
        return self.last

    def say(self, text: str) -> list[Reply]:
        return self._send(text=text)

    def button(self, *label_parts: str) -> Button | None:
        """The first button of the last replies whose label contains one of `label_parts`."""
        for part in label_parts:
            for reply in self.last:
                for row in reply.buttons:
                    for button in row:
                        if part in button.label:
                            return button
        return None

    def press(self, *label_parts: str) -> bool:
        button = self.button(*label_parts)
        if button is None:
            return False
        self._send(payload=button.payload)
        return True

    # --- answering -------------------------------------------------------------------------
    def answer(self, right: bool) -> None:
        question = next(r.quiz for r in reversed(self.last) if r.quiz is not None)
        assert question is not None
        self.answers += 1
        if not right:
            self.result.wrong_answers += 1
        if question.choices and question.correct_index is not None:
            index = question.correct_index
            if not right:
                index = next(i for i in range(len(question.choices)) if i != question.correct_index)
            self._send(payload=question.choice_payloads[index])
            return
        item = self.curriculum.item(question.item_id)
        self.say(item.answer if (right and item is not None) else "tôi chịu, không nhớ")

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    def quiz_open(self) -> bool:
        return any(r.quiz is not None for r in self.last)

    def certified(self) -> bool:
        return tj.CERTIFIED in self.text and any(r.document_path or r.image_path for r in self.last)


def _onboard(learner: SimLearner, units: UnitRegistry, group: str) -> None:
    learner.say("/start")
    learner.press(texts.BTN_AGREE)
    learner.say("Lan")
    grassroots = next((u for u in units.all() if u.level == "grassroots"), None)
    if grassroots is not None:
        learner.say(grassroots.name)
        first = next((b for r in learner.last for row in r.buttons for b in row), None)
        if first is not None:
            learner._send(payload=first.payload)
    if not learner.press(GROUP_LABELS.get(group, "Công nhân")):
        learner.say("1")


def run_profile(
    profile: str,
    session_factory: sessionmaker[Session],
    curriculum: Curriculum,
    units: UnitRegistry,
    config: TutorConfig,
    *,
    group: str = "worker",
    max_turns: int = 5000,
) -> JourneyResult:
    """Drive one simulated learner of `profile` until the certificate (or `max_turns`)."""
    result = JourneyResult(profile, group)
    answerer = CannedAnswerer()
    tutor = Conversation(
        session_factory,
        curriculum,
        cast("Answerer", answerer),  # duck-typed: only `answer()` is called
        units,
        config,
        clock=SimClock(),
        payload_secret=b"bench-journeys",
    )
    learner = SimLearner(tutor, curriculum, f"{profile}-{group}", result)
    _onboard(learner, units, group)
    in_placement = profile.startswith("placement")
    if in_placement:
        learner.press(texts.BTN_PLACEMENT)
    else:
        learner.press(texts.BTN_SKIP)
    decide: Callable[[int], bool] = (lambda n: n % 8 != 0) if profile == "wrong_1_in_8" else (lambda _n: True)
    while result.turns < max_turns and not learner.certified():
        if learner.quiz_open():
            if in_placement:
                result.placement_items += 1
                learner.answer(profile == "placement_all_right")
            else:
                learner.answer(decide(learner.answers + 1))
            continue
        in_placement = False
        if learner.press(tj.BTN_PRACTICE_MISSING):
            result.practice_sessions += 1
            continue
        if learner.press(texts.BTN_NEXT, texts.BTN_QUIZ, texts.BTN_LEARN):
            continue
        learner.say("/hoc")
    result.certified = learner.certified()
    result.stray_questions = answerer.asked
    with session_factory() as session:
        identity = LearnerStore().identity(session, "bench", learner.user)
        if identity is not None:
            result.lessons_completed = len(LearnerStore().completed_lessons(session, identity.learner_id))
    return result


def run_journeys(
    curriculum: Curriculum,
    units: UnitRegistry,
    config: TutorConfig,
    *,
    groups: tuple[str, ...] = ("worker",),
    profiles: tuple[str, ...] = PROFILES,
    max_turns: int = 5000,
    workdir: Path | None = None,
) -> list[JourneyResult]:
    """Every profile for every group, each on a fresh SQLite database in a temporary folder."""
    results: list[JourneyResult] = []
    with tempfile.TemporaryDirectory(prefix="hocvuso-journeys-", dir=workdir) as tmp:
        for group in groups:
            for profile in profiles:
                engine = make_engine(f"sqlite:///{Path(tmp) / f'{group}-{profile}.db'}")
                Base.metadata.create_all(engine)
                try:
                    results.append(
                        run_profile(
                            profile,
                            make_session_factory(engine),
                            curriculum,
                            units,
                            config,
                            group=group,
                            max_turns=max_turns,
                        )
                    )
                finally:
                    engine.dispose()
    return results


def markdown_table(results: list[JourneyResult]) -> str:
    """The results as a Markdown table for docs/benchmarks.md."""
    lines = [
        "| profile | group | certificate | turns to certificate | placement items | lessons completed "
        "| messages per lesson | practice sessions | wrong answers | p50 turn | p95 turn |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.profile} | {r.group} | {'yes' if r.certified else 'NO'} | {r.turns} | {r.placement_items} "
            f"| {r.lessons_completed} | {r.messages_per_lesson:.1f} | {r.practice_sessions} | {r.wrong_answers} "
            f"| {r.p50_ms:.0f} ms | {r.p95_ms:.0f} ms |"
        )
    return "\n".join(lines)
