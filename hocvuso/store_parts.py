"""The composition root's lower half: the database (migrated on first use) and the knowledge store
(embedding model, Chroma, search, ingestion), each built lazily from the settings.

`hocvuso.container.Container` extends this with the tutor and the channels; a command that only
needs the store (`hocvuso search`, `hocvuso ingest`) never builds them.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hocvuso.package_config import embedding_config, ingest_config, search_config
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
