# Joint Defense Portal: one entry point per job (README.md, .ci/run and docker-compose use these).
#   make run    set up what is missing, migrate, load the demo station, start web + worker + beat
#   make test   the same set-up, then the whole suite (real PostgreSQL/PostGIS, Redis, Celery, Chromium)
#   make fuzz   Schemathesis against the API's own schema, at least 5,000 cases per role (FUZZ_CASES)
#   make bench  the benchmark, writing bench/results.json
#   make backup   the database and the uploaded photos in one dated archive in backups/
#   make restore ARCHIVE=backups/jointdefense-….tar [REPLACE=1]   bring one back
#   make lint   ruff (lint and format), import contracts, mypy, migrations check, Django checks
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
DB_NAME ?= jointdefense
# the suite runs on two processes (pytest-xdist), each with its own database and Redis databases
XDIST ?= -n 2 --dist load
export PGHOST ?= 127.0.0.1
export PGUSER ?= postgres
export DJANGO_SETTINGS_MODULE ?= jointdefense.settings.dev

FUZZ_CASES ?= 5000

.PHONY: run test fuzz bench backup restore lint setup system venv database messages migrate seed clean

run: setup migrate seed
	@scripts/run.sh

test: setup
	@scripts/system-deps.sh chromium
	DJANGO_SETTINGS_MODULE=jointdefense.settings.test $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

fuzz: setup
	FUZZ_CASES=$(FUZZ_CASES) DJANGO_SETTINGS_MODULE=jointdefense.settings.test $(BIN)/pytest -p no:xdist \
		--timeout=0 tests/platform/test_fuzz.py $(PYTEST_ARGS)

bench: setup
	@DB_NAME=jointdefense_bench scripts/ensure-db.sh
	$(BIN)/python bench/run.py

backup: venv
	@$(BIN)/python manage.py backup

restore: venv database
	@test -n "$${ARCHIVE:-}" || { echo "usage: make restore ARCHIVE=backups/jointdefense-YYYYmmdd-HHMMSS.tar [REPLACE=1]"; exit 2; }
	@$(BIN)/python manage.py restore "$(ARCHIVE)" $(if $(REPLACE),--replace,)
	@$(BIN)/python manage.py migrate --no-input -v 0

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

setup: system venv database messages

system:
	@scripts/system-deps.sh

venv: $(STAMPS)/venv

$(STAMPS)/venv: pyproject.toml
	@mkdir -p $(STAMPS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> Installing Python packages into $(VENV)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

database:
	@DB_NAME=$(DB_NAME) scripts/ensure-db.sh

messages: venv
	@$(BIN)/python manage.py compilemessages --ignore='.venv/*' -v 0

migrate: venv database
	@$(BIN)/python manage.py migrate --no-input -v 0

seed: migrate
	@$(BIN)/python manage.py seed_demo

clean:
	rm -rf $(VENV) $(STAMPS) staticfiles
