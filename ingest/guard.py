"""What ingestion may read: files inside their folder, of bounded size, really text when text.

- a symlink (to a file or a folder) and anything resolving outside the folder is refused with a
  reason (a link to /etc/passwd must never become searchable);
- a file over `max_bytes` is named and skipped before a byte of it is read;
- the content hash is computed by streaming, never by holding the file;
- text files with NUL bytes (or mostly control bytes) are binary, refused by the loaders
  (`knowledge.sanitize.has_binary_content`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_HASH_BLOCK = 1 << 20


def outside_reason(root: Path, path: Path) -> str | None:
    """Why `path` (found under folder `root`) must not be read, or None when it is safe."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        return "outside the lessons folder"
    if ".." in relative.parts:
        return "a '..' path leaves the lessons folder"
    current = root
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            return "a symbolic link: copy the file into the lessons folder instead"
    try:
        path.resolve(strict=True).relative_to(root.resolve())
    except (ValueError, OSError):
        return "resolves outside the lessons folder"
    return None


def size_reason(path: Path, max_bytes: int) -> str | None:
    """Why `path` is too large to ingest, or None."""
    size = path.stat().st_size
    if size <= max_bytes:
        return None
    return (
        f"file is {size / 1_000_000:.1f} MB, over the limit of {max_bytes / 1_000_000:g} MB "
        "(ingest.max_file_mb): split it into smaller files"
    )


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read block by block."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()
