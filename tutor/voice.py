"""Voice notes in the turn: the transcript is an ordinary inbound text, shown back to the learner
first ("🎤 Mình nghe: «…»") so a misheard word can be corrected by typing.

Whisper writes what it hears as a sentence ("Tiếp.", "Đáp án bê."); `as_typed` turns that into what
a learner would have typed, so a spoken "tiếp", "làm bài tập" or quiz answer goes through the same
commands, buttons and grading as a typed one.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from knowledge.textnorm import fold
from tutor import texts_voice
from tutor.events import EventKind
from tutor.messages import Inbound, Reply
from tutor.models import Learner
from tutor.store import LearnerStore

_TRAILING = re.compile(r"[\s.,!…;:。]+$")  # a "?" stays: it tells a question from a quiz answer
_LEADING = re.compile(r"^[\s.,!?…;:-]+")
# Vietnamese names of the letters a quiz choice is picked with, as Whisper may write them; read as a
# letter only when that is the whole answer ("Bê.", "Đáp án bê", "Chọn xê"), never inside a sentence.
_LETTER_NAMES = {"a": "a", "bê": "b", "bờ": "b", "xê": "c", "cê": "c", "cờ": "c", "đê": "d", "dê": "d", "đờ": "d"}
_SPOKEN_CHOICE = re.compile(
    r"^((?:(?:tôi|em) )?(?:chọn|câu|đáp án(?: là)?|phương án|ý) )?(" + "|".join(_LETTER_NAMES) + r")$",
    re.IGNORECASE,
)


def as_typed(transcript: str) -> str:
    """The transcript as a learner would have typed it: no full stop or comma around it (a question
    keeps its "?"), and a spoken choice letter written as the letter ("Đáp án bê." → "Đáp án b")."""
    text = _LEADING.sub("", _TRAILING.sub("", transcript))
    match = _SPOKEN_CHOICE.match(text)
    if match:
        text = (match.group(1) or "") + _LETTER_NAMES[match.group(2).lower()]
    return text


def heard_reply(transcript: str) -> Reply:
    """The first reply to a voice note: what was understood."""
    return Reply(texts_voice.heard(transcript))


def problem_reply(problem: str | None, max_seconds: int) -> Reply:
    """The one reply to a voice note that could not be heard (None: voice notes are off)."""
    return Reply(texts_voice.problem(problem or "off", max_seconds))


def is_spoken(text: str) -> bool:
    """True when a transcript holds a word (not just "..." or a breath)."""
    return bool(re.search(r"\w", fold(text)))


def record_unheard(
    store: LearnerStore, session_factory: sessionmaker[Session], inbound: Inbound, now: datetime
) -> None:
    """The one thing a note that could not be heard leaves behind: an event with the problem, for a
    learner who consented (nothing at all for anyone else; the audio itself is never kept)."""
    with transaction(session_factory) as session:
        identity = store.identity(session, inbound.channel, inbound.user_id)
        if identity is None:
            return
        learner = session.execute(select(Learner).where(Learner.id == identity.learner_id)).scalar_one_or_none()
        if learner is None or learner.consent_state != "given":
            return
        problem = inbound.voice_problem or "off"
        store.add_event(
            session, learner.id, EventKind.VOICE_UNHEARD, now, channel=inbound.channel, data={"problem": problem}
        )
