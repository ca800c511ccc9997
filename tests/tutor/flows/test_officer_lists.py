"""Lists of learners in chat: only learners who said yes (/hienten; nobody by default), only for an
officer of their own grassroots unit (a district officer is politely refused), gone after /xoadulieu,
part of /taidulieu, and every view in the officers' view log."""

# ruff: noqa: F811  (pytest fixtures imported from other test modules are redefined as arguments)
from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from tests.tutor.conversation_kit import Chat, onboard
from tests.tutor.flows.test_officers_chat import officers, tutor  # noqa: F401  (fixtures)
from tutor import texts
from tutor import texts_officers as tx
from tutor.officer_models import OfficerView


def onboard_in(chat: Chat, name: str, unit_words: str, unit_button: str) -> None:
    """Consent, name, a unit other than the default one, group «Công nhân»."""
    chat.say("/start")
    chat.press("Đồng ý")
    chat.say(name)
    chat.say(unit_words)
    chat.press(unit_button)
    chat.press("Công nhân")
    assert "Hồ sơ đã xong" in chat.text, chat.text


def listed(chat: Chat, yes: bool) -> None:
    """Answer /hienten with «Cho thấy tên» or «Ẩn tên»."""
    chat.say("/hienten")
    assert tx.LISTING_ASK in chat.text
    chat.press(tx.BTN_LISTING_YES if yes else tx.BTN_LISTING_NO)
    assert chat.text == (tx.LISTING_ON if yes else tx.LISTING_OFF)


def views(container) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with container.session_factory() as session:
        return [tuple(row) for row in session.execute(sa.select(OfficerView.unit_id, OfficerView.what)).all()]


def officer_of(tutor, officers, user: str, unit: str) -> Chat:  # type: ignore[no-untyped-def]
    chat = Chat(tutor, user)
    onboard(chat, name="Cán bộ Tâm")
    chat.say(f"/canbo {officers.invite(unit).code}")
    assert chat.text.startswith("✅"), chat.text
    return chat


def test_nobody_is_listed_until_they_say_yes_and_can_hide_again(tutor, officers, quick_container) -> None:  # type: ignore[no-untyped-def]
    hoa, minh = Chat(tutor, "hoa"), Chat(tutor, "minh")
    onboard(hoa, name="Nguyễn Thị Hoa")
    onboard(minh, name="Trần Văn Minh")  # never says yes
    officer = officer_of(tutor, officers, "officer-mtc", "cdcs-may-thanh-cong")

    assert "chưa có học viên nào đồng ý" in officer.say("/hocvien")[0].text  # default: nobody
    hoa.say("/hienten")
    assert tx.LISTING_NOW_OFF in hoa.text and hoa.labels() == [tx.BTN_LISTING_YES, tx.BTN_LISTING_NO]
    hoa.press(tx.BTN_LISTING_YES)
    assert hoa.text == tx.LISTING_ON
    minh.say("/hienten")
    minh.press(tx.BTN_LISTING_NO)

    text = officer.say("/hocvien")[0].text
    assert text.startswith("👥 Học viên Công đoàn Công ty May Thành Công đồng ý hiện tên (1 người):")
    assert "1. Nguyễn Thị Hoa · công nhân · 0 bài · chưa đạt chuẩn · học gần nhất tuần" in text
    assert "Minh" not in text and "Tâm" not in text  # nor the officer, who did not say yes either
    assert officer.say("danh sách học viên")[0].text == text  # typed without the slash

    hoa.say("ẩn tên")
    assert tx.LISTING_NOW_ON in hoa.text
    hoa.press(tx.BTN_LISTING_NO)
    assert "Hoa" not in officer.say("/hocvien")[0].text
    assert views(quick_container).count(("cdcs-may-thanh-cong", "chat:/hocvien")) == 4


def test_an_officer_of_one_unit_never_sees_learners_of_another(tutor, officers, quick_container) -> None:  # type: ignore[no-untyped-def]
    lan, binh = Chat(tutor, "lan"), Chat(tutor, "binh")
    onboard(lan, name="Lê Thị Lan")
    onboard_in(binh, "Phạm Văn Bình", "giay da phu loc", "Phú Lộc")
    listed(lan, True)
    listed(binh, True)
    mtc = officer_of(tutor, officers, "officer-a", "cdcs-may-thanh-cong")
    phu_loc = officer_of(tutor, officers, "officer-b", "cdcs-giay-phu-loc")

    text_a, text_b = mtc.say("/hocvien")[0].text, phu_loc.say("/hocvien")[0].text
    assert "Lê Thị Lan" in text_a and "Bình" not in text_a
    assert "Phạm Văn Bình" in text_b and "Lan" not in text_b
    assert mtc.say("/hocvien giay da phu loc")[0].text == text_a  # an argument never widens the scope


def test_district_officers_and_learners_get_no_list(tutor, officers, quick_container) -> None:  # type: ignore[no-untyped-def]
    lan = Chat(tutor, "lan-d")
    onboard(lan, name="Lê Thị Lan")
    listed(lan, True)
    district = officer_of(tutor, officers, "officer-d", "cd-kcn-tan-hoa")

    assert district.say("/hocvien")[0].text == tx.LIST_ONLY_GRASSROOTS
    assert "/hocvien" not in district.say("/thongke")[0].text  # not offered to a district officer
    assert lan.say("/hocvien")[0].text == tx.ONLY_OFFICERS
    assert all(what != "chat:/hocvien" for _, what in views(quick_container))

    grassroots = officer_of(tutor, officers, "officer-g", "cdcs-may-thanh-cong")
    assert "Danh sách học viên: /hocvien" in grassroots.say("/thongke")[0].text


def test_a_learner_who_deleted_their_data_vanishes_from_the_list(tutor, officers) -> None:  # type: ignore[no-untyped-def]
    lan = Chat(tutor, "lan-x")
    onboard(lan, name="Lê Thị Lan")
    listed(lan, True)
    officer = officer_of(tutor, officers, "officer-x", "cdcs-may-thanh-cong")
    assert "Lê Thị Lan" in officer.say("/hocvien")[0].text

    lan.say("/xoadulieu")
    lan.press("Xóa hết")
    assert texts.DELETE_DONE in lan.text
    assert "Lan" not in officer.say("/hocvien")[0].text
    # Back again as a new learner: not listed until they say yes again.
    onboard(lan, name="Lê Thị Lan")
    assert "Lan" not in officer.say("/hocvien")[0].text


def test_the_data_export_says_whether_the_learner_is_listed(tutor) -> None:  # type: ignore[no-untyped-def]
    lan = Chat(tutor, "lan-e")
    onboard(lan, name="Lê Thị Lan")
    key = "hiện tên trong danh sách học viên của công đoàn cơ sở"

    def exported() -> str:
        lan.say("/taidulieu")
        return str(json.loads(Path(lan.last[0].document_path).read_text(encoding="utf-8"))["hồ sơ"][key])

    assert exported() == "không"
    listed(lan, True)
    assert exported().startswith("có, từ 20")
