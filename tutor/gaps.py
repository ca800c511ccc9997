"""The content-gap log: questions the course did not answer, grouped for content editors.

Every question that got no answer ("not found"), or whose answer was rated 👎, is recorded with
its text, its folded form, the time, the reason and the best lesson retrieval found — never who
asked. `GapLog.grouped()` returns them grouped by similarity (Jaccard overlap of folded content
words) with counts, most asked first: `hocvuso gaps` prints it, the officers' dashboard can show it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from knowledge.textnorm import expand_teencode, fold, has_marks, normalize
from tutor.intents import looks_like_question, small_talk
from tutor.models import ContentGap

GapReason = Literal["not_found", "thumbs_down", "off_topic"]
REASONS: tuple[GapReason, ...] = ("not_found", "thumbs_down", "off_topic")

MAX_TEXT = 500
#: Two questions belong together when their content words overlap at least this much (Jaccard).
DEFAULT_SIMILARITY = 0.5

_WORD = re.compile(r"[a-z0-9]+")
# Phone, account and card numbers, codes: masked before storage (no personal data for editors).
_DIGITS = re.compile(r"\d[\d .-]{4,}\d")
_EMAIL = re.compile(r"\S+@\S+")
# Words that carry no topic: question words, pronouns, particles (folded).
_STOPWORDS = frozenset(
    "a ai anh ba bac ban bi bo cach cho chi chua co con cua da dang de di do duoc em gi gio giup ha hay hoi "
    "hom khi khong la lai lam lan luc ma minh mot muon nao nay neu nhe nhu nhung nua o oi phai ra rang roi "
    "sao se sau thi thoi thuong toi tren trong tu va vao vay vi voi vua xin ntn".split()
)


@dataclass(frozen=True)
class GapGroup:
    """Similar unanswered questions: a representative wording, how often, why, and the lessons found."""

    question: str
    count: int
    reasons: dict[str, int]
    lessons: list[str]
    examples: list[str]
    first_at: datetime
    last_at: datetime

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (times in ISO 8601)."""
        return {
            "question": self.question,
            "count": self.count,
            "reasons": self.reasons,
            "lessons": self.lessons,
            "examples": self.examples,
            "first_at": self.first_at.isoformat(),
            "last_at": self.last_at.isoformat(),
        }


@dataclass(frozen=True)
class GapRow:
    """One recorded question, as the grouping reads it."""

    question: str
    folded: str
    reason: str
    at: datetime
    lesson_id: str | None = None


def redact(text: str) -> str:
    """The question with long digit runs and e-mail addresses masked, normalized, at most 500 characters."""
    cleaned = _EMAIL.sub("…@…", normalize(text or "").strip())
    cleaned = _DIGITS.sub("…", cleaned)
    return " ".join(cleaned.split())[:MAX_TEXT]


def fold_question(text: str) -> str:
    """Folded words of the question, teencode expanded ("ntn" -> "nhu the nao")."""
    return " ".join(_WORD.findall(fold(expand_teencode(normalize(text or "")))))[:MAX_TEXT]


_HOW = re.compile(r"\b(?:nhu )?the nao\b")


def content_words(folded: str) -> frozenset[str]:
    """The topic-bearing words of a folded question (stop words and "thế nào" removed)."""
    return frozenset(w for w in _HOW.sub(" ", folded).split() if w not in _STOPWORDS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|, 0.0 for two empty sets."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


@dataclass
class _Cluster:
    words: frozenset[str]
    rows: list[GapRow] = field(default_factory=list)


def group_gaps(rows: Iterable[GapRow], similarity: float = DEFAULT_SIMILARITY) -> list[GapGroup]:
    """Group questions whose content words overlap at least `similarity`; most asked first.

    Greedy and order-independent enough for an editors' list: each question joins the most similar
    group (compared with the group's first question), or starts a new one.
    """
    clusters: list[_Cluster] = []
    for row in sorted(rows, key=lambda r: r.at):
        words = content_words(row.folded)
        best: _Cluster | None = None
        best_score = 0.0
        for cluster in clusters:
            score = 1.0 if words == cluster.words else jaccard(words, cluster.words)
            if score >= similarity and (best is None or score > best_score):
                best, best_score = cluster, score
        if best is None:
            best = _Cluster(words)
            clusters.append(best)
        best.rows.append(row)
    groups = [_to_group(c.rows) for c in clusters]
    return sorted(groups, key=lambda g: (-g.count, -g.last_at.timestamp(), g.question))


def _to_group(rows: Sequence[GapRow]) -> GapGroup:
    wordings = Counter(r.question for r in rows)
    # The most frequent wording; among equals, one typed with tone marks reads best.
    question = max(wordings, key=lambda q: (wordings[q], has_marks(q), -len(q)))
    lessons = Counter(r.lesson_id for r in rows if r.lesson_id)
    return GapGroup(
        question=question,
        count=len(rows),
        reasons=dict(Counter(r.reason for r in rows)),
        lessons=[lesson for lesson, _ in lessons.most_common(3)],
        examples=[q for q, _ in wordings.most_common(5)],
        first_at=min(r.at for r in rows),
        last_at=max(r.at for r in rows),
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def add_gap(
    session: Session,
    at: datetime,
    question: str,
    reason: GapReason,
    *,
    lesson_id: str | None = None,
    score: float | None = None,
) -> bool:
    """Add one question to the log in `session` (masked, folded); False when there is nothing to record."""
    if reason not in REASONS:
        raise ValueError(f"unknown gap reason: {reason!r}")
    text = redact(question)
    folded = fold_question(text)
    if not folded or _not_a_gap(question, folded):
        return False
    session.add(ContentGap(at=at, reason=reason, question=text, folded=folded, lesson_id=lesson_id, score=score))
    return True


def _not_a_gap(question: str, folded: str) -> bool:
    """Small talk ("em ơi", "hay quá", "2") and texts of fewer than 2 content words ("ok", "menu") say
    nothing about the course; a short real question ("nfc là gì?") still counts."""
    if small_talk(question) is not None:
        return True
    words = content_words(folded)
    return len(words) < 2 and not (words and looks_like_question(question))


class GapLog:
    """Records unanswered questions and lists them grouped; no learner id anywhere."""

    def __init__(
        self, session_factory: sessionmaker[Session], clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def record(
        self,
        question: str,
        reason: GapReason,
        *,
        lesson_id: str | None = None,
        score: float | None = None,
        session: Session | None = None,
    ) -> bool:
        """Record one question (in `session` when given, else in its own transaction); False if empty."""
        if session is not None:
            return add_gap(session, self._clock(), question, reason, lesson_id=lesson_id, score=score)
        with transaction(self._session_factory) as own:
            return add_gap(own, self._clock(), question, reason, lesson_id=lesson_id, score=score)

    def rows(self, since: datetime | None = None, reasons: Iterable[str] | None = None) -> list[GapRow]:
        """Recorded questions at or after `since`, optionally of some reasons only, oldest first."""
        query = select(ContentGap).order_by(ContentGap.at, ContentGap.id)
        if since is not None:
            query = query.where(ContentGap.at >= _utc(since))
        if reasons is not None:
            query = query.where(ContentGap.reason.in_(list(reasons)))
        with self._session_factory() as session:
            return [GapRow(r.question, r.folded, r.reason, _utc(r.at), r.lesson_id) for r in session.scalars(query)]

    def grouped(
        self,
        since: datetime | None = None,
        *,
        reasons: Iterable[str] | None = None,
        similarity: float = DEFAULT_SIMILARITY,
    ) -> list[GapGroup]:
        """The recorded questions grouped by similarity, with counts, most asked first."""
        return group_gaps(self.rows(since, reasons), similarity)
