# Cunke: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-slow setup setup-test translations db courses demo lint bench extract-messages clean

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
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o lms/translations/messages.pot --no-location --sort-output --width 100 .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching --width 100

db: setup
	$(FLASK) db upgrade

courses: db
	$(FLASK) courses sync

demo: db
	$(FLASK) accounts demo

lint: setup-test
	$(BIN)/ruff check lms tests benchmarks app.py

# Benchmarks print figures and ratios (docs/performance.md). The serving benchmarks use wrk when it is
# installed (installed here when running as root), else a Python load generator; the output says which.
bench: setup-test
	@if ! command -v wrk >/dev/null && [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing wrk for the serving benchmarks"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
			|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; } \
			|| echo "wrk could not be installed: the Python load generator is used instead"; \
	fi
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# Only the load, crash and large-data tests (marked `slow`), on SQLite and then on LMS_TEST_DATABASE_URL.
# `make test` runs them too, with everything else.
test-slow: setup-test
	env -u LMS_TEST_DATABASE_URL $(BIN)/python -m pytest -m slow $(PYTEST_ARGS)
	@if [ -n "$$LMS_TEST_DATABASE_URL" ]; then \
		echo "== the same tests on $$LMS_TEST_DATABASE_URL"; \
		$(BIN)/python -m pytest -m slow $(PYTEST_ARGS); \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
