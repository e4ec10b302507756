# Two commands do everything on a fresh machine:
#   make run    set up .venv, then process raw/ into extracted/
#   make test   set up .venv, then run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint gate setup clean docs docs-check validate

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/python run_pipeline.py

test: $(STAMP)
	$(BIN)/python -m pytest

# The unit tests only (no processes, servers, browser or whole runs): under a minute.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff format --check pipeline tests bench scripts run_pipeline.py
	$(BIN)/ruff check pipeline tests bench scripts run_pipeline.py
	$(BIN)/mypy
	$(BIN)/lint-imports

# Quality gate (CONTRACT.md scoring), as CI runs it: the seed pages against fixed thresholds
# and both corpora against the committed floors of quality/floors.json (a floor can only be
# lowered with `evaluate ... --update-floors --allow-lower`, in a reviewed commit).
SHARED ?= ../shared
FLOORS := quality/floors.json
gate: $(STAMP)
	$(BIN)/python run_pipeline.py evaluate --gold $(SHARED)/gold/seeds.jsonl --input $(SHARED)/seeds \
		--min-f1 0.95 --min-field-accuracy 0.95 --min-domains 0.85 --floors $(FLOORS) --corpus seeds
	$(BIN)/python run_pipeline.py evaluate --gold $(SHARED)/dev/gold.jsonl --input $(SHARED)/dev/pages \
		--floors $(FLOORS) --corpus dev

# The data dictionary is generated from pipeline/schema.py; CI fails when it is stale.
docs: $(STAMP)
	$(BIN)/python -m pipeline.schema docs

docs-check: $(STAMP)
	$(BIN)/python -m pipeline.schema docs --check

# Validate the published data package (types, vocabularies, keys, foreign keys).
OUTPUT ?= extracted
validate: $(STAMP)
	cd $(OUTPUT)/current && $(CURDIR)/$(BIN)/frictionless validate datapackage.json

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
