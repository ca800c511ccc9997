"""CLI commands, one module per area; `hocvuso.cli` registers each module's commands explicitly."""
