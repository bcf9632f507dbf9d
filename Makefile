# kx: `make run` serves the app with demo accounts, `make test` runs the whole suite.
# Each target creates .venv when it is missing; the stamp files below re-install only
# when pyproject.toml changes.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app kx
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM := /usr/bin/chromium
PYTEST_ARGS ?=
# pytest-xdist workers: one per core; each gets its own database (tests/conftest.py)
PYTEST_WORKERS ?= auto

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run serve test lint bench install install-test browser clean

## run: install, upgrade the database, load the demo accounts, serve on http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) demo load
	@echo "Serving kx on http://$(HOST):$(PORT) (Ctrl-C stops it)"
	$(FLASK) run --host $(HOST) --port $(PORT)

## serve: the production server (gunicorn.conf.py) on the configured database, upgraded first;
## settings from KX_* variables (docs/deploying.md), health at /healthz
serve: $(VENV)/.installed
	$(FLASK) db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py

## test: install with the test extras, check for Debian's Chromium and Java, run the whole suite
test: $(VENV)/.installed-test browser
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## bench: the search benchmark on 20,000 synthetic items in a temporary folder with, on the
## same items, the security review's list filters, 26-prefix search and Markdown save
## (bench/security.py) and the gap map, practice list and theme pages with findings and
## ratings (bench/what_works.py), then the 100 KB pathological Markdown saves (bench/markdown.py)
## (takes a while; BENCH_ARGS="--items 2000" for a quick run, --help for the options).
## BACKEND=postgres benches the PostgreSQL search backend on a temporary database of the
## server KX_DATABASE_URL names (created and dropped by the benchmark). Last, the growth
## table: every page and API list at 2,000 and at 20,000 items (bench/growth.py, target 1.5x).
## With the Whoosh backend, then what a publish costs the other web workers' searches and
## their read throughput with 4 writers (bench/publish_cost.py; PUBLISH_COST_ARGS="--folder
## DIR" reuses a kept bench/search.py folder's index). Each runs even when one before it
## missed a target; the exit status is 1 when any did.
BACKEND ?= whoosh
bench: $(VENV)/.installed
	status=0; \
	$(BIN)/python bench/search.py --backend $(BACKEND) $(BENCH_ARGS) || status=1; \
	$(BIN)/python bench/markdown.py || status=1; \
	$(BIN)/python bench/growth.py || status=1; \
	if [ "$(BACKEND)" = whoosh ]; then \
		$(BIN)/python bench/publish_cost.py $(PUBLISH_COST_ARGS) || status=1; \
	fi; \
	exit $$status

## load: 60 s of mixed traffic (readers, searches with facets, writers publishing through the
## API) against 4 gunicorn workers on 20,000 items, on the PostgreSQL profile (PostgreSQL
## search, a job worker) and then on the embedded default (SQLite + Whoosh): requests/s,
## p50/p95/p99 per endpoint, 5xx count, and a check that every acknowledged write is stored
## and searchable (LOAD_ARGS="--items 2000 --seconds 30" for a quick run, --help for more;
## LOAD_DATABASE_URL and LOAD_REDIS_URL choose the servers). The items are created once, in
## the temporary directory, and copied by later runs; LOAD_CORPUS names another folder (one
## kept by `bench/search.py --create-only`)
.PHONY: load
load: $(VENV)/.installed-test
	$(BIN)/python bench/load.py $(LOAD_ARGS)

## relevance: the judged queries of tests/search/relevance.toml over the demo content, searched
## as an anonymous visitor in a temporary folder: recall@10, precision@5 and MRR per group and
## overall beside their targets, and the queries finding fewer items than their facet
## (RELEVANCE_ARGS="--each" for every query's figures, "--check" to fail below target)
.PHONY: relevance
relevance: $(VENV)/.installed
	$(BIN)/python bench/relevance.py $(RELEVANCE_ARGS)

## anonymisation: the anonymisation check on the labelled sentences of
## tests/anonymisation_cases.py: recall and false positives per kind, before (the
## single-module check, from git) and after, and the time to check 50 KB of text
## (ANONYMISATION_ARGS="--verbose" lists every miss, "--check" fails below target)
.PHONY: anonymisation
anonymisation: $(VENV)/.installed
	$(BIN)/python bench/anonymisation.py $(ANONYMISATION_ARGS)

## screenshots: the home page, a practice page and a search with the demo content, at 1280
## and 390 px wide, into docs/screenshots/ (Debian's Chromium; see docs/screenshots/take.py)
.PHONY: screenshots
screenshots: $(VENV)/.installed-test browser
	$(BIN)/python docs/screenshots/take.py

## lint: ruff's checks and its formatter in check mode, then the import contracts
## (pyproject.toml [tool.importlinter]: which layers may import which)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $@ $(VENV)/.installed

# The browser tests drive Debian's Chromium; no tool may download a browser of its own.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "$(CHROMIUM) is missing: installing Debian's chromium package"; \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	  else \
	    echo "$(CHROMIUM) is missing: the browser tests need Debian's Chromium." >&2; \
	    echo "Install it with: sudo apt-get install chromium   (never 'playwright install')" >&2; \
	    exit 1; \
	  fi; \
	fi
	@if ! command -v java >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "java is missing (the Nu HTML Checker runs on it): installing Debian's JRE"; \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y default-jre-headless; \
	  else \
	    echo "java is missing: the HTML checks need it. Install it with:" >&2; \
	    echo "sudo apt-get install default-jre-headless" >&2; \
	    exit 1; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) test-results .pytest_cache .ruff_cache
