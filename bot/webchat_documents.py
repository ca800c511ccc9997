"""Documents in the web chat: a reply's file (data export, certificate) as a signed, short-lived link.

A browser cannot be sent a file the way Telegram or Zalo are, so the reply carries a link
`/api/export/{token}`: the token is signed with the cookie secret and names the file and the
learner it belongs to; it works for `ttl_s` seconds and only with that learner's cookie. A file
inside `temp_dir` (the tutor's temporary exports) is deleted once downloaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

log = logging.getLogger(__name__)

LINK_PREFIX = "/api/export/"


@dataclass(frozen=True)
class Document:
    """A file a learner may download now: where it is, its name, and whether to delete it after."""

    path: Path
    name: str
    delete_after: bool


class DocumentLinks:
    """Makes and checks the signed download links of reply documents."""

    def __init__(self, secret: bytes, ttl_s: int = 600, temp_dir: Path | None = None) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="hocvuso-webchat-document")
        self.ttl_s = ttl_s
        self._temp_dir = temp_dir.resolve() if temp_dir else None

    def link(self, learner: str, path: str, name: str | None) -> str:
        """The download URL of `path` for this learner."""
        shown = name or Path(path).name
        return LINK_PREFIX + str(self._serializer.dumps({"u": learner, "p": path, "n": shown}))

    def open(self, token: str, learner: str | None) -> Document | None:
        """The document of a token, when it is valid, not expired, the cookie's, and still there."""
        if not learner:
            return None
        try:
            data = self._serializer.loads(token, max_age=self.ttl_s)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or data.get("u") != learner:
            return None
        path = Path(str(data.get("p", "")))
        if not path.is_file():
            return None
        return Document(path, str(data.get("n") or path.name), self._is_temporary(path))

    def _is_temporary(self, path: Path) -> bool:
        if self._temp_dir is None:
            return False
        try:
            path.resolve().relative_to(self._temp_dir)
        except ValueError:
            return False
        return True


def remove(path: Path) -> None:
    """Delete a downloaded temporary file (already gone is fine)."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("web chat: could not delete a downloaded file (%s)", type(exc).__name__)
