"""Draw the illustrations of course part 2 (modules dich-vu-cong, ngan-hang-so, mua-sam).

Run from the repository root:  python scripts/draw_illustrations_part2.py
Writes knowledge/lessons/ngan-hang-so/02-chuyen-khoan-vietqr--kiem-tra-truoc-khi-chuyen.png
(its caption, the .md file with the same stem, is written by hand and kept in git).
Helpers and the legibility rules (text at least 26 px, dark on light): scripts/illustration_kit.py.
"""

from __future__ import annotations

from pathlib import Path

from illustration_kit import (
    BOLD,
    INK,
    REGULAR,
    ROOT,
    SUB_INK,
    WHITE,
    WIDTH,
    Colour,
    centered,
    font,
    line_height,
    new_picture,
    save,
    wrap,
)
from PIL import ImageDraw

H = 1200  # drawn tall, then cropped to the content
MARGIN = 24
NAVY = (24, 54, 107)
CARD = (240, 245, 252)
GREEN = (30, 132, 73)
RED = (176, 30, 32)
RED_BG = (253, 236, 236)
AMBER_BG = (255, 244, 214)

ITEMS = [
    ("ok", "Tên người nhận", "Đọc kỹ tên chủ tài khoản ngân hàng hiện ra. Đúng người bạn muốn chuyển chưa?"),
    ("ok", "Số tiền", "Đếm lại các số 0 trước khi xác nhận."),
    ("ok", "Nội dung", "Ghi rõ, ví dụ: tiền hàng đơn 123."),
    ("ok", "Quét mã QR", "Tên hiện ra có khớp với cửa hàng không?"),
    ("stop", "Bị hối thúc, dọa nạt?", "Dừng lại. Không chuyển. Hỏi người thân trước."),
    ("stop", "Không đưa mã OTP, mật khẩu", "Kể cả người xưng là ngân hàng hay công an."),
]


def draw_check(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, colour: Colour) -> None:
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
    img, d = new_picture(H, WHITE)
    title_f = font(BOLD, 40)
    head_f = font(BOLD, 29)
    body_f = font(REGULAR, 26)
    foot_f = font(BOLD, 28)

    # Title band
    d.rectangle((0, 0, WIDTH, 150), fill=NAVY)
    y = 28
    for line in wrap(d, "Kiểm tra trước khi bấm chuyển tiền", title_f, WIDTH - 2 * MARGIN):
        centered(d, y, line, title_f, WHITE)
        y += 50

    y = 168
    icon = 42
    text_x = MARGIN + 12 + icon + 14
    text_w = WIDTH - text_x - MARGIN - 8
    head_h, body_h = line_height(d, head_f, 6), line_height(d, body_f, 6)
    for kind, head, body in ITEMS:
        head_lines = wrap(d, head, head_f, text_w)
        body_lines = wrap(d, body, body_f, text_w)
        box_h = 14 + head_h * len(head_lines) + body_h * len(body_lines) + 10
        d.rounded_rectangle((MARGIN, y, WIDTH - MARGIN, y + box_h), radius=18, fill=CARD if kind == "ok" else RED_BG)
        icon_y = y + (box_h - icon) // 2
        if kind == "ok":
            draw_check(d, MARGIN + 12, icon_y, icon, GREEN)
        else:
            draw_stop(d, MARGIN + 12, icon_y, icon)
        ty = y + 14
        for line in head_lines:
            d.text((text_x, ty), line, font=head_f, fill=INK if kind == "ok" else RED)
            ty += head_h
        for line in body_lines:
            d.text((text_x, ty), line, font=body_f, fill=SUB_INK if kind == "ok" else INK)
            ty += body_h
        y += box_h + 10

    # Footer, right under the cards; the picture ends below it
    lines = ["Có nghi ngờ?", "Gọi số tổng đài in trên thẻ ngân hàng."]
    step = line_height(d, foot_f, 6)
    foot_top, foot_bottom = y + 4, y + 4 + step * len(lines) + 28
    if foot_bottom + 20 > H:
        raise SystemExit(f"content too tall: {foot_bottom}px")
    d.rounded_rectangle((MARGIN, foot_top, WIDTH - MARGIN, foot_bottom), radius=18, fill=AMBER_BG)
    fy = foot_top + 14
    for line in lines:
        centered(d, fy, line, foot_f, INK)
        fy += step
    save(img.crop((0, 0, WIDTH, foot_bottom + 20)), out)


def main() -> None:
    kiem_tra_truoc_khi_chuyen(
        ROOT / "knowledge/lessons/ngan-hang-so/02-chuyen-khoan-vietqr--kiem-tra-truoc-khi-chuyen.png"
    )


if __name__ == "__main__":
    main()
