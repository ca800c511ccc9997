"""A learned second opinion for scam triage: hashed character and word n-grams, logistic regression.

The rules (`tutor.safety_rules`, `tutor.safety_signals`) did not converge: on each new blind batch
they missed 13-42% before being tuned on it. This layer reads the same canonical text (folded,
teencode expanded, typos repaired) as n-grams and says "urgent" when its score passes a threshold
chosen on the training data by cross-validation (false alarms <= 0.5% there). `tutor.safety` ORs
it with the rules, so it can only add alarms; the learning frames and ordinary contexts still switch
an alarm off.

Why n-grams and not the search's embedding: measured leave-batch-out (scripts/train_triage.py,
docs/benchmarks.md), character n-grams separate urgent from ordinary messages at least as well as
multilingual-e5-small's query vector, need no model (the quick tier and every caller of
`is_scam_in_progress` have the text only), and cost ~0.1 ms.

The weights are tutor/data/triage_model.npz, written by `scripts/train_triage.py train` from
tests/tutor/data/*.yaml. No file, or `set_enabled(False)` (setting `tutor.safety_model: false`):
the rules alone apply.
"""

from __future__ import annotations

import math
import threading
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["DIM", "MODEL_FILE", "TriageModel", "enabled", "features", "load", "set_enabled", "urgent"]

DIM = 1 << 16  # hashed feature space (the weights are 256 KB of float32)
MODEL_FILE = Path(__file__).parent / "data" / "triage_model.npz"
_CHAR_SIZES = (2, 3, 4, 5)


def features(folded: str) -> tuple[np.ndarray, np.ndarray]:
    """Hashed n-grams of a canonical text: (indices, values), values 1 + log(count), L2-normalised.

    Character 2-5-grams inside each word padded with spaces (so "ck" and " ck " differ), words and
    word pairs. crc32 keeps the hashing stable across runs and machines.
    """
    words = folded.split()
    grams: Counter[int] = Counter()
    for word in words:
        padded = f" {word} "
        for n in _CHAR_SIZES:
            for i in range(len(padded) - n + 1):
                grams[zlib.crc32(padded[i : i + n].encode()) % DIM] += 1
    for word in words:
        grams[zlib.crc32(f"w:{word}".encode()) % DIM] += 1
    for a, b in zip(words, words[1:], strict=False):
        grams[zlib.crc32(f"w:{a} {b}".encode()) % DIM] += 1
    if not grams:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    indices = np.fromiter(grams.keys(), dtype=np.int64, count=len(grams))
    values = np.array([1.0 + math.log(c) for c in grams.values()], dtype=np.float32)
    return indices, values / np.float32(np.linalg.norm(values))


@dataclass(frozen=True)
class TriageModel:
    """Weights over the hashed features, a bias and the threshold an alarm needs."""

    weights: np.ndarray
    bias: float
    threshold: float

    def score(self, folded: str) -> float:
        """The logistic regression's logit for a canonical text."""
        indices, values = features(folded)
        return float(self.weights[indices] @ values) + self.bias

    def urgent(self, folded: str) -> bool:
        """True when the score passes the threshold."""
        return bool(folded.strip()) and self.score(folded) >= self.threshold


def load(path: Path = MODEL_FILE) -> TriageModel | None:
    """The model in `path`, or None when there is none (the rules alone apply)."""
    if not path.is_file():
        return None
    with np.load(path) as f:
        weights = np.asarray(f["weights"], dtype=np.float32)
        if weights.shape != (DIM,):
            return None
        return TriageModel(weights, float(f["bias"]), float(f["threshold"]))


_state: dict[str, object] = {"enabled": True}
_lock = threading.Lock()
_UNLOADED = object()
_model: object = _UNLOADED


def set_enabled(on: bool) -> None:
    """Switch the learned layer on or off for the whole process (setting `tutor.safety_model`)."""
    _state["enabled"] = bool(on)


def enabled() -> bool:
    """Whether the learned layer takes part."""
    return bool(_state["enabled"])


def _loaded() -> TriageModel | None:
    global _model
    if _model is _UNLOADED:
        with _lock:
            if _model is _UNLOADED:
                _model = load()
    return _model if isinstance(_model, TriageModel) else None


def urgent(folded: str) -> bool:
    """The learned second opinion on a canonical text: False when switched off or without a model."""
    if not enabled():
        return False
    model = _loaded()
    return model is not None and model.urgent(folded)
