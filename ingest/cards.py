"""Q&A cards as their own kind of chunk: one chunk per phrasing of a card's question.

A module's `faq.yaml` (format: docs/COURSE_FORMAT.md, Q&A cards) is ingested like any other file,
incrementally by its hash. Each phrasing becomes a chunk of kind "card" whose id depends only on
the card id and the phrasing, so editing one card re-embeds only its changed phrasings and a
removed card's chunks are removed. The chunk carries the card's answer, lesson and section in its
metadata, so the tutor answers from a card without reading the YAML again.

This reader is deliberately lenient (the course checker, `hocvuso lessons check`, reports badly
formed cards): a card without an id, lesson, answer or phrasings is skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ingest.chunking import Chunk, sha256_hex
from ingest.loaders import LoadedDocument, LoadError, read_text_file, split_front_matter
from knowledge.embedding import Embedder
from knowledge.lexical import segment
from knowledge.manifest import ChunkRow
from knowledge.textnorm import expand_teencode, normalize

log = logging.getLogger(__name__)

CARDS_FILE = "faq.yaml"
CARD_KIND = "card"


@dataclass(frozen=True)
class CardPhrasing:
    """One phrasing of one card, with everything its chunk row needs."""

    chunk: Chunk
    card_id: str
    lesson_id: str
    lesson_title: str
    section: str
    answer: str
    follow_up: list[str]
    lesson_meta: dict[str, Any] = field(default_factory=dict)


def is_cards_file(path: Path) -> bool:
    """True for a module's Q&A cards file."""
    return path.name == CARDS_FILE


def load_cards(path: Path) -> list[CardPhrasing]:
    """The phrasings of the cards in `path` (a module's faq.yaml), in file order.

    Raises LoadError when the file is not a YAML mapping with a `cards` list.
    """
    try:
        parsed = yaml.safe_load(normalize(read_text_file(path)))
    except yaml.YAMLError as exc:
        raise LoadError(f"not valid YAML: {exc}") from exc
    if not isinstance(parsed, dict) or not isinstance(parsed.get("cards"), list):
        raise LoadError("a Q&A cards file needs a top-level `cards:` list")
    lessons = _lessons_of(path.parent)
    source = path.parent.name + "/" + path.name
    phrasings: list[CardPhrasing] = []
    seen: set[str] = set()
    for raw in parsed["cards"]:
        if not isinstance(raw, dict):
            continue
        card_id, lesson_id = str(raw.get("id") or "").strip(), str(raw.get("lesson") or "").strip()
        answer = normalize(str(raw.get("answer") or "")).strip()
        questions = [normalize(str(q)).strip() for q in raw.get("questions") or [] if str(q).strip()]
        if not card_id or not lesson_id or not answer or not questions:
            log.warning("%s: a card without id, lesson, answer or questions is skipped", source)
            continue
        lesson = lessons.get(lesson_id, {})
        section = normalize(str(raw.get("section") or "")).strip()
        follow_up = [str(f) for f in raw.get("follow_up") or []]
        for question in questions:
            # "v2": phrasings are indexed with their teencode expanded (a new id re-embeds old stores).
            chunk_id = sha256_hex(f"{source}\x1fcard-v2\x1f{card_id}\x1f{question}")[:32]
            if chunk_id in seen:
                continue
            seen.add(chunk_id)
            chunk = Chunk(
                id=chunk_id,
                ordinal=len(phrasings),
                heading=section,
                text=question,
                content_hash=sha256_hex(f"{question}\x1f{answer}\x1f{section}"),
            )
            phrasings.append(
                CardPhrasing(
                    chunk=chunk,
                    card_id=card_id,
                    lesson_id=lesson_id,
                    lesson_title=str(lesson.get("title") or lesson_id),
                    section=section,
                    answer=answer,
                    follow_up=follow_up,
                    lesson_meta=lesson,
                )
            )
    return phrasings


def card_meta(phrasing: CardPhrasing) -> dict[str, Any]:
    """The chunk row's metadata for one phrasing: kind, card id, answer, and the lesson's audience."""
    lesson = phrasing.lesson_meta
    return {
        "kind": CARD_KIND,
        "card_id": phrasing.card_id,
        "answer": phrasing.answer,
        "section": phrasing.section,
        "follow_up": phrasing.follow_up,
        "skills": [str(s) for s in lesson.get("skills") or []],
        "audience": [str(a) for a in lesson.get("audience") or []],
        "level": lesson.get("level"),
    }


def _lessons_of(folder: Path) -> dict[str, dict[str, Any]]:
    """Front matter of the module's lessons by id (titles and audiences for the cards)."""
    lessons: dict[str, dict[str, Any]] = {}
    for lesson in sorted(folder.glob("*.md")):
        try:
            meta, _ = split_front_matter(normalize(read_text_file(lesson)))
        except (LoadError, OSError):
            continue
        if meta.get("id"):
            lessons[str(meta["id"])] = meta
    return lessons


def cards_document(path: Path) -> tuple[LoadedDocument, dict[str, CardPhrasing]]:
    """A module's faq.yaml as a document (no sections: its chunks are the card phrasings by chunk id)."""
    phrasings = load_cards(path)
    if not phrasings:
        raise LoadError("no Q&A card with an id, a lesson, questions and an answer")
    document = LoadedDocument(kind="cards", title=f"Q&A {path.parent.name}", sections=[], meta={})
    return document, {p.chunk.id: p for p in phrasings}


def card_row(card: CardPhrasing, *, source: str, doc_id: str, module: str | None) -> ChunkRow:
    """A card phrasing's manifest row: the phrasing is the searchable text, the answer rides in `meta`."""
    chunk = card.chunk
    return ChunkRow(
        id=chunk.id,
        source=source,
        doc_id=doc_id,
        ordinal=chunk.ordinal,
        title=card.lesson_title[:500],
        heading=card.section[:1000],
        text=chunk.text,
        tokens=" ".join(segment(searchable(chunk.text))),
        module=module,
        lesson_id=card.lesson_id,
        page=None,
        timestamp=None,
        content_hash=chunk.content_hash,
        meta=card_meta(card),
    )


def searchable(phrasing: str) -> str:
    """What is indexed of a phrasing: its teencode expanded ("ck nham stk" -> "chuyển khoản nhầm số tài khoản"),
    as queries are, so both sides meet."""
    return expand_teencode(phrasing)


def embed_mixed(embedder: Embedder, texts: list[tuple[str, bool]]) -> np.ndarray:
    """Vectors of (text, is_card_phrasing) pairs, in order.

    A card phrasing is a question matched against questions, so it is embedded as a query (e5's
    symmetric use); lesson passages are embedded as passages, in one batch.
    """
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    passages = [i for i, (_, card) in enumerate(texts) if not card]
    if passages:
        vectors[passages] = embedder.embed_passages([texts[i][0] for i in passages])
    for i, (text, card) in enumerate(texts):
        if card:
            vectors[i] = embedder.embed_query(searchable(text))
    return vectors
