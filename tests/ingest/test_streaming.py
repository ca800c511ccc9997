"""Large text files are streamed (issue 14, item 5: "streams large text instead of holding it").

A 5 MB text or Markdown file is read in blocks and cut into chunks as it is read: the memory held
while it is chunked stays bounded (measured with tracemalloc), and streaming changes nothing in what
is indexed: the same chunks, with the same ids, as when a small file is read whole.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunking import SectionStart, chunk_document, chunk_events, split_text
from ingest.loaders import LoadError, load_document
from ingest.textstream import open_stream, stream_chunks
from tests.ingest import whole_reference
from tests.ingest.sample_files import LESSON_MD

PARAGRAPH = (
    "Mật khẩu mạnh dài ít nhất 12 ký tự, có chữ hoa, chữ thường, số và ký hiệu. "
    "Không bao giờ đọc mã OTP cho người khác, kể cả người xưng là công an.\n\n"
)


def _big(path: Path, megabytes: float, *, markdown: bool = False) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        if markdown:
            handle.write("---\ntitle: Bài lớn\nmodule: an-toan\n---\n\n")
        written, section = 0, 0
        while written < megabytes * 1_000_000 - 1_000:
            if markdown and written // 250_000 >= section:
                section += 1
                handle.write(f"## Phần {section}\n\n")
            handle.write(PARAGRAPH)
            written += len(PARAGRAPH.encode())
    return path


def _peak_while_chunking(path: Path) -> tuple[int, int]:
    """(chunks, peak bytes traced by tracemalloc) while the file is streamed into chunks."""
    tracemalloc.start()
    try:
        count = sum(1 for _ in stream_chunks(open_stream(path), "big", size=1200, overlap=120))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def test_a_1_mb_file_is_never_held_whole(tmp_path: Path) -> None:
    count, peak = _peak_while_chunking(_big(tmp_path / "big.txt", 1.0))
    assert count > 600
    assert peak < 700_000, f"peak {peak} bytes while chunking a 1 MB file"


@pytest.mark.slow  # tracemalloc slows a 5 MB file to about a minute
@pytest.mark.parametrize("name", ["big.txt", "big.md"])
def test_a_5_mb_file_is_chunked_in_bounded_memory(tmp_path: Path, name: str) -> None:
    path = _big(tmp_path / name, 5.0, markdown=name.endswith(".md"))
    tracemalloc.start()
    try:
        count = sum(1 for _ in stream_chunks(open_stream(path), "big", size=1200, overlap=120))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count > 3000
    assert peak < 2_000_000, f"peak {peak} bytes while chunking a 5 MB file"


def _chunks_whole(path: Path) -> list[tuple[str, str, str]]:
    """The chunks of the whole-file code before streaming (the reference)."""
    return [(c.id, c.heading, c.text) for c in whole_reference.chunks(path, "s", size=300, overlap=40)]


def _chunks_loaded(path: Path) -> list[tuple[str, str, str]]:
    """The chunks of today's whole-file loaders (small files)."""
    return [(c.id, c.heading, c.text) for c in chunk_document(load_document(path), "s", size=300, overlap=40)]


def _chunks_streamed(path: Path) -> list[tuple[str, str, str]]:
    return [(c.id, c.heading, c.text) for c in stream_chunks(open_stream(path), "s", size=300, overlap=40)]


LINES = st.lists(
    st.one_of(
        st.sampled_from(["", " ", "  \t", "# Tiêu đề", "## Mục 2", "### Ý nhỏ  ", "```", "- gạch đầu dòng", "\r"]),
        st.text(alphabet="aăâbcdđeêhiklmnoôơpqrstuưvxyàáảãạ .,!?:;\t", max_size=400),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(lines=LINES, front=st.booleans(), txt=st.booleans())
def test_streaming_gives_the_chunks_of_the_whole_file(tmp_path_factory, lines, front, txt) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("s")
    body = "\n".join(lines)
    if front:
        body = "---\ntitle: Bài\nobjectives: [Biết đặt mật khẩu.]\n---\n" + body
    path = folder / ("bai.txt" if txt else "bai.md")
    path.write_text(body + "x", encoding="utf-8")
    try:
        whole = _chunks_whole(path)
    except LoadError:
        whole = []
    assert _chunks_streamed(path) == whole
    if whole:
        assert _chunks_loaded(path) == whole


def test_streaming_matches_on_a_real_lesson_and_long_lines(tmp_path: Path) -> None:
    lesson = tmp_path / "bai.md"
    lesson.write_text(LESSON_MD + ("Một câu rất dài không có dấu chấm " * 5000) + "\n\nHết.\n", encoding="utf-8")
    assert _chunks_streamed(lesson) == _chunks_whole(lesson) == _chunks_loaded(lesson)
    plain = tmp_path / "bai.txt"
    plain.write_text("Đoạn một.\n\n" + "chữ " * 40_000 + "\n\n  Đoạn ba.  \n", encoding="utf-8")
    assert _chunks_streamed(plain) == _chunks_whole(plain) == _chunks_loaded(plain)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab .!\n\t:", max_size=900), size=st.integers(5, 120), overlap=st.integers(0, 30))
def test_split_text_is_unchanged(text: str, size: int, overlap: int) -> None:
    assert split_text(text, size, overlap) == whole_reference.split_text(text, size, overlap)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (PARAGRAPH.encode() * 2000 + b"\x00tail", "binary content"),
        (PARAGRAPH.encode() * 2000 + b"\xff\xfe", "not UTF-8"),
    ],
)
def test_bad_bytes_anywhere_in_a_streamed_file_are_refused(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bai.txt"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        list(stream_chunks(open_stream(path), "s", size=1200, overlap=120))


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet="ab .!\n\t:", max_size=900),
    cuts=st.lists(st.integers(0, 900), max_size=12),
    size=st.integers(5, 120),
    overlap=st.integers(0, 30),
)
def test_text_fed_in_any_pieces_splits_as_a_whole(text: str, cuts: list[int], size: int, overlap: int) -> None:
    bounds = [0, *sorted(c for c in cuts if c < len(text)), len(text)]
    events = [SectionStart(["A"]), *(text[a:b] for a, b in zip(bounds, bounds[1:], strict=False))]
    streamed = [c.text for c in chunk_events(events, "s", size=size, overlap=overlap)]
    assert streamed == whole_reference.split_text(text, size, overlap)
