"""Chunking by headings: a chunk never spans two sections; long sections are split at paragraph or
sentence boundaries with a small overlap. Chunk ids are deterministic."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from ingest.loaders import LoadedDocument, Section

_SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+|\n+")


@dataclass(frozen=True)
class Chunk:
    id: str
    ordinal: int
    heading: str
    text: str
    content_hash: str
    page: int | None = None
    timestamp: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _pieces(text: str) -> list[str]:
    """Sentence-sized pieces, keeping paragraph breaks as piece boundaries."""
    return [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]


def split_text(text: str, size: int, overlap: int) -> list[str]:
    """Split one section's text into parts of at most ~`size` characters with `overlap` carried over."""
    text = text.strip()
    if len(text) <= size:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for piece in _pieces(text):
        while len(piece) > size:  # a single enormous sentence: hard-wrap at a space
            cut = piece.rfind(" ", 0, size)
            cut = cut if cut > size // 2 else size
            head, piece = piece[:cut].strip(), piece[cut:].strip()
            if current:
                parts.append(current)
                current = ""
            parts.append(head)
        candidate = f"{current} {piece}".strip() if current else piece
        if len(candidate) <= size or not current:
            current = candidate
        else:
            parts.append(current)
            tail = current[-overlap:] if overlap > 0 else ""
            if tail and " " in tail:
                tail = tail[tail.index(" ") + 1 :]  # start the overlap on a word boundary
            current = f"{tail} {piece}".strip() if tail else piece
    if current:
        parts.append(current)
    return parts


def chunk_document(doc: LoadedDocument, source: str, *, size: int, overlap: int) -> list[Chunk]:
    """Chunks of a loaded document, in order, with deterministic ids."""
    chunks: list[Chunk] = []
    for section in doc.sections:
        chunks.extend(_chunk_section(section, source, len(chunks), size=size, overlap=overlap))
    return chunks


def _chunk_section(section: Section, source: str, start: int, *, size: int, overlap: int) -> list[Chunk]:
    heading = " > ".join(section.headings)
    result = []
    for offset, text in enumerate(split_text(section.text, size, overlap)):
        content_hash = sha256_hex(text)
        position = f"{section.page or ''}|{section.timestamp or ''}"
        chunk_id = sha256_hex(f"{source}\x1f{heading}\x1f{position}\x1f{offset}\x1f{content_hash}")[:32]
        result.append(
            Chunk(
                id=chunk_id,
                ordinal=start + offset,
                heading=heading,
                text=text,
                content_hash=content_hash,
                page=section.page,
                timestamp=section.timestamp,
            )
        )
    return result
