# Cardwright: `make run` serves the portal with demo data; `make test` runs the whole test suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app app

.PHONY: run test test-pg lint translations extract-messages check-translations bench bench-all load soak clean

$(VENV)/.installed-run: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-run requirements-dev.txt package-lock.json
	$(PY) -m pip install --quiet -r requirements-dev.txt
	npm ci --no-audit --no-fund --silent  # axe-core for the browser tests' accessibility checks
	touch $@

translations: $(VENV)/.installed-run
	$(VENV)/bin/pybabel compile -d translations -D messages --statistics 2>&1 | tail -n 1
	$(VENV)/bin/pybabel compile -d translations -D admin 2>&1 | tail -n 1

## Install, migrate the SQLite database, seed demo data if empty, serve on 127.0.0.1:5000 with the scheduler.
run: $(VENV)/.installed-run translations
	$(FLASK) serve --host 127.0.0.1 --port 5000

## The whole test suite (SQLite by default; TEST_DATABASE_URL=postgresql://... for PostgreSQL).
test: $(VENV)/.installed-dev translations
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-pg:
	TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(MAKE) test

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

## Refresh translations/messages.pot and merge new strings into every language.
extract-messages: $(VENV)/.installed-dev
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --no-wrap --ignore-dirs=".venv tests bench migrations instance node_modules" -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -D messages --no-fuzzy-matching --no-wrap
	$(FLASK) translations status

## Before a release: fails listing every language's untranslated and fuzzy strings (ours and Flask-Admin's).
check-translations: $(VENV)/.installed-run
	$(FLASK) translations check

## Benchmarks at scale: a fresh 1,000,000-card data set (SQLite; DATABASE_URL=postgresql+psycopg://... for
## PostgreSQL), one line per hot path, results in bench/results.json. Quick and repeatable:
## BENCH_ARGS="--cards 100000 --reuse". `make bench-all` runs SQLite, then PostgreSQL at BENCH_PG_URL.
bench: $(VENV)/.installed-dev translations
	$(PY) -m bench $(BENCH_ARGS)

BENCH_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/bench
bench-all: $(VENV)/.installed-dev translations
	env -u DATABASE_URL $(PY) -m bench $(BENCH_ARGS)
	DATABASE_URL=$(BENCH_PG_URL) $(PY) -m bench $(BENCH_ARGS)

## 200 employees submit their self-service forms at once against gunicorn + PostgreSQL (a scratch DATABASE_URL).
load: $(VENV)/.installed-dev translations
	$(PY) -m bench.load_selfservice $(LOAD_ARGS)

## 10 minutes of employees, orderers and the scheduler at once on gunicorn + PostgreSQL (a scratch DATABASE_URL):
## p95 per page kind, errors, and every process's memory after warm-up against the end (flat: growth < 10 %).
soak: $(VENV)/.installed-dev translations
	$(PY) -m bench.soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
