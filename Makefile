# Two commands set everything up: `make run` (the app on the example project) and
# `make test` (lint + every test). Both create .venv and install what they need on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench screenshot clean

# One line per step (the install takes a minute or more and is otherwise silent). make stops at the
# first step that fails, so the stamp is written only when every step succeeded; the next run retries.
$(STAMP): pyproject.toml
	@echo "set-up 1/4: creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)
	@echo "set-up 2/4: updating pip"
	@$(BIN)/pip install --quiet --upgrade pip
	@echo "set-up 3/4: installing annotator and its dependencies (PySide6, SQLAlchemy, spaCy, datasets, ...; a few minutes the first time)"
	@$(BIN)/pip install --quiet -e '.[gui,test,postgres,spacy,suggest,hf]'
	@echo "set-up 4/4: Qt's system libraries"
	@$(BIN)/python -m ui.system_libs
	@touch $(STAMP)
	@echo "set-up done ($(VENV))"

# The example project ships inside the package (annotator/example/), which is never written to;
# the window opens a copy made on first use in $XDG_DATA_HOME/annotator/example (~/.local/share),
# the same place an installed `annotator` uses, so annotations made there outlive `make clean`.
run: $(STAMP)
	$(BIN)/python main.py

# ruff, then mypy over annotator/ and ui/ (its settings: [tool.mypy] in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

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
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
