"""Every loader on a small real file of its format; bad files give a reason, not a crash."""

from pathlib import Path

import pytest

from ingest.loaders import LoadError, SkipFile, load_document
from tests.ingest.sample_files import HTML, LESSON_MD, SRT, VTT, make_docx, make_pdf, make_png


def test_markdown_keeps_front_matter_and_headings(tmp_path: Path) -> None:
    path = tmp_path / "bai.md"
    path.write_text(LESSON_MD, encoding="utf-8")
    doc = load_document(path)
    assert doc.meta["id"] == "an-toan-99" and doc.meta["skills"] == ["mat-khau"]
    assert doc.title == "Mật khẩu và mã OTP"
    headings = [s.headings[-1] for s in doc.sections]
    assert headings == ["Mục tiêu", "Mật khẩu mạnh", "Mã OTP", "Ghi nhớ"]
    assert "12 ký tự" in doc.sections[1].text


def test_markdown_is_normalized_once(tmp_path: Path) -> None:
    path = tmp_path / "cu.md"
    path.write_text("## Hoá đơn\n\nThuỷ điện và hoà mạng.\u200b\n", encoding="utf-8")
    doc = load_document(path)
    assert doc.sections[0].headings == ["Hóa đơn"]
    assert doc.sections[0].text == "Thủy điện và hòa mạng."


def test_pdf_keeps_page_numbers(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "tai-lieu.pdf", ["Trang một nói về VNeID.", "Trang hai nói về mã OTP."])
    doc = load_document(path)
    assert [s.page for s in doc.sections] == [1, 2]
    assert "mã OTP" in doc.sections[1].text


def test_docx_keeps_headings(tmp_path: Path) -> None:
    doc = load_document(make_docx(tmp_path / "vi.docx"))
    assert [s.headings for s in doc.sections] == [["Ví điện tử"], ["Ví điện tử", "Hạn mức"]]
    assert "chính chủ" in doc.sections[0].text


def test_html_drops_scripts_and_keeps_headings(tmp_path: Path) -> None:
    path = tmp_path / "mua-sam.html"
    path.write_text(HTML, encoding="utf-8")
    doc = load_document(path)
    assert doc.title == "Mua sắm an toàn"
    assert [s.headings[-1] for s in doc.sections] == ["Mua sắm an toàn", "Thanh toán"]
    assert all("bỏ qua" not in s.text for s in doc.sections)


@pytest.mark.parametrize(("name", "content", "stamps"), [("v.vtt", VTT, ["0:01"]), ("s.srt", SRT, ["0:01"])])
def test_subtitles_keep_timestamps(tmp_path: Path, name: str, content: str, stamps: list[str]) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    doc = load_document(path)
    assert [s.timestamp for s in doc.sections][:1] == stamps
    assert "OTP" in " ".join(s.text for s in doc.sections) or "phần mềm" in doc.sections[-1].text


def test_subtitle_groups_start_at_their_first_cue(tmp_path: Path) -> None:
    from ingest.loaders import load_subtitles

    path = tmp_path / "v.vtt"
    path.write_text(VTT, encoding="utf-8")
    doc = load_subtitles(path, group_chars=40)
    assert [s.timestamp for s in doc.sections] == ["0:01", "2:15"]


def test_image_with_caption(tmp_path: Path) -> None:
    path = make_png(tmp_path / "5-dau-hieu.png", "# 5 dấu hiệu lừa đảo\nTin nhắn hối thúc chuyển tiền gấp.")
    doc = load_document(path)
    assert doc.title == "5 dấu hiệu lừa đảo"
    assert "chuyển tiền gấp" in doc.sections[0].text


def test_image_without_caption_or_ocr_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on PATH
    path = make_png(tmp_path / "khong-chu-thich.png")
    with pytest.raises(SkipFile, match="no caption"):
        load_document(path)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("hong.pdf", b"%PDF-1.4\nthis is not a pdf at all", "PDF"),
        ("hong.docx", b"PK\x03\x04 not really a zip", "DOCX"),
        ("latin1.txt", "Mật khẩu".encode("utf-16"), "UTF-8"),
        ("rong.md", b"   \n", "empty"),
        ("chuong-trinh.exe", b"MZ\x90\x00", "unsupported"),
        ("hong.png", b"\x89PNG\r\n\x1a\nbroken", "image"),
    ],
)
def test_bad_files_raise_load_error_with_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load_document(path)
