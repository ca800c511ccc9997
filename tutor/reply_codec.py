"""Replies as JSON and back: a turn's replies are stored with its message id, so a retried id
(a crash between the commit and the response, a client that resends) gets the same answer again.

Replies longer than `MAX_STORED_CHARS` (a long answer, an export's summary with many rows) are
stored compressed (`pack_replies`), so their retry gets them whole too; only beyond
`MAX_PACKED_BYTES` compressed is nothing kept (a retry then gets no reply rather than a wrong one).
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from tutor.messages import Button, QuizQuestion, Reply, SourceLink

MAX_STORED_CHARS = 20_000  # replies longer than this are stored compressed
MAX_PACKED_BYTES = 200_000  # compressed replies over this are not stored at all
_PACKED = "z"  # the key of a compressed entry: [{"z": base64(zlib(json))}]


def replies_to_json(replies: list[Reply]) -> list[dict[str, Any]]:
    """The replies as JSON-ready dicts (everything a channel renders)."""
    return [_reply_dict(reply) for reply in replies]


def _reply_dict(reply: Reply) -> dict[str, Any]:
    out: dict[str, Any] = {"text": reply.text}
    if reply.buttons:
        out["buttons"] = [[[b.label, b.payload] for b in row] for row in reply.buttons]
    if reply.quiz is not None:
        q = reply.quiz
        out["quiz"] = {
            "item_id": q.item_id,
            "question": q.question,
            "choices": list(q.choices),
            "choice_payloads": list(q.choice_payloads),
            "correct_index": q.correct_index,
            "explanation": q.explanation,
        }
    for key in ("image_path", "image_caption", "document_path", "document_name"):
        if getattr(reply, key) is not None:
            out[key] = getattr(reply, key)
    if reply.sources:
        out["sources"] = [[s.title, s.source, s.heading, s.locator] for s in reply.sources]
    return out


def pack_replies(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What to store for `replies_to_json` data: itself when short, else compressed ([] when huge)."""
    if stored_size(data) <= MAX_STORED_CHARS:
        return data
    packed = base64.b64encode(zlib.compress(json.dumps(data, ensure_ascii=False).encode(), 9)).decode()
    return [{_PACKED: packed}] if len(packed) <= MAX_PACKED_BYTES else []


def _unpacked(data: list[Any]) -> Any:
    if len(data) == 1 and isinstance(data[0], dict) and set(data[0]) == {_PACKED}:
        try:
            return json.loads(zlib.decompress(base64.b64decode(data[0][_PACKED])))
        except (ValueError, zlib.error, TypeError):
            return []
    return data


def replies_from_json(data: Any) -> list[Reply]:
    """Replies stored by `replies_to_json` or `pack_replies` (anything unreadable is left out)."""
    if not isinstance(data, list):
        return []
    data = _unpacked(data)
    if not isinstance(data, list):
        return []
    replies = []
    for item in data:
        try:
            replies.append(_reply(item))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return replies


def _reply(item: dict[str, Any]) -> Reply:
    quiz = item.get("quiz")
    return Reply(
        text=str(item["text"]),
        buttons=tuple(
            tuple(Button(str(label), str(payload)) for label, payload in row) for row in item.get("buttons", [])
        ),
        quiz=QuizQuestion(
            item_id=quiz["item_id"],
            question=quiz["question"],
            choices=tuple(quiz["choices"]),
            choice_payloads=tuple(quiz["choice_payloads"]),
            correct_index=quiz["correct_index"],
            explanation=quiz["explanation"],
        )
        if isinstance(quiz, dict)
        else None,
        image_path=item.get("image_path"),
        image_caption=item.get("image_caption"),
        document_path=item.get("document_path"),
        document_name=item.get("document_name"),
        sources=tuple(SourceLink(*map(str, s)) for s in item.get("sources", [])),
    )


def stored_size(data: list[dict[str, Any]]) -> int:
    """Roughly how many characters the stored replies take (texts only)."""
    return sum(len(str(item.get("text", ""))) for item in data if isinstance(item, dict))
