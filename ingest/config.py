"""Plain configuration of the ingestion pipeline, built by the composition root from the settings.

Nothing here reads settings files or imports `hocvuso`; defaults match `config.yaml`'s.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IngestConfig:
    """How files are cut into chunks and embedded."""

    chunk_size: int = 1200  # characters (~400 e5 tokens, under the model's 512)
    chunk_overlap: int = 120  # characters carried into the next chunk of the same section
    batch_size: int = 32  # passages per embedding call
    ocr_language: str = "vie"  # Tesseract language of images without a caption
    max_file_mb: float = 5.0  # a larger file is named and skipped (ingest.max_file_mb)
    stream_mb: float = 1.0  # a larger .md/.txt file is streamed: read and chunked block by block
