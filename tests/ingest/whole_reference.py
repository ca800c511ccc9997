"""The whole-file Markdown/text loaders and splitter as they were before streaming (issue 14), kept
verbatim as the reference: streaming must give exactly their chunks and ids, so upgrading never
re-embeds a course."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ingest.chunking import Chunk, sha256_hex
from ingest.documents import LoadError
from knowledge.sanitize import has_binary_content, sanitize_text
from knowledge.textnorm import normalize

_SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+|\n+")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")


def read_text_file(path: Path) -> str:
    raw = path.read_bytes()
    if not raw.strip():
        raise LoadError("empty file")
    if has_binary_content(raw[:65536]) or b"\x00" in raw:
        raise LoadError("binary content")
    return sanitize_text(raw.decode("utf-8-sig"))


def split_front_matter(text: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = yaml.safe_load(match.group(1)) or {}
    if not isinstance(meta, dict):
        raise LoadError("front matter must be a YAML mapping")
    return meta, text[match.end() :]


def sections_from_headings(lines: list[tuple[int, str]], title: str) -> list[tuple[list[str], str]]:
    sections: list[tuple[list[str], str]] = []
    path: list[tuple[int, str]] = []
    buffer: list[str] = []

    def flush() -> None:
        body = "\n".join(buffer).strip()
        buffer.clear()
        if body:
            sections.append(([h for _, h in path] or [title], body))

    for level, text in lines:
        if level:
            flush()
            path[:] = [(lvl, h) for lvl, h in path if lvl < level]
            path.append((level, text.strip()))
        else:
            buffer.append(text)
    flush()
    return sections


def load_sections(path: Path) -> list[tuple[list[str], str]]:
    """(headings, text) of each section, as the old load_markdown / load_plain_text made them."""
    text = normalize(read_text_file(path))
    if path.suffix == ".txt":
        text = text.strip()
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        return [([path.stem], "\n\n".join(paragraphs))]
    meta, body = split_front_matter(text)
    lines: list[tuple[int, str]] = []
    in_code = False
    for line in body.split("\n"):
        if line.strip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _MD_HEADING.match(line)
        lines.append((len(match.group(1)), match.group(2)) if match else (0, line))
    title = str(meta.get("title") or next((t for lvl, t in lines if lvl == 1), "") or path.stem)
    sections = sections_from_headings(lines, title)
    objectives = meta.get("objectives")
    if isinstance(objectives, list) and objectives:
        goals = "\n".join(f"- {normalize(str(o))}" for o in objectives)
        sections.insert(0, ([title, "Mục tiêu"], goals))
    return sections


def split_text(text: str, size: int, overlap: int) -> list[str]:
    text = text.strip()
    if len(text) <= size:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for piece in [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]:
        while len(piece) > size:
            cut = piece.rfind(" ", 0, size)
            cut = cut if cut > size // 2 else size
            head, piece = piece[:cut].strip(), piece[cut:].strip()
            if current:
                parts.append(current)
                current = ""
            parts.append(head)
        candidate = f"{current} {piece}".strip() if current else piece
        if len(candidate) <= size or not current:
            current = candidate
        else:
            parts.append(current)
            tail = current[-overlap:] if overlap > 0 else ""
            if tail and " " in tail:
                tail = tail[tail.index(" ") + 1 :]
            current = f"{tail} {piece}".strip() if tail else piece
    if current:
        parts.append(current)
    return parts


def chunks(path: Path, source: str, *, size: int, overlap: int) -> list[Chunk]:
    result: list[Chunk] = []
    for headings, section_text in load_sections(path):
        heading = " > ".join(headings)
        for offset, text in enumerate(split_text(section_text, size, overlap)):
            content_hash = sha256_hex(text)
            chunk_id = sha256_hex(f"{source}\x1f{heading}\x1f|\x1f{offset}\x1f{content_hash}")[:32]
            result.append(Chunk(chunk_id, len(result), heading, text, content_hash))
    return result
