"""The weekly digest: on Monday morning (local time) each officer gets their unit's indicators and
weakest sub-units on the channels they use, where the channel allows it (the channel runtime sends
it like a reminder). Each (officer, week) is claimed once in `tutor_officer_digests`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from tutor import texts_officers as tx
from tutor.flows.officers import indicator_line
from tutor.messages import ReminderTarget, Reply
from tutor.models import ChannelIdentity, Learner
from tutor.officer_models import Officer, OfficerDigest
from tutor.officers import OfficerService, Scope
from tutor.stats.counters import week_of

log = logging.getLogger(__name__)
DIGEST_WEEKDAY = 0  # Monday
DIGEST_HOUR = 8  # local time, from this hour on


def due_digests(
    service: OfficerService, session_factory: sessionmaker[Session], channel: str, now: datetime, limit: int = 100
) -> list[tuple[ReminderTarget, Reply]]:
    """Digests due at `now` on `channel`: Monday from 08:00 local, once per officer and week."""
    local = now.astimezone(service.tz)
    if local.weekday() != DIGEST_WEEKDAY or local.hour < DIGEST_HOUR:
        return []
    week = week_of(now, service.tz)
    claimed = select(OfficerDigest.officer_id).where(OfficerDigest.week == week)
    with transaction(session_factory) as session:
        candidates = session.execute(
            select(Officer.id, Officer.unit_id, ChannelIdentity.channel_user_id)
            .join(Learner, Learner.id == Officer.learner_id)
            .join(ChannelIdentity, ChannelIdentity.learner_id == Learner.id)
            .where(
                Officer.revoked_at.is_(None),
                ChannelIdentity.channel == channel,
                ChannelIdentity.active.is_(True),
                Learner.active.is_(True),
                Learner.consent_state == "given",
                Officer.id.not_in(claimed),
            )
            .order_by(Officer.id)
        ).all()
    out: list[tuple[ReminderTarget, Reply]] = []
    for officer_id, unit_id, user_id in candidates:
        if len(out) >= limit:
            break
        try:
            with transaction(session_factory) as session:
                session.add(OfficerDigest(officer_id=officer_id, week=week, channel=channel, sent_at=now))
                session.flush()  # the (officer, week) key is the claim
                text = digest_text(service, session, Scope(unit_id, f"officer {officer_id}", officer_id))
        except IntegrityError:
            continue  # another process claimed it first
        if text is not None:
            out.append((ReminderTarget(channel, user_id, local.strftime("%H:%M")), Reply(text)))
    return out


def digest_text(service: OfficerService, session: Session, scope: Scope) -> str | None:
    """The digest of a unit: indicators with bars, learners active this week, weakest sub-units."""
    unit = service.units.get(scope.unit_id)
    if unit is None:
        return None
    min_group = service.config.min_group
    lines = [f"📬 Tin tuần – {unit.name}"]
    lines += [indicator_line(i, min_group) for i in service.indicators(unit.id, session=session)]
    weakest = service.weakest(unit.id, session=session)
    if weakest:
        lines.append("\nĐơn vị cần hỗ trợ thêm:")
        lines += [f"• {row.unit.name}: {tx.percent(row.share)}" for row in weakest]
    lines.append("\nXem chi tiết: /thongke hoặc /dangnhap")
    service.log_view(scope, "digest:weekly", session=session)
    return "\n".join(lines)
