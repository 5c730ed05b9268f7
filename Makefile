# ccgtools: the front door. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.setup-stamp

.DEFAULT_GOAL := help
.PHONY: help setup reports test test-fast lab data bench clean

help: ## List the targets with one line each
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

setup: $(STAMP) ## Build .venv (venv + pip from pyproject.toml) and register its Jupyter kernel

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name ccgtools --display-name "Python (ccgtools)"
	@touch $(STAMP)

reports: setup ## Render every briefing on the bundled data; prints where index.html is
	$(BIN)/ccgtools build

test: setup ## Run the whole test suite (unit and end-to-end)
	$(BIN)/python -m pytest

test-fast: setup ## Run the unit tests only (no notebook execution)
	$(BIN)/python -m pytest -m "not e2e"

lab: setup ## Open the notebooks in JupyterLab with the project's environment
	$(BIN)/jupyter lab notebooks/

data: setup ## Regenerate the bundled synthetic data from its seeded generators
	$(BIN)/ccgtools make-data

bench: setup ## Print performance figures for this machine
	$(BIN)/python -m ccgtools.build.bench

clean: ## Remove published reports and caches (keeps .venv)
	rm -rf reports .pytest_cache .hypothesis
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +
