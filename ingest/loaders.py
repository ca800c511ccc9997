"""Format loaders: each turns one file into a `LoadedDocument` of sections, with positions kept.

Every text passes through `knowledge.textnorm.normalize` here, once, so documents and queries
are normalized the same way.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from ingest.chunking import SectionStart
from ingest.documents import LoadedDocument, LoadError, Section, SkipFile
from ingest.textstream import Event, markdown_stream, plain_text_stream
from knowledge.sanitize import has_binary_content, sanitize_text
from knowledge.textnorm import normalize

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}
SUBTITLE_SUFFIXES = {".vtt", ".srt"}
# Course metadata read by the curriculum, not searchable content.
METADATA_SUFFIXES = {".yaml", ".yml"}
MEDIA_SEPARATOR = "--"


# --- helpers --------------------------------------------------------------------------------


def read_text_file(path: Path) -> str:
    """Decode a text file as UTF-8 (BOM allowed); anything else is a LoadError."""
    raw = path.read_bytes()
    if not raw.strip():
        raise LoadError("empty file")
    if has_binary_content(raw[:65536]) or b"\x00" in raw:
        raise LoadError("binary content (NUL or control bytes) in a text file: save it as plain UTF-8 text")
    try:
        return sanitize_text(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise LoadError(f"not UTF-8 text (byte {exc.start}): save it as UTF-8") from exc


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter mapping, body); a file without front matter has an empty mapping."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise LoadError(f"front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise LoadError("front matter must be a YAML mapping")
    return meta, text[match.end() :]


def sections_from_headings(lines: list[tuple[int, str]], title: str) -> list[Section]:
    """Build sections from (heading level or 0 for body, text) lines; a heading starts a section."""
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    buffer: list[str] = []

    def flush() -> None:
        body = "\n".join(buffer).strip()
        buffer.clear()
        if body:
            headings = [h for _, h in path] or [title]
            sections.append(Section(headings=headings, text=body))

    for level, text in lines:
        if level:
            flush()
            path[:] = [(lvl, h) for lvl, h in path if lvl < level]
            path.append((level, text.strip()))
        else:
            buffer.append(text)
    flush()
    return sections


# --- loaders --------------------------------------------------------------------------------


def sections_of(events: Iterable[Event]) -> list[Section]:
    """The sections of a text stream (`ingest.textstream`), each with its whole text; empty ones dropped."""
    sections: list[Section] = []
    start: SectionStart | None = None
    texts: list[str] = []

    def flush() -> None:
        text = "".join(texts).strip()
        texts.clear()
        if start is not None and text:
            sections.append(Section(list(start.headings), text, start.page, start.timestamp))

    for event in events:
        if isinstance(event, SectionStart):
            flush()
            start = event
        else:
            texts.append(event)
    flush()
    return sections


def load_markdown(path: Path) -> LoadedDocument:
    """A Markdown file read whole (large files are streamed: `ingest.textstream.markdown_stream`)."""
    stream = markdown_stream(path)
    sections = sections_of(stream.events())
    if not sections:
        raise LoadError("no text after the front matter")
    return LoadedDocument(kind="md", title=stream.title, sections=sections, meta=stream.meta)


def load_plain_text(path: Path) -> LoadedDocument:
    """A plain text file read whole: one section of its paragraphs."""
    stream = plain_text_stream(path)
    sections = sections_of(stream.events()) or [Section([stream.title], "")]
    return LoadedDocument(kind="txt", title=stream.title, sections=sections)


def load_pdf(path: Path) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path), strict=False)
        pages = [(i + 1, page.extract_text() or "") for i, page in enumerate(reader.pages)]
        info_title = (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"corrupt or unreadable PDF: {exc}") from exc
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        raise LoadError(f"corrupt or unreadable PDF: {type(exc).__name__}: {exc}") from exc
    title = normalize(str(info_title)).strip() or path.stem
    sections = [
        Section(headings=[title], text=normalize(text).strip(), page=number) for number, text in pages if text.strip()
    ]
    if not sections:
        raise LoadError("PDF has no extractable text (scanned? run OCR first)")
    return LoadedDocument(kind="pdf", title=title, sections=sections)


def load_docx(path: Path) -> LoadedDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise LoadError(f"corrupt or unreadable DOCX: {exc}") from exc
    except Exception as exc:  # zipfile.BadZipFile and friends
        raise LoadError(f"corrupt or unreadable DOCX: {type(exc).__name__}: {exc}") from exc
    lines: list[tuple[int, str]] = []
    for paragraph in document.paragraphs:
        text = normalize(paragraph.text)
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        match = re.match(r"(?:Heading|Title)\s*(\d?)", style)
        if match and text.strip():
            level = int(match.group(1) or 1) if style.startswith("Heading") else 1
            lines.append((level, text))
        else:
            lines.append((0, text))
    core_title = normalize(document.core_properties.title or "").strip()
    title = core_title or next((t for lvl, t in lines if lvl == 1), "") or path.stem
    sections = sections_from_headings(lines, title)
    if not sections:
        raise LoadError("DOCX has no text")
    return LoadedDocument(kind="docx", title=title, sections=sections)


def load_html(path: Path) -> LoadedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(read_text_file(path), "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "footer"]):
        tag.decompose()
    lines: list[tuple[int, str]] = []
    body = soup.body or soup
    for element in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "pre", "blockquote"]):
        text = normalize(element.get_text(" ", strip=True))
        if not text:
            continue
        if element.name and element.name[0] == "h" and element.name[1:].isdigit():
            lines.append((int(element.name[1:]), text))
        elif not element.find_parent(["li", "td", "blockquote"]) or element.name in ("li", "td"):
            lines.append((0, text))
    title_tag = soup.title.get_text(strip=True) if soup.title else ""
    title = normalize(title_tag) or next((t for lvl, t in lines if lvl == 1), "") or path.stem
    sections = sections_from_headings(lines, title)
    if not sections:
        raise LoadError("HTML has no text")
    return LoadedDocument(kind="html", title=title, sections=sections)


_CUE_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})\s*-->\s*(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})")


def _seconds(hours: str | None, minutes: str, seconds: str) -> int:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def format_timestamp(total_seconds: int) -> str:
    """`135` -> `2:15`, `3725` -> `1:02:05` (how a learner reads a video position)."""
    hours, rest = divmod(total_seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def parse_cues(text: str) -> list[tuple[int, str]]:
    """(start second, text) for each cue of a WebVTT or SRT file."""
    cues: list[tuple[int, str]] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [line.strip() for line in block.strip().split("\n") if line.strip()]
        for index, line in enumerate(lines):
            match = _CUE_TIME.search(line)
            if match:
                start = _seconds(match.group(1), match.group(2), match.group(3))
                body = " ".join(re.sub(r"<[^>]+>", "", part) for part in lines[index + 1 :]).strip()
                if body:
                    cues.append((start, body))
                break
    return cues


def load_subtitles(path: Path, *, group_chars: int = 600) -> LoadedDocument:
    raw = normalize(read_text_file(path))
    cues = parse_cues(raw)
    if not cues:
        raise LoadError("no subtitle cues with timestamps found")
    title = path.stem
    heading = "Bài giảng video"
    sections: list[Section] = []
    current: list[str] = []
    start = cues[0][0]
    for cue_start, cue_text in cues:
        if current and sum(len(c) + 1 for c in current) + len(cue_text) > group_chars:
            sections.append(Section([heading], " ".join(current), timestamp=format_timestamp(start)))
            current = []
        if not current:
            start = cue_start
        current.append(cue_text)
    if current:
        sections.append(Section([heading], " ".join(current), timestamp=format_timestamp(start)))
    return LoadedDocument(kind=path.suffix.lstrip("."), title=title, sections=sections)


def caption_for(image: Path) -> Path | None:
    """The sidecar caption of an image: NAME.md or NAME.txt beside it."""
    for suffix in (".md", ".txt"):
        candidate = image.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def tesseract_has(language: str) -> bool:
    """True when the `tesseract` binary is installed with the given language model."""
    binary = shutil.which("tesseract")
    if not binary:
        return False
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return language in listed.stdout.split()


def load_image(path: Path, *, ocr_language: str = "vie") -> LoadedDocument:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise LoadError(f"corrupt or unreadable image: {exc}") from exc
    caption = caption_for(path)
    if caption is not None:
        text = normalize(read_text_file(caption))
        meta, body = split_front_matter(text)
        lines = [line for line in body.strip().split("\n")]
        title = str(meta.get("title") or "")
        if not title and lines and lines[0].startswith("#"):
            title = lines.pop(0).lstrip("#").strip()
        title = title or "Hình minh họa"
        content = "\n".join(lines).strip()
        if not content:
            raise LoadError(f"caption {caption.name} is empty")
        return LoadedDocument(kind="image", title=title, sections=[Section([title], content)], meta=meta)
    if tesseract_has(ocr_language):
        try:
            result = subprocess.run(
                ["tesseract", str(path), "stdout", "-l", ocr_language],
                capture_output=True,
                text=True,
                timeout=120,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise LoadError(f"OCR failed: {exc}") from exc
        text = normalize(result.stdout).strip()
        if not text:
            raise SkipFile("OCR found no text in the image")
        return LoadedDocument(kind="image", title=path.stem, sections=[Section(["Hình minh họa"], text)])
    raise SkipFile(
        f"no caption file ({path.stem}.md or .txt) and no OCR "
        f"(install tesseract-ocr and tesseract-ocr-{ocr_language}); skipped"
    )


def loader_for(path: Path, *, ocr_language: str = "vie") -> Callable[[Path], LoadedDocument]:
    """The loader of a file by suffix; LoadError for unsupported types."""
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return load_markdown
    if suffix == ".txt":
        return load_plain_text
    if suffix == ".pdf":
        return load_pdf
    if suffix == ".docx":
        return load_docx
    if suffix in (".html", ".htm"):
        return load_html
    if suffix in SUBTITLE_SUFFIXES:
        return load_subtitles
    if suffix in IMAGE_SUFFIXES:
        return lambda p: load_image(p, ocr_language=ocr_language)
    raise LoadError(f"unsupported file type '{suffix or path.name}'")


def load_document(path: Path, *, ocr_language: str = "vie") -> LoadedDocument:
    """Load one file with the right loader. Raises LoadError or SkipFile."""
    return loader_for(path, ocr_language=ocr_language)(path)
