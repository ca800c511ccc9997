"""Button payloads: typed dataclasses and the one codec that signs, encodes and decodes them.

On the wire a payload is `<code>[:<field>...]|<sig>` (≤ 64 bytes), where `sig` is an HMAC of the
learner id and the body: a payload from another learner, a forged one or one of an unknown shape
decodes to None and gets a polite reply. The wire format is the one of earlier versions, so
buttons already sent keep working. Fields are `int` or `str` without ":" or "|".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import ClassVar

from tutor.messages import Button

MAX_PAYLOAD_BYTES = 64


@dataclass(frozen=True)
class Payload:
    """Base of every button payload; `code` is the short tag that names the action on the wire."""

    code: ClassVar[str] = ""


# --- onboarding ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Agree(Payload):
    """«Đồng ý»: consent to the personal-data notice."""

    code: ClassVar[str] = "ok"


@dataclass(frozen=True)
class SkipStep(Payload):
    """Skip a profile step (name or unit)."""

    code: ClassVar[str] = "sk"


@dataclass(frozen=True)
class UsePlatformName(Payload):
    """Use the name the platform gave."""

    code: ClassVar[str] = "nm"


@dataclass(frozen=True)
class PickUnit(Payload):
    """Unit option `index` of the last search."""

    code: ClassVar[str] = "u"
    index: int


@dataclass(frozen=True)
class PickGroup(Payload):
    """A learner group (officer, public, worker)."""

    code: ClassVar[str] = "g"
    group: str


# --- placement, lessons, quizzes -------------------------------------------------------------
@dataclass(frozen=True)
class StartPlacement(Payload):
    code: ClassVar[str] = "pl"


@dataclass(frozen=True)
class SkipPlacement(Payload):
    code: ClassVar[str] = "ps"


@dataclass(frozen=True)
class Learn(Payload):
    """Learn the next lesson."""

    code: ClassVar[str] = "l"


@dataclass(frozen=True)
class NextSection(Payload):
    """Next after section `section` of the lesson tagged `lesson` (see `lesson_hash`)."""

    code: ClassVar[str] = "nx"
    lesson: str
    section: int


@dataclass(frozen=True)
class OpenLesson(Payload):
    code: ClassVar[str] = "ls"
    lesson: str


@dataclass(frozen=True)
class QuizLesson(Payload):
    code: ClassVar[str] = "qz"
    lesson: str


@dataclass(frozen=True)
class AnswerChoice(Payload):
    """Choice `index` of the quiz question numbered `seq`."""

    code: ClassVar[str] = "a"
    seq: int
    index: int


@dataclass(frozen=True)
class Review(Payload):
    code: ClassVar[str] = "rv"


# --- questions, progress, data rights --------------------------------------------------------
@dataclass(frozen=True)
class AskPrompt(Payload):
    """«Hỏi»: invite the learner to type a question."""

    code: ClassVar[str] = "ask"


@dataclass(frozen=True)
class Feedback(Payload):
    """👍 ("u") or 👎 ("d") on the answer logged as event `event`."""

    code: ClassVar[str] = "fb"
    event: int
    value: str


@dataclass(frozen=True)
class Progress(Payload):
    code: ClassVar[str] = "pg"


@dataclass(frozen=True)
class DeleteYes(Payload):
    code: ClassVar[str] = "dy"


@dataclass(frozen=True)
class DeleteNo(Payload):
    code: ClassVar[str] = "dn"


@dataclass(frozen=True)
class Catalogue(Payload):
    """«Danh mục»: the list of modules."""

    code: ClassVar[str] = "ct"


@dataclass(frozen=True)
class OpenModule(Payload):
    """Show one module's lessons (`module`: `lesson_hash` of the module id)."""

    code: ClassVar[str] = "om"
    module: str


@dataclass(frozen=True)
class StudyModule(Payload):
    """Open the module's first unfinished lesson (`module`: `lesson_hash` of the module id)."""

    code: ClassVar[str] = "sm"
    module: str


@dataclass(frozen=True)
class RemindAt(Payload):
    """A reminder time picked with a button (minutes after midnight: "8h" → sáng or tối)."""

    code: ClassVar[str] = "rm"
    minutes: int


@dataclass(frozen=True)
class PracticeMissing(Payload):
    """«Luyện kỹ năng còn thiếu»: practice drawn from exactly the missing core skills."""

    code: ClassVar[str] = "pm"


@dataclass(frozen=True)
class GetCertificate(Payload):
    """«Nhận chứng nhận»: send the certificate (again)."""

    code: ClassVar[str] = "cn"


def lesson_hash(lesson_id: str) -> str:
    """A short stable tag of a lesson id for button payloads."""
    return hashlib.sha1(lesson_id.encode("utf-8")).hexdigest()[:6]


class PayloadCodec:
    """Signs and encodes payloads into buttons; verifies and decodes what comes back."""

    def __init__(self, secret: bytes, types: Iterable[type[Payload]]) -> None:
        """`types`: every payload class that may come back (codes must be unique)."""
        self._secret = secret
        self._types: dict[str, type[Payload]] = {}
        for kind in types:
            if not kind.code or kind.code in self._types:
                raise ValueError(f"payload code missing or used twice: {kind.code!r}")
            self._types[kind.code] = kind

    def encode(self, learner_id: int, payload: Payload) -> str:
        """The signed wire form of `payload` for this learner; ValueError past 64 bytes."""
        parts = [payload.code]
        for f in fields(payload):
            value = str(getattr(payload, f.name))
            if ":" in value or "|" in value:
                raise ValueError(f"payload field {f.name} holds a separator")
            parts.append(value)
        body = ":".join(parts)
        wire = f"{body}|{self._sign(learner_id, body)}"
        if len(wire.encode("utf-8")) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"button payload too long: {body!r}")
        return wire

    def button(self, learner_id: int, label: str, payload: Payload) -> Button:
        """A button carrying `payload`, signed for this learner."""
        return Button(label, self.encode(learner_id, payload))

    def decode(self, learner_id: int, wire: str) -> Payload | None:
        """The payload when the signature is this learner's and the shape is known, else None."""
        body, sep, sig = wire.rpartition("|")
        if not sep or not body:
            return None
        if not hmac.compare_digest(sig.encode(), self._sign(learner_id, body).encode()):
            return None
        code, *values = body.split(":")
        kind = self._types.get(code)
        if kind is None:
            return None
        slots = fields(kind)
        if len(values) != len(slots):
            return None
        converted: list[int | str] = []
        for slot, value in zip(slots, values, strict=True):
            if slot.type in (int, "int"):
                try:
                    converted.append(int(value))
                except ValueError:
                    return None
            else:
                converted.append(value)
        return kind(*converted)

    def _sign(self, learner_id: int, body: str) -> str:
        digest = hmac.new(self._secret, f"{learner_id}|{body}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:9]).decode("ascii")
