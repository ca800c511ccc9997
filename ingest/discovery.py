"""Which files ingestion reads under a root, their source names, and the lesson metadata of their chunks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.cards import is_cards_file
from ingest.loaders import (
    IMAGE_SUFFIXES,
    MEDIA_SEPARATOR,
    METADATA_SUFFIXES,
    LoadedDocument,
    LoadError,
    split_front_matter,
)

_LESSON_KEYS = ("id", "title", "module", "skills", "level", "audience")


def discover(root: Path) -> list[Path]:
    """Content files under root, sorted; metadata (YAML), hidden files and image captions excluded."""
    if root.is_file():
        return [root]
    files = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() and not path.is_symlink():
            continue
        relative = path.relative_to(root)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        suffix = path.suffix.lower()
        if suffix in METADATA_SUFFIXES and not is_cards_file(path):
            continue
        if suffix in (".md", ".txt") and any(path.with_suffix(s).is_file() for s in IMAGE_SUFFIXES):
            continue  # the caption of an image, ingested with it
        files.append(path)
    return files


def relative_source(root: Path, path: Path) -> str:
    """A file's source name: its path under the lessons root (POSIX), or its name for a single file."""
    if root.is_file():
        return path.name
    return path.relative_to(root).as_posix()


def _lesson_front_matter(path: Path) -> dict[str, Any]:
    """Front matter of the lesson a media file belongs to (`<lesson-stem>--<name>.<ext>`)."""
    if MEDIA_SEPARATOR not in path.stem:
        return {}
    lesson = path.with_name(path.stem.split(MEDIA_SEPARATOR, 1)[0] + ".md")
    if not lesson.is_file():
        return {}
    try:
        meta, _ = split_front_matter(lesson.read_text(encoding="utf-8-sig"))
    except (LoadError, OSError, UnicodeDecodeError):
        return {}
    return meta


def document_meta(path: Path, source: str, document: LoadedDocument) -> dict[str, Any]:
    """doc_id, lesson/module/skills/level/audience for the file's chunks.

    A lesson's own front matter wins; a media file (`<lesson-stem>--x.vtt`) inherits its lesson's.
    """
    own = document.meta or {}
    inherited = _lesson_front_matter(path)
    merged = {k: v for k in _LESSON_KEYS if (v := own.get(k, inherited.get(k))) is not None}
    lesson_id = own.get("id") or inherited.get("id")
    if own.get("id"):
        doc_id = str(own["id"])
    elif lesson_id:
        doc_id = f"{lesson_id}/{path.name}"
    else:
        doc_id = str(Path(source).with_suffix(""))
    if document.kind == "cards":  # a module's faq.yaml: the module is its folder
        merged["module"] = path.parent.name
    return {
        "doc_id": doc_id,
        "lesson_id": str(lesson_id) if lesson_id else None,
        "lesson_title": str(inherited.get("title") or own.get("title") or document.title),
        "module": str(merged["module"]) if merged.get("module") else None,
        "skills": [str(s) for s in merged.get("skills") or []],
        "level": merged.get("level"),
        "audience": [str(a) for a in merged.get("audience") or []],
    }
