"""The conversation core: one `Conversation.handle(inbound) -> [Reply]` for every channel.

This is the facade channels see (`tutor.messages.TutorPort`). A turn runs in `tutor.turns`
(dedupe, per-learner lock, one transaction, rate limit, signed payloads) and is handled by one
of the flows in `tutor.flows`, found through the registry (`tutor.registry`). Slow work
(answering a question, generating quiz items with an LLM) runs after that transaction, still
inside the per-user lock, so one learner waiting on an LLM never blocks the database for others.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from knowledge.curriculum import Curriculum
from knowledge.db import transaction
from knowledge.sanitize import sanitize_text
from knowledge.textnorm import normalize
from tutor import texts, voice
from tutor.certificates import files_dir, remove_orphans
from tutor.config import TutorConfig
from tutor.flows import build_registry, questions, quiz, reminders
from tutor.flows.base import FlowContext
from tutor.flows.data_rights import export_files
from tutor.flows.quiz import LETTERS
from tutor.messages import APOLOGY, CertificateCheck, Inbound, MenuEntry, ReminderTarget, Reply
from tutor.models import Learner
from tutor.officer_digest import due_digests
from tutor.officers import OfficerConfig, OfficerService
from tutor.payloads import MAX_PAYLOAD_BYTES, PayloadCodec, lesson_hash
from tutor.store import LearnerStore
from tutor.timeofday import parse_hhmm
from tutor.turns import TurnRunner
from tutor.units import UnitRegistry

if TYPE_CHECKING:
    from tutor.answering import Answerer

__all__ = ["LETTERS", "MAX_PAYLOAD_BYTES", "Conversation", "lesson_hash", "parse_hhmm"]

log = logging.getLogger(__name__)

REPLY_RETENTION = timedelta(days=2)  # a retried message id gets its replies within this window


def clean_inbound(inbound: Inbound) -> Inbound:
    """The inbound message with its strings sanitised (`knowledge.sanitize`): whatever a channel
    passed, nothing unencodable is stored, logged or sent to a model."""

    def clean(value: str | None) -> str | None:
        return sanitize_text(value) if value is not None else None

    cleaned = dataclasses.replace(
        inbound,
        user_id=sanitize_text(inbound.user_id),
        message_id=sanitize_text(inbound.message_id),
        text=clean(inbound.text),
        payload=clean(inbound.payload),
        display_name=clean(inbound.display_name),
    )
    return inbound if cleaned == inbound else cleaned


def _log_failure(exc: BaseException, channel: str) -> None:
    """Log an unexpected failure: type and stack frames only (messages may hold personal data)."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("tutor turn failed on channel %s: %s\n%s", channel, type(exc).__name__, frames)


class Conversation:
    """The tutor as channels see it; implements `TutorPort`."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        curriculum: Curriculum,
        answerer: Answerer,
        units: UnitRegistry,
        config: TutorConfig,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        chat_model: Any = None,
        payload_secret: bytes | None = None,
        store: LearnerStore | None = None,
        officers: OfficerService | None = None,
    ) -> None:
        """`payload_secret` signs button payloads (give the same secret to every worker process;
        a random one is made when None). `officers`: officer accounts and statistics (default: one
        with default settings on the same database and registry)."""
        if store is not None and store.tz.key != config.timezone:
            # The store counts weekly activity in its zone, the officers' pages read in this one.
            raise ValueError(f"the store's time zone {store.tz.key} is not tutor.timezone {config.timezone}")
        self._sf = session_factory
        self._answerer = answerer
        self._config = config
        self.registry = build_registry()
        codec = PayloadCodec(payload_secret or secrets.token_bytes(32), self.registry.payload_types())
        self._ctx = FlowContext(
            store=store or LearnerStore(tz=ZoneInfo(config.timezone)),
            curriculum=curriculum,
            units=units,
            config=config,
            codec=codec,
            registry=self.registry,
            clock=clock,
            chat_model=chat_model,
            officers=officers or OfficerService(session_factory, units, OfficerConfig(timezone=config.timezone)),
        )
        # The officers' questions share the answerer's bounded model pool (a test answerer has none).
        self._ctx.run_model = getattr(answerer, "run_model", None)
        self._runner = TurnRunner(self._ctx, session_factory)
        self._background = ThreadPoolExecutor(1, thread_name_prefix="llm-generate")
        self._generating = threading.Lock()
        with transaction(self._sf) as session:
            units.sync(session)

    @property
    def curriculum(self) -> Curriculum:
        """The course this tutor teaches."""
        return self._ctx.curriculum

    @property
    def context(self) -> FlowContext:
        """The parts every flow reads (for tools and tests that drive a flow directly)."""
        return self._ctx

    # ---------------------------------------------------------------- TutorPort
    def handle(self, inbound: Inbound) -> list[Reply]:
        """Handle one inbound message; never raises (an apology replaces any failure)."""
        try:
            return self._handle(clean_inbound(inbound))
        except Exception as exc:  # the catch-all: no traceback ever reaches a learner
            _log_failure(exc, inbound.channel)
            return [Reply(APOLOGY)]

    def menu(self) -> list[MenuEntry]:
        """The commands for channel menus, in display order (quick ones first, flagged)."""
        return self.registry.menu()

    def help_text(self) -> str:
        """The /trogiup text."""
        return self.registry.help_text()

    def due_reminders(self, channel: str, now: datetime, limit: int = 100) -> list[tuple[ReminderTarget, Reply]]:
        """Reminders due at `now` on `channel`, each (learner, local day) claimed once, then (Monday
        morning) the officers' weekly digests.

        Channels ask every minute, so expired data-export files are swept here too."""
        export_files(self._ctx).sweep(now)
        due = reminders.due_reminders(self._ctx, self._sf, channel, now, limit)
        if self._ctx.officers is not None and len(due) < limit:  # Monday morning: officers' weekly digest
            due += due_digests(self._ctx.officers, self._sf, channel, now, limit - len(due))
        return due

    def set_active(self, channel: str, user_id: str, active: bool) -> None:
        """Mark a channel identity (in)active, e.g. when the user blocked the bot."""
        with transaction(self._sf) as session:
            identity = self._ctx.store.identity(session, channel, user_id)
            if identity is not None:
                identity.active = active

    def verify_certificate(self, code: str) -> CertificateCheck:
        """Whether `code` is a valid certificate's verification code, with what the certificate says."""
        from tutor.certificates import find, normalize_code

        with transaction(self._sf) as session:
            info = find(session, code)
        if info is None:
            return CertificateCheck(valid=False, code=normalize_code(code)[:32])
        return CertificateCheck(
            valid=True,
            code=info.code,
            number=info.number,
            name=info.name,
            unit=info.unit_name,
            group=info.group_label,
            issued_on=info.issued_at.astimezone(self._ctx.tz).date().isoformat(),
        )

    def certificate_file(self, code: str, kind: Literal["png", "pdf"]) -> str | None:
        """The path of a valid certificate's PNG or PDF (rendered when missing), or None."""
        from tutor.certificates import files_dir, files_for, find
        from tutor.flows.certificate import local_date, verify_url

        with transaction(self._sf) as session:
            info = find(session, code)
        if info is None:
            return None
        url = verify_url(self._ctx, info.code)
        png, pdf = files_for(info, files_dir(self._config.certificate_dir), url, local_date(self._ctx, info.issued_at))
        path = png if kind == "png" else pdf
        return str(path) if path is not None else None

    def consented(self, channel: str, user_id: str) -> bool:
        """True when the channel user is a learner who agreed to the data notice."""
        with transaction(self._sf) as session:
            identity = self._ctx.store.identity(session, channel, user_id)
            if identity is None:
                return False
            learner = session.get(Learner, identity.learner_id)
            return learner is not None and learner.consent_state == "given"

    # ---------------------------------------------------------------- maintenance
    def purge_inactive(self) -> int:
        """Delete learners inactive for longer than the consent retention period, and learners who
        never consented after `unconsented_retention_hours`."""
        now = self._ctx.clock()
        before = now - timedelta(days=self._config.consent_retention_days)
        unconsented = now - timedelta(hours=self._config.unconsented_retention_hours)
        with transaction(self._sf) as session:
            # Replies are kept for retries (a crash between commit and response), not for ever.
            self._ctx.store.forget_replies(session, now - REPLY_RETENTION)
            purged = self._ctx.store.purge_inactive(session, before, unconsented)
            session.flush()
            if self._config.certificate_dir:  # never in the shared temp fallback (other databases' files)
                # the files of deleted learners' certificates (name, unit) go with them
                remove_orphans(session, files_dir(self._config.certificate_dir))
            return purged

    def _generate_in_background(self, lesson_id: str) -> None:
        """Write quiz items with the LLM after the learner got their replies, one lesson at a time
        on a thread of its own: a slow or hung model delays nobody's turn (a request while one runs
        is dropped; the next finished quiz asks again)."""
        if not self._generating.acquire(blocking=False):
            return

        def job() -> None:
            try:
                quiz.generate(self._ctx, self._sf, lesson_id)
            except Exception as exc:  # generation is an extra: never a failure of the turn
                log.warning("quiz item generation failed (%s)", type(exc).__name__)
            finally:
                self._generating.release()

        try:
            self._background.submit(job)
        except RuntimeError:  # shut down
            self._generating.release()

    # ---------------------------------------------------------------- the turn
    def _handle(self, inbound: Inbound) -> list[Reply]:
        text = normalize(inbound.text or "").strip()
        heard: list[Reply] = []
        if inbound.kind == "voice" and inbound.payload is None:
            if not voice.is_spoken(text):
                voice.record_unheard(self._ctx.store, self._sf, inbound, self._ctx.clock())
                return [voice.problem_reply(inbound.voice_problem, self._config.voice_max_seconds)]
            heard, text = [voice.heard_reply(text)], voice.as_typed(text)
        if inbound.payload is None:
            if not text and inbound.kind not in ("text", "button"):
                return [Reply(texts.NON_TEXT)]
            if len(text) > self._config.max_message_chars:
                return [Reply(texts.too_long(self._config.max_message_chars))]
        with self._runner.locks.hold((inbound.channel, inbound.user_id)):
            outcome = self._runner.run(inbound, text)
            replies, ask = list(outcome.replies), outcome.ask
            handled = outcome.later() if outcome.later is not None else None  # after the commit
            if handled is not None:
                replies.extend(handled)
                ask = None  # the slow part answered (an officer's question read by the model)
            if ask is not None:
                replies.extend(questions.answer(self._ctx, self._sf, self._answerer, inbound, ask))
            replies.extend(outcome.after)  # what the learner was doing, asked again after the answer
            if outcome.generate is not None:
                self._generate_in_background(outcome.generate)
            self._draw_certificates(replies)
            if outcome.ask is not None or outcome.after or outcome.later is not None:
                self._runner.save_replies(inbound, replies)  # the answer too, for a retried id
            # What was heard comes first; a turn that says nothing (a repeat, a flood) echoes nothing.
            return heard + replies if replies else []

    def _draw_certificates(self, replies: list[Reply]) -> None:
        """Draw the certificate files a turn named but that do not exist yet (after its transaction)."""
        from tutor.certificates import files_dir

        folder = files_dir(self._config.certificate_dir)
        codes = {
            Path(path).stem
            for reply in replies
            for path in (reply.image_path, reply.document_path)
            if path and Path(path).parent == folder and not Path(path).is_file()
        }
        for code in sorted(codes):
            try:
                self.certificate_file(code, "png")  # draws the PNG and the PDF
            except Exception as exc:  # the turn is committed: a drawing failure must not hide its replies
                log.warning("certificate drawing failed: %s", type(exc).__name__)
