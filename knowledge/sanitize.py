"""Text sanitising applied once, where text enters the system (a channel's boundary, the tutor's
entry, ingestion), before anything is stored, logged or sent to a model.

- lone surrogates (a JSON string may carry `"\\ud800"`) and other code points UTF-8 cannot encode
  are replaced with U+FFFD, so that a database, a log line or a JSON response never fails on them;
- NUL and the other C0/C1 control characters (except tab, newline, carriage return) are removed;
- Unicode tag characters (U+E0000-U+E007F, invisible text a model still reads) are removed.

It is a pure function of its input: no normalization of letters or spacing (that is
`knowledge.textnorm`'s job), so sanitising twice changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
_REMOVED = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\U000e0000-\U000e007f]")


def sanitize_text(text: str) -> str:
    """`text` without lone surrogates (replaced), control characters or tag characters (removed)."""
    if text.isascii():
        return _REMOVED.sub("", text) if not text.isprintable() else text
    return _REMOVED.sub("", _SURROGATE.sub(REPLACEMENT, text))


def sanitize_json(value: Any) -> Any:
    """A parsed JSON value with every string (keys too) sanitised; other values unchanged."""
    if isinstance(value, str):
        return sanitize_text(value)
    if isinstance(value, dict):
        return {sanitize_text(k) if isinstance(k, str) else k: sanitize_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sanitize_json(item) for item in value]
    return value


def has_binary_content(sample: bytes) -> bool:
    """True when a text file's bytes look binary: a NUL byte, or many control bytes."""
    if b"\x00" in sample:
        return True
    if not sample:
        return False
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return controls / len(sample) > 0.05
