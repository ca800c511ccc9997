"""The turn runner: one inbound message → one transaction → the flow that handles it.

One turn = one database transaction holding the learner's row lock (plus an in-process lock per
channel user), so two messages of one learner are handled in order with no lost update; it is
retried (twice at most) when another worker raced it. A (channel, message_id) seen before returns
nothing (nothing is sent twice). A token bucket per learner (`tutor.ratelimit`) slows floods: a
typed message over the limit is told once when to continue, a button press always gets that reply.
Button payloads are verified (signed for this learner) and decoded by the codec, then dispatched
through the registry. A scam in progress gets the emergency steps first, whatever the state.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from knowledge.db import transaction
from tutor import texts
from tutor.flows import onboarding
from tutor.flows.base import PROFILE_MODES, QUIZ_MODES, FlowContext, Outcome, Turn, say
from tutor.flows.questions import question
from tutor.messages import Inbound, Reply
from tutor.ratelimit import take_token
from tutor.reply_codec import pack_replies, replies_from_json, replies_to_json
from tutor.safety import is_scam_in_progress, safety_steps

log = logging.getLogger(__name__)

_WORDS = re.compile(r"\w", re.UNICODE)


class KeyedLocks:
    """One re-entrant lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Hashable, tuple[threading.RLock, int]] = {}

    @contextmanager
    def hold(self, key: Hashable) -> Iterator[None]:
        """Hold the lock of `key` for the block."""
        with self._guard:
            lock, users = self._locks.get(key, (threading.RLock(), 0))
            self._locks[key] = (lock, users + 1)
        lock.acquire()
        try:
            yield
        finally:
            lock.release()
            with self._guard:
                lock, users = self._locks[key]
                if users <= 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


class TurnRunner:
    """Runs one turn in one transaction and routes it through the registry."""

    def __init__(self, ctx: FlowContext, session_factory: sessionmaker[Session]) -> None:
        self._ctx = ctx
        self._sf = session_factory
        self.locks = KeyedLocks()

    def run(self, inbound: Inbound, text: str) -> Outcome:
        """One transaction; retried (twice at most) when another worker raced us (unique key,
        version, lock timeout). The turn's replies are stored with its message id in it."""
        for attempt in range(3):
            try:
                with transaction(self._sf) as session:
                    outcome = self._turn(session, inbound, text)
                    if not outcome.duplicate:
                        self._save(session, inbound, outcome.replies)
                    return outcome
            except (IntegrityError, StaleDataError, OperationalError) as exc:
                if attempt == 2:
                    raise
                log.warning("tutor turn retried after %s", type(exc).__name__)
        raise AssertionError("unreachable")

    def save_replies(self, inbound: Inbound, replies: list[Reply]) -> None:
        """Store the complete replies of a turn whose slow part (an answer) ran after its commit."""
        with transaction(self._sf) as session:
            self._save(session, inbound, replies)

    def _save(self, session: Session, inbound: Inbound, replies: list[Reply]) -> None:
        data = pack_replies(replies_to_json(list(replies)))
        self._ctx.store.save_replies(session, inbound.channel, inbound.message_id, data)
        # The learner deleted their data in this turn: every message id of theirs kept (hashed,
        # learner-free) answers a retry with this turn's confirmation.
        self._ctx.store.save_gone_replies(session, data)

    def _turn(self, session: Session, inbound: Inbound, text: str) -> Outcome:
        ctx, store = self._ctx, self._ctx.store
        now = ctx.clock()
        if not store.claim_message(session, inbound.channel, inbound.message_id, now):
            # A retried id (a crash between commit and response, a resend, or a message of a learner
            # who has since deleted their data): handled once, and the replies stored for it are
            # returned again, so nothing is lost and nothing done twice.
            stored = store.stored_replies(session, inbound.channel, inbound.message_id)
            return Outcome(replies_from_json(stored), duplicate=True)
        identity = store.identity(session, inbound.channel, inbound.user_id)
        first = identity is None
        if identity is None:
            learner, identity, state = store.create_learner(session, inbound.channel, inbound.user_id, now)
        else:
            locked = store.lock_learner(session, identity.learner_id)
            assert locked is not None  # the identity's foreign key keeps its learner
            learner, state = locked, store.state(session, locked.id, now)
        store.attach_message(session, inbound.channel, inbound.message_id, learner.id)
        if not identity.active:
            identity.active = True  # they wrote to us again
        config = ctx.config
        button = inbound.payload is not None
        verdict = take_token(state, now, config.rate_limit_burst, config.rate_limit_per_minute, button)
        if not verdict.allowed:
            return Outcome([Reply(verdict.notice)] if verdict.notice else [])
        learner.last_seen_at = now
        turn = Turn(session, learner, state, inbound, text, now, first)
        outcome = route(ctx, turn)
        if turn.state in session:
            turn.state.updated_at = now
        return outcome


def route(ctx: FlowContext, t: Turn) -> Outcome:
    """The flow that handles this turn: a button, a command, a pending answer, or free text."""
    if t.inbound.payload is not None:
        return route_button(ctx, t, t.inbound.payload)
    if not t.text:
        return say(texts.EMPTY)
    if not _WORDS.search(t.text):
        return say(texts.EMOJI_ONLY)
    parsed = ctx.registry.parse(t.text)
    onboarding_open = t.learner.consent_state != "given" or t.state.mode in PROFILE_MODES
    if onboarding_open and parsed is None and is_scam_in_progress(t.text):
        # Safety before paperwork: a scam in progress gets the steps at once. The check is a pure
        # function (nothing stored, nothing sent to an LLM), so it is allowed before consent.
        return Outcome([Reply(safety_steps(t.text))] + onboarding.resume(ctx, t))
    if t.learner.consent_state != "given":
        return onboarding.before_consent(ctx, t, parsed)
    if parsed is None and t.state.mode not in QUIZ_MODES and is_scam_in_progress(t.text):
        # Whatever was open (a pending confirmation, a lesson), a scam in progress is answered first:
        # the question flow leads with the steps (quiz modes: `quiz_text` shows the item again).
        t.state.pending = None
        return question(ctx, t, t.text)
    if t.state.pending in ctx.registry.pending and parsed is None:
        answered = ctx.registry.pending[t.state.pending](ctx, t)
        if answered is not None:
            return answered
    if parsed is not None:
        t.state.pending = None
        if parsed.command is None:
            return say(texts.unknown_command(parsed.word))
        if t.state.mode in PROFILE_MODES and parsed.command.name == "hoi" and parsed.arg:
            return onboarding.answer_then_step(ctx, t, parsed.arg)  # a question never waits for paperwork
        if t.state.mode in PROFILE_MODES:
            if not parsed.command.anytime:
                return onboarding.profile_first(ctx, t)
            return onboarding.then_step(ctx, t, parsed.command.run(ctx, t, parsed.arg))
        return parsed.command.run(ctx, t, parsed.arg)
    for step in ctx.registry.text_steps:
        outcome = step.run(ctx, t)
        if outcome is not None:
            return outcome
    return say(texts.EMPTY)  # unreachable while the question step is registered


def route_button(ctx: FlowContext, t: Turn, wire: str) -> Outcome:
    """A tapped button: verified for this learner, decoded, and handed to its flow."""
    payload = ctx.codec.decode(t.learner.id, wire)
    action = ctx.registry.buttons.get(type(payload)) if payload is not None else None
    consented = t.learner.consent_state == "given"
    if action is None:
        return onboarding.needs_consent(ctx, t) if not consented else say(texts.STALE_BUTTON)
    if not consented and not action.before_consent:
        return onboarding.needs_consent(ctx, t)
    if t.state.mode in PROFILE_MODES and not action.anytime:
        return onboarding.profile_first(ctx, t)
    in_profile = t.state.mode in PROFILE_MODES
    try:
        outcome = action.run(ctx, t, payload)
        return onboarding.then_step(ctx, t, outcome) if in_profile else outcome
    except (ValueError, IndexError):
        return say(texts.STALE_BUTTON)
