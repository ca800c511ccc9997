"""The conversation core: one `Conversation.handle(inbound) -> [Reply]` for every channel.

One turn = one database transaction holding the learner's row lock (plus an in-process lock per
channel user), so two messages of one learner are handled in order with no lost update. Slow
work (answering a question, generating quiz items with an LLM) runs after that transaction, still
inside the per-user lock, so one learner waiting on an LLM never blocks the database for others.

Duplicate deliveries: a (channel, message_id) seen before returns `[]` (nothing is sent twice).
Rate limit: past `tutor.rate_limit_per_minute` messages in a minute the learner is told once to slow
down; further messages in that minute return `[]`.

Button payloads are `<body>|<sig>` (≤ 64 bytes) where `sig` is an HMAC of the learner id and the
body: a payload from another learner, a forged one or one from an old message gets a polite reply.
Payload bodies:
  ok                consent («Đồng ý»)        sk            skip a profile step
  nm                use the platform's name
  u:<i>             unit option i              g:<group>     group
  pl / ps           start / skip placement     l             learn (next lesson)
  nx:<lh>:<s>       next after section s       ask           "type your question"
  qz:<lh>           quiz on a lesson           ls:<lh>       open a lesson
  a:<seq>:<i>       answer choice i            fb:<event>:u|d  feedback on an answer
  rv / pg           review / progress          dy / dn       confirm / cancel deletion
(`lh` is a 6-character hash of the lesson id.)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from knowledge.curriculum import Curriculum, Lesson, QuizItem
from knowledge.db import transaction
from knowledge.textnorm import fold, normalize
from tutor import texts
from tutor.grading import grade
from tutor.mastery import BKTParams, initial_mastery, mastery_from_placement, update_mastery
from tutor.messages import Button, Inbound, QuizQuestion, ReminderTarget, Reply, SourceLink
from tutor.models import GROUPS, ChannelIdentity, ConversationState, Learner
from tutor.planner import next_lesson
from tutor.progress import CERTIFICATE_TEXT, streak_days, summarize
from tutor.review import schedule_review
from tutor.safety import is_scam_in_progress, safety_steps
from tutor.store import LearnerStore, aware
from tutor.units import UnitRegistry

if TYPE_CHECKING:
    from hocvuso.settings import TutorSettings
    from tutor.answering import Answerer

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 64
LETTERS = "ABCDEFGH"
EXPORT_CHUNK_CHARS = 3500
LINK_TTL = timedelta(minutes=10)
LINK_MAX_FAILS = 5
PROFILE_MODES = ("name", "unit", "group")
QUIZ_MODES = ("quiz", "placement", "review")

_COMMANDS = {
    "start": "start",
    "batdau": "start",
    "kiemtradauvao": "placement",
    "placement": "placement",
    "hoc": "learn",
    "learn": "learn",
    "hoi": "ask",
    "ask": "ask",
    "kiemtra": "quiz",
    "quiz": "quiz",
    "baitap": "quiz",
    "lambaitap": "quiz",
    "ontap": "review",
    "review": "review",
    "tiendo": "progress",
    "progress": "progress",
    "nhacnho": "remind",
    "remind": "remind",
    "tatnhacnho": "remindoff",
    "remindoff": "remindoff",
    "taidulieu": "export",
    "export": "export",
    "xoadulieu": "delete",
    "delete": "delete",
    "trogiup": "help",
    "help": "help",
    "lienket": "link",
    "link": "link",
}
# Commands that take an argument also when typed without the slash ("nhac nho 19:30").
_ARG_FORMS = [
    (re.compile(r"^(?:nhac ?nho|remind)\s+(.+)$"), "remind"),
    (re.compile(r"^(?:lien ?ket|link)\s+(\d{6})$"), "link"),
]
_HHMM = re.compile(r"^([01]?\d|2[0-3])\s*(?:[:hg.]\s*([0-5]\d)?)?$")
_WORDS = re.compile(r"\w", re.UNICODE)
_TOKENS = re.compile(r"\w+", re.UNICODE)
_AGREE = {"dong y", "toi dong y", "em dong y", "dong y a"}
_YES = {"co", "xoa", "xoa het", "yes", "dong y"}
_NEXT = {"tiep", "tiep theo", "tiep tuc", "next", "ok tiep", "xem tiep"}


# --- small value types -----------------------------------------------------------------------
@dataclass(frozen=True)
class _Ask:
    question: str
    lesson_id: str | None
    audience: str | None


@dataclass
class _Outcome:
    replies: list[Reply] = field(default_factory=list)
    ask: _Ask | None = None
    generate: str | None = None  # lesson id to generate quiz items for (LLM configured)


@dataclass
class _Turn:
    """What one turn works on (inside its transaction)."""

    session: Session
    learner: Learner
    state: ConversationState
    inbound: Inbound
    text: str
    now: datetime
    first_contact: bool = False


class _KeyedLocks:
    """One re-entrant lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Any, tuple[threading.RLock, int]] = {}

    @contextmanager
    def hold(self, key: Any) -> Iterator[None]:
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


def parse_command(text: str) -> tuple[str | None, str, str]:
    """(command, argument, word as typed) of a message; command None when it is not one.

    Accepts "/hoc", "/hoc@bot", "hoc", "Học", "tien do", "/nhacnho 19:30", "nhac nho 19:30";
    an unknown "/xyz" gives ("unknown", "", "/xyz").
    """
    stripped = text.strip()
    if stripped.startswith("/"):
        first, _, rest = stripped[1:].partition(" ")
        word = fold(first).split("@", 1)[0]
        return _COMMANDS.get(word, "unknown"), rest.strip(), "/" + first
    folded = fold(stripped).strip(" .!?")
    joined = re.sub(r"\s+", "", folded)
    if joined in _COMMANDS:
        return _COMMANDS[joined], "", stripped
    for pattern, command in _ARG_FORMS:
        match = pattern.match(folded)
        if match:
            return command, match.group(1).strip(), stripped
    return None, "", stripped


def parse_hhmm(text: str) -> str | None:
    """'19:30', '7h', '7h05', '19.30' -> 'HH:MM'; None when not a valid time of day."""
    match = _HHMM.match(fold(text).strip())
    if not match:
        return None
    return f"{int(match.group(1)):02d}:{int(match.group(2) or 0):02d}"


def lesson_hash(lesson_id: str) -> str:
    """A short stable tag of a lesson id for button payloads."""
    return hashlib.sha1(lesson_id.encode("utf-8")).hexdigest()[:6]


def _words(text: str) -> set[str]:
    return {w for w in _TOKENS.findall(fold(text)) if len(w) > 1}


def _log_failure(exc: BaseException, channel: str) -> None:
    """Log an unexpected failure: type and stack frames only (messages may hold personal data)."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("tutor turn failed on channel %s: %s\n%s", channel, type(exc).__name__, frames)


# --- the conversation --------------------------------------------------------------------------
class Conversation:
    """The tutor's state machine and every command; implements `TutorPort`."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        curriculum: Curriculum,
        answerer: Answerer,
        units: UnitRegistry,
        settings: TutorSettings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        chat_model: Any = None,
        payload_secret: bytes | None = None,
        store: LearnerStore | None = None,
    ) -> None:
        """`settings` is `TutorSettings`; `payload_secret` signs button payloads (give the same
        secret to every worker process; a random one is made when None)."""
        self._sf = session_factory
        self._curriculum = curriculum
        self._answerer = answerer
        self._units = units
        self._settings = settings
        self._clock = clock
        self._chat_model = chat_model
        self._secret = payload_secret or secrets.token_bytes(32)
        self._store = store or LearnerStore()
        self._locks = _KeyedLocks()
        self._tz = ZoneInfo(settings.timezone)
        self._bkt = BKTParams.from_settings(settings.mastery)
        self._threshold = settings.mastery.threshold
        self._quiz_length = int(getattr(settings, "quiz_length", 5))
        self._by_hash = {lesson_hash(lid): lid for lid in curriculum.lessons}
        self._image_plans: dict[str, dict[int, list[tuple[Path, str]]]] = {}
        self._consent_hash = texts.consent_hash(settings.consent_retention_days)
        with transaction(self._sf) as session:
            units.sync(session)

    # ---------------------------------------------------------------- TutorPort
    def handle(self, inbound: Inbound) -> list[Reply]:
        """Handle one inbound message; never raises (an apology replaces any failure)."""
        try:
            return self._handle(inbound)
        except Exception as exc:  # the catch-all: no traceback ever reaches a learner
            _log_failure(exc, inbound.channel)
            return [Reply(texts.ERROR)]

    def reminder_targets(self, channel: str) -> list[ReminderTarget]:
        """Every active, consenting learner of `channel` with a reminder time."""
        with transaction(self._sf) as session:
            rows = self._store.reminder_rows(session, channel)
        return [ReminderTarget(channel, user_id, hhmm) for user_id, hhmm in rows]

    def reminder_for(self, channel: str, user_id: str) -> Reply | None:
        """Today's reminder (with the count of due reviews), or None for unknown/inactive users."""
        with transaction(self._sf) as session:
            identity = self._store.identity(session, channel, user_id)
            if identity is None or not identity.active:
                return None
            learner = session.get(Learner, identity.learner_id)
            if learner is None or not learner.active or learner.consent_state != "given":
                return None
            due = len(self._store.due_cards(session, learner.id, self._end_of_day(self._clock())))
            name = learner.display_name
            learner_id = learner.id
        button = (
            self._button(learner_id, texts.BTN_REVIEW, "rv") if due else self._button(learner_id, texts.BTN_LEARN, "l")
        )
        return Reply(texts.reminder(name, due), buttons=((button,),))

    def set_active(self, channel: str, user_id: str, active: bool) -> None:
        """Mark a channel identity (in)active, e.g. when the user blocked the bot."""
        with transaction(self._sf) as session:
            identity = self._store.identity(session, channel, user_id)
            if identity is not None:
                identity.active = active

    # ---------------------------------------------------------------- maintenance
    def purge_inactive(self) -> int:
        """Delete learners inactive for longer than the consent retention period."""
        before = self._clock() - timedelta(days=self._settings.consent_retention_days)
        with transaction(self._sf) as session:
            return self._store.purge_inactive(session, before)

    # ---------------------------------------------------------------- turn plumbing
    def _handle(self, inbound: Inbound) -> list[Reply]:
        text = normalize(inbound.text or "").strip()
        if inbound.payload is None:
            if not text and inbound.kind not in ("text", "button"):
                return [Reply(texts.NON_TEXT)]
            if len(text) > self._settings.max_message_chars:
                return [Reply(texts.too_long(self._settings.max_message_chars))]
        with self._locks.hold((inbound.channel, inbound.user_id)):
            outcome = self._run_turn(inbound, text)
            replies = list(outcome.replies)
            if outcome.ask is not None:
                replies.extend(self._answer(inbound, outcome.ask))
            if outcome.generate is not None:
                self._generate(outcome.generate)
            return replies

    def _run_turn(self, inbound: Inbound, text: str) -> _Outcome:
        """One transaction; retried (twice at most) when another worker raced us (unique key,
        version, lock timeout)."""
        for attempt in range(3):
            try:
                with transaction(self._sf) as session:
                    return self._turn(session, inbound, text)
            except (IntegrityError, StaleDataError, OperationalError) as exc:
                if attempt == 2:
                    raise
                log.warning("tutor turn retried after %s", type(exc).__name__)
        raise AssertionError("unreachable")

    def _turn(self, session: Session, inbound: Inbound, text: str) -> _Outcome:
        now = self._clock()
        store = self._store
        if not store.claim_message(session, inbound.channel, inbound.message_id, now):
            return _Outcome()  # duplicate delivery: handled once, nothing sent again
        identity = store.identity(session, inbound.channel, inbound.user_id)
        first = identity is None
        if identity is None:
            learner, identity, state = store.create_learner(session, inbound.channel, inbound.user_id, now)
        else:
            learner = store.lock_learner(session, identity.learner_id)  # type: ignore[assignment]
            state = store.state(session, learner.id, now)
        store.attach_message(session, inbound.channel, inbound.message_id, learner.id)
        if not identity.active:
            identity.active = True  # they wrote to us again
        recent = store.recent_messages(session, learner.id, now - timedelta(minutes=1))
        limit = self._settings.rate_limit_per_minute
        if recent > limit:
            # Say it once per burst; a flood gets no more replies (nothing to amplify).
            return _Outcome([Reply(texts.RATE_LIMITED)] if recent == limit + 1 else [])
        learner.last_seen_at = now
        turn = _Turn(session, learner, state, inbound, text, now, first)
        outcome = self._dispatch(turn)
        if turn.state in session:
            turn.state.updated_at = now
        return outcome

    # ---------------------------------------------------------------- dispatch
    def _dispatch(self, t: _Turn) -> _Outcome:
        if t.inbound.payload is not None:
            return self._on_button(t, t.inbound.payload)
        if not t.text:
            return _Outcome([Reply(texts.EMPTY)])
        if not _WORDS.search(t.text):
            return _Outcome([Reply(texts.EMOJI_ONLY)])
        command, arg, word = parse_command(t.text)
        onboarding = t.learner.consent_state != "given" or t.state.mode in PROFILE_MODES
        if onboarding and command is None and is_scam_in_progress(t.text):
            # Safety before paperwork: a scam in progress gets the steps at once. The check is a pure
            # function (nothing stored, nothing sent to an LLM), so it is allowed before consent.
            return _Outcome([Reply(safety_steps())] + self._resume_onboarding(t))
        if t.learner.consent_state != "given":
            return self._before_consent(t, command, arg)
        if t.state.pending == "delete" and command is None:
            return self._confirm_delete(t, fold(t.text).strip(" .!") in _YES)
        if command is not None:
            t.state.pending = None
            return self._command(t, command, arg, word)
        if t.state.mode in PROFILE_MODES:
            return self._profile_text(t)
        if t.state.mode == "lesson" and t.state.lesson_id and fold(t.text).strip(" .!>") in _NEXT:
            # "tiếp" typed instead of tapped
            return self._next_section(t, lesson_hash(t.state.lesson_id), t.state.section)
        if t.state.mode in QUIZ_MODES and t.state.quiz:
            answered = self._typed_answer(t)
            if answered is not None:
                return answered
        return self._question(t, t.text)

    def _command(self, t: _Turn, command: str, arg: str, word: str) -> _Outcome:
        if command == "unknown":
            return _Outcome([Reply(texts.unknown_command(word))])
        if command == "help":
            return _Outcome([Reply(texts.HELP)])
        if command == "export":
            return self._export(t)
        if command == "delete":
            return self._ask_delete(t)
        if command == "link":
            return self._link(t, arg)
        if t.state.mode in PROFILE_MODES:
            return _Outcome([Reply(texts.PROFILE_FIRST)] + self._profile_prompt(t))
        handlers: dict[str, Callable[[], _Outcome]] = {
            "start": lambda: _Outcome([Reply(texts.welcome_name(t.learner.display_name) + "\n" + texts.HELP)]),
            "placement": lambda: self._start_placement(t),
            "learn": lambda: self._learn(t, arg),
            "ask": lambda: self._question(t, arg) if arg else _Outcome([Reply(texts.ASK_EMPTY)]),
            "quiz": lambda: self._quiz(t, arg),
            "review": lambda: self._review(t),
            "progress": lambda: self._progress(t),
            "remind": lambda: self._remind(t, arg),
            "remindoff": lambda: self._remind_off(t),
        }
        return handlers[command]()

    # ---------------------------------------------------------------- consent and profile
    def _consent_reply(self, t: _Turn) -> Reply:
        return Reply(
            texts.consent_notice(self._settings.consent_retention_days),
            buttons=((self._button(t.learner.id, texts.BTN_AGREE, "ok"),),),
        )

    def _before_consent(self, t: _Turn, command: str | None, arg: str) -> _Outcome:
        if command is None and fold(t.text).strip(" .!") in _AGREE:
            return self._give_consent(t)
        if command == "help":
            return _Outcome([Reply(texts.HELP), self._consent_reply(t)])
        if command == "delete":
            # Nothing personal is stored yet; forget that we asked.
            self._store.delete_learner(t.session, t.learner.id, keep_message=(t.inbound.channel, t.inbound.message_id))
            return _Outcome([Reply(texts.DELETE_DONE)])
        if command == "link" and arg:
            return self._link(t, arg)
        if t.first_contact or command == "start":
            return _Outcome([Reply(texts.GREETING), self._consent_reply(t)])
        return _Outcome([Reply(texts.CONSENT_NEEDED), self._consent_reply(t)])

    def _resume_onboarding(self, t: _Turn) -> list[Reply]:
        """What onboarding was waiting for, asked again (after an interruption)."""
        if t.learner.consent_state != "given":
            return [self._consent_reply(t)]
        return self._profile_prompt(t)

    def _give_consent(self, t: _Turn) -> _Outcome:
        if t.learner.consent_state == "given":
            return _Outcome([Reply(texts.HELP)])
        t.learner.consent_state = "given"
        self._store.add_consent(t.session, t.learner.id, texts.CONSENT_VERSION, self._consent_hash, t.now)
        self._event(t, "consent_given", data={"version": texts.CONSENT_VERSION})
        t.state.mode = "name"
        hint = " ".join(normalize(t.inbound.display_name or "").split())[:60]
        if hint:  # the platform's name, kept only now that consent is given
            t.state.data = {**t.state.data, "name_hint": hint}
        return _Outcome([Reply(texts.CONSENT_THANKS)] + self._profile_prompt(t))

    def _profile_prompt(self, t: _Turn) -> list[Reply]:
        lid = t.learner.id
        skip = (self._button(lid, texts.BTN_SKIP, "sk"),)
        if t.state.mode == "name":
            hint = t.state.data.get("name_hint")
            rows = ((self._button(lid, texts.use_name(hint), "nm"),), skip) if hint else (skip,)
            return [Reply(texts.ASK_NAME, buttons=rows)]
        if t.state.mode == "unit":
            return [Reply(texts.ASK_UNIT, buttons=(skip,))]
        rows = tuple((self._button(lid, label, f"g:{group}"),) for group, label in texts.GROUP_LABELS.items())
        numbered = "\n".join(f"{i}. {label}" for i, label in enumerate(texts.GROUP_LABELS.values(), 1))
        return [Reply(f"{texts.ASK_GROUP}\n{numbered}", buttons=rows)]

    def _profile_text(self, t: _Turn) -> _Outcome:
        mode = t.state.mode
        if mode == "name":
            name = " ".join(t.text.split())
            if len(name) > 60:
                return _Outcome([Reply(texts.NAME_TOO_LONG)])
            if fold(name) in ("bo qua", "skip"):
                return self._skip(t)
            t.learner.display_name = name
            t.state.data = {k: v for k, v in t.state.data.items() if k != "name_hint"}
            t.state.mode = "unit"
            return _Outcome(self._profile_prompt(t))
        if mode == "unit":
            if fold(t.text).strip() in ("bo qua", "skip"):
                return self._skip(t)
            matches = self._units.search(t.text, limit=5)
            if not matches:
                return _Outcome(
                    [Reply(texts.UNIT_NOT_FOUND, buttons=((self._button(t.learner.id, texts.BTN_SKIP, "sk"),),))]
                )
            t.state.data = {**t.state.data, "unit_options": [u.id for u in matches]}
            rows = tuple((self._button(t.learner.id, u.name[:60], f"u:{i}"),) for i, u in enumerate(matches))
            rows += ((self._button(t.learner.id, texts.BTN_SKIP, "sk"),),)
            return _Outcome([Reply(texts.UNIT_PICK, buttons=rows)])
        # group: "1".."3" or words of a label
        folded = fold(t.text).strip(" .")
        chosen: str | None = None
        if folded.isdigit() and 1 <= int(folded) <= len(GROUPS):
            chosen = list(texts.GROUP_LABELS)[int(folded) - 1]
        elif "can bo cong doan" in folded or folded in ("officer", "can bo"):
            chosen = "officer"
        elif any(w in folded for w in ("khu vuc cong", "cong chuc", "vien chuc")) or folded == "public":
            chosen = "public"
        elif any(w in folded for w in ("cong nhan", "lao dong", "doanh nghiep")) or folded == "worker":
            chosen = "worker"
        if chosen is None:
            return _Outcome([Reply(texts.GROUP_UNKNOWN)] + self._profile_prompt(t))
        return self._set_group(t, chosen)

    def _skip(self, t: _Turn) -> _Outcome:
        if t.state.mode == "name":
            t.state.data = {k: v for k, v in t.state.data.items() if k != "name_hint"}
            t.state.mode = "unit"
        elif t.state.mode == "unit":
            t.state.mode = "group"
        else:
            return _Outcome([Reply(texts.STALE_BUTTON)])
        return _Outcome(self._profile_prompt(t))

    def _set_unit(self, t: _Turn, index: int) -> _Outcome:
        options = t.state.data.get("unit_options") or []
        if t.state.mode != "unit" or not 0 <= index < len(options):
            return _Outcome([Reply(texts.STALE_BUTTON)])
        unit = self._units.get(options[index])
        if unit is None:
            return _Outcome([Reply(texts.STALE_BUTTON)])
        t.learner.unit_id = unit.id
        t.state.data = {k: v for k, v in t.state.data.items() if k != "unit_options"}
        t.state.mode = "group"
        return _Outcome([Reply(f"✅ {unit.name}")] + self._profile_prompt(t))

    def _set_group(self, t: _Turn, group: str) -> _Outcome:
        if t.state.mode != "group" or group not in GROUPS:
            return _Outcome([Reply(texts.STALE_BUTTON)])
        t.learner.group = group
        t.state.mode = "idle"
        self._event(t, "profile_completed", data={"group": group, "unit_id": t.learner.unit_id})
        lid = t.learner.id
        buttons = (
            (self._button(lid, texts.BTN_PLACEMENT, "pl"),),
            (self._button(lid, texts.BTN_SKIP, "ps"),),
        )
        return _Outcome([Reply(texts.profile_done(t.learner.display_name), buttons=buttons)])

    # ---------------------------------------------------------------- buttons
    def _on_button(self, t: _Turn, payload: str) -> _Outcome:
        body = self._verify(t.learner.id, payload)
        if body is None:
            if t.learner.consent_state != "given":
                return _Outcome([Reply(texts.CONSENT_NEEDED), self._consent_reply(t)])
            return _Outcome([Reply(texts.STALE_BUTTON)])
        action, _, rest = body.partition(":")
        if action == "ok":
            return self._give_consent(t)
        if t.learner.consent_state != "given":
            return _Outcome([Reply(texts.CONSENT_NEEDED), self._consent_reply(t)])
        args = rest.split(":") if rest else []
        try:
            return self._button_action(t, action, args)
        except (ValueError, IndexError):
            return _Outcome([Reply(texts.STALE_BUTTON)])

    def _button_action(self, t: _Turn, action: str, args: list[str]) -> _Outcome:
        if action == "sk":
            return self._skip(t) if t.state.mode in ("name", "unit") else _Outcome([Reply(texts.STALE_BUTTON)])
        if action == "nm":
            hint = t.state.data.get("name_hint")
            if t.state.mode != "name" or not hint:
                return _Outcome([Reply(texts.STALE_BUTTON)])
            t.learner.display_name = hint
            t.state.data = {k: v for k, v in t.state.data.items() if k != "name_hint"}
            t.state.mode = "unit"
            return _Outcome(self._profile_prompt(t))
        if action == "u":
            return self._set_unit(t, int(args[0]))
        if action == "g":
            return self._set_group(t, args[0])
        if action == "dy" or action == "dn":
            if t.state.pending != "delete":
                return _Outcome([Reply(texts.STALE_BUTTON)])
            return self._confirm_delete(t, action == "dy")
        if action == "fb":
            return self._feedback(t, int(args[0]), args[1])
        if t.state.mode in PROFILE_MODES:
            return _Outcome([Reply(texts.PROFILE_FIRST)] + self._profile_prompt(t))
        if action == "a":
            return self._button_answer(t, int(args[0]), int(args[1]))
        if action == "nx":
            return self._next_section(t, args[0], int(args[1]))
        if action in ("qz", "ls"):
            lesson_id = self._by_hash.get(args[0])
            if lesson_id is None:
                return _Outcome([Reply(texts.STALE_BUTTON)])
            lesson = self._curriculum.lessons[lesson_id]
            return self._start_quiz(t, lesson) if action == "qz" else self._open_lesson(t, lesson)
        simple: dict[str, Callable[[], _Outcome]] = {
            "pl": lambda: self._start_placement(t),
            "ps": lambda: self._learn(t, ""),
            "l": lambda: self._learn(t, ""),
            "ask": lambda: _Outcome([Reply(texts.ASK_PROMPT)]),
            "rv": lambda: self._review(t),
            "pg": lambda: self._progress(t),
        }
        if action in simple:
            return simple[action]()
        return _Outcome([Reply(texts.STALE_BUTTON)])

    def _button(self, learner_id: int, label: str, body: str) -> Button:
        payload = f"{body}|{self._sign(learner_id, body)}"
        if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"button payload too long: {body!r}")
        return Button(label, payload)

    def _sign(self, learner_id: int, body: str) -> str:
        digest = hmac.new(self._secret, f"{learner_id}|{body}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:9]).decode("ascii")

    def _verify(self, learner_id: int, payload: str) -> str | None:
        """The payload's body when its signature is this learner's, else None."""
        body, sep, sig = payload.rpartition("|")
        if not sep or not body:
            return None
        if not hmac.compare_digest(sig.encode(), self._sign(learner_id, body).encode()):
            return None
        return body

    # ---------------------------------------------------------------- lessons
    def _group(self, learner: Learner) -> str:
        return learner.group or "worker"

    def _find_lesson(self, text: str) -> Lesson | None:
        """A lesson by id, or by words of its title (tone marks optional)."""
        text = text.strip()
        if text in self._curriculum.lessons:
            return self._curriculum.lessons[text]
        wanted = _words(text)
        if not wanted:
            return None
        best: tuple[int, Lesson] | None = None
        for lesson in self._curriculum.lessons.values():
            overlap = len(wanted & _words(lesson.title))
            if overlap and (best is None or overlap > best[0]):
                best = (overlap, lesson)
        return best[1] if best and best[0] >= max(1, len(wanted) // 2) else None

    def _learn(self, t: _Turn, arg: str) -> _Outcome:
        if arg:
            lesson = self._find_lesson(arg)
            if lesson is None:
                return _Outcome([Reply(texts.LESSON_NOT_FOUND)])
            return self._open_lesson(t, lesson)
        t.state.quiz = None
        lessons = self._curriculum.lessons
        if t.state.mode == "lesson" and t.state.lesson_id in lessons:
            lesson = lessons[t.state.lesson_id]
            return _Outcome([Reply(texts.lesson_resume(lesson.title))] + self._show_section(t, lesson, t.state.section))
        unfinished = self._store.unfinished_lesson(t.session, t.learner.id)
        if unfinished is not None and unfinished.lesson_id in lessons:
            return self._open_lesson(t, lessons[unfinished.lesson_id])
        lesson = next_lesson(
            self._curriculum,
            self._group(t.learner),
            self._store.mastery(t.session, t.learner.id),
            self._store.completed_lessons(t.session, t.learner.id),
            self._threshold,
        )
        if lesson is None:
            t.state.mode = "idle"
            return _Outcome([Reply(texts.ALL_DONE)])
        return self._open_lesson(t, lesson)

    def _open_lesson(self, t: _Turn, lesson: Lesson) -> _Outcome:
        """Start a lesson, or resume it where the learner stopped."""
        progress = self._store.progress(t.session, t.learner.id, lesson.id)
        t.state.quiz = None
        t.state.mode = "lesson"
        t.state.lesson_id = lesson.id
        if progress is not None and progress.status == "started" and 0 < progress.section < len(lesson.sections):
            return _Outcome(
                [Reply(texts.lesson_resume(lesson.title))] + self._show_section(t, lesson, progress.section)
            )
        self._store.start_lesson(t.session, t.learner.id, lesson.id, t.now)
        self._event(t, "lesson_started", lesson_id=lesson.id)
        intro = Reply(texts.lesson_intro(lesson.title, lesson.duration_min, list(lesson.objectives)))
        return _Outcome([intro] + self._show_section(t, lesson, 0))

    def _show_section(self, t: _Turn, lesson: Lesson, index: int) -> list[Reply]:
        if not lesson.sections:
            return self._complete_lesson(t, lesson)
        index = max(0, min(index, len(lesson.sections) - 1))
        section = lesson.sections[index]
        t.state.section = index
        progress = self._store.start_lesson(t.session, t.learner.id, lesson.id, t.now)
        if progress.status == "started":
            progress.section = index
        self._event(t, "section_viewed", lesson_id=lesson.id, data={"section": index})
        lid, lh = t.learner.id, lesson_hash(lesson.id)
        buttons = (
            (self._button(lid, texts.BTN_NEXT, f"nx:{lh}:{index}"), self._button(lid, texts.BTN_ASK, "ask")),
            (self._button(lid, texts.BTN_QUIZ, f"qz:{lh}"),),
        )
        text = texts.lesson_section(lesson.title, index + 1, len(lesson.sections), section.heading, section.text)
        images = [
            Reply(caption or lesson.title, image_path=str(path), image_caption=caption or lesson.title)
            for path, caption in self._images_for(lesson).get(index, [])
        ]
        source = SourceLink(title=lesson.title, source=self._source_path(lesson), heading=section.heading)
        return images + [Reply(text, buttons=buttons, sources=(source,))]

    def _next_section(self, t: _Turn, lh: str, index: int) -> _Outcome:
        lesson_id = self._by_hash.get(lh)
        if lesson_id is None or t.state.mode != "lesson" or t.state.lesson_id != lesson_id or t.state.section != index:
            return _Outcome([Reply(texts.STALE_BUTTON)])
        lesson = self._curriculum.lessons[lesson_id]
        if index + 1 < len(lesson.sections):
            return _Outcome(self._show_section(t, lesson, index + 1))
        return _Outcome(self._complete_lesson(t, lesson))

    def _complete_lesson(self, t: _Turn, lesson: Lesson) -> list[Reply]:
        progress = self._store.start_lesson(t.session, t.learner.id, lesson.id, t.now)
        if progress.status != "completed":
            progress.status = "completed"
            progress.completed_at = t.now
            self._event(t, "lesson_completed", lesson_id=lesson.id)
        t.state.mode = "idle"
        lid = t.learner.id
        buttons = (
            (self._button(lid, texts.BTN_QUIZ, f"qz:{lesson_hash(lesson.id)}"),),
            (self._button(lid, texts.BTN_LEARN, "l"),),
        )
        return [Reply(texts.lesson_done(lesson.title), buttons=buttons)]

    def _images_for(self, lesson: Lesson) -> dict[int, list[tuple[Path, str]]]:
        """Which section shows which illustration: the one its caption talks about."""
        plan = self._image_plans.get(lesson.id)
        if plan is not None:
            return plan
        plan = {}
        for path in lesson.images:
            caption = ""
            for suffix in (".md", ".txt"):
                caption_file = path.with_suffix(suffix)
                if caption_file.is_file():
                    try:
                        caption = normalize(caption_file.read_text(encoding="utf-8")).strip()
                    except OSError:
                        caption = ""
                    break
            words = _words(caption or path.stem.replace("-", " "))
            best, best_overlap = 0, -1
            for i, section in enumerate(lesson.sections):
                overlap = len(words & _words(section.heading + " " + section.text))
                if overlap > best_overlap:
                    best, best_overlap = i, overlap
            plan.setdefault(best, []).append((path, caption[:300]))
        self._image_plans[lesson.id] = plan
        return plan

    def _source_path(self, lesson: Lesson) -> str:
        try:
            return str(lesson.path.relative_to(self._curriculum.root))
        except ValueError:
            return lesson.path.name

    # ---------------------------------------------------------------- quizzes
    def _item(self, session: Session, item_id: str) -> QuizItem | None:
        item = self._curriculum.item(item_id)
        if item is not None:
            return item
        data = self._store.generated_item(session, item_id)
        if data is None:
            return None
        try:
            return QuizItem.model_validate(data)
        except ValueError:
            return None

    def _lesson_items(self, session: Session, lesson: Lesson) -> list[QuizItem]:
        items = list(lesson.quiz)
        for data in self._store.generated_items(session, lesson.id):
            try:
                items.append(QuizItem.model_validate(data))
            except ValueError:
                continue
        return items

    def _quiz(self, t: _Turn, arg: str) -> _Outcome:
        lesson: Lesson | None = None
        if arg:
            lesson = self._find_lesson(arg)
            if lesson is None:
                return _Outcome([Reply(texts.LESSON_NOT_FOUND)])
        else:
            lesson_id = t.state.lesson_id or self._store.last_lesson(t.session, t.learner.id)
            lesson = self._curriculum.lessons.get(lesson_id) if lesson_id else None
        if lesson is None:
            lid = t.learner.id
            return _Outcome([Reply(texts.NO_LESSON_FOR_QUIZ, buttons=((self._button(lid, texts.BTN_LEARN, "l"),),))])
        return self._start_quiz(t, lesson)

    def _start_quiz(self, t: _Turn, lesson: Lesson) -> _Outcome:
        items = self._lesson_items(t.session, lesson)
        if not items:
            return _Outcome([Reply(texts.NO_QUIZ_ITEMS)])
        cards = self._store.cards(t.session, t.learner.id)
        # Items never answered or last missed first; course order otherwise.
        ranked = sorted(
            enumerate(items), key=lambda pair: (pair[1].id in cards and cards[pair[1].id].last_correct, pair[0])
        )
        chosen = [item.id for _, item in ranked[: self._quiz_length]]
        t.state.lesson_id = lesson.id
        return _Outcome(self._open_quiz(t, "quiz", chosen, lesson.id))

    def _start_placement(self, t: _Turn) -> _Outcome:
        items = [item.id for item in self._curriculum.placement]
        if not items:
            return _Outcome([Reply(texts.NO_PLACEMENT)])
        return _Outcome(self._open_quiz(t, "placement", items, None))

    def _review(self, t: _Turn) -> _Outcome:
        due = self._store.due_cards(t.session, t.learner.id, self._end_of_day(t.now))
        known = [card for card in due if self._item(t.session, card.item_id) is not None]
        missed = [c.item_id for c in known if not c.last_correct]
        learned = [c.item_id for c in known if c.last_correct]
        mixed: list[str] = []
        while (missed or learned) and len(mixed) < self._quiz_length:
            for pool in (missed, learned):
                if pool and len(mixed) < self._quiz_length:
                    mixed.append(pool.pop(0))
        if not mixed:
            lid = t.learner.id
            return _Outcome([Reply(texts.NOTHING_TO_REVIEW, buttons=((self._button(lid, texts.BTN_LEARN, "l"),),))])
        return _Outcome(self._open_quiz(t, "review", mixed, None))

    def _open_quiz(self, t: _Turn, kind: str, item_ids: list[str], lesson_id: str | None) -> list[Reply]:
        t.state.mode = kind
        quiz = {"kind": kind, "items": item_ids, "pos": 0, "correct": 0, "answers": [], "lesson_id": lesson_id}
        return self._ask_current(t, quiz)

    def _ask_current(self, t: _Turn, quiz: dict[str, Any]) -> list[Reply]:
        """Show the open item (skipping items that vanished from the course)."""
        while quiz["pos"] < len(quiz["items"]):
            item = self._item(t.session, quiz["items"][quiz["pos"]])
            if item is not None:
                break
            quiz = {**quiz, "items": [i for k, i in enumerate(quiz["items"]) if k != quiz["pos"]]}
        else:
            return self._finish_quiz(t, quiz)[0]
        seq = int(t.state.data.get("seq", 0)) + 1
        t.state.data = {**t.state.data, "seq": seq}
        t.state.quiz = {**quiz, "seq": seq, "asked_at": t.now.isoformat()}
        return [self._item_reply(t.learner.id, quiz, item, seq)]

    def _item_reply(self, learner_id: int, quiz: dict[str, Any], item: QuizItem, seq: int) -> Reply:
        header = texts.quiz_header(quiz["kind"], quiz["pos"] + 1, len(quiz["items"]))
        if item.type == "mcq":
            choices = tuple(item.choices)
            labels = [LETTERS[i] for i in range(len(choices))]
            body = item.question + "\n" + "\n".join(f"{labels[i]}. {c}" for i, c in enumerate(choices))
            correct = _index_of(item.answer, choices)
        elif item.type == "true_false":
            choices = (texts.BTN_TRUE, texts.BTN_FALSE)
            labels = list(choices)
            body = f"{item.question}\n{texts.QUIZ_TF_HINT}"
            correct = 0 if fold(item.answer).strip() == "dung" else 1
        else:
            choices, labels, correct = (), [], None
            body = f"{item.question}\n{texts.QUIZ_TYPE_ANSWER}"
        buttons = tuple(self._button(learner_id, labels[i], f"a:{seq}:{i}") for i in range(len(choices)))
        question = QuizQuestion(
            item_id=item.id,
            question=item.question,
            choices=choices,
            choice_payloads=tuple(b.payload for b in buttons),
            correct_index=correct,
            explanation=item.explanation,
        )
        return Reply(f"{header}\n{body}", buttons=(buttons,) if buttons else (), quiz=question)

    def _typed_answer(self, t: _Turn) -> _Outcome | None:
        """Grade typed text against the open item; None when it reads as a question instead."""
        quiz = t.state.quiz or {}
        item = self._item(t.session, quiz["items"][quiz["pos"]]) if quiz.get("items") else None
        if item is None:
            return None
        looks_like_question = t.text.rstrip().endswith("?")
        if item.type == "short" and looks_like_question:
            return None
        result = grade(item, t.text)
        if not result.understood:
            if looks_like_question or len(t.text.split()) >= 4:
                return None
            hint = texts.QUIZ_TF_HINT if item.type == "true_false" else texts.QUIZ_ANSWER_AGAIN
            return _Outcome([Reply(hint)])
        return self._record_answer(t, item, t.text, result)

    def _button_answer(self, t: _Turn, seq: int, index: int) -> _Outcome:
        quiz = t.state.quiz
        if t.state.mode not in QUIZ_MODES or not quiz or quiz.get("seq") != seq:
            return _Outcome([Reply(texts.QUIZ_CLOSED)])
        item = self._item(t.session, quiz["items"][quiz["pos"]])
        if item is None:
            return _Outcome([Reply(texts.QUIZ_CLOSED)])
        if item.type == "mcq" and 0 <= index < len(item.choices):
            answer = LETTERS[index]
        elif item.type == "true_false" and index in (0, 1):
            answer = texts.BTN_TRUE if index == 0 else texts.BTN_FALSE
        else:
            return _Outcome([Reply(texts.STALE_BUTTON)])
        return self._record_answer(t, item, answer, grade(item, answer))

    def _record_answer(self, t: _Turn, item: QuizItem, answer: str, result: Any) -> _Outcome:
        quiz = dict(t.state.quiz or {})
        kind = quiz["kind"]
        asked = aware(datetime.fromisoformat(quiz["asked_at"])) if quiz.get("asked_at") else None
        response_s = max(0.0, (t.now - asked).total_seconds()) if asked else None
        correct = bool(result.correct)
        self._event(
            t,
            "quiz_answered",
            lesson_id=item.lesson_id,
            item_id=item.id,
            data={
                "answer": answer[:200],
                "correct": correct,
                "response_s": response_s,
                "kind": kind,
                "skill": item.skill,
            },
        )
        replies: list[Reply] = []
        if kind == "placement":
            quiz["answers"] = [*quiz.get("answers", []), [item.skill, correct]]
            replies.append(Reply(texts.placement_mark(correct)))
        else:
            mastery = self._store.mastery(t.session, t.learner.id)
            before = mastery.get(item.skill, initial_mastery(self._bkt))
            self._store.set_mastery(
                t.session, t.learner.id, item.skill, update_mastery(before, correct, self._bkt), t.now
            )
            card = self._store.card(t.session, t.learner.id, item.id)
            state = schedule_review(card.card if card else None, correct, t.now, response_s)
            self._store.save_card(t.session, t.learner.id, item.id, state.card, state.due, correct, t.now)
            source, link = self._source_for(item)
            replies.append(
                Reply(
                    texts.feedback(correct, result.expected, item.explanation, source), sources=(link,) if link else ()
                )
            )
        quiz["correct"] = int(quiz.get("correct", 0)) + (1 if correct else 0)
        quiz["pos"] = int(quiz["pos"]) + 1
        if quiz["pos"] >= len(quiz["items"]):
            summary, generate = self._finish_quiz(t, quiz)
            return _Outcome(replies + summary, generate=generate)
        return _Outcome(replies + self._ask_current(t, quiz))

    def _finish_quiz(self, t: _Turn, quiz: dict[str, Any]) -> tuple[list[Reply], str | None]:
        kind, total, correct = quiz["kind"], len(quiz["items"]), int(quiz.get("correct", 0))
        t.state.quiz = None
        t.state.mode = "idle"
        lid = t.learner.id
        learn = (self._button(lid, texts.BTN_LEARN, "l"),)
        if kind == "placement":
            placed = mastery_from_placement([(s, bool(c)) for s, c in quiz.get("answers", [])], self._bkt)
            for skill, p in placed.items():
                self._store.set_mastery(t.session, lid, skill, p, t.now)
            self._event(t, "placement_completed", data={"correct": correct, "total": total})
            names = self._curriculum.skills
            strong = [names[s].name for s, p in placed.items() if p >= self._threshold and s in names]
            weak = [
                names[s].name
                for s, p in sorted(placed.items(), key=lambda kv: kv[1])
                if p < self._threshold and s in names
            ]
            return [Reply(texts.placement_summary(correct, total, strong, weak), buttons=(learn,))], None
        self._event(
            t,
            "quiz_completed",
            lesson_id=quiz.get("lesson_id"),
            data={"kind": kind, "correct": correct, "total": total},
        )
        buttons = (learn, (self._button(lid, texts.BTN_PROGRESS, "pg"),))
        extra: list[Reply] = []
        if not t.state.data.get("certified") and self._summary(t).certified:
            t.state.data = {**t.state.data, "certified": True}
            self._event(t, "certified")
            extra.append(Reply(CERTIFICATE_TEXT, buttons=((self._button(lid, texts.BTN_PROGRESS, "pg"),),)))
        generate = None
        if kind == "quiz" and self._chat_model is not None and quiz.get("lesson_id"):
            if not self._store.generated_items(t.session, quiz["lesson_id"]):
                generate = quiz["lesson_id"]
        return [Reply(texts.quiz_summary(correct, total), buttons=buttons), *extra], generate

    def _source_for(self, item: QuizItem) -> tuple[str | None, SourceLink | None]:
        """The lesson section an item comes from: «title › heading», and its SourceLink."""
        lesson = self._curriculum.lessons.get(item.lesson_id or "")
        if lesson is None or not lesson.sections:
            return None, None
        words = _words(" ".join([item.question, item.answer, item.explanation, *item.choices]))
        section = max(lesson.sections, key=lambda s: len(words & _words(s.heading + " " + s.text)))
        link = SourceLink(title=lesson.title, source=self._source_path(lesson), heading=section.heading)
        return f"{lesson.title} › {section.heading}", link

    def _generate(self, lesson_id: str) -> None:
        """Generate, verify and store LLM quiz items for a lesson (failures only logged)."""
        lesson = self._curriculum.lessons.get(lesson_id)
        if lesson is None or self._chat_model is None:
            return
        try:
            from tutor.generation import generate_items

            items = generate_items(self._chat_model, lesson, n=3)
        except Exception as exc:
            log.warning("quiz item generation failed for %s: %s", lesson_id, type(exc).__name__)
            return
        if not items:
            return
        with transaction(self._sf) as session:
            for item in items:
                data = item.model_dump(mode="json") if hasattr(item, "model_dump") else dict(item.__dict__)
                data["lesson_id"] = lesson_id
                self._store.add_generated_item(session, item.id, lesson_id, data, self._clock())

    # ---------------------------------------------------------------- questions
    def _question(self, t: _Turn, question: str) -> _Outcome:
        return _Outcome(ask=_Ask(question, t.state.lesson_id, t.learner.group))

    def _answer(self, inbound: Inbound, ask: _Ask) -> list[Reply]:
        answer = self._answerer.answer(ask.question, lesson_id=ask.lesson_id, audience=ask.audience)
        now = self._clock()
        with transaction(self._sf) as session:
            identity = self._store.identity(session, inbound.channel, inbound.user_id)
            if identity is None:
                return [Reply(answer.text, sources=tuple(answer.sources))]
            learner_id = identity.learner_id
            event = self._store.add_event(
                session,
                learner_id,
                "question_asked",
                now,
                channel=inbound.channel,
                lesson_id=ask.lesson_id,
                data={
                    "question": ask.question,
                    "answered": bool(answer.answered),
                    "mode": answer.mode,
                    "sources": [{"title": s.title, "source": s.source, "heading": s.heading} for s in answer.sources],
                    "chunks": [h.chunk_id for h in answer.hits[:5]],
                },
            )
            event_id = event.id
        rows: list[tuple[Button, ...]] = [
            (self._button(learner_id, "👍", f"fb:{event_id}:u"), self._button(learner_id, "👎", f"fb:{event_id}:d"))
        ]
        for title in list(answer.suggestions)[:3]:
            lesson = next((l for l in self._curriculum.lessons.values() if l.title == title), None)
            if lesson is not None:
                rows.append(
                    (self._button(learner_id, f"📘 {texts.short_label(title)}", f"ls:{lesson_hash(lesson.id)}"),)
                )
        return [Reply(answer.text, buttons=tuple(rows), sources=tuple(answer.sources))]

    def _feedback(self, t: _Turn, event_id: int, value: str) -> _Outcome:
        event = self._store.event(t.session, event_id)
        if (
            value not in ("u", "d")
            or event is None
            or event.learner_id != t.learner.id
            or event.kind != "question_asked"
            or self._store.has_feedback(t.session, t.learner.id, event_id)
        ):
            return _Outcome([Reply(texts.STALE_BUTTON)])
        self._event(t, "feedback", item_id=str(event_id), data={"value": "up" if value == "u" else "down"})
        return _Outcome([Reply(texts.FEEDBACK_THANKS_UP if value == "u" else texts.FEEDBACK_THANKS_DOWN)])

    # ---------------------------------------------------------------- progress and reminders
    def _end_of_day(self, now: datetime) -> datetime:
        local = now.astimezone(self._tz)
        end = local.replace(hour=23, minute=59, second=59, microsecond=0)
        return end.astimezone(UTC)

    def _summary(self, t: _Turn) -> Any:
        s, lid = t.session, t.learner.id
        today = t.now.astimezone(self._tz).date()
        return summarize(
            self._curriculum,
            self._group(t.learner),
            self._store.mastery(s, lid),
            self._store.completed_lessons(s, lid),
            self._threshold,
            streak_days(self._store.active_dates(s, lid, self._tz), today),
            len(self._store.due_cards(s, lid, self._end_of_day(t.now))),
        )

    def _progress(self, t: _Turn) -> _Outcome:
        lid = t.learner.id
        summary = self._summary(t)
        replies = [
            Reply(
                summary.to_text(),
                buttons=((self._button(lid, texts.BTN_LEARN, "l"), self._button(lid, texts.BTN_REVIEW, "rv")),),
            )
        ]
        if summary.certified:  # the summary's text carries the certificate message
            if not t.state.data.get("certified"):
                t.state.data = {**t.state.data, "certified": True}
                self._event(t, "certified")
        return _Outcome(replies)

    def _remind(self, t: _Turn, arg: str) -> _Outcome:
        hhmm = parse_hhmm(arg) if arg else None
        if hhmm is None:
            return _Outcome([Reply(texts.REMIND_USAGE)])
        t.learner.reminder_time = hhmm
        self._event(t, "reminder_set", data={"time": hhmm})
        return _Outcome([Reply(texts.remind_set(hhmm))])

    def _remind_off(self, t: _Turn) -> _Outcome:
        t.learner.reminder_time = None
        self._event(t, "reminder_off")
        return _Outcome([Reply(texts.REMIND_OFF)])

    # ---------------------------------------------------------------- data rights
    def _export(self, t: _Turn) -> _Outcome:
        self._event(t, "data_exported")
        t.session.flush()
        data = self._store.export(t.session, t.learner.id)
        dumped = json.dumps(data, ensure_ascii=False, indent=1, default=str)
        chunks = _split(dumped, EXPORT_CHUNK_CHARS)
        return _Outcome([Reply(texts.EXPORT_INTRO)] + [Reply(chunk) for chunk in chunks])

    def _ask_delete(self, t: _Turn) -> _Outcome:
        t.state.pending = "delete"
        lid = t.learner.id
        buttons = ((self._button(lid, texts.BTN_DELETE_YES, "dy"), self._button(lid, texts.BTN_CANCEL, "dn")),)
        return _Outcome([Reply(texts.DELETE_CONFIRM, buttons=buttons)])

    def _confirm_delete(self, t: _Turn, yes: bool) -> _Outcome:
        t.state.pending = None
        if not yes:
            return _Outcome([Reply(texts.DELETE_CANCELLED)])
        channel = t.inbound.channel
        self._store.delete_learner(t.session, t.learner.id, keep_message=(channel, t.inbound.message_id))
        self._store.add_event(t.session, None, "data_deleted", t.now, channel=channel)
        return _Outcome([Reply(texts.DELETE_DONE)])

    # ---------------------------------------------------------------- linking channels
    def _link(self, t: _Turn, arg: str) -> _Outcome:
        if not arg:
            if t.learner.consent_state != "given":
                return _Outcome([self._consent_reply(t)])
            code = self._store.new_link_code(t.session, t.learner.id, t.now, LINK_TTL)
            return _Outcome([Reply(texts.link_code(code, int(LINK_TTL.total_seconds() // 60)))])
        fails = [f for f in t.state.data.get("link_fails", []) if aware(datetime.fromisoformat(f)) > t.now - LINK_TTL]
        if len(fails) >= LINK_MAX_FAILS:
            return _Outcome([Reply(texts.LINK_LOCKED)])
        code = re.sub(r"\D", "", arg)
        target = self._store.take_link_code(t.session, code, t.now) if len(code) == 6 else None
        if target is None:
            t.state.data = {**t.state.data, "link_fails": [*fails, t.now.isoformat()]}
            return _Outcome([Reply(texts.LINK_BAD)])
        if target == t.learner.id:
            return _Outcome([Reply(texts.LINK_SAME)])
        target_learner = self._store.lock_learner(t.session, target)
        if target_learner is None:
            return _Outcome([Reply(texts.LINK_BAD)])
        old_id = t.learner.id
        identity: ChannelIdentity | None = self._store.identity(t.session, t.inbound.channel, t.inbound.user_id)
        assert identity is not None
        self._store.move_identity(t.session, identity, target)
        if not self._store.identities(t.session, old_id):
            self._store.delete_learner(t.session, old_id, keep_message=(t.inbound.channel, t.inbound.message_id))
        self._store.attach_message(t.session, t.inbound.channel, t.inbound.message_id, target)
        self._store.add_event(t.session, target, "channel_linked", t.now, channel=t.inbound.channel)
        return _Outcome([Reply(texts.LINK_DONE + "\n" + texts.HELP)])

    # ---------------------------------------------------------------- helpers
    def _event(self, t: _Turn, kind: str, **fields: Any) -> None:
        self._store.add_event(t.session, t.learner.id, kind, t.now, channel=t.inbound.channel, **fields)


def _index_of(answer: str, choices: tuple[str, ...]) -> int | None:
    for i, choice in enumerate(choices):
        if choice == answer:
            return i
    folded = fold(answer).strip()
    for i, choice in enumerate(choices):
        if fold(choice).strip() == folded:
            return i
    return None


def _split(text: str, limit: int) -> list[str]:
    """Split text at line ends into pieces of at most `limit` characters."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current:
        pieces.append(current)
    return [p.rstrip("\n") for p in pieces]
