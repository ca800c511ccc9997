"""The payload codec: typed payloads round-trip, are signed per learner and fit in 64 bytes."""

from __future__ import annotations

import pytest

from tutor.flows import build_registry
from tutor.payloads import (
    MAX_PAYLOAD_BYTES,
    AnswerChoice,
    Feedback,
    Learn,
    NextSection,
    Payload,
    PayloadCodec,
    PickGroup,
    lesson_hash,
)


@pytest.fixture
def codec() -> PayloadCodec:
    return PayloadCodec(b"secret", build_registry().payload_types())


EXAMPLES: list[Payload] = [
    Learn(),
    NextSection(lesson_hash("an-toan/01-mat-khau"), 12),
    AnswerChoice(98765, 3),
    Feedback(2**31 - 1, "u"),
    PickGroup("officer"),
]


@pytest.mark.parametrize("payload", EXAMPLES)
def test_round_trip(codec: PayloadCodec, payload: Payload) -> None:
    wire = codec.encode(7, payload)
    assert len(wire.encode("utf-8")) <= MAX_PAYLOAD_BYTES
    assert codec.decode(7, wire) == payload


def test_wire_format_is_the_earlier_one(codec: PayloadCodec) -> None:
    """Buttons sent before the restructuring still decode."""
    assert codec.encode(7, AnswerChoice(4, 1)).startswith("a:4:1|")
    assert codec.encode(7, Learn()).startswith("l|")


def test_forged_foreign_and_malformed_payloads_are_refused(codec: PayloadCodec) -> None:
    wire = codec.encode(7, NextSection("abcdef", 0))
    body, sig = wire.rsplit("|", 1)
    assert codec.decode(8, wire) is None  # another learner's button
    assert codec.decode(7, "nx:abcdef:1|" + sig) is None  # the body was changed
    assert codec.decode(7, body) is None
    assert codec.decode(7, body + "|") is None
    assert codec.decode(7, "|" + sig) is None
    assert PayloadCodec(b"other", build_registry().payload_types()).decode(7, wire) is None
    # A genuine signature on an unknown code or a wrong shape is refused too.
    assert codec.decode(7, codec.encode(7, Learn()).replace("l|", "zz|")) is None
    assert codec.decode(7, codec.encode(7, NextSection("abcdef", "x"))) is None  # type: ignore[arg-type]
    assert codec.decode(7, codec.encode(7, PickGroup("worker")).replace("g:worker|", "g|")) is None


def test_size_limit_and_separators(codec: PayloadCodec) -> None:
    with pytest.raises(ValueError, match="too long"):
        codec.encode(7, PickGroup("x" * 60))
    with pytest.raises(ValueError, match="separator"):
        codec.encode(7, PickGroup("a:b"))


def test_codes_must_be_unique() -> None:
    with pytest.raises(ValueError):
        PayloadCodec(b"s", [Learn, Learn])
