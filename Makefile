# Two commands do all the set-up from a fresh clone:
#   make lab    the course in JupyterLab        make test    the test suite (what CI runs)
# Each creates .venv and installs the course into it on first use, with python3 or the Python
# given as PYTHON (make lab PYTHON=python3.12). While working on the code,
#   make unit   the tests that start no kernel and run no notebook (about a minute)
#   make lint   ruff, as make test runs it first
#   make lock   constraints-ci.txt again from pyproject.toml (see its header)
PYTHON ?= python3
# The Pythons that constraints-ci.txt is locked for; tests/test_install.py resolves it for each.
# Python 3.10 is not among them: nbgrader 0.9.6 needs 3.11.
SUPPORTED_PYTHONS := 3.11 3.12 3.13 3.14
SUPPORTED := Python $(firstword $(SUPPORTED_PYTHONS)) to $(lastword $(SUPPORTED_PYTHONS))
VENV := .venv
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)

.PHONY: lab test unit lint lock release grade benchmark

# "/usr/bin/python3.11 (Python 3.11.2)": the interpreter that PYTHON runs, for the messages below
FOUND = $$($(PYTHON) -c 'import os, sys; print("%s (Python %d.%d.%d)" % \
	((os.path.realpath(sys.executable),) + tuple(sys.version_info[:3])))' 2>/dev/null || echo "not found")

# The venv's own pip is the one its Python came with (23.0 on Debian 12): the lock's pip replaces
# it first. Both installs read the lock, so that every machine gets the versions CI tested, and the
# course's own build does too (the build constraint: the setuptools that builds it).
# INSTALLER=uv installs the same pins with uv, several times as fast as pip (README, "Two commands");
# pip stays the default because uv reads none of pip's settings (pip.conf's mirror or private index).
INSTALLER ?= pip
INSTALL_pip = $(BIN)/python -m pip install --quiet --build-constraint constraints-ci.txt
INSTALL_uv = $(BIN)/python -m pip install --quiet -c constraints-ci.txt uv && \
	$(BIN)/uv pip install --quiet --python $(BIN)/python --build-constraints constraints-ci.txt
$(VENV)/.ready: pyproject.toml constraints-ci.txt
	$(if $(INSTALL_$(INSTALLER)),,$(error INSTALLER is pip (the default) or uv, not $(INSTALLER)))
	@minor=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); \
	case " $(SUPPORTED_PYTHONS) " in *" $$minor "*) ;; *) \
	    echo "make: PYTHON=$(PYTHON) is $(FOUND); .venv needs $(SUPPORTED), which constraints-ci.txt is locked for." >&2; \
	    echo "      Install one of them and name it: make $(or $(MAKECMDGOALS),lab) PYTHON=python3.12" >&2; \
	    exit 1;; esac; \
	echo "make: creating $(VENV) with $(FOUND), and installing the course and its tools into it"; \
	echo "      as constraints-ci.txt pins them (the first time takes a few minutes)"
	@$(PYTHON) -m venv $(VENV) && \
	$(BIN)/python -m pip install --quiet -c constraints-ci.txt --upgrade pip && \
	$(INSTALL_$(INSTALLER)) -c constraints-ci.txt -e '.[dev]' || { \
	    echo "make: the install into $(VENV) failed (the reason is above), with $(FOUND)." >&2; \
	    echo "      constraints-ci.txt is locked for $(SUPPORTED)." >&2; \
	    exit 1; }
	touch $@

lab: $(VENV)/.ready
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# PYTEST_ARGS passes options on, e.g. make test PYTEST_ARGS=--lf (the tests that failed last time).
# TEST_WORKERS test processes share the work (pytest-xdist; CI's two cores), each taking whole test
# files, so that a module's fixture still grades its class once; TEST_WORKERS=0 runs them in one.
TEST_WORKERS ?= 2
test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

unit: $(VENV)/.ready
	$(BIN)/python -m pytest -m "not slow" tests $(PYTEST_ARGS)

lint: $(VENV)/.ready
	$(BIN)/ruff check .

# uv's universal resolver: pyproject.toml's dependencies and dev extra, and the pip that .venv starts
# with, for every Python from the oldest supported one on and every platform. It keeps each pin of
# constraints-ci.txt that still fits (LOCK_ARGS="-P jupyterlab" moves one, LOCK_ARGS=-U all), and
# the file's header.
lock: $(VENV)/.ready
	sed -n '/^[^#]/q;p' constraints-ci.txt > $(VENV)/lock.header
	cp constraints-ci.txt $(VENV)/lock.txt
	echo pip | $(BIN)/uv pip compile pyproject.toml - --extra dev --universal --no-header \
	    --python-version $(firstword $(SUPPORTED_PYTHONS)) -o $(VENV)/lock.txt $(LOCK_ARGS)
	cat $(VENV)/lock.header $(VENV)/lock.txt > constraints-ci.txt

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
