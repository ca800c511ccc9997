"""Settings -> the plain config dataclasses each package owns.

The packages below `hocvuso/` never see `Settings`: the composition root hands each one the
dataclass it declares (knowledge.config, ingest.config), built here from the validated settings.
"""

from __future__ import annotations

from hocvuso.settings import Settings
from ingest.config import IngestConfig
from knowledge.config import EmbeddingConfig, SearchConfig


def embedding_config(settings: Settings) -> EmbeddingConfig:
    """Which embedding model the knowledge store loads."""
    e = settings.embedding
    return EmbeddingConfig(
        backend=e.backend, model_path=e.model_path, batch_size=e.batch_size, num_threads=e.num_threads
    )


def search_config(settings: Settings) -> SearchConfig:
    """The hybrid search's weights and sizes."""
    return SearchConfig(**settings.search.model_dump())


def ingest_config(settings: Settings) -> IngestConfig:
    """Chunking, embedding batch size and OCR language of the ingestion pipeline."""
    return IngestConfig(
        chunk_size=settings.ingest.chunk_size,
        chunk_overlap=settings.ingest.chunk_overlap,
        batch_size=settings.embedding.batch_size,
        ocr_language=settings.ingest.ocr_language,
    )
