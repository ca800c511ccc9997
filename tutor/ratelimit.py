"""Per-learner rate limit: a token bucket kept in the learner's conversation state.

The bucket holds up to `burst` tokens and refills at `per_minute` tokens a minute (defaults 30 and
30: one message every 2 s sustained). Onboarding plus placement at tapping speed is about 20–30
messages in a minute or two, well inside it. Each message takes a token. With none left:

- a typed message: the learner is told once when to continue, then further messages of the burst
  get no reply (nothing for a flood to amplify);
- a button press: may borrow up to a third of the bucket (channels take the pressed keyboard away,
  so a refused press cannot simply be tapped again); past that, never dropped silently — each one
  gets the short "wait N seconds" reply.

The state lives in `ConversationState.data["rate"]`, updated under the learner's row lock, so every
worker process sees the same bucket.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from tutor.models import ConversationState
from tutor.store import aware

RATE_LIMITED = "Bạn gửi nhanh quá 😅 Chờ khoảng {seconds} giây rồi gửi tiếp nhé."


@dataclass(frozen=True)
class Verdict:
    """What to do with a message: handle it, or tell the learner (`notice`) or say nothing."""

    allowed: bool
    notice: str | None = None


def take_token(state: ConversationState, now: datetime, burst: int, per_minute: float, button: bool) -> Verdict:
    """Take one token from the learner's bucket (refilled for the time since the last message)."""
    saved = state.data.get("rate") or {}
    tokens = float(saved.get("tokens", burst))
    told = bool(saved.get("told", False))
    last = aware(datetime.fromisoformat(saved["at"])) if saved.get("at") else None
    if last is not None and now > last:
        tokens = min(float(burst), tokens + (now - last).total_seconds() * per_minute / 60.0)
    verdict: Verdict
    floor = -burst / 3.0 if button else 0.0  # what a button press may borrow
    if tokens - 1.0 >= floor:
        tokens -= 1.0
        told = False
        verdict = Verdict(True)
    else:
        seconds = max(1, math.ceil((1.0 - tokens) * 60.0 / max(per_minute, 1e-6)))
        notice = RATE_LIMITED.format(seconds=seconds)
        verdict = Verdict(False, notice if button or not told else None)
        told = True
    state.data = {**state.data, "rate": {"tokens": round(tokens, 3), "at": now.isoformat(), "told": told}}
    return verdict
