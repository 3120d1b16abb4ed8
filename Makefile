# Entry points. `make run` is the demo on embedded defaults (no server needed); `make test` is
# the one command CI runs: it installs and starts everything the tests need, then lints,
# type-checks and runs pytest against the real servers.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

UV_VERSION := 0.13.9
PYTHON := python3.11
TOOLS := .tools
VENV := .venv
UV := $(TOOLS)/bin/uv
PY := $(VENV)/bin/python
# Rewritten by every successful sync: `install` is a no-op until uv.lock or pyproject.toml change.
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# pytest-xdist workers for `make test`: `auto` is one per CPU; 0 runs pytest in one process.
PYTEST_WORKERS ?= auto

export UV_PYTHON_DOWNLOADS := never

.PHONY: help install run services services-down test lint clean distclean

help:
	@echo "make run        demo on http://$(HOST):$(PORT)/ (SQLite, in-memory channels, eager Celery)"
	@echo "make test       install, start the test servers, ruff + mypy + pytest -n auto (what CI runs)"
	@echo "make services   start PostgreSQL, Redis, Elasticsearch, stripe-mock (scripts/test-servers up)"
	@echo "make lint       ruff check, ruff format --check, mypy, lint-imports (layers)"
	@echo "make install    tools venv + uv sync --frozen into .venv"
	@echo "make clean      caches, collected static files, test artifacts (distclean: venvs too)"

install: $(INSTALLED)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(INSTALLED): uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

# Embedded defaults: whatever server URL is in the environment is used, none is needed.
# Demo logins must work without reading the console email, hence optional verification.
run: export ACCOUNT_EMAIL_VERIFICATION ?= optional
# The demo shows the designed error pages, never Django's debug page with the URL map.
run: export DJANGO_DEBUG ?= false
run: install
	$(PY) manage.py migrate --noinput
	@# The .mo files are committed: without gettext the committed ones are used as they are.
	@if command -v msgfmt >/dev/null; then \
		$(PY) manage.py compilemessages --ignore=$(VENV) --ignore=$(TOOLS) --verbosity 0; \
	fi
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving http://$(HOST):$(PORT)/ (HTTP and websockets, daphne); Ctrl-C stops."
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) marketplace.asgi:application

services:
	scripts/test-servers up

services-down:
	scripts/test-servers down

# Every step runs even when an earlier one fails, so one run shows every problem; the exit
# status is non-zero if any failed. `make test PYTEST_ARGS="tests/test_servers.py -x"` narrows;
# `make test PYTEST_WORKERS=0` runs pytest without xdist (PYTEST_WORKERS=4: four workers).
test: install services
	@eval "$$(scripts/test-servers env)"; \
	failed=""; \
	step() { printf '\n==> %s\n' "$$*"; "$$@" || failed="$$failed [$$*]"; }; \
	step $(VENV)/bin/ruff check .; \
	step $(VENV)/bin/ruff format --check .; \
	step $(VENV)/bin/mypy .; \
	step $(VENV)/bin/lint-imports; \
	step $(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS); \
	if [[ -n "$$failed" ]]; then echo "make test failed:$$failed" >&2; exit 1; fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache var/static test-artifacts
	find . -path ./$(VENV) -prune -o -path ./$(TOOLS) -prune -o -name __pycache__ -type d -prune \
		-exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(TOOLS)
