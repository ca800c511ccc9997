"""Secrets never reach a log, at any level: a log record factory that redacts known secret values.

The composition root registers the secrets it holds (the Telegram token, the webhook secret, the
Zalo keys and tokens — including each refreshed pair, as the token cipher sees it — the LLM key);
every record any logger creates afterwards (ours, httpx's URL lines, python-telegram-bot's request
dumps at DEBUG, uvicorn's) has its message and its formatted traceback searched for them and
redacted before any handler sees it. Records below a logger's level are never created, so the
cost is paid only for lines that are written.
"""

from __future__ import annotations

import logging
import threading
import traceback
from typing import Any

REDACTED = "[REDACTED]"
MIN_SECRET_CHARS = 6  # shorter values would redact ordinary words


class SecretRedactor:
    """The set of secret values to redact, and the record factory that applies it."""

    def __init__(self) -> None:
        self._secrets: frozenset[str] = frozenset()
        self._lock = threading.Lock()
        self._previous: Any = None

    def add(self, *values: str | None) -> None:
        """Redact these values from now on (empty or very short values are ignored)."""
        fresh = {v for v in values if v and len(v) >= MIN_SECRET_CHARS}
        if fresh - self._secrets:
            with self._lock:
                self._secrets = self._secrets | fresh

    def redact(self, text: str) -> str:
        """`text` with every known secret replaced."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def install(self) -> None:
        """Wrap the process's log record factory (once)."""
        if self._previous is not None:
            return
        self._previous = logging.getLogRecordFactory()
        previous = self._previous

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record: logging.LogRecord = previous(*args, **kwargs)
            if self._secrets:
                self._scrub(record)
            return record

        logging.setLogRecordFactory(factory)

    def _scrub(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it to logging's own error handling
            return
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            redacted = self.redact(text)
            if redacted != text:
                record.exc_text = redacted
                record.exc_info = None  # the redacted text replaces it
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)


#: The one redactor of the process (log records are process-wide too); holds values, no clients.
REDACTOR = SecretRedactor()


def redact_secrets(*values: str | None) -> None:
    """Register secret values and make sure the redaction is installed."""
    REDACTOR.install()
    REDACTOR.add(*values)
