"""The course checks of lesson bodies and media files: each breakage reported at its file and line."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

from knowledge.curriculum import Problem, check_curriculum, load_curriculum
from tests.knowledge.curriculum_kit import MKM, copy_course, edit, line_of, only

VTT = Path("an-toan/01-mat-khau-manh--bai-giang.vtt")
PNG = Path("dien-thoai/01-co-chu-giong-noi--cai-dat-co-chu.png")
CAPTION = Path("dien-thoai/01-co-chu-giong-noi--cai-dat-co-chu.md")


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A private copy of the fixture course, to break one thing at a time."""
    return copy_course(tmp_path)


# --- text and body -----------------------------------------------------------------------------


def test_text_must_be_nfc_in_body(course: Path) -> None:
    path = course / MKM
    decomposed = unicodedata.normalize("NFD", "Mật khẩu là chìa khóa")
    edit(path, "Mật khẩu là chìa khóa", decomposed)
    assert only(course) == Problem(path, line_of(path, decomposed), "text is not NFC-normalized: 'Mật' (decomposed)")


def test_text_must_be_nfc_in_yaml(course: Path) -> None:
    path = course / "placement.yaml"
    decomposed = unicodedata.normalize("NFD", "Bạn đổi mật khẩu Zalo.")
    edit(path, "Bạn đổi mật khẩu Zalo.", decomposed)
    assert only(course) == Problem(path, line_of(path, decomposed), "text is not NFC-normalized: '\"Bạn' (decomposed)")


def test_too_few_sections(course: Path) -> None:
    path = course / MKM
    text = path.read_text(encoding="utf-8")
    start, end = text.index("## Cách đặt mật khẩu mạnh"), text.index("## Ghi nhớ")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert only(course) == Problem(path, line_of(path, "## Vì sao"), "the body has 2 '##' sections; 3–6 are required")


def test_too_many_sections(course: Path) -> None:
    path = course / MKM
    extra = "".join(f"## Phần {n}\n\nNội dung ngắn.\n\n" for n in range(3))
    edit(path, "## Ghi nhớ", extra + "## Ghi nhớ")
    assert only(course) == Problem(path, line_of(path, "## Vì sao"), "the body has 7 '##' sections; 3–6 are required")


def test_section_too_long(course: Path) -> None:
    path = course / MKM
    edit(
        path,
        "Mật khẩu ngắn, dễ đoán bị dò ra rất nhanh.",
        "Mật khẩu ngắn, dễ đoán bị dò ra rất nhanh." + " Thêm chữ." * 60,
    )
    assert only(course) == Problem(
        path,
        line_of(path, "## Vì sao"),
        "section '## Vì sao cần mật khẩu mạnh' has 789 characters; at most 700 fit a phone screen",
    )


def test_empty_section(course: Path) -> None:
    path = course / MKM
    edit(path, "## Ghi nhớ", "## Trống\n\n## Ghi nhớ")
    assert only(course) == Problem(path, line_of(path, "## Trống"), "section '## Trống' is empty")


def test_last_section_must_be_recap(course: Path) -> None:
    path = course / MKM
    edit(path, "## Ghi nhớ", "## Tóm tắt")
    assert only(course) == Problem(
        path, line_of(path, "## Tóm tắt"), "the last section must be '## Ghi nhớ', not '## Tóm tắt'"
    )


def test_text_before_first_section(course: Path) -> None:
    path = course / MKM
    edit(path, "---\n\n## Vì sao", "---\n\n# Đặt mật khẩu mạnh\n\nLời mở đầu.\n\n## Vì sao")
    assert only(course) == Problem(
        path, line_of(path, "Lời mở đầu."), "text before the first '##' section; put it inside a section"
    )


def test_subheadings_and_code_fences_do_not_split_sections(course: Path) -> None:
    path = course / MKM
    edit(path, "- Dài ít nhất 12 ký tự.", "### Độ dài\n\n```\n## không phải tiêu đề\n```\n- Dài ít nhất 12 ký tự.")
    assert check_curriculum(course) == []
    lesson = load_curriculum(course).lessons["mat-khau-manh"]
    assert len(lesson.sections) == 4 and "### Độ dài" in lesson.sections[1].text


# --- media -------------------------------------------------------------------------------------


def test_image_without_caption(course: Path) -> None:
    (course / CAPTION).unlink()
    assert only(course) == Problem(
        course / PNG, 0, "image has no caption file '01-co-chu-giong-noi--cai-dat-co-chu.md'"
    )


def test_caption_without_image(course: Path) -> None:
    (course / PNG).unlink()
    assert only(course) == Problem(
        course / CAPTION,
        0,
        "caption without an image: no '01-co-chu-giong-noi--cai-dat-co-chu.png' or '.jpg' next to it",
    )


def test_media_of_no_lesson(course: Path) -> None:
    orphan = course / "an-toan/03-wifi--bai-giang.vtt"
    shutil.copy(course / VTT, orphan)
    assert only(course) == Problem(orphan, 0, "media file belongs to no lesson: no '03-wifi.md' in this folder")


def test_vtt_header_and_timings(course: Path) -> None:
    path = course / VTT
    edit(path, "WEBVTT\n", "")
    edit(path, "00:00:14.000 --> 00:00:22.000", "00:00:14 --> 00:00:22")
    edit(path, "00:00:38.000 --> 00:00:44.000", "00:00:44.000 --> 00:00:38.000")
    assert check_curriculum(course) == [
        Problem(path, 1, "a WebVTT file must start with the line 'WEBVTT'"),
        Problem(path, line_of(path, "00:00:14 -->"), "malformed cue timing '00:00:14 --> 00:00:22'"),
        Problem(path, line_of(path, "00:00:44.000 -->"), "a cue must end after it starts"),
    ]
