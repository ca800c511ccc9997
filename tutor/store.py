"""The learner repository: every read and write of the tutor's tables, on a caller's session.

The conversation opens one transaction per turn and passes its session here; nothing in this
module commits. Datetimes are stored in UTC; SQLite gives them back naive, `aware()` fixes that.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tutor.events import EventKind
from tutor.messages import ChannelDataPort
from tutor.models import (
    LEARNER_TABLES,
    ChannelIdentity,
    ConsentRecord,
    ConversationState,
    Event,
    GeneratedItem,
    Learner,
    LearnerIdRow,
    LessonProgress,
    LinkCode,
    Mastery,
    ProcessedMessage,
    ReminderDelivery,
    ReviewCard,
)


def aware(moment: datetime | None) -> datetime | None:
    """`moment` as an aware UTC datetime (naive values from SQLite count as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class DueCard:
    """A review card that is due, with whether its last answer was right."""

    item_id: str
    due: datetime
    last_correct: bool


class LearnerStore:
    """Reads and writes learner state on the session it is given (no commits).

    `channel_data` (the channels' `ChannelDataPort`) makes export and deletion cover what the
    channels keep about the learner's channel identities too.
    """

    def __init__(self, channel_data: ChannelDataPort | None = None) -> None:
        self.channel_data = channel_data

    # --- inbound bookkeeping -----------------------------------------------------------------
    def claim_message(self, session: Session, channel: str, message_id: str, now: datetime) -> bool:
        """Record an inbound message id; False when it was already handled (duplicate delivery)."""
        exists = session.execute(
            select(ProcessedMessage.channel).where(
                ProcessedMessage.channel == channel, ProcessedMessage.message_id == message_id
            )
        ).first()
        if exists:
            return False
        try:
            with session.begin_nested():
                session.execute(
                    insert(ProcessedMessage).values(channel=channel, message_id=message_id, learner_id=None, at=now)
                )
        except IntegrityError:
            return False  # another worker took it between our check and insert
        return True

    def stored_replies(self, session: Session, channel: str, message_id: str) -> list[Any] | None:
        """The replies stored for a handled message (None when none were stored)."""
        value = session.execute(
            select(ProcessedMessage.replies).where(
                ProcessedMessage.channel == channel, ProcessedMessage.message_id == message_id
            )
        ).scalar_one_or_none()
        return value if isinstance(value, list) else None

    def save_replies(self, session: Session, channel: str, message_id: str, replies: list[Any]) -> None:
        """Keep a turn's replies with its message id (a retried id gets them again)."""
        session.execute(
            update(ProcessedMessage)
            .where(ProcessedMessage.channel == channel, ProcessedMessage.message_id == message_id)
            .values(replies=replies)
        )

    def attach_message(self, session: Session, channel: str, message_id: str, learner_id: int) -> None:
        """Tie a processed message to its learner (rate limit window; deleted with the learner)."""
        session.execute(
            update(ProcessedMessage)
            .where(ProcessedMessage.channel == channel, ProcessedMessage.message_id == message_id)
            .values(learner_id=learner_id)
        )

    def recent_messages(self, session: Session, learner_id: int, since: datetime) -> int:
        """How many messages of this learner were handled since `since`."""
        return session.execute(
            select(func.count())
            .select_from(ProcessedMessage)
            .where(ProcessedMessage.learner_id == learner_id, ProcessedMessage.at >= since)
        ).scalar_one()

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

    def identities(self, session: Session, learner_id: int) -> list[ChannelIdentity]:
        return list(session.execute(select(ChannelIdentity).where(ChannelIdentity.learner_id == learner_id)).scalars())

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
        """Append an event to the log (flushed, so its id is known)."""
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

    # --- data rights -------------------------------------------------------------------------
    def export(self, session: Session, learner_id: int) -> dict[str, Any]:
        """Everything stored about one learner, JSON-ready, one key per table."""
        learner = session.get(Learner, learner_id)
        out: dict[str, Any] = {"learner": _row_dict(learner) if learner else None}
        for table in reversed(LEARNER_TABLES):
            rows = session.execute(
                select(table).where(table.learner_id == learner_id)  # type: ignore[attr-defined]
            ).scalars()
            out[table.__tablename__.removeprefix("tutor_")] = [_row_dict(row) for row in rows]
        if self.channel_data is not None:
            out["channels"] = {
                f"{identity.channel}:{identity.channel_user_id}": self.channel_data.export_user(
                    session, identity.channel, identity.channel_user_id
                )
                for identity in self.identities(session, learner_id)
            }
        for message in out.get("processed_messages", []):
            # The tutor's own replies, kept for a retry: counted, not repeated (an export would
            # otherwise hold every earlier export).
            message["replies"] = len(message.get("replies") or [])
        return out

    def delete_learner(self, session: Session, learner_id: int, *, keep_message: tuple[str, str] | None = None) -> None:
        """Remove every row of this learner from every table.

        `keep_message` (channel, message_id) stays in the dedup table without a learner, so a
        redelivery of the deleting message is not handled twice.
        """
        session.flush()
        if self.channel_data is not None:
            for identity in self.identities(session, learner_id):
                self.channel_data.delete_user(session, identity.channel, identity.channel_user_id)
        if keep_message is not None:
            session.execute(
                update(ProcessedMessage)
                .where(ProcessedMessage.channel == keep_message[0], ProcessedMessage.message_id == keep_message[1])
                .values(learner_id=None)
            )
        for table in LEARNER_TABLES:
            session.execute(delete(table).where(table.learner_id == learner_id))  # type: ignore[attr-defined]
        session.execute(delete(Learner).where(Learner.id == learner_id))
        session.expunge_all()

    def purge_inactive(self, session: Session, before: datetime, unconsented_before: datetime | None = None) -> int:
        """Delete learners not seen since `before` (retention period over), and those who never
        consented and were not seen since `unconsented_before`; returns how many."""
        stale = Learner.last_seen_at < before
        if unconsented_before is not None:
            stale = stale | ((Learner.consent_state != "given") & (Learner.last_seen_at < unconsented_before))
        ids = list(session.execute(select(Learner.id).where(stale)).scalars())
        for learner_id in ids:
            self.delete_learner(session, learner_id)
        return len(ids)

    # --- reminders ---------------------------------------------------------------------------
    def reminder_rows(self, session: Session, channel: str) -> list[tuple[str, str]]:
        """(channel user id, HH:MM) of active, consenting learners of a channel with a reminder."""
        rows = session.execute(
            select(ChannelIdentity.channel_user_id, Learner.reminder_time)
            .join(Learner, Learner.id == ChannelIdentity.learner_id)
            .where(
                ChannelIdentity.channel == channel,
                ChannelIdentity.active.is_(True),
                Learner.active.is_(True),
                Learner.consent_state == "given",
                Learner.reminder_time.is_not(None),
            )
            .order_by(Learner.reminder_time)
        )
        return [(user_id, str(hhmm)) for user_id, hhmm in rows]

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


def new_learner_id(session: Session) -> int | None:
    """A learner id never given before, on SQLite (whose rowids reuse a deleted maximum: a new
    learner would inherit the deleted one's signed buttons); None elsewhere (a sequence does it).

    `tutor_learner_ids` is an AUTOINCREMENT table: an id is drawn by inserting a row and deleting
    it; SQLite's sqlite_sequence remembers the highest id ever drawn.
    """
    if session.get_bind().dialect.name != "sqlite":
        return None
    drawn = int(session.execute(insert(LearnerIdRow).values().returning(LearnerIdRow.id)).scalar_one())
    session.execute(delete(LearnerIdRow).where(LearnerIdRow.id == drawn))
    return drawn


def _row_dict(row: Any) -> dict[str, Any]:
    """A mapped row as a JSON-ready dict (datetimes in ISO 8601 UTC)."""
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(value, datetime):
            value = aware(value).isoformat()  # type: ignore[union-attr]
        out[column.key] = value
    return out
