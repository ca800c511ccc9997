"""Turn one turn's `Reply` objects into as few Zalo OA messages as possible: pure functions.

Zalo charges for messages past 8 free replies in the 48 hours after a learner's last message, so
a turn's replies are combined: texts are joined until a reply carries buttons, which close the
message. Texts are split under Zalo's 2,000-character limit at natural boundaries; buttons become a
template attachment of `oa.query.show` buttons (at most 5 per message) whose payload is the label
itself, so a tap shows the label in the chat as the learner's own message; the channel maps the
label back to the tutor's payload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.zalo_store import label_key
from tutor.messages import Button, Reply

TEXT_LIMIT = 2000
MAX_BUTTONS = 5
TITLE_LIMIT = 100
MORE_BUTTONS_TEXT = "Hoặc chọn:"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
_SENTENCE_END = re.compile(r"[.!?…:;](?:[\"'”)\]]*)\s")


@dataclass(frozen=True)
class ZaloButton:
    """A button as sent: its title (also what Zalo sends back on a tap) and the tutor's payload."""

    title: str
    payload: str


@dataclass(frozen=True)
class ZaloOut:
    """One message to send: plain text, and optional buttons or an image (never both)."""

    text: str
    buttons: tuple[ZaloButton, ...] = ()
    image: Path | None = None  # uploaded by the channel; its attachment id goes into message()
    document: Path | None = None  # a file (PDF, JSON) uploaded by the channel; sent alone, no text
    document_name: str = ""

    def message(self, attachment_id: str | None = None) -> dict[str, Any]:
        """The `message` object of a /v3.0/oa/message/cs request (the image only with its id)."""
        if self.document is not None and attachment_id:
            return {"attachment": {"type": "file", "payload": {"token": attachment_id}}}
        body: dict[str, Any] = {"text": self.text}
        if self.image is not None and attachment_id:
            body["attachment"] = {
                "type": "template",
                "payload": {
                    "template_type": "media",
                    "elements": [{"media_type": "image", "attachment_id": attachment_id}],
                },
            }
        elif self.buttons:
            body["attachment"] = {
                "type": "template",
                "payload": {
                    "buttons": [{"title": b.title, "type": "oa.query.show", "payload": b.title} for b in self.buttons]
                },
            }
        return body

    def button_map(self) -> dict[str, str]:
        """Label key -> tutor payload for the buttons of this message (quick replies have none: their
        label comes back as the learner's text, which the tutor reads as the command)."""
        return {label_key(b.title): b.payload for b in self.buttons if b.payload}


def _cut(window: str) -> int:
    floor = len(window) // 2
    for position in (
        window.rfind("\n\n"),
        window.rfind("\n"),
        max((m.end() for m in _SENTENCE_END.finditer(window)), default=-1),
        window.rfind(" "),
    ):
        if position >= floor:
            return max(position, 1)
    return len(window)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, line, sentence or word boundaries."""
    rest = text.strip()
    pieces: list[str] = []
    while len(rest) > limit:
        cut = _cut(rest[:limit])
        head = rest[:cut].rstrip()
        if not head:
            head, cut = rest[:limit], limit
        pieces.append(head)
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def reply_text(reply: Reply, *, image_shown: bool = False) -> str:
    """The reply as plain text: image caption, text, then sources the text does not name."""
    parts: list[str] = []
    caption = (reply.image_caption or "").strip()
    text = reply.text.strip()
    if reply.image_path and caption and caption != text:
        parts.append(caption if image_shown else f"🖼 {caption}")
    if text:
        parts.append(text)
    for source in reply.sources:
        if source.title and source.title in text:
            continue
        where = ", ".join(p for p in (source.heading, source.locator) if p)
        parts.append(f"📖 {source.title}" + (f" ({where})" if where else ""))
    return "\n\n".join(parts)


def _buttons(rows: tuple[tuple[Button, ...], ...]) -> list[ZaloButton]:
    """Flatten rows; trim titles; make titles unique (the title is what comes back)."""
    out: list[ZaloButton] = []
    seen: set[str] = set()
    for row in rows:
        for button in row:
            if not button.payload:
                continue
            title = " ".join(button.label.split())[:TITLE_LIMIT] or "…"
            candidate, n = title, 2
            while label_key(candidate) in seen:
                suffix = f" ({n})"
                candidate = title[: TITLE_LIMIT - len(suffix)] + suffix
                n += 1
            seen.add(label_key(candidate))
            out.append(ZaloButton(candidate, button.payload))
    return out


def _emit(text: str, buttons: list[ZaloButton]) -> list[ZaloOut]:
    pieces = split_text(text) or ([MORE_BUTTONS_TEXT] if buttons else [])
    out = [ZaloOut(p) for p in pieces[:-1]]
    if pieces:
        out.append(ZaloOut(pieces[-1], tuple(buttons[:MAX_BUTTONS])))
    for start in range(MAX_BUTTONS, len(buttons), MAX_BUTTONS):
        out.append(ZaloOut(MORE_BUTTONS_TEXT, tuple(buttons[start : start + MAX_BUTTONS])))
    return out


def image_file(reply: Reply, media_root: Path | None = None) -> Path | None:
    """The reply's image when it is a PNG/JPEG file that exists (relative paths under media_root)."""
    if not reply.image_path:
        return None
    path = Path(reply.image_path)
    if not path.is_absolute() and media_root is not None:
        path = media_root / path
    if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
        return None
    return path


def with_quick_replies(outs: list[ZaloOut], quick: tuple[str, ...]) -> list[ZaloOut]:
    """The quick menu (Học tiếp · Hỏi · Bài tập · Tiến độ · Danh mục) as buttons on the turn's last
    message when it has no buttons or image of its own: no extra (paid) message is ever added."""
    last = outs[-1] if outs else None
    if last is None or not quick or last.buttons or last.image is not None or last.document is not None:
        return outs
    buttons = tuple(ZaloButton(label[:TITLE_LIMIT], "") for label in quick[:MAX_BUTTONS])
    return [*outs[:-1], ZaloOut(outs[-1].text, buttons)]


def document_file(reply: Reply, media_root: Path | None = None) -> Path | None:
    """The reply's document when the file exists (relative paths under media_root)."""
    if not reply.document_path:
        return None
    path = Path(reply.document_path)
    if not path.is_absolute() and media_root is not None:
        path = media_root / path
    return path if path.is_file() else None


def plan_replies(replies: list[Reply], media_root: Path | None = None) -> list[ZaloOut]:
    """The Zalo messages showing a turn's replies, combined into as few messages as possible."""
    out: list[ZaloOut] = []
    pending: list[str] = []
    for reply in replies:
        document = document_file(reply, media_root)
        if document is not None:  # its text first, then the file on its own
            text = reply_text(reply)
            pieces = split_text("\n\n".join([*pending, text])) if (pending or text) else []
            out.extend(ZaloOut(p) for p in pieces)
            pending = []
            name = reply.document_name or document.name
            out.append(ZaloOut(f"📄 {name}", document=document, document_name=name))
            out.extend(_emit("", _buttons(reply.buttons)) if reply.buttons else [])
            continue
        image = image_file(reply, media_root)
        text = reply_text(reply, image_shown=image is not None)
        if text:
            pending.append(text)
        buttons = _buttons(reply.buttons)
        if image is not None:
            pieces = split_text("\n\n".join(pending)) or [""]
            out.extend(ZaloOut(p) for p in pieces[:-1])
            out.append(ZaloOut(pieces[-1] or "🖼", image=image))
            pending = []
            if buttons:
                out.extend(_emit("", buttons))
            continue
        if buttons:
            out.extend(_emit("\n\n".join(pending), buttons))
            pending = []
    if pending:
        out.extend(_emit("\n\n".join(pending), []))
    return out
