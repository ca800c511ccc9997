"""/hienten: a learner chooses whether the officers of their grassroots unit see them in the unit's
list of learners (name, group, lessons, certified, last active week). Nobody is listed until they
say yes; they can hide again at any time. The choice is in their data export (/taidulieu) and
goes with their data (/xoadulieu).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tutor import texts_officers as tx
from tutor.flows.base import FlowContext, Outcome, Turn, say
from tutor.learner_lists import set_listed
from tutor.messages import Reply
from tutor.payloads import Payload
from tutor.registry import ButtonAction, Command, Registry


@dataclass(frozen=True)
class ListingChoice(Payload):
    """The answer to «cho cán bộ thấy tên bạn?»: 1 yes, 0 no."""

    code: ClassVar[str] = "lst"
    yes: int


def ask_listing(ctx: FlowContext, t: Turn, _arg: str = "") -> Outcome:
    """/hienten: the question, where the learner stands now, and the two buttons."""
    lid = t.learner.id
    now = tx.LISTING_NOW_ON if t.learner.listed_at is not None else tx.LISTING_NOW_OFF
    buttons = (
        (ctx.button(lid, tx.BTN_LISTING_YES, ListingChoice(1)), ctx.button(lid, tx.BTN_LISTING_NO, ListingChoice(0))),
    )
    return say(Reply(f"{tx.LISTING_ASK}\n{now}", buttons=buttons))


def _choice(ctx: FlowContext, t: Turn, payload: ListingChoice) -> Outcome:
    set_listed(t.learner, bool(payload.yes), t.now)
    return say(tx.LISTING_ON if payload.yes else tx.LISTING_OFF)


def register(registry: Registry) -> None:
    """Declare /hienten (also typed «ẩn tên», «hiện tên») and its yes/no buttons."""
    registry.command(
        Command(
            "hienten",
            "hiện hoặc ẩn tên bạn với cán bộ công đoàn cơ sở",
            ask_listing,
            aliases=("anten", "listme"),
        )
    )
    registry.button(ButtonAction(ListingChoice, _choice))
