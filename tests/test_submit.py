"""course_lib.submit: the check students run before submitting."""
import json
import os

import nbformat
import pytest

from conftest import ROOT, complete, grade_id, read
from course_lib import cells, submit
from tools import manifest as manifest_tool

NAME = "01_toy_gan"
STUDENT = os.path.join(ROOT, "notebooks", NAME, f"{NAME}.ipynb")
SOURCE = os.path.join(ROOT, "solutions", NAME, f"{NAME}.ipynb")


def manifest():
    with open(submit.MANIFEST, encoding="utf-8") as f:
        return json.load(f)


def test_the_shipped_list_of_graded_cells_matches_the_sources():
    assert manifest() == manifest_tool.manifest(), "course_lib/assignments.json is stale: run `make release`"


def test_answers_are_found_by_metadata_then_by_their_functions():
    nb = read(STUDENT)
    for cell in nb.cells:
        if grade_id(cell) == "train_step":
            cell.metadata.pop("nbgrader")  # retyped in Colab: same code, no metadata
    nb.cells = [c for c in nb.cells if grade_id(c) not in ("sample_noise", "test_sample_noise")]
    found = cells.answers(nb, manifest()[NAME])
    assert found["train_step"][1] == "retyped" and "def train_step" in found["train_step"][0]
    assert found["sample_noise"] == ("", "missing")
    assert {how for gid, (_, how) in found.items() if gid not in ("train_step", "sample_noise")} == {"metadata"}


def test_functions_reads_top_level_definitions_only():
    assert cells.functions("def f():\n    def g(): pass\nclass C: pass\nasync def h(): pass") == {"f", "h"}
    assert cells.functions("def broken(:") == set()


def test_the_shipped_cells_hold_no_answer_and_no_hidden_test():
    text = json.dumps(manifest())
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "checks.HIDDEN" not in text
    sources = [c["source"] for c in manifest()[NAME] if c["kind"] == "answer"]
    assert sources and set(sources) == {""}


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submit")
    good = complete(read(STUDENT), read(SOURCE))
    buggy = nbformat.from_dict(good)
    cell = next(c for c in buggy.cells if grade_id(c) == "train_step")
    cell.source = cell.source.replace(").detach()", ")")
    nbformat.write(good, folder / f"Copy of {NAME}.ipynb")
    nbformat.write(buggy, folder / "buggy.ipynb")
    # what the grader does, submit.check does: answers run whole (decorators, computed constants),
    # while edited test cells and code in cells of the student's own count for nothing
    honest = nbformat.from_dict(good)
    cell = next(c for c in honest.cells if grade_id(c) == "discriminator_loss")
    cell.source = ("import math\nLOG2 = math.log(2)\nEPS: float = 1e-12\n\n\n@torch.no_grad()\ndef helper(x):\n"
                   "    return x\n\n\n" + cell.source)
    nbformat.write(honest, folder / "honest.ipynb")
    sly = nbformat.from_dict(read(STUDENT))
    for c in sly.cells:
        if c.metadata.get("nbgrader", {}).get("grade"):
            c.source = "pass"  # a test cell emptied: the course's own still runs
    sly.cells.append(nbformat.v4.new_code_cell("def sample_noise(n, z_dim, generator=None):\n"
                                               "    return torch.randn(n, z_dim, generator=generator)"))
    nbformat.write(sly, folder / "sly.ipynb")
    return folder


@pytest.mark.slow
def test_a_complete_notebook_passes(solved, capsys):
    assert submit.check(str(solved / f"Copy of {NAME}.ipynb")) is True
    out = capsys.readouterr().out
    assert "every check passes" in out and "How to submit" in out and "✗" not in out


@pytest.mark.slow
def test_a_failing_check_is_reported_with_its_message(solved, capsys):
    assert submit.check(str(solved / "buggy.ipynb")) is False
    lines = capsys.readouterr().out.splitlines()
    failed = [line for line in lines if line.startswith("  ✗")]
    assert len(failed) == 1 and "test_train_step" in failed[0] and "backward passes that reach G" in failed[0]


@pytest.mark.slow
def test_it_runs_what_the_grader_runs(solved, capsys):
    assert submit.check(str(solved / "honest.ipynb")) is True
    capsys.readouterr()
    assert submit.check(str(solved / "sly.ipynb")) is False
    out = capsys.readouterr().out
    assert "✗ test_sample_noise" in out and "sample_noise is not written yet" in out


def test_bad_input_and_grading(tmp_path, monkeypatch, capsys):
    with pytest.raises(ValueError, match="must name an .ipynb file"):
        submit.check("notebook.txt")
    (tmp_path / "x.ipynb").write_text("{ not json")
    with pytest.raises(ValueError, match="not a notebook file"):
        submit.check(str(tmp_path / "x.ipynb"), run=False)
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    nbformat.write(other, tmp_path / "other.ipynb")
    assert submit.check(str(tmp_path / "other.ipynb"), run=False) is False
    assert "no graded cell" in capsys.readouterr().out
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert submit.check() is True
    assert "skipped while grading" in capsys.readouterr().out


def test_outside_a_notebook_it_asks_for_the_path(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert submit.check() is False
    assert 'Give its path: submit.check("NAME.ipynb")' in capsys.readouterr().out
    (tmp_path / "08_stylegan.ipynb").write_text("{}")
    assert submit.check() is False
    assert 'Give its path: submit.check("08_stylegan.ipynb")' in capsys.readouterr().out
    (tmp_path / "Copy of 08_stylegan.ipynb").write_text("{}")
    assert submit.check() is False
    out = capsys.readouterr().out
    assert 'submit.check("NAME.ipynb") (notebooks in this folder: 08_stylegan.ipynb, Copy of 08_stylegan.ipynb)' in out
