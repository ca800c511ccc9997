"""Text and Markdown files read as a stream: bounded memory whatever the file's size (issue 14).

The file is read in blocks, decoded incrementally, sanitised and normalized line by line, and
turned into a flat stream of events: a `SectionStart` (a new heading path) followed by pieces of
that section's text. `ingest.chunking.chunk_events` cuts the stream into chunks as it goes.

The stream is built so that the concatenated pieces of a section are exactly the section text of
the whole-file loaders (`load_markdown`, `load_plain_text`, which are built on it), so a file gives
the same chunks and ids whether it is streamed or read whole. A line longer than `LINE_MAX`
characters is passed on in parts cut at a space (a Markdown heading that long is read as text).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from ingest.chunking import Chunk, SectionStart, chunk_events
from ingest.documents import LoadError
from knowledge.sanitize import has_binary_content, sanitize_text
from knowledge.textnorm import normalize

BLOCK_BYTES = 1 << 16
LINE_MAX = 1 << 16  # characters of one line held at most
FRONT_MATTER_MAX = 1 << 16  # characters of front matter looked through for its closing `---`
STREAMABLE_SUFFIXES = {".md", ".markdown", ".txt"}

_FENCE_LINE = re.compile(r"---[ \t]*")
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")

Event = SectionStart | str


@dataclass(frozen=True)
class Fragment:
    """Normalized text of one line (without its newline), or a part of a line over LINE_MAX."""

    text: str
    ends_line: bool


@dataclass
class TextStream:
    """A document whose sections are read again from the file each time `events()` is called."""

    kind: str
    title: str
    meta: dict[str, Any] = field(default_factory=dict)
    events: Callable[[], Iterator[Event]] = lambda: iter(())


def text_fragments(path: Path) -> Iterator[Fragment]:
    """Lines of a UTF-8 text file (BOM allowed), sanitised and normalized, read block by block.

    Raises LoadError (possibly after some fragments) for an empty file, binary content (a NUL byte
    anywhere, or mostly control bytes in the first block) or bytes that are not UTF-8.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    pending, offset, first, any_text = "", 0, True, False
    with path.open("rb") as handle:
        while True:
            raw = handle.read(BLOCK_BYTES)
            if raw and (b"\x00" in raw or (first and has_binary_content(raw))):
                raise LoadError("binary content (NUL or control bytes) in a text file: save it as plain UTF-8 text")
            first = False
            any_text = any_text or bool(raw.strip())
            held = len(decoder.getstate()[0])
            try:
                pending += sanitize_text(decoder.decode(raw, final=not raw))
            except UnicodeDecodeError as exc:
                raise LoadError(f"not UTF-8 text (byte {offset - held + exc.start}): save it as UTF-8") from exc
            offset += len(raw)
            if not raw:
                break
            *lines, pending = pending.split("\n")
            for line in lines:
                yield from _normalized_lines(line, ends_line=True)
            while len(pending) > LINE_MAX:
                cut = _line_cut(pending)
                yield from _normalized_lines(pending[:cut], ends_line=False)
                pending = pending[cut:]
    if not any_text:
        raise LoadError("empty file")
    yield from _normalized_lines(pending, ends_line=True)


def _normalized_lines(text: str, *, ends_line: bool) -> Iterator[Fragment]:
    """`normalize` of one line; a lone carriage return inside it becomes a line break, as in a whole file."""
    if ends_line and text.endswith("\r"):
        text = text[:-1]  # "\r\n"
    lines = normalize(text).split("\n")
    for index, line in enumerate(lines):
        yield Fragment(line, ends_line or index < len(lines) - 1)


def _line_cut(text: str) -> int:
    """Where to cut a line over LINE_MAX: after its last space, never between a letter and its mark."""
    cut = max(text.rfind(" ", 0, LINE_MAX), text.rfind("\t", 0, LINE_MAX)) + 1
    if cut <= 0:
        cut = LINE_MAX
        while cut > 1 and (unicodedata.combining(text[cut]) or text[cut - 1] == "\r"):
            cut -= 1
    return cut


# --- Markdown -------------------------------------------------------------------------------------


def _front_matter(fragments: Iterator[Fragment]) -> tuple[dict[str, Any], Iterator[Fragment]]:
    """(front matter, the fragments after it); fragments read ahead are given back when there is none."""
    import yaml

    opening = next(fragments, None)
    if opening is None:
        return {}, iter(())
    if not (opening.ends_line and _FENCE_LINE.fullmatch(opening.text)):
        return {}, chain([opening], fragments)
    seen: list[Fragment] = []
    size = 0
    for fragment in fragments:
        at_line_start = not seen or seen[-1].ends_line
        if len(seen) >= 1 and at_line_start and fragment.ends_line and _FENCE_LINE.fullmatch(fragment.text):
            try:
                meta = yaml.safe_load("\n".join(f.text for f in seen)) or {}
            except yaml.YAMLError as exc:
                raise LoadError(f"front matter is not valid YAML: {exc}") from exc
            if not isinstance(meta, dict):
                raise LoadError("front matter must be a YAML mapping")
            return meta, fragments
        seen.append(fragment)
        size += len(fragment.text) + 1
        if size > FRONT_MATTER_MAX:
            break
    return {}, chain([opening], seen, fragments)


def _markdown_lines(path: Path) -> tuple[dict[str, Any], Iterator[tuple[int, str, bool]]]:
    """(front matter, body lines as (heading level or 0, text, starts a new line))."""
    meta, fragments = _front_matter(text_fragments(path))

    def lines() -> Iterator[tuple[int, str, bool]]:
        in_code, at_line_start = False, True
        for fragment in fragments:
            starts = at_line_start
            at_line_start = fragment.ends_line
            if not (starts and fragment.ends_line):  # part of a long line: text
                yield 0, fragment.text, starts
                continue
            line = fragment.text
            if line.strip().startswith("```"):
                in_code = not in_code
            match = None if in_code else _MD_HEADING.match(line)
            yield (len(match.group(1)), match.group(2), True) if match else (0, line, True)

    return meta, lines()


def markdown_stream(path: Path) -> TextStream:
    """A Markdown file (front matter, headings) as a stream of sections."""
    meta, lines = _markdown_lines(path)
    first_h1 = "" if meta.get("title") else next((text for level, text, _ in lines if level == 1), "")
    title = str(meta.get("title") or first_h1 or path.stem)
    objectives = meta.get("objectives")
    goals = None
    if isinstance(objectives, list) and objectives:
        goals = "\n".join(f"- {normalize(str(o))}" for o in objectives)

    def events() -> Iterator[Event]:
        if goals is not None:
            yield SectionStart([title, "Mục tiêu"])
            yield goals
        yield from _heading_events(_markdown_lines(path)[1], title)

    return TextStream(kind="md", title=title, meta=meta, events=events)


def _heading_events(lines: Iterator[tuple[int, str, bool]], title: str) -> Iterator[Event]:
    """Sections from (level or 0 for body, text, new line) lines; body lines joined by newlines."""
    path: list[tuple[int, str]] = []
    yield SectionStart([title])
    first_line = True
    for level, text, new_line in lines:
        if level:
            path[:] = [(lvl, h) for lvl, h in path if lvl < level]
            path.append((level, text.strip()))
            yield SectionStart([h for _, h in path])
            first_line = True
            continue
        if new_line and not first_line:
            yield "\n"
        first_line = False
        yield text


# --- plain text -----------------------------------------------------------------------------------


def plain_text_stream(path: Path) -> TextStream:
    """A plain text file: one section of its paragraphs, each stripped, separated by a blank line."""
    title = path.stem

    def events() -> Iterator[Event]:
        yield SectionStart([title])
        yield from _paragraphs(text_fragments(path))

    return TextStream(kind="txt", title=title, events=events)


def _paragraphs(fragments: Iterator[Fragment]) -> Iterator[str]:
    """The text of `"\\n\\n".join(p.strip() for p in re.split(r"\\n\\s*\\n", text))`, piece by piece."""
    started, any_paragraph, held, at_line_start = False, False, "", True
    for fragment in fragments:
        text = fragment.text
        if at_line_start and fragment.ends_line and not text.strip():  # a blank line ends a paragraph
            started, held = False, ""
        else:
            if at_line_start and started:
                text = "\n" + text
            if not started:
                text = text.lstrip()
                if text:
                    if any_paragraph:
                        yield "\n\n"
                    started = any_paragraph = True
            if text:
                body = text.rstrip()
                if body:
                    yield held + body
                    held = text[len(body) :]
                else:
                    held += text
        at_line_start = fragment.ends_line


# --- entry points ---------------------------------------------------------------------------------


def open_stream(path: Path) -> TextStream:
    """The stream of a `.md`/`.markdown`/`.txt` file. Raises LoadError for other suffixes."""
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return markdown_stream(path)
    if suffix == ".txt":
        return plain_text_stream(path)
    raise LoadError(f"not a text file that can be streamed: '{suffix}'")


def stream_chunks(stream: TextStream, source: str, *, size: int, overlap: int) -> Iterator[Chunk]:
    """The chunks of a streamed document, produced as the file is read."""
    return chunk_events(stream.events(), source, size=size, overlap=overlap)
