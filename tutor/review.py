"""Spaced review of quiz items with FSRS (the `fsrs` package): pure functions, no storage.

Each quiz item a learner has answered has one FSRS card, stored by the caller as a JSON-ready dict
(`ReviewState.card`) with its due time. A correct answer is rated Good (Easy when very fast, Hard
when slow), a wrong one Again, so a missed item comes back soon and a known one drifts away.

A first correct answer schedules the item days ahead (the learner just saw it in a lesson), not
minutes; a wrong answer, first or later, is due again after a short step, so it shows up in the
same day's `/ontap`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from fsrs import Card, Rating, Scheduler

log = logging.getLogger(__name__)

FAST_ANSWER_S = 8.0  # a correct answer at most this fast is rated Easy
SLOW_ANSWER_S = 60.0  # a correct answer slower than this is rated Hard
RELEARNING_STEP = timedelta(minutes=10)  # a missed item comes back after this


@dataclass(frozen=True)
class ReviewState:
    """An item's FSRS card (JSON-serializable dict for the database) and when it is due (UTC)."""

    card: dict[str, Any]
    due: datetime


@lru_cache(maxsize=8)
def make_scheduler(desired_retention: float = 0.9, fuzzing: bool = False) -> Scheduler:
    """An FSRS scheduler for quiz items (one short learning and relearning step).

    Fuzzing is off by default so that the same answers always give the same schedule.
    """
    return Scheduler(
        desired_retention=desired_retention,
        learning_steps=(RELEARNING_STEP,),
        relearning_steps=(RELEARNING_STEP,),
        enable_fuzzing=fuzzing,
    )


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime; naive values (e.g. read back from SQLite) count as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def rating_for(correct: bool, response_s: float | None = None) -> Rating:
    """Again for a wrong answer; Good for a correct one, Easy when fast, Hard when slow."""
    if not correct:
        return Rating.Again
    if response_s is not None and response_s >= 0:
        if response_s <= FAST_ANSWER_S:
            return Rating.Easy
        if response_s > SLOW_ANSWER_S:
            return Rating.Hard
    return Rating.Good


def _card_from(data: dict[str, Any] | None) -> Card:
    if not data:
        return Card()
    try:
        return Card.from_dict(data)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError) as exc:
        # A damaged stored card must not block the learner: start the item over.
        log.warning("Unreadable review card, starting a new one: %s", type(exc).__name__)
        return Card()


def schedule_review(
    card: dict[str, Any] | None,
    correct: bool,
    now: datetime,
    response_s: float | None = None,
    *,
    scheduler: Scheduler | None = None,
) -> ReviewState:
    """The item's card after one answer at `now`; `card=None` creates the card on its first answer.

    `response_s` (seconds from question to answer) refines a correct answer's rating.
    """
    sched = scheduler or make_scheduler()
    moment = as_utc(now)
    current = _card_from(card)
    if current.last_review is not None and as_utc(current.last_review) > moment:
        # Clock skew between workers: never review "before" the previous review.
        moment = as_utc(current.last_review)
    rating = rating_for(correct, response_s)
    if current.last_review is None and rating == Rating.Hard:
        rating = Rating.Good  # a slow but correct first answer still leaves the learning step
    duration_ms = int(response_s * 1000) if response_s is not None and response_s >= 0 else None
    updated, _log = sched.review_card(current, rating, review_datetime=moment, review_duration=duration_ms)
    return ReviewState(card=dict(updated.to_dict()), due=as_utc(updated.due))


def is_due(due: datetime, now: datetime) -> bool:
    """True when an item due at `due` should be reviewed at `now` (naive datetimes count as UTC)."""
    return as_utc(due) <= as_utc(now)
