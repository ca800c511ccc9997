"""The one input boundary every channel endpoint reads its request through.

- `read_body` enforces a size limit on the stream itself: a lying or missing Content-Length
  (chunked transfer) cannot make the server hold more than `limit` bytes;
- `parse_json` refuses deep nesting (checked on the bytes, before the recursive parser runs),
  integers longer than `MAX_INT_DIGITS` digits, NaN/Infinity and non-finite floats, and sanitises
  every string once (`knowledge.sanitize`): lone surrogates replaced, NUL and tag characters removed;
- a refused request raises `BadInput` (a 4xx status and a short reason); `refuse` turns it into a
  JSON response and ONE short log line — never a traceback, never the body.

Nothing downstream (the inbox, the tutor, the logs, a JSON response) ever sees an unencodable
string, so one hostile message can neither fail a learner's export nor block a channel's start.
"""

from __future__ import annotations

import json
import logging
import math
import re
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from knowledge.sanitize import sanitize_json

log = logging.getLogger(__name__)

MAX_JSON_DEPTH = 32  # Telegram updates nest about 6 levels, Zalo events 3, the web chat 1
MAX_INT_DIGITS = 20  # a 64-bit id has 19 digits; a 40-digit "timestamp" is refused
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


class BadInput(Exception):
    """A request refused at the boundary: `status` (4xx) and a short reason (no request data)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, read chunk by chunk; BadInput(413) as soon as it passes `limit` bytes."""
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise BadInput(400, "invalid content-length")
        if int(length) > limit:
            raise BadInput(413, "body too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadInput(413, "body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def json_depth(body: bytes, stop_at: int = MAX_JSON_DEPTH) -> int:
    """The nesting depth of a JSON text (strings skipped), computed without recursion; counting
    stops once it passes `stop_at`."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKET)
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in (0x5B, 0x7B) else -1
        if depth > deepest:
            deepest = depth
            if deepest > stop_at:
                break
    return deepest


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError("integer too long")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _parse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(body: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse a JSON body within the limits above, every string sanitised; BadInput(400) otherwise."""
    if json_depth(body, max_depth) > max_depth:
        raise BadInput(400, "JSON nested too deeply")
    try:
        data = json.loads(
            body,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BadInput(400, "invalid JSON") from None
    return sanitize_json(data)


async def read_json(request: Request, limit: int, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`read_body` then `parse_json`."""
    return parse_json(await read_body(request, limit), max_depth=max_depth)


def refuse(channel: str, error: BadInput, body: dict[str, Any] | None = None) -> JSONResponse:
    """The response to a refused request, with one short log line (no data, no traceback)."""
    log.warning("%s: request refused (%d %s)", channel, error.status, error.reason)
    return JSONResponse(body if body is not None else {"ok": False, "error": error.reason}, status_code=error.status)
