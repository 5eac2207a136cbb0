# Loyalo — the two commands a newcomer needs:
#   make run    install everything, build the demo database, serve the API on 127.0.0.1:$(PORT)
#   make test   install everything, start PostgreSQL if needed, lint, type-check, test
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Tests run in parallel, one worker per core; each worker has its own PostgreSQL database.
TEST_WORKERS ?= auto
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_NO_PROGRESS := 1
# This machine sets PYTHONDONTWRITEBYTECODE: compile once at install, or every start compiles all.
export UV_COMPILE_BYTECODE := 1

.PHONY: help install run test lint typecheck layers unit bench docs-api clean

help:  ## show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(BIN)/loyalo: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

install: $(BIN)/loyalo  ## create .venv from the lock file
	@$(BIN)/python -m compileall -q src benchmarks

run: install  ## build the demo database and serve the API (PORT=8000)
	$(BIN)/loyalo db upgrade
	$(BIN)/loyalo programme apply programmes/example.yaml --note "the brief's example programme"
	$(BIN)/loyalo demo --port $(PORT)

lint: install  ## ruff format check and lint
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks

typecheck: install  ## mypy --strict on the package
	$(BIN)/mypy

layers: install  ## the domain imports no framework; dependencies point inward
	$(BIN)/lint-imports

unit: install  ## the test suite (SQLite and PostgreSQL)
	./scripts/ensure-services.sh
	./scripts/ensure-browser.sh
	./scripts/ensure-libreoffice.sh
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadscope

test: lint typecheck layers unit  ## everything CI runs

bench: install  ## benchmarks (not tests); see docs/BENCHMARKS.md
	$(UV) sync --frozen --group bench
	./scripts/ensure-services.sh
	$(BIN)/python benchmarks/earn.py
	$(BIN)/python benchmarks/clv.py

docs-api: install  ## regenerate docs/openapi.json and docs/API.md from the code
	LOYALO_DATA_DIR=$$(mktemp -d) $(BIN)/loyalo openapi --out docs/openapi.json
	$(BIN)/python scripts/api_reference.py docs/openapi.json docs/API.md
	$(BIN)/loyalo programme schema > docs/programme.schema.json

clean:  ## remove the environments and the demo database
	rm -rf $(VENV) $(TOOLS) data .pytest_cache .mypy_cache .ruff_cache
