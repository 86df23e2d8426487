# kglijn — the newcomer's commands. `make run` and `make test` are all you need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 8000
# `make test` runs the suite in this many processes (pytest-xdist; each its own test database).
TEST_WORKERS ?= 2

.PHONY: run test lint typecheck bench install install-test browser mailserver messages schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)
install-test: $(TEST_STAMP)

run: $(STAMP)
	mkdir -p var
	$(BIN)/kglijn migrate --noinput
	$(BIN)/kglijn demo --if-empty
	$(BIN)/kglijn serve --host $(HOST) --port $(PORT)

# Chromium for the browser tests comes from Debian (Playwright's own download has no internet).
browser:
	@command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || \
	  { echo "Installing Debian's chromium for the browser tests"; \
	    (apt-get install -y chromium chromium-driver >/dev/null 2>&1 || \
	     (apt-get update >/dev/null && apt-get install -y chromium chromium-driver >/dev/null)); }

# Dovecot for the mail tests: they start it themselves on a free port (tests/mail/imap_server.py).
mailserver:
	@command -v dovecot >/dev/null || [ -x /usr/sbin/dovecot ] || \
	  { echo "Installing Debian's dovecot-imapd for the mail tests"; \
	    (apt-get install -y dovecot-imapd >/dev/null 2>&1 || \
	     (apt-get update >/dev/null && apt-get install -y dovecot-imapd >/dev/null)); }

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the apps' layers: .importlinter, docs/architecture.md

typecheck: $(TEST_STAMP)
	$(BIN)/mypy kglijn

test: $(TEST_STAMP) browser mailserver lint typecheck
	$(BIN)/kglijn check
	$(BIN)/kglijn makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(TEST_STAMP)
	$(BIN)/python -m bench

# The committed OpenAPI schema (docs/api/openapi.yaml); tests/api/test_schema.py fails when it
# differs from the generated one.
schema: $(STAMP)
	$(BIN)/kglijn spectacular --validate --fail-on-warn --file docs/api/openapi.yaml

messages: $(STAMP)
	cd kglijn && ../$(BIN)/kglijn makemessages -l nl -l en --no-obsolete && ../$(BIN)/kglijn compilemessages

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
