"""Everyday words: continuation, skip, questions, names and topic requests (pure functions)."""

from __future__ import annotations

import pytest

from tutor.intents import is_continuation, is_skip, looks_like_question, name_from, small_talk, topic_request


@pytest.mark.parametrize(
    "text",
    [
        "tiếp",
        "tiep di",
        "Tiếp!",
        "ok",
        "okkk",
        "xong",
        "xong chua",
        "xong chưa?",
        "hiểu rồi",
        "roi",
        "next",
        "ok tiếp nhé",
    ],
)
def test_continuation_words(text: str) -> None:
    assert is_continuation(text)


@pytest.mark.parametrize(
    "text",
    [
        "tiếp đi bạn",
        "em hiểu rồi ạ",
        "Xong rồi bạn ơi",
        "rồi sao nữa",
        "học tiếp đi",
        "Đã đọc xong",
        "ok, tiếp",
        "dc r",
    ],
)
def test_continuation_words_with_fillers(text: str) -> None:
    assert is_continuation(text)


@pytest.mark.parametrize(
    "text",
    ["tiếp theo là gì vậy", "gọi tổng đài ngân hàng để khóa", "mật khẩu", "Lan", "ok bạn ơi cho hỏi otp là gì", "em"],
)
def test_not_continuation(text: str) -> None:
    assert not is_continuation(text)


@pytest.mark.parametrize("text", ["bỏ qua", "bo qua", "Bỏ qua.", "skip"])
def test_skip(text: str) -> None:
    assert is_skip(text)


@pytest.mark.parametrize(
    "text",
    ["otp là gì", "tai sao phai bat 2 lop", "lam sao dat mat khau manh", "cỡ chữ nằm ở đâu?", "em chưa hiểu câu này"],
)
def test_questions(text: str) -> None:
    assert looks_like_question(text)


@pytest.mark.parametrize(
    "text",
    ["bat 4g", "ten nguoi nhan tien", "goi tong dai ngan hang de khoa", "nếu bị lừa thì gọi ngân hàng", "không ai"],
)
def test_quiz_answers_are_not_strict_questions(text: str) -> None:
    assert not looks_like_question(text, strict=True)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Lan", "Lan"),
        ("tôi là Lan", "Lan"),
        ("Tên em là Minh Hằng", "Minh Hằng"),
        ("Nguyễn Văn Lâm", "Nguyễn Văn Lâm"),
        ("Đặng Thị Như", "Đặng Thị Như"),
        ("Nguyễn Văn Bí Mật", "Nguyễn Văn Bí Mật"),
        ("Mình tên Hùng", "Hùng"),
    ],
)
def test_names(text: str, name: str) -> None:
    assert name_from(text) == name


@pytest.mark.parametrize(
    "text",
    [
        "lam sao dat mat khau manh",
        "toi muon hoc ve lua dao",
        "ok",
        "Hùng 123",
        "mật khẩu của tôi có mạnh không",
        "một hai ba bốn năm sáu bảy",
    ],
)
def test_not_names(text: str) -> None:
    assert name_from(text) is None


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("toi muon hoc ve lua dao", "lua dao"),
        ("Tôi muốn học cách tránh bị lừa đảo", "tranh bi lua dao"),
        ("hoc ve vneid", "vneid"),
        ("mk mun hoc ve ngan hang so", "ngan hang so"),
        ("dạy tôi về VNeID", "vneid"),
        ("bài học về mua sắm", "mua sam"),
    ],
)
def test_topic_requests(text: str, topic: str) -> None:
    assert topic_request(text) == topic


@pytest.mark.parametrize("text", ["hoc cach dat mat khau nhu the nao", "toi muon hoc", "goi tong dai", "học tiếp"])
def test_not_topic_requests(text: str) -> None:
    assert topic_request(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("cam on em nhieu", "thanks"),
        ("Cảm ơn bạn nhiều nhé!", "thanks"),
        ("thanks", "thanks"),
        ("tks ad", "thanks"),
        ("chao buoi sang", "hello"),
        ("Chào buổi sáng ạ", "hello"),
        ("em oi", "hello"),
        ("ad ơi", "hello"),
        ("alo", "hello"),
        ("hay qua", "praise"),
        ("tuyệt vời", "praise"),
        ("ngu the", "insult"),
        ("bot ngu quá", "insult"),
        ("ban la ai", "who"),
        ("ban ten gi", "who"),
        ("em là người hay máy vậy", "who"),
        ("bạn giúp được gì", "who"),
        ("2", "number"),
        ("C", "number"),
        ("hihi", "laugh"),
        ("thôi", "no"),
    ],
)
def test_small_talk_is_recognised_with_the_words_around_it(text: str, kind: str) -> None:
    assert small_talk(text) == kind


@pytest.mark.parametrize(
    "text",
    ["otp la gi", "cam on, cho hoi otp la gi", "hay qua, lam sao doi mat khau", "chao em hom nay hoc gi", "menu",
     "em hiểu rồi", "bài 2", "ngân hàng là gì", "bạn ơi mật khẩu mạnh là gì"],
)  # fmt: skip
def test_messages_with_content_are_not_small_talk(text: str) -> None:
    assert small_talk(text) is None
