# CTR Portal. `make run` starts everything with demo data; `make test` runs the whole suite,
# `make test-fast` all but the slow tests; `make lock` upgrades the pinned Python packages.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=1 DEMO_MODE=1

.PHONY: setup run test test-fast bench lint lock css clean

# Installs the versions pinned in requirements.lock (a constraints file), nothing newer.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

# The newest releases pyproject.toml allows, installed into a throw-away venv and pinned.
LOCK_VENV := var/lock-venv
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' requirements.lock; \
	  $(LOCK_VENV)/bin/pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	rm -rf $(LOCK_VENV)
	@echo "requirements.lock updated: run make setup (or make test), then commit it."

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

build/static/css/main.css: node_modules/.installed $(wildcard static/scss/*.scss)
	npm run --silent build:css

css: build/static/css/main.css

setup: $(VENV)/.installed node_modules/.installed css

run: setup
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py rundemo

# The suite on TEST_WORKERS processes (pytest-xdist): each test file stays on one, and the
# files that start a real Celery worker take turns (tests/conftest.py groups them).
TEST_WORKERS ?= 2
test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

# Everything but the tests marked slow (browser journeys, the real worker, the access matrix's
# runs, the demo seeding, the bench): under half the time of make test.
test-fast: setup
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup -m 'not slow'

bench: setup
	$(PY) -m bench $(BENCH_ARGS)

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf build var/celery
