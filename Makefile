# The two commands: `make demo` (serve the demo catalogue) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint bench bench-fingerprint system-deps messages clean

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
	$(BIN)/pytest -n auto

check: $(STAMP)
	$(BIN)/ruff check $(wildcard src tests bench)
	$(BIN)/pytest -n auto -m "not slow and not postgres and not browser" -q

# Each benchmark prints its figures and its baseline; bench/fingerprint.py needs Debian's music
# packages (it says which) and runs on its own: make bench-fingerprint.
bench: $(STAMP) system-deps
	$(BIN)/python bench/decisions.py
	$(BIN)/python bench/signals.py
	$(BIN)/python bench/log.py
	$(BIN)/python bench/datasets.py
	$(BIN)/python bench/usage.py
	$(BIN)/python bench/withdrawals.py

bench-fingerprint: $(STAMP) system-deps
	$(BIN)/python bench/fingerprint.py

# Extract the English source text (templates' _("..."), Python's gettext(page, "...") and the
# purposes' N_("...")) into messages.pot and merge it into the German catalogue.
LOCALE_DIR := src/consentry/i18n/locales
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k gettext:2 -k N_ --add-comments=Translators: \
		--project=consentry --version=0.1.0 -o $(LOCALE_DIR)/messages.pot .
	if [ -f $(LOCALE_DIR)/de/LC_MESSAGES/messages.po ]; then \
		$(BIN)/pybabel update -i $(LOCALE_DIR)/messages.pot -d $(LOCALE_DIR) -l de; \
	else \
		$(BIN)/pybabel init -i $(LOCALE_DIR)/messages.pot -d $(LOCALE_DIR) -l de; \
	fi

clean:
	rm -rf $(VENV) consentry-data .pytest_cache .mypy_cache .ruff_cache
