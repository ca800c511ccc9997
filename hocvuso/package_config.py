"""Settings -> the plain config dataclasses each package owns.

The packages below `hocvuso/` never see `Settings`: the composition root hands each one the
dataclass it declares (knowledge.config, ingest.config, tutor.config), built here from the validated settings.
"""

from __future__ import annotations

from hocvuso.settings import Settings
from ingest.config import IngestConfig
from knowledge.config import EmbeddingConfig, SearchConfig
from tutor.config import LLMConfig, MasteryConfig, PlacementConfig, TutorConfig


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
        max_file_mb=settings.ingest.max_file_mb,
    )


def tutor_config(settings: Settings) -> TutorConfig:
    """The tutor's own configuration (`tutor.config.TutorConfig`) from the settings."""
    tutor, mastery, placement = settings.tutor, settings.tutor.mastery, settings.tutor.placement
    serve = settings.serve
    return TutorConfig(
        max_message_chars=tutor.max_message_chars,
        rate_limit_per_minute=tutor.rate_limit_per_minute,
        rate_limit_burst=tutor.rate_limit_burst,
        timezone=tutor.timezone,
        consent_retention_days=tutor.consent_retention_days,
        unconsented_retention_hours=tutor.unconsented_retention_hours,
        quiz_length=tutor.quiz_length,
        daily_goal_answers=tutor.daily_goal_answers,
        export_dir=settings.data_dir / "exports",
        voice_max_seconds=settings.voice.max_seconds,
        mastery=MasteryConfig(
            p_init=mastery.p_init,
            p_learn=mastery.p_learn,
            p_slip=mastery.p_slip,
            p_guess=mastery.p_guess,
            threshold=mastery.threshold,
        ),
        placement=PlacementConfig(
            max_items=placement.max_items, stop_after_wrong=placement.stop_after_wrong, mastery=placement.mastery
        ),
        certificate_dir=str(settings.data_dir / "certificates"),
        # No fallback to host:port: a loopback address printed on a certificate would be wrong for
        # ever. Unset, certificates carry the code only (the server warns at start).
        public_url=serve.public_url,
    )


def llm_config(settings: Settings) -> LLMConfig:
    """The chat model's configuration (`tutor.config.LLMConfig`) from the settings."""
    llm = settings.llm
    return LLMConfig(
        base_url=llm.base_url,
        model=llm.model,
        api_key=llm.api_key.get_secret_value() if llm.api_key is not None else None,
        timeout_s=llm.timeout_s,
        max_tokens=llm.max_tokens,
        temperature=llm.temperature,
    )
