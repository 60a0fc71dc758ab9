# Two commands on a fresh machine: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ASSETS := feedback/static/dist/app.css feedback/static/dist/app.js
ASSET_SOURCES := $(wildcard feedback/static/src/*)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test test-sqlite test-postgres bench assets migrate demo clean

setup: $(VENV)/.installed $(ASSETS)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

$(ASSETS) &: node_modules/.package-lock.json $(ASSET_SOURCES)
	npm run --silent build

assets: $(ASSETS)

migrate: setup
	$(BIN)/feedback migrate

demo: migrate
	$(BIN)/feedback demo --if-empty

run: demo
	$(BIN)/feedback serve --host $(HOST) --port $(PORT)

# The suite runs against SQLite by default; set DATABASE_URL=postgresql://... to run it on PostgreSQL.
test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: setup
	DATABASE_URL=$${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/journey.py
	$(BIN)/python bench/analysis_at_scale.py

clean:
	rm -rf $(VENV) node_modules feedback/static/dist var/*.sqlite3*
