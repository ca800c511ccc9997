"""What a search returns: one `Hit` per chunk, with where it comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk.

    `score` is the fused rank score (higher is better, only comparable within one search);
    `relevance` is the dense cosine similarity of query and chunk (0..1, comparable across
    searches; what a caller thresholds on to decide "nothing relevant was found").
    """

    chunk_id: str
    doc_id: str
    source: str  # path relative to the ingested root
    title: str
    heading: str  # heading path, " > " joined
    text: str
    score: float
    relevance: float = 0.0
    lexical: float = 0.0  # BM25 score of the best lexical leg (0 when only dense found it)
    module: str | None = None
    lesson_id: str | None = None
    page: int | None = None
    timestamp: str | None = None  # "2:15" for subtitles
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def locator(self) -> str:
        """Human-readable position: 'trang 3' or 'phút 2:15', or ''."""
        if self.page is not None:
            return f"trang {self.page}"
        if self.timestamp:
            return f"phút {self.timestamp}"
        return ""
