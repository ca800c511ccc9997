"""Drawing a certificate: one layout (lines of text) rendered as a PNG (Pillow) and a PDF (fpdf2).

Vietnamese needs a font with its diacritics: DejaVu Sans (Debian's fonts-dejavu-core, present on
most systems). `find_fonts()` looks in the usual places.

A certificate carries a name and a unit (personal data): its files are 0600 in a 0700 folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.textnorm import normalize

if TYPE_CHECKING:
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont

    from tutor.certificates import CertificateInfo

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
)
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
PDF_TEXT_WIDTH_MM = 240  # inside the frame of an A4 landscape page (297 mm, frame at 16 mm)

# Colours: deep red of the campaign's posters on cream paper.
RED = (170, 20, 30)
DARK = (40, 40, 40)
GREY = (95, 95, 95)
PAPER = (255, 251, 240)
GOLD = (200, 150, 40)


@dataclass(frozen=True)
class Line:
    """One centred line: text, size in points of an A4 landscape page, bold, colour, space before."""

    text: str
    size: float
    bold: bool = False
    color: tuple[int, int, int] = DARK
    gap: float = 4.0  # millimetres above the line


def find_fonts() -> tuple[Path, Path]:
    """(regular, bold) DejaVu Sans files; RuntimeError when none is installed."""
    for folder in FONT_DIRS:
        regular, bold = folder / REGULAR, folder / BOLD
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise RuntimeError("no DejaVu Sans font found (install fonts-dejavu-core)")


def layout(info: CertificateInfo, date_text: str, verify_url: str) -> list[Line]:
    """The certificate's lines, top to bottom."""
    return [
        Line("BÌNH DÂN HỌC VỤ SỐ", 16, True, RED, gap=0),
        Line("GIẤY CHỨNG NHẬN", 34, True, RED, gap=10),
        Line("Chứng nhận", 15, False, GREY, gap=10),
        Line(normalize(info.name), 30, True, DARK, gap=4),
        Line(f"Đơn vị: {normalize(info.unit_name)}", 14, False, DARK, gap=8),
        Line(f"Nhóm: {info.group_label}", 14, False, DARK, gap=3),
        Line("đã đạt chuẩn kỹ năng số cơ bản", 20, True, RED, gap=10),
        Line(f"Ngày cấp: {date_text}    ·    Số: {info.number}", 13, False, DARK, gap=14),
        Line(f"Mã kiểm tra: {info.code}", 13, True, DARK, gap=3),
        Line(
            f"Kiểm tra tại: {verify_url}" if verify_url else "Gửi mã kiểm tra cho trợ lý để xác minh",
            11,
            False,
            GREY,
            gap=3,
        ),
    ]


def render_png(info: CertificateInfo, verify_url: str, path: Path, date_text: str = "") -> Path:
    """Draw the certificate as a PNG (1600×1131, A4 landscape proportions) at `path`."""
    from PIL import Image, ImageDraw, ImageFont

    regular, bold = find_fonts()
    width, height = 1600, 1131
    px_per_mm = width / 297
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    m = int(12 * px_per_mm)
    draw.rectangle((m, m, width - m, height - m), outline=RED, width=8)
    draw.rectangle((m + 18, m + 18, width - m - 18, height - m - 18), outline=GOLD, width=3)
    y = 32 * px_per_mm
    for line in layout(info, date_text or _date(info), verify_url):
        size = int(line.size * 0.3528 * px_per_mm)  # points -> mm -> pixels
        font = ImageFont.truetype(str(bold if line.bold else regular), size)
        text = _fit(draw, line.text, font, width - 2 * m - 80)
        y += line.gap * px_per_mm
        draw.text((width / 2, y), text, font=font, fill=line.color, anchor="mt")
        y += size * 1.25
    tmp = _private_part(path, ".png.part")
    image.save(tmp, format="PNG")
    tmp.replace(path)  # never a half-written file where a channel may read it
    return path


def render_pdf(info: CertificateInfo, verify_url: str, path: Path, date_text: str = "") -> Path:
    """Write the certificate as a one-page A4 landscape PDF at `path`."""
    from fpdf import FPDF

    regular, bold = find_fonts()
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.add_page()
    pdf.set_fill_color(*PAPER)
    pdf.rect(0, 0, 297, 210, style="F")
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.5)
    pdf.rect(12, 12, 273, 186)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.rect(16, 16, 265, 178)
    pdf.set_y(32)
    for line in layout(info, date_text or _date(info), verify_url):
        size = line.size
        pdf.set_font("DejaVu", "B" if line.bold else "", size)
        while size > 7 and pdf.get_string_width(line.text) > PDF_TEXT_WIDTH_MM:
            size -= 0.5  # a long name or unit shrinks to fit inside the frame
            pdf.set_font_size(size)
        pdf.set_text_color(*line.color)
        pdf.ln(line.gap)
        pdf.cell(0, line.size * 0.3528 * 1.25, line.text, align="C", new_x="LMARGIN", new_y="NEXT")  # keeps line height
    pdf.set_title(f"Giấy chứng nhận {info.number}")
    tmp = _private_part(path, ".pdf.part")
    pdf.output(str(tmp))
    tmp.replace(path)
    return path


def _private_part(path: Path, suffix: str) -> Path:
    """The temporary file to write `path` through: created 0600 (whatever the umask) in a folder
    made 0700 (it may have been created with the default mode), so no other user reads a name."""
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    tmp = path.with_suffix(suffix)
    tmp.unlink(missing_ok=True)  # a leftover of a crash, maybe with a wider mode
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return tmp


def _date(info: CertificateInfo) -> str:
    return info.issued_at.strftime("%d/%m/%Y")


def _fit(draw: ImageDraw, text: str, font: FreeTypeFont, width: float) -> str:
    """`text`, shortened with "…" until it fits `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"
