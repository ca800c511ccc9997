"""Secrets kept in files of the data dir (cookie, webhook and payload keys), created atomically.

Several processes may start together on one data dir (the server and its workers, two replicas):
they must all end up with the same key. The secret is written to a private temporary file
(mode 0600), flushed to disk, then hard-linked to its final name: `os.link` fails when the name
exists, so the first process to finish wins and every other one reads the winner's key. A reader
never sees a half-written file, because the final name only ever points at a complete one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path


def _urlsafe_secret() -> str:
    return secrets.token_urlsafe(32)


def stored_secret(path: Path, generate: Callable[[], str] = _urlsafe_secret) -> str:
    """The secret kept in `path`, created once (mode 0600) with `generate()` if absent."""
    if not path.is_file():
        _create_once(path, generate())
    return path.read_text(encoding="utf-8").strip()


def _create_once(path: Path, value: str) -> None:
    """Publish `value` at `path` unless another process already did (the first one wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the new directory entry durable (best effort: not every platform can open a folder)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


class TokenCipher:
    """Encrypts platform tokens at rest (Fernet: AES-128-CBC + HMAC-SHA256) with one key.

    Stored values carry a prefix, so a value written before encryption existed is still read
    (and encrypted the next time it is written). `on_plaintext` is told every token it sees, so
    that the log redaction knows refreshed tokens too.
    """

    PREFIX = "enc:v1:"

    def __init__(self, key: bytes, on_plaintext: Callable[[str], None] | None = None) -> None:
        from cryptography.fernet import Fernet

        self._fernet = Fernet(key)
        self._seen = on_plaintext or (lambda _value: None)

    def encrypt(self, value: str) -> str:
        """The stored form of `value`."""
        self._seen(value)
        return self.PREFIX + self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The token behind a stored value (a legacy plain value is returned as it is)."""
        if not stored.startswith(self.PREFIX):
            self._seen(stored)
            return stored
        value = self._fernet.decrypt(stored[len(self.PREFIX) :].encode("ascii")).decode("utf-8")
        self._seen(value)
        return value


def fernet_key() -> str:
    """A new Fernet key (urlsafe base64 of 32 random bytes)."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) as a folder only its owner can enter (0700); tighten an
    existing one we own."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """Make sure `path` exists and only its owner can read it (0600), before a library (SQLite)
    creates it with the process umask; tighten an existing one we own."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with contextlib.suppress(OSError):
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(0o600)
    return path
