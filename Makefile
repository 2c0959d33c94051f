# codewright — see README.md. Every target installs what it needs first (idempotent).
SHELL := /bin/bash
export CODEWRIGHT_HOME ?= $(CURDIR)/.codewright
export DAGSTER_HOME ?= $(CURDIR)/.dagster
# uv from PATH, else the PyPI package run as a module (installed below with pip if missing).
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install demo test ui serve bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	@command -v java >/dev/null 2>&1 || { echo "codewright: installing Java 17 for Spark"; \
	  (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless) || \
	  (sudo apt-get update -qq && sudo apt-get install -y -qq openjdk-17-jre-headless); }
	@command -v uv >/dev/null 2>&1 || python3 -c "import uv" 2>/dev/null || { echo "codewright: installing uv"; \
	  python3 -m pip install --user -q uv || python3 -m pip install --user -q --break-system-packages uv; }
	$(UV) sync --frozen --group dev
	@touch $@

$(DAGSTER_HOME):
	@mkdir -p $(DAGSTER_HOME)
	@test -f $(DAGSTER_HOME)/dagster.yaml || printf 'telemetry:\n  enabled: false\n' > $(DAGSTER_HOME)/dagster.yaml

demo: install $(DAGSTER_HOME)
	$(PY) -m orchestration.demo

test: install
	$(PY) -m pytest

ui: install $(DAGSTER_HOME)
	$(VENV)/bin/dagster dev -w workspace.yaml

bench: install
	$(PY) bench/data_filters.py

clean:
	rm -rf .codewright .dagster
