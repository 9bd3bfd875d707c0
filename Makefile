# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format check clean serve loadtest bench bench-mix

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_demo
	DJANGO_DEBUG=1 $(PY) manage.py create_dev_editor --address $(HOST):$(PORT)
	@# The background worker (webhook deliveries) runs beside the server and stops
	@# with it; --no-reload so no reloader child outlives the kill.
	DJANGO_DEBUG=1 $(PY) manage.py webhooks_sweep
	DJANGO_DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .pytest_cache

# Production-style: static files collected, migrations applied, gunicorn with
# gunicorn.conf.py. Needs DJANGO_SECRET_KEY (and DATABASE_URL etc. as for a deploy).
serve: install
	@test -n "$$DJANGO_SECRET_KEY" || { echo "make serve: set DJANGO_SECRET_KEY first" >&2; exit 2; }
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	GUNICORN_BIND=$${GUNICORN_BIND:-$(HOST):$(PORT)} $(VENV)/bin/gunicorn -c gunicorn.conf.py

# A bounded load test against its own gunicorn and throwaway database (scripts/loadtest.py),
# through Varnish when varnishd and its xkey vmod are installed (LOADTEST_ARGS="--edge none"
# to skip it).
loadtest: install
	$(PY) scripts/loadtest.py $(LOADTEST_ARGS)

# Reader pages and API under gunicorn, cached and not, against a throwaway database
# (scripts/bench.py). BENCH_ARGS="--articles 200"; set DATABASE_URL/REDIS_URL for
# PostgreSQL + Redis.
bench: install
	$(PY) scripts/bench.py $(BENCH_ARGS)

# The realistic mix through Varnish: Zipf reads over 10,000 explainers, 1 API edit/s and
# 5 comments/s, every read checked for staleness (scripts/loadlib/mix.py).
MIX_SECONDS ?= 60
bench-mix: install
	$(PY) scripts/bench.py --articles 11112 --mix $(MIX_SECONDS) $(BENCH_ARGS)
