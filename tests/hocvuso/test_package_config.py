"""The packages' own config dataclasses stay in step with the operator-facing settings."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from hocvuso.package_config import embedding_config, ingest_config, search_config
from hocvuso.settings import EmbeddingSettings, IngestSettings, SearchSettings, load_settings
from ingest.config import IngestConfig
from knowledge.config import EmbeddingConfig, SearchConfig


def test_defaults_of_the_packages_match_the_settings_defaults() -> None:
    assert asdict(SearchConfig()) == SearchSettings().model_dump()
    assert asdict(EmbeddingConfig()) == EmbeddingSettings().model_dump()
    ingest = IngestSettings()
    assert IngestConfig() == IngestConfig(
        chunk_size=ingest.chunk_size,
        chunk_overlap=ingest.chunk_overlap,
        batch_size=EmbeddingSettings().batch_size,
        ocr_language=ingest.ocr_language,
    )


def test_every_configured_value_reaches_the_package_config(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("{}\n", encoding="utf-8")
    settings = load_settings(
        config,
        data_dir=tmp_path / "data",
        search={"k": 7, "rrf_k": 3, "query_cache_size": 0},
        embedding={"backend": "sentence-transformers", "model_path": "m", "batch_size": 8, "num_threads": 2},
        ingest={"chunk_size": 500, "chunk_overlap": 50, "ocr_language": "eng"},
    )
    search = search_config(settings)
    assert (search.k, search.rrf_k, search.query_cache_size) == (7, 3, 0)
    assert embedding_config(settings) == EmbeddingConfig("sentence-transformers", "m", 8, 2)
    assert ingest_config(settings) == IngestConfig(chunk_size=500, chunk_overlap=50, batch_size=8, ocr_language="eng")
