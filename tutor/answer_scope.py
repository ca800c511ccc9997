"""The off-topic check the answerer asks, behind a small interface (answers A's `tutor.scope` by default).

Tests and tools pass their own `ScopeCheck`; `NO_SCOPE` flags nothing (the answerer's relevance floor
alone then keeps unrelated lessons out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

FALLBACK_OFF_TOPIC_TEXT = (
    "Mình là trợ lý học kỹ năng số, nên chưa giúp được việc này.\n"
    "Gõ /baihoc để xem các bài học, hoặc hỏi mình một câu về điện thoại, Zalo, VNeID, chuyển khoản, "
    "mua sắm online, tránh lừa đảo."
)


@dataclass(frozen=True)
class ScopeCheck:
    """Whether a question is off-topic, and the honest reply to one."""

    is_off_topic: Callable[[str], bool]
    reply: Callable[[], str]


NO_SCOPE = ScopeCheck(is_off_topic=lambda _text: False, reply=lambda: FALLBACK_OFF_TOPIC_TEXT)


def default_scope() -> ScopeCheck:
    """`tutor.scope`'s check and reply."""
    from tutor.scope import is_off_topic, off_topic_reply

    return ScopeCheck(is_off_topic=is_off_topic, reply=off_topic_reply)
