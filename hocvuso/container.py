"""The composition root: builds every long-lived object from settings, once, on first use.

Nothing else in the code base constructs clients from settings; modules receive what they
need through their constructors. Heavy parts (embedding model, Chroma) are built lazily so
that a quick command (`hocvuso lessons check`) never pays for them.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hocvuso.channel_parts import ChannelParts
from hocvuso.package_config import llm_config, tutor_config
from hocvuso.redaction import redact_secrets
from hocvuso.secret_files import stored_secret
from hocvuso.settings import Settings

if TYPE_CHECKING:
    from knowledge.curriculum import Curriculum


class Container(ChannelParts):
    """Lazily wires the application's parts together from one Settings object (the database and
    the knowledge store come from StoreParts, the channels from ChannelParts; the tutor is built here)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        redact_secrets(*settings_secrets(settings))

    # --- answering ---------------------------------------------------------------------------
    @cached_property
    def chat_model(self):  # type: ignore[no-untyped-def]
        """The LLM (langchain ChatOpenAI), or None when `llm.base_url`/`llm.model` are empty."""
        from tutor.llm import make_chat_model

        return make_chat_model(llm_config(self.settings))

    @cached_property
    def answerer(self):  # type: ignore[no-untyped-def]
        from tutor.answer_scope import default_scope
        from tutor.answering import Answerer
        from tutor.card_match import CardPolicy

        tutor = self.settings.tutor
        return Answerer(
            lambda *args, **kwargs: self.knowledge_base.search(*args, **kwargs),
            self.chat_model,
            min_relevance=tutor.answer_min_score,
            sure_relevance=tutor.answer_sure_score,
            max_sentences=tutor.answer_max_sentences,
            suggest_floor=tutor.answer_suggest_min_score,
            card_policy=CardPolicy(
                min_score=tutor.answer_card_min_score,
                sure_score=tutor.answer_card_sure_score,
                min_coverage=tutor.answer_card_min_coverage,
            ),
            scope=default_scope(),
            unknown_words=lambda text: self.knowledge_base.unknown_words(text),
            word_weights=lambda words: self.knowledge_base.word_rarity(words),
            lesson_words=lambda lesson_id: self.knowledge_base.lesson_words(lesson_id),
            llm_workers=self.settings.llm.max_concurrent,
            llm_timeout_s=self.settings.llm.answer_timeout_s,
        )

    # --- tutor -------------------------------------------------------------------------------
    @cached_property
    def curriculum(self) -> Curriculum:
        """The course (lessons, quiz items, placement, skills) read from `ingest.lessons_dir`."""
        from knowledge.curriculum import load_curriculum

        return load_curriculum(self.settings.ingest.lessons_dir)

    @cached_property
    def units(self):  # type: ignore[no-untyped-def]
        """The union registry, read from the database; an empty registry table is seeded from
        `tutor.units_file` (the shipped sample registry)."""
        from knowledge.db import transaction
        from tutor.units import DbUnitRegistry, load_units

        registry = DbUnitRegistry(self.units_reader, seed=load_units(self.settings.tutor.units_file))
        with transaction(self.session_factory) as session:
            registry.sync(session)
        return registry

    @cached_property
    def officer_service(self):  # type: ignore[no-untyped-def]
        """Officers, invites, dashboard sign-in and the campaign's statistics (tutor.officers)."""
        from tutor.officers import OfficerConfig, OfficerService

        officers, serve = self.settings.officers, self.settings.serve
        targets = self.settings.targets
        return OfficerService(
            self.session_factory,
            self.units,
            OfficerConfig(
                invite_ttl_hours=officers.invite_ttl_hours,
                link_ttl_minutes=officers.link_ttl_minutes,
                session_hours=officers.session_hours,
                public_url=officers.public_url or f"http://{serve.host}:{serve.port}",
                min_group=self.settings.stats.min_group,
                cache_seconds=self.settings.stats.cache_seconds,
                timezone=self.settings.tutor.timezone,
                targets={
                    "officers_competent": targets.officers_fulltime,
                    "public_staff_competent": targets.public_sector,
                    "workers_competent": targets.enterprise_workers,
                    "grassroots_connected": targets.grassroots_units_connected,
                },
            ),
        )

    @property
    def payload_secret(self) -> bytes:
        """Key signing button payloads: from the environment, else kept in data_dir/payload.key."""
        configured = self.settings.tutor.payload_secret
        if configured is not None and configured.get_secret_value():
            return configured.get_secret_value().encode("utf-8")
        secret = stored_secret(self.settings.data_dir / "payload.key", _hex_secret)
        redact_secrets(secret)
        return secret.encode("utf-8")

    @cached_property
    def conversation(self):  # type: ignore[no-untyped-def]
        """The channel-agnostic tutor (`TutorPort`) every channel talks to."""
        from bot.personal_data import ChannelPersonalData
        from tutor import safety_model
        from tutor.conversation import Conversation
        from tutor.store import LearnerStore

        safety_model.set_enabled(self.settings.tutor.safety_model)  # off: scam triage by the rules alone
        return Conversation(
            self.session_factory,
            self.curriculum,
            self.answerer,
            self.units,
            tutor_config(self.settings),
            chat_model=self.chat_model,
            payload_secret=self.payload_secret,
            store=LearnerStore(
                channel_data=ChannelPersonalData(self.channel_inbox), tz=ZoneInfo(self.settings.tutor.timezone)
            ),
            officers=self.officer_service,
        )

    @cached_property
    def gap_log(self):  # type: ignore[no-untyped-def]
        """The content-gap log (unanswered and 👎 questions, no learner id) for editors and officers."""
        from tutor.gaps import GapLog

        return GapLog(self.session_factory)

    @property
    def lessons_dir(self) -> Path:
        return self.settings.ingest.lessons_dir

    def close(self) -> None:
        """Release what was built (engine pools, the model's threads)."""
        if "answerer" in self.__dict__:
            self.answerer.close()
        if "engine" in self.__dict__:
            self.engine.dispose()
        if self.__dict__.get("speech") is not None:
            self.speech.close()
        inbox_engine = self.__dict__.get("_inbox_engine")
        if inbox_engine is not None:
            inbox_engine.dispose()
        reader = self.__dict__.get("units_reader")
        if reader is not None and reader.kw["bind"] is not self.__dict__.get("engine"):
            reader.kw["bind"].dispose()


def build_telegram_worker(settings: Settings):  # type: ignore[no-untyped-def]
    """What a Telegram update worker process needs: its own composition root on the same settings,
    with the tutor warmed up (curriculum, store, embedding model) before the first learner."""
    import logging
    import sys

    from bot.telegram_store import PollStore
    from bot.telegram_workers import WorkerParts

    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s",
        stream=sys.stderr,
    )
    container = Container(settings)
    tutor = container.conversation
    try:
        container.knowledge_base.search("khởi động", k=1)
    except Exception as exc:  # an empty store still serves lessons and quizzes
        logging.getLogger("hocvuso.channels").warning("Telegram worker: store not ready (%s)", type(exc).__name__)
    return WorkerParts(
        tutor=tutor,
        inbox=container.channel_inbox,
        polls=PollStore(container.session_factory),
        speech=container.speech,  # loads the model at its first voice note (`hocvuso serve` joined it)
    )


def _hex_secret() -> str:
    """A random key for button payloads (hex, as earlier versions wrote it)."""
    import secrets

    return secrets.token_hex(32)


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret value the settings hold (for the log redaction)."""
    values = [
        settings.llm.api_key,
        settings.tutor.payload_secret,
        settings.telegram.token,
        settings.telegram.webhook_secret,
        settings.zalo.oa_secret_key,
        settings.zalo.app_secret,
        settings.zalo.access_token,
        settings.zalo.refresh_token,
        settings.serve.cookie_secret,
        settings.data_key,
    ]
    found = [value.get_secret_value() for value in values if value is not None]
    return [value for value in found if value]
