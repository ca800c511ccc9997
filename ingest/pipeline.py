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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from ingest.cards import (
    cards_document,
    embed_mixed,
    is_cards_file,
)
from ingest.chunking import Chunk, chunk_document
from ingest.config import IngestConfig
from ingest.discovery import discover, document_meta, relative_source
from ingest.documents import LoadedDocument, LoadError, SkipFile
from ingest.guard import file_sha256, outside_reason, size_reason
from ingest.loaders import load_document
from ingest.rows import FileJob, chunk_row, embedding_text, is_card, row_metadata, vector_metadata
from ingest.textstream import STREAMABLE_SUFFIXES, open_stream, stream_chunks
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
        self._stream_bytes = int(config.stream_mb * 1_000_000)

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
        pending: list[FileJob] = []
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
            if path.suffix.lower() in STREAMABLE_SUFFIXES and path.stat().st_size > self._stream_bytes:
                if pending and store is not None:  # keep the files' order of commits
                    self._flush(pending, store, present_ids, report)
                    pending = []
                streamed = self._streamed_file(root, path, source, file_hash, store, present_ids, report)
                if streamed:
                    (report.added if status == "added" else report.changed).append(source)
                continue
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
            pending.append(FileJob(str(folder), source, file_hash, document, chunks, meta, cards))
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
        jobs: list[FileJob],
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
                    (c.text, True) if c.id in job.cards else (embedding_text(job.meta["lesson_title"], c), False)
                    for job, c in batch
                ],
            )
            store.upsert(
                ids=[c.id for _, c in batch],
                embeddings=vectors,
                documents=[c.text for _, c in batch],
                metadatas=[vector_metadata(job, c) for job, c in batch],
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

    def _streamed_file(
        self,
        root: Path,
        path: Path,
        source: str,
        file_hash: str,
        store: VectorStore | None,
        present_ids: set[str],
        report: IngestReport,
    ) -> bool:
        """Ingest a large text file without holding it: one pass embeds its new chunks batch by batch,
        a second writes its manifest rows in one transaction. False (a failure reported) on LoadError."""
        try:
            stream = open_stream(path)
            header = LoadedDocument(kind=stream.kind, title=stream.title, sections=[], meta=stream.meta)
            folder = root.resolve() if root.is_dir() else path.resolve().parent
            job = FileJob(str(folder), source, file_hash, header, [], document_meta(path, source, header))

            def chunks() -> Iterator[Chunk]:
                return stream_chunks(stream, source, size=self._chunk_size, overlap=self._chunk_overlap)

            count, ids = 0, set[str]()  # ids: 32 characters a chunk, to drop the file's stale vectors
            for batch in batched(chunks(), self._batch_size):
                count += len(batch)
                ids.update(c.id for c in batch)
                new = [c for c in batch if c.id not in present_ids]
                if store is not None and new:
                    vectors = embed_mixed(
                        store.embedder, [(embedding_text(job.meta["lesson_title"], c), False) for c in new]
                    )
                    store.upsert(
                        ids=[c.id for c in new],
                        embeddings=vectors,
                        documents=[c.text for c in new],
                        metadatas=[vector_metadata(job, c) for c in new],
                    )
                    present_ids.update(c.id for c in new)
                    report.chunks_embedded += len(new)
            if count == 0:
                raise LoadError("no text to index")
            if store is not None:
                stale = self._commit_file(job, chunks(), count=count, recheck=path) - ids
                if stale:
                    store.delete(stale)
                    present_ids.difference_update(stale)
                    report.chunks_deleted += len(stale)
        except LoadError as exc:  # vectors already upserted are orphans: the run's reconcile removes them
            report.failed.append(FileProblem(source, str(exc)))
            return False
        report.chunks_written += count
        return True

    def _commit_file(
        self, job: FileJob, chunks: Iterable[Chunk] | None = None, *, count: int = 0, recheck: Path | None = None
    ) -> set[str]:
        """Replace the file's manifest rows in one transaction; return its previous chunk ids.

        `chunks` (a stream) replaces `job.chunks`; rows are flushed in batches so none are held.
        `recheck`: the file, whose hash must still be `job.file_hash` at commit (it was read twice).
        """
        rows = job.chunks if chunks is None else chunks
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
            doc.chunk_count = len(job.chunks) if chunks is None else count
            doc.ingested_at = datetime.now(UTC)
            session.flush()
            # Two chunks with the same id in one file (identical repeated text) keep the first.
            seen: set[str] = set()
            for chunk in rows:
                if chunk.id in seen:
                    continue
                seen.add(chunk.id)
                session.add(chunk_row(job, chunk))
                if len(seen) % (self._batch_size * 4) == 0:
                    session.flush()
            if recheck is not None and file_sha256(recheck) != job.file_hash:
                raise LoadError("the file changed while it was being ingested: run the ingestion again")
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
                [(r.text, True) if is_card(r) else (embedding_text(r.title, r), False) for r in batch],
            )
            store.upsert(
                ids=[r.id for r in batch],
                embeddings=vectors,
                documents=[r.text for r in batch],
                metadatas=[row_metadata(r) for r in batch],
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


def batched(items: Iterable[Chunk], size: int) -> Iterator[list[Chunk]]:
    """Lists of `size` items (the last may be shorter), taken from `items` as they come."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
