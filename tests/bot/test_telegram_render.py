"""Rendering tutor replies for Telegram: splitting, escaping, keyboards, polls, photos."""

from __future__ import annotations

import html
from pathlib import Path

from bot.telegram_render import (
    MESSAGE_LIMIT,
    OutDocument,
    OutPhoto,
    OutPoll,
    OutText,
    escaped_len,
    html_pieces,
    merge_plain,
    plan_reply,
    split_text,
    to_markup,
)
from tutor.messages import Button, QuizQuestion, Reply, SourceLink


def test_split_prefers_paragraphs_then_sentences_and_loses_nothing() -> None:
    paragraph = "Một câu ngắn về mật khẩu. " * 60
    text = "\n\n".join([paragraph.strip()] * 6)
    pieces = split_text(text, 4096)
    assert len(pieces) >= 3 and all(len(p) <= 4096 for p in pieces)
    assert all(p.endswith(".") for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_split_without_any_boundary_cuts_hard() -> None:
    text = "x" * 10_000
    pieces = split_text(text, 4096)
    assert [len(p) for p in pieces] == [4096, 4096, 1808]


def test_escaped_pieces_fit_even_when_escaping_grows_the_text() -> None:
    text = "a<b & c>d. " * 1500
    pieces = html_pieces(text)
    assert all(len(p) <= MESSAGE_LIMIT for p in pieces)
    assert "<b" not in "".join(pieces) and "&lt;b &amp; c&gt;d." in pieces[0]
    assert html.unescape(" ".join(pieces)).split() == text.split()
    assert escaped_len("<&>") == len("&lt;&amp;&gt;")


def test_keyboard_uses_payloads_and_drops_oversized_ones() -> None:
    markup = to_markup(((Button("Tiếp ▶️", "nx:ab:1"), Button("Quá dài", "x" * 65)), (Button("Hỏi", "ask"),)))
    assert markup is not None
    rows = [[b.callback_data for b in row] for row in markup.inline_keyboard]
    assert rows == [["nx:ab:1"], ["ask"]]
    assert to_markup(()) is None


def test_sources_are_listed_once_and_text_escaped() -> None:
    reply = Reply(
        "Dùng <mật khẩu> & mã OTP.",
        sources=(SourceLink("Mật khẩu mạnh", "a.md", "Cách đặt", "trang 2"), SourceLink("Dùng <mật khẩu>", "b.md")),
    )
    [out] = plan_reply(reply, use_quiz_polls=False)
    assert isinstance(out, OutText)
    assert out.html.startswith("Dùng &lt;mật khẩu&gt; &amp; mã OTP.")
    assert "📖 Mật khẩu mạnh (Cách đặt, trang 2)" in out.html
    assert out.html.count("📖") == 1  # the second source is already named in the text


QUIZ = QuizQuestion(
    "q1", "Mật khẩu nào mạnh nhất?", ("123456", "Tr@ng-Xanh-42"), ("a:1:0", "a:1:1"), 1, "Dài và trộn ký tự."
)


def test_quiz_becomes_a_poll_only_when_asked_and_fitting() -> None:
    reply = Reply(
        "Câu 1/3\nMật khẩu nào mạnh nhất?\nA. 123456\nB. Tr@ng-Xanh-42",
        buttons=((Button("A", "a:1:0"), Button("B", "a:1:1")), (Button("Bỏ qua", "skip"),)),
        quiz=QUIZ,
    )
    as_buttons = plan_reply(reply, use_quiz_polls=False)
    assert [type(o) for o in as_buttons] == [OutText]
    header, poll = plan_reply(reply, use_quiz_polls=True)
    assert isinstance(header, OutText) and header.html == "Câu 1/3"
    assert isinstance(poll, OutPoll) and poll.buttons == ((Button("Bỏ qua", "skip"),),)
    too_many = QuizQuestion("q2", "?", tuple("abcdefghijk"), tuple("abcdefghijk"), 0)
    assert not any(isinstance(o, OutPoll) for o in plan_reply(Reply("?", quiz=too_many), use_quiz_polls=True))


def test_image_with_caption_not_repeated_and_missing_image_falls_back(tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(b"png")
    [photo] = plan_reply(
        Reply("Hình 1", image_path="a.png", image_caption="Hình 1"), use_quiz_polls=False, media_root=tmp_path
    )
    assert isinstance(photo, OutPhoto) and photo.path == image and photo.caption_html == "Hình 1"
    [text] = plan_reply(
        Reply("Hình 2", image_path="missing.png", image_caption="Hình 2"), use_quiz_polls=False, media_root=tmp_path
    )
    assert isinstance(text, OutText) and text.html == "Hình 2"


def test_plain_replies_join_the_next_one_but_not_images() -> None:
    from bot.telegram_render import merge_plain

    question = Reply("Câu 2/3\nMật khẩu nào mạnh nhất?", buttons=((Button("A", "a:1:0"),),), quiz=QUIZ)
    merged = merge_plain([Reply("✅ Đúng rồi!"), question])
    assert len(merged) == 1
    assert merged[0].text == "✅ Đúng rồi!\n\nCâu 2/3\nMật khẩu nào mạnh nhất?"
    assert merged[0].buttons == question.buttons and merged[0].quiz == QUIZ
    image = Reply("Hình", image_path="a.png", image_caption="Hình")
    assert merge_plain([Reply("Một"), Reply("Hai"), image, Reply("Ba")]) == [Reply("Một\n\nHai"), image, Reply("Ba")]
    long = Reply("x" * 4000)
    assert len(merge_plain([long, Reply("y" * 200)])) == 2  # would not fit one message


def test_quick_keyboard_holds_the_quick_labels_in_order() -> None:
    from bot.telegram_render import quick_keyboard
    from tutor.messages import MenuEntry

    entries = [
        MenuEntry("hoc", "Học tiếp", "học", quick=True),
        MenuEntry("hoi", "Hỏi", "hỏi", quick=True),
        MenuEntry("baitap", "Bài tập", "bài tập", quick=True),
        MenuEntry("tiendo", "Tiến độ", "tiến độ", quick=True),
        MenuEntry("baihoc", "Danh mục", "danh mục", quick=True),
        MenuEntry("xoadulieu", "Xóa dữ liệu", "xóa"),
    ]
    markup = quick_keyboard(entries)
    assert markup is not None and markup.is_persistent and markup.resize_keyboard
    assert [[b.text for b in row] for row in markup.keyboard] == [
        ["Học tiếp", "Hỏi", "Bài tập"],
        ["Tiến độ", "Danh mục"],
    ]
    assert quick_keyboard([MenuEntry("xoadulieu", "Xóa dữ liệu", "xóa")]) is None


def test_a_document_reply_is_one_document_with_its_text_as_caption(tmp_path: Path) -> None:
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(b"%PDF")
    [document] = plan_reply(
        Reply("Giấy <b>", document_path=str(pdf), document_name="chung-nhan.pdf"), use_quiz_polls=False
    )
    assert isinstance(document, OutDocument)
    assert (document.path, document.filename, document.caption_html) == (pdf, "chung-nhan.pdf", "Giấy &lt;b&gt;")
    [text] = plan_reply(Reply("Giấy", document_path=str(tmp_path / "missing.pdf")), use_quiz_polls=False)
    assert isinstance(text, OutText) and text.html == "Giấy"  # a missing file falls back to its text
    merged = merge_plain([Reply("một"), Reply("Giấy", document_path=str(pdf)), Reply("hai")])
    assert [r.text for r in merged] == ["một", "Giấy", "hai"]  # never merged into text
