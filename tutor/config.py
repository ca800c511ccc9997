"""The tutor's configuration: plain dataclasses, built by the composition root from the settings.

The tutor never reads the application's settings itself; `hocvuso/container.py` maps them onto these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class MasteryConfig:
    """Bayesian Knowledge Tracing parameters (per skill) and the mastery threshold."""

    p_init: float = 0.2
    p_learn: float = 0.15
    p_slip: float = 0.1
    p_guess: float = 0.2
    threshold: float = 0.8  # mastery at or above this counts as "đạt"


@dataclass(frozen=True)
class PlacementConfig:
    """The adaptive entry test: how many items at most, when to stop, what a passed module is worth."""

    max_items: int = 24  # never more items than this (two for each of the officers' 12 modules)
    stop_after_wrong: int = 4  # this many answers, all wrong: a beginner, stop early
    mastery: float = 0.9  # mastery of a skill answered right in a module shown "đã vững"
    untested_prior: float = 0.6  # that module's other skills: below the threshold, closed by practice


@dataclass(frozen=True)
class LLMConfig:
    """An OpenAI-compatible chat endpoint; empty `base_url` or `model` means no LLM."""

    base_url: str = ""
    model: str = ""
    api_key: str | None = field(default=None, repr=False)  # never printed
    timeout_s: float = 20.0
    max_tokens: int = 400
    temperature: float = 0.2


@dataclass(frozen=True)
class TutorConfig:
    """What the conversation core reads: limits, time zone, retention, quiz length, mastery."""

    max_message_chars: int = 2000
    rate_limit_per_minute: int = 30  # token bucket refill: sustained messages per minute
    rate_limit_burst: int = 30  # token bucket size: messages allowed at once
    timezone: str = "Asia/Ho_Chi_Minh"
    consent_retention_days: int = 730
    unconsented_retention_hours: int = 24  # a learner who never consented is deleted after this
    quiz_length: int = 5  # items per /kiemtra and /ontap session
    daily_goal_answers: int = 5  # questions answered in a day (or one lesson finished) for the daily goal
    voice_max_seconds: int = 60  # the longest voice note the channels transcribe (named in the "too long" reply)
    mastery: MasteryConfig = field(default_factory=MasteryConfig)
    placement: PlacementConfig = field(default_factory=PlacementConfig)
    certificate_dir: str = ""  # where certificate PNG/PDF files are written; "" -> the system temp dir
    public_url: str = ""  # the server's public address, printed on certificates for verification
    export_dir: Path | None = None  # temporary /taidulieu files; None: the system's temp folder
