"""The channel-agnostic message contract: what a channel hands the tutor and what it gets back.

Channels (`bot/`) translate their platform's updates into `Inbound` and render `Reply` objects;
they never decide anything themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

# The one apology every layer shows when a turn cannot be answered (no traceback ever reaches a learner).
APOLOGY = "Xin lỗi, hệ thống đang bận. Bạn vui lòng thử lại sau ít phút nhé."

InboundKind = Literal["text", "button", "sticker", "photo", "voice", "other"]


@dataclass(frozen=True)
class Inbound:
    """One message from a learner, as any channel sees it."""

    channel: str  # "telegram" | "zalo" | "web" | "cli"
    user_id: str  # the channel's own user id (never shown to other learners)
    message_id: str  # unique per channel; the same id delivered twice is handled once
    text: str | None = None
    payload: str | None = None  # a button's payload (from `Button.payload`)
    kind: InboundKind = "text"
    display_name: str | None = None  # what the platform says the user is called
    sent_at: datetime | None = None
    # kind "voice": `text` is the transcript; without one, why the note could not be heard
    # ("too_long", "silent", "not_audio", "corrupt", "unsupported", "busy", "failed"; None: voice is off)
    voice_problem: str | None = None


@dataclass(frozen=True)
class Button:
    """A button: Vietnamese label, opaque payload (≤ 64 bytes, verified by the tutor)."""

    label: str
    payload: str


@dataclass(frozen=True)
class QuizQuestion:
    """A quiz item as a channel may render it natively (e.g. a Telegram quiz poll)."""

    item_id: str
    question: str
    choices: tuple[str, ...] = ()  # empty for short-answer items (typed answers)
    choice_payloads: tuple[str, ...] = ()  # payload to send back when choice i is picked
    correct_index: int | None = None
    explanation: str = ""


@dataclass(frozen=True)
class SourceLink:
    """A lesson a reply draws on (title, and where in it)."""

    title: str
    source: str
    heading: str = ""
    locator: str = ""  # "trang 3", "phút 2:15"


@dataclass(frozen=True)
class Reply:
    """One message to show the learner."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of buttons
    quiz: QuizQuestion | None = None
    image_path: str | None = None  # a lesson illustration to send as a photo
    image_caption: str | None = None
    sources: tuple[SourceLink, ...] = field(default_factory=tuple)
    document_path: str | None = None  # a file to send as a document (certificate PDF, data export JSON)
    document_name: str | None = None  # the file name the learner sees


@dataclass(frozen=True)
class MenuEntry:
    """A command as channels show it in menus; generated from the tutor's command registry.

    Telegram's command menu (setMyCommands) uses `command` + `description`; quick-action bars and
    reply keyboards show `label`, and sending `label` as text runs the command too.
    """

    command: str  # without the slash: "hoc"
    label: str  # short Vietnamese label: "Học tiếp"
    description: str  # one line for menus and /trogiup
    quick: bool = False  # part of the persistent quick menu


@dataclass(frozen=True)
class ReminderTarget:
    """A learner who asked for a daily reminder on a channel."""

    channel: str
    user_id: str
    time_hhmm: str  # "19:30", Asia/Ho_Chi_Minh


@dataclass(frozen=True)
class CertificateCheck:
    """The answer to "is this certificate code valid?" (`GET /certificates/{code}`)."""

    valid: bool
    code: str
    number: str = ""
    name: str = ""
    unit: str = ""
    group: str = ""  # the group's Vietnamese label
    issued_on: str = ""  # local date, ISO 8601 (YYYY-MM-DD)


class TutorPort(Protocol):
    """What channels may ask of the tutor."""

    def handle(self, inbound: Inbound) -> list[Reply]:
        """Handle one inbound message and return the replies, in order."""
        ...

    def menu(self) -> list[MenuEntry]:
        """The commands to show in channel menus, in display order (quick ones flagged)."""
        ...

    def due_reminders(self, channel: str, now: datetime, limit: int = 100) -> list[tuple[ReminderTarget, Reply]]:
        """Reminders due at `now` on `channel`, each claimed once in the database (two processes
        asking at the same time never get the same learner's reminder for the same day)."""
        ...

    def set_active(self, channel: str, user_id: str, active: bool) -> None:
        """Mark a channel identity (in)active, e.g. when the user blocked the bot or unfollowed."""
        ...

    def verify_certificate(self, code: str) -> CertificateCheck:
        """Whether `code` is the verification code of a certificate issued (and not deleted)."""
        ...

    def certificate_file(self, code: str, kind: Literal["png", "pdf"]) -> str | None:
        """The path of a valid certificate's image or PDF (rendered when missing), or None."""
        ...

    def consented(self, channel: str, user_id: str) -> bool:
        """True when this channel user is a learner who agreed to the data notice (False when
        unknown, deleted or not agreed): a channel may keep that learner's conversation only then."""
        ...


class ChannelDataPort(Protocol):
    """Personal data the channels keep about their users outside the tutor's tables (an inbox row
    holding a message, a Zalo follower's reply window and buttons, a Telegram poll). The tutor's
    export and deletion (`/taidulieu`, `/xoadulieu`, retention purge) cover it through this port,
    on the tutor's own session for tables in the same database."""

    tables: tuple[str, ...]  # every table that may hold a channel user's data

    def export_user(self, session: Any, channel: str, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row about this channel user, per table, JSON-ready."""
        ...

    def delete_user(self, session: Any, channel: str, user_id: str) -> None:
        """Delete every row about this channel user."""
        ...


# --- the officers' dashboard (bot/dashboard.py reads only these) ------------------------------
@dataclass(frozen=True)
class StatIndicator:
    """One campaign indicator of a unit; `shown` is the numerator as an officer may see it ("< 5")."""

    id: str
    label: str
    numerator: int | None
    denominator: int
    value: float | None  # None: no denominator, or a suppressed small group
    target: float
    shown: str


@dataclass(frozen=True)
class StatUnitRow:
    """A unit with its subtree's figures; counts of learners are strings because small ones read "< 5"."""

    code: str
    name: str
    level: str
    parent: str | None
    members: int
    learners: str
    active_7: str
    active_30: str
    certified: str
    share: float | None  # certified / members
    values: dict[str, float | None]  # indicator id -> value


@dataclass(frozen=True)
class StatModuleRow:
    """A module's progress in a unit's subtree."""

    module: str
    title: str
    started: str  # learners who started one of its lessons
    completed: str  # lessons completed
    mastery: float | None  # average mastery of its skills


@dataclass(frozen=True)
class StatWeek:
    """Learners active in one week (Monday's date)."""

    week: str
    active: str
    count: int | None  # None when suppressed


@dataclass(frozen=True)
class ContentGap:
    """A question the lessons could not answer, how often it was asked, and when last."""

    question: str
    count: int
    last_asked: str


@dataclass(frozen=True)
class MissedItem:
    """A quiz item often answered wrong: the editors may reword it or the lesson."""

    item_id: str
    question: str
    wrong: int
    answered: int


@dataclass(frozen=True)
class OfficerSession:
    """Who is signed in to the dashboard and the unit whose subtree they may see."""

    unit_code: str
    unit_name: str
    who: str
    min_group: int
    can_list: bool = False  # an officer of this grassroots unit: may see its list of learners


@dataclass(frozen=True)
class UnitOverview:
    """A unit's page: indicators, modules, weekly trend, sub-units."""

    code: str
    name: str
    level: str
    indicators: tuple[StatIndicator, ...]
    modules: tuple[StatModuleRow, ...]
    trend: tuple[StatWeek, ...]
    children: tuple[StatUnitRow, ...]


@dataclass(frozen=True)
class ListedLearnerRow:
    """A learner of the officer's own grassroots unit who agreed to be listed (/hienten)."""

    name: str
    group: str  # officer | public | worker | "" (not chosen)
    lessons_completed: int
    certified: bool
    last_active_week: str  # Monday of the week last active (ISO date)


@dataclass(frozen=True)
class LearnerList:
    """The list of learners of a grassroots unit; `allowed` False: this session may see no list
    (a district or province officer, an operator) and `rows` is empty."""

    unit_code: str
    unit_name: str
    allowed: bool
    rows: tuple[ListedLearnerRow, ...] = ()


class OfficerPort(Protocol):
    """What the dashboard may ask of the tutor. Every call after sign-in carries the session token;
    the tutor checks it, keeps the answer inside the officer's scope, and logs the view."""

    def sign_in(self, link_token: str) -> str | None:
        """Trade a one-time sign-in link token for a session token (None: unknown, used or expired)."""
        ...

    def session(self, session_token: str) -> OfficerSession | None:
        """The signed-in officer, or None."""
        ...

    def sign_out(self, session_token: str) -> None:
        """End a session."""
        ...

    def overview(self, session_token: str, unit_code: str | None = None) -> UnitOverview | None:
        """A unit's page (default: the officer's unit); None when signed out or out of scope."""
        ...

    def units(self, session_token: str, what: str = "dashboard:units") -> list[StatUnitRow] | None:
        """Every unit of the officer's scope with its figures; None when signed out."""
        ...

    def content_gaps(self, session_token: str, what: str = "dashboard:gaps") -> list[ContentGap] | None:
        """Unanswered questions in the officer's scope, most asked first; None when signed out."""
        ...

    def missed_items(self, session_token: str, what: str = "dashboard:missed") -> list[MissedItem] | None:
        """Quiz items most often answered wrong in the officer's scope; None when signed out."""
        ...

    def learners(self, session_token: str, what: str = "dashboard:learners") -> LearnerList | None:
        """The consenting learners of the officer's own grassroots unit; None when signed out."""
        ...
