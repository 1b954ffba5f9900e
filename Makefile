# Cunke: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup setup-test translations db courses demo lint bench extract-messages clean

run: setup db courses demo
	@$(FLASK) doctor || true
	@echo "Cunke is starting on http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# The suite runs on SQLite; with LMS_TEST_DATABASE_URL set (CI sets PostgreSQL) it runs again there.
test: setup-test
	env -u LMS_TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$LMS_TEST_DATABASE_URL" ]; then \
		echo "== the same suite on $$LMS_TEST_DATABASE_URL"; \
		$(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

setup: $(VENV)/.installed translations

setup-test: $(VENV)/.installed-test translations

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"' \
		|| { echo "Cunke needs Python 3.11 or newer (found: $$($(PYTHON) --version 2>&1))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

translations: $(VENV)/.installed
	@$(BIN)/pybabel compile --statistics -d lms/translations

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o lms/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching

db: setup
	$(FLASK) db upgrade

courses: db
	$(FLASK) courses sync

demo: db
	$(FLASK) accounts demo

lint: setup-test
	$(BIN)/ruff check lms tests benchmarks app.py

bench: setup-test
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
