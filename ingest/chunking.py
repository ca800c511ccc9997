"""Chunking by headings: a chunk never spans two sections; long sections are split at paragraph or
sentence boundaries with a small overlap. Chunk ids are deterministic.

The splitter takes a section's text in pieces (`_SectionSplitter.feed`), so a streamed file
(`ingest.textstream`) is chunked as it is read; a whole section is just one piece.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ingest.documents import LoadedDocument

_SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+|\n+")
_SENTENCE_GAP = re.compile(r"(?<=[.!?…:;])\s+")


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


@dataclass(frozen=True)
class SectionStart:
    """In a stream of section text: the text that follows belongs to a new section."""

    headings: list[str]
    page: int | None = None
    timestamp: str | None = None


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _pieces(text: str) -> list[str]:
    """Sentence-sized pieces, keeping paragraph breaks as piece boundaries."""
    return [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]


class _SectionSplitter:
    """`split_text` over a section's text given in pieces, holding O(size) characters.

    Until the stripped text exceeds `size` it is kept whole (a short section is one chunk, newlines
    and all); past that it is cut into sentence pieces. Cutting the text after a newline, or after a
    whole sentence gap, never changes the pieces, so only the unfinished tail is held.
    """

    def __init__(self, size: int, overlap: int) -> None:
        self._size, self._overlap = size, overlap
        self._whole: list[str] | None = []  # whole mode: the text so far, leading space dropped
        self._whole_len = 0
        self._squeezed = False  # whole mode: trailing blank lines were squeezed into one newline
        self._tail = ""  # piece mode: text not yet cut into pieces
        self._current = ""  # piece mode: the part being filled

    def feed(self, text: str) -> list[str]:
        """Add text; return the parts it completed."""
        if self._whole is not None:
            if not self._whole:
                text = text.lstrip()
            if not text or (self._squeezed and not text.strip()):
                return []
            if self._squeezed:  # text after the squeezed blank lines: over `size`, so pieces
                self._tail = "".join(self._whole) + text
                self._whole = None
                return self._cut(final=False)
            self._whole.append(text)
            self._whole_len += len(text)
            if self._whole_len <= self._size:
                return []
            joined = "".join(self._whole)
            body = joined.rstrip()
            if len(body) <= self._size:
                if len(joined) > 2 * self._size and "\n" in joined[len(body) :]:
                    # Blank lines piling up after a short text: any more text means pieces, where a
                    # run of spaces with a newline is just a boundary, so one newline stands for it.
                    joined, self._squeezed = body + "\n", True
                self._whole, self._whole_len = [joined], len(joined)
                return []
            self._whole, self._tail = None, ""
            text = joined
        self._tail += text
        return self._cut(final=False)

    def finish(self) -> list[str]:
        """The remaining parts of the section."""
        if self._whole is not None:
            text = "".join(self._whole).strip()
            return [text] if text else []  # (a squeezed text ends in blank lines: stripped here)
        parts = self._cut(final=True)
        if self._current:
            parts.append(self._current)
        return parts

    def _cut(self, *, final: bool) -> list[str]:
        tail = self._tail
        end = len(tail) if final else tail.rfind("\n") + 1
        if not final and len(tail) - end > 2 * self._size:  # a long line: cut after its last whole gap
            gaps = [m.end() for m in _SENTENCE_GAP.finditer(tail, end) if m.end() < len(tail)]
            end = gaps[-1] if gaps else end
        parts: list[str] = []
        for piece in _pieces(tail[:end]):
            self._add(piece, parts)
        rest = tail[end:]
        if not final and len(rest) > 2 * self._size:  # one enormous sentence so far: wrap its head
            rest = rest.lstrip()
            while len(rest) > 2 * self._size:
                head, rest = self._wrap(rest)
                self._close_current(parts)
                parts.append(head)
        self._tail = rest
        return parts

    def _wrap(self, piece: str) -> tuple[str, str]:
        """Hard-wrap a too-long sentence at a space: (head, rest)."""
        size = self._size
        cut = piece.rfind(" ", 0, size)
        cut = cut if cut > size // 2 else size
        return piece[:cut].strip(), piece[cut:].lstrip()

    def _close_current(self, parts: list[str]) -> None:
        if self._current:
            parts.append(self._current)
            self._current = ""

    def _add(self, piece: str, parts: list[str]) -> None:
        size, overlap = self._size, self._overlap
        while len(piece) > size:  # a single enormous sentence: hard-wrap at a space
            head, piece = self._wrap(piece)
            self._close_current(parts)
            parts.append(head)
        current = self._current
        candidate = f"{current} {piece}".strip() if current else piece
        if len(candidate) <= size or not current:
            self._current = candidate
            return
        parts.append(current)
        tail = current[-overlap:] if overlap > 0 else ""
        if tail and " " in tail:
            tail = tail[tail.index(" ") + 1 :]  # start the overlap on a word boundary
        self._current = f"{tail} {piece}".strip() if tail else piece


def split_text(text: str, size: int, overlap: int) -> list[str]:
    """Split one section's text into parts of at most ~`size` characters with `overlap` carried over."""
    splitter = _SectionSplitter(size, overlap)
    return splitter.feed(text) + splitter.finish()


def chunk_events(events: Iterable[SectionStart | str], source: str, *, size: int, overlap: int) -> Iterator[Chunk]:
    """Chunks of a stream of sections (a `SectionStart`, then that section's text in pieces), in order."""
    ordinal = 0
    section: SectionStart | None = None
    splitter = _SectionSplitter(size, overlap)
    offset = 0
    for event in events:
        if isinstance(event, SectionStart):
            if section is not None:
                for text in splitter.finish():
                    yield _chunk(section, source, ordinal, offset, text)
                    ordinal, offset = ordinal + 1, offset + 1
            section, splitter, offset = event, _SectionSplitter(size, overlap), 0
            continue
        if section is None:
            raise ValueError("section text before its SectionStart")
        for text in splitter.feed(event):
            yield _chunk(section, source, ordinal, offset, text)
            ordinal, offset = ordinal + 1, offset + 1
    if section is not None:
        for text in splitter.finish():
            yield _chunk(section, source, ordinal, offset, text)
            ordinal, offset = ordinal + 1, offset + 1


def chunk_document(doc: LoadedDocument, source: str, *, size: int, overlap: int) -> list[Chunk]:
    """Chunks of a loaded document, in order, with deterministic ids."""
    events: list[SectionStart | str] = []
    for section in doc.sections:
        events += [SectionStart(section.headings, section.page, section.timestamp), section.text]
    return list(chunk_events(events, source, size=size, overlap=overlap))


def _chunk(section: SectionStart, source: str, ordinal: int, offset: int, text: str) -> Chunk:
    heading = " > ".join(section.headings)
    content_hash = sha256_hex(text)
    position = f"{section.page or ''}|{section.timestamp or ''}"
    chunk_id = sha256_hex(f"{source}\x1f{heading}\x1f{position}\x1f{offset}\x1f{content_hash}")[:32]
    return Chunk(
        id=chunk_id,
        ordinal=ordinal,
        heading=heading,
        text=text,
        content_hash=content_hash,
        page=section.page,
        timestamp=section.timestamp,
    )
