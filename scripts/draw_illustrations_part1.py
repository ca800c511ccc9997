"""Draw the illustrations of course part 1 (modules dien-thoai, internet-an-toan, lua-dao).

Run from the repository root:  python scripts/draw_illustrations_part1.py
Output: knowledge/lessons/lua-dao/01-cuoc-goi-tin-nhan-gia-danh--5-dau-hieu.png
(its caption is the .md file with the same stem, written by hand).
Needs Pillow and the DejaVu fonts (they cover Vietnamese diacritics).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

W, H = 720, 1000
BG = (255, 248, 235)
RED = (200, 40, 40)
DARK = (40, 40, 50)
GREY = (90, 90, 100)
CARD = (255, 255, 255)
CARD_EDGE = (235, 200, 170)
GREEN = (30, 130, 70)

SIGNS = [
    ("Giục gấp, đe dọa", "“Tài khoản sẽ bị khóa trong 24 giờ!”"),
    ("Có đường link lạ", "Link rút gọn, tên trang sai chính tả"),
    ("Đòi mã OTP, mật khẩu", "Ngân hàng, công an không bao giờ hỏi"),
    ("Hứa quà, việc nhẹ lương cao", "“Trúng thưởng”, “500.000 đ/ngày”"),
    ("Bắt chuyển tiền, cài ứng dụng", "Tệp .apk, “tài khoản tạm giữ”"),
]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def wrap(draw: ImageDraw.ImageDraw, text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap so that every line fits in `width` pixels."""
    lines: list[str] = []
    line = ""
    for word in text.split():
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


def centered(draw: ImageDraw.ImageDraw, cy: int, text: str, fnt, fill) -> None:
    """Draw one line of text centred horizontally, its middle at height cy."""
    draw.text((W / 2, cy), nfc(text), font=fnt, fill=fill, anchor="mm")


def draw_five_signs(out: Path) -> None:
    img = Image.new("RGB", (W, H), BG)
    d = ImageDraw.Draw(img)

    # Title band
    d.rectangle([0, 0, W, 160], fill=RED)
    centered(d, 58, "5 DẤU HIỆU", font(BOLD, 52), (255, 255, 255))
    centered(d, 118, "tin nhắn lừa đảo", font(BOLD, 40), (255, 235, 200))

    head_f = font(BOLD, 31)
    sub_f = font(REGULAR, 25)
    num_f = font(BOLD, 40)
    top = 180
    card_h = 122
    gap = 12
    text_x = 130
    text_w = W - text_x - 40
    for i, (head, sub) in enumerate(SIGNS, start=1):
        y0 = top + (i - 1) * (card_h + gap)
        d.rounded_rectangle([24, y0, W - 24, y0 + card_h], radius=18, fill=CARD, outline=CARD_EDGE, width=3)
        cx, cy, r = 76, y0 + card_h // 2, 36
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=RED)
        d.text((cx, cy), str(i), font=num_f, fill=(255, 255, 255), anchor="mm")
        lines = [(ln, head_f, DARK) for ln in wrap(d, nfc(head), head_f, text_w)]
        lines += [(ln, sub_f, GREY) for ln in wrap(d, nfc(sub), sub_f, text_w)]
        heights = [d.textbbox((0, 0), "Ấy", font=f)[3] + 8 for _, f, _ in lines]
        ty = cy - sum(heights) // 2
        for (ln, f, colour), h in zip(lines, heights):
            d.text((text_x, ty), ln, font=f, fill=colour)
            ty += h

    # Footer: what to do
    fy = top + 5 * (card_h + gap) + 4
    d.rounded_rectangle([24, fy, W - 24, H - 20], radius=18, fill=GREEN)
    foot_f = font(BOLD, 28)
    mid = (fy + H - 20) // 2
    centered(d, mid - 22, "Không bấm link. Không đưa OTP.", foot_f, (255, 255, 255))
    centered(d, mid + 22, "Tự gọi số in trên thẻ ngân hàng.", foot_f, (255, 255, 255))

    out.parent.mkdir(parents=True, exist_ok=True)
    # A small adaptive palette keeps the file small; the picture uses few colours.
    img.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)


def main() -> None:
    out = ROOT / "knowledge/lessons/lua-dao/01-cuoc-goi-tin-nhan-gia-danh--5-dau-hieu.png"
    draw_five_signs(out)
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
