"""Draw the illustration of lesson cong-doan-so-05 ("Gia đình CNVCLĐ số").

Run from the repository root:  python scripts/draw_illustrations_part3.py
Writes knowledge/lessons/cong-doan-so/05-gia-dinh-cnvcld-so--gia-dinh-so.png
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
OUT = Path(__file__).resolve().parent.parent / "knowledge/lessons/cong-doan-so/05-gia-dinh-cnvcld-so--gia-dinh-so.png"

W, H = 720, 1000
BG = (255, 250, 240)
DARK = (33, 37, 41)
BLUE = (21, 101, 192)
GREEN = (46, 125, 50)
ORANGE = (239, 108, 0)
RED = (198, 40, 40)
CARD = (255, 255, 255)
STEP_COLOURS = [BLUE, GREEN, ORANGE, (106, 27, 154)]

STEPS = [
    ("Chọn người hướng dẫn", "Người thạo điện thoại, kiên nhẫn."),
    ("Lập danh sách việc cần", "VNeID, chuyển khoản, gọi video, nhận biết lừa đảo."),
    ("Chỉ từng việc, người thân tự bấm", "Ghi các bước ra giấy, dán gần chỗ để máy."),
    ("Ôn lại mỗi cuối tuần", "Kể cho nhau nghe các chiêu lừa mới."),
]


def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def wrap(draw: ImageDraw.ImageDraw, text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=fnt) <= width:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def centered(draw: ImageDraw.ImageDraw, y: int, text: str, fnt, fill) -> None:
    x = (W - draw.textlength(text, font=fnt)) / 2
    draw.text((x, y), text, font=fnt, fill=fill)


def person(draw: ImageDraw.ImageDraw, cx: int, cy: int, scale: float, colour) -> None:
    """A simple person: head and rounded body."""
    r = int(16 * scale)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    bw, bh = int(26 * scale), int(34 * scale)
    draw.rounded_rectangle((cx - bw, cy + r + 4, cx + bw, cy + r + 4 + bh), radius=int(14 * scale), fill=colour)


def phone(draw: ImageDraw.ImageDraw, x: int, y: int) -> None:
    draw.rounded_rectangle((x, y, x + 26, y + 44), radius=5, fill=DARK)
    draw.rectangle((x + 4, y + 6, x + 22, y + 34), fill=(144, 202, 249))
    draw.ellipse((x + 10, y + 37, x + 16, y + 42), fill=(200, 200, 200))


def main() -> None:
    img = Image.new("RGB", (W, H), BG)
    d = ImageDraw.Draw(img)

    # Header band
    d.rectangle((0, 0, W, 150), fill=BLUE)
    centered(d, 28, "GIA ĐÌNH CNVCLĐ SỐ", font(BOLD, 44), (255, 255, 255))
    centered(d, 92, "Một người thạo công nghệ giúp cả nhà", font(REGULAR, 27), (255, 255, 255))

    # Family: the helper (with phone) and three relatives
    base_y = 182
    person(d, 150, base_y, 1.25, ORANGE)
    phone(d, 185, base_y + 20)
    for cx, col, sc in ((320, GREEN, 1.1), (450, (106, 27, 154), 1.15), (570, (0, 131, 143), 0.85)):
        person(d, cx, base_y + 6, sc, col)
    d.text((88, base_y + 82), "Người hướng dẫn", font=font(BOLD, 20), fill=ORANGE)
    d.text((330, base_y + 82), "Ông bà, bố mẹ, con cháu", font=font(REGULAR, 20), fill=DARK)

    # Step cards
    title_f, body_f, num_f = font(BOLD, 27), font(REGULAR, 24), font(BOLD, 34)
    y = 306
    card_h = 118
    for i, (title, body) in enumerate(STEPS):
        col = STEP_COLOURS[i]
        d.rounded_rectangle((30, y, W - 30, y + card_h), radius=18, fill=CARD, outline=col, width=4)
        d.ellipse((48, y + 34, 112, y + 98), fill=col)
        num = str(i + 1)
        d.text((80 - d.textlength(num, font=num_f) / 2, y + 45), num, font=num_f, fill=(255, 255, 255))
        tx, tw = 132, W - 30 - 132 - 20
        lines = wrap(d, title, title_f, tw)
        body_lines = wrap(d, body, body_f, tw)
        ty = y + (card_h - (len(lines) * 34 + len(body_lines) * 31)) // 2
        for ln in lines:
            d.text((tx, ty), ln, font=title_f, fill=col)
            ty += 34
        for ln in body_lines:
            d.text((tx, ty), ln, font=body_f, fill=DARK)
            ty += 31
        y += card_h + 12

    # Safety footer
    d.rounded_rectangle((30, y + 4, W - 30, H - 24), radius=18, fill=(255, 235, 238), outline=RED, width=3)
    fy = y + 24
    for ln in (
        "Ai giữ mật khẩu, mã OTP của người nấy.",
        "Người gọi nhờ chuyển tiền gấp?",
        "Hỏi câu hỏi riêng của gia đình.",
    ):
        centered(d, fy, ln, font(BOLD, 25), RED)
        fy += 36

    OUT.parent.mkdir(parents=True, exist_ok=True)
    img = img.quantize(colors=64)
    img.save(OUT, optimize=True)
    print(f"{OUT} {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
