"""Hybrid search over the knowledge store: one `KnowledgeBase.search()`.

Three legs fused by weighted reciprocal rank fusion:
- dense: the embedding model over Chroma;
- lexical: BM25 over pyvi word segmentation of marked text;
- folded: BM25 over syllables and syllable pairs without marks (so "mat khau" finds "mật khẩu").
A query typed without marks is first restored ("mat khau manh" -> "mật khẩu mạnh") from corpus
statistics so the dense and lexical legs can use it, and the dense leg's weight is lowered for it.

Readers never write: the store is rebuilt in memory when a newer finished ingestion appears in the
database (checked at most every `refresh_seconds`), so a running server sees new lessons without a
restart.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.config import SearchConfig
from knowledge.hits import Hit
from knowledge.lexical import (
    BM25Index,
    MarkRestorer,
    folded_terms,
    marked_terms,
    query_syllables,
    segment,
    syllables,
)
from knowledge.manifest import ChunkRow, DocumentRow, IngestRunRow
from knowledge.textnorm import expand_teencode, fold, has_marks, mark_ratio, normalize

if TYPE_CHECKING:
    from knowledge.vectors import VectorStore

log = logging.getLogger(__name__)

CARD_KIND = "card"  # chunk kind of Q&A card phrasings (ingest.cards)
PASSAGES = "passage"  # search kinds: lesson passages (every chunk but card phrasings) or cards
CARDS = "card"
MARKED_QUERY_RATIO = 0.25  # below this share of marked words, a query counts as typed without marks


@dataclass(frozen=True)
class StoreStatus:
    documents: int
    chunks: int
    last_ingest: datetime | None
    embedding_model: str
    vectors: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "chunks": self.chunks,
            "last_ingest": self.last_ingest.isoformat() if self.last_ingest else None,
            "embedding_model": self.embedding_model,
            "vectors": self.vectors,
        }


@dataclass
class _Snapshot:
    """Everything a search needs, loaded from one ingestion generation."""

    generation: int | None
    rows: list[ChunkRow]
    index: dict[str, int]
    marked: BM25Index
    folded: BM25Index
    restorer: MarkRestorer
    modules: np.ndarray
    audiences: list[frozenset[str]]
    lessons: np.ndarray
    cards: np.ndarray  # True for Q&A card phrasings (chunk kind "card")
    document_frequency: Counter[str]  # folded syllable -> chunks holding it (cards and passages)
    marked_frequency: Counter[str]  # marked syllable (lower case) -> chunks written with marks holding it
    lesson_words: dict[str, frozenset[str]]  # lesson id -> its syllables, lower case, as written


@dataclass(frozen=True)
class QueryPlan:
    """How a query is searched (exposed for tests and the benchmark)."""

    text: str
    marked: bool
    restored: str


class KnowledgeBase:
    """Read side of the store. Built by the composition root."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        vector_store_factory: Callable[[], VectorStore],
        settings: SearchConfig,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = session_factory
        self._vector_store_factory = vector_store_factory
        self._vector_store: VectorStore | None = None
        self._settings = settings
        self._clock = clock
        self._snapshot: _Snapshot | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        # Learners ask the same few questions again and again ("OTP là gì?"): their vectors are
        # kept, so a repeated question skips the embedding model (~12 ms of CPU each).
        self._query_vectors: OrderedDict[str, Any] = OrderedDict()
        self._query_vectors_lock = threading.Lock()

    def _query_vector(self, text: str) -> Any:
        """The embedding of a query text, from the cache when it was asked recently."""
        size = self._settings.query_cache_size
        with self._query_vectors_lock:
            vector = self._query_vectors.get(text)
            if vector is not None:
                self._query_vectors.move_to_end(text)
                return vector
        vector = self.vector_store.embedder.embed_query(text)
        if size > 0:
            with self._query_vectors_lock:
                self._query_vectors[text] = vector
                while len(self._query_vectors) > size:
                    self._query_vectors.popitem(last=False)
        return vector

    # --- freshness -------------------------------------------------------------------------

    def _generation(self) -> int | None:
        with self._sessions() as session:
            return session.scalar(select(func.max(IngestRunRow.id)).where(IngestRunRow.finished_at.is_not(None)))

    def _fresh(self) -> _Snapshot:
        now = self._clock()
        snapshot = self._snapshot
        if snapshot is not None and now - self._checked_at < self._settings.refresh_seconds:
            return snapshot
        with self._lock:
            if self._snapshot is not None and now - self._checked_at < self._settings.refresh_seconds:
                return self._snapshot
            generation = self._generation()
            self._checked_at = now
            if self._snapshot is None or generation != self._snapshot.generation:
                if self._snapshot is not None and self._vector_store is not None:
                    self._vector_store.reopen()
                self._snapshot = self._load(generation)
                log.info("knowledge store loaded: generation %s, %d chunks", generation, len(self._snapshot.rows))
            return self._snapshot

    def _load(self, generation: int | None) -> _Snapshot:
        with self._sessions() as session:
            rows = list(session.scalars(select(ChunkRow).order_by(ChunkRow.source, ChunkRow.ordinal)))
            session.expunge_all()
        marked_docs = [row.tokens.split() for row in rows]
        syllable_docs = [syllables(tokens) for tokens in marked_docs]
        return _Snapshot(
            generation=generation,
            rows=rows,
            index={row.id: i for i, row in enumerate(rows)},
            marked=BM25Index([marked_terms(tokens) for tokens in marked_docs]),
            folded=BM25Index([folded_terms(s) for s in syllable_docs]),
            # Card phrasings are often typed without marks: they would teach the restorer "mat" -> "mat".
            restorer=MarkRestorer.from_corpus(
                [
                    s
                    for row, s in zip(rows, syllable_docs, strict=True)
                    if (row.meta or {}).get("kind") != CARD_KIND or mark_ratio(row.text) >= MARKED_QUERY_RATIO
                ]
            ),
            modules=np.array([row.module or "" for row in rows], dtype=object),
            audiences=[frozenset((row.meta or {}).get("audience") or []) for row in rows],
            lessons=np.array([row.lesson_id or "" for row in rows], dtype=object),
            cards=np.array([(row.meta or {}).get("kind") == CARD_KIND for row in rows], dtype=bool),
            document_frequency=Counter(w for s in syllable_docs for w in {fold(x) for x in s}),
            marked_frequency=Counter(
                w
                for row, s in zip(rows, syllable_docs, strict=True)
                if mark_ratio(row.text) >= MARKED_QUERY_RATIO
                for w in set(s)
            ),
            lesson_words=_lesson_words(rows, syllable_docs),
        )

    @property
    def vector_store(self) -> VectorStore:
        if self._vector_store is None:
            self._vector_store = self._vector_store_factory()
        return self._vector_store

    def refresh(self) -> None:
        """Force a check for a newer ingestion on the next search."""
        self._checked_at = float("-inf")

    # --- search ----------------------------------------------------------------------------

    def plan(self, query: str) -> QueryPlan:
        """Normalize the query, expand teencode, and restore marks when it was typed without them."""
        text = expand_teencode(normalize(query)).strip()
        marked = mark_ratio(text) >= MARKED_QUERY_RATIO
        if marked:
            return QueryPlan(text=text, marked=True, restored=text)
        snapshot = self._fresh()
        sylls = query_syllables(text)
        restored = snapshot.restorer.restore([s if has_marks(s) else fold(s) for s in sylls])
        return QueryPlan(text=text, marked=False, restored=" ".join(restored))

    def unknown_words(self, query: str) -> list[str]:
        """The query's words (folded, teencode expanded) that occur nowhere in the store: "python",
        "photoshop"… A question built on one is most likely about something the course does not teach."""
        snapshot = self._fresh()
        words = [fold(s) for s in query_syllables(expand_teencode(normalize(query)))]
        return [w for w in dict.fromkeys(words) if not _known(snapshot.folded, w)]

    def word_rarity(self, words: Sequence[str]) -> list[float]:
        """How much each folded word says about a topic: its inverse document frequency over every
        chunk, highest for a word the course never uses ("python"), low for "điện thoại", "cách".
        Answers weigh the question's words by it when checking that a card or passage covers them.

        An unknown word one typo away from a course word ("thaoi", "goole") weighs 0: it most likely
        is that word, so it says nothing about the topic either way. A word typed with marks ("chó")
        is counted as written in the text written with marks, so it does not weigh as little as the
        "cho" it folds to.
        """
        snapshot = self._fresh()
        size = len(snapshot.rows) + 1
        frequency = snapshot.document_frequency
        weights = []
        for word in words:
            folded = fold(word)
            count = snapshot.marked_frequency.get(word.lower(), 0) if folded != word.lower() else frequency.get(word, 0)
            typo = not frequency.get(folded, 0) and _typo_of_known(folded, frequency)
            weights.append(0.0 if not count and typo else math.log(size / (count + 1)))
        return weights

    def lesson_words(self, lesson_id: str) -> frozenset[str]:
        """The syllables of a lesson's passages and cards (lower case, as written): a card covers a
        question's word its lesson names (a brand like MoMo or Shopee) as well as its own words."""
        return self._fresh().lesson_words.get(lesson_id, frozenset())

    def search(
        self,
        query: str,
        k: int | None = None,
        *,
        module: str | None = None,
        audience: str | None = None,
        prefer_lesson: str | None = None,
        legs: tuple[str, ...] = ("dense", "lexical", "folded"),
        kind: str = PASSAGES,
    ) -> list[Hit]:
        """The k best chunks for a query, optionally within a module and for an audience.

        `prefer_lesson` lifts chunks of that lesson (the learner's current lesson). `legs` picks
        which retrievers take part (the benchmark compares them; callers use the default).
        `kind`: "passage" searches the lessons' text, "card" the phrasings of the Q&A cards (each
        hit's `metadata` holds the card's id and answer).
        """
        k = k or self._settings.k
        snapshot = self._fresh()
        if not snapshot.rows or not query.strip():
            return []
        plan = self.plan(query)
        mask = self._mask(snapshot, module, audience)
        mask &= snapshot.cards if kind == CARDS else ~snapshot.cards
        if not mask.any():
            return []
        n = self._settings.candidates
        settings = self._settings
        rankings: list[tuple[float, list[int]]] = []
        similarities: dict[int, float] = {}
        query_vector = None

        if "dense" in legs:
            query_vector = self._query_vector(plan.restored)
            where = _where(module, kind)
            dense_hits = self.vector_store.query(query_vector, n * (3 if audience else 1), where=where)
            ranked = []
            for hit in dense_hits:
                i = snapshot.index.get(hit.chunk_id)
                if i is not None and mask[i]:
                    ranked.append(i)
                    similarities[i] = hit.similarity
            weight = settings.dense_weight if plan.marked else settings.unmarked_dense_weight
            rankings.append((weight, ranked[:n]))
        lexical_scores: dict[int, float] = {}
        if "lexical" in legs:
            scores = snapshot.marked.scores(marked_terms(segment(plan.restored)))
            ranked = _top(scores, mask, n)
            lexical_scores.update({i: float(scores[i]) for i in ranked})
            weight = settings.lexical_weight if plan.marked else settings.unmarked_lexical_weight
            rankings.append((weight, ranked))
        if "folded" in legs:
            scores = snapshot.folded.scores(folded_terms([fold(s) for s in query_syllables(plan.text)]))
            ranked = _top(scores, mask, n)
            for i in ranked:
                lexical_scores[i] = max(lexical_scores.get(i, 0.0), float(scores[i]))
            rankings.append((settings.folded_weight, ranked))

        fused: dict[int, float] = {}
        for weight, ranked in rankings:
            for rank, i in enumerate(ranked):
                fused[i] = fused.get(i, 0.0) + weight / (settings.rrf_k + rank + 1)
        if prefer_lesson:
            bonus = 0.5 / (settings.rrf_k + 1)  # half a first place in one leg
            for i in fused:
                if snapshot.lessons[i] == prefer_lesson:
                    fused[i] += bonus
        best = sorted(fused, key=lambda i: fused[i], reverse=True)[:k]
        if query_vector is not None:
            self._fill_similarities(snapshot, best, query_vector, similarities)
        return [_hit(snapshot.rows[i], fused[i], similarities.get(i, 0.0), lexical_scores.get(i, 0.0)) for i in best]

    def _fill_similarities(
        self, snapshot: _Snapshot, indices: list[int], query_vector: np.ndarray, similarities: dict[int, float]
    ) -> None:
        missing = [snapshot.rows[i].id for i in indices if i not in similarities]
        if not missing:
            return
        for chunk_id, vector in self.vector_store.get_embeddings(missing).items():
            similarities[snapshot.index[chunk_id]] = float(np.dot(vector, query_vector))

    @staticmethod
    def _mask(snapshot: _Snapshot, module: str | None, audience: str | None) -> np.ndarray:
        mask = np.ones(len(snapshot.rows), dtype=bool)
        if module:
            mask &= snapshot.modules == module
        if audience:
            allowed = np.array([not a or "all" in a or audience in a for a in snapshot.audiences], dtype=bool)
            mask &= allowed
        return mask

    # --- status ----------------------------------------------------------------------------

    def status(self) -> StoreStatus:
        """Counts and the last ingestion, for `hocvuso status` and /healthz."""
        with self._sessions() as session:
            documents = session.scalar(select(func.count()).select_from(DocumentRow)) or 0
            chunks = session.scalar(select(func.count()).select_from(ChunkRow)) or 0
            last = session.scalars(
                select(IngestRunRow).where(IngestRunRow.finished_at.is_not(None)).order_by(IngestRunRow.id.desc())
            ).first()
        store = self.vector_store
        return StoreStatus(
            documents=int(documents),
            chunks=int(chunks),
            last_ingest=last.finished_at if last else None,
            embedding_model=store.embedder.name,
            vectors=store.count(),
        )


def _known(index: BM25Index, word: str) -> bool:
    """A word of the corpus, or two adjacent syllables of it written as one ("wifi" for "Wi-Fi")."""
    return index.knows(word) or any(index.knows(f"{word[:i]}_{word[i:]}") for i in range(1, len(word)))


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
TYPO_MIN_LENGTH = 5  # shorter words are too often a different real word one letter away ("root", "rot")


def _lesson_words(rows: Sequence[ChunkRow], syllable_docs: Sequence[Sequence[str]]) -> dict[str, frozenset[str]]:
    words: dict[str, set[str]] = {}
    for row, sylls in zip(rows, syllable_docs, strict=True):
        if row.lesson_id:
            words.setdefault(row.lesson_id, set()).update(s.lower() for s in sylls)
    return {lesson: frozenset(found) for lesson, found in words.items()}


def _typo_of_known(word: str, vocabulary: Counter[str]) -> bool:
    """Whether `word` (folded) is one deletion, insertion, substitution or swap away from a known word."""
    if len(word) < TYPO_MIN_LENGTH or not word.isalpha():
        return False
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail and vocabulary.get(head + tail[1:]):
            return True
        if len(tail) > 1 and vocabulary.get(head + tail[1] + tail[0] + tail[2:]):
            return True
        for letter in _LETTERS:
            if vocabulary.get(head + letter + tail) or (
                tail and letter != tail[0] and vocabulary.get(head + letter + tail[1:])
            ):
                return True
    return False


def _where(module: str | None, kind: str) -> dict[str, Any]:
    """Chroma's metadata filter: the kind (passages have no "kind", so "$ne" keeps them) and the module."""
    by_kind: dict[str, Any] = {"kind": CARD_KIND} if kind == CARDS else {"kind": {"$ne": CARD_KIND}}
    return {"$and": [by_kind, {"module": module}]} if module else by_kind


def _top(scores: np.ndarray, mask: np.ndarray, n: int) -> list[int]:
    """Indices of the n best positive scores within the mask, best first."""
    masked = np.where(mask & (scores > 0), scores, -np.inf)
    if n >= masked.size:
        order = np.argsort(-masked)
    else:
        part = np.argpartition(-masked, n)[:n]
        order = part[np.argsort(-masked[part])]
    return [int(i) for i in order if np.isfinite(masked[i])]


def _hit(row: ChunkRow, score: float, relevance: float, lexical: float) -> Hit:
    meta = dict(row.meta or {})
    return Hit(
        chunk_id=row.id,
        doc_id=row.doc_id,
        source=row.source,
        title=row.title,
        heading=row.heading,
        text=row.text,
        score=score,
        relevance=relevance,
        lexical=lexical,
        module=row.module,
        lesson_id=row.lesson_id,
        page=row.page,
        timestamp=row.timestamp,
        metadata=meta,
    )
