"""`hocvuso bench answers`: does the tutor answer? Questions as workers type them, through the real
answerer (cards first, then passages, scope and safety), against the ingested course.

The question set (hocvuso/data/bench_answers.yaml) names, for each question, the card or lesson a
right answer comes from and the key facts it must contain. Reported (docs/benchmarks.md):
- on-topic correct: answered, with every key fact in the reply (compared without tone marks);
- right source: the reply's card or lesson is the expected one;
- false "don't know": an on-topic or urgent question answered with "not found" or the scope reply;
- off-topic honesty: off-topic and outside-the-course questions get "not found" or the scope reply,
  and (stricter) no lesson is offered with it;
- urgent recall: urgent messages get the safety steps first;
- latency of a whole question turn of the answerer (p50, p95), warm (model loaded, no cached query).

`calibrate_cards` measures the card policy on the cards themselves, leave-one-out: each phrasing is
asked with its own chunk left out, so only the card's other phrasings can match it.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.textnorm import fold, normalize

DEFAULT_QUESTIONS = Path(__file__).parent / "data" / "bench_answers.yaml"
ANSWERED_MODES = ("card", "llm", "extractive", "safety")
WARM_UP = ("mật khẩu mạnh là gì", "cach chuyen khoan", "vneid la gi")


@dataclass(frozen=True)
class BenchItem:
    """One question of the set."""

    q: str
    type: str  # on_topic | urgent | off_topic | outside
    expect: str = ""  # card id or lesson id
    facts: tuple[str, ...] = ()
    audience: str | None = None

    @property
    def lesson(self) -> str:
        """The expected lesson id (a card id without its "-c<N>")."""
        return re.sub(r"-c\d+$", "", self.expect)


@dataclass
class Outcome:
    """What the answerer did with one question, judged."""

    item: BenchItem
    mode: str
    text: str
    card_id: str | None
    lessons: list[str]
    suggestions: list[str]
    seconds: float
    correct: bool = False
    right_source: bool = False
    missing: list[str] = field(default_factory=list)


def load_items(path: Path = DEFAULT_QUESTIONS) -> list[BenchItem]:
    """The question set."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    return [
        BenchItem(
            q=str(r["q"]),
            type=str(r["type"]),
            expect=str(r.get("expect") or ""),
            facts=tuple(str(f) for f in r.get("facts") or ()),
            audience=r.get("audience"),
        )
        for r in raw
    ]


def _folded(text: str) -> str:
    return " ".join(fold(normalize(text)).lower().split())


def missing_facts(text: str, facts: Sequence[str]) -> list[str]:
    """The facts not found in `text` (each fact: alternatives separated by "|", folded substrings)."""
    folded = _folded(text)
    return [f for f in facts if not any(_folded(alt) in folded for alt in f.split("|"))]


def run_items(answer: Callable[..., Any], items: Sequence[BenchItem], lesson_of_title: dict[str, str]) -> list[Outcome]:
    """Ask every question once (after a warm-up), judging each answer."""
    for question in WARM_UP:
        answer(question)
    outcomes = []
    for item in items:
        started = time.perf_counter()
        result = answer(item.q, audience=item.audience)
        seconds = time.perf_counter() - started
        lessons = [lesson_of_title.get(s.title, s.title) for s in result.sources]
        outcome = Outcome(
            item=item,
            mode=result.mode,
            text=result.reply_text,
            card_id=result.card_id,
            lessons=lessons,
            suggestions=list(result.suggestions),
            seconds=seconds,
        )
        _judge(outcome)
        outcomes.append(outcome)
    return outcomes


def _judge(o: Outcome) -> None:
    item = o.item
    if item.type in ("on_topic", "urgent"):
        o.missing = missing_facts(o.text, item.facts)
        o.correct = o.mode in ANSWERED_MODES and not o.missing
        expected_card = item.expect != item.lesson
        o.right_source = (o.card_id == item.expect) if expected_card and o.card_id else item.lesson in o.lessons
    else:
        o.correct = o.mode in ("not_found", "off_topic")
        o.right_source = o.correct and not o.suggestions


def _share(values: Sequence[bool]) -> float:
    return round(sum(values) / len(values), 3) if values else 0.0


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else 0.0


def summarize(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The benchmark's numbers."""
    on = [o for o in outcomes if o.item.type == "on_topic"]
    urgent = [o for o in outcomes if o.item.type == "urgent"]
    off = [o for o in outcomes if o.item.type in ("off_topic", "outside")]
    asked = on + urgent
    seconds = [o.seconds for o in outcomes]
    modes: dict[str, int] = {}
    for o in on:
        modes[o.mode] = modes.get(o.mode, 0) + 1
    return {
        "questions": len(outcomes),
        "on_topic": len(on),
        "urgent": len(urgent),
        "off_topic_and_outside": len(off),
        "on_topic_correct": _share([o.correct for o in on]),
        "on_topic_right_source": _share([o.right_source for o in on]),
        "on_topic_by_mode": modes,
        "false_dont_know": _share([o.mode in ("not_found", "off_topic") for o in asked]),
        "off_topic_honest": _share([o.correct for o in off]),
        "off_topic_no_lesson_offered": _share([o.right_source for o in off]),
        "urgent_recall": _share([o.mode == "safety" for o in urgent]),
        "urgent_correct": _share([o.correct for o in urgent]),
        "p50_ms": round(1000 * statistics.median(seconds), 1) if seconds else 0.0,
        "p95_ms": round(1000 * _percentile(seconds, 0.95), 1),
    }


def failures(outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    """The questions that went wrong, for whoever improves the cards or the answerer."""
    wrong = []
    for o in outcomes:
        urgent_missed = o.item.type == "urgent" and o.mode != "safety"
        offered = o.item.type in ("off_topic", "outside") and bool(o.suggestions)
        if o.correct and not urgent_missed and not offered:
            continue
        wrong.append(
            {
                "q": o.item.q,
                "type": o.item.type,
                "expect": o.item.expect,
                "mode": o.mode,
                "card": o.card_id,
                "lessons": o.lessons,
                "suggestions": o.suggestions,
                "missing": o.missing,
                "text": o.text[:300],
            }
        )
    return wrong


# --- card calibration ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CardTrial:
    """One leave-one-out question: its own card's best similarity and coverage, and whether the card won."""

    similarity: float
    coverage: float
    right: bool


def calibrate_cards(search: Callable[..., list[Any]], lessons_dir: Path, limit: int = 0) -> list[CardTrial]:
    """Ask every card phrasing, its own chunk left out; what `best_card` found, and was it right."""
    from ingest.cards import CARDS_FILE, load_cards

    phrasings = [(p.chunk.text, p.card_id) for f in sorted(lessons_dir.glob(f"*/{CARDS_FILE}")) for p in load_cards(f)]
    if limit:
        phrasings = phrasings[:: max(1, len(phrasings) // limit)][:limit]
    return [trial for text, card_id in phrasings if (trial := card_trial(search, text, card_id)) is not None]


def card_trial(search: Callable[..., list[Any]], text: str, card_id: str | None) -> CardTrial | None:
    """The best card for `text` with the phrasing itself left out; `right` when it is `card_id`."""
    from tutor.card_match import best_card

    hits = [h for h in search(text, k=9, kind="card") if h.text != text]
    match = best_card(text, hits)
    if match is None:
        return None
    return CardTrial(match.similarity, match.coverage, card_id is not None and match.card_id == card_id)


def card_policy_table(trials: Sequence[CardTrial], off_topic: Sequence[CardTrial] = ()) -> list[dict[str, Any]]:
    """Answered share and precision of card policies on the trials (and off-topic questions accepted)."""
    rows = []
    for min_score in (0.84, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9):
        for sure in (0.9, 0.92, 0.94, 0.96):
            for coverage in (0.4, 0.5, 0.6, 0.75):
                if sure < min_score:
                    continue

                def accepted(t: CardTrial, min_score=min_score, sure=sure, coverage=coverage) -> bool:
                    return t.similarity >= sure or (t.similarity >= min_score and t.coverage >= coverage)

                taken = [t for t in trials if accepted(t)]
                rows.append(
                    {
                        "min_score": min_score,
                        "sure_score": sure,
                        "min_coverage": coverage,
                        "answered": round(len(taken) / len(trials), 3) if trials else 0.0,
                        "precision": round(sum(t.right for t in taken) / len(taken), 3) if taken else 0.0,
                        "off_topic_accepted": sum(1 for t in off_topic if accepted(t)),
                    }
                )
    return rows
