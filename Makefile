# Two commands matter: `make lab` opens the explainer, `make test` runs every test.
# Both create .venv/ and install requirements.lock (every package pinned and hashed) first if needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Keep Jupyter's and matplotlib's per-user files inside the project while testing and building.
RUN_ENV := JUPYTER_CONFIG_DIR=$(CURDIR)/build/jupyter/config JUPYTER_DATA_DIR=$(CURDIR)/build/jupyter/data \
	IPYTHONDIR=$(CURDIR)/build/ipython MPLCONFIGDIR=$(CURDIR)/build/matplotlib PYDEVD_DISABLE_FILE_VALIDATION=1

# Kernels run in notebooks/: a relative KETAMINE_EXPLAINER_DATA is made absolute here, against the folder make runs in.
DATA_ENV := $(if $(KETAMINE_EXPLAINER_DATA),KETAMINE_EXPLAINER_DATA=$(abspath $(KETAMINE_EXPLAINER_DATA)),)

.DEFAULT_GOAL := help
.PHONY: help lab test quick lint execute nav html slides handout page bench mutants screenshots clean lock hub hub-load

help:  ## list the targets with what they do
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-zA-Z_-]*:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# requirements.lock pins and hashes every package, pip and the build backend (setuptools) included; the package
# itself is installed without build isolation, so its build uses the pinned setuptools too.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	touch $@

# Regenerate requirements.lock from requirements.txt (needs the package index; uv runs from a throwaway venv).
UV_VERSION := 0.13.8
lock:  ## regenerate requirements.lock from requirements.txt (after changing a pin)
	test -x build/uv/bin/uv || ($(PYTHON) -m venv build/uv && build/uv/bin/python -m pip install -q uv==$(UV_VERSION))
	grep -v '^#' requirements.lock > build/requirements.lock.new  # uv keeps the pins already there unless a change needs others
	build/uv/bin/uv pip compile requirements.txt --universal --python-version 3.11 --generate-hashes --no-header -q -o build/requirements.lock.new
	{ echo "# Every package installed into .venv/, pinned and hashed (pip install --require-hashes -r requirements.lock)."; \
	  echo "# Generated from requirements.txt by make lock (uv $(UV_VERSION)):"; \
	  echo "#   uv pip compile requirements.txt --universal --python-version 3.11 --generate-hashes --no-header"; \
	  echo "# tests/test_lock.py checks that both files agree."; cat build/requirements.lock.new; } > requirements.lock
	rm build/requirements.lock.new

# jupyter_config/ holds the project's Jupyter settings: File > Save and Export Notebook As > HTML writes one
# self-contained page that works offline, and a save never drops the widget state of a chart an output shows. The whole project is served
# (README, data/), with the start page open.
lab: $(STAMP)  ## open the explainer in JupyterLab at the start page
	$(BIN)/jupyter trust notebooks/*.ipynb
	$(DATA_ENV) JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter_config $(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=$(CURDIR) \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

test: $(STAMP)  ## every test: lint, data, models, charts, notebooks (nbval), exported pages and JupyterLab in Chromium
	$(BIN)/ruff check src tests notebooks benchmarks hub
	$(RUN_ENV) $(BIN)/python -m pytest

quick: $(STAMP)  ## the fast loop while editing (under 3 min): lint and every test that needs no notebook run, server or browser
	$(BIN)/ruff check src tests notebooks benchmarks hub
	$(RUN_ENV) $(BIN)/python -m pytest -m "not slow and not browser" tests

lint: $(STAMP)  ## ruff on the package, tests, notebooks and benchmarks
	$(BIN)/ruff check src tests notebooks benchmarks hub

execute: $(STAMP)  ## regenerate (as make nav), then re-run every notebook, storing outputs and widget state (after changing src/ or data/)
	$(RUN_ENV) $(BIN)/python -m ketamine_explainer execute

# The generated text of the notebooks: navigation, title cells (disclaimer), 00's contents table, sources cells.
nav: $(STAMP)  ## regenerate navigation, title cells, 00's contents and every sources cell (after editing titles or citations)
	$(BIN)/python -m ketamine_explainer nav

html: $(STAMP)  ## build the offline HTML site into build/site
	$(RUN_ENV) $(BIN)/python -m ketamine_explainer html --out build/site

slides: $(STAMP)  ## build the offline reveal.js slides into build/slides
	$(RUN_ENV) $(BIN)/python -m ketamine_explainer slides --out build/slides

handout: $(STAMP)  ## print the handout PDF (A4 and Letter) and the teacher's answer key into build/handout
	$(RUN_ENV) $(BIN)/python -m ketamine_explainer handout --out build/handout

# `make hub`: a JupyterHub for a class (hub/, TEACHING.md). KX_CLASS_CODE and KX_TEACHER_CODE come from the environment.
HUB_STATE ?= $(or $(KX_HUB_STATE),build/hub)
$(HUB_STATE)/npm/.installed: hub/package.json hub/package-lock.json
	mkdir -p $(HUB_STATE)/npm && cp hub/package.json hub/package-lock.json $(HUB_STATE)/npm/
	cd $(HUB_STATE)/npm && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

hub: $(STAMP) $(HUB_STATE)/npm/.installed  ## start a JupyterHub for a class (set KX_CLASS_CODE and KX_TEACHER_CODE; see TEACHING.md)
	KX_HUB_STATE=$(abspath $(HUB_STATE)) $(BIN)/jupyterhub -f hub/jupyterhub_config.py

hub-load: $(STAMP) $(HUB_STATE)/npm/.installed  ## thirty simulated learners on one hub at once: times and memory
	$(RUN_ENV) $(BIN)/python benchmarks/hub_load.py

bench: $(STAMP)  ## measure speed as ratios against baselines from the same run
	$(RUN_ENV) $(BIN)/python benchmarks/run.py

screenshots: $(STAMP)  ## a PNG of every page in every medium (site at 1280/768/390/320 px, each slide, JupyterLab), with an index
	$(RUN_ENV) $(BIN)/python -m tests.screenshots --out build/screenshots

mutants: $(STAMP)  ## apply realistic defects to scratch copies and report how many the tests catch (6 to 15 min)
	$(BIN)/python tests/mutants.py

clean:  ## remove build/ and test-output/
	rm -rf build test-output
