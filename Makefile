# Two commands do all the set-up from a fresh clone:
#   make lab    the course in JupyterLab        make test    the test suite (what CI runs)
# Each creates .venv and installs the course into it on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)

.PHONY: lab test release benchmark

$(VENV)/.ready: pyproject.toml constraints-ci.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints-ci.txt -e '.[dev]'
	touch $@

lab: $(VENV)/.ready
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

test: $(VENV)/.ready
	$(BIN)/python -m pytest $(PYTEST_ARGS)

release: $(VENV)/.ready
	$(BIN)/python tools/release.py

benchmark: $(VENV)/.ready
	$(BIN)/python tools/benchmark.py $(BENCHMARK_ARGS)
