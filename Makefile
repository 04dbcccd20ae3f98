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
.PHONY: help install run test lint types check schema pytest bench clean reliability

help: ## List the targets and the variables they read
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'
	@echo
	@echo "Variables (make VAR=value target):"
	@echo "  HOST          address 'make run' listens on (default $(HOST)); with PORT it also sets"
	@echo "                the URLs the server prints and returns (PUBLIC_API_URL, DASHBOARD_URL)"
	@echo "  PORT          port 'make run' listens on (default $(PORT))"
	@echo "  PYTEST_ARGS   arguments for pytest, e.g. PYTEST_ARGS='tests/tesla -q -x'"
	@echo "  DATABASE_URL  database for run/pytest/bench (default: PostgreSQL on 127.0.0.1:5432"
	@echo "                when it answers, else SQLite), e.g. sqlite:////tmp/tesla.sqlite3"
	@echo "  BENCH_ARGS    arguments for 'make bench', e.g. BENCH_ARGS='--learners 200 --requests 10'"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python >= 3.11 is required"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP) ## Create .venv and install the project with its dev tools

# The URLs the server prints and returns follow HOST and PORT unless set explicitly.
RUN_URL := http://$(if $(filter 0.0.0.0 ::,$(HOST)),localhost,$(HOST)):$(PORT)
run: export PUBLIC_API_URL ?= $(RUN_URL)
run: export DASHBOARD_URL ?= $(RUN_URL)
run: install ## Migrate the embedded database, seed demo data once, serve on HOST:PORT
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install ## mypy over tesla/ and every services and selectors module
	$(BIN)/mypy

check: install ## Django system checks and missing migrations
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

schema: install ## Generate and validate the OpenAPI schema
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

pytest: install ## Run the test suite (PostgreSQL when it answers, else SQLite)
	@url=$$($(BIN)/python scripts/pick_database.py) || exit 1; \
	DATABASE_URL="$$url" $(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint types check schema pytest ## Everything CI runs: lint, types, checks, schema and tests

bench: install ## Load benchmark (ours vs P and N under gunicorn) and report rebuild -> BENCHMARKS.md
	@url=$$($(BIN)/python scripts/pick_database.py) || exit 1; \
	DATABASE_URL="$$url" $(BIN)/python -m benchmarks $(BENCH_ARGS)

reliability: install ## Attack and fault probes: schemathesis per persona on a live server, races, outages (<10 min)
	$(BIN)/python scripts/reliability.py $(RELIABILITY_ARGS)

clean: ## Remove the virtualenv, the demo database and generated files
	rm -rf $(VENV) db.sqlite3 media staticfiles .demo-credentials.json .pytest_cache reliability-report
