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
