"""The learner repository's message log and data rights, on a caller's session (no commits).

`tutor.store.LearnerStore` is built from these parts:

- `MessageLog`: inbound message ids handled (deduplication, the rate-limit window) and the replies
  stored for each, returned again for a retried id;
- `DataRights`: a learner's export and deletion (every tutor table, and through the channels'
  `ChannelDataPort` what the channels keep about the learner's identities), the retention purge,
  and learner ids that are never given twice.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, func, insert, null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tutor.messages import ChannelDataPort
from tutor.models import LEARNER_TABLES, ChannelIdentity, Learner, LearnerIdRow, ProcessedMessage
from tutor.officer_models import OFFICER_TABLES, Officer
from tutor.stats.aggregates import forget_learner
from tutor.stats.counters import DEFAULT_TZ, fold_learner

GONE_PREFIX = "gone:"  # message ids kept hashed for learners who deleted their data
GONE_KEYS = "hocvuso_gone_message_ids"  # session.info: the ids kept by a deletion in this transaction


def aware(moment: datetime | None) -> datetime | None:
    """`moment` as an aware UTC datetime (naive values from SQLite count as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class MessageLog:
    """Inbound bookkeeping of the learner repository."""

    def claim_message(self, session: Session, channel: str, message_id: str, now: datetime) -> bool:
        """Record an inbound message id; False when it was already handled (duplicate delivery),
        also by a learner who has deleted their data since (kept as a hashed, learner-free id)."""
        exists = session.execute(
            select(ProcessedMessage.channel).where(
                ProcessedMessage.channel == channel,
                ProcessedMessage.message_id.in_((message_id, gone_id(channel, message_id))),
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
        values = session.execute(
            select(ProcessedMessage.replies).where(
                ProcessedMessage.channel == channel,
                ProcessedMessage.message_id.in_((message_id, gone_id(channel, message_id))),
            )
        ).scalars()
        return next((value for value in values if isinstance(value, list)), None)

    def save_gone_replies(self, session: Session, replies: list[Any]) -> None:
        """Store `replies` (the deletion's confirmation) for the message ids of a learner deleted in
        this session's turn (`DataRights.delete_learner` lists them in `session.info`)."""
        keys = session.info.pop(GONE_KEYS, None)
        if keys:
            session.execute(
                update(ProcessedMessage).where(ProcessedMessage.message_id.in_(keys)).values(replies=replies)
            )

    def save_replies(self, session: Session, channel: str, message_id: str, replies: list[Any]) -> None:
        """Keep a turn's replies with its message id (a retried id gets them again)."""
        session.execute(
            update(ProcessedMessage)
            .where(ProcessedMessage.channel == channel, ProcessedMessage.message_id == message_id)
            .values(replies=replies)
        )

    def forget_replies(self, session: Session, before: datetime) -> int:
        """Drop the replies kept for messages handled before `before` (past any retry), and the
        hashed ids kept for deleted learners' messages; returns how many replies were dropped."""
        session.execute(
            delete(ProcessedMessage).where(
                ProcessedMessage.at < before, ProcessedMessage.message_id.startswith(GONE_PREFIX)
            )
        )
        result = session.execute(
            update(ProcessedMessage)
            .where(ProcessedMessage.at < before, ProcessedMessage.replies.is_not(None))
            .values(replies=null())  # SQL NULL, not the JSON value null
        )
        return int(getattr(result, "rowcount", 0) or 0)

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


class DataRights:
    """Export, deletion and retention of the learner repository."""

    def __init__(self, channel_data: ChannelDataPort | None = None, *, tz: ZoneInfo = DEFAULT_TZ) -> None:
        """`tz`: the configured time zone (`tutor.timezone`): the weeks of the anonymous counters
        are local weeks, and their readers use the same zone."""
        self.channel_data = channel_data
        self.tz = tz

    def identities(self, session: Session, learner_id: int) -> list[ChannelIdentity]:
        return list(session.execute(select(ChannelIdentity).where(ChannelIdentity.learner_id == learner_id)).scalars())

    def export(self, session: Session, learner_id: int) -> dict[str, Any]:
        """Everything stored about one learner, JSON-ready, one key per table."""
        learner = session.get(Learner, learner_id)
        out: dict[str, Any] = {"learner": _row_dict(learner) if learner else None}
        for table in reversed(LEARNER_TABLES):
            rows = session.execute(
                select(table).where(table.learner_id == learner_id)  # type: ignore[attr-defined]
            ).scalars()
            out[table.__tablename__.removeprefix("tutor_")] = [_row_dict(row) for row in rows]
        for table in OFFICER_TABLES:
            rows = session.execute(select(table).where(_of_officer(table, learner_id))).scalars()
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

    def delete_learner(
        self,
        session: Session,
        learner_id: int,
        *,
        keep_message: tuple[str, str] | None = None,
        keep_counts: bool = True,
    ) -> None:
        """Remove every row of this learner from every table.

        `keep_message` (channel, message_id): the deleting message. It and every message id of the
        learner still in the dedup table are kept hashed and without a learner (`gone_id`), so a
        redelivery of any of them is not handled again (nor creates a learner); the turn then
        stores its confirmation for all of them (`MessageLog.save_gone_replies`). `keep_counts`: fold the learner's
        certification and last activity into the anonymous counters (False when the person lives on
        as another learner, e.g. two channels linked).
        """
        session.flush()
        if keep_counts:  # the campaign's counts keep what this learner achieved, anonymously
            fold_learner(session, learner_id, self.tz)
        forget_learner(session, learner_id)  # the statistics' aggregates follow the live rows
        if self.channel_data is not None:
            for identity in self.identities(session, learner_id):
                self.channel_data.delete_user(session, identity.channel, identity.channel_user_id)
        if keep_message is not None:
            _keep_gone_ids(session, learner_id, keep_message)
        for officer_table in OFFICER_TABLES:  # rows about the learner's officer accounts (none for most)
            session.execute(delete(officer_table).where(_of_officer(officer_table, learner_id)))
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


def gone_id(channel: str, message_id: str) -> str:
    """The id kept for a message of a learner who deleted their data: hashed, since a channel's
    message id may carry the user's id (Telegram's is "<chat id>:<message id>")."""
    return GONE_PREFIX + hashlib.sha256(f"{channel}\x1f{message_id}".encode()).hexdigest()[:48]


def _keep_gone_ids(session: Session, learner_id: int, deleting: tuple[str, str]) -> None:
    """Replace the learner's processed message ids (and the deleting one) by learner-free hashed ids."""
    mine = (ProcessedMessage.learner_id == learner_id) | (
        (ProcessedMessage.channel == deleting[0]) & (ProcessedMessage.message_id == deleting[1])
    )
    rows = session.execute(
        select(ProcessedMessage.channel, ProcessedMessage.message_id, ProcessedMessage.at).where(mine)
    )
    kept = {gone_id(channel, message_id): (channel, at) for channel, message_id, at in rows}
    session.execute(delete(ProcessedMessage).where(mine))
    existing = set(session.scalars(select(ProcessedMessage.message_id).where(ProcessedMessage.message_id.in_(kept))))
    for key, (channel, at) in kept.items():
        if key not in existing:
            session.add(ProcessedMessage(channel=channel, message_id=key, learner_id=None, at=at))
    session.flush()
    session.info[GONE_KEYS] = [*session.info.get(GONE_KEYS, []), *kept]


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


def _of_officer(table: type[Any], learner_id: int) -> ColumnElement[bool]:
    """Rows of an officers' table (`officer_id`) that belong to one of this learner's officer accounts."""
    accounts = select(Officer.id).where(Officer.learner_id == learner_id).scalar_subquery()
    return table.officer_id.in_(accounts)  # type: ignore[no-any-return]


def _row_dict(row: Any) -> dict[str, Any]:
    """A mapped row as a JSON-ready dict (datetimes in ISO 8601 UTC)."""
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(value, datetime):
            value = aware(value).isoformat()  # type: ignore[union-attr]
        out[column.key] = value
    return out
