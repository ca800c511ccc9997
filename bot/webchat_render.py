"""How the web chat shows a tutor reply: plain strings for the page (never HTML), lesson images as
/media/ URLs, the learner's own image and documents as opaque per-learner links, certificate
verification addresses listed in `links`. `bot.webchat.WebChat` composes this."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.webchat_documents import IMAGE_TYPES, DocumentLinks
from tutor.messages import Reply

IMAGE_SUFFIXES = IMAGE_TYPES
# A certificate's verification address (`GET /certificates/{code}` of this server's public URL).
VERIFY_URL = re.compile(r"https?://[^\s<>\"']+/certificates/[A-Za-z0-9-]{4,40}(?![\w/-])")
# Buttons whose label is only an emoji get a spoken name (screen readers; fonts without emoji).
SPOKEN_LABELS = {"👍": "Hữu ích", "👎": "Chưa hữu ích"}


class ReplyRenderer:
    """Turns a Reply into the JSON the page renders, for one learner."""

    def __init__(self, media_root: Path | None, documents: DocumentLinks) -> None:
        """`media_root`: the (resolved) lessons folder served at /media/; `documents` makes the links."""
        self._media_root = media_root
        self._documents = documents

    def image_url(self, image_path: str | None) -> str | None:
        """The /media/ URL of a lesson image, or None when it is not a servable image."""
        if not image_path or self._media_root is None:
            return None
        path = Path(image_path)
        if not path.is_absolute():
            path = self._media_root / path
        try:
            relative = path.resolve().relative_to(self._media_root)
        except ValueError:
            return None
        if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
            return None
        return "/media/" + relative.as_posix()

    def own_image_url(self, image_path: str | None, learner: str | None) -> str | None:
        """A link for `learner` only to an image outside the lessons folder (the certificate's PNG),
        or None when there is no such image file."""
        if not image_path or not learner:
            return None
        path = Path(image_path).resolve()  # where the tutor wrote it (a relative data dir: the cwd)
        if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
            return None
        return self._documents.link(learner, str(path), path.name, inline=True)

    def reply_json(self, reply: Reply, learner: str | None = None) -> dict[str, Any]:
        """One reply as the page renders it (plain strings; the page never parses them as HTML).

        A document becomes `{"url", "name"}` and an image of the learner's own an opaque link: for
        `learner` only. `links` lists the verification addresses the page shows as links."""
        image = self.image_url(reply.image_path) or self.own_image_url(reply.image_path, learner)
        rendered: dict[str, Any] = {
            "text": reply.text,
            "buttons": [[button_json(b.label, b.payload) for b in row] for row in reply.buttons if row],
            "image": image,
            "caption": (reply.image_caption or "") if image else "",
            "sources": [
                {"title": s.title, "heading": s.heading, "locator": s.locator}
                for s in reply.sources
                if s.title and s.title not in reply.text
            ],
        }
        links = sorted(set(VERIFY_URL.findall(reply.text)))
        if links:
            rendered["links"] = links
        if reply.quiz is not None:
            rendered["quiz"] = True  # the page disables its buttons once a typed answer is sent
        if reply.document_path and learner:
            name = reply.document_name or Path(reply.document_path).name
            rendered["document"] = {"url": self._documents.link(learner, reply.document_path, name), "name": name}
        return rendered


def button_json(label: str, payload: str) -> dict[str, str]:
    """A button as the page renders it; an emoji-only label gets a spoken name (`aria`)."""
    button = {"label": label, "payload": payload}
    spoken = SPOKEN_LABELS.get(label.strip())
    if spoken:
        button["aria"] = spoken
    return button
