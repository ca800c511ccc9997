"""The dense half of the store: a Chroma collection, embedded (PersistentClient) or remote (HttpClient).

Embeddings are always computed by our own embedder and passed explicitly, so Chroma's default
embedding function (which would download a model) is never reached.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from knowledge.embedding import ChromaEmbeddingFunction, Embedder

log = logging.getLogger(__name__)

_MAX_BATCH = 2000  # stay under Chroma's max batch size


@dataclass(frozen=True)
class DenseHit:
    chunk_id: str
    similarity: float  # cosine similarity, 1 = identical


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


class VectorStore:
    """One Chroma collection of chunk embeddings (cosine space)."""

    def __init__(self, client: Any, collection_name: str, embedder: Embedder, *, remote: bool, path: Path | None):
        self._client = client
        self._collection_name = collection_name
        self._embedder = embedder
        self.remote = remote
        self._path = path
        self._collection = self._open_collection()

    @classmethod
    def open(cls, *, url: str, path: Path, collection: str, embedder: Embedder) -> VectorStore:
        """Open the configured store: Chroma server when `url` is set, else embedded at `path`."""
        import chromadb

        # Chroma tries to rebuild a collection's embedding function from stored config whenever it
        # reads collection metadata; ours is wired by the application, so that warning is noise.
        warnings.filterwarnings("ignore", message="Could not reconstruct embedding function")

        if url:
            parsed = urlparse(url)
            client = chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=_chroma_settings(),
            )
            return cls(client, collection, embedder, remote=True, path=None)
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
        return cls(client, collection, embedder, remote=False, path=path)

    def _open_collection(self) -> Any:
        with warnings.catch_warnings():
            # Chroma tries to rebuild the stored embedding function from its config before using the
            # one we pass; ours is wired by the application, so that attempt's warning is noise.
            warnings.filterwarnings("ignore", message="Could not reconstruct embedding function")
            return self._client.get_or_create_collection(
                name=self._collection_name,
                embedding_function=ChromaEmbeddingFunction(self._embedder),
                metadata={"hnsw:space": "cosine", "embedding_model": self._embedder.name},
            )

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def reopen(self) -> None:
        """See what another process wrote: drop cached segments and open the collection again."""
        if not self.remote:
            import chromadb
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
            self._client = chromadb.PersistentClient(path=str(self._path), settings=_chroma_settings())
        self._collection = self._open_collection()

    def count(self) -> int:
        return int(self._collection.count())

    def all_ids(self) -> set[str]:
        ids: set[str] = set()
        offset = 0
        while True:
            page = self._collection.get(include=[], limit=_MAX_BATCH, offset=offset)
            batch = page["ids"]
            ids.update(batch)
            if len(batch) < _MAX_BATCH:
                return ids
            offset += _MAX_BATCH

    def upsert(self, ids: list[str], embeddings: np.ndarray, documents: list[str], metadatas: list[dict]) -> None:
        """Insert or replace chunks (idempotent on ids)."""
        for start in range(0, len(ids), _MAX_BATCH):
            end = start + _MAX_BATCH
            self._collection.upsert(
                ids=ids[start:end],
                embeddings=embeddings[start:end],
                documents=documents[start:end],
                metadatas=[_clean_metadata(m) for m in metadatas[start:end]],
            )

    def delete(self, ids: Iterable[str]) -> None:
        batch = list(ids)
        for start in range(0, len(batch), _MAX_BATCH):
            self._collection.delete(ids=batch[start : start + _MAX_BATCH])

    def query(self, vector: np.ndarray, n: int, where: dict | None = None) -> list[DenseHit]:
        """Nearest chunks to a query vector, most similar first (fewer when the store is smaller)."""
        result = self._collection.query(
            query_embeddings=[vector], n_results=n, where=where or None, include=["distances"]
        )
        ids = result["ids"][0]
        distances = result["distances"][0]
        return [DenseHit(chunk_id=i, similarity=1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def get_embeddings(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (used to reuse embeddings and to check consistency)."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), _MAX_BATCH):
            page = self._collection.get(ids=ids[start : start + _MAX_BATCH], include=["embeddings"])
            for chunk_id, emb in zip(page["ids"], page["embeddings"], strict=True):
                found[chunk_id] = np.asarray(emb, dtype=np.float32)
        return found


def _clean_metadata(meta: dict) -> dict:
    """Chroma metadata values must be scalars; lists become comma-joined strings, None is dropped."""
    clean: dict[str, Any] = {}
    for key, value in meta.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set)):
            clean[key] = ",".join(str(v) for v in value)
        elif isinstance(value, (str, int, float, bool)):
            clean[key] = value
        else:
            clean[key] = str(value)
    return clean
