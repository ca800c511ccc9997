"""The off-topic check the answerer asks before searching, behind a small interface.

Answers A's `tutor.scope` (`is_off_topic(text)`, `off_topic_reply()`) is the real check; until it is
merged, `default_scope()` falls back to `NO_SCOPE` (nothing is off-topic before the search; the
answerer's relevance floor alone keeps unrelated lessons out).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

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
    """`tutor.scope`'s check when that module is present, else `NO_SCOPE`."""
    try:
        scope = importlib.import_module("tutor.scope")
    except ImportError:
        log.info("tutor.scope is not installed; off-topic questions rely on the relevance floor")
        return NO_SCOPE
    return ScopeCheck(is_off_topic=scope.is_off_topic, reply=scope.off_topic_reply)
