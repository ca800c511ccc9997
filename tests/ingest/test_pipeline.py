"""Incremental, idempotent, crash-safe ingestion on a real database and a real Chroma store."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock
from sqlalchemy import select

from hocvuso.container import Container
from ingest.pipeline import IngestLocked
from knowledge.manifest import ChunkRow, DocumentRow
from tests.conftest import FIXTURE_COURSE, make_settings
from tests.ingest.sample_files import LESSON_MD, VTT, make_docx, make_pdf, make_png


def _course(tmp_path: Path) -> Path:
    root = tmp_path / "lessons"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


def _db_ids(container: Container) -> set[str]:
    with container.session_factory() as session:
        return set(session.scalars(select(ChunkRow.id)))


def _store_ids(container: Container) -> set[str]:
    return container.vector_store.all_ids()


def test_first_run_adds_everything_and_second_run_embeds_nothing(container: Container, tmp_path: Path) -> None:
    root = _course(tmp_path)
    first = container.ingestor.run([root])
    assert first.ok and first.added and not first.changed
    assert first.chunks_written > 0
    assert _db_ids(container) == _store_ids(container)
    encoded_before = container.embedder.passages_encoded

    second = container.ingestor.run([root])
    assert second.chunks_embedded == 0 and second.chunks_written == 0
    assert sorted(second.unchanged) == sorted(first.added)
    assert container.embedder.passages_encoded == encoded_before
    assert _db_ids(container) == _store_ids(container)


def test_changed_file_is_replaced_and_deleted_file_disappears(container: Container, tmp_path: Path) -> None:
    root = _course(tmp_path)
    container.ingestor.run([root])
    lesson = next(root.glob("an-toan/01-*.md"))
    source = lesson.relative_to(root).as_posix()
    before = _db_ids(container)
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n\nMột câu mới về khóa màn hình.\n", encoding="utf-8")

    changed = container.ingestor.run([root])
    assert changed.changed == [source] and not changed.added
    after = _db_ids(container)
    assert after != before
    assert after == _store_ids(container)
    with container.session_factory() as session:
        texts = session.scalars(select(ChunkRow.text).where(ChunkRow.source == source)).all()
    assert any("khóa màn hình" in t for t in texts)

    lesson.unlink()
    removed = container.ingestor.run([root])
    assert removed.removed == [source]
    with container.session_factory() as session:
        assert session.get(DocumentRow, source) is None
        assert not session.scalars(select(ChunkRow).where(ChunkRow.source == source)).all()
    assert _db_ids(container) == _store_ids(container)


def test_full_rebuild_keeps_the_same_ids(container: Container, tmp_path: Path) -> None:
    root = _course(tmp_path)
    container.ingestor.run([root])
    ids = _db_ids(container)
    full = container.ingestor.run([root], full=True)
    assert full.ok and len(full.changed) == len(full.changed + full.added)
    assert _db_ids(container) == ids == _store_ids(container)


def test_dry_run_writes_nothing(container: Container, tmp_path: Path) -> None:
    report = container.ingestor.run([_course(tmp_path)], dry_run=True)
    assert report.added and report.chunks_written > 0
    assert _db_ids(container) == set()
    assert container.knowledge_base.status().chunks == 0


def test_every_format_is_ingested_with_positions(container: Container, tmp_path: Path) -> None:
    root = tmp_path / "mixed"
    (root / "an-toan").mkdir(parents=True)
    (root / "an-toan" / "01-otp.md").write_text(LESSON_MD, encoding="utf-8")
    (root / "an-toan" / "01-otp--bai-giang.vtt").write_text(VTT, encoding="utf-8")
    make_png(root / "an-toan" / "01-otp--hinh.png", "# Dấu hiệu lừa đảo\nKẻ gian hối thúc bạn đọc mã OTP.")
    make_pdf(root / "tai-lieu.pdf", ["Trang một: VNeID mức 2.", "Trang hai: Cổng dịch vụ công."])
    make_docx(root / "vi-dien-tu.docx")
    report = container.ingestor.run([root])
    assert report.ok, report.failed
    assert len(report.added) == 5  # the caption is part of its image, not a document
    with container.session_factory() as session:
        rows = session.scalars(select(ChunkRow)).all()
    by_source = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    video = by_source["an-toan/01-otp--bai-giang.vtt"]
    assert {r.lesson_id for r in video} == {"an-toan-99"}  # inherited from the lesson
    assert {r.module for r in video} == {"an-toan"}
    assert "2:15" in {r.timestamp for r in video} or "0:01" in {r.timestamp for r in video}
    assert {r.page for r in by_source["tai-lieu.pdf"]} == {1, 2}
    image = by_source["an-toan/01-otp--hinh.png"]
    assert image[0].lesson_id == "an-toan-99" and "OTP" in image[0].text


def test_bad_files_are_named_and_the_rest_is_ingested(container: Container, tmp_path: Path) -> None:
    root = _course(tmp_path)
    (root / "hong.pdf").write_bytes(b"%PDF-1.4 broken")
    (root / "rong.txt").write_bytes(b"")
    (root / "latin1.txt").write_bytes("Mật khẩu".encode("cp1258", errors="replace") + b"\xff\xfe")
    (root / "virus.exe").write_bytes(b"MZ")
    report = container.ingestor.run([root])
    failed = {p.source: p.reason for p in report.failed}
    assert set(failed) == {"hong.pdf", "rong.txt", "latin1.txt", "virus.exe"}
    assert "PDF" in failed["hong.pdf"] and "empty" in failed["rong.txt"]
    assert "UTF-8" in failed["latin1.txt"] and "unsupported" in failed["virus.exe"]
    assert not report.ok
    assert len(report.added) >= 3 and _db_ids(container) == _store_ids(container)


def test_second_writer_is_refused_while_the_lock_is_held(container: Container, tmp_path: Path) -> None:
    lock = FileLock(str(container.settings.data_dir / "ingest.lock"))
    with lock.acquire(timeout=1):
        with pytest.raises(IngestLocked, match="Another ingestion is running"):
            container.ingestor.run([_course(tmp_path)])
    assert container.ingestor.run([_course(tmp_path / "again")]).ok


def test_reader_sees_a_finished_ingestion_without_restart(container: Container, tmp_path: Path) -> None:
    root = _course(tmp_path)
    container.ingestor.run([root])
    kb = container.knowledge_base
    before = kb.search("chợ nổi Cái Răng bán trái cây", 3)
    assert before and all(h.source != "cho-noi.md" for h in before)
    (root / "cho-noi.md").write_text("## Chợ nổi\n\nChợ nổi Cái Răng bán trái cây trên thuyền.\n", encoding="utf-8")
    container.ingestor.run([root])
    kb.refresh()  # what refresh_seconds does on its own in a running server
    hits = kb.search("chợ nổi Cái Răng bán trái cây", 3)
    assert hits and hits[0].source == "cho-noi.md"


def _run_cli_ingest(data_dir: Path, root: Path, config: Path) -> subprocess.Popen:
    env = {**os.environ, "HOCVUSO_DATA_DIR": str(data_dir), "HOCVUSO_EMBEDDING__BATCH_SIZE": "4"}
    return subprocess.Popen(
        [sys.executable, "-m", "hocvuso", "--config", str(config), "ingest", str(root), "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_documents(db_file: Path, at_least: int, process: subprocess.Popen) -> int:
    """Poll the manifest (read-only) until `at_least` files are committed; return the count."""
    import sqlite3

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if db_file.exists():
            try:
                with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=0.2) as conn:
                    count = conn.execute("SELECT count(*) FROM kb_documents").fetchone()[0]
            except sqlite3.Error:
                count = 0
            if count >= at_least:
                return count
        time.sleep(0.02)
    raise AssertionError("ingestion finished or stalled before it could be killed")


def _snapshot(data_dir: Path, config: Path) -> tuple[set[str], set[str], int]:
    settings = make_settings(data_dir)
    built = Container(settings)
    try:
        with built.session_factory() as session:
            db_ids = set(session.scalars(select(ChunkRow.id)))
            docs = len(session.scalars(select(DocumentRow)).all())
        return db_ids, built.vector_store.all_ids(), docs
    finally:
        built.close()


@pytest.mark.slow
def test_kill_9_mid_ingestion_then_rerun_leaves_what_an_uninterrupted_run_leaves(tmp_path: Path) -> None:
    root = tmp_path / "many"
    root.mkdir()
    for i in range(40):
        (root / f"bai-{i:02d}.md").write_text(
            f"## Phần {i}\n\nBài số {i} nói về mật khẩu mạnh, mã OTP và cách nhận diện lừa đảo số {i}.\n",
            encoding="utf-8",
        )
    config = tmp_path / "empty.yaml"
    config.write_text("{}\n", encoding="utf-8")

    reference_dir = tmp_path / "reference"
    done = _run_cli_ingest(reference_dir, root, config)
    assert done.wait(timeout=240) == 0, done.stderr.read().decode()
    expected = _snapshot(reference_dir, config)
    assert expected[0] == expected[1] and expected[2] == 40

    for attempt, min_docs in enumerate((1, 17)):
        victim_dir = tmp_path / f"killed-{attempt}"
        victim = _run_cli_ingest(victim_dir, root, config)
        docs = _wait_for_documents(victim_dir / "hocvuso.db", min_docs, victim)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        assert 0 < docs < 40, "the kill must land mid-ingestion"
        rerun = _run_cli_ingest(victim_dir, root, config)
        assert rerun.wait(timeout=240) == 0, rerun.stderr.read().decode()
        assert _snapshot(victim_dir, config) == expected


@pytest.mark.slow
def test_a_reader_process_sees_another_process_ingestion(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """The server only reads; `hocvuso ingest` in another process writes; no restart needed."""
    root = _course(tmp_path)
    config = tmp_path / "empty.yaml"
    config.write_text("{}\n", encoding="utf-8")
    data_dir = tmp_path / "shared-data"
    first = _run_cli_ingest(data_dir, root, config)
    assert first.wait(timeout=240) == 0, first.stderr.read().decode()

    reader = Container(make_settings(data_dir))
    reader.__dict__["embedder"] = embedder
    try:
        query = "chợ nổi Cái Răng bán trái cây trên thuyền"
        assert all(h.source != "cho-noi.md" for h in reader.knowledge_base.search(query, 3))
        (root / "cho-noi.md").write_text("## Chợ nổi\n\nChợ nổi Cái Răng bán trái cây trên thuyền.\n", encoding="utf-8")
        second = _run_cli_ingest(data_dir, root, config)
        assert second.wait(timeout=240) == 0, second.stderr.read().decode()
        reader.knowledge_base.refresh()  # what refresh_seconds does on its own
        hits = reader.knowledge_base.search(query, 3)
        assert hits[0].source == "cho-noi.md"
        assert hits[0].relevance > 0.8  # its vector is visible to the reader's Chroma client too
        dense_only = reader.knowledge_base.search(query, 3, legs=("dense",))
        assert dense_only[0].source == "cho-noi.md"
    finally:
        reader.close()
