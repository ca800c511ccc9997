"""Mastery and the certificate through the real tutor: missing skills named and practised, testing
out, the certificate as PNG + PDF with number and code, /chungnhan, and verification."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.tutor.conversation_kit import Chat, answer_right, answer_wrong, build_tutor, events, learner_id_of, onboard
from tutor import texts_journey as tj
from tutor.store import LearnerStore

URL = "https://hocvuso.example.vn"


@pytest.fixture
def tutor(quick_container, clock, fake_answerer, tmp_path: Path):  # type: ignore[no-untyped-def]
    return build_tutor(
        quick_container, clock, answerer=fake_answerer, certificate_dir=str(tmp_path / "certs"), public_url=URL
    )


def _set(container, learner_id: int, values: dict[str, float], now) -> None:  # type: ignore[no-untyped-def]
    with container.session_factory.begin() as session:
        for skill, p in values.items():
            LearnerStore().set_mastery(session, learner_id, skill, p, now)


def _complete_all(container, learner_id: int, lesson_ids, now) -> None:  # type: ignore[no-untyped-def]
    with container.session_factory.begin() as session:
        for lesson_id in lesson_ids:
            row = LearnerStore().start_lesson(session, learner_id, lesson_id, now)
            row.status, row.completed_at = "completed", now


def test_lessons_done_but_a_skill_missing_names_it_and_practice_earns_the_certificate(
    tutor, quick_container, clock, tmp_path: Path
) -> None:
    course = tutor.curriculum
    chat = Chat(tutor, "cert-1")
    onboard(chat, name="Nguyễn Thị Lan")
    lid = learner_id_of(quick_container.engine, "telegram", "cert-1")
    _complete_all(quick_container, lid, ["co-chu-giong-noi", "mat-khau-manh"], clock.now)
    _set(quick_container, lid, {"dt-co-chu": 0.95, "at-mat-khau": 0.95, "dt-giong-noi": 0.6}, clock.now)

    chat.say("/tiendo")  # every missing skill and the next step
    assert "Còn 1 kỹ năng cốt lõi nữa" in chat.text and "• Làm quen điện thoại: Gõ bằng giọng nói" in chat.text
    assert tj.next_step_practice() in chat.text and tj.BTN_PRACTICE_MISSING in chat.labels()

    chat.say("/ontap")  # nothing due, but it says what to do
    assert "Gõ bằng giọng nói" in chat.text and tj.BTN_PRACTICE_MISSING in chat.labels()
    chat.say("/hoc")  # no lesson left: the missing skill and «Luyện kỹ năng còn thiếu»
    assert "Gõ bằng giọng nói" in chat.text and "đã học xong các bài" in chat.text
    chat.press(tj.BTN_PRACTICE_MISSING)
    asked = []
    while "🏁" not in chat.text:
        question = chat.quiz()
        asked.append(course.item(question.item_id).skill)
        assert "Luyện kỹ năng" in chat.text
        answer_right(chat, course)
    assert set(asked) == {"dt-giong-noi"} and len(asked) == 2  # exactly the missing skill
    assert tj.CERTIFIED in chat.text and "Nguyễn Thị Lan" in chat.text
    png = next(Path(r.image_path) for r in chat.last if r.image_path)
    pdf = next(Path(r.document_path) for r in chat.last if r.document_path)
    assert png.parent == tmp_path / "certs"
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size[0] >= 1200
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    text = chat.text
    number = text.split("Số: ", 1)[1].split(" ", 1)[0]
    code = text.split("Mã kiểm tra: ", 1)[1].split()[0]
    assert number.startswith("HVS-2026-") and len(code) == 10
    assert f"{URL}/certificates/{code}" in text
    assert len(events(quick_container.engine, lid, "certified")) == 1

    chat.say("/chungnhan")  # sent again: the same number and code, not certified twice
    assert code in chat.text and number in chat.text
    assert any(r.image_path for r in chat.last) and any(r.document_path for r in chat.last)
    assert len(events(quick_container.engine, lid, "certified")) == 1

    check = tutor.verify_certificate(code.lower())  # typed in lower case still verifies
    assert check.valid and check.name == "Nguyễn Thị Lan" and check.number == number
    assert check.issued_on == "2026-03-02" and "Công nhân" in check.group and check.unit
    assert not tutor.verify_certificate("ABCDEFGHJK").valid
    assert not tutor.verify_certificate("").valid

    chat.say("/xoadulieu")  # a deleted learner's certificate no longer verifies
    chat.press("Xóa")
    assert not tutor.verify_certificate(code).valid


def test_chungnhan_before_certified_lists_missing_skills(tutor, quick_container) -> None:
    chat = Chat(tutor, "cert-2")
    onboard(chat)
    chat.say("/chungnhan")
    assert "chưa đạt chuẩn" in chat.text and "Còn thiếu 3 kỹ năng cốt lõi:" in chat.text
    assert "Đặt mật khẩu mạnh" in chat.text and not any(r.image_path for r in chat.last)
    assert tj.next_step_lesson("").split("«")[0] in chat.text


def test_testing_out_by_quiz_certifies_without_every_lesson_and_progress_says_so(tutor, quick_container, clock) -> None:
    course = tutor.curriculum
    chat = Chat(tutor, "cert-3")
    onboard(chat)
    lid = learner_id_of(quick_container.engine, "telegram", "cert-3")
    _set(quick_container, lid, {"dt-co-chu": 0.95, "dt-giong-noi": 0.95}, clock.now)
    chat.say("/tiendo")
    assert tj.TESTED_OUT in chat.text
    chat.say("/baitap mat khau manh")  # straight to the quiz, lesson never opened
    while "🏁" not in chat.text:
        answer_right(chat, course)
    assert tj.CERTIFIED in chat.text
    chat.say("/tiendo")
    assert "Bài đã học: 0/2" in chat.text and tj.TESTED_OUT_CERTIFIED in chat.text
    assert tj.BTN_CERTIFICATE in chat.labels()


def test_a_wrong_answer_in_practice_keeps_the_skill_missing(tutor, quick_container, clock) -> None:
    course = tutor.curriculum
    chat = Chat(tutor, "cert-4")
    onboard(chat)
    lid = learner_id_of(quick_container.engine, "telegram", "cert-4")
    _complete_all(quick_container, lid, ["co-chu-giong-noi", "mat-khau-manh"], clock.now)
    _set(quick_container, lid, {"dt-co-chu": 0.95, "at-mat-khau": 0.95}, clock.now)
    chat.say("/luyentap")
    while "🏁" not in chat.text:
        answer_wrong(chat, course)
    assert tj.CERTIFIED not in chat.text
    assert tj.BTN_PRACTICE_MISSING in chat.labels()  # offered again, with the skill named
    assert "Gõ bằng giọng nói" in chat.text


def test_xoadulieu_deletes_the_certificate_files_and_verification_fails(tutor, quick_container, clock) -> None:
    """QA finding 6: the certificate's PNG/PDF (name, unit) go with the learner, and the code is invalid."""
    chat = Chat(tutor, "cert-del")
    onboard(chat, name="Trần Thị Mai")
    lid = learner_id_of(quick_container.engine, "telegram", "cert-del")
    _complete_all(quick_container, lid, ["co-chu-giong-noi", "mat-khau-manh"], clock.now)
    _set(quick_container, lid, {"dt-co-chu": 0.95, "at-mat-khau": 0.95, "dt-giong-noi": 0.95}, clock.now)
    chat.say("/chungnhan")
    files = [Path(r.document_path) for r in chat.last if r.document_path]
    files += [Path(r.image_path) for r in chat.last if getattr(r, "image_path", None)]
    code = next(line for line in chat.text.splitlines() if "Mã kiểm tra" in line).split(":")[-1].strip()
    assert files and all(f.is_file() for f in files) and tutor.verify_certificate(code).valid
    chat.say("/xoadulieu")
    chat.press("Xóa")
    assert "Đã xóa" in chat.text
    assert not any(f.exists() for f in files)
    assert not tutor.verify_certificate(code).valid


def test_without_a_public_url_the_certificate_names_no_address(quick_container, clock, fake_answerer, tmp_path) -> None:
    """QA finding 21: no loopback address printed for ever; the code still is, and the server warns."""
    import logging

    from hocvuso.commands.channels import warn_without_public_url
    from hocvuso.package_config import tutor_config

    assert tutor_config(quick_container.settings).public_url == ""  # serve.public_url unset: no fallback
    tutor = build_tutor(quick_container, clock, answerer=fake_answerer, certificate_dir=str(tmp_path / "c"))
    chat = Chat(tutor, "cert-nourl")
    onboard(chat)
    lid = learner_id_of(quick_container.engine, "telegram", "cert-nourl")
    _complete_all(quick_container, lid, ["co-chu-giong-noi", "mat-khau-manh"], clock.now)
    _set(quick_container, lid, {"dt-co-chu": 0.95, "at-mat-khau": 0.95, "dt-giong-noi": 0.95}, clock.now)
    chat.say("/chungnhan")
    assert "Mã kiểm tra" in chat.text and "http" not in chat.text
    from tutor.certificate_render import layout
    from tutor.certificates import certificate_of

    with quick_container.session_factory() as s:
        info = certificate_of(s, lid)
    assert info is not None and not any("http" in line.text for line in layout(info, "01/03/2026", ""))

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("hocvuso.channels").addHandler(handler)
    try:
        warn_without_public_url(quick_container.settings)
    finally:
        logging.getLogger("hocvuso.channels").removeHandler(handler)
    assert sum("public_url" in r.getMessage() for r in records) == 1


def test_the_retention_purge_deletes_the_certificate_files_too(tutor, quick_container, clock) -> None:
    """QA finding 6, same class: a learner deleted by the retention purge leaves no certificate file."""
    from datetime import timedelta

    chat = Chat(tutor, "cert-purge")
    onboard(chat, name="Trần Thị Mai")
    lid = learner_id_of(quick_container.engine, "telegram", "cert-purge")
    _complete_all(quick_container, lid, ["co-chu-giong-noi", "mat-khau-manh"], clock.now)
    _set(quick_container, lid, {"dt-co-chu": 0.95, "at-mat-khau": 0.95, "dt-giong-noi": 0.95}, clock.now)
    chat.say("/chungnhan")
    files = [Path(r.document_path) for r in chat.last if r.document_path]
    assert files and all(f.is_file() for f in files)
    clock.advance(timedelta(days=731))
    assert tutor.purge_inactive() == 1
    assert not any(f.exists() for f in files)
