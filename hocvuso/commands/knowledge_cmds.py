"""CLI commands: ingest, search, status, bench."""

from hocvuso.cli import app, state  # noqa: F401
