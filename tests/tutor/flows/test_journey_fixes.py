"""QA findings on the journey in the tutor (fix round): /tiendo and /hoc agree, no hard wraps,
compact missing skills, the group step, the consent line, skips, and commands during onboarding."""

from __future__ import annotations

from tests.tutor.conversation_kit import Chat, onboard


def test_tiendo_next_step_is_the_lesson_in_progress(quick_tutor) -> None:
    """QA finding 25a: the next step /tiendo names is the lesson /hoc resumes."""
    chat = Chat(quick_tutor, "fx-25a")
    onboard(chat)
    chat.press("Bỏ qua")
    chat.say("/hoc mat khau")  # not the planner's first lesson
    title = quick_tutor.curriculum.lessons["mat-khau-manh"].title
    assert title in chat.text
    chat.say("/tiendo")
    assert f"«{title}»" in chat.text, chat.text
    chat.say("/hoc")
    assert title in chat.text


def test_missing_skills_are_never_hard_wrapped_and_fit_a_phone() -> None:
    """QA finding 19: channels wrap lines; /tiendo of a newcomer on the real course stays compact."""
    from knowledge.curriculum import load_curriculum
    from tests.conftest import REPO_ROOT
    from tutor import texts_journey as tj
    from tutor.progress import summarize

    real = load_curriculum(REPO_ROOT / "knowledge" / "lessons", strict=False)
    for group in ("worker", "officer"):
        newcomer = summarize(real, group, {}, set(), 0.8, 0, 0)
        text = newcomer.to_text(tj.next_step_lesson("Cài đặt cơ bản của điện thoại"))
        assert len(text) < 1200, len(text)
        lines = text.splitlines()
        assert not any(line.startswith(" ") for line in lines)  # no continuation indent: no hard wrap
        assert sum(line.startswith("• ") for line in lines) == len(newcomer.missing_by_module())
    few = tj.missing_skills([("Internet an toàn", ["Mật khẩu mạnh", "Xác thực hai lớp"])])
    assert few == ["Còn thiếu 2 kỹ năng cốt lõi:", "• Internet an toàn: Mật khẩu mạnh, Xác thực hai lớp"]
    long_names = [f"Kỹ năng số {i} có một cái tên khá dài để thử" for i in range(9)]
    some = tj.missing_skills([("Phòng chống lừa đảo", long_names), ("Internet an toàn", ["Mật khẩu mạnh"])], 200)
    assert "và" in some[1] and some[2] == "• Internet an toàn: Mật khẩu mạnh" and len("\n".join(some)) < 260


def test_chungnhan_far_from_the_certificate_says_how_far_not_every_skill(quick_tutor, monkeypatch) -> None:
    """QA finding 19: /chungnhan for a newcomer: how far, and /tiendo for the list."""
    from tutor import texts_journey as tj

    monkeypatch.setattr(tj, "NEAR_CERTIFICATE", 2)  # the fixture course has 3 core skills
    chat = Chat(quick_tutor, "fx-19")
    onboard(chat)
    chat.say("/chungnhan")
    assert "đã vững 0/3 kỹ năng cốt lõi" in chat.text and "/tiendo" in chat.text
    assert "•" not in chat.text and "Còn thiếu" not in chat.text


def test_group_step_shows_its_choices_once_and_typed_numbers_still_work(quick_tutor) -> None:
    """QA finding 26: the group step is the question and three buttons, not a numbered copy of them."""
    from tutor import texts

    chat = Chat(quick_tutor, "fx-26")
    chat.say("/start")
    chat.press("Đồng ý")
    chat.say("Lan")
    chat.press("Bỏ qua")
    assert texts.ASK_GROUP in chat.text
    for label in texts.GROUP_LABELS.values():
        assert label in chat.labels() and label not in chat.text
    chat.say("2")
    assert "Hồ sơ đã xong" in chat.text


def test_consent_names_an_ai_service_only_when_an_llm_is_configured(quick_container, clock, fake_answerer) -> None:
    """QA finding 26: with no LLM nothing leaves the server: the notice does not say it might."""
    from tests.tutor.conversation_kit import build_tutor

    plain = Chat(build_tutor(quick_container, clock, answerer=fake_answerer), "fx-26-plain")
    plain.say("/start")
    assert "Bấm «Đồng ý»" in plain.text and "dịch vụ AI" not in plain.text
    with_llm = build_tutor(quick_container, clock, answerer=fake_answerer)
    with_llm._ctx.chat_model = object()  # any configured chat model
    chat = Chat(with_llm, "fx-26-llm")
    chat.say("/start")
    assert "dịch vụ AI" in chat.text


def test_bo_qua_in_placement_is_a_skip_not_a_wrong_mark(quick_tutor) -> None:
    """QA finding 13: "bo qua" moves on with "⏭️ Bỏ qua câu này.", never "❌ Chưa đúng"."""
    from tutor import texts

    chat = Chat(quick_tutor, "fx-13")
    onboard(chat)
    chat.press("Làm bài kiểm tra")
    first = chat.quiz().item_id
    chat.say("bo qua")
    assert texts.SKIPPED in chat.text and "Chưa đúng" not in chat.text and "❌" not in chat.text
    assert chat.quiz().item_id != first


def test_reminders_work_during_the_profile_steps_then_the_step_is_asked_again(quick_tutor) -> None:
    """QA: "/nhacnho 8h toi" at the unit step set the reminder instead of "Bạn hoàn tất hồ sơ trước"."""
    from tutor import texts

    chat = Chat(quick_tutor, "fx-remind")
    chat.say("/start")
    chat.press("Đồng ý")
    chat.say("Lan")
    assert texts.ASK_UNIT in chat.text
    chat.say("/nhacnho 8h toi")
    assert texts.PROFILE_FIRST not in chat.text and "20:00" in chat.text, chat.text
    assert chat.last[-1].text == texts.ASK_UNIT  # the step again, last
    chat.say("/nhacnho 8h")  # ambiguous: sáng or tối, then the step again after the tap
    chat.press("tối")
    assert "20:00" in chat.text and chat.last[-1].text == texts.ASK_UNIT, chat.text
    chat.say("/trogiup")
    assert chat.last[-1].text == texts.ASK_UNIT
    chat.say("may thanh cong")
    chat.press("May Thành Công")
    chat.press("Công nhân")
    assert "Hồ sơ đã xong" in chat.text
