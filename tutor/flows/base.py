"""What every flow works with: the turn, its outcome, and the tutor's shared parts (`FlowContext`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from knowledge.curriculum import Curriculum, Lesson
from knowledge.textnorm import fold
from tutor.config import TutorConfig
from tutor.events import EventKind
from tutor.mastery import BKTParams
from tutor.memo import PreConsentMemo
from tutor.messages import Button, Inbound, Reply
from tutor.models import ConversationState, Learner
from tutor.officers import OfficerService
from tutor.payloads import Payload, PayloadCodec, lesson_hash
from tutor.store import LearnerStore
from tutor.units import UnitRegistry

if TYPE_CHECKING:
    from tutor.registry import Registry

_TOKENS = re.compile(r"\w+", re.UNICODE)

PROFILE_MODES = ("name", "unit", "group")
QUIZ_MODES = ("quiz", "placement", "review", "practice")


@dataclass(frozen=True)
class Ask:
    """A question to answer after the turn's transaction (answering may be slow)."""

    question: str
    lesson_id: str | None
    audience: str | None
    follow_up: bool = False  # asked after the safety steps: answer only if found, steps not repeated


@dataclass
class Outcome:
    """What a turn produced: replies now, and slow work to do after the transaction."""

    replies: list[Reply] = field(default_factory=list)
    ask: Ask | None = None
    generate: str | None = None  # lesson id to generate quiz items for (LLM configured)
    after: list[Reply] = field(default_factory=list)  # shown after the answer to `ask` (the step asked again)
    duplicate: bool = False  # a retried message id: `replies` are the ones stored for it
    # Slow work run after the turn's commit (a model call: no transaction waits on it); its replies
    # follow `replies` and replace the answer to `ask`; None from it: not handled, `ask` goes on.
    # It opens its own transaction when it needs the database.
    later: Callable[[], list[Reply] | None] | None = None


def say(*replies: Reply | str) -> Outcome:
    """An outcome of plain replies (strings become text replies)."""
    return Outcome([Reply(r) if isinstance(r, str) else r for r in replies])


@dataclass
class Turn:
    """What one turn works on (inside its transaction)."""

    session: Session
    learner: Learner
    state: ConversationState
    inbound: Inbound
    text: str
    now: datetime
    first_contact: bool = False


@dataclass
class FlowContext:
    """The tutor's long-lived parts that every flow reads (built once by `Conversation`)."""

    store: LearnerStore
    curriculum: Curriculum
    units: UnitRegistry
    config: TutorConfig
    codec: PayloadCodec
    registry: Registry
    clock: Callable[[], datetime]
    chat_model: Any = None
    officers: OfficerService | None = None  # officer accounts and statistics (flows/officers.py)
    # Runs a model call on the answerer's bounded pool (`Answerer.run_model`): None when busy,
    # TimeoutError when slow. None: no pool (the officers' questions then use no model).
    run_model: Callable[[Callable[[], Any]], Any] | None = None
    tz: ZoneInfo = field(init=False)
    bkt: BKTParams = field(init=False)
    by_hash: dict[str, str] = field(init=False)
    image_plans: dict[str, dict[int, list[tuple[Path, str]]]] = field(default_factory=dict)
    memo: PreConsentMemo = field(default_factory=PreConsentMemo)  # what was written before consent

    def __post_init__(self) -> None:
        self.tz = ZoneInfo(self.config.timezone)
        self.bkt = BKTParams.from_config(self.config.mastery)
        self.by_hash = {lesson_hash(lid): lid for lid in self.curriculum.lessons}

    @property
    def threshold(self) -> float:
        return self.config.mastery.threshold

    def button(self, learner_id: int, label: str, payload: Payload) -> Button:
        """A signed button for this learner."""
        return self.codec.button(learner_id, label, payload)

    def event(self, t: Turn, kind: EventKind, **fields: Any) -> None:
        """Append an event of this turn's learner to the log."""
        self.store.add_event(t.session, t.learner.id, kind, t.now, channel=t.inbound.channel, **fields)

    def end_of_day(self, now: datetime) -> datetime:
        """The last second of `now`'s local day, in UTC."""
        local = now.astimezone(self.tz)
        return local.replace(hour=23, minute=59, second=59, microsecond=0).astimezone(UTC)

    def lesson_by_hash(self, tag: str) -> Lesson | None:
        lesson_id = self.by_hash.get(tag)
        return self.curriculum.lessons.get(lesson_id) if lesson_id else None

    def source_path(self, lesson: Lesson) -> str:
        """The lesson's file, relative to the course root when possible."""
        try:
            return str(lesson.path.relative_to(self.curriculum.root))
        except ValueError:
            return lesson.path.name


def words(text: str) -> set[str]:
    """Folded words of more than one letter (for overlap matching)."""
    return {w for w in _TOKENS.findall(fold(text)) if len(w) > 1}


def planner_done(ctx: FlowContext, t: Turn) -> set[str]:
    """The lessons the planner treats as done: completed ones, plus those of the modules the entry
    test showed "đã vững" (their untested skills are closed by practice, not by re-teaching)."""
    done = ctx.store.completed_lessons(t.session, t.learner.id)
    group = group_of(t.learner)
    for module in t.state.data.get("tested_out", []):
        done |= {lesson.id for lesson in ctx.curriculum.lessons_in(str(module)) if lesson.for_audience(group)}
    return done


def group_of(learner: Learner) -> str:
    """The learner's group; "worker" until they chose one."""
    return learner.group or "worker"
