"""Draw the illustration of lesson cong-doan-so-05 ("Gia đình CNVCLĐ số").

Run from the repository root:  python scripts/draw_illustrations_part3.py
Writes knowledge/lessons/cong-doan-so/05-gia-dinh-cnvcld-so--gia-dinh-so.png
Helpers and the legibility rules (text at least 26 px, dark on light): scripts/illustration_kit.py.
"""

from __future__ import annotations

from illustration_kit import (
    BOLD,
    INK,
    REGULAR,
    ROOT,
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

OUT = ROOT / "knowledge/lessons/cong-doan-so/05-gia-dinh-cnvcld-so--gia-dinh-so.png"
H = 1060
BG = (255, 250, 240)
BLUE = (21, 101, 192)
GREEN = (36, 110, 40)
ORANGE = (200, 80, 0)  # darker than the old orange: text on a light background
PURPLE = (106, 27, 154)
RED = (176, 30, 32)
STEP_COLOURS = [BLUE, GREEN, ORANGE, PURPLE]

STEPS = [
    ("Chọn người hướng dẫn", "Người thạo điện thoại, kiên nhẫn."),
    ("Lập danh sách việc cần", "VNeID, chuyển khoản, gọi video, nhận biết lừa đảo."),
    ("Chỉ từng việc, người thân tự bấm", "Ghi các bước ra giấy, dán gần chỗ để máy."),
    ("Ôn lại mỗi cuối tuần", "Kể cho nhau nghe các chiêu lừa mới."),
]


def person(draw: ImageDraw.ImageDraw, cx: int, cy: int, scale: float, colour: Colour) -> None:
    """A simple person: head and rounded body."""
    r = int(16 * scale)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    bw, bh = int(26 * scale), int(34 * scale)
    draw.rounded_rectangle((cx - bw, cy + r + 4, cx + bw, cy + r + 4 + bh), radius=int(14 * scale), fill=colour)


def phone(draw: ImageDraw.ImageDraw, x: int, y: int) -> None:
    draw.rounded_rectangle((x, y, x + 26, y + 44), radius=5, fill=INK)
    draw.rectangle((x + 4, y + 6, x + 22, y + 34), fill=(144, 202, 249))
    draw.ellipse((x + 10, y + 37, x + 16, y + 42), fill=(200, 200, 200))


def main() -> None:
    img, d = new_picture(H, BG)

    # Header band
    d.rectangle((0, 0, WIDTH, 150), fill=BLUE)
    centered(d, 28, "GIA ĐÌNH CNVCLĐ SỐ", font(BOLD, 44), WHITE)
    centered(d, 92, "Một người thạo công nghệ giúp cả nhà", font(REGULAR, 28), WHITE)

    # Family: the helper (with phone) and three relatives
    base_y = 182
    person(d, 150, base_y, 1.25, ORANGE)
    phone(d, 185, base_y + 20)
    for cx, col, sc in ((340, GREEN, 1.1), (470, PURPLE, 1.15), (590, (0, 110, 120), 0.85)):
        person(d, cx, base_y + 6, sc, col)
    label_f = font(BOLD, 26)
    d.text((150, base_y + 84), "Người hướng dẫn", font=label_f, fill=ORANGE, anchor="ma")
    d.text((470, base_y + 84), "Ông bà, bố mẹ, con cháu", font=font(REGULAR, 26), fill=INK, anchor="ma")

    # Step cards
    title_f, body_f, num_f = font(BOLD, 28), font(REGULAR, 26), font(BOLD, 34)
    title_h, body_h = line_height(d, title_f, 6), line_height(d, body_f, 6)
    y = 320
    for i, (title, body) in enumerate(STEPS):
        col = STEP_COLOURS[i]
        tx, tw = 118, WIDTH - 30 - 118 - 12
        lines = wrap(d, title, title_f, tw)
        body_lines = wrap(d, body, body_f, tw)
        card_h = max(118, 24 + len(lines) * title_h + len(body_lines) * body_h)
        d.rounded_rectangle((30, y, WIDTH - 30, y + card_h), radius=18, fill=WHITE, outline=col, width=4)
        cy = y + card_h // 2
        d.ellipse((46, cy - 30, 106, cy + 30), fill=col)
        d.text((76, cy), str(i + 1), font=num_f, fill=WHITE, anchor="mm")
        ty = y + (card_h - (len(lines) * title_h + len(body_lines) * body_h)) // 2
        for ln in lines:
            d.text((tx, ty), ln, font=title_f, fill=col)
            ty += title_h
        for ln in body_lines:
            d.text((tx, ty), ln, font=body_f, fill=INK)
            ty += body_h
        y += card_h + 12

    # Safety footer
    foot = (
        "Ai giữ mật khẩu, mã OTP của người nấy.",
        "Người gọi nhờ chuyển tiền gấp?",
        "Hỏi câu hỏi riêng của gia đình.",
    )
    foot_f = font(BOLD, 27)
    step = line_height(d, foot_f, 8)
    if y + 20 + step * len(foot) > H - 24:
        raise SystemExit(f"content too tall: {y}px")
    d.rounded_rectangle((30, y + 4, WIDTH - 30, H - 24), radius=18, fill=(255, 235, 238), outline=RED, width=3)
    fy = y + 4 + ((H - 24 - y - 4) - step * len(foot)) // 2
    for ln in foot:
        centered(d, fy, ln, foot_f, RED)
        fy += step
    save(img, OUT)


if __name__ == "__main__":
    main()
