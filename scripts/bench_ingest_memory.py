"""Peak RSS of ingesting one large text file (issue 14: "streams large text instead of holding it").

Usage: PYTHONPATH=$PWD python scripts/bench_ingest_memory.py [--mb 5] [--kind txt|md] [--dry-run]

Runs in a fresh process so the peak (ru_maxrss) is the ingestion's own. The embedding model is
replaced by a cheap deterministic embedder (hash -> vector) so that the measure is the pipeline's
memory, not the model's; the database (SQLite) and Chroma are real.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PARAGRAPH = (
    "Mật khẩu mạnh dài ít nhất 12 ký tự, có chữ hoa, chữ thường, số và ký hiệu. "
    "Không bao giờ đọc mã OTP cho người khác, kể cả người xưng là công an. "
    "Khi nhận cuộc gọi lạ, hãy gác máy và gọi lại số tổng đài chính thức của ngân hàng.\n\n"
)


class HashEmbedder:
    """A deterministic 64-dimension embedder: no model, negligible memory."""

    name = "hash-64"
    dim = 64

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._one(text)

    def _one(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
        vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return vector / np.linalg.norm(vector)


def write_file(folder: Path, mb: float, kind: str) -> Path:
    path = folder / f"big.{kind}"
    target = int(mb * 1_000_000) - 1000
    with path.open("w", encoding="utf-8") as handle:
        if kind == "md":
            handle.write("---\ntitle: Bài lớn\n---\n\n")
        written, section = 0, 0
        while written < target:
            if kind == "md" and written // 200_000 >= section:
                section += 1
                written += handle.write(f"## Phần {section}\n\n")
            handle.write(PARAGRAPH)
            written += len(PARAGRAPH.encode())
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--kind", choices=["txt", "md"], default="txt")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()

    from hocvuso.container import Container
    from tests.conftest import make_settings

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "lessons"
        root.mkdir()
        data = Path(tmp) / "data"
        data.mkdir()
        path = write_file(root, args.mb, args.kind)
        size = path.stat().st_size
        container = Container(make_settings(data, None, ingest={"lessons_dir": root}))
        container.__dict__["embedder"] = HashEmbedder()
        container.ingestor  # noqa: B018  (build outside the measure)
        container.vector_store  # noqa: B018
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        report = container.ingestor.run([root], dry_run=args.dry_run)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        container.close()
    print(
        f"file={size} bytes kind={args.kind} dry_run={args.dry_run} "
        f"ok={report.ok} chunks={report.chunks_written} seconds={seconds:.1f} "
        f"rss_before={before:.0f} MiB peak={peak:.0f} MiB growth={peak - before:.0f} MiB",
        file=sys.stdout,
    )


if __name__ == "__main__":
    main()
