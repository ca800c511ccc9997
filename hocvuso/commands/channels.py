"""CLI commands (placeholder until the owning issue lands)."""

from hocvuso.cli import app, state  # noqa: F401
