# Two commands set everything up: `make run` (the app on the example project) and
# `make test` (lint + every test). Both create .venv and install what they need on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres,spacy,hf]'
	$(BIN)/python -m ui.system_libs
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python main.py

lint: $(STAMP)
	$(BIN)/ruff check .

# Unit tests, then the same suite's PostgreSQL tests against a throw-away server on
# loopback (tests/with-postgres starts and stops it; without PostgreSQL they are skipped,
# except under CI, where a missing server is a failure).
test: $(STAMP) lint
	QT_QPA_PLATFORM=offscreen tests/with-postgres $(BIN)/python -m pytest

screenshot: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m ui.screenshot docs/screenshot.png

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
