"""CLI commands, one module per area; each registers itself on `hocvuso.cli.app`."""
