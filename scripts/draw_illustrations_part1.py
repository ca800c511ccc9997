"""Draw the illustrations of course part 1 (modules dien-thoai, internet-an-toan, lua-dao).

Run from the repository root:  python scripts/draw_illustrations_part1.py
Output: knowledge/lessons/lua-dao/01-cuoc-goi-tin-nhan-gia-danh--5-dau-hieu.png
(its caption is the .md file with the same stem, written by hand).
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
    centered,
    font,
    line_height,
    new_picture,
    save,
    wrap,
)

H = 1000
BG = (255, 248, 235)
RED = (200, 40, 40)
CARD_EDGE = (235, 200, 170)
GREEN = (30, 120, 65)

SIGNS = [
    ("Giục gấp, đe dọa", "“Tài khoản sẽ bị khóa trong 24 giờ!”"),
    ("Có đường link lạ", "Link rút gọn, tên trang sai chính tả"),
    ("Đòi mã OTP, mật khẩu", "Ngân hàng, công an không bao giờ hỏi"),
    ("Hứa quà, việc nhẹ lương cao", "“Trúng thưởng”, “500.000 đ/ngày”"),
    ("Bắt chuyển tiền, cài ứng dụng", "Tệp .apk, “tài khoản tạm giữ”"),
]


def draw_five_signs(out: Path) -> None:
    img, d = new_picture(H, BG)

    # Title band
    d.rectangle([0, 0, WIDTH, 160], fill=RED)
    centered(d, 28, "5 DẤU HIỆU", font(BOLD, 52), WHITE)
    centered(d, 96, "tin nhắn lừa đảo", font(BOLD, 40), (255, 235, 200))

    head_f = font(BOLD, 30)
    sub_f = font(REGULAR, 27)
    num_f = font(BOLD, 40)
    top = 180
    card_h = 122
    gap = 12
    text_x = 130
    text_w = WIDTH - text_x - 40
    for i, (head, sub) in enumerate(SIGNS, start=1):
        y0 = top + (i - 1) * (card_h + gap)
        d.rounded_rectangle([24, y0, WIDTH - 24, y0 + card_h], radius=18, fill=WHITE, outline=CARD_EDGE, width=3)
        cx, cy, r = 76, y0 + card_h // 2, 36
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=RED)
        d.text((cx, cy), str(i), font=num_f, fill=WHITE, anchor="mm")
        lines = [(ln, head_f, INK) for ln in wrap(d, head, head_f, text_w)]
        lines += [(ln, sub_f, SUB_INK) for ln in wrap(d, sub, sub_f, text_w)]
        heights = [line_height(d, f) for _, f, _ in lines]
        if sum(heights) > card_h - 12:
            raise SystemExit(f"sign {i} does not fit its card")
        ty = cy - sum(heights) // 2
        for (ln, f, colour), h in zip(lines, heights, strict=True):
            d.text((text_x, ty), ln, font=f, fill=colour)
            ty += h

    # Footer: what to do
    fy = top + 5 * (card_h + gap) + 4
    d.rounded_rectangle([24, fy, WIDTH - 24, H - 20], radius=18, fill=GREEN)
    foot_f = font(BOLD, 28)
    mid = (fy + H - 20) // 2
    centered(d, mid - 40, "Không bấm link. Không đưa OTP.", foot_f, WHITE)
    centered(d, mid + 4, "Tự gọi số in trên thẻ ngân hàng.", foot_f, WHITE)
    save(img, out)


def main() -> None:
    draw_five_signs(ROOT / "knowledge/lessons/lua-dao/01-cuoc-goi-tin-nhan-gia-danh--5-dau-hieu.png")


if __name__ == "__main__":
    main()
