"""Rendering a turn's replies as few Zalo messages as possible (pure functions)."""

from __future__ import annotations

from bot.zalo_render import MAX_BUTTONS, TEXT_LIMIT, plan_replies, split_text, with_quick_replies
from bot.zalo_store import label_key
from tutor.messages import Button, Reply, SourceLink


def test_replies_of_a_turn_are_combined_into_one_message() -> None:
    outs = plan_replies(
        [Reply("Cảm ơn bạn! 🎉"), Reply("Bạn muốn mình gọi bạn là gì?", buttons=((Button("Bỏ qua", "sk|x"),),))]
    )
    assert len(outs) == 1
    assert outs[0].text == "Cảm ơn bạn! 🎉\n\nBạn muốn mình gọi bạn là gì?"
    assert outs[0].message() == {
        "text": "Cảm ơn bạn! 🎉\n\nBạn muốn mình gọi bạn là gì?",
        "attachment": {
            "type": "template",
            "payload": {"buttons": [{"title": "Bỏ qua", "type": "oa.query.show", "payload": "Bỏ qua"}]},
        },
    }
    assert outs[0].button_map() == {"bỏ qua": "sk|x"}


def test_buttons_close_a_message_so_they_stay_under_their_own_text() -> None:
    outs = plan_replies(
        [
            Reply("Câu 1?", buttons=((Button("A", "a:1:0"), Button("B", "a:1:1")),)),
            Reply("Ghi chú"),
            Reply("Tiếp theo"),
        ]
    )
    assert [o.text for o in outs] == ["Câu 1?", "Ghi chú\n\nTiếp theo"]
    assert [b.title for b in outs[0].buttons] == ["A", "B"] and outs[1].buttons == ()


def test_plain_text_message_has_no_attachment() -> None:
    assert plan_replies([Reply("Xin chào")])[0].message() == {"text": "Xin chào"}


def test_long_text_is_split_at_boundaries_under_the_limit() -> None:
    sentence = "Mật khẩu mạnh có ít nhất mười hai ký tự. "
    text = sentence * 150  # ~6,200 characters
    pieces = split_text(text)
    assert len(pieces) == 4
    assert all(len(p) <= TEXT_LIMIT for p in pieces)
    assert all(p.endswith(".") for p in pieces)
    assert " ".join(pieces).split() == text.split()
    outs = plan_replies([Reply(text, buttons=((Button("Tiếp", "nx"),),))])
    assert [bool(o.buttons) for o in outs] == [False, False, False, True]


def test_unbroken_text_is_cut_hard() -> None:
    pieces = split_text("x" * 4500)
    assert [len(p) for p in pieces] == [2000, 2000, 500]


def test_many_buttons_are_spread_five_per_message_with_unique_titles() -> None:
    rows = tuple((Button(f"Đơn vị {i % 4}", f"u:{i}"),) for i in range(7))
    outs = plan_replies([Reply("Chọn đơn vị:", buttons=rows)])
    assert len(outs) == 2
    assert len(outs[0].buttons) == MAX_BUTTONS and len(outs[1].buttons) == 2
    assert outs[1].text == "Hoặc chọn:"
    titles = [b.title for o in outs for b in o.buttons]
    assert len({label_key(t) for t in titles}) == 7
    assert titles[4] == "Đơn vị 0 (2)"
    assert [b.payload for o in outs for b in o.buttons] == [f"u:{i}" for i in range(7)]


def test_long_button_titles_are_trimmed_to_100() -> None:
    outs = plan_replies([Reply("?", buttons=((Button("Đ" * 150, "p"),),))])
    assert len(outs[0].buttons[0].title) == 100


def test_sources_and_image_captions_become_text() -> None:
    reply = Reply(
        "Dùng mật khẩu dài.",
        sources=(SourceLink("Mật khẩu mạnh", "an-toan/01.md", heading="Cách đặt", locator="trang 2"),),
    )
    assert plan_replies([reply])[0].text == "Dùng mật khẩu dài.\n\n📖 Mật khẩu mạnh (Cách đặt, trang 2)"
    image = Reply("Cài đặt cỡ chữ", image_path="/x/y.png", image_caption="Màn hình Cài đặt")
    assert plan_replies([image])[0].text == "🖼 Màn hình Cài đặt\n\nCài đặt cỡ chữ"


def test_label_key_ignores_case_spacing_and_normalization() -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Đồng ý")
    assert label_key(f"  {decomposed.upper()} ") == label_key("Đồng ý") == "đồng ý"


def test_an_image_carries_the_text_gathered_before_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    image = tmp_path / "minh-hoa.png"
    image.write_bytes(b"\x89PNG\r\n")
    outs = plan_replies(
        [
            Reply("Bài 2: Mã OTP"),
            Reply("Ảnh", image_path=str(image), image_caption="Tin nhắn OTP giả"),
            Reply("Phần 1/3", buttons=((Button("Tiếp", "nx"),),)),
        ]
    )
    assert [(o.text, o.image, [b.title for b in o.buttons]) for o in outs] == [
        ("Bài 2: Mã OTP\n\nTin nhắn OTP giả\n\nẢnh", image, []),
        ("Phần 1/3", None, ["Tiếp"]),
    ]
    assert outs[0].message("att-1")["attachment"] == {
        "type": "template",
        "payload": {"template_type": "media", "elements": [{"media_type": "image", "attachment_id": "att-1"}]},
    }
    assert outs[0].message(None) == {"text": "Bài 2: Mã OTP\n\nTin nhắn OTP giả\n\nẢnh"}
    relative = plan_replies([Reply("x", image_path="minh-hoa.png")], media_root=tmp_path)
    assert relative[0].image == image
    missing = plan_replies([Reply("x", image_path=str(tmp_path / "khong-co.png"), image_caption="Chú thích")])
    assert missing[0].image is None and missing[0].text == "🖼 Chú thích\n\nx"


QUICK = ("Học tiếp", "Hỏi", "Bài tập", "Tiến độ", "Danh mục")


def test_quick_replies_ride_on_the_last_message_without_buttons() -> None:
    outs = with_quick_replies(plan_replies([Reply("Một"), Reply("Hai")]), QUICK)
    assert len(outs) == 1  # never an extra (paid) message
    assert [b.title for b in outs[0].buttons] == list(QUICK)
    assert outs[0].button_map() == {}  # the label comes back as text: the tutor reads the command
    buttons = outs[0].message()["attachment"]["payload"]["buttons"]
    assert [b["payload"] for b in buttons] == list(QUICK)


def test_quick_replies_never_replace_a_replys_own_buttons() -> None:
    reply = Reply("Chọn", buttons=((Button("Đồng ý", "ok|sig"),),))
    outs = with_quick_replies(plan_replies([reply]), QUICK)
    assert [b.title for b in outs[-1].buttons] == ["Đồng ý"]


def test_a_document_follows_the_text_gathered_before_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "chung-nhan.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    replies = [Reply("Chúc mừng!"), Reply("Chứng nhận của bạn", document_path=str(pdf), document_name="cn.pdf")]
    out = plan_replies(replies)
    assert [o.text for o in out[:-1]] == ["Chúc mừng!\n\nChứng nhận của bạn"]
    assert out[-1].document == pdf and out[-1].document_name == "cn.pdf"
    assert out[-1].message("tok-1") == {"attachment": {"type": "file", "payload": {"token": "tok-1"}}}
    missing = plan_replies([Reply("Tệp đã mất", document_path=str(tmp_path / "gone.pdf"))])
    assert [o.text for o in missing] == ["Tệp đã mất"] and missing[0].document is None
