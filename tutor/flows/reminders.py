"""Reminders: /nhacnho HH:MM and /tatnhacnho, and the daily reminder itself.

Due reminders are found in the database and each (learner, local day) is claimed once by a row in
`tutor_reminder_deliveries`, so several processes asking at the same time never send the same
learner's reminder twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from tutor import texts
from tutor.events import EventKind
from tutor.flows.base import FlowContext, Outcome, Turn, say
from tutor.messages import ReminderTarget, Reply
from tutor.models import Learner
from tutor.payloads import Learn, RemindAt, Review
from tutor.registry import ButtonAction, Command, Registry
from tutor.timeofday import SpokenTime, parse_spoken_time

log = logging.getLogger(__name__)


REMIND_USAGE = "Gõ giờ muốn nhắc, ví dụ: /nhacnho 19:30, /nhacnho 8h tối hoặc /nhacnho 6h sáng"
REMIND_WHICH = "Bạn muốn mình nhắc lúc {morning} sáng hay {evening} tối?"


def remind(ctx: FlowContext, t: Turn, arg: str) -> Outcome:
    """/nhacnho 19:30, "8h tối", "tối 8h", "20 giờ", "8:30 sáng": a daily reminder at that local time.
    A bare "8h" asks «sáng hay tối» with two buttons."""
    spoken = parse_spoken_time(arg) if arg else None
    if spoken is None:
        return say(REMIND_USAGE)
    if spoken.ambiguous:
        return say(_which(ctx, t, spoken))
    return _set(ctx, t, spoken.hhmm)


def _which(ctx: FlowContext, t: Turn, spoken: SpokenTime) -> Reply:
    morning, evening = spoken.hhmm, spoken.evening
    minutes = [int(hhmm[:2]) * 60 + int(hhmm[3:]) for hhmm in (morning, evening)]
    buttons = (
        ctx.button(t.learner.id, f"🌅 {morning} sáng", RemindAt(minutes[0])),
        ctx.button(t.learner.id, f"🌙 {evening} tối", RemindAt(minutes[1])),
    )
    return Reply(REMIND_WHICH.format(morning=morning, evening=evening), buttons=(buttons,))


def _set(ctx: FlowContext, t: Turn, hhmm: str) -> Outcome:
    t.learner.reminder_time = hhmm
    ctx.event(t, EventKind.REMINDER_SET, data={"time": hhmm})
    return say(texts.remind_set(hhmm))


def _picked(ctx: FlowContext, t: Turn, payload: RemindAt) -> Outcome:
    """«sáng» or «tối» tapped after a bare "8h"."""
    if not 0 <= payload.minutes < 24 * 60:
        return say(texts.STALE_BUTTON)
    return _set(ctx, t, f"{payload.minutes // 60:02d}:{payload.minutes % 60:02d}")


def remind_off(ctx: FlowContext, t: Turn, _arg: str) -> Outcome:
    t.learner.reminder_time = None
    ctx.event(t, EventKind.REMINDER_OFF)
    return say(texts.REMIND_OFF)


def reminder_reply(ctx: FlowContext, session: Session, learner: Learner, now: datetime) -> Reply:
    """Today's reminder for a learner: the count of due reviews, and «Ôn tập» or «Học bài»."""
    due = len(ctx.store.due_cards(session, learner.id, ctx.end_of_day(now)))
    if due:
        button = ctx.button(learner.id, texts.BTN_REVIEW, Review())
    else:
        button = ctx.button(learner.id, texts.BTN_LEARN, Learn())
    return Reply(texts.reminder(learner.display_name, due), buttons=((button,),))


def due_reminders(
    ctx: FlowContext, session_factory: sessionmaker[Session], channel: str, now: datetime, limit: int
) -> list[tuple[ReminderTarget, Reply]]:
    """Reminders due at `now` on `channel`, each claimed once per learner and local day."""
    local = now.astimezone(ctx.tz)
    day, hhmm = local.date(), local.strftime("%H:%M")
    with transaction(session_factory) as session:
        candidates = ctx.store.due_reminder_rows(session, channel, hhmm, day)
    claimed: list[tuple[ReminderTarget, Reply]] = []
    for learner_id, user_id, time_hhmm in candidates:
        if len(claimed) >= limit:
            break
        try:
            with transaction(session_factory) as session:
                learner = ctx.store.claim_reminder(session, learner_id, day, channel, now)
                if learner is None:
                    continue
                reply = reminder_reply(ctx, session, learner, now)
        except IntegrityError:
            continue  # another process claimed this learner's reminder for today first
        claimed.append((ReminderTarget(channel, user_id, time_hhmm), reply))
    return claimed


def register(registry: Registry) -> None:
    """Declare /nhacnho (also "nhac nho 8h toi"), its «sáng/tối» buttons and /tatnhacnho."""
    registry.command(
        Command(
            "nhacnho",
            "nhắc học hằng ngày",
            remind,
            aliases=("remind",),
            usage="19:30",
            label="Nhắc học",
            arg_forms=(r"(?:nhac ?nho|remind)\s+(.+)",),
            anytime=True,  # needs no profile: works during the profile steps (then the step again)
        )
    )
    registry.button(ButtonAction(RemindAt, _picked, anytime=True))
    registry.command(
        Command("tatnhacnho", "tắt nhắc học", remind_off, aliases=("remindoff",), label="Tắt nhắc học", anytime=True)
    )
