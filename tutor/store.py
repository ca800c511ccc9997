"""The learner repository: every read and write of the tutor's tables, on a caller's session.

The conversation opens one transaction per turn and passes its session here; nothing in this
module commits. Datetimes are stored in UTC; SQLite gives them back naive, `aware()` fixes that.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tutor.events import EventKind
from tutor.models import (
    ChannelIdentity,
    ConsentRecord,
    ConversationState,
    Event,
    GeneratedItem,
    Learner,
    LessonProgress,
    LinkCode,
    Mastery,
    ReminderDelivery,
    ReviewCard,
)
from tutor.stats.counters import note_activity
from tutor.store_rights import DataRights, MessageLog, aware, new_learner_id


@dataclass(frozen=True)
class DueCard:
    """A review card that is due, with whether its last answer was right."""

    item_id: str
    due: datetime
    last_correct: bool


class LearnerStore(MessageLog, DataRights):
    """Reads and writes learner state on the session it is given (no commits).

    `channel_data` (the channels' `ChannelDataPort`) makes export and deletion cover what the
    channels keep about the learner's channel identities too.
    """

    # --- learners and identities ---------------------------------------------------------------
    def identity(self, session: Session, channel: str, user_id: str) -> ChannelIdentity | None:
        """The identity of a channel user, or None for a first contact."""
        return session.execute(
            select(ChannelIdentity).where(
                ChannelIdentity.channel == channel, ChannelIdentity.channel_user_id == user_id
            )
        ).scalar_one_or_none()

    def create_learner(
        self, session: Session, channel: str, user_id: str, now: datetime
    ) -> tuple[Learner, ChannelIdentity, ConversationState]:
        """A new learner awaiting consent: only what is needed to remember that we asked."""
        learner = Learner(
            id=new_learner_id(session), consent_state="pending", active=True, created_at=now, last_seen_at=now
        )
        session.add(learner)
        session.flush()
        identity = ChannelIdentity(
            channel=channel, channel_user_id=user_id, learner_id=learner.id, active=True, created_at=now
        )
        state = ConversationState(learner_id=learner.id, mode="consent", section=0, data={}, updated_at=now)
        session.add_all([identity, state])
        session.flush()
        return learner, identity, state

    def lock_learner(self, session: Session, learner_id: int) -> Learner | None:
        """Load a learner with a row lock (SELECT … FOR UPDATE on PostgreSQL; SQLite already
        holds the database write lock from BEGIN IMMEDIATE)."""
        return session.execute(select(Learner).where(Learner.id == learner_id).with_for_update()).scalar_one_or_none()

    def state(self, session: Session, learner_id: int, now: datetime) -> ConversationState:
        """The conversation state of a learner (created when missing)."""
        state = session.get(ConversationState, learner_id)
        if state is None:
            state = ConversationState(learner_id=learner_id, mode="idle", section=0, data={}, updated_at=now)
            session.add(state)
            session.flush()
        return state

    def add_consent(self, session: Session, learner_id: int, version: str, text_hash: str, now: datetime) -> None:
        session.add(ConsentRecord(learner_id=learner_id, version=version, text_hash=text_hash, accepted_at=now))

    # --- events ------------------------------------------------------------------------------
    def add_event(
        self,
        session: Session,
        learner_id: int | None,
        kind: str,
        now: datetime,
        *,
        channel: str | None = None,
        lesson_id: str | None = None,
        item_id: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> Event:
        """Append an event to the log (flushed, so its id is known); a learner's first event of a
        local week (the store's `tz`) also counts them in the anonymous weekly activity counter."""
        if learner_id is not None:
            note_activity(session, learner_id, now, self.tz)
        event = Event(
            learner_id=learner_id,
            kind=kind,
            at=now,
            channel=channel,
            lesson_id=lesson_id,
            item_id=item_id,
            data=data or {},
        )
        session.add(event)
        session.flush()
        return event

    def event(self, session: Session, event_id: int) -> Event | None:
        return session.get(Event, event_id)

    def has_feedback(self, session: Session, learner_id: int, question_event_id: int) -> bool:
        return (
            session.execute(
                select(Event.id).where(
                    Event.learner_id == learner_id,
                    Event.kind == EventKind.FEEDBACK,
                    Event.item_id == str(question_event_id),
                )
            ).first()
            is not None
        )

    def active_dates(self, session: Session, learner_id: int, tz: ZoneInfo) -> list[date]:
        """Local dates on which the learner did anything (for the streak)."""
        rows = session.execute(select(Event.at).where(Event.learner_id == learner_id)).scalars()
        return sorted({aware(at).astimezone(tz).date() for at in rows})  # type: ignore[union-attr]

    # --- lessons -----------------------------------------------------------------------------
    def progress(self, session: Session, learner_id: int, lesson_id: str) -> LessonProgress | None:
        return session.get(LessonProgress, (learner_id, lesson_id))

    def start_lesson(self, session: Session, learner_id: int, lesson_id: str, now: datetime) -> LessonProgress:
        """The learner's progress row for a lesson (created as started)."""
        row = self.progress(session, learner_id, lesson_id)
        if row is None:
            row = LessonProgress(
                learner_id=learner_id, lesson_id=lesson_id, status="started", section=0, started_at=now
            )
            session.add(row)
            session.flush()
        return row

    def completed_lessons(self, session: Session, learner_id: int) -> set[str]:
        return set(
            session.execute(
                select(LessonProgress.lesson_id).where(
                    LessonProgress.learner_id == learner_id, LessonProgress.status == "completed"
                )
            ).scalars()
        )

    def unfinished_lesson(self, session: Session, learner_id: int) -> LessonProgress | None:
        """The most recently started lesson not yet completed."""
        return session.execute(
            select(LessonProgress)
            .where(LessonProgress.learner_id == learner_id, LessonProgress.status == "started")
            .order_by(LessonProgress.started_at.desc())
            .limit(1)
        ).scalar_one_or_none()

    def last_lesson(self, session: Session, learner_id: int) -> str | None:
        """The lesson the learner touched last (started or completed)."""
        row = session.execute(
            select(LessonProgress.lesson_id)
            .where(LessonProgress.learner_id == learner_id)
            .order_by(func.coalesce(LessonProgress.completed_at, LessonProgress.started_at).desc())
            .limit(1)
        ).first()
        return row[0] if row else None

    # --- mastery -----------------------------------------------------------------------------
    def mastery(self, session: Session, learner_id: int) -> dict[str, float]:
        rows = session.execute(select(Mastery.skill, Mastery.p).where(Mastery.learner_id == learner_id))
        return {skill: p for skill, p in rows}

    def set_mastery(self, session: Session, learner_id: int, skill: str, p: float, now: datetime) -> None:
        row = session.get(Mastery, (learner_id, skill))
        if row is None:
            session.add(Mastery(learner_id=learner_id, skill=skill, p=p, updated_at=now))
        else:
            row.p, row.updated_at = p, now

    # --- review cards ------------------------------------------------------------------------
    def card(self, session: Session, learner_id: int, item_id: str) -> ReviewCard | None:
        return session.get(ReviewCard, (learner_id, item_id))

    def cards(self, session: Session, learner_id: int) -> dict[str, ReviewCard]:
        rows = session.execute(select(ReviewCard).where(ReviewCard.learner_id == learner_id)).scalars()
        return {row.item_id: row for row in rows}

    def save_card(
        self,
        session: Session,
        learner_id: int,
        item_id: str,
        card: dict[str, Any],
        due: datetime,
        correct: bool,
        now: datetime,
    ) -> None:
        row = self.card(session, learner_id, item_id)
        if row is None:
            session.add(
                ReviewCard(
                    learner_id=learner_id, item_id=item_id, card=card, due=due, last_correct=correct, updated_at=now
                )
            )
        else:
            row.card, row.due, row.last_correct, row.updated_at = card, due, correct, now

    def due_cards(self, session: Session, learner_id: int, until: datetime) -> list[DueCard]:
        """Cards due at or before `until`, earliest first."""
        rows = session.execute(
            select(ReviewCard.item_id, ReviewCard.due, ReviewCard.last_correct)
            .where(ReviewCard.learner_id == learner_id, ReviewCard.due <= until)
            .order_by(ReviewCard.due)
        )
        return [DueCard(item_id, aware(due), bool(ok)) for item_id, due, ok in rows]  # type: ignore[arg-type]

    # --- generated items ---------------------------------------------------------------------
    def generated_items(self, session: Session, lesson_id: str) -> list[dict[str, Any]]:
        rows = session.execute(
            select(GeneratedItem.data).where(GeneratedItem.lesson_id == lesson_id).order_by(GeneratedItem.created_at)
        ).scalars()
        return list(rows)

    def generated_item(self, session: Session, item_id: str) -> dict[str, Any] | None:
        row = session.get(GeneratedItem, item_id)
        return row.data if row else None

    def add_generated_item(
        self, session: Session, item_id: str, lesson_id: str, data: dict[str, Any], now: datetime
    ) -> None:
        if session.get(GeneratedItem, item_id) is None:
            session.add(GeneratedItem(id=item_id, lesson_id=lesson_id, data=data, created_at=now))

    # --- link codes --------------------------------------------------------------------------
    def new_link_code(self, session: Session, learner_id: int, now: datetime, ttl: timedelta) -> str:
        """A fresh 6-digit code for this learner (older codes of the learner are dropped)."""
        session.execute(delete(LinkCode).where((LinkCode.learner_id == learner_id) | (LinkCode.expires_at < now)))
        for _ in range(20):
            code = f"{secrets.randbelow(1_000_000):06d}"
            if session.get(LinkCode, code) is None:
                session.add(LinkCode(code=code, learner_id=learner_id, expires_at=now + ttl))
                session.flush()
                return code
        raise RuntimeError("could not allocate a link code")

    def take_link_code(self, session: Session, code: str, now: datetime) -> int | None:
        """The learner a valid code belongs to (the code is used up), or None."""
        row = session.get(LinkCode, code)
        if row is None:
            return None
        learner_id, expires = row.learner_id, aware(row.expires_at)
        session.delete(row)
        session.flush()
        if expires is None or expires < now:
            return None
        return learner_id

    def move_identity(self, session: Session, identity: ChannelIdentity, learner_id: int) -> None:
        identity.learner_id = learner_id
        session.flush()

    # --- reminders ---------------------------------------------------------------------------
    def due_reminder_rows(self, session: Session, channel: str, hhmm: str, day: date) -> list[tuple[int, str, str]]:
        """(learner id, channel user id, HH:MM) of reminders due by local `hhmm` and not yet claimed on `day`."""
        claimed = select(ReminderDelivery.learner_id).where(ReminderDelivery.day == day)
        rows = session.execute(
            select(Learner.id, ChannelIdentity.channel_user_id, Learner.reminder_time)
            .join(Learner, Learner.id == ChannelIdentity.learner_id)
            .where(
                ChannelIdentity.channel == channel,
                ChannelIdentity.active.is_(True),
                Learner.active.is_(True),
                Learner.consent_state == "given",
                Learner.reminder_time.is_not(None),
                Learner.reminder_time <= hhmm,  # "HH:MM" strings compare as times
                Learner.id.not_in(claimed),
            )
            .order_by(Learner.reminder_time, Learner.id)
        )
        return [(learner_id, user_id, str(time)) for learner_id, user_id, time in rows]

    def claim_reminder(
        self, session: Session, learner_id: int, day: date, channel: str, now: datetime
    ) -> Learner | None:
        """Claim a learner's reminder for `day` (IntegrityError when another process did first);
        None when the learner is gone or no longer wants one."""
        learner = self.lock_learner(session, learner_id)
        if learner is None or not learner.active or learner.consent_state != "given" or not learner.reminder_time:
            return None
        session.add(ReminderDelivery(learner_id=learner_id, day=day, channel=channel, sent_at=now))
        session.flush()  # the unique (learner, day) key is the claim
        return learner
