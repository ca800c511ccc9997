"""Tables owned by the tutor: learners, their channel identities, consent, conversation state,
progress, the append-only event log, mastery, review cards, inbound dedup, generated items and
reminder deliveries.

Every row that belongs to a learner carries `learner_id` with ON DELETE CASCADE, so deleting a
learner (`/xoadulieu`) removes everything; the tutor also deletes explicitly (SQLite only
cascades with foreign keys on, which `knowledge.db.make_engine` sets).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.db import Base
from tutor.officer_models import Officer

GROUPS = ("officer", "public", "worker")


class Unit(Base):
    """A trade-union unit of the registry (`hocvuso units import`); its member counts by group are the
    denominators of the campaign's indicators. `id` is the registry's `code`."""

    __tablename__ = "tutor_units"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    parent_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    level: Mapped[str] = mapped_column(String(32))  # province | district | grassroots
    sector: Mapped[str] = mapped_column(String(16), default="enterprise")  # enterprise | public | union
    officers: Mapped[int] = mapped_column(Integer, default=0)  # full-time union officers
    public_staff: Mapped[int] = mapped_column(Integer, default=0)  # public-sector staff
    workers: Mapped[int] = mapped_column(Integer, default=0)  # enterprise workers
    sample: Mapped[bool] = mapped_column(Boolean, default=False)  # shipped sample data, replaced by an import
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Learner(Base):
    """One person learning, whatever channels they use."""

    __tablename__ = "tutor_learners"
    # The officers' statistics group every learner by unit (learners, active 7/30 days): this index
    # holds every column they read, so the grouping never visits the table.
    __table_args__ = (Index("ix_tutor_learners_unit_stats", "unit_id", "consent_state", "last_seen_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    display_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    group: Mapped[str | None] = mapped_column(String(16), nullable=True)  # officer|public|worker
    unit_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    reminder_time: Mapped[str | None] = mapped_column(String(5), nullable=True)  # "HH:MM" local
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|given|withdrawn
    # When the learner agreed that their grassroots unit's officers see them in its list of learners
    # (/hienten); None: not listed (the default, and after /anten).
    listed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LearnerIdRow(Base):
    """Draws learner ids on SQLite (AUTOINCREMENT: an id is never given twice); rows are deleted
    as soon as drawn. See `tutor.store.new_learner_id`."""

    __tablename__ = "tutor_learner_ids"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)


class ChannelIdentity(Base):
    """A channel's user id bound to a learner (Telegram and Zalo may share one learner)."""

    __tablename__ = "tutor_channel_identities"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id", name="uq_tutor_identity_channel_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    channel_user_id: Mapped[str] = mapped_column(String(128))
    learner_id: Mapped[int] = mapped_column(ForeignKey("tutor_learners.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LinkCode(Base):
    """A one-time 6-digit code that links another channel identity to this learner."""

    __tablename__ = "tutor_link_codes"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("tutor_learners.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConsentRecord(Base):
    """One consent given (and possibly withdrawn) to a version of the notice."""

    __tablename__ = "tutor_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("tutor_learners.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(16))
    text_hash: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ConversationState(Base):
    """Where the conversation with a learner stands; `version` guards against lost updates."""

    __tablename__ = "tutor_states"

    learner_id: Mapped[int] = mapped_column(ForeignKey("tutor_learners.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), default="consent")
    lesson_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    section: Mapped[int] = mapped_column(Integer, default=0)
    quiz: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # open quiz session
    pending: Mapped[str | None] = mapped_column(String(32), nullable=True)  # e.g. "delete"
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __mapper_args__ = {"version_id_col": version}


class LessonProgress(Base):
    """A learner's progress through one lesson."""

    __tablename__ = "tutor_lesson_progress"

    learner_id: Mapped[int] = mapped_column(ForeignKey("tutor_learners.id", ondelete="CASCADE"), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="started")  # started | completed
    section: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Event(Base):
    """Append-only learning log (the officers' statistics are computed from it).

    `learner_id` is NULL only for anonymous events such as `data_deleted`.
    """

    __tablename__ = "tutor_events"
    __table_args__ = (
        Index("ix_tutor_events_learner_at", "learner_id", "at"),
        Index("ix_tutor_events_kind_at", "kind", "at"),  # officers' statistics (questions, quiz items)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("tutor_learners.id", ondelete="CASCADE"), nullable=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lesson_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    item_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Mastery(Base):
    """BKT probability that the learner masters a skill."""

    __tablename__ = "tutor_mastery"

    learner_id: Mapped[int] = mapped_column(ForeignKey("tutor_learners.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(100), primary_key=True)
    p: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReviewCard(Base):
    """FSRS card of one quiz item for one learner."""

    __tablename__ = "tutor_review_cards"

    learner_id: Mapped[int] = mapped_column(ForeignKey("tutor_learners.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    due: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    last_correct: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProcessedMessage(Base):
    """Inbound messages already handled (dedup) — also the per-learner rate-limit window."""

    __tablename__ = "tutor_processed_messages"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("tutor_learners.id", ondelete="CASCADE"), nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The replies the turn produced (tutor.reply_codec), returned again for a retried message id.
    replies: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (Index("ix_tutor_processed_learner_at", "learner_id", "at"),)


class GeneratedItem(Base):
    """A quiz item written by the LLM from a lesson and verified against it; reused later."""

    __tablename__ = "tutor_generated_items"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(200), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReminderDelivery(Base):
    """A daily reminder claimed for a learner on a local day: the row is the claim (sent once)."""

    __tablename__ = "tutor_reminder_deliveries"

    learner_id: Mapped[int] = mapped_column(ForeignKey("tutor_learners.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # local date (tutor.timezone)
    channel: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ContentGap(Base):
    """A question the course did not answer (not found, or rated 👎), for content editors.

    Deliberately without a learner id: the editors' view is anonymous and survives a learner's
    deletion. Long digit runs (phone, account numbers, codes) are masked before the text is stored.
    """

    __tablename__ = "tutor_content_gaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    reason: Mapped[str] = mapped_column(String(16))  # not_found | thumbs_down | off_topic
    question: Mapped[str] = mapped_column(String(500))
    folded: Mapped[str] = mapped_column(String(500))
    lesson_id: Mapped[str | None] = mapped_column(String(200), nullable=True)  # best lesson found, if any
    score: Mapped[float | None] = mapped_column(Float, nullable=True)


class Certificate(Base):
    """The learner's certificate "Đạt chuẩn kỹ năng số cơ bản": what was printed on it, and its code.

    Name, unit and group are copied at issue time (the certificate says what it said that day).
    Deleting the learner deletes it, so a deleted learner's code no longer verifies.
    """

    __tablename__ = "tutor_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # the printed number
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("tutor_learners.id", ondelete="CASCADE"), unique=True, index=True
    )
    code: Mapped[str] = mapped_column(String(32), unique=True)  # the verification code
    name: Mapped[str] = mapped_column(String(100))
    unit_name: Mapped[str] = mapped_column(String(300))
    group: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


#: Tables holding a learner's personal data, children first (export and delete walk these).
LEARNER_TABLES: tuple[type[Base], ...] = (
    Officer,  # its own children (tutor.officer_models.OFFICER_TABLES) go first, by officer id
    Certificate,
    ReminderDelivery,
    ProcessedMessage,
    Event,
    ReviewCard,
    Mastery,
    LessonProgress,
    ConversationState,
    ConsentRecord,
    LinkCode,
    ChannelIdentity,
)


# Registers the mapper events that keep the statistics' aggregate tables in step with these
# tables (imported last: it uses the classes above).
import tutor.stats.aggregates  # noqa: E402,F401  isort: skip
