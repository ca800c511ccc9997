"""Learner texts of voice notes: what was heard, and why a note could not be heard."""

from __future__ import annotations

HEARD_LIMIT = 300  # characters of the transcript echoed back (a phone screen)

PROBLEMS: dict[str, str] = {
    "too_long": "Tin nhắn thoại dài quá 🙏 Bạn nói ngắn gọn hơn (dưới {max} giây) hoặc chia làm vài tin nhé.",
    "silent": "Mình chưa nghe rõ 🙏 Bạn nói to, rõ hơn một chút, ở chỗ yên tĩnh, hoặc gõ chữ nhé.",
    "not_audio": "Mình không mở được tệp này 🙏 Bạn gửi tin nhắn thoại, hoặc gõ chữ nhé.",
    "corrupt": "Tin nhắn thoại bị lỗi, mình không nghe được 🙏 Bạn ghi âm lại giúp mình nhé.",
    "unsupported": "Mình chưa nghe được loại tệp âm thanh này 🙏 Bạn ghi âm bằng nút micro, hoặc gõ chữ nhé.",
    "busy": "Mình đang nghe nhiều tin nhắn thoại quá 🙏 Bạn đợi một lát rồi gửi lại, hoặc gõ chữ nhé.",
    "failed": "Xin lỗi, mình chưa nghe được tin nhắn thoại lúc này 🙏 Bạn gõ chữ giúp mình nhé.",
    "off": "Mình chỉ đọc được chữ thôi 🙏 Bạn gõ câu hỏi bằng chữ nhé.",
}


def heard(transcript: str) -> str:
    """The first reply to a voice note: what was understood, so a misheard word can be corrected."""
    text = transcript if len(transcript) <= HEARD_LIMIT else transcript[: HEARD_LIMIT - 1].rstrip() + "…"
    return f"🎤 Mình nghe: «{text}»"


def problem(code: str, max_seconds: int = 60) -> str:
    """The short friendly reply to a voice note that could not be heard (`code` from the channel)."""
    return PROBLEMS.get(code, PROBLEMS["failed"]).format(max=max_seconds)
