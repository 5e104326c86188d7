# The two commands: `make demo` (serve the demo catalogue) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-deps:
	bash scripts/install-system-deps.sh

demo: $(STAMP)
	$(BIN)/consentry init
	$(BIN)/consentry demo
	$(BIN)/consentry serve

test: $(STAMP) system-deps
	$(BIN)/ruff check $(wildcard src tests bench)
	$(BIN)/mypy
	$(BIN)/pytest

check: $(STAMP)
	$(BIN)/ruff check $(wildcard src tests bench)
	$(BIN)/pytest -m "not slow and not postgres and not browser" -q

bench: $(STAMP) system-deps
	$(BIN)/python bench/decisions.py

clean:
	rm -rf $(VENV) consentry-data .pytest_cache .mypy_cache .ruff_cache
