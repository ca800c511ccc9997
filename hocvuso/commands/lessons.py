"""CLI commands: `hocvuso lessons check` and `hocvuso lessons stats` (the course in knowledge/lessons)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hocvuso.commands.common import err_console, state
from knowledge.curriculum import Curriculum, Lesson, check_curriculum, load_curriculum

WORDS_PER_MINUTE = 180  # reading speed assumed for learners new to reading on a phone
ITEM_TYPES = ("mcq", "true_false", "short")
_WORD = re.compile(r"\w+")

lessons_app = typer.Typer(
    name="lessons",
    help="Check the course and show its statistics.\n\nExample: hocvuso lessons check knowledge/lessons",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

PathArg = Annotated[
    Path | None,
    typer.Argument(help="Course folder (default: ingest.lessons_dir from the settings).", show_default=False),
]


def _course_dir(ctx: typer.Context, path: Path | None) -> Path:
    """The folder to work on: PATH, else the configured lessons folder (settings only, no DB or model)."""
    folder = path if path is not None else state(ctx).container.settings.ingest.lessons_dir
    if not folder.is_dir():
        err_console.print(f"[red]Not a course folder:[/red] {folder}", markup=True, highlight=False)
        raise typer.Exit(2)
    return folder


@lessons_app.command("check")
def check(ctx: typer.Context, path: PathArg = None) -> None:
    """Validate the whole course; print each problem as file:line: reason and exit 1 if any.

    Example: hocvuso lessons check knowledge/lessons
    """
    folder = _course_dir(ctx, path)
    problems = check_curriculum(folder)
    if problems:
        for problem in problems:
            typer.echo(str(problem))
        files = len({problem.path for problem in problems})
        typer.echo(f"{len(problems)} problem(s) in {files} file(s).", err=True)
        raise typer.Exit(1)
    course = load_curriculum(folder)
    items = sum(len(lesson.quiz) for lesson in course.lessons.values())
    typer.echo(
        f"OK: {folder}: {len(course.modules)} modules, {len(course.lessons)} lessons, {items} quiz items, "
        f"{len(course.placement)} placement items, {len(course.skills)} skills; no problems."
    )


def lesson_words(lesson: Lesson) -> int:
    """Words a learner reads in a lesson body (headings and section text)."""
    return sum(len(_WORD.findall(f"{s.heading} {s.text}")) for s in lesson.sections)


def course_stats(course: Curriculum) -> dict[str, Any]:
    """Per-module and total counts of a course, as plain data (what `stats --json` prints)."""
    module_ids = list(course.modules) + sorted({le.module for le in course.lessons.values()} - set(course.modules))
    rows: list[dict[str, Any]] = []
    for module_id in module_ids:
        lessons = course.lessons_in(module_id)
        module = course.modules.get(module_id)
        items = {kind: sum(1 for le in lessons for it in le.quiz if it.type == kind) for kind in ITEM_TYPES}
        words = sum(lesson_words(le) for le in lessons)
        rows.append(
            {
                "module": module_id,
                "title": module.title if module else "",
                "core": bool(module and module.core),
                "lessons": len(lessons),
                "items": items,
                "words": words,
                "reading_min": round(words / WORDS_PER_MINUTE, 1),
                "transcripts": sum(len(le.videos) for le in lessons),
                "images": sum(len(le.images) for le in lessons),
            }
        )
    words = sum(row["words"] for row in rows)
    totals = {
        "lessons": sum(row["lessons"] for row in rows),
        "items": {kind: sum(row["items"][kind] for row in rows) for kind in ITEM_TYPES},
        "words": words,
        "reading_min": round(words / WORDS_PER_MINUTE, 1),
        "transcripts": sum(row["transcripts"] for row in rows),
        "images": sum(row["images"] for row in rows),
    }
    return {
        "root": str(course.root),
        "modules": rows,
        "totals": totals,
        "placement_items": len(course.placement),
        "skills": len(course.skills),
    }


def _stats_table(stats: dict[str, Any]) -> Table:
    table = Table(
        title=f"Course {stats['root']}",
        caption="t/f: true_false · min: reading minutes at 180 words/min · vtt: transcripts (.vtt/.srt) · *: not core",
        show_footer=True,
    )
    totals = stats["totals"]
    columns = [
        ("module", "total", "left"),
        ("lessons", str(totals["lessons"]), "right"),
        ("mcq", str(totals["items"]["mcq"]), "right"),
        ("t/f", str(totals["items"]["true_false"]), "right"),
        ("short", str(totals["items"]["short"]), "right"),
        ("words", str(totals["words"]), "right"),
        ("min", f"{totals['reading_min']:.1f}", "right"),
        ("vtt", str(totals["transcripts"]), "right"),
        ("img", str(totals["images"]), "right"),
    ]
    for header, footer, justify in columns:
        table.add_column(header, footer=footer, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in stats["modules"]:
        name = row["module"] + ("" if row["core"] else " *")
        table.add_row(
            name,
            str(row["lessons"]),
            *[str(row["items"][kind]) for kind in ITEM_TYPES],
            str(row["words"]),
            f"{row['reading_min']:.1f}",
            str(row["transcripts"]),
            str(row["images"]),
        )
    return table


@lessons_app.command("stats")
def stats(
    ctx: typer.Context,
    path: PathArg = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the statistics as JSON.")] = False,
) -> None:
    """Modules, lessons, quiz items by type, words, reading minutes, media and placement items.

    Reading time assumes 180 words a minute. Lessons with problems are left out (see `lessons check`).

    Example: hocvuso lessons stats knowledge/lessons --json
    """
    folder = _course_dir(ctx, path)
    problems = check_curriculum(folder)
    course = load_curriculum(folder, strict=False)
    data = course_stats(course)
    data["problems"] = len(problems)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console = Console()
    console.print(_stats_table(data))
    items = sum(data["totals"]["items"].values())
    console.print(
        f"{data['totals']['lessons']} lessons, {items} quiz items, {data['placement_items']} placement items, "
        f"{data['skills']} skills; media: {data['totals']['transcripts']} transcripts, "
        f"{data['totals']['images']} images.",
        markup=False,
        highlight=False,
    )
    if problems:
        err_console.print(
            f"{len(problems)} problem(s): invalid lessons are not counted; run `hocvuso lessons check`.",
            markup=False,
            highlight=False,
        )
