"""A student's copy runs outside the repository, with only the installed package (as on Colab)."""
import os
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT, complete, read, release_tool


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """course_lib installed from the repository into a folder of its own, as pip builds it."""
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), ROOT], check=True, capture_output=True)
    assert (site / "course_lib" / "train.py").is_file()
    return site


@pytest.mark.parametrize("name", release_tool.assignments())
def test_completed_student_notebook_runs_outside_the_repository(installed, tmp_path, monkeypatch, name):
    student = read(os.path.join(ROOT, "notebooks", name, name + ".ipynb"))
    nb = complete(student, read(os.path.join(ROOT, "solutions", name, name + ".ipynb")))
    nb.cells.append(nbformat.v4.new_code_cell("import course_lib\nprint('course_lib from', course_lib.__file__)"))
    monkeypatch.setenv("PYTHONPATH", str(installed))  # ahead of the repository's editable install
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    where = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert str(installed) in where, where
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
