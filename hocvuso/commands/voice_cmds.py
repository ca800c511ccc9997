"""CLI command of the voice notes: `hocvuso bench voice`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hocvuso.commands.common import state

console = Console()
err_console = Console(stderr=True)


def register(bench_app: typer.Typer) -> None:
    """Add `voice` to the `bench` group."""
    bench_app.command("voice")(bench_voice)


def bench_voice(
    ctx: typer.Context,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Where the vieneu wheel is downloaded (default: DATA_DIR/bench/vieneu).")
    ] = None,
    lessons: Annotated[
        bool, typer.Option("--lessons/--no-lessons", help="Also measure lesson finding (needs an ingested store).")
    ] = True,
    output: Annotated[Path | None, typer.Option(help="Write the results as JSON here too.")] = None,
) -> None:
    """Speech-to-text on real Vietnamese recordings: syllable error rate, real-time factor, memory;
    clean, after an Opus 24 kbit/s round trip and with noise; and whether questions still find their lesson.

    Example: hocvuso bench voice --output voice.json
    """
    from hocvuso.bench_voice import fetch_samples, run_voice_benchmark

    container = state(ctx).container
    settings = container.settings
    speech = container.speech
    if speech is None:
        err_console.print("[red]Voice notes are off[/red] (voice.enabled, ffmpeg or the model packages): see the log.")
        raise typer.Exit(2)
    try:
        samples = fetch_samples(cache_dir or settings.data_dir / "bench" / "vieneu")
    except Exception as exc:  # pip without network, a changed wheel
        err_console.print(f"[red]Could not get the vieneu voice samples:[/red] {exc}")
        raise typer.Exit(2) from exc
    search = None
    if lessons:
        kb = container.knowledge_base
        search = lambda query, k: kb.search(query, k)  # noqa: E731
    results = run_voice_benchmark(samples, speech, search, settings.ingest.lessons_dir)
    _print(results)
    if output:
        output.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


def _print(results: dict) -> None:  # type: ignore[type-arg]
    console.print(
        f"{results['samples']} recordings, {results['audio_seconds']} s; model load {results['load_s']} s, "
        f"+{results['rss_model_mb']} MB RSS, peak {results['rss_peak_mb']} MB"
    )
    table = Table(title="Speech-to-text (local Whisper base, int8)")
    for column in ("condition", "syllable error", "folded (no tones)", "RTF median", "RTF max"):
        table.add_column(column, justify="right")
    for label in ("clean", "opus 24 kbit/s", "noise 10 dB SNR"):
        row = results[label]
        table.add_row(
            label, f"{row['ser']:.1%}", f"{row['ser_folded']:.1%}", str(row["rtf_median"]), str(row["rtf_max"])
        )
    console.print(table)
    note = results["ten_second_note"]
    console.print(f"A {note['seconds']} s note (Opus) transcribed in {note['transcribed_s']} s")
    console.print(f"Error kinds (clean): {results['error_kinds']}")
    for ref, hyp in results["examples"]:
        console.print(f"  [dim]{ref}[/dim]\n  → {hyp}")
    found = results.get("lesson_found")
    if found:
        console.print(f"Lesson finding: {json.dumps(found, ensure_ascii=False)}")
