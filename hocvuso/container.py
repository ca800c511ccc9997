"""The composition root: builds every long-lived object from settings, once, on first use.

Nothing else in the code base constructs clients from settings; modules receive what they
need through their constructors. Heavy parts (embedding model, Chroma) are built lazily so
that a quick command (`hocvuso lessons check`) never pays for them.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hocvuso.settings import Settings


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

        return make_chat_model(self.settings.llm)

    @cached_property
    def answerer(self):  # type: ignore[no-untyped-def]
        from tutor.answering import Answerer

        tutor = self.settings.tutor
        return Answerer(
            lambda *args, **kwargs: self.knowledge_base.search(*args, **kwargs),
            self.chat_model,
            min_relevance=tutor.answer_min_score,
            sure_relevance=tutor.answer_sure_score,
            max_sentences=tutor.answer_max_sentences,
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
            if not path.exists():
                os.replace(tmp, path)
            else:
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
            self.settings.tutor,
            chat_model=self.chat_model,
            payload_secret=self.payload_secret,
        )

    @property
    def lessons_dir(self) -> Path:
        return self.settings.ingest.lessons_dir

    def close(self) -> None:
        """Release what was built (engine pools)."""
        if "engine" in self.__dict__:
            self.engine.dispose()
