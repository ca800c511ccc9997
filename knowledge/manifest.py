"""The knowledge manifest: which files were ingested, with which hash, into which chunks.

The database is the source of truth; the Chroma collection is an index derived from it and is
reconciled against these rows at the end of every ingestion.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.db import Base


class DocumentRow(Base):
    """One ingested file."""

    __tablename__ = "kb_documents"

    source: Mapped[str] = mapped_column(String(512), primary_key=True)  # relative to the ingested root
    root: Mapped[str] = mapped_column(String(1000), default="")  # the folder it was ingested from
    doc_id: Mapped[str] = mapped_column(String(200), index=True)
    file_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # md, pdf, docx, html, vtt, srt, txt, image
    title: Mapped[str] = mapped_column(String(500), default="")
    module: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lesson_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ChunkRow(Base):
    """One searchable chunk; its id is deterministic (source, heading path, position, content)."""

    __tablename__ = "kb_chunks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(512), ForeignKey("kb_documents.source", ondelete="CASCADE"), index=True)
    doc_id: Mapped[str] = mapped_column(String(200), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500), default="")
    heading: Mapped[str] = mapped_column(String(1000), default="")
    text: Mapped[str] = mapped_column(Text)
    tokens: Mapped[str] = mapped_column(Text, default="")  # word-segmented, lower-cased, space-joined
    module: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    lesson_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    timestamp: Mapped[str | None] = mapped_column(String(16), nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict] = mapped_column(JSON, default=dict)  # skills, audience, level, kind, ...


class IngestRunRow(Base):
    """One ingestion run; the latest finished id is the store's generation (readers reload on change)."""

    __tablename__ = "kb_ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    root: Mapped[str] = mapped_column(String(1000), default="")
    added: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    chunks_written: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)
    embedding_model: Mapped[str] = mapped_column(String(200), default="")
