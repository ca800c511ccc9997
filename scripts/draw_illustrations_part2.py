"""Draw the illustrations of course part 2 (modules dich-vu-cong, ngan-hang-so, mua-sam).

Run from the repository root:  python scripts/draw_illustrations_part2.py
Writes knowledge/lessons/ngan-hang-so/02-chuyen-khoan-vietqr--kiem-tra-truoc-khi-chuyen.png
(its caption, the .md file with the same stem, is written by hand and kept in git).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

W, H = 720, 1000
MARGIN = 36

NAVY = (24, 54, 107)
WHITE = (255, 255, 255)
INK = (33, 37, 41)
GREY = (90, 98, 110)
CARD = (240, 245, 252)
GREEN = (30, 132, 73)
RED = (192, 36, 37)
RED_BG = (253, 236, 236)
AMBER_BG = (255, 244, 214)


def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def wrap(draw: ImageDraw.ImageDraw, text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Split text into lines that fit in `width` pixels."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=fnt) <= width:
            current = trial
        else:
            if current:
                lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def draw_check(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, colour) -> None:
    """A filled circle with a white tick."""
    draw.ellipse((x, y, x + size, y + size), fill=colour)
    s = size
    draw.line(
        [(x + s * 0.25, y + s * 0.52), (x + s * 0.43, y + s * 0.70), (x + s * 0.76, y + s * 0.32)],
        fill=WHITE,
        width=max(3, s // 9),
        joint="curve",
    )


def draw_stop(draw: ImageDraw.ImageDraw, x: int, y: int, size: int) -> None:
    """A red circle with a white exclamation mark."""
    draw.ellipse((x, y, x + size, y + size), fill=RED)
    cx = x + size / 2
    draw.rounded_rectangle((cx - 3, y + size * 0.2, cx + 3, y + size * 0.6), radius=3, fill=WHITE)
    draw.ellipse((cx - 4, y + size * 0.68, cx + 4, y + size * 0.68 + 8), fill=WHITE)


def kiem_tra_truoc_khi_chuyen(out: Path) -> None:
    img = Image.new("RGB", (W, H), WHITE)
    d = ImageDraw.Draw(img)

    title_f = font(BOLD, 40)
    head_f = font(BOLD, 27)
    body_f = font(REGULAR, 22)
    foot_f = font(BOLD, 24)

    # Title band
    d.rectangle((0, 0, W, 150), fill=NAVY)
    y = 28
    for line in wrap(d, "Kiểm tra trước khi bấm chuyển tiền", title_f, W - 2 * MARGIN):
        d.text((W / 2, y), line, font=title_f, fill=WHITE, anchor="ma")
        y += 50

    items = [
        ("ok", "Tên người nhận", "Đọc kỹ tên chủ tài khoản do ngân hàng hiện ra. Đúng người bạn muốn chuyển chưa?"),
        ("ok", "Số tiền", "Đếm lại các số 0 trước khi xác nhận."),
        ("ok", "Nội dung", "Ghi rõ, ví dụ: tiền hàng đơn 123."),
        ("ok", "Quét mã QR", "Tên hiện ra có khớp với cửa hàng không?"),
        ("stop", "Bị hối thúc, dọa nạt?", "Dừng lại. Không chuyển. Hỏi người thân trước."),
        ("stop", "Không đưa mã OTP, mật khẩu", "Kể cả người xưng là ngân hàng hay công an."),
    ]

    y = 170
    icon = 48
    text_x = MARGIN + 24 + icon + 18
    text_w = W - text_x - MARGIN - 16
    for kind, head, body in items:
        head_lines = wrap(d, head, head_f, text_w)
        body_lines = wrap(d, body, body_f, text_w)
        box_h = 16 + 34 * len(head_lines) + 29 * len(body_lines) + 12
        bg = CARD if kind == "ok" else RED_BG
        d.rounded_rectangle((MARGIN, y, W - MARGIN, y + box_h), radius=18, fill=bg)
        icon_y = y + (box_h - icon) // 2
        if kind == "ok":
            draw_check(d, MARGIN + 20, icon_y, icon, GREEN)
        else:
            draw_stop(d, MARGIN + 20, icon_y, icon)
        ty = y + 14
        for line in head_lines:
            d.text((text_x, ty), line, font=head_f, fill=INK if kind == "ok" else RED)
            ty += 34
        for line in body_lines:
            d.text((text_x, ty), line, font=body_f, fill=GREY if kind == "ok" else INK)
            ty += 29
        y += box_h + 12

    # Footer
    foot_top = max(y + 6, H - 112)
    d.rounded_rectangle((MARGIN, foot_top, W - MARGIN, H - 24), radius=18, fill=AMBER_BG)
    lines = ["Có nghi ngờ?", "Gọi số tổng đài in trên thẻ ngân hàng."]
    for line in lines:
        if d.textlength(line, font=foot_f) > W - 2 * MARGIN - 40:
            raise SystemExit(f"footer line too wide: {line}")
    fy = foot_top + ((H - 24 - foot_top) - 32 * len(lines)) // 2
    for line in lines:
        d.text((W / 2, fy), line, font=foot_f, fill=INK, anchor="ma")
        fy += 32

    if y > H - 112:
        raise SystemExit(f"content too tall: {y}px")

    # A small palette keeps the file well under 150 KB.
    img = img.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out, optimize=True)
    print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size // 1024} KB)")


def main() -> None:
    kiem_tra_truoc_khi_chuyen(
        ROOT / "knowledge/lessons/ngan-hang-so/02-chuyen-khoan-vietqr--kiem-tra-truoc-khi-chuyen.png"
    )


if __name__ == "__main__":
    main()
