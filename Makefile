# ccgtools: the front door. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.setup-stamp

.DEFAULT_GOAL := help
.PHONY: help setup reports test test-fast lab data bench clean

help: ## List the targets with one line each
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

# Notebook metadata that differs between machines and runs, stripped on commit with the outputs and
# execution counts (cell ids are kept: JupyterLab keeps them stable).
NBSTRIPOUT_KEYS := metadata.language_info.version metadata.language_info.codemirror_mode \
	metadata.language_info.file_extension metadata.language_info.mimetype \
	metadata.language_info.nbconvert_exporter metadata.language_info.pygments_lexer metadata.papermill \
	cell.metadata.papermill

setup: $(STAMP) ## Build .venv (uv, else pip, from pyproject.toml), register its Jupyter kernel, strip notebook outputs on commit
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && ! $(BIN)/nbstripout --is-installed; then \
		$(BIN)/nbstripout --install && \
		git config filter.nbstripout.clean '"$(abspath $(BIN))/python" -m nbstripout --keep-id' && \
		git config diff.ipynb.textconv '"$(abspath $(BIN))/python" -m nbstripout --keep-id -t' && \
		git config filter.nbstripout.extrakeys "$(NBSTRIPOUT_KEYS)" && \
		echo "nbstripout: notebook outputs and execution counts are now stripped on commit (git filter)"; \
	fi

# .venv is built with uv (https://docs.astral.sh/uv/), which installs the packages in seconds from its
# cache: the uv on PATH, else uv installed from PyPI by pip into UV_BOOT (once per user, shared by every
# clone). Without uv (USE_UV=0, or no way to get it), or if uv fails, pip builds .venv as before.
USE_UV  ?= 1
UV_BOOT ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/ccgtools/uv

$(STAMP): pyproject.toml
	@uv=""; \
	if [ "$(USE_UV)" != 0 ]; then \
		uv=$$(command -v uv || true); \
		if [ -z "$$uv" ]; then \
			[ -x "$(UV_BOOT)/bin/uv" ] || { echo "Installing uv from PyPI into $(UV_BOOT)"; \
				$(PYTHON) -m pip install --quiet --disable-pip-version-check --target "$(UV_BOOT)" uv >/dev/null 2>&1; }; \
			[ -x "$(UV_BOOT)/bin/uv" ] && uv="$(UV_BOOT)/bin/uv"; \
		fi; \
	fi; \
	if [ -n "$$uv" ] && echo "Building $(VENV) with uv ($$uv)" && \
		"$$uv" venv --quiet --seed --allow-existing --python "$$(command -v $(PYTHON))" $(VENV) && \
		"$$uv" pip install --quiet --python $(BIN)/python -e '.[dev,dask]'; then :; \
	else \
		[ -z "$$uv" ] || echo "uv could not build $(VENV): building it with pip"; \
		echo "Building $(VENV) with pip"; \
		$(PYTHON) -m venv $(VENV) && \
		$(BIN)/python -m pip install --quiet --upgrade pip && \
		$(BIN)/python -m pip install --quiet -e '.[dev,dask]'; \
	fi
	$(BIN)/python -m ipykernel install --sys-prefix --name ccgtools --display-name "Python (ccgtools)"
	@touch $(STAMP)

reports: setup ## Render every briefing on the bundled data; prints where index.html is
	$(BIN)/ccgtools build

test: setup ## Run the whole test suite (unit and end-to-end)
	$(BIN)/python -m pytest

test-fast: setup ## Run the unit tests only (no notebook execution)
	$(BIN)/python -m pytest -m "not e2e"

# The kernel runs in notebooks/; ccgtools reads relative paths from the project root all the same.
# Jupyter refuses to run as root (as in many containers) without --allow-root: given only then.
lab: setup ## Open the notebooks in JupyterLab (kernel "Python (ccgtools)", this machine only)
	$(BIN)/jupyter lab notebooks/ --ServerApp.ip=127.0.0.1 --MappingKernelManager.default_kernel_name=ccgtools \
		$(if $(filter 0,$(shell id -u)),--allow-root)

data: setup ## Regenerate the bundled synthetic data from its seeded generators
	$(BIN)/ccgtools make-data

bench: setup ## Print performance figures for this machine (BENCH=--quick, or BENCH="--part sweep", runs parts)
	$(BIN)/python -m ccgtools.build.bench $(BENCH)

clean: ## Remove published reports and caches (keeps .venv)
	rm -rf reports .pytest_cache .hypothesis
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +
