"""What a loader produces (`LoadedDocument` of `Section`s) and how it fails (`LoadError`, `SkipFile`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class LoadError(Exception):
    """A file that cannot be ingested; the message says why, for the operator."""


class SkipFile(Exception):
    """A file deliberately not ingested (e.g. an image without caption or OCR); a warning, not a failure."""


@dataclass
class Section:
    """A piece of a document under one heading path (a page for PDFs, a cue group for subtitles)."""

    headings: list[str]
    text: str
    page: int | None = None
    timestamp: str | None = None


@dataclass
class LoadedDocument:
    kind: str
    title: str
    sections: list[Section]
    meta: dict[str, Any] = field(default_factory=dict)  # front matter: id, module, skills, level, audience
