"""Incremental, idempotent, crash-safe ingestion: files -> chunks -> embeddings -> store.

The database manifest (knowledge.manifest) is the source of truth: source -> file hash -> chunk
rows. Chroma is derived from it: new chunk vectors are upserted before the manifest commits a
file, stale ones deleted after, and every run ends by reconciling the two (orphans deleted,
missing vectors embedded). So a run killed at any moment and re-run leaves exactly what an
uninterrupted run leaves. One writer at a time, under a file lock in the data dir.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from ingest.cards import (
    CARD_KIND,
    CardPhrasing,
    card_meta,
    card_row,
    cards_document,
    embed_mixed,
    is_cards_file,
)
from ingest.chunking import Chunk, chunk_document
from ingest.config import IngestConfig
from ingest.discovery import discover, document_meta, relative_source
from ingest.guard import file_sha256, outside_reason, size_reason
from ingest.loaders import (
    LoadedDocument,
    LoadError,
    SkipFile,
    load_document,
)
from knowledge.lexical import segment
from knowledge.manifest import ChunkRow, DocumentRow, IngestRunRow
from knowledge.vectors import VectorStore

log = logging.getLogger(__name__)


class IngestLocked(RuntimeError):
    """Another ingestion holds the lock."""


@dataclass
class FileProblem:
    source: str
    reason: str


@dataclass
class IngestReport:
    """What a run did (or, for a dry run, would do)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[FileProblem] = field(default_factory=list)
    skipped: list[FileProblem] = field(default_factory=list)
    chunks_written: int = 0
    chunks_embedded: int = 0
    chunks_deleted: int = 0
    repaired: int = 0
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "chunks_written": self.chunks_written,
            "chunks_embedded": self.chunks_embedded,
            "chunks_deleted": self.chunks_deleted,
            "repaired": self.repaired,
            "seconds": round(self.seconds, 3),
            "dry_run": self.dry_run,
            "failures": [{"source": p.source, "reason": p.reason} for p in self.failed],
            "skips": [{"source": p.source, "reason": p.reason} for p in self.skipped],
        }


@dataclass
class _FileJob:
    root: str  # the folder `source` is relative to, resolved
    source: str
    file_hash: str
    document: LoadedDocument
    chunks: list[Chunk]
    meta: dict[str, Any]
    cards: dict[str, CardPhrasing] = field(default_factory=dict)  # chunk id -> card phrasing (faq.yaml)


ProgressCallback = Callable[[str, int, int], None]  # (message, done, total)


class Ingestor:
    """Turns lesson folders into the knowledge store. Built by the composition root."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        vector_store_factory: Callable[[], VectorStore],
        lock_path: Path,
        config: IngestConfig,
    ) -> None:
        self._sessions = session_factory
        self._vector_store_factory = vector_store_factory
        self._lock_path = lock_path
        self._chunk_size = config.chunk_size
        self._chunk_overlap = config.chunk_overlap
        self._batch_size = max(1, config.batch_size)
        self._ocr_language = config.ocr_language
        self._max_bytes = int(config.max_file_mb * 1_000_000)

    # --- public ----------------------------------------------------------------------------

    def run(
        self,
        roots: Iterable[Path],
        *,
        full: bool = False,
        dry_run: bool = False,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Ingest every file under each root (a folder or a single file). Raises IngestLocked."""
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self._lock_path))
        try:
            lock.acquire(timeout=0)
        except Timeout as exc:
            raise IngestLocked(
                f"Another ingestion is running (lock file {self._lock_path}). Wait for it to finish, then run again."
            ) from exc
        try:
            return self._run_locked([Path(r) for r in roots], full=full, dry_run=dry_run, progress=progress)
        finally:
            lock.release()

    # --- the run ---------------------------------------------------------------------------

    def _run_locked(
        self, roots: list[Path], *, full: bool, dry_run: bool, progress: ProgressCallback | None
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport(dry_run=dry_run)
        notify = progress or (lambda message, done, total: None)
        for root in roots:
            if not root.exists():
                report.failed.append(FileProblem(str(root), "path does not exist"))
        roots = [r for r in roots if r.exists()]

        store = None if dry_run else self._vector_store_factory()
        run_id = None if store is None else self._start_run(roots, store)
        known = self._manifest()
        present_ids = store.all_ids() if store is not None else set()

        files = []
        for root in roots:
            for path in discover(root):
                refused = outside_reason(root, path) if root.is_dir() else None
                if refused is not None:
                    report.failed.append(FileProblem(relative_source(root, path), refused))
                    log.warning("refused %s: %s", relative_source(root, path), refused)
                else:
                    files.append((root, path))
        total = len(files)
        pending: list[_FileJob] = []
        seen_sources: set[str] = set()

        for done, (root, path) in enumerate(files, start=1):
            source = relative_source(root, path)
            seen_sources.add(source)
            notify(source, done, total)
            try:
                too_big = size_reason(path, self._max_bytes)
                if too_big is not None:
                    report.failed.append(FileProblem(source, too_big))
                    log.warning("skipped %s: %s", source, too_big)
                    continue
                file_hash = file_sha256(path)
            except OSError as exc:
                report.failed.append(FileProblem(source, f"cannot read: {exc}"))
                continue
            previous = known.get(source)
            if previous is not None and previous.file_hash == file_hash and not full:
                report.unchanged.append(source)
                continue
            status = "added" if previous is None else "changed"
            try:
                if is_cards_file(path):
                    document, cards = cards_document(path)
                else:
                    document, cards = load_document(path, ocr_language=self._ocr_language), {}
            except SkipFile as exc:
                report.skipped.append(FileProblem(source, str(exc)))
                log.warning("skipped %s: %s", source, exc)
                continue
            except LoadError as exc:
                report.failed.append(FileProblem(source, str(exc)))
                continue
            except Exception as exc:  # a loader bug must not stop the other files
                log.exception("unexpected error loading %s", source)
                report.failed.append(FileProblem(source, f"{type(exc).__name__}: {exc}"))
                continue
            meta = document_meta(path, source, document)
            if cards:
                chunks = [c.chunk for c in cards.values()]
            else:
                chunks = chunk_document(document, source, size=self._chunk_size, overlap=self._chunk_overlap)
            if not chunks:
                report.failed.append(FileProblem(source, "no text to index"))
                continue
            (report.added if status == "added" else report.changed).append(source)
            if store is None:  # a dry run
                report.chunks_written += len(chunks)
                continue
            folder = root.resolve() if root.is_dir() else path.resolve().parent
            pending.append(_FileJob(str(folder), source, file_hash, document, chunks, meta, cards))
            if store is not None and sum(len(j.chunks) for j in pending) >= self._batch_size * 4:
                self._flush(pending, store, present_ids, report)
                pending = []
        if pending and store is not None:
            self._flush(pending, store, present_ids, report)

        scoped_roots = {str(r.resolve()) for r in roots if r.is_dir()}
        removed = [row.source for row in known.values() if row.root in scoped_roots and row.source not in seen_sources]
        report.removed.extend(sorted(removed))
        if not dry_run and store is not None:
            if removed:
                self._remove(removed, store, present_ids, report)
            self._reconcile(store, present_ids, report)
            self._finish_run(run_id, report, started, store)
        report.seconds = time.perf_counter() - started
        return report

    # --- steps -----------------------------------------------------------------------------

    def _manifest(self) -> dict[str, DocumentRow]:
        with self._sessions() as session:
            return {row.source: row for row in session.scalars(select(DocumentRow))}

    def _start_run(self, roots: list[Path], store: VectorStore) -> int:
        with self._sessions() as session, session.begin():
            run = IngestRunRow(
                started_at=datetime.now(UTC),
                root=";".join(str(r.resolve()) for r in roots),
                embedding_model=store.embedder.name,
            )
            session.add(run)
            session.flush()
            return run.id

    def _flush(
        self,
        jobs: list[_FileJob],
        store: VectorStore,
        present_ids: set[str],
        report: IngestReport,
    ) -> None:
        """Embed the jobs' new chunks in batches, then commit each file and drop its stale vectors."""
        to_embed = [(job, c) for job in jobs for c in job.chunks if c.id not in present_ids]
        for start in range(0, len(to_embed), self._batch_size):
            batch = to_embed[start : start + self._batch_size]
            vectors = embed_mixed(
                store.embedder,
                [
                    (c.text, True) if c.id in job.cards else (_embedding_text(job.meta["lesson_title"], c), False)
                    for job, c in batch
                ],
            )
            store.upsert(
                ids=[c.id for _, c in batch],
                embeddings=vectors,
                documents=[c.text for _, c in batch],
                metadatas=[_vector_metadata(job, c) for job, c in batch],
            )
            present_ids.update(c.id for _, c in batch)
            report.chunks_embedded += len(batch)
        for job in jobs:
            stale = self._commit_file(job)
            report.chunks_written += len(job.chunks)
            stale -= {c.id for c in job.chunks}
            if stale:
                store.delete(stale)
                present_ids.difference_update(stale)
                report.chunks_deleted += len(stale)

    def _commit_file(self, job: _FileJob) -> set[str]:
        """Replace the file's manifest rows in one transaction; return its previous chunk ids."""
        with self._sessions() as session, session.begin():
            old_ids = set(session.scalars(select(ChunkRow.id).where(ChunkRow.source == job.source)))
            session.execute(delete(ChunkRow).where(ChunkRow.source == job.source))
            doc = session.get(DocumentRow, job.source)
            if doc is None:
                doc = DocumentRow(source=job.source)
                session.add(doc)
            doc.root = job.root
            doc.doc_id = job.meta["doc_id"]
            doc.file_hash = job.file_hash
            doc.kind = job.document.kind
            doc.title = job.document.title[:500]
            doc.module = job.meta.get("module")
            doc.lesson_id = job.meta.get("lesson_id")
            doc.chunk_count = len(job.chunks)
            doc.ingested_at = datetime.now(UTC)
            session.flush()
            # Two chunks with the same id in one file (identical repeated text) keep the first.
            seen: set[str] = set()
            for chunk in job.chunks:
                if chunk.id in seen:
                    continue
                seen.add(chunk.id)
                session.add(_chunk_row(job, chunk))
        return old_ids

    def _remove(self, sources: list[str], store: VectorStore, present_ids: set[str], report: IngestReport) -> None:
        with self._sessions() as session, session.begin():
            ids = set(session.scalars(select(ChunkRow.id).where(ChunkRow.source.in_(sources))))
            session.execute(delete(ChunkRow).where(ChunkRow.source.in_(sources)))
            session.execute(delete(DocumentRow).where(DocumentRow.source.in_(sources)))
        if ids:
            store.delete(ids)
            present_ids.difference_update(ids)
            report.chunks_deleted += len(ids)

    def _reconcile(self, store: VectorStore, present_ids: set[str], report: IngestReport) -> None:
        """Make Chroma hold exactly the manifest's chunks (repairs what a crash left behind)."""
        with self._sessions() as session:
            rows = {row.id: row for row in session.scalars(select(ChunkRow))}
        orphans = present_ids - rows.keys()
        if orphans:
            store.delete(orphans)
            present_ids.difference_update(orphans)
            report.chunks_deleted += len(orphans)
        missing = [rows[i] for i in rows.keys() - present_ids]
        for start in range(0, len(missing), self._batch_size):
            batch = missing[start : start + self._batch_size]
            vectors = embed_mixed(
                store.embedder,
                [(r.text, True) if _is_card(r) else (_embedding_text(r.title, r), False) for r in batch],
            )
            store.upsert(
                ids=[r.id for r in batch],
                embeddings=vectors,
                documents=[r.text for r in batch],
                metadatas=[_row_metadata(r) for r in batch],
            )
            present_ids.update(r.id for r in batch)
            report.repaired += len(batch)
            report.chunks_embedded += len(batch)

    def _finish_run(self, run_id: int | None, report: IngestReport, started: float, store: VectorStore) -> None:
        with self._sessions() as session, session.begin():
            run = session.get(IngestRunRow, run_id)
            if run is None:
                return
            run.finished_at = datetime.now(UTC)
            run.added = len(report.added)
            run.changed = len(report.changed)
            run.removed = len(report.removed)
            run.unchanged = len(report.unchanged)
            run.failed = len(report.failed)
            run.chunks_written = report.chunks_written
            run.seconds = time.perf_counter() - started


# --- helpers ------------------------------------------------------------------------------------


def _embedding_text(title: str, chunk: Chunk | ChunkRow) -> str:
    heading = chunk.heading
    prefix = heading if heading.startswith(title) else f"{title} > {heading}" if heading else title
    return f"{prefix}\n{chunk.text}"


def _vector_metadata(job: _FileJob, chunk: Chunk) -> dict[str, Any]:
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


def _row_metadata(row: ChunkRow) -> dict[str, Any]:
    meta = {
        "source": row.source,
        "doc_id": row.doc_id,
        "module": row.module,
        "lesson_id": row.lesson_id,
        "audience": (row.meta or {}).get("audience") or [],
    }
    if _is_card(row):
        meta["kind"] = CARD_KIND
    return meta


def _is_card(row: ChunkRow) -> bool:
    return (row.meta or {}).get("kind") == CARD_KIND


def _chunk_row(job: _FileJob, chunk: Chunk) -> ChunkRow:
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
