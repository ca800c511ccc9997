"""The composition root's lower half: the database (migrated on first use) and the knowledge store
(embedding model, Chroma, search, ingestion), each built lazily from the settings.

`hocvuso.container.Container` extends this with the tutor and the channels; a command that only
needs the store (`hocvuso search`, `hocvuso ingest`) never builds them.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from hocvuso.package_config import embedding_config, ingest_config, search_config
from hocvuso.secret_files import private_dir, private_file
from hocvuso.settings import Settings

if TYPE_CHECKING:
    from ingest.pipeline import Ingestor
    from knowledge.embedding import Embedder
    from knowledge.search import KnowledgeBase
    from knowledge.vectors import VectorStore


class StoreParts:
    """Database and knowledge store of one Settings object, built once, on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # --- database ------------------------------------------------------------------------
    @cached_property
    def engine(self) -> Engine:
        from hocvuso.migrate import upgrade_to_head
        from knowledge.db import make_engine

        private_dir(self.settings.data_dir)
        url = make_url(self.settings.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            private_file(Path(url.database))  # before SQLite creates it with the umask (0644)
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

    @cached_property
    def units_reader(self) -> sessionmaker[Session]:
        """Sessions that only read the registry. On SQLite a plain engine: no BEGIN IMMEDIATE and no
        write gate, so a registry refresh during a turn's transaction never waits for that transaction
        (WAL readers do not block writers)."""
        if not self.settings.database_url.startswith("sqlite"):
            return self.session_factory
        self.engine  # noqa: B018  (migrated before the first read)
        reader = create_engine(
            self.settings.database_url,
            connect_args={"timeout": self.settings.database.busy_timeout_ms / 1000, "check_same_thread": False},
        )
        return sessionmaker(reader, expire_on_commit=False)

    # --- knowledge -----------------------------------------------------------------------
    @cached_property
    def embedder(self) -> Embedder:
        from knowledge.embedding import make_embedder

        return make_embedder(embedding_config(self.settings))

    @cached_property
    def vector_store(self) -> VectorStore:
        from knowledge.vectors import VectorStore

        return VectorStore.open(
            url=self.settings.vector_store.url,
            path=self.settings.chroma_path,
            collection=self.settings.vector_store.collection,
            embedder=self.embedder,
        )

    @cached_property
    def knowledge_base(self) -> KnowledgeBase:
        from knowledge.search import KnowledgeBase

        return KnowledgeBase(
            session_factory=self.session_factory,
            vector_store_factory=lambda: self.vector_store,
            settings=search_config(self.settings),
        )

    @cached_property
    def ingestor(self) -> Ingestor:
        from ingest.pipeline import Ingestor

        return Ingestor(
            session_factory=self.session_factory,
            vector_store_factory=lambda: self.vector_store,
            lock_path=self.settings.data_dir / "ingest.lock",
            config=ingest_config(self.settings),
        )
