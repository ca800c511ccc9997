"""Chunking follows sections, respects the size, overlaps, and ids are deterministic."""

from ingest.chunking import chunk_document, split_text
from ingest.loaders import LoadedDocument, Section


def _doc(*sections: Section) -> LoadedDocument:
    return LoadedDocument(kind="md", title="Bài", sections=list(sections))


def test_short_section_is_one_chunk() -> None:
    assert split_text("Một câu ngắn.", 100, 20) == ["Một câu ngắn."]


def test_long_section_is_split_at_sentences_with_overlap() -> None:
    sentences = [f"Câu số {i} nói về mật khẩu mạnh và mã OTP." for i in range(40)]
    parts = split_text(" ".join(sentences), 300, 60)
    assert len(parts) > 3
    assert all(len(p) <= 300 + 60 for p in parts)
    # Every sentence survives, and consecutive parts share text (the overlap).
    joined = " ".join(parts)
    assert all(s in joined for s in sentences)
    assert any(parts[1].split(" ")[0] in parts[0] for _ in [0])


def test_a_chunk_never_spans_two_sections() -> None:
    doc = _doc(Section(["A"], "Nội dung phần A."), Section(["B"], "Nội dung phần B."))
    chunks = chunk_document(doc, "x.md", size=1000, overlap=100)
    assert [c.heading for c in chunks] == ["A", "B"]
    assert "phần B" not in chunks[0].text


def test_ids_are_deterministic_and_depend_on_content() -> None:
    doc = _doc(Section(["A"], "Nội dung."))
    first = chunk_document(doc, "x.md", size=500, overlap=50)
    again = chunk_document(doc, "x.md", size=500, overlap=50)
    other_source = chunk_document(doc, "y.md", size=500, overlap=50)
    changed = chunk_document(_doc(Section(["A"], "Nội dung khác.")), "x.md", size=500, overlap=50)
    assert [c.id for c in first] == [c.id for c in again]
    assert first[0].id != other_source[0].id
    assert first[0].id != changed[0].id


def test_page_and_timestamp_are_kept() -> None:
    doc = _doc(Section(["P"], "Trang ba.", page=3), Section(["V"], "Phút hai.", timestamp="2:15"))
    chunks = chunk_document(doc, "x", size=500, overlap=0)
    assert (chunks[0].page, chunks[1].timestamp) == (3, "2:15")
