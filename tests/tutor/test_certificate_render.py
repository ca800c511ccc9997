"""Certificate files: a PNG and a one-page PDF saying name, unit, group, date, number and code."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from tutor.certificates import CertificateInfo, files_for, new_code, normalize_code, number_of

INFO = CertificateInfo(
    "HVS-2026-000042", "K7QWM3XP2A", "Nguyễn Thị Lan", "Công đoàn cơ sở Công ty May Thành Công", "worker",
    datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
)  # fmt: skip


def test_png_and_pdf_carry_every_field(tmp_path: Path) -> None:
    png, pdf = files_for(INFO, tmp_path, "https://hocvuso.example.vn/certificates/K7QWM3XP2A", "02/03/2026")
    assert png is not None and pdf is not None
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size == (1600, 1131)
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for field in (
        "GIẤY CHỨNG NHẬN",
        "Nguyễn Thị Lan",
        "Công đoàn cơ sở Công ty May Thành Công",
        "Công nhân, người lao động",
        "đã đạt chuẩn kỹ năng số cơ bản",
        "02/03/2026",
        "HVS-2026-000042",
        "K7QWM3XP2A",
        "https://hocvuso.example.vn/certificates/K7QWM3XP2A",
    ):
        assert field in text, field
    # Existing files are reused, not drawn again.
    before = png.stat().st_mtime_ns
    assert files_for(INFO, tmp_path, "", "02/03/2026")[0] == png and png.stat().st_mtime_ns == before


def test_a_very_long_unit_still_fits_one_page(tmp_path: Path) -> None:
    long_unit = "Công đoàn cơ sở " + "Công ty Trách nhiệm hữu hạn Một thành viên May mặc Xuất khẩu " * 3
    info = CertificateInfo(INFO.number, "LONGUNIT23", INFO.name, long_unit, "officer", INFO.issued_at)
    png, pdf = files_for(info, tmp_path, "", "02/03/2026")
    assert png is not None and pdf is not None
    assert len(PdfReader(str(pdf)).pages) == 1
    assert "Cán bộ công đoàn" in PdfReader(str(pdf)).pages[0].extract_text()


def test_codes_and_numbers() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 10 and c.isalnum() and c.isupper() for c in codes)
    assert not any(ch in "".join(codes) for ch in "01OIL")  # no look-alike characters
    assert normalize_code(" k7qw-m3xp 2a ") == "K7QWM3XP2A"
    assert number_of(42, INFO.issued_at) == "HVS-2026-000042"


def test_certificate_files_are_private(tmp_path: Path) -> None:
    """Name and unit are personal data: files 0600 in a 0700 folder, whatever the umask (QA finding 24)."""
    folder = tmp_path / "certificates"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)  # as tutor.certificates.files_dir leaves it under a usual umask
    old = os.umask(0o022)
    try:
        png, pdf = files_for(INFO, folder, "", "02/03/2026")
    finally:
        os.umask(old)
    assert png is not None and pdf is not None
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(png.stat().st_mode) == 0o600 and stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == sorted([png.name, pdf.name])  # no .part left behind
