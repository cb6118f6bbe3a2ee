# Kinerja Kapuas. `make run` and `make test` set everything up from a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1:8000

.PHONY: run test lint install dirs migrate seed lock bench loadtest faults messages clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt ".[dev]"
	touch $(STAMP)

install: $(STAMP)

dirs:
	mkdir -p var/staticfiles var/media

migrate: install dirs
	$(PY) manage.py migrate --no-input

## Demo data: seed_demo feeds its generated BKN answers through the real sync code itself.
seed: migrate
	$(PY) manage.py seed_demo

## The portal with demo data on http://$(HOST) (SQLite and in-process tasks unless DATABASE_URL/REDIS_URL are set).
## BKN_SIMULATOR=1: here, and only where asked for, sync_bkn and the scheduled syncs talk to the simulator.
run: seed
	DEBUG=$${DEBUG:-1} BKN_SIMULATOR=1 $(PY) manage.py runserver $(HOST)

## Every test (SQLite unless DATABASE_URL is set).
test: install dirs
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## Refresh the Indonesian catalogue after changing user-facing text.
messages: install
	$(PY) manage.py makemessages --locale id --no-location --ignore ".venv/*" --ignore "var/*"
	$(PY) manage.py compilemessages --locale id --ignore ".venv/*"

## Re-resolve the dependency set from pyproject.toml's ranges into constraints.txt.
lock:
	rm -rf var/lockenv && $(PYTHON) -m venv var/lockenv
	var/lockenv/bin/pip install --quiet ".[dev,load]"
	var/lockenv/bin/pip freeze --exclude kapuas-kinerja > constraints.txt
	rm -rf var/lockenv

## Dashboards and sync at 8,000 and 60,000 ASN, reminders, recaps, hostile imports and the dashboard on a phone over slow 3G at 8,000, on PostgreSQL (a database per size, seeded on first use).
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
# The dashboards read their cached parts from Redis, as in production (a database of its own: bench empties it).
BENCH_REDIS ?= redis://127.0.0.1:6379/1
BENCH_SIZES ?= 8000 60000
bench: install dirs
	@for n in $(BENCH_SIZES); do \
	  db=kinerja_bench_$$n; \
	  psql "$(BENCH_PG)/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$$db'" | grep -q 1 \
	    || psql "$(BENCH_PG)/postgres" -qc "CREATE DATABASE $$db" || exit 1; \
	  DATABASE_URL=$(BENCH_PG)/$$db SECRET_KEY=bench $(PY) manage.py migrate --no-input -v0 || exit 1; \
	  DATABASE_URL=$(BENCH_PG)/$$db REDIS_URL=$(BENCH_REDIS) SECRET_KEY=bench $(PY) manage.py bench --asn $$n || exit 1; \
	  DATABASE_URL=$(BENCH_PG)/$$db SECRET_KEY=bench $(PY) manage.py bench_sync --asn $$n || exit 1; \
	  if [ $$n = 8000 ]; then DATABASE_URL=$(BENCH_PG)/$$db SECRET_KEY=bench $(PY) manage.py bench_reminders || exit 1; \
	    DATABASE_URL=$(BENCH_PG)/$$db SECRET_KEY=bench $(PY) manage.py bench_reports || exit 1; \
	    DATABASE_URL=$(BENCH_PG)/$$db SECRET_KEY=bench $(PY) manage.py bench_imports || exit 1; \
	    DATABASE_URL=$(BENCH_PG)/$$db REDIS_URL=$(BENCH_REDIS) SECRET_KEY=bench $(PY) manage.py bench_phone || exit 1; fi; \
	done

## 50 users for 60 s against gunicorn with production settings (no TLS: loopback) and the 8,000-ASN demo on PostgreSQL.
loadtest: install dirs
	$(PY) -m pip install --quiet -c constraints.txt ".[load]"
	loadtest/run.sh

## PostgreSQL restarted and Redis stopped under a running portal, and the fault tests (restarts this machine's services).
faults: install dirs
	faults/run.sh

clean:
	rm -rf $(VENV) var
