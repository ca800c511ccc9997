"""The channel half of the composition root: Telegram, Zalo, the web chat, the dashboard, the
web app and their secrets and stores. `hocvuso.container.Container` adds the tutor and knowledge
parts these channels talk to (`conversation`, `officer_service`, `curriculum`)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from hocvuso.redaction import redact_secrets
from hocvuso.secret_files import TokenCipher, fernet_key, private_dir, private_file, stored_secret
from hocvuso.settings import ConfigError
from hocvuso.store_parts import StoreParts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


class ChannelParts(StoreParts):
    """Lazily builds the channels and what they share (inbox, secrets, speech) from the settings;
    the tutor parts they need come from the subclass (Container)."""

    @property
    def conversation(self) -> Any:
        """The tutor every channel talks to (built by Container)."""
        raise NotImplementedError

    @property
    def officer_service(self) -> Any:
        """Officers and statistics for the dashboard (built by Container)."""
        raise NotImplementedError

    @property
    def curriculum(self) -> Any:
        """The course (built by Container)."""
        raise NotImplementedError

    # --- channels ----------------------------------------------------------------------------
    @cached_property
    def inbox_session_factory(self) -> sessionmaker[Session]:
        """Sessions on the channel inbox's store: its own SQLite file (data_dir/inbox.db) when the
        main database is SQLite, so acknowledging an update never waits for the tutor's writes;
        the main database otherwise (PostgreSQL has row locks)."""
        if not self.settings.database_url.startswith("sqlite"):
            return self.session_factory
        from bot.inbox import open_sqlite_inbox

        private_file(private_dir(self.settings.data_dir) / "inbox.db")
        engine, factory = open_sqlite_inbox(
            self.settings.data_dir / "inbox.db", busy_timeout_ms=self.settings.database.busy_timeout_ms
        )
        self._inbox_engine = engine
        return factory

    @cached_property
    def channel_inbox(self):  # type: ignore[no-untyped-def]
        """Durable, deduplicating inbox of channel updates (Telegram, Zalo)."""
        from bot.inbox import Inbox

        return Inbox(self.inbox_session_factory)

    def telegram_webhook_secret(self) -> str:
        """HOCVUSO_TELEGRAM__WEBHOOK_SECRET, else a random one kept in data_dir/telegram_webhook.key."""
        configured = self.settings.telegram.webhook_secret
        if configured is not None and configured.get_secret_value():
            return configured.get_secret_value()
        secret = stored_secret(self.settings.data_dir / "telegram_webhook.key")
        redact_secrets(secret)
        return secret

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
            media_root=self.settings.ingest.lessons_dir,
            max_messages_per_second=tg.max_messages_per_second,
            tutor_workers=tg.workers,
            reminder_sync_s=tg.reminder_sync_seconds,
        )
        workers = None
        if tg.tutor_processes > 0:
            import functools

            from bot.telegram_workers import TelegramWorkerPool, WorkerBotConfig
            from hocvuso.container import build_telegram_worker  # it builds a Container

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
            workers=workers,
            speech=None if workers else self.speech,  # with workers, each worker hears its own notes
        )

    def health_stats(self) -> dict[str, object]:
        """What /healthz adds: the voice notes' state, then the store's statistics."""
        voice = self.speech.describe() if self.speech is not None else {"enabled": False}
        try:
            return {"voice": voice, **self.store_stats()}
        except Exception as exc:  # the store is not built yet: health is still answered
            return {"voice": voice, "store": f"unavailable ({type(exc).__name__})"}

    def store_stats(self) -> dict[str, object]:
        """Documents and chunks in the knowledge store (for /healthz)."""
        status = self.knowledge_base.status()
        return {"documents": status.documents, "chunks": status.chunks}

    @cached_property
    def web_app(self):  # type: ignore[no-untyped-def]
        """The FastAPI app of `hocvuso serve`: /healthz, the channels' webhooks, the web chat."""
        from bot.certificates import certificate_router
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
        channels.append(self.webchat)  # a channel too: its reminder scheduler runs with the app
        return create_app(
            channels=channels,
            off_channels=off,
            stats=self.health_stats,
            extra_routers=[certificate_router(self.conversation), self.dashboard.router()],
        )

    @cached_property
    def dashboard(self):  # type: ignore[no-untyped-def]
        """The officers' dashboard at /admin/ (bot.dashboard over tutor.officer_dashboard)."""
        from bot.dashboard import Dashboard
        from tutor.officer_dashboard import OfficerDashboard

        port = OfficerDashboard(self.officer_service, self.curriculum)
        return Dashboard(port, secure_cookie=self.settings.officers.public_url.startswith("https://"))

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
            media_root=self.settings.ingest.lessons_dir,
        )
        return ZaloChannel(
            config,
            self.conversation,
            self.channel_inbox,
            ZaloTokenStore(self.session_factory, self.token_cipher),
            ZaloUserStore(self.session_factory),
            speech=self.speech,
        )

    @cached_property
    def token_cipher(self) -> TokenCipher:
        """Encrypts platform tokens at rest: HOCVUSO_DATA_KEY, else a key kept in data_dir/data.key."""
        configured = self.settings.data_key
        if configured is not None and configured.get_secret_value():
            key = configured.get_secret_value()
        else:
            key = stored_secret(self.settings.data_dir / "data.key", fernet_key)
        return TokenCipher(key.encode("ascii"), on_plaintext=redact_secrets)

    @property
    def cookie_secret(self) -> bytes:
        """Key signing the web chat's learner cookie: HOCVUSO_SERVE__COOKIE_SECRET, else a random
        one kept in data_dir/cookie.key (shared by every worker using the data dir)."""
        configured = self.settings.serve.cookie_secret
        if configured is not None and configured.get_secret_value():
            return configured.get_secret_value().encode("utf-8")
        secret = stored_secret(self.settings.data_dir / "cookie.key")
        redact_secrets(secret)
        return secret.encode("utf-8")

    @cached_property
    def webchat(self):  # type: ignore[no-untyped-def]
        """The web chat (page at /, POST /api/chat) in front of the tutor."""
        from bot.flood import SharedAddressLimiter
        from bot.webchat import WebChat, WebChatConfig
        from bot.webchat_history import WebChatHistory

        config = WebChatConfig(
            cookie_secret=self.cookie_secret,
            media_root=self.settings.ingest.lessons_dir,
            max_message_chars=self.settings.tutor.max_message_chars,
            temp_dir=self.settings.data_dir / "exports",
            voice_max_seconds=self.settings.voice.max_seconds,
            new_learners_per_minute=self.settings.serve.new_learners_per_minute,
            messages_per_minute=self.settings.serve.messages_per_minute,
        )
        return WebChat(
            config,
            self.conversation,
            WebChatHistory(self.session_factory),
            speech=self.speech,
            housekeeping=self.conversation.purge_inactive,
            new_learners=SharedAddressLimiter(
                self.settings.serve.new_learners_per_minute, self.session_factory, self.cookie_secret
            ),
        )

    @cached_property
    def speech(self):  # type: ignore[no-untyped-def]
        """Voice notes to text (`bot.speech.SpeechService`), or None when voice is off."""
        from hocvuso.voice import build_speech_service

        return build_speech_service(self.settings)
