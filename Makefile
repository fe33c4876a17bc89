# parplan — two commands do everything: `make quarterly` and `make test`.
# No conda needed: the environment is a .venv made with python3 -m venv + pip, created on demand.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.parplan-installed
# Default quarter: params/defaults.yaml (the only place run parameters live).
QUARTER ?= $(shell sed -n 's/^default_quarter:[[:space:]]*"\{0,1\}\([0-9Qq]*\)"\{0,1\}.*/\1/p' params/defaults.yaml)
# Report language: empty = params (vi, reports/<Q>/); en writes reports/<Q>/en/. Not LANG: that is the system locale.
REPORT_LANG ?=
export GX_ANALYTICS_ENABLED := False
export MPLBACKEND := Agg
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup quarterly ingest new-quarter test lab sample clean catalogue templates bench bench-scale

help: ## list the targets
	@echo "parplan — make targets:"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | awk -F'\t' '{printf "  %-12s %s\n", $$1, $$2}'
	@echo "Variables: QUARTER=$(QUARTER) (default from params/defaults.yaml), REPORT_LANG=vi|en (default vi), PYTHON=$(PYTHON)"

$(STAMP): pyproject.toml
	@echo ">> creating $(VENV) with $(PYTHON) -m venv and installing parplan[dev] (first run takes a minute or two)"
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "parplan needs Python >= 3.11 / cần Python >= 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name parplan --display-name "Python (parplan)" >/dev/null
	@touch $@

setup: $(STAMP) ## create .venv (python3 -m venv + pip) and register the parplan Jupyter kernel
	@$(BIN)/python -m ipykernel install --sys-prefix --name parplan --display-name "Python (parplan)" >/dev/null  # again: a kernel removed by hand comes back

quarterly: $(STAMP) ## validate + ingest the agency data and render the HTML reports for QUARTER
	$(BIN)/python -m parplan quarterly --quarter "$(QUARTER)" $(if $(REPORT_LANG),--lang "$(REPORT_LANG)")

ingest: $(STAMP) ## validate + ingest only (no reports) for QUARTER
	$(BIN)/python -m parplan ingest --quarter "$(QUARTER)"

new-quarter: $(STAMP) ## write params/QUARTER.yaml from the plan of QUARTER's year (FORCE=1 rewrites it)
	$(BIN)/python -m parplan new-quarter "$(QUARTER)" $(if $(FORCE),--force)

catalogue: $(STAMP) ## print the plan catalogue as CSV
	$(BIN)/python -m parplan catalogue --format csv

test: $(STAMP) ## run the whole test suite (ruff lint first)
	$(BIN)/ruff check parplan tests tools browser_tests benchmarks
	$(BIN)/python -m pytest

.PHONY: browser-setup browser-test
browser-setup: $(STAMP) ## install Playwright for Python into .venv (extra 'browser'); the browser is Debian's chromium, never downloaded
	@$(BIN)/python -c 'import playwright.sync_api' 2>/dev/null || { echo ">> installing parplan[browser] (playwright) into $(VENV)"; \
	    $(BIN)/python -m pip install --quiet -e '.[dev,browser]'; }
	@test -x "$${PARPLAN_CHROMIUM:-/usr/bin/chromium}" || command -v chromium >/dev/null || \
	    echo "!! Không có Chromium / Chromium not installed: apt-get install -y chromium (hoặc / or PARPLAN_CHROMIUM=<path>)" >&2

browser-test: browser-setup ## real-browser check (Playwright + Chromium) of QUARTER's pages at 1366 and 390 px, overview PDF, screenshots
	$(BIN)/python -m pytest browser_tests -q

lab: $(STAMP) ## open JupyterLab on the repository root with the parplan kernel (PORT=8888, ARGS="--no-browser")
	$(BIN)/jupyter lab --notebook-dir=. $(if $(PORT),--port=$(PORT)) $(ARGS)

templates: $(STAMP) ## write one Excel template per dataset into templates/ (generated, not committed)
	$(BIN)/python -m parplan templates --out templates

sample: $(STAMP) ## regenerate the shipped sample data under data/raw/ (deterministic; tools/sample/, faults in tools/sample/faults.yaml)
	$(BIN)/python -m tools.sample

bench: $(STAMP) ## speed and memory benchmarks (not part of make test); figures in benchmarks/README.md
	$(BIN)/python benchmarks/bench.py $(if $(REPEAT),--repeat $(REPEAT))

bench-scale: $(STAMP) ## pandas vs DuckDB on generated data for 63 provinces (installs the optional DuckDB extra); see docs/scale.md
	$(BIN)/python -m pip install --quiet -e '.[dev,scale]'
	$(BIN)/python benchmarks/scale.py $(if $(ROWS),--rows $(ROWS))

clean: ## remove generated outputs (data/processed, reports, templates); keeps .venv
	rm -rf reports templates
	find data/processed -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
