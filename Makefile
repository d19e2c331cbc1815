# Front Door: `make run` serves the demo on SQLite with the job worker beside it; `make test` runs
# every check and the whole suite.
# Prerequisites: Python 3.11+, Node.js 20.19+, make, Debian's chromium (for the browser tests),
# nginx and openssl (the proxy test), systemd-analyze, Redis on 127.0.0.1:6379 (the shared-cache
# tests use its database 5), PostgreSQL's server binaries for deploy/restore-drill, and Debian's
# fonts-dejavu-core for the fonts ReportLab embeds in the chronology's PDF.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1:8000

.PHONY: run test setup frontend migrate check-chromium lint test-unit test-browser lock clean

# The job worker (periodic jobs and queued tasks, jobs/schedule.py) runs in the background and
# stops with the server.
run: setup migrate
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py run_worker & worker=$$!; \
	  trap 'kill $$worker 2> /dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST)

test: setup check-chromium lint
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory test-unit test-browser

setup: $(VENV)/.installed frontend .env

.env:
	cp .env.example .env

# Install exactly what the lock pins, with hashes checked.
$(VENV)/.installed: requirements-dev.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

frontend: build/static/css/application.css

build/static/css/application.css: node_modules/.package-lock.json frontend/build.mjs $(wildcard frontend/scss/*.scss)
	npm run --silent build

migrate: setup
	$(BIN)/python manage.py migrate --no-input

check-chromium:
	@test -x "$(CHROMIUM)" || { \
	  echo "ERROR: the browser tests need Debian's Chromium at $(CHROMIUM)."; \
	  echo "       Install it with: sudo apt-get install chromium   (or set CHROMIUM=/path/to/chromium)"; \
	  exit 1; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=. $(BIN)/lint-imports --no-logo --no-cache
	$(BIN)/mypy

# The suite on the database DATABASE_URL names (SQLite when unset). PostgreSQL-only tests run
# only there; the browser tests run as their own pass (see STACK.md). The unit pass runs in
# PYTEST_WORKERS processes (pytest-xdist), each with its own test database; 0 runs it in one.
# Random test data comes from one seed per run, shown in the header and after a failure;
# FRONT_DOOR_TEST_SEED=<seed> (or pytest --seed=<seed>) runs the same data again.
ON_POSTGRESQL := $(findstring postgres,$(DATABASE_URL))
PYTEST_MARKS := not browser and not $(if $(ON_POSTGRESQL),sqlite,postgresql)
PYTEST_WORKERS ?= 2

test-unit: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "$(PYTEST_MARKS)" $(if $(ON_POSTGRESQL),--require-postgresql-tests)

# The browser pass mostly waits on Chromium, so it too runs in PYTEST_BROWSER_WORKERS processes,
# each with its own live server, database and browser.
PYTEST_BROWSER_WORKERS ?= 2

test-browser: setup check-chromium
	DJANGO_ALLOW_ASYNC_UNSAFE=true CHROMIUM=$(CHROMIUM) $(BIN)/pytest -n $(PYTEST_BROWSER_WORKERS) -m browser

# Re-pin every package (run after changing pyproject.toml's dependencies).
lock: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --no-header -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --no-header -o requirements-dev.lock

clean:
	rm -rf $(VENV) node_modules build var/staticfiles
