"""FSRS review scheduling: ratings, due dates, JSON round trips, naive datetimes from SQLite."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa
from fsrs import Rating

from tutor.review import ReviewState, is_due, rating_for, schedule_review

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def test_rating_from_correctness_and_speed() -> None:
    assert rating_for(False) == Rating.Again
    assert rating_for(False, 2.0) == Rating.Again
    assert rating_for(True) == Rating.Good
    assert rating_for(True, 20.0) == Rating.Good
    assert rating_for(True, 3.0) == Rating.Easy
    assert rating_for(True, 300.0) == Rating.Hard


def test_first_correct_answer_creates_a_card_due_days_later() -> None:
    state = schedule_review(None, True, NOW)
    assert isinstance(state, ReviewState)
    assert state.due.tzinfo is not None
    assert state.due - NOW >= timedelta(days=1)
    assert state.card["last_review"] is not None


def test_due_dates_move_forward_after_good_answers() -> None:
    state = schedule_review(None, True, NOW)
    intervals = []
    for _ in range(4):
        answered_at = state.due
        state = schedule_review(state.card, True, answered_at)
        intervals.append(state.due - answered_at)
    assert all(b > a for a, b in zip(intervals, intervals[1:], strict=False))
    assert intervals[-1] > timedelta(days=30)


def test_again_item_is_due_again_soon() -> None:
    first = schedule_review(None, False, NOW)
    assert first.due - NOW <= timedelta(hours=1)
    assert is_due(first.due, NOW + timedelta(hours=1))
    # A learned item answered wrong later on also comes back the same day.
    learned = schedule_review(schedule_review(None, True, NOW).card, True, NOW + timedelta(days=3))
    lapse_at = learned.due
    lapsed = schedule_review(learned.card, False, lapse_at)
    assert lapsed.due - lapse_at <= timedelta(hours=1)
    good_again = schedule_review(learned.card, True, lapse_at)
    assert good_again.due > lapsed.due


def test_fast_correct_answer_is_scheduled_further_than_a_slow_one() -> None:
    fast = schedule_review(None, True, NOW, response_s=4.0)
    normal = schedule_review(None, True, NOW, response_s=25.0)
    slow = schedule_review(None, True, NOW, response_s=200.0)
    assert fast.due > normal.due
    # A slow but correct first answer is not sent back within minutes.
    assert slow.due - NOW >= timedelta(days=1)
    later_slow = schedule_review(normal.card, True, normal.due, response_s=200.0)
    later_normal = schedule_review(normal.card, True, normal.due, response_s=25.0)
    assert later_slow.due < later_normal.due


def test_card_round_trips_through_json_and_a_database_column(tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = schedule_review(None, True, NOW)
    as_json = json.loads(json.dumps(state.card))
    assert as_json == state.card
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cards.db'}")
    meta = sa.MetaData()
    table = sa.Table(
        "cards", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("card", sa.JSON),
        sa.Column("due", sa.DateTime),
    )  # fmt: skip
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert().values(id=1, card=state.card, due=state.due))
    with engine.connect() as conn:
        stored_card, stored_due = conn.execute(sa.select(table.c.card, table.c.due)).one()
    engine.dispose()
    assert stored_due.tzinfo is None  # SQLite gives naive datetimes back
    assert is_due(stored_due, state.due) and not is_due(stored_due, state.due - timedelta(seconds=1))
    from_db = schedule_review(stored_card, True, stored_due)
    from_memory = schedule_review(state.card, True, state.due)
    assert from_db == from_memory


def test_is_due_with_mixed_time_zones() -> None:
    hanoi = timezone(timedelta(hours=7))
    due = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert is_due(due, datetime(2026, 3, 2, 15, 0, tzinfo=hanoi))
    assert not is_due(due, datetime(2026, 3, 2, 14, 59, tzinfo=hanoi))
    assert is_due(due.replace(tzinfo=None), due)


def test_naive_now_and_damaged_card_do_not_raise() -> None:
    state = schedule_review({"state": "garbage"}, True, datetime(2026, 3, 2, 8, 30))
    assert state.due > NOW
    assert state.card["last_review"].startswith("2026-03-02T08:30:00")


def test_answer_stamped_before_last_review_does_not_go_back_in_time() -> None:
    state = schedule_review(None, True, NOW)
    earlier = schedule_review(state.card, True, NOW - timedelta(minutes=5))
    assert earlier.due > NOW
