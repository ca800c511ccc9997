"""Turn the tutor's `Reply` objects into Telegram messages: pure functions, no network.

Text is sent with parse mode HTML: every piece of tutor text is escaped with `html.escape`, and
long texts are split under Telegram's 4,096-character limit at paragraph, line or sentence
boundaries. Quiz items may become native quiz polls when they fit Telegram's poll limits.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from tutor.messages import Button, MenuEntry, QuizQuestion, Reply

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
POLL_QUESTION_LIMIT = 300
POLL_OPTION_LIMIT = 100
POLL_EXPLANATION_LIMIT = 200
POLL_MAX_OPTIONS = 10
PARSE_MODE = "HTML"

ButtonRows = tuple[tuple[Button, ...], ...]

_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”)\]]*)\s")


@dataclass(frozen=True)
class OutText:
    """A text message (already escaped for HTML), with an optional inline keyboard."""

    html: str
    buttons: ButtonRows = ()


@dataclass(frozen=True)
class OutPhoto:
    """A lesson image sent as a photo, with an escaped caption."""

    path: Path
    caption_html: str | None = None


@dataclass(frozen=True)
class OutDocument:
    """A file (a certificate's PDF) sent as a document, with an escaped caption."""

    path: Path
    filename: str
    caption_html: str | None = None


@dataclass(frozen=True)
class OutPoll:
    """A quiz item sent as a non-anonymous Telegram quiz poll (plain text fields)."""

    quiz: QuizQuestion
    buttons: ButtonRows = ()


Outgoing = OutText | OutPhoto | OutDocument | OutPoll


def escaped_len(text: str) -> int:
    """Length of `text` once escaped for parse mode HTML."""
    return len(html.escape(text, quote=False))


def _longest_prefix(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """The largest n such that measure(text[:n]) <= limit (measure grows with n)."""
    if measure(text) <= limit:
        return len(text)
    lo, hi = 0, min(len(text), limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _best_cut(window: str) -> int:
    """Where to cut a window that is too long: a paragraph, line, sentence or word boundary."""
    floor = len(window) // 2
    for finder in (
        lambda w: w.rfind("\n\n"),
        lambda w: w.rfind("\n"),
        lambda w: max((m.end() for m in _SENTENCE_END.finditer(w)), default=-1),
        lambda w: w.rfind(" "),
    ):
        position = finder(window)
        if position >= floor:
            return max(position, 1)
    return len(window)


def split_text(text: str, limit: int = MESSAGE_LIMIT, measure: Callable[[str], int] = len) -> list[str]:
    """Split `text` into pieces with measure(piece) <= limit, cutting at natural boundaries."""
    rest = text.strip()
    pieces: list[str] = []
    while rest and measure(rest) > limit:
        window = rest[: _longest_prefix(rest, limit, measure)]
        cut = _best_cut(window) if len(window) < len(rest) else len(window)
        head = rest[:cut].rstrip()
        if not head:  # only whitespace before the cut: take the window as is
            head, cut = window, len(window)
        pieces.append(head)
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def html_pieces(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split plain tutor text and escape each piece so the escaped piece fits `limit`."""
    return [html.escape(p, quote=False) for p in split_text(text, limit, escaped_len)]


def usable_buttons(rows: ButtonRows) -> ButtonRows:
    """Drop buttons whose payload does not fit Telegram's callback_data (1–64 bytes) and empty rows."""
    kept = tuple(tuple(b for b in row if 0 < len(b.payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT) for row in rows)
    return tuple(row for row in kept if row)


def to_markup(rows: ButtonRows) -> InlineKeyboardMarkup | None:
    """An inline keyboard whose callback_data are the tutor's payloads, or None without buttons."""
    rows = usable_buttons(rows)
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label[:64], callback_data=b.payload) for b in row] for row in rows]
    )


def quick_keyboard(entries: list[MenuEntry], per_row: int = 3) -> ReplyKeyboardMarkup | None:
    """The persistent quick menu (Học tiếp · Hỏi · Bài tập · Tiến độ · Danh mục) as a reply keyboard.

    A tap sends the label as the learner's text, which the tutor reads as the command. Telegram keeps
    the keyboard under the input field until another reply keyboard replaces it, so it rides on the
    messages that carry no inline keyboard (one message has one markup)."""
    labels = [e.label for e in entries if e.quick and e.label and not e.label.startswith("/")]
    if not labels:
        return None
    rows = [[KeyboardButton(label) for label in labels[i : i + per_row]] for i in range(0, len(labels), per_row)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True, input_field_placeholder="Gõ câu hỏi…")


def fits_poll(quiz: QuizQuestion) -> bool:
    """True when a quiz item can be a Telegram quiz poll (choices, a known answer, within limits)."""
    return (
        2 <= len(quiz.choices) <= POLL_MAX_OPTIONS
        and len(quiz.choice_payloads) == len(quiz.choices)
        and quiz.correct_index is not None
        and 0 <= quiz.correct_index < len(quiz.choices)
        and 0 < len(quiz.question) <= POLL_QUESTION_LIMIT
        and all(0 < len(c) <= POLL_OPTION_LIMIT for c in quiz.choices)
    )


def _sources_text(reply: Reply) -> str:
    """Source lines for sources the reply's text does not already name."""
    lines = []
    for source in reply.sources:
        if source.title and source.title in reply.text:
            continue
        where = ", ".join(part for part in (source.heading, source.locator) if part)
        lines.append(f"📖 {source.title}" + (f" ({where})" if where else ""))
    return "\n".join(lines)


def merge_plain(replies: list[Reply], limit: int = MESSAGE_LIMIT) -> list[Reply]:
    """Join a text-only reply (no buttons, quiz, image or sources) with the reply after it.

    "✅ Đúng rồi!" followed by the next question becomes one message: fewer notifications on the
    learner's phone, fewer Bot API calls against Telegram's rate limits.
    """
    merged: list[Reply] = []
    pending: str | None = None
    for reply in replies:
        plain = not (reply.buttons or reply.quiz or reply.image_path or reply.document_path or reply.sources)
        if pending is not None:
            combined = f"{pending}\n\n{reply.text}".strip()
            if not (reply.image_path or reply.document_path) and escaped_len(combined) <= limit:
                reply = Reply(combined, buttons=reply.buttons, quiz=reply.quiz, sources=reply.sources)
            else:
                merged.append(Reply(pending))
        pending = None
        if plain:
            pending = reply.text
        else:
            merged.append(reply)
    if pending is not None:
        merged.append(Reply(pending))
    return merged


def plan_reply(reply: Reply, *, use_quiz_polls: bool, media_root: Path | None = None) -> list[Outgoing]:
    """The Telegram messages that show one Reply, in order."""
    out: list[Outgoing] = []
    text = reply.text.strip()
    if reply.document_path:
        document = Path(reply.document_path)
        if not document.is_absolute() and media_root is not None:
            document = media_root / document
        if document.is_file():  # the reply's text is the caption; a missing file falls back to text
            caption = html.escape(text[:CAPTION_LIMIT], quote=False) or None
            return [OutDocument(document, reply.document_name or document.name, caption)]
    if reply.image_path:
        path = Path(reply.image_path)
        if not path.is_absolute() and media_root is not None:
            path = media_root / path
        caption = (reply.image_caption or "").strip()
        if text == caption:
            text = ""  # the caption says it already
        if path.is_file():
            pieces = split_text(caption, CAPTION_LIMIT, escaped_len) if caption else []
            out.append(OutPhoto(path, html.escape(pieces[0], quote=False) if pieces else None))
            extra = caption[len(pieces[0]) :].strip() if pieces else ""
        else:
            extra = caption  # the picture is missing: keep its caption as text
        if extra:
            text = f"{extra}\n\n{text}".strip()
    quiz = reply.quiz
    if quiz is not None and use_quiz_polls and fits_poll(quiz):
        choice_payloads = set(quiz.choice_payloads)
        others = tuple(tuple(b for b in row if b.payload not in choice_payloads) for row in reply.buttons)
        others = tuple(row for row in others if row)
        header = text[: text.find(quiz.question)].strip() if quiz.question in text else ""
        if header:  # e.g. "Câu 2/5" before the question: keep it as a short message
            out.extend(OutText(piece) for piece in html_pieces(header))
        out.append(OutPoll(quiz, usable_buttons(others)))
        return out
    sources = _sources_text(reply)
    if sources:
        text = f"{text}\n\n{sources}" if text else sources
    pieces = html_pieces(text)
    buttons = usable_buttons(reply.buttons)
    if not pieces and buttons:
        pieces = ["👇"]
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        out.append(OutText(piece, buttons if last else ()))
    return out


def chosen_label(rows: list[list[InlineKeyboardButton]] | tuple, data: str) -> str | None:
    """The label of the inline button whose callback_data is `data`, if any."""
    for row in rows:
        for button in row:
            if getattr(button, "callback_data", None) == data:
                return str(button.text)
    return None
