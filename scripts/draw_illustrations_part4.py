"""Draw the step-by-step screen illustrations of the second edition (issue 13).

Run from the repository root:  python scripts/draw_illustrations_part4.py
Writes four pictures, each next to its lesson (captions: the .md files with the same stem, by hand):
  knowledge/lessons/dich-vu-cong/02-kich-hoat-vneid--doc-chip-nfc.png        NFC on, where to hold the card
  knowledge/lessons/xu-ly-su-co/02-bao-ve-tai-khoan-zalo--xac-thuc-2-lop.png  Zalo two-step login
  knowledge/lessons/xu-ly-su-co/01-mat-dien-thoai--tim-khoa-xoa.png           lost phone: find, lock, SIM, erase
  knowledge/lessons/thu-tuc-thiet-yeu/03-tam-tru-vneid--khai-tren-vneid.png   temporary residence on VNeID
Each picture is a column of steps: a simplified phone screen (left) and what to do (right). Menu names
are the ones the lessons teach; apps rename them, so every picture says so at the bottom.
Helpers and the legibility rules (text at least 26 px, dark on light): scripts/illustration_kit.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
    nfc,
    save,
    wrap,
)
from PIL import ImageDraw

MARGIN = 20
MOCK_W = 300  # the phone-screen column
TEXT_X = MARGIN + MOCK_W + 24
TEXT_W = WIDTH - TEXT_X - MARGIN - 6
FRAME = (38, 42, 48)  # phone body
SCREEN = (248, 249, 251)
LINE = (206, 212, 220)
GREEN = (28, 128, 62)
RED = (176, 30, 32)
TAP = (230, 81, 0)  # the ring that marks where to tap
GOLD = (196, 150, 40)

Draw = ImageDraw.ImageDraw
Mock = Callable[[Draw, int, int, int, int], None]  # draws inside the screen box (x, y, w, h)


@dataclass(frozen=True)
class Step:
    text: str
    mock: Mock
    mock_h: int = 210  # height of the phone drawing


# --- small screen parts ------------------------------------------------------------------------


def label(d: Draw, x: float, y: float, text: str, size: int = 26, bold: bool = False, fill: Colour = INK) -> None:
    d.text((x, y), nfc(text), font=font(BOLD if bold else REGULAR, size), fill=fill)


def toggle(d: Draw, x: int, y: int, on: bool = True) -> None:
    """A switch 64x34; green with the knob right when on."""
    d.rounded_rectangle((x, y, x + 64, y + 34), radius=17, fill=GREEN if on else (160, 166, 174))
    kx = x + 47 if on else x + 17
    d.ellipse((kx - 13, y + 4, kx + 13, y + 30), fill=WHITE)


def tap_ring(d: Draw, box: tuple[float, float, float, float]) -> None:
    """An orange outline around the thing to tap."""
    x0, y0, x1, y1 = box
    d.rounded_rectangle((x0 - 5, y0 - 5, x1 + 5, y1 + 5), radius=14, outline=TAP, width=5)


def tapped_label(d: Draw, x: float, y: float, text: str, fill: Colour) -> None:
    """A bold label with the tap ring fitted around it."""
    label(d, x, y, text, bold=True, fill=fill)
    width = d.textlength(nfc(text), font=font(BOLD, 26))
    tap_ring(d, (x - 4, y - 2, x + width + 4, y + 34))


def padlock(d: Draw, x: int, y: int, colour: Colour) -> None:
    """A padlock 52 px wide, 70 px high, its top left at (x, y)."""
    d.rounded_rectangle((x, y + 26, x + 52, y + 70), radius=8, fill=colour)
    d.arc((x + 8, y, x + 44, y + 50), 180, 360, fill=colour, width=8)
    d.line([(x + 8, y + 25), (x + 8, y + 30)], fill=colour, width=8)
    d.line([(x + 44, y + 25), (x + 44, y + 30)], fill=colour, width=8)


def chevron(d: Draw, x: float, y: float) -> None:
    d.line([(x, y - 9), (x + 9, y), (x, y + 9)], fill=SUB_INK, width=4)


def menu_row(d: Draw, x: int, y: int, w: int, text: str, tapped: bool = False, bold: bool = False) -> int:
    """A menu line with a chevron, wrapped to the width; returns its height."""
    fnt = font(BOLD if bold else REGULAR, 26)
    lines = wrap(d, text, fnt, w - 50)
    h = 16 + len(lines) * line_height(d, fnt, 4)
    d.line([(x, y + h), (x + w, y + h)], fill=LINE, width=2)
    ty = y + 8
    for ln in lines:
        d.text((x + 10, ty), ln, font=fnt, fill=INK)
        ty += line_height(d, fnt, 4)
    chevron(d, x + w - 24, y + h / 2)
    if tapped:
        tap_ring(d, (x + 2, y + 2, x + w - 2, y + h - 2))
    return h


def phone_screen(d: Draw, x: int, y: int, w: int, h: int, title: str, colour: Colour) -> tuple[int, int, int, int]:
    """A phone seen from the front, cut to the part that matters: frame, app bar; returns the content box."""
    d.rounded_rectangle((x, y, x + w, y + h), radius=26, fill=FRAME)
    d.rounded_rectangle((x + 10, y + 10, x + w - 10, y + h - 10), radius=18, fill=SCREEN)
    d.rounded_rectangle((x + 10, y + 10, x + w - 10, y + 58), radius=18, fill=colour)
    d.rectangle((x + 10, y + 40, x + w - 10, y + 58), fill=colour)
    label(d, x + 24, y + 17, title, bold=True, fill=WHITE)
    return x + 14, y + 64, w - 28, h - 78


def phone_back(d: Draw, x: int, y: int, w: int, h: int, iphone: bool) -> None:
    """A phone seen from the back, with its camera block."""
    d.rounded_rectangle((x, y, x + w, y + h), radius=24, fill=FRAME)
    d.rounded_rectangle((x + 6, y + 6, x + w - 6, y + h - 6), radius=20, fill=(70, 76, 86))
    cam = (x + 14, y + 14, x + 62, y + 70) if iphone else (x + 14, y + 14, x + 50, y + 90)
    d.rounded_rectangle(cam, radius=12, fill=FRAME)
    for cy in (cam[1] + 16, cam[1] + 42) if iphone else (cam[1] + 16, cam[1] + 44, cam[1] + 70):
        d.ellipse((cam[0] + 8, cy - 10, cam[0] + 28, cy + 10), fill=(20, 20, 24))


def id_card(d: Draw, x: int, y: int, w: int, h: int) -> None:
    """The chip ID card, chip side up (the side that faces the phone)."""
    d.rounded_rectangle((x, y, x + w, y + h), radius=10, fill=(214, 232, 250), outline=(21, 101, 192), width=3)
    d.rounded_rectangle((x + 14, y + h // 2 - 16, x + 54, y + h // 2 + 16), radius=5, fill=GOLD)
    d.line([(x + 14, y + h // 2), (x + 54, y + h // 2)], fill=(150, 110, 20), width=2)
    d.line([(x + 34, y + h // 2 - 16), (x + 34, y + h // 2 + 16)], fill=(150, 110, 20), width=2)
    for i in range(3):
        d.rounded_rectangle((x + 66, y + 16 + i * 18, x + w - 14, y + 24 + i * 18), radius=3, fill=(150, 180, 215))


def arrow_down(d: Draw, cx: int, y0: int, y1: int, colour: Colour) -> None:
    d.line([(cx, y0), (cx, y1 - 14)], fill=colour, width=6)
    d.polygon([(cx - 14, y1 - 18), (cx + 14, y1 - 18), (cx, y1)], fill=colour)


# --- the picture layout ------------------------------------------------------------------------


def draw_steps(out: Path, title: str, subtitle: str, colour: Colour, steps: list[Step], footer: list[str]) -> None:
    """Title band, one row per step (phone drawing left, numbered text right), a footer box."""
    img, d = new_picture(2400, WHITE)
    d.rectangle((0, 0, WIDTH, 150), fill=colour)
    centered(d, 26, title, font(BOLD, 40), WHITE)
    centered(d, 90, subtitle, font(REGULAR, 28), WHITE)
    text_f, num_f = font(REGULAR, 28), font(BOLD, 30)
    step_h = line_height(d, text_f, 8)
    y = 172
    for number, step in enumerate(steps, start=1):
        lines = wrap(d, step.text, text_f, TEXT_W)
        row_h = max(step.mock_h, 56 + len(lines) * step_h)
        if number > 1:
            d.line([(MARGIN, y - 12), (WIDTH - MARGIN, y - 12)], fill=LINE, width=2)
        step.mock(d, MARGIN, y, MOCK_W, step.mock_h)
        d.ellipse((TEXT_X, y, TEXT_X + 48, y + 48), fill=colour)
        d.text((TEXT_X + 24, y + 24), str(number), font=num_f, fill=WHITE, anchor="mm")
        ty = y + 56
        for ln in lines:
            d.text((TEXT_X, ty), ln, font=text_f, fill=INK)
            ty += step_h
        y += row_h + 24
    foot_f = font(BOLD, 27)
    foot_lines = [ln for part in footer for ln in wrap(d, part, foot_f, WIDTH - 2 * MARGIN - 40)]
    foot_step = line_height(d, foot_f, 8)
    bottom = y + 28 + foot_step * len(foot_lines)
    d.rounded_rectangle((MARGIN, y, WIDTH - MARGIN, bottom), radius=18, fill=(255, 240, 214))
    fy = y + 16
    for ln in foot_lines:
        centered(d, fy, ln, foot_f, INK)
        fy += foot_step
    save(img.crop((0, 0, WIDTH, bottom + MARGIN)), out)


# --- 1. NFC: switch it on, hold the card (dich-vu-cong-02) -------------------------------------


def nfc_switch(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, _ = phone_screen(d, x, y, w, h, "Cài đặt", (21, 101, 192))
    d.rounded_rectangle((cx + 6, cy + 6, cx + cw - 6, cy + 48), radius=20, outline=LINE, width=3)
    label(d, cx + 20, cy + 11, "NFC", fill=SUB_INK)
    d.ellipse((cx + cw - 44, cy + 15, cx + cw - 22, cy + 37), outline=SUB_INK, width=3)
    label(d, cx + 10, cy + 76, "NFC", bold=True)
    toggle(d, cx + cw - 80, cy + 74)
    tap_ring(d, (cx + cw - 80, cy + 74, cx + cw - 16, cy + 108))


def caption_under(d: Draw, x: int, y: int, w: int, text: str, fill: Colour) -> None:
    """A short bold label centred under a drawing."""
    d.text((x + w / 2, y), nfc(text), font=font(BOLD, 26), fill=fill, anchor="ma")


def no_case(d: Draw, x: int, y: int, w: int, h: int) -> None:
    phone_back(d, x + 20, y, 120, h - 40, iphone=False)
    case = (x + 170, y, x + 290, y + h - 40)  # the case, taken off and set aside
    d.rounded_rectangle(case, radius=22, outline=SUB_INK, width=8)
    d.line([(case[0] + 4, case[1] + 4), (case[2] - 4, case[3] - 4)], fill=RED, width=7)
    d.line([(case[2] - 4, case[1] + 4), (case[0] + 4, case[3] - 4)], fill=RED, width=7)
    caption_under(d, x + 150, y + h - 32, 150, "Ốp dày", RED)


def card_android(d: Draw, x: int, y: int, w: int, h: int) -> None:
    phone_back(d, x + 65, y, 170, h - 40, iphone=False)
    id_card(d, x + 40, y + (h - 40) // 2 - 44, 220, 88)
    caption_under(d, x, y + h - 32, w, "Giữa lưng máy", GREEN)


def card_iphone(d: Draw, x: int, y: int, w: int, h: int) -> None:
    phone_back(d, x + 65, y, 170, h - 40, iphone=True)
    id_card(d, x + 40, y + 58, 220, 88)
    caption_under(d, x, y + h - 32, w, "Gần camera", GREEN)


def draw_nfc() -> None:
    draw_steps(
        ROOT / "knowledge/lessons/dich-vu-cong/02-kich-hoat-vneid--doc-chip-nfc.png",
        "Đọc chip thẻ căn cước",
        "bằng NFC, cho VNeID và ngân hàng",
        (21, 101, 192),
        [
            Step("Android: mở Cài đặt, gõ “NFC” vào ô tìm, gạt nút sang bật. iPhone không cần bật.", nfc_switch),
            Step("Tháo ốp lưng dày hoặc có kim loại. Bỏ thẻ từ, nam châm kẹp sau máy.", no_case, 240),
            Step("Android: áp thẻ phẳng vào giữa lưng máy, mặt có chip vàng quay vào máy.", card_android, 250),
            Step("iPhone: áp thẻ ở phần trên lưng máy, gần camera.", card_iphone, 250),
        ],
        ["Giữ yên 5–10 giây đến khi báo xong.", "Lỗi: dịch thẻ lên, xuống vài xăng-ti-mét rồi thử lại."],
    )


# --- 2. Zalo two-step login (xu-ly-su-co-02) ---------------------------------------------------

ZALO = (0, 104, 255)


def zalo_tab(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, ch = phone_screen(d, x, y, w, h, "Zalo", ZALO)
    bar_y = cy + ch - 62
    d.line([(cx, bar_y), (cx + cw, bar_y)], fill=LINE, width=2)
    for i in range(3):
        d.rounded_rectangle((cx + 14 + i * 44, bar_y + 16, cx + 44 + i * 44, bar_y + 46), radius=8, fill=LINE)
    tx = cx + cw - 12 - d.textlength(nfc("Cá nhân"), font=font(BOLD, 26))
    tapped_label(d, tx, bar_y + 14, "Cá nhân", ZALO)
    for i in range(2):
        d.rounded_rectangle((cx + 10, cy + 14 + i * 40, cx + cw - 30, cy + 36 + i * 40), radius=8, fill=(230, 236, 244))


def zalo_security(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, _ = phone_screen(d, x, y, w, h, "Cá nhân", ZALO)
    cy += menu_row(d, cx, cy + 4, cw, "Tài khoản và bảo mật", tapped=True, bold=True) + 8
    menu_row(d, cx, cy + 4, cw, "Quyền riêng tư")


def zalo_two_step(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, _ = phone_screen(d, x, y, w, h, "Bảo mật", ZALO)
    label(d, cx + 10, cy + 14, "Xác thực 2 lớp", bold=True)
    toggle(d, cx + cw - 78, cy + 60)
    tap_ring(d, (cx + cw - 78, cy + 60, cx + cw - 14, cy + 94))
    label(d, cx + 10, cy + 62, "Bật", fill=GREEN, bold=True)


def zalo_lock(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, _ = phone_screen(d, x, y, w, h, "Bảo mật", ZALO)
    label(d, cx + 10, cy + 10, "Mã khóa Zalo", bold=True)
    for i in range(4):
        d.ellipse((cx + 40 + i * 52, cy + 70, cx + 70 + i * 52, cy + 100), fill=ZALO if i < 2 else LINE)


def draw_zalo() -> None:
    draw_steps(
        ROOT / "knowledge/lessons/xu-ly-su-co/02-bao-ve-tai-khoan-zalo--xac-thuc-2-lop.png",
        "Bật xác thực 2 lớp cho Zalo",
        "để máy lạ không đăng nhập được",
        ZALO,
        [
            Step("Mở Zalo, chạm Cá nhân ở góc dưới bên phải.", zalo_tab),
            Step("Chọn Tài khoản và bảo mật. Không thấy thì chạm hình bánh răng (Cài đặt).", zalo_security, 250),
            Step("Bật Xác thực 2 lớp. Máy lạ đăng nhập phải qua thêm một bước xác nhận.", zalo_two_step),
            Step("Đặt Mã khóa Zalo bằng mã số hoặc vân tay, để người cầm máy không mở được Zalo.", zalo_lock),
        ],
        ["Không ai cần mã kích hoạt, mật khẩu Zalo của bạn.", "Tên mục có thể hơi khác tùy phiên bản."],
    )


# --- 3. A lost phone: find, lock, SIM, erase (xu-ly-su-co-01) ----------------------------------

LOST = (106, 27, 154)


def find_page(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, _ = phone_screen(d, x, y, w, h, "Máy người thân", LOST)
    d.rounded_rectangle((cx + 4, cy + 8, cx + cw - 4, cy + 96), radius=14, outline=LINE, width=3)
    label(d, cx + 16, cy + 14, "google.com/", bold=True)
    label(d, cx + 16, cy + 52, "android/find", bold=True)


def map_sound(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, ch = phone_screen(d, x, y, w, h, "Tìm thiết bị", LOST)
    d.rectangle((cx, cy, cx + cw, cy + ch - 50), fill=(222, 236, 214))
    d.line([(cx, cy + 40), (cx + cw, cy + 70)], fill=WHITE, width=10)
    d.line([(cx + 150, cy), (cx + 120, cy + ch - 50)], fill=WHITE, width=10)
    px, py = cx + 150, cy + 50
    d.ellipse((px - 16, py - 16, px + 16, py + 16), fill=RED)
    d.polygon([(px - 12, py + 8), (px + 12, py + 8), (px, py + 30)], fill=RED)
    tapped_label(d, cx + 12, cy + ch - 40, "Phát âm thanh", LOST)


def lock_phone(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, _ = phone_screen(d, x, y, w, h, "Tìm thiết bị", LOST)
    padlock(d, cx + 20, cy + 24, LOST)
    tapped_label(d, cx + 96, cy + 44, "Khóa máy", INK)


def sim_call(d: Draw, x: int, y: int, w: int, h: int) -> None:
    sx, sy = x + 40, y + 30
    d.polygon([(sx, sy), (sx + 90, sy), (sx + 120, sy + 30), (sx + 120, sy + 150), (sx, sy + 150)], fill=(70, 76, 86))
    d.rounded_rectangle((sx + 24, sy + 50, sx + 96, sy + 120), radius=8, fill=GOLD)
    padlock(d, sx + 84, sy + 90, RED)
    label(d, sx + 160, sy + 40, "Khóa", bold=True, fill=RED)
    label(d, sx + 160, sy + 80, "SIM", bold=True, fill=RED)


def erase(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, _ = phone_screen(d, x, y, w, h, "Tìm thiết bị", LOST)
    label(d, cx + 10, cy + 20, "Xóa thiết bị", bold=True, fill=RED)
    d.rounded_rectangle((cx + 10, cy + 70, cx + cw - 10, cy + 106), radius=10, fill=(253, 236, 236))
    label(d, cx + 22, cy + 74, "Chỉ khi cần", fill=RED)


def draw_lost_phone() -> None:
    draw_steps(
        ROOT / "knowledge/lessons/xu-ly-su-co/01-mat-dien-thoai--tim-khoa-xoa.png",
        "Mất điện thoại: làm ngay",
        "tìm, khóa máy, khóa SIM, rồi mới xóa",
        LOST,
        [
            Step(
                "Mượn máy khác, mở google.com/android/find (iPhone: icloud.com/find), đăng nhập.",
                find_page,
                190,
            ),
            Step("Xem vị trí trên bản đồ. Máy ở gần thì chọn phát âm thanh để tìm.", map_sound, 230),
            Step("Không thấy máy: chọn khóa máy, ghi lời nhắn và một số điện thoại khác.", lock_phone, 190),
            Step("Gọi tổng đài nhà mạng khóa SIM, gọi ngân hàng khóa tài khoản trên máy.", sim_call, 190),
            Step("Chắc không lấy lại được: chọn xóa dữ liệu trên máy.", erase, 190),
        ],
        ["Tìm và khóa trước, xóa sau cùng:", "xóa rồi, máy Android hết hiện vị trí."],
    )


# --- 4. Temporary residence on VNeID (thu-tuc-thiet-yeu-03) ------------------------------------

VNEID = (176, 30, 32)


def vneid_home(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, _ = phone_screen(d, x, y, w, h, "VNeID", VNEID)
    for i in range(3):
        d.rounded_rectangle((cx + 10 + i * 88, cy + 10, cx + 80 + i * 88, cy + 50), radius=10, fill=(240, 226, 226))
    tile = (cx + 8, cy + 64, cx + cw - 8, cy + 134)
    d.rounded_rectangle(tile, radius=12, fill=(253, 236, 236))
    label(d, cx + 20, cy + 68, "Thủ tục", bold=True)
    label(d, cx + 20, cy + 100, "hành chính", bold=True)
    tap_ring(d, tile)


def vneid_menu(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, _ = phone_screen(d, x, y, w, h, "Thủ tục", VNEID)
    cy += menu_row(d, cx, cy + 4, cw, "Thường trú") + 12
    menu_row(d, cx, cy + 4, cw, "Đăng ký tạm trú", tapped=True)


def vneid_form(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, _ = phone_screen(d, x, y, w, h, "Tạm trú", VNEID)
    for i, name in enumerate(("Địa chỉ", "Lý do", "Thời hạn")):
        fy = cy + 6 + i * 44
        label(d, cx + 10, fy, name, bold=True)
        d.line([(cx + 148, fy + 32), (cx + cw - 10, fy + 32)], fill=SUB_INK, width=3)


def vneid_upload(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, _ = phone_screen(d, x, y, w, h, "Tạm trú", VNEID)
    d.rounded_rectangle((cx + 14, cy + 10, cx + 84, cy + 100), radius=6, fill=WHITE, outline=SUB_INK, width=3)
    for i in range(4):
        d.line([(cx + 26, cy + 30 + i * 16), (cx + 72, cy + 30 + i * 16)], fill=LINE, width=4)
    label(d, cx + 100, cy + 20, "Hợp đồng", bold=True)
    label(d, cx + 100, cy + 56, "thuê nhà", bold=True)


def vneid_send(d: Draw, x: int, y: int, w: int, h: int) -> None:
    cx, cy, cw, _ = phone_screen(d, x, y, w, h, "Tạm trú", VNEID)
    button = (cx + 30, cy + 30, cx + cw - 30, cy + 90)
    d.rounded_rectangle(button, radius=14, fill=VNEID)
    d.text(((button[0] + button[2]) / 2, cy + 60), nfc("Gửi hồ sơ"), font=font(BOLD, 28), fill=WHITE, anchor="mm")
    tap_ring(d, button)


def draw_residence() -> None:
    draw_steps(
        ROOT / "knowledge/lessons/thu-tuc-thiet-yeu/03-tam-tru-vneid--khai-tren-vneid.png",
        "Khai tạm trú trên VNeID",
        "tự làm trên điện thoại, không cần thuê",
        VNEID,
        [
            Step("Mở VNeID, đăng nhập. Chọn Thủ tục hành chính.", vneid_home, 222),
            Step("Chọn Đăng ký tạm trú, rồi chọn công an xã, phường nơi bạn đang ở.", vneid_menu, 220),
            Step("Điền địa chỉ chỗ ở, lý do (ví dụ: đi làm), thời hạn.", vneid_form, 226),
            Step("Tải ảnh hợp đồng thuê nhà, nhập thông tin chủ nhà.", vneid_upload, 180),
            Step("Đọc lại, bấm gửi. Xem kết quả trong mục hồ sơ đã gửi.", vneid_send, 180),
        ],
        ["Không đưa mật khẩu VNeID cho ai.", "Tên mục có thể hơi khác tùy phiên bản."],
    )


def main() -> None:
    draw_nfc()
    draw_zalo()
    draw_lost_phone()
    draw_residence()


if __name__ == "__main__":
    main()
