# labelsite: `make demo` (try it) and `make test` (the whole suite). See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev demo run worker beat test test-sqlite test-postgres lint format migrations-check clean

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("labelsite needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## A generated demo library in SQLite, clustered, served at http://127.0.0.1:8000/
demo: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo --if-empty
	@if $(PY) manage.py help recluster >/dev/null 2>&1; then $(PY) manage.py recluster --all; \
	else echo "(recluster is not available yet: skipping clustering)"; fi
	$(PY) manage.py ensure_admin --url http://$(HOST):$(PORT)/admin/
	@echo "labelsite demo: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

run: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(VENV)/bin/celery -A labelsite worker -l info

beat: install
	$(VENV)/bin/celery -A labelsite beat -l info

## The whole suite: lint, migrations check, pytest on SQLite, then again on a throwaway PostgreSQL.
test: install-dev lint migrations-check test-sqlite test-postgres

test-sqlite: install-dev
	$(PY) -m pytest

# Starts a temporary PostgreSQL cluster (skipped with a message when PostgreSQL is not
# installed; a failure under CI=true). Browser tests already ran in the SQLite pass.
test-postgres: install-dev
	$(PY) -m tests.servers postgres -- $(PY) -m pytest -m "not browser" -p no:cacheprovider

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install-dev
	$(PY) manage.py makemigrations --check --dry-run -v0

clean:
	rm -rf $(VENV) var staticfiles
