"""What ingestion writes for one file: its manifest rows and its vectors' metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.cards import CARD_KIND, CardPhrasing, card_meta, card_row
from ingest.chunking import Chunk
from ingest.documents import LoadedDocument
from knowledge.lexical import segment
from knowledge.manifest import ChunkRow


@dataclass
class FileJob:
    """One file on its way into the store (a streamed file has no chunks here: they are read again)."""

    root: str  # the folder `source` is relative to, resolved
    source: str
    file_hash: str
    document: LoadedDocument
    chunks: list[Chunk]
    meta: dict[str, Any]
    cards: dict[str, CardPhrasing] = field(default_factory=dict)  # chunk id -> card phrasing (faq.yaml)


def embedding_text(title: str, chunk: Chunk | ChunkRow) -> str:
    heading = chunk.heading
    prefix = heading if heading.startswith(title) else f"{title} > {heading}" if heading else title
    return f"{prefix}\n{chunk.text}"


def vector_metadata(job: FileJob, chunk: Chunk) -> dict[str, Any]:
    card = job.cards.get(chunk.id)
    if card is not None:  # "kind" lets a search ask Chroma for cards only, or for everything else
        return {
            "source": job.source,
            "doc_id": job.meta["doc_id"],
            "module": job.meta.get("module"),
            "lesson_id": card.lesson_id,
            "audience": card_meta(card)["audience"],
            "kind": CARD_KIND,
        }
    return {
        "source": job.source,
        "doc_id": job.meta["doc_id"],
        "module": job.meta.get("module"),
        "lesson_id": job.meta.get("lesson_id"),
        "audience": job.meta.get("audience") or [],
    }


def row_metadata(row: ChunkRow) -> dict[str, Any]:
    meta = {
        "source": row.source,
        "doc_id": row.doc_id,
        "module": row.module,
        "lesson_id": row.lesson_id,
        "audience": (row.meta or {}).get("audience") or [],
    }
    if is_card(row):
        meta["kind"] = CARD_KIND
    return meta


def is_card(row: ChunkRow) -> bool:
    return (row.meta or {}).get("kind") == CARD_KIND


def chunk_row(job: FileJob, chunk: Chunk) -> ChunkRow:
    card = job.cards.get(chunk.id)
    if card is not None:
        return card_row(card, source=job.source, doc_id=job.meta["doc_id"], module=job.meta.get("module"))
    title = job.meta.get("lesson_title") or job.document.title
    # The title once: a document without headings has the title as its heading too.
    heading = "" if chunk.heading in (title, job.document.title) else chunk.heading
    tokens = segment(f"{title}\n{heading}\n{chunk.text}")
    return ChunkRow(
        id=chunk.id,
        source=job.source,
        doc_id=job.meta["doc_id"],
        ordinal=chunk.ordinal,
        title=str(title)[:500],
        heading=chunk.heading[:1000],
        text=chunk.text,
        tokens=" ".join(tokens),
        module=job.meta.get("module"),
        lesson_id=job.meta.get("lesson_id"),
        page=chunk.page,
        timestamp=chunk.timestamp,
        content_hash=chunk.content_hash,
        meta={
            "skills": job.meta.get("skills") or [],
            "audience": job.meta.get("audience") or [],
            "level": job.meta.get("level"),
            "kind": job.document.kind,
        },
    )
