"""Vietnamese normalization: one tone placement, NFC, invisible characters, folding."""

import unicodedata

import pytest

from knowledge.textnorm import fold, has_marks, mark_ratio, normalize


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("hoà", "hòa"),
        ("hòa", "hòa"),
        ("thuý", "thúy"),
        ("Thuỷ", "Thủy"),
        ("hoá đơn", "hóa đơn"),
        ("tuỳ chọn", "tùy chọn"),
        ("uỷ ban", "ủy ban"),
        ("khoẻ", "khỏe"),
        ("hoàng", "hoàng"),  # final consonant: the mark stays on the second vowel
        ("người", "người"),
        ("quá", "quá"),
        ("giường", "giường"),
        ("gì", "gì"),
    ],
)
def test_tone_marks_have_one_placement(written: str, canonical: str) -> None:
    assert normalize(written) == canonical
    assert normalize(canonical) == canonical


def test_decomposed_input_becomes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Mật khẩu mạnh")
    assert decomposed != "Mật khẩu mạnh"
    assert normalize(decomposed) == "Mật khẩu mạnh"
    assert unicodedata.is_normalized("NFC", normalize(decomposed))


def test_invisible_and_control_characters_are_removed() -> None:
    assert normalize("mã\u200b OTP\ufeff\u0007") == "mã OTP "
    assert normalize("dòng 1\r\ndòng 2") == "dòng 1\ndòng 2"


def test_non_vietnamese_words_are_left_alone() -> None:
    assert normalize("VNeID café naïve OTP") == "VNeID café naïve OTP"


def test_fold_strips_every_mark_and_d_bar() -> None:
    assert fold("Mật khẩu ĐĂNG NHẬP") == "mat khau dang nhap"
    assert fold(normalize("hoà")) == fold("hòa") == "hoa"


def test_marks_detection() -> None:
    assert has_marks("đi") and has_marks("mật")
    assert not has_marks("mat khau")
    assert mark_ratio("lam sao kich hoat vneid") == 0.0
    assert mark_ratio("làm sao kích hoạt VNeID") == pytest.approx(0.6)  # "sao", "VNeID" carry none


def test_teencode_is_expanded_word_by_word() -> None:
    from knowledge.textnorm import expand_teencode

    assert expand_teencode("ko nhan dc otp") == "không nhan được otp"
    assert expand_teencode("tk bị khóa, k biết làm j") == "tài khoản bị khóa, không biết làm gì"
    assert expand_teencode("trường K-12, ông Ng Văn, mã TK") == "trường K-12, ông Ng Văn, mã TK"
    assert expand_teencode("kho hàng 50k, 5 kg gạo") == "kho hàng 50k, 5 kg gạo"  # whole, unambiguous words only
    assert expand_teencode("tao mật khẩu") == "tao mật khẩu"  # ambiguous: left as typed


def test_teencode_typed_with_d_bar_is_expanded_too() -> None:
    from knowledge.textnorm import expand_teencode

    assert expand_teencode("ko nhận đc mã") == "không nhận được mã"
