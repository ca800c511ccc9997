"""Data rights: /taidulieu (everything stored, as JSON) and /xoadulieu (delete it all, confirmed)."""

from __future__ import annotations

import json

from knowledge.textnorm import fold
from tutor import texts
from tutor.events import EventKind
from tutor.flows.base import FlowContext, Outcome, Turn, say
from tutor.messages import Reply
from tutor.payloads import DeleteNo, DeleteYes
from tutor.registry import ButtonAction, Command, Registry

EXPORT_CHUNK_CHARS = 3500
_YES = {"co", "xoa", "xoa het", "yes", "dong y"}


def export(ctx: FlowContext, t: Turn, _arg: str) -> Outcome:
    """Every row stored about the learner, as JSON split into chat-sized messages."""
    ctx.event(t, EventKind.DATA_EXPORTED)
    t.session.flush()
    data = ctx.store.export(t.session, t.learner.id)
    dumped = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    return Outcome([Reply(texts.EXPORT_INTRO)] + [Reply(chunk) for chunk in split_text(dumped, EXPORT_CHUNK_CHARS)])


def ask_delete(ctx: FlowContext, t: Turn, _arg: str) -> Outcome:
    """Ask for confirmation (buttons, or «có»/«xóa» typed)."""
    t.state.pending = "delete"
    lid = t.learner.id
    buttons = ((ctx.button(lid, texts.BTN_DELETE_YES, DeleteYes()), ctx.button(lid, texts.BTN_CANCEL, DeleteNo())),)
    return say(Reply(texts.DELETE_CONFIRM, buttons=buttons))


def confirm_delete(ctx: FlowContext, t: Turn, yes: bool) -> Outcome:
    """Delete the learner and everything about them (an anonymous event counts it), or cancel."""
    t.state.pending = None
    if not yes:
        return say(texts.DELETE_CANCELLED)
    channel = t.inbound.channel
    ctx.store.delete_learner(t.session, t.learner.id, keep_message=(channel, t.inbound.message_id))
    ctx.store.add_event(t.session, None, EventKind.DATA_DELETED, t.now, channel=channel)
    return say(texts.DELETE_DONE)


def _delete_before_consent(ctx: FlowContext, t: Turn, _arg: str) -> Outcome:
    # Nothing personal is stored yet; forget that we asked.
    ctx.store.delete_learner(t.session, t.learner.id, keep_message=(t.inbound.channel, t.inbound.message_id))
    return say(texts.DELETE_DONE)


def _typed_confirmation(ctx: FlowContext, t: Turn) -> Outcome:
    return confirm_delete(ctx, t, fold(t.text).strip(" .!") in _YES)


def _button(yes: bool):  # type: ignore[no-untyped-def]
    def run(ctx: FlowContext, t: Turn, _payload: object) -> Outcome:
        if t.state.pending != "delete":
            return say(texts.STALE_BUTTON)
        return confirm_delete(ctx, t, yes)

    return run


def split_text(text: str, limit: int) -> list[str]:
    """Split text at line ends into pieces of at most `limit` characters."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current:
        pieces.append(current)
    return [p.rstrip("\n") for p in pieces]


def register(registry: Registry) -> None:
    """Declare /taidulieu, /xoadulieu, the confirmation buttons and the typed confirmation."""
    registry.command(
        Command("taidulieu", "tải dữ liệu của bạn", export, aliases=("export",), label="Tải dữ liệu", anytime=True)
    )
    registry.command(
        Command(
            "xoadulieu",
            "xóa dữ liệu của bạn",
            ask_delete,
            aliases=("delete",),
            label="Xóa dữ liệu",
            anytime=True,
            before_consent=_delete_before_consent,
        )
    )
    registry.button(ButtonAction(DeleteYes, _button(True), anytime=True))
    registry.button(ButtonAction(DeleteNo, _button(False), anytime=True))
    registry.on_pending("delete", _typed_confirmation)
