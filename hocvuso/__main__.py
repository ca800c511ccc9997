"""`python -m hocvuso` runs the CLI."""

from hocvuso.cli import main

main()
