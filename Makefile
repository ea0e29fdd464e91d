# Two commands do all the set-up from a fresh clone:
#   make lab    the course in JupyterLab        make test    the test suite (what CI runs)
# Each creates .venv and installs the course into it on first use. While working on the code,
#   make unit   the tests that start no kernel and run no notebook (about a minute)
#   make lint   ruff, as make test runs it first
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)

.PHONY: lab test unit lint release grade benchmark

$(VENV)/.ready: pyproject.toml constraints-ci.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints-ci.txt -e '.[dev]'
	touch $@

lab: $(VENV)/.ready
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# PYTEST_ARGS passes options on, e.g. make test PYTEST_ARGS=--lf (the tests that failed last time)
test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

unit: $(VENV)/.ready
	$(BIN)/python -m pytest -m "not slow" tests $(PYTEST_ARGS)

lint: $(VENV)/.ready
	$(BIN)/ruff check .

# notebooks/ from solutions/, and the student bundle dist/gan-course-student.zip; RELEASED="01_toy_gan 02_dcgan"
# puts only the notebooks named into the bundle (the ones already due)
release: $(VENV)/.ready
	$(BIN)/python -m tools.release --bundle dist/gan-course-student.zip $(if $(RELEASED),--released $(RELEASED))

# make grade SUBMISSIONS=path/to/folder-or.zip  ->  grades/: grades.csv, feedback/, summary.md, gradebook.db
grade: $(VENV)/.ready
	$(if $(SUBMISSIONS),,$(error give the submissions: make grade SUBMISSIONS=path/to/folder-or.zip))
	$(BIN)/python -m tools.grade "$(SUBMISSIONS)" --out grades --jobs $(or $(JOBS),2)

benchmark: $(VENV)/.ready
	$(BIN)/python -m tools.bench.benchmark $(BENCHMARK_ARGS)
