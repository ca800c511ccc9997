"""The composition root: builds every long-lived object from settings, once, on first use.

Nothing else in the code base constructs clients from settings; modules receive what they
need through their constructors. Heavy parts (embedding model, Chroma) are built lazily so
that a quick command (`hocvuso lessons check`) never pays for them.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hocvuso.settings import ConfigError, Settings

if TYPE_CHECKING:
    from tutor.config import LLMConfig, TutorConfig


class Container:
    """Lazily wires the application's parts together from one Settings object."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # --- database ------------------------------------------------------------------------
    @cached_property
    def engine(self) -> Engine:
        from hocvuso.migrate import upgrade_to_head
        from knowledge.db import make_engine

        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(
            self.settings.database_url,
            echo=self.settings.database.echo,
            busy_timeout_ms=self.settings.database.busy_timeout_ms,
        )
        upgrade_to_head(engine)
        return engine

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        from knowledge.db import make_session_factory

        return make_session_factory(self.engine)

    # --- knowledge -----------------------------------------------------------------------
    @cached_property
    def embedder(self):  # type: ignore[no-untyped-def]
        from knowledge.embedding import make_embedder

        return make_embedder(self.settings.embedding)

    @cached_property
    def vector_store(self):  # type: ignore[no-untyped-def]
        from knowledge.vectors import VectorStore

        return VectorStore.open(
            url=self.settings.vector_store.url,
            path=self.settings.chroma_path,
            collection=self.settings.vector_store.collection,
            embedder=self.embedder,
        )

    @cached_property
    def knowledge_base(self):  # type: ignore[no-untyped-def]
        from knowledge.search import KnowledgeBase

        return KnowledgeBase(
            session_factory=self.session_factory,
            vector_store_factory=lambda: self.vector_store,
            settings=self.settings.search,
        )

    @cached_property
    def ingestor(self):  # type: ignore[no-untyped-def]
        from ingest.pipeline import Ingestor

        return Ingestor(
            session_factory=self.session_factory,
            vector_store_factory=lambda: self.vector_store,
            lock_path=self.settings.data_dir / "ingest.lock",
            chunk_size=self.settings.ingest.chunk_size,
            chunk_overlap=self.settings.ingest.chunk_overlap,
            batch_size=self.settings.embedding.batch_size,
            ocr_language=self.settings.ingest.ocr_language,
        )

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
        )

    # --- tutor -------------------------------------------------------------------------------
    @cached_property
    def curriculum(self):  # type: ignore[no-untyped-def]
        """The course (lessons, quiz items, placement, skills) read from `ingest.lessons_dir`."""
        from knowledge.curriculum import load_curriculum

        return load_curriculum(self.settings.ingest.lessons_dir)

    @cached_property
    def units(self):  # type: ignore[no-untyped-def]
        """The organization registry (`tutor.units_file`)."""
        from tutor.units import load_units

        return load_units(self.settings.tutor.units_file)

    @property
    def payload_secret(self) -> bytes:
        """Key signing button payloads: from the environment, else kept in data_dir/payload.key."""
        configured = self.settings.tutor.payload_secret
        if configured is not None and configured.get_secret_value():
            return configured.get_secret_value().encode("utf-8")
        import os
        import secrets

        path = self.settings.data_dir / "payload.key"
        if not path.is_file():
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            try:
                os.link(tmp, path)  # atomic: the first process to start wins, others read its key
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
        return path.read_text(encoding="utf-8").strip().encode("utf-8")

    @cached_property
    def conversation(self):  # type: ignore[no-untyped-def]
        """The channel-agnostic tutor (`TutorPort`) every channel talks to."""
        from tutor.conversation import Conversation

        return Conversation(
            self.session_factory,
            self.curriculum,
            self.answerer,
            self.units,
            tutor_config(self.settings),
            chat_model=self.chat_model,
            payload_secret=self.payload_secret,
        )

    # --- channels ----------------------------------------------------------------------------
    @cached_property
    def channel_inbox(self):  # type: ignore[no-untyped-def]
        """Durable, deduplicating inbox of channel updates (Telegram, Zalo)."""
        from bot.inbox import Inbox

        return Inbox(self.session_factory)

    @cached_property
    def channel_deliveries(self):  # type: ignore[no-untyped-def]
        """Once-a-day log of proactive messages (reminders)."""
        from bot.inbox import DeliveryLog

        return DeliveryLog(self.session_factory)

    def telegram_webhook_secret(self) -> str:
        """HOCVUSO_TELEGRAM__WEBHOOK_SECRET, else a random one kept in data_dir/telegram_webhook.key."""
        configured = self.settings.telegram.webhook_secret
        if configured is not None and configured.get_secret_value():
            return configured.get_secret_value()
        return _stored_secret(self.settings.data_dir / "telegram_webhook.key")

    @cached_property
    def telegram_channel(self):  # type: ignore[no-untyped-def]
        """The Telegram channel, or None when no token is set (one log line says so).

        Raises ConfigError when Telegram is half-configured.
        """
        import logging

        from bot.telegram import TelegramChannel, TelegramConfig, base_file_url, check_telegram_settings
        from bot.telegram_store import PollStore

        tg = self.settings.telegram
        token = tg.token.get_secret_value() if tg.token is not None else ""
        if not token:
            logging.getLogger("hocvuso.channels").info("Telegram is off: HOCVUSO_TELEGRAM__TOKEN is not set.")
            return None
        problem = check_telegram_settings(
            mode=tg.mode,
            webhook_url=tg.webhook_url,
            base_url=tg.base_url,
            webhook_secret=tg.webhook_secret.get_secret_value() if tg.webhook_secret else "",
        )
        if problem:
            raise ConfigError(problem)
        config = TelegramConfig(
            token=token,
            mode=tg.mode,
            webhook_url=tg.webhook_url,
            webhook_secret=self.telegram_webhook_secret() if tg.mode == "webhook" else "",
            base_url=tg.base_url,
            use_quiz_polls=tg.use_quiz_polls,
            timezone=self.settings.tutor.timezone,
            media_root=self.settings.ingest.lessons_dir,
            max_messages_per_second=tg.max_messages_per_second,
            tutor_workers=tg.workers,
            reminder_sync_s=tg.reminder_sync_seconds,
        )
        workers = None
        if tg.tutor_processes > 0:
            import functools

            from bot.telegram_workers import TelegramWorkerPool, WorkerBotConfig

            worker_settings = self.settings
            if not worker_settings.embedding.num_threads:  # parallelism comes from the processes
                worker_settings = worker_settings.model_copy(
                    update={"embedding": worker_settings.embedding.model_copy(update={"num_threads": 1})}
                )
            bot_config = WorkerBotConfig(  # the channel's own settings, each worker a share of the rate
                token=config.token,
                base_url=config.base_url,
                base_file_url=base_file_url(config.base_url) if config.base_url else "",
                max_messages_per_second=config.max_messages_per_second / tg.tutor_processes,
                send=config.send_options,
            )
            workers = TelegramWorkerPool(
                functools.partial(build_telegram_worker, worker_settings), tg.tutor_processes, bot_config
            )
        return TelegramChannel(
            config,
            self.conversation,
            self.channel_inbox,
            PollStore(self.session_factory),
            self.channel_deliveries,
            workers=workers,
        )

    def store_stats(self) -> dict[str, object]:
        """Documents and chunks in the knowledge store (for /healthz)."""
        status = self.knowledge_base.status()
        return {"documents": status.documents, "chunks": status.chunks}

    @cached_property
    def web_app(self):  # type: ignore[no-untyped-def]
        """The FastAPI app of `hocvuso serve`: /healthz, the channels' webhooks, the web chat."""
        from bot.server import create_app

        channels = []
        off: dict[str, str] = {}
        telegram = self.telegram_channel
        if telegram is None:
            off["telegram"] = "no token"
        elif telegram.config.mode == "webhook":
            channels.append(telegram)
        else:
            off["telegram"] = "polling mode: run `hocvuso telegram`"
        zalo = self.zalo_channel
        if zalo is None:
            off["zalo"] = "not configured"
        else:
            channels.append(zalo)
        return create_app(
            channels=channels,
            off_channels=off,
            stats=self.store_stats,
            extra_routers=[self.webchat.router()],
        )

    # --- Zalo and web chat ---------------------------------------------------------------------
    @cached_property
    def zalo_channel(self):  # type: ignore[no-untyped-def]
        """The Zalo OA channel, or None when Zalo is not configured (one log line says so).

        Raises ConfigError when Zalo is half-configured.
        """
        import logging

        from bot.zalo import ZaloChannel, ZaloConfig, check_zalo_settings
        from bot.zalo_store import TokenPair, ZaloTokenStore, ZaloUserStore

        z = self.settings.zalo

        def secret(value) -> str:  # type: ignore[no-untyped-def]
            return value.get_secret_value() if value is not None else ""

        values = {
            "app_id": z.app_id,
            "oa_secret_key": secret(z.oa_secret_key),
            "app_secret": secret(z.app_secret),
            "access_token": secret(z.access_token),
            "refresh_token": secret(z.refresh_token),
        }
        problem = check_zalo_settings(**values, api_base=z.api_base, oauth_base=z.oauth_base)
        if problem:
            raise ConfigError(problem)
        if not any(values.values()):
            logging.getLogger("hocvuso.channels").info(
                "Zalo is off: zalo.app_id and HOCVUSO_ZALO__* secrets are not set."
            )
            return None
        first = (
            TokenPair(values["access_token"], values["refresh_token"])
            if values["access_token"] and values["refresh_token"]
            else None
        )
        config = ZaloConfig(
            app_id=z.app_id,
            oa_secret_key=values["oa_secret_key"],
            app_secret=values["app_secret"],
            api_base=z.api_base,
            oauth_base=z.oauth_base,
            first_pair=first,
            signature_window_s=z.signature_window_s,
            allow_proactive=z.allow_proactive,
            timezone=self.settings.tutor.timezone,
            media_root=self.settings.ingest.lessons_dir,
        )
        return ZaloChannel(
            config,
            self.conversation,
            self.channel_inbox,
            self.channel_deliveries,
            ZaloTokenStore(self.session_factory),
            ZaloUserStore(self.session_factory),
        )

    @property
    def cookie_secret(self) -> bytes:
        """Key signing the web chat's learner cookie: HOCVUSO_SERVE__COOKIE_SECRET, else a random
        one kept in data_dir/cookie.key (shared by every worker using the data dir)."""
        configured = self.settings.serve.cookie_secret
        if configured is not None and configured.get_secret_value():
            return configured.get_secret_value().encode("utf-8")
        return _stored_secret(self.settings.data_dir / "cookie.key").encode("utf-8")

    @cached_property
    def webchat(self):  # type: ignore[no-untyped-def]
        """The web chat (page at /, POST /api/chat) in front of the tutor."""
        from bot.webchat import WebChat, WebChatConfig

        config = WebChatConfig(
            cookie_secret=self.cookie_secret,
            media_root=self.settings.ingest.lessons_dir,
            max_message_chars=self.settings.tutor.max_message_chars,
        )
        return WebChat(config, self.conversation)

    @property
    def lessons_dir(self) -> Path:
        return self.settings.ingest.lessons_dir

    def close(self) -> None:
        """Release what was built (engine pools)."""
        if "engine" in self.__dict__:
            self.engine.dispose()


def tutor_config(settings: Settings) -> TutorConfig:
    """The tutor's own configuration (`tutor.config.TutorConfig`) from the settings."""
    from tutor.config import MasteryConfig, TutorConfig

    tutor, mastery = settings.tutor, settings.tutor.mastery
    return TutorConfig(
        max_message_chars=tutor.max_message_chars,
        rate_limit_per_minute=tutor.rate_limit_per_minute,
        timezone=tutor.timezone,
        consent_retention_days=tutor.consent_retention_days,
        quiz_length=tutor.quiz_length,
        mastery=MasteryConfig(
            p_init=mastery.p_init,
            p_learn=mastery.p_learn,
            p_slip=mastery.p_slip,
            p_guess=mastery.p_guess,
            threshold=mastery.threshold,
        ),
    )


def llm_config(settings: Settings) -> LLMConfig:
    """The chat model's configuration (`tutor.config.LLMConfig`) from the settings."""
    from tutor.config import LLMConfig

    llm = settings.llm
    return LLMConfig(
        base_url=llm.base_url,
        model=llm.model,
        api_key=llm.api_key.get_secret_value() if llm.api_key is not None else None,
        timeout_s=llm.timeout_s,
        max_tokens=llm.max_tokens,
        temperature=llm.temperature,
    )


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
    return WorkerParts(tutor=tutor, inbox=container.channel_inbox, polls=PollStore(container.session_factory))


def _stored_secret(path: Path) -> str:
    """A random URL-safe secret kept in `path` (created once, mode 0600, atomically)."""
    import os
    import secrets

    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
        if not path.exists():
            os.replace(tmp, path)
        else:
            tmp.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip()
