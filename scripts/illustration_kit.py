"""Shared helpers of the course's illustration scripts (scripts/draw_illustrations_part*.py).

Pictures are 720 px wide (a phone screen shows them at about half size), so every text is at least
MIN_TEXT_PX px high and dark enough on its background to read on a cheap, dim screen. Needs Pillow and
the DejaVu fonts (they cover Vietnamese diacritics).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

WIDTH = 720
MIN_TEXT_PX = 26  # no text smaller than this: at half size on a phone it is still 13 px
WHITE = (255, 255, 255)
INK = (33, 37, 41)  # main text
SUB_INK = (52, 58, 66)  # secondary text: darker than the old grey (contrast > 10:1 on white)

Colour = tuple[int, int, int]


def nfc(text: str) -> str:
    """Text in NFC form (what the course and the fonts expect)."""
    return unicodedata.normalize("NFC", text)


def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """A TrueType font of `size` px; refuses sizes below MIN_TEXT_PX."""
    if size < MIN_TEXT_PX:
        raise ValueError(f"text of {size} px is too small for a phone; use at least {MIN_TEXT_PX} px")
    return ImageFont.truetype(str(path), size)


def wrap(draw: ImageDraw.ImageDraw, text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap so that every line fits in `width` pixels (a single long word overflows)."""
    lines: list[str] = []
    line = ""
    for word in nfc(text).split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=fnt) <= width:
            line = trial
        else:
            if line:
                lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def line_height(draw: ImageDraw.ImageDraw, fnt: ImageFont.FreeTypeFont, spacing: int = 8) -> int:
    """Height of one line of `fnt` (tall Vietnamese capitals included) plus `spacing`."""
    return draw.textbbox((0, 0), "ẤyỆ", font=fnt)[3] + spacing


def centered(draw: ImageDraw.ImageDraw, y: float, text: str, fnt: ImageFont.FreeTypeFont, fill: Colour) -> None:
    """One line of text centred horizontally on the picture, its top at `y`."""
    text = nfc(text)
    if draw.textlength(text, font=fnt) > WIDTH - 40:
        raise SystemExit(f"line too wide for the picture: {text}")
    draw.text((WIDTH / 2, y), text, font=fnt, fill=fill, anchor="ma")


def new_picture(height: int, background: Colour) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A blank picture WIDTH x `height` and its drawing context."""
    img = Image.new("RGB", (WIDTH, height), background)
    return img, ImageDraw.Draw(img)


def save(img: Image.Image, out: Path) -> None:
    """Save with a small adaptive palette (the pictures use few colours) and report the size."""
    out.parent.mkdir(parents=True, exist_ok=True)
    img.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    print(f"{out.relative_to(ROOT)}: {img.width}x{img.height}, {out.stat().st_size // 1024} KB")
