"""Linking channels: /lienket gives a one-time code; /lienket <code> on the other app joins the two
identities to one learner (the newer, empty learner is removed)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from tutor import texts
from tutor.events import EventKind
from tutor.flows.base import FlowContext, Outcome, Turn, say
from tutor.flows.onboarding import consent_reply
from tutor.registry import Command, Registry
from tutor.store import aware

LINK_TTL = timedelta(minutes=10)
LINK_MAX_FAILS = 5


def link(ctx: FlowContext, t: Turn, arg: str) -> Outcome:
    """Without an argument: a new code. With one: join this identity to the code's learner."""
    if not arg:
        if t.learner.consent_state != "given":
            return say(consent_reply(ctx, t))
        code = ctx.store.new_link_code(t.session, t.learner.id, t.now, LINK_TTL)
        return say(texts.link_code(code, int(LINK_TTL.total_seconds() // 60)))
    window = t.now - LINK_TTL
    fails = [f for f in t.state.data.get("link_fails", []) if (aware(datetime.fromisoformat(f)) or t.now) > window]
    if len(fails) >= LINK_MAX_FAILS:
        return say(texts.LINK_LOCKED)
    code = re.sub(r"\D", "", arg)
    target = ctx.store.take_link_code(t.session, code, t.now) if len(code) == 6 else None
    if target is None:
        t.state.data = {**t.state.data, "link_fails": [*fails, t.now.isoformat()]}
        return say(texts.LINK_BAD)
    if target == t.learner.id:
        return say(texts.LINK_SAME)
    if ctx.store.lock_learner(t.session, target) is None:
        return say(texts.LINK_BAD)
    _move(ctx, t, target)
    return say(texts.LINK_DONE + "\n" + ctx.registry.help_text())


def _move(ctx: FlowContext, t: Turn, target: int) -> None:
    channel, message_id = t.inbound.channel, t.inbound.message_id
    old_id = t.learner.id
    identity = ctx.store.identity(t.session, channel, t.inbound.user_id)
    assert identity is not None  # the turn runner created it
    ctx.store.move_identity(t.session, identity, target)
    if not ctx.store.identities(t.session, old_id):
        ctx.store.delete_learner(t.session, old_id, keep_message=(channel, message_id), keep_counts=False)
    ctx.store.attach_message(t.session, channel, message_id, target)
    ctx.store.add_event(t.session, target, EventKind.CHANNEL_LINKED, t.now, channel=channel)


def _link_before_consent(ctx: FlowContext, t: Turn, arg: str) -> Outcome:
    # Joining an identity to a learner who consented elsewhere is allowed; a new code is not.
    return link(ctx, t, arg) if arg else Outcome()


def register(registry: Registry) -> None:
    """Declare /lienket (also "lien ket 123456")."""
    registry.command(
        Command(
            "lienket",
            "nối Telegram và Zalo",
            link,
            aliases=("link",),
            label="Liên kết",
            arg_forms=(r"(?:lien ?ket|link)\s+(\d{6})",),
            anytime=True,
            before_consent=_link_before_consent,
        )
    )
