"""A student's copy runs outside the repository, with only the package from the student bundle.

One notebook is enough: nbval already runs every source notebook, and what this test adds is
the student's side, where the library comes from the zip that `make release` writes and the
notebook runs in a folder of its own.
"""
import os
import subprocess
import sys
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT, complete, read
from tools import course, student_release

# the slow tier (make unit leaves it out): pip install of the student bundle, then a notebook in a kernel
pytestmark = pytest.mark.slow

# MNIST, the classifier's weights (package data), the metrics and a widget: most of course_lib
NAME = "02_dcgan"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The student bundle, as `make release` writes it, unpacked outside the repository."""
    folder = tmp_path_factory.mktemp("bundle")
    student_release.bundle(str(folder / "gan-course-student.zip"))
    with zipfile.ZipFile(folder / "gan-course-student.zip") as z:
        z.extractall(folder)
    return folder / "gan-course"


@pytest.fixture(scope="module")
def installed(bundle, tmp_path_factory):
    """course_lib installed from the unpacked bundle into a folder of its own, as pip builds it."""
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(bundle)], check=True, capture_output=True)
    assert (site / "course_lib" / "train.py").is_file()
    assert (site / "course_lib" / "assignments.json").is_file() and list((site / "course_lib").glob("weights/*.pt"))
    return site


def test_completed_student_notebook_runs_outside_the_repository(bundle, installed, tmp_path, monkeypatch):
    assert not os.listdir(tmp_path) and os.path.commonpath([ROOT, tmp_path]) != ROOT
    student = read(bundle / "notebooks" / NAME / f"{NAME}.ipynb")
    nb = complete(student, read(course.source(NAME)))
    nb.cells.append(nbformat.v4.new_code_cell("import course_lib\nprint('course_lib from', course_lib.__file__)"))
    monkeypatch.setenv("PYTHONPATH", str(installed))  # ahead of the repository's editable install
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    where = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert str(installed) in where, where
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
