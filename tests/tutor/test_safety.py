"""Scam-in-progress detection and the safety steps."""

from __future__ import annotations

import unicodedata

import pytest

from knowledge.textnorm import has_marks
from tutor.safety import is_scam_in_progress, safety_steps

IN_PROGRESS = [
    "có người đang bảo tôi chuyển tiền",
    "co nguoi dang bao toi chuyen tien",
    "có người gọi bảo tôi chuyển tiền để khỏi bị bắt",
    "co nguoi goi bao toi chuyen tien de khoi bi bat",
    "CÓ NGƯỜI GỌI BẢO TÔI CHUYỂN TIỀN!!!",
    "dang bi lua",
    "hình như mình bị lừa rồi",
    "em vừa bị lừa mất 5 triệu",
    "bảo cài app",
    "ho goi bao cai app vneid gia",
    "đọc mã OTP",
    "họ bắt mình đọc mã OTP",
    "tôi có nên đọc otp cho họ không",
    "co ng bao t ck gap",  # teencode: có người bảo tôi chuyển khoản gấp
    "ben kia dang goi doi otp",
    "người ta gọi xưng công an bảo chuyển tiền vào tài khoản an toàn",
    "Có người tự xưng là nhân viên ngân hàng gọi cho tôi",
    "có người nhắn tin gửi link bảo bấm vào",
    "họ yêu cầu tôi cung cấp mật khẩu",
    "shipper goi bao chuyen khoan tien ship",
]

NOT_IN_PROGRESS = [
    "",
    "   ",
    "👍",
    "Lừa đảo qua mạng là gì?",
    "dấu hiệu nhận biết cuộc gọi lừa đảo",
    "Làm sao để không bị lừa khi mua hàng online?",
    "OTP là gì?",
    "mã OTP dùng để làm gì",
    "nhập mã OTP ở đâu khi kích hoạt VNeID",
    "Cách chuyển tiền bằng app ngân hàng",
    "xin hỏi cách chuyển tiền",
    "nội dung chuyển khoản ghi gì",
    "thông báo chuyển tiền",
    "Làm sao cài app VNeID?",
    "bắt đầu cài app thế nào",
    "làm sao bảo vệ tài khoản bằng mật khẩu mạnh",
    "làm sao giữ tài khoản an toàn",
    "cách đổi mật khẩu",
    "quên mật khẩu VNeID thì làm sao",
    "nhập sai mật khẩu có bị khóa không",
    "tạo tài khoản VssID",
    "công thức nấu phở",
    "tinh nang nao nho giup mat khau",
]


@pytest.mark.parametrize("text", IN_PROGRESS)
def test_scam_in_progress_is_recognised(text: str) -> None:
    assert is_scam_in_progress(text) is True


@pytest.mark.parametrize("text", NOT_IN_PROGRESS)
def test_general_questions_are_not_scams_in_progress(text: str) -> None:
    assert is_scam_in_progress(text) is False


def test_decomposed_unicode_is_recognised() -> None:
    """Some keyboards send combining marks (NFD); detection must not depend on the form."""
    text = unicodedata.normalize("NFD", "có người đang bảo tôi chuyển tiền")
    assert is_scam_in_progress(text)


def test_safety_steps_cover_the_essentials_in_order() -> None:
    steps = safety_steps()
    lowered = steps.lower()
    positions = [
        lowered.index("dừng"),
        lowered.index("không chuyển tiền"),
        lowered.index("otp"),
        lowered.index("tổng đài in trên thẻ"),
        lowered.index("báo công an"),
    ]
    assert positions == sorted(positions)  # stop first, report last
    assert "ứng dụng chính thức" in lowered  # lock through the official app
    assert has_marks(steps)
    assert steps == unicodedata.normalize("NFC", steps)
    # Phone-sized: short overall, no line longer than a few phone lines.
    assert len(steps) < 700
    assert all(len(line) <= 130 for line in steps.splitlines())
