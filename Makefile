# Two commands on a fresh machine: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ASSETS := feedback/static/dist/app.css feedback/static/dist/app.js
ASSET_SOURCES := $(wildcard feedback/static/src/*)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test test-sqlite test-postgres bench assets migrate demo clean lock

setup: $(VENV)/.installed $(ASSETS)

# Dependencies come only from the hashed lock file (requirements/lock-dev.txt: the app's, the tests' and
# the build backend's); the project itself is installed without dependencies, so nothing unpinned slips in.
$(VENV)/.installed: pyproject.toml requirements/lock-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/lock-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Refresh the lock files after changing pyproject.toml's dependencies (`make lock`: other pins kept), or take
# new releases of everything (`make lock UPGRADE=1`).
# lock.txt is what the Docker image installs, lock-dev.txt adds the test tools for `make setup`.
# Needs pip-tools (installed into the venv on first use); run it on Python 3.11, the oldest supported.
PIP_COMPILE := $(BIN)/python -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip-tools
	$(PIP_COMPILE) -o requirements/lock.txt pyproject.toml requirements/build.in
	$(PIP_COMPILE) --extra dev -o requirements/lock-dev.txt pyproject.toml requirements/build.in

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

# About 10 minutes in all (the peer's first run also installs it into bench/peer/.venv). Shorter:
#   make bench JOURNEY_ARGS="--duration 10 --scale-duration 5" WORKERS_ARGS="--duration 5" PEER_ARGS="--duration 15"
# Not part of `make test` or CI: benchmarks report, they never fail on a missed target.
JOURNEY_ARGS ?=
APP_CPU_ARGS ?=
ANALYSIS_ARGS ?=
WORKERS_ARGS ?=
PEER_ARGS ?=
bench: setup
	$(BIN)/python bench/journey.py $(JOURNEY_ARGS)
	$(BIN)/python bench/app_cpu.py $(APP_CPU_ARGS) 2>/dev/null
	$(BIN)/python bench/analysis_at_scale.py $(ANALYSIS_ARGS)
	$(BIN)/python bench/workers.py $(WORKERS_ARGS)
	$(BIN)/python bench/peer/compare.py $(PEER_ARGS)
	$(BIN)/python bench/summary.py

clean:
	rm -rf $(VENV) node_modules feedback/static/dist var/*.sqlite3*
