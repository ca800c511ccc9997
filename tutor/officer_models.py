"""Tables of the officers' side: officer accounts tied to a registry unit, one-time invite codes,
dashboard sign-in tokens and sessions, the log of every officer view, and the anonymous statistics
counters that keep the campaign's counts honest after a learner is deleted.

The counters carry no learner id: (unit, group, week, kind) and a count.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.db import Base


class Officer(Base):
    """A learner who proved (with an invite code) to be an officer of a unit; sees it and the units under it."""

    __tablename__ = "tutor_officers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("tutor_learners.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OfficerInvite(Base):
    """A one-time code (`hocvuso officers invite`) that makes whoever sends `/canbo CODE` an officer of a unit."""

    __tablename__ = "tutor_officer_invites"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("tutor_officers.id", ondelete="SET NULL"), nullable=True)


class OfficerToken(Base):
    """A dashboard credential, stored only as a SHA-256 hash: a one-time sign-in link (`kind` "link")
    or the session it was exchanged for (`kind` "session"). `officer_id` is NULL for an operator's
    link (`hocvuso officers link`); the scope is always `unit_id` and the units under it."""

    __tablename__ = "tutor_officer_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # link | session
    unit_id: Mapped[str] = mapped_column(String(64))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("tutor_officers.id", ondelete="CASCADE"), nullable=True)
    label: Mapped[str] = mapped_column(String(100))  # who, for the view log ("officer 3", "operator")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OfficerView(Base):
    """One officer view (chat statistics, a dashboard page, an export): who saw what, when."""

    __tablename__ = "tutor_officer_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    who: Mapped[str] = mapped_column(String(100))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("tutor_officers.id", ondelete="SET NULL"), nullable=True)
    unit_id: Mapped[str] = mapped_column(String(64))
    what: Mapped[str] = mapped_column(String(200))  # e.g. "chat:/thongke", "dashboard:units", "export:units.csv"


class StatCounter(Base):
    """Anonymous counts of deleted learners, folded in when a learner is deleted (no learner id).

    `kind`: "certified" (one per certified learner), "last_active" (one per learner, in the week of
    their last activity: windows such as "active in 30 days" stay distinct counts) and "active_week"
    (one per week the learner was active: the weekly trend). `unit_id`/`group` are "" when unknown.
    """

    __tablename__ = "tutor_stat_counters"

    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    group: Mapped[str] = mapped_column(String(16), primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)  # Monday of the local week
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class StatQuiz(Base):
    """Quiz answers per (unit, item, UTC day): answered and missed (`correct` false). No learner id.

    Kept in step with the event log by `tutor.stats.aggregates` (the learner's current unit: a
    move carries their answers along, a deletion takes them out), so that the most-missed items
    read a few thousand rows instead of every answer of 90 days."""

    __tablename__ = "tutor_stat_quiz"

    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" for learners without a unit
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    missed: Mapped[int] = mapped_column(Integer, default=0)


class StatQuizTotal(Base):
    """`StatQuiz` summed over every unit, per (item, UTC day): a wide scope reads these totals
    minus the few units outside it."""

    __tablename__ = "tutor_stat_quiz_totals"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    missed: Mapped[int] = mapped_column(Integer, default=0)


class StatModule(Base):
    """Lesson progress per (unit, module): learners who started a lesson of it, lessons completed.
    Modules come from `StatLesson` (the course outline as last synced)."""

    __tablename__ = "tutor_stat_modules"

    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    module: Mapped[str] = mapped_column(String(100), primary_key=True)
    started: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)


class StatSkill(Base):
    """Mastery per (unit, skill): learners with a mastery estimate and the sum of their estimates."""

    __tablename__ = "tutor_stat_skills"

    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    skill: Mapped[str] = mapped_column(String(100), primary_key=True)
    learners: Mapped[int] = mapped_column(Integer, default=0)
    p_sum: Mapped[float] = mapped_column(Float, default=0.0)


class StatGap(Base):
    """Questions of learners that found no answer, counted per (unit, UTC day, question text as
    shown: spaces collapsed, at most 300 characters), with the last time asked. No learner id.

    Kept in step by `tutor.stats.gap_counts` (the learner's current unit; a move or a deletion
    recounts the days concerned from the live events), so that the content-gap list reads these
    few rows instead of the event log."""

    __tablename__ = "tutor_stat_gaps"

    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" for learners without a unit
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    question: Mapped[str] = mapped_column(String(300), primary_key=True)
    asked: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatLesson(Base):
    """The course outline the module figures were counted with: lesson -> module."""

    __tablename__ = "tutor_stat_lessons"

    lesson_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    module: Mapped[str] = mapped_column(String(100))


class OfficerDigest(Base):
    """The weekly digest claimed for an officer in a week: the row is the claim (sent once)."""

    __tablename__ = "tutor_officer_digests"

    officer_id: Mapped[int] = mapped_column(ForeignKey("tutor_officers.id", ondelete="CASCADE"), primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)  # Monday of the local week
    channel: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


#: Officers' tables about a person, keyed by the officer account (`tutor_officers`, itself in
#: tutor.models.LEARNER_TABLES): exported and deleted with the learner who holds the account
#: (tutor.store_rights), before the account itself.
OFFICER_TABLES: tuple[type[Base], ...] = (OfficerDigest, OfficerToken, OfficerView, OfficerInvite)
