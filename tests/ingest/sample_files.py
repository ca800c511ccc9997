"""Small real files of every supported format, made by the tests themselves."""

from __future__ import annotations

from pathlib import Path

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

LESSON_MD = """---
id: an-toan-99
title: Mật khẩu và mã OTP
module: an-toan
skills: [mat-khau]
level: co-ban
audience: [all]
objectives:
  - Biết đặt mật khẩu mạnh.
---

## Mật khẩu mạnh

Mật khẩu mạnh dài ít nhất 12 ký tự, có chữ hoa, chữ thường, số và ký hiệu.

## Mã OTP

Mã OTP chỉ dùng một lần. Không bao giờ đọc mã OTP cho người khác, kể cả người xưng là công an.

## Ghi nhớ

- Không chia sẻ mã OTP.
"""

VTT = """WEBVTT

00:00:01.000 --> 00:00:09.000
Xin chào các bạn, hôm nay chúng ta học về mã OTP.

00:02:15.000 --> 00:02:25.000
Ngân hàng không bao giờ gọi điện xin mã OTP của bạn.
"""

SRT = """1
00:00:01,000 --> 00:00:05,000
Chào mừng các bạn.

2
00:01:05,500 --> 00:01:10,000
Hãy cập nhật phần mềm điện thoại thường xuyên.
"""


def make_pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", "", FONT)
    pdf.set_font("DejaVu", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("Ví điện tử", level=1)
    document.add_paragraph("Ví điện tử phải liên kết với tài khoản ngân hàng chính chủ.")
    document.add_heading("Hạn mức", level=2)
    document.add_paragraph("Mỗi ví có hạn mức giao dịch theo tháng.")
    document.save(str(path))
    return path


def make_png(path: Path, caption: str | None = None) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 60), "white")
    ImageDraw.Draw(image).rectangle((10, 10, 110, 50), outline="red", width=3)
    image.save(path)
    if caption is not None:
        path.with_suffix(".md").write_text(caption, encoding="utf-8")
    return path


HTML = """<!doctype html><html><head><title>Mua sắm an toàn</title><script>var x = "bỏ qua";</script></head>
<body><h1>Mua sắm an toàn</h1><p>Chọn người bán có nhiều đánh giá thật.</p>
<h2>Thanh toán</h2><p>Ưu tiên thanh toán khi nhận hàng (COD) với người bán lạ.</p></body></html>"""
