"""`hocvuso chat`: a terminal learner talking to the tutor core (channel "cli").

Buttons are shown as numbered choices; typing the number presses the button. When stdin is not a
terminal, one message is read per line and the replies printed, so a conversation can be scripted:

    printf '/start\\n1\\n' | hocvuso chat --user demo
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterable, Iterator
from typing import Annotated, TextIO

import typer

from hocvuso.commands.common import state
from tutor.messages import Button, Inbound, Reply, TutorPort

CHANNEL = "cli"


def render(replies: Iterable[Reply], out: TextIO) -> list[Button]:
    """Print replies for a terminal; return the buttons in the order they were numbered."""
    buttons: list[Button] = []
    for reply in replies:
        if reply.image_path:
            out.write(f"🖼  {reply.image_path}\n")
        out.write(reply.text.rstrip() + "\n")
        if reply.document_path:  # the terminal is on the server: the file's path is the document
            out.write(f"📄 {reply.document_path}\n")
        for source in reply.sources if "📖" not in reply.text else ():
            where = " › ".join(part for part in (source.title, source.heading, source.locator) if part)
            out.write(f"   📖 {where}\n")
        for row in reply.buttons:
            cells = []
            for button in row:
                buttons.append(button)
                cells.append(f"[{len(buttons)}] {button.label}")
            out.write("   " + "   ".join(cells) + "\n")
        out.write("\n")
    out.flush()
    return buttons


def to_inbound(line: str, user: str, buttons: list[Button]) -> Inbound:
    """A typed line as an inbound message: a button press when it is the number of a shown button."""
    message_id = uuid.uuid4().hex
    stripped = line.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
        return Inbound(CHANNEL, user, message_id, payload=buttons[int(stripped) - 1].payload, kind="button")
    return Inbound(CHANNEL, user, message_id, text=line.rstrip("\n"))


def _lines(stream: TextIO, interactive: bool) -> Iterator[str]:
    if not interactive:
        for line in stream:
            if line.strip():
                yield line.rstrip("\n")
        return
    while True:
        try:
            line = input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if line.strip() in ("/quit", "/thoat"):
            return
        if line.strip():
            yield line


def run_chat(tutor: TutorPort, user: str, stream: TextIO, out: TextIO, interactive: bool) -> int:
    """Feed lines to the tutor and print the replies; returns the number of messages sent."""
    buttons: list[Button] = []
    sent = 0
    for line in _lines(stream, interactive):
        if not interactive:
            out.write(f"> {line}\n")
        replies = tutor.handle(to_inbound(line, user, buttons))
        sent += 1
        shown = render(replies, out)
        if shown or replies:
            buttons = shown
    return sent


def chat(
    ctx: typer.Context,
    user: Annotated[
        str, typer.Option("--user", "-u", help="Who you are (each id is a separate learner).")
    ] = "cli-user",
) -> None:
    """Talk to the tutor in the terminal, as a learner would in Telegram or Zalo.

    Buttons are numbered: type the number to press one. /quit leaves.
    Example: printf '/start\\n1\\n' | hocvuso chat --user demo
    """
    container = state(ctx).container
    if container.knowledge_base.status().documents == 0:
        lessons = container.settings.ingest.lessons_dir
        typer.echo(f"The knowledge store is empty: ingesting {lessons} first…", err=True)
        report = container.ingestor.run([lessons])
        if not report.ok:
            typer.echo("Some lesson files could not be ingested; see `hocvuso ingest`.", err=True)
    tutor = container.conversation
    interactive = sys.stdin.isatty()
    if interactive:
        typer.echo("Hocvuso chat — gõ /trogiup để xem lệnh, /quit để thoát.\n")
    run_chat(tutor, user, sys.stdin, sys.stdout, interactive)


def purge_inactive(ctx: typer.Context) -> None:
    """Delete learners inactive for longer than `tutor.consent_retention_days` (run it daily, e.g. from cron).

    Example: hocvuso purge-inactive
    """
    container = state(ctx).container
    removed = container.conversation.purge_inactive()
    days = container.settings.tutor.consent_retention_days
    typer.echo(f"Deleted {removed} learner(s) inactive for more than {days} days.")


def register(app: typer.Typer) -> None:
    """Add `chat` and `purge-inactive` to the CLI."""
    app.command("chat")(chat)
    app.command("purge-inactive")(purge_inactive)
