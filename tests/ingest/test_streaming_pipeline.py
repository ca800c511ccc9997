"""The pipeline streams large `.md`/`.txt` files (issue 14): what it stores is exactly what it stores
for the same files read whole; a file that turns out bad half-way leaves nothing behind."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from sqlalchemy import select

from hocvuso.container import Container
from hocvuso.package_config import ingest_config
from ingest.pipeline import Ingestor
from knowledge.manifest import ChunkRow, DocumentRow
from tests.conftest import FIXTURE_COURSE, make_settings
from tests.ingest.test_streaming import _big


def _streaming_ingestor(container: Container, stream_mb: float = 0.0) -> Ingestor:
    """The container's ingestor, streaming every text file over `stream_mb`."""
    return Ingestor(
        session_factory=container.session_factory,
        vector_store_factory=lambda: container.vector_store,
        lock_path=container.settings.data_dir / "ingest.lock",
        config=dataclasses.replace(ingest_config(container.settings), stream_mb=stream_mb),
    )


def _rows(container: Container) -> tuple[list[tuple], list[tuple]]:
    with container.session_factory() as session:
        chunks = [
            (r.id, r.source, r.doc_id, r.ordinal, r.title, r.heading, r.text, r.tokens, r.lesson_id, r.meta)
            for r in session.scalars(select(ChunkRow).order_by(ChunkRow.id))
        ]
        docs = [
            (d.source, d.doc_id, d.file_hash, d.kind, d.title, d.module, d.lesson_id, d.chunk_count)
            for d in session.scalars(select(DocumentRow).order_by(DocumentRow.source))
        ]
    return chunks, docs


def test_streamed_course_stores_what_the_whole_file_course_stores(container: Container, tmp_path: Path) -> None:
    root = tmp_path / "lessons"
    shutil.copytree(FIXTURE_COURSE, root)
    (root / "ghi-chu.txt").write_text("Đoạn một.\n\n  Đoạn hai, dài hơn.  \n", encoding="utf-8")
    whole = container.ingestor.run([root])
    assert whole.ok, whole.failed
    expected = _rows(container)
    vectors = container.vector_store.all_ids()

    other = Container(make_settings(tmp_path / "other-data", None, ingest={"lessons_dir": root}))
    other.__dict__["embedder"] = container.embedder
    try:
        streamed = _streaming_ingestor(other).run([root])
        assert streamed.ok, streamed.failed
        assert (sorted(streamed.added), streamed.chunks_written) == (sorted(whole.added), whole.chunks_written)
        assert _rows(other) == expected
        assert other.vector_store.all_ids() == vectors
        # A rerun of the streaming ingestor over the whole-file store changes nothing.
        again = _streaming_ingestor(container).run([root], full=True)
        assert again.ok and again.chunks_embedded == 0 and again.chunks_deleted == 0
        assert _rows(container) == expected
    finally:
        other.close()


def test_a_streamed_file_bad_at_its_end_leaves_nothing(container: Container, tmp_path: Path) -> None:
    root = tmp_path / "lessons"
    root.mkdir()
    (root / "bai.md").write_text("## Mật khẩu\n\nMật khẩu mạnh.\n\n" + "Câu dài về mã OTP. " * 4000, encoding="utf-8")
    with (root / "bai.md").open("ab") as handle:
        handle.write(b"\n\x00 binary tail")
    report = _streaming_ingestor(container).run([root])
    assert [p.source for p in report.failed] == ["bai.md"] and "binary content" in report.failed[0].reason
    assert _rows(container) == ([], [])
    assert container.vector_store.all_ids() == set()  # vectors upserted before the NUL: reconciled away


def test_a_5_mb_text_file_is_ingested_by_a_dry_run(data_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "lessons"
    root.mkdir()
    _big(root / "big.txt", 4.9)
    container = Container(make_settings(data_dir, None, ingest={"lessons_dir": root}))
    try:
        report = container.ingestor.run([root], dry_run=True)
    finally:
        container.close()
    assert report.ok and report.added == ["big.txt"] and report.chunks_written > 3000
