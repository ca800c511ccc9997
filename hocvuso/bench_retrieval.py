"""`hocvuso bench retrieval`: retrieval quality and speed on XQuAD-vi through the real pipeline.

Each XQuAD paragraph becomes one Markdown document titled by its article, ingested by the real Ingestor into a temporary
data dir; every question is searched as written and with its tone marks stripped. Reported:
hit@1, hit@5, MRR@10 per retriever (dense, BM25 marked, BM25 folded, hybrid), ingestion time
against the model's bare encode time of the same texts, a re-run over the unchanged corpus,
search latency p50/p95 and peak memory.
"""

from __future__ import annotations

import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from hocvuso.container import Container
from hocvuso.settings import Settings
from knowledge.textnorm import fold

RETRIEVERS: dict[str, tuple[str, ...]] = {
    "dense": ("dense",),
    "bm25 marked": ("lexical",),
    "bm25 folded": ("folded",),
    "hybrid": ("dense", "lexical", "folded"),
}


def load_xquad(path: Path) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """([(doc name, article title, paragraph)], [(question, doc name)]) from a SQuAD-format file."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    docs: list[tuple[str, str, str]] = []
    questions: list[tuple[str, str]] = []
    for a, article in enumerate(data):
        title = str(article.get("title", "")).replace("_", " ")
        for p, paragraph in enumerate(article["paragraphs"]):
            name = f"a{a:02d}-p{p:02d}"
            docs.append((name, title, paragraph["context"]))
            questions.extend((qa["question"], name) for qa in paragraph["qas"])
    return docs, questions


def _doc_ranking(hits: list[Any]) -> list[str]:
    ranking: list[str] = []
    for hit in hits:
        name = Path(hit.source).stem
        if name not in ranking:
            ranking.append(name)
    return ranking


def _metrics(rankings: list[list[str]], gold: list[str]) -> dict[str, float]:
    n = len(gold)
    hit1 = sum(1 for r, g in zip(rankings, gold, strict=True) if r[:1] == [g]) / n
    hit5 = sum(1 for r, g in zip(rankings, gold, strict=True) if g in r[:5]) / n
    mrr = sum(1 / (r.index(g) + 1) for r, g in zip(rankings, gold, strict=True) if g in r[:10]) / n
    return {"hit@1": round(hit1, 3), "hit@5": round(hit5, 3), "mrr@10": round(mrr, 3)}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class _QueryCache:
    """Remembers query vectors so the quality passes encode each question once."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._cache: dict[str, Any] = {}

    def embed_passages(self, texts: list[str]) -> Any:
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> Any:
        if text not in self._cache:
            self._cache[text] = self.inner.embed_query(text)
        return self._cache[text]


def run_retrieval_benchmark(
    base: Settings, dataset: Path, *, limit: int = 0, console: Console | None = None
) -> dict[str, Any]:
    """Run the benchmark in a temporary data dir; print tables; return the numbers."""
    console = console or Console()
    docs, questions = load_xquad(dataset)
    if limit:
        questions = questions[:limit]
    results: dict[str, Any] = {"documents": len(docs), "questions": len(questions)}
    with tempfile.TemporaryDirectory(prefix="hocvuso-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for name, title, text in docs:
            # A document as an editor would give it: its article's title, then the paragraph.
            front = json.dumps({"title": title}, ensure_ascii=False)
            (corpus / f"{name}.md").write_text(f"---\n{front}\n---\n\n{text}\n", encoding="utf-8")
        settings = base.model_copy(
            update={
                "data_dir": Path(tmp) / "data",
                "database": base.database.model_copy(update={"url": ""}),
                "vector_store": base.vector_store.model_copy(update={"url": ""}),
            }
        )
        container = Container(settings)
        try:
            embedder = container.embedder

            console.print(f"Ingesting {len(docs)} paragraphs…")
            started = time.perf_counter()
            report = container.ingestor.run([corpus])
            ingest_s = time.perf_counter() - started
            from knowledge.manifest import ChunkRow

            with container.session_factory() as session:
                rows = session.query(ChunkRow).all()
                texts = [f"{r.title}\n{r.text}" for r in rows]
            batch = settings.embedding.batch_size
            started = time.perf_counter()
            for i in range(0, len(texts), batch):
                embedder.embed_passages(texts[i : i + batch])
            encode_s = time.perf_counter() - started
            started = time.perf_counter()
            rerun = container.ingestor.run([corpus])
            rerun_s = time.perf_counter() - started
            results["ingestion"] = {
                "chunks": report.chunks_written,
                "ingest_s": round(ingest_s, 2),
                "bare_encode_s": round(encode_s, 2),
                "ratio": round(ingest_s / encode_s, 3) if encode_s else None,
                "rerun_unchanged_s": round(rerun_s, 2),
                "rerun_embedded": rerun.chunks_embedded,
            }

            kb = container.knowledge_base
            # Latency first, with real query encoding (no cache), on the hybrid path.
            latencies: list[float] = []
            sample = questions[: min(300, len(questions))]
            kb.search("khởi động", 5)  # warm up: loads the lexical indexes
            for question, _ in sample:
                t0 = time.perf_counter()
                kb.search(question, 10)
                latencies.append((time.perf_counter() - t0) * 1000)
            unmarked_latencies: list[float] = []
            for question, _ in sample[:150]:
                t0 = time.perf_counter()
                kb.search(fold(question), 10)
                unmarked_latencies.append((time.perf_counter() - t0) * 1000)
            results["latency_ms"] = {
                "marked_p50": round(statistics.median(latencies), 1),
                "marked_p95": round(_percentile(latencies, 0.95), 1),
                "unmarked_p50": round(statistics.median(unmarked_latencies), 1),
                "unmarked_p95": round(_percentile(unmarked_latencies, 0.95), 1),
                "queries": len(latencies) + len(unmarked_latencies),
            }

            container.vector_store._embedder = _QueryCache(embedder)  # quality passes only
            gold = [name for _, name in questions]
            quality: dict[str, dict[str, Any]] = {}
            for variant, transform in (("marked", lambda q: q), ("unmarked", fold)):
                quality[variant] = {}
                for label, legs in RETRIEVERS.items():
                    console.print(f"  {variant:8s} {label}…")
                    rankings = [_doc_ranking(kb.search(transform(q), 30, legs=legs)) for q, _ in questions]
                    quality[variant][label] = _metrics(rankings, gold)
            results["quality"] = quality
        finally:
            container.close()
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    _print(results, console)
    return results


def _print(results: dict[str, Any], console: Console) -> None:
    table = Table(title=f"XQuAD-vi: {results['documents']} paragraphs, {results['questions']} questions")
    for column in ("questions", "retriever", "hit@1", "hit@5", "MRR@10"):
        table.add_column(column)
    for variant, by_retriever in results["quality"].items():
        for label, metrics in by_retriever.items():
            table.add_row(variant, label, str(metrics["hit@1"]), str(metrics["hit@5"]), str(metrics["mrr@10"]))
    console.print(table)
    console.print(f"ingestion: {results['ingestion']}")
    console.print(f"latency (ms): {results['latency_ms']}")
    console.print(f"peak RSS: {results['peak_rss_mb']} MB")
