"""Data rights: /taidulieu (a short summary, everything stored as one JSON file) and /xoadulieu
(delete it all, confirmed)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from knowledge.textnorm import fold
from tutor import texts
from tutor.certificates import certificate_of, files_dir, remove_files
from tutor.events import EventKind
from tutor.export import ExportFiles, readable_export, summary_counts
from tutor.flows.base import FlowContext, Outcome, Turn, say
from tutor.messages import Reply
from tutor.payloads import DeleteNo, DeleteYes
from tutor.registry import ButtonAction, Command, Registry

_YES = {"co", "xoa", "xoa het", "yes", "dong y"}


def export_files(ctx: FlowContext) -> ExportFiles:
    """The export folder: the configured one, else one in the system's temp folder."""
    return ExportFiles(ctx.config.export_dir or Path(tempfile.gettempdir()) / "hocvuso-exports")


def export_summary(counts: dict[str, int]) -> str:
    """The chat summary of an export (the file holds the rest)."""
    return (
        "📦 Dữ liệu của bạn:\n"
        f"• Bài học: {counts['lessons_done']} bài đã xong, {counts['lessons_started']} bài đã mở\n"
        f"• Kỹ năng đang theo dõi: {counts['skills']}\n"
        f"• Câu hỏi trong lịch ôn tập: {counts['cards']}\n"
        f"• Hoạt động đã ghi: {counts['events']}\n"
        "Toàn bộ dữ liệu nằm trong tệp JSON gửi kèm (mở bằng ứng dụng đọc văn bản)."
        " Tệp bị xóa khỏi máy chủ sau 10 phút."
    )


def export(ctx: FlowContext, t: Turn, _arg: str) -> Outcome:
    """Every row stored about the learner: a short summary in chat and one JSON file as a document."""
    ctx.event(t, EventKind.DATA_EXPORTED)
    t.session.flush()
    raw = ctx.store.export(t.session, t.learner.id)
    unit = ctx.units.get(t.learner.unit_id)
    readable = readable_export(raw, ctx.curriculum, t.now, unit.name if unit else None)
    path = export_files(ctx).write(readable, t.now, t.learner.id)
    name = f"hocvuso-du-lieu-{t.now.astimezone(ctx.tz):%Y-%m-%d}.json"
    return say(Reply(export_summary(summary_counts(raw)), document_path=str(path), document_name=name))


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
    remove_files_of(ctx, t)
    ctx.store.delete_learner(t.session, t.learner.id, keep_message=(channel, t.inbound.message_id))
    ctx.store.add_event(t.session, None, EventKind.DATA_DELETED, t.now, channel=channel)
    return say(texts.DELETE_DONE)


def remove_files_of(ctx: FlowContext, t: Turn) -> None:
    """Delete the learner's files at once: data exports and certificate PNG/PDF (their links stop
    working; the certificate's row goes with the learner, so verification says it is not valid)."""
    export_files(ctx).remove_for(t.learner.id)
    info = certificate_of(t.session, t.learner.id)
    if info is not None:
        remove_files(info, files_dir(ctx.config.certificate_dir))


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
