"""Files in the web chat: a reply's document (data export, certificate PDF) or learner-only image
(the certificate's PNG) as a short-lived, opaque link.

A browser cannot be sent a file the way Telegram or Zalo are, so the reply carries a link
`/api/export/{token}`. The token is encrypted and authenticated (Fernet, with a key derived from
the cookie secret): it names the file, how to serve it and the learner it belongs to, but nobody
can read the server path or the learner id out of it, nor forge one. A link works, as often as
needed (a download that breaks halfway on mobile data can be tried again), for `ttl_s` seconds,
only with that learner's cookie, and only while the learner still exists (the web chat checks
that). Files are never deleted here: the tutor sweeps its temporary exports after their own TTL
and deletes a learner's files with the learner.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from fastapi.responses import FileResponse

LINK_PREFIX = "/api/export/"
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


@dataclass(frozen=True)
class Document:
    """A file a learner may download now: where it is, its name, and whether it is shown inline."""

    path: Path
    name: str
    inline: bool  # an image shown in the page (else an attachment to save)

    @property
    def media_type(self) -> str | None:
        """The image type of an inline file (None: let the server guess from the name)."""
        return IMAGE_TYPES.get(self.path.suffix.lower()) if self.inline else None


class DocumentLinks:
    """Makes and opens the encrypted download links of reply documents and learner-only images."""

    def __init__(self, secret: bytes, ttl_s: int = 600) -> None:
        # A key of its own, derived from the cookie secret: a cookie is never a valid link and back.
        key = hashlib.sha256(b"hocvuso-webchat-document\x00" + secret).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))
        self.ttl_s = ttl_s

    def link(self, learner: str, path: str, name: str | None, *, inline: bool = False) -> str:
        """The download URL of `path` for this learner (an inline image when `inline`)."""
        shown = name or Path(path).name
        data = {"u": learner, "p": path, "n": shown, "i": inline}
        token = self._fernet.encrypt(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        return LINK_PREFIX + token.decode("ascii")

    def open(self, token: str, learner: str | None) -> Document | None:
        """The document of a token, when it is authentic, not expired, the cookie's, and still there."""
        return self._read(token, learner, self.ttl_s)

    def refresh(self, url: str, learner: str | None) -> str | None:
        """A new link for the file of an older link of this learner (expired or not), or None when the
        link is not theirs or its file is gone: a conversation restored after a reload keeps working."""
        if not url.startswith(LINK_PREFIX):
            return None
        found = self._read(url.removeprefix(LINK_PREFIX), learner, None)
        if found is None:
            return None
        return self.link(str(learner), str(found.path), found.name, inline=found.inline)

    def _read(self, token: str, learner: str | None, ttl_s: int | None) -> Document | None:
        if not learner:
            return None
        try:
            raw = self._fernet.decrypt(token.encode("ascii"), ttl=ttl_s)
            data = json.loads(raw)
        except (InvalidToken, UnicodeError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("u") != learner:
            return None
        path = Path(str(data.get("p", "")))
        if not path.is_file():
            return None
        return Document(path, str(data.get("n") or path.name), bool(data.get("i")))


def refresh_message(links: DocumentLinks, message: dict[str, Any], learner: str | None) -> dict[str, Any]:
    """A restored history message whose file links are issued again (those whose file is gone: an
    image is dropped, a document link stays and answers that it expired)."""
    fresh = dict(message)
    image = fresh.get("image")
    if isinstance(image, str) and image.startswith(LINK_PREFIX):
        fresh["image"] = links.refresh(image, learner)
        if fresh["image"] is None:
            fresh["caption"] = ""
    document = fresh.get("document")
    if isinstance(document, dict) and isinstance(document.get("url"), str):
        renewed = links.refresh(document["url"], learner)
        if renewed is not None:
            fresh["document"] = {**document, "url": renewed}
    return fresh


def file_response(found: Document) -> FileResponse:
    """The file of a link: an image shown in the page, or an attachment to save."""
    if found.inline:
        response = FileResponse(
            found.path, media_type=found.media_type, filename=found.name, content_disposition_type="inline"
        )
    else:
        response = FileResponse(found.path, filename=found.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
