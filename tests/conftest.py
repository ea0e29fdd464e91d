"""Fixtures for the tests that drive nbgrader: a throwaway copy of the course and its release."""
import os
import shutil

import nbformat
import pytest

import sandboxed
from tools import release as release_tool
from tools.course import ROOT
from tools.manifest import answered

complete = answered  # the student notebook answered as in the source


# `make test` runs the test files in two processes (Makefile), each file whole, in the order they are
# collected: the longest first, so that the two processes finish together. On two cores each of these
# takes 190 to 590 s; no other file takes 75 s.
LONGEST = ("test_grade.py", "test_grading.py", "test_hidden_seeds.py", "test_resume.py", "test_device.py",
           "test_full_mode.py")


def pytest_collection_modifyitems(items):
    first = {name: rank for rank, name in enumerate(LONGEST)}
    items.sort(key=lambda item: first.get(item.path.name, len(LONGEST)))  # stable: the rest keep their order


@pytest.fixture(scope="session", autouse=True)
def shared_reference_cache(tmp_path_factory):
    """One cache of the solutions' reference records for every grading test (see sandboxed.shared_cache),
    and for every worker of ``make test``'s parallel run: their base folders share a parent, made for
    this run. The grader records each solution once, whichever worker grades it first."""
    base = tmp_path_factory.getbasetemp()
    run = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    sandboxed.shared_cache = run / "reference-cache"


def read(path):
    return nbformat.read(path, as_version=4)


def edit(nb, gid, old, new, every=False):
    """A copy of notebook ``nb`` with ``old`` in the cell ``gid`` replaced by ``new``, the first time it
    occurs or ``every`` time; the edit must apply."""
    nb = nbformat.from_dict(nb)
    cell = next(c for c in nb.cells if grade_id(c) == gid)
    assert old in cell.source, f"{old!r} not in {gid}"
    cell.source = cell.source.replace(old, new, -1 if every else 1)
    return nb


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """A copy of the course (sources, config, header) released into its own notebooks/ folder."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(os.path.join(ROOT, "solutions"), root / "solutions")
    shutil.copy(os.path.join(ROOT, "nbgrader_config.py"), root)
    (root / "tools").mkdir()
    shutil.copy(os.path.join(ROOT, "tools", "student_header.ipynb"), root / "tools")
    release_tool.release(root=str(root))
    return root


def selected(request, param="name"):
    """The values of ``param`` of the selected tests that use the fixture asking: what a module fixture
    must prepare, so that ``pytest -k 01_toy_gan`` runs one notebook's kernels, not all nine."""
    return sorted({item.callspec.params[param] for item in request.session.items
                   if request.fixturename in getattr(item, "fixturenames", ())
                   and param in getattr(getattr(item, "callspec", None), "params", {})})
