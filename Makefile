# Every command a developer runs. `make demo` and `make test` set everything up themselves.
.PHONY: demo test test-fast bootstrap services lint format typecheck migrate seed bench

VENV := .venv/bin

demo: bootstrap                  ## run the whole demo on 127.0.0.1
	$(VENV)/tandem up

test: bootstrap services         ## the full test suite (SQLite + PostgreSQL, real Chromium)
	$(VENV)/pytest

test-fast: bootstrap             ## unit tests only
	$(VENV)/pytest -m unit

bootstrap:
	@bash scripts/bootstrap.sh

services:
	@bash scripts/services.sh

lint: bootstrap
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

format: bootstrap
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

typecheck: bootstrap
	$(VENV)/mypy

migrate: bootstrap
	$(VENV)/tandem db upgrade

seed: bootstrap
	$(VENV)/tandem seed

bench: bootstrap
	$(VENV)/python -m bench
