# Two commands get you going: `make run` (a demo server) and `make test` (the whole suite).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	&& { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test lint check schema pytest bench clean reliability

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python >= 3.11 is required"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP) ## Create .venv and install the project with its dev tools

run: install ## Migrate the embedded database, seed demo data once, serve on 127.0.0.1:8000
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install ## Django system checks and missing migrations
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

schema: install ## Generate and validate the OpenAPI schema
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

pytest: install ## Run the test suite (PostgreSQL when it answers, else SQLite)
	@url=$$($(BIN)/python scripts/pick_database.py) || exit 1; \
	DATABASE_URL="$$url" $(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint check schema pytest ## Everything CI runs: lint, checks, schema and tests

bench: install ## Time a full report rebuild of one activity (2,000 learners x 50 requests)
	@url=$$($(BIN)/python scripts/pick_database.py) || exit 1; \
	DATABASE_URL="$$url" $(BIN)/python -m benchmarks $(BENCH_ARGS)

reliability: install ## Attack and fault probes: schemathesis per persona on a live server, races, outages (<10 min)
	$(BIN)/python scripts/reliability.py $(RELIABILITY_ARGS)

clean: ## Remove the virtualenv, the demo database and generated files
	rm -rf $(VENV) db.sqlite3 media staticfiles .demo-credentials.json .pytest_cache reliability-report
