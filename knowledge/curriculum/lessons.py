"""Lesson files (front matter, `##` sections, quiz items) and the media that belong to them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.curriculum.models import RECAP_HEADING, TRUE_FALSE_ANSWERS, Problem, Section, _FrontMatter, _ItemSpec
from knowledge.curriculum.yamlio import (
    ReadError,
    YamlDoc,
    duplicate_keys,
    nfc_problems,
    parse_yaml,
    read_text,
    validate,
)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
TRANSCRIPT_SUFFIXES = (".vtt", ".srt")
CAPTION_SUFFIXES = (".md", ".txt")
MEDIA_SEPARATOR = "--"
MIN_SECTIONS, MAX_SECTIONS = 3, 6
MAX_SECTION_CHARS = 700


@dataclass
class LessonFile:
    """What was read from one lesson file, valid or not."""

    path: Path
    folder: str
    doc: YamlDoc | None = None
    front: _FrontMatter | None = None
    sections: list[Section] = field(default_factory=list)
    raw_id: str | None = None


_HEADING = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _split_front_matter(path: Path, text: str) -> tuple[str, int, list[str], int]:
    """Return (front matter YAML, its first file line, body lines, first body line)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ReadError(1, "no YAML front matter (the file must start with a line '---')")
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), 2, lines[index + 1 :], index + 2
    raise ReadError(1, "the front matter is not closed by a line '---'")


def _parse_sections(body: list[str], first_line: int) -> tuple[list[Section], list[tuple[int, str]]]:
    """Split a body into `##` sections; also return stray text lines before the first section."""
    sections: list[Section] = []
    stray: list[tuple[int, str]] = []
    heading: str | None = None
    heading_line = 0
    text: list[str] = []
    in_fence = False
    for offset, raw in enumerate(body):
        number = first_line + offset
        if _FENCE.match(raw):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(raw)
        if match:
            if heading is not None:
                sections.append(Section(heading=heading, text="\n".join(text).strip(), line=heading_line))
            heading, heading_line, text = match.group(1), number, []
        elif heading is None:
            if raw.strip() and not raw.startswith("# "):
                stray.append((number, raw))
        else:
            text.append(raw)
    if heading is not None:
        sections.append(Section(heading=heading, text="\n".join(text).strip(), line=heading_line))
    return sections, stray


def read_lesson(path: Path, problems: list[Problem]) -> LessonFile:
    lesson = LessonFile(path=path, folder=path.parent.name)
    try:
        text = read_text(path)
    except ReadError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return lesson
    problems.extend(nfc_problems(path, text))
    try:
        yaml_text, yaml_line, body, body_line = _split_front_matter(path, text)
        lesson.doc = parse_yaml(path, yaml_text, yaml_line)
    except ReadError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return lesson
    problems.extend(duplicate_keys(lesson.doc))
    if isinstance(lesson.doc.data, dict) and isinstance(lesson.doc.data.get("id"), str):
        lesson.raw_id = lesson.doc.data["id"]
    lesson.front = validate(_FrontMatter, lesson.doc, problems)
    lesson.sections, stray = _parse_sections(body, body_line)
    problems.extend(_body_problems(path, lesson.sections, stray, body_line))
    return lesson


def _body_problems(path: Path, sections: list[Section], stray: list[tuple[int, str]], body_line: int) -> list[Problem]:
    problems = []
    if stray:
        problems.append(Problem(path, stray[0][0], "text before the first '##' section; put it inside a section"))
    if not MIN_SECTIONS <= len(sections) <= MAX_SECTIONS:
        where = sections[0].line if sections else body_line
        problems.append(
            Problem(
                path, where, f"the body has {len(sections)} '##' sections; {MIN_SECTIONS}–{MAX_SECTIONS} are required"
            )
        )
    for section in sections:
        if not section.heading:
            problems.append(Problem(path, section.line, "a '##' heading without a title"))
        if not section.text:
            problems.append(Problem(path, section.line, f"section '## {section.heading}' is empty"))
        elif len(section.text) > MAX_SECTION_CHARS:
            problems.append(
                Problem(
                    path,
                    section.line,
                    f"section '## {section.heading}' has {len(section.text)} characters; "
                    f"at most {MAX_SECTION_CHARS} fit a phone screen",
                )
            )
    if sections and sections[-1].heading != RECAP_HEADING:
        last = sections[-1]
        problems.append(
            Problem(path, last.line, f"the last section must be '## {RECAP_HEADING}', not '## {last.heading}'")
        )
    return problems


def item_problems(item: _ItemSpec, doc: YamlDoc, loc: tuple[str | int, ...]) -> list[Problem]:
    """Type-specific checks of one quiz item."""
    problems = []

    def at(*key: str) -> int:
        return doc.line(*loc, *key)

    if item.type == "mcq":
        if len(item.choices) < 2:
            problems.append(Problem(doc.path, at("choices"), f"mcq item '{item.id}' needs at least 2 choices"))
        duplicates = sorted({c for c in item.choices if item.choices.count(c) > 1})
        if duplicates:
            problems.append(Problem(doc.path, at("choices"), f"item '{item.id}' repeats the choice '{duplicates[0]}'"))
        if item.choices and item.answer not in item.choices:
            problems.append(
                Problem(
                    doc.path, at("answer"), f"the answer '{item.answer}' of item '{item.id}' is not one of its choices"
                )
            )
    elif item.type == "true_false":
        if item.answer not in TRUE_FALSE_ANSWERS:
            problems.append(
                Problem(
                    doc.path,
                    at("answer"),
                    f"true_false item '{item.id}' must answer 'Đúng' or 'Sai', not '{item.answer}'",
                )
            )
        if item.choices and not set(item.choices) <= set(TRUE_FALSE_ANSWERS):
            problems.append(
                Problem(doc.path, at("choices"), f"true_false item '{item.id}' takes no choices other than Đúng/Sai")
            )
    elif item.choices:
        problems.append(
            Problem(doc.path, at("choices"), f"short item '{item.id}' takes no choices (only mcq items do)")
        )
    return problems


# --- media -------------------------------------------------------------------------------------


@dataclass
class Media:
    images: dict[str, list[Path]] = field(default_factory=dict)  # lesson stem -> files
    videos: dict[str, list[Path]] = field(default_factory=dict)
    captions: set[Path] = field(default_factory=set)


_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{2}:\d{2}[.,]\d{3})\s+-->\s+(?P<end>(?:\d+:)?\d{2}:\d{2}[.,]\d{3})(?:\s.*)?$"
)


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    return sum(float(part) * 60**power for power, part in enumerate(reversed(parts)))


def _transcript_problems(path: Path) -> list[Problem]:
    """A transcript must be readable, NFC, and have well-formed, increasing cue timings."""
    try:
        text = read_text(path)
    except ReadError as exc:
        return [Problem(path, exc.line, exc.message)]
    problems = nfc_problems(path, text)
    lines = text.splitlines()
    if path.suffix.lower() == ".vtt" and (not lines or not lines[0].startswith("WEBVTT")):
        problems.append(Problem(path, 1, "a WebVTT file must start with the line 'WEBVTT'"))
    cues = 0
    previous = 0.0
    for number, line in enumerate(lines, start=1):
        if "-->" not in line:
            continue
        match = _TIMING.match(line)
        if not match:
            problems.append(Problem(path, number, f"malformed cue timing '{line.strip()}'"))
            continue
        start, end = _seconds(match["start"]), _seconds(match["end"])
        if end <= start:
            problems.append(Problem(path, number, "a cue must end after it starts"))
        elif start < previous:
            problems.append(Problem(path, number, "cues must be in time order"))
        previous = start
        cues += 1
    if cues == 0:
        problems.append(Problem(path, 1, "no cues with timestamps (00:00:01.000 --> 00:00:05.000)"))
    return problems


def scan_media(folder: Path, lesson_stems: set[str], problems: list[Problem]) -> Media:
    """Attach `<stem>--*` images and transcripts to lessons; captions are `.md`/`.txt` with an image's stem."""
    media = Media()
    files = sorted(p for p in folder.iterdir() if p.is_file())
    image_stems = {p.stem for p in files if p.suffix.lower() in IMAGE_SUFFIXES}
    for path in files:
        suffix = path.suffix.lower()
        if suffix not in IMAGE_SUFFIXES + TRANSCRIPT_SUFFIXES + CAPTION_SUFFIXES:
            continue
        if MEDIA_SEPARATOR not in path.stem:
            if suffix in IMAGE_SUFFIXES + TRANSCRIPT_SUFFIXES:
                problems.append(
                    Problem(path, 0, f"a media file is named '<lesson-stem>{MEDIA_SEPARATOR}<name>{suffix}'")
                )
            continue
        owner = path.stem.split(MEDIA_SEPARATOR, 1)[0]
        if suffix in CAPTION_SUFFIXES:
            if path.stem in image_stems:
                media.captions.add(path)
                problems.extend(_caption_problems(path))
            else:
                problems.append(
                    Problem(path, 0, f"caption without an image: no '{path.stem}.png' or '.jpg' next to it")
                )
            continue
        if owner not in lesson_stems:
            problems.append(Problem(path, 0, f"media file belongs to no lesson: no '{owner}.md' in this folder"))
            continue
        if suffix in IMAGE_SUFFIXES:
            media.images.setdefault(owner, []).append(path)
            if not any((folder / f"{path.stem}{s}").is_file() for s in CAPTION_SUFFIXES):
                problems.append(Problem(path, 0, f"image has no caption file '{path.stem}.md'"))
        else:
            media.videos.setdefault(owner, []).append(path)
            problems.extend(_transcript_problems(path))
    return media


def _caption_problems(path: Path) -> list[Problem]:
    try:
        text = read_text(path)
    except ReadError as exc:
        return [Problem(path, exc.line, exc.message)]
    problems = nfc_problems(path, text)
    if not text.strip():
        problems.append(Problem(path, 1, "the caption is empty"))
    return problems
