"""tools/grade.py on a bank of submissions of 01_toy_gan, each with its exact expected score.

01_toy_gan has 9 points: sample_noise 1, discriminator_loss 2, optimal_discriminator 1,
generator_loss_saturating 1, generator_loss_nonsaturating 1, train_step 3.
"""
import csv
import os
import zipfile

import nbformat
import pytest

from conftest import ROOT, complete, grade_id, read
import grade as grade_tool  # tools/grade.py (conftest puts tools/ on the path)

NAME = "01_toy_gan"


def edit(nb, gid, old, new):
    """The notebook with one answer cell edited; the edit must apply."""
    nb = nbformat.from_dict(nb)
    cell = next(c for c in nb.cells if grade_id(c) == gid)
    assert old in cell.source, f"{old!r} not in {gid}"
    cell.source = cell.source.replace(old, new, 1)
    return nb


def bank():
    """{student: (notebook, expected total, expected per-exercise zeros)}."""
    student = read(os.path.join(ROOT, "notebooks", NAME, f"{NAME}.ipynb"))
    solved = complete(student, read(os.path.join(ROOT, "solutions", NAME, f"{NAME}.ipynb")))

    retyped = nbformat.from_dict(solved)  # the train_step cell retyped in Colab: no metadata
    cell = next(c for c in retyped.cells if grade_id(c) == "train_step")
    cell.metadata = {}
    cell.id = "retyped"

    forged = nbformat.from_dict(student)  # stubs, with every test cell emptied and re-tagged
    for c in forged.cells:
        if c.metadata.get("nbgrader", {}).get("grade"):
            c.source = "pass"
            c.metadata["nbgrader"]["points"] = 100
    forged.cells.reverse()
    forged.cells.append(nbformat.v4.new_code_cell("from course_lib import checks\nchecks.close = print"))

    patcher = edit(student, "sample_noise", "    # YOUR CODE HERE\n    raise NotImplementedError()",
                   "    # YOUR CODE HERE\n    raise NotImplementedError()\n\n"
                   "from course_lib import checks\nchecks.close = checks.that = checks.shape = print\n"
                   "get_ipython().events.register('post_run_cell', print)")
    sneaky = edit(solved, "sample_noise", "    return torch.randn",  # patches the checks when called
                  "    from course_lib import checks\n"
                  "    checks.close = checks.that = checks.shape = lambda *a, **k: None\n    return torch.randn")

    everything = {c.metadata["nbgrader"]["grade_id"] for c in student.cells
                  if c.metadata.get("nbgrader", {}).get("grade")}
    return {  # a fault or a tampering costs the tests that call the function, and no others
        "alice": (solved, 9, set()),
        "bob": (student, 0, everything),
        "carol": (retyped, 9, set()),
        "dave": (forged, 0, everything),
        "erin": (edit(solved, "sample_noise", "    return torch.randn", "    import os\n    os._exit(3)\n"
                      "    return torch.randn"), 5, {"test_sample_noise", "test_train_step"}),
        "frank": (edit(solved, "discriminator_loss", "    return F.softplus",
                       "    while True:\n        pass\n    return F.softplus"), 4, {"test_discriminator_loss", "test_train_step"}),
        "grace": (edit(solved, "optimal_discriminator", "    total =", "    import sys\n    sys.exit(1)\n    total ="),
                  8, {"test_optimal_discriminator"}),
        "heidi": (edit(solved, "generator_losses", "    return -F.softplus",
                       "    hog = []\n    while True:\n        hog.append(torch.ones(2 ** 24))\n    return -F.softplus"),
                  8, {"test_generator_loss_saturating"}),
        "ivan": (edit(solved, "train_step", "def train_step", "import os\nos._exit(1)\n\ndef train_step"), 9, set()),
        "judy": (patcher, 0, everything),
        "mallory": (sneaky, 5, {"test_sample_noise", "test_train_step"}),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    folder = root / "downloads"
    folder.mkdir()
    expected = {}
    for student, (nb, total, zeros) in bank().items():
        (folder / student).mkdir()
        nbformat.write(nb, folder / student / f"Copy of {NAME}.ipynb")
        expected[student] = (total, zeros)
    (folder / f"zoe_4411_Copy of {NAME}.ipynb").write_text("{ this is not a notebook")
    archive = root / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.rglob("*"):
            z.write(path, path.relative_to(folder))
    out = root / "grades"
    grade_tool.main([str(archive), "--out", str(out), "--jobs", "2", "--timeout", "15", "--memory-mb", "2500"])
    with open(out / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    return rows, expected, out


def scores(rows, student):
    return {r["exercise"]: int(r["score"]) for r in rows if r["student"] == student}


@pytest.mark.parametrize("student", sorted(bank()))
def test_exact_score(graded, student):
    rows, expected, _ = graded
    total, zeros = expected[student]
    got = scores(rows, student)
    assert len(got) == 6
    assert sum(got.values()) == total, got
    assert {k for k, v in got.items() if v == 0} == zeros


def test_an_unreadable_notebook_is_flagged_for_manual_grading(graded):
    rows, _, out = graded
    zoe = [r for r in rows if r["student"] == "zoe"]
    assert zoe and all(r["needs_manual_grading"] == "1" and r["score"] == "0" for r in zoe)
    assert "manual grading" in (out / "feedback" / "zoe.md").read_text()


def test_feedback_names_the_bug_and_never_shows_hidden_tests(graded):
    _, _, out = graded
    carol = (out / "feedback" / "carol.md").read_text()
    assert "lost its nbgrader metadata" in carol and "9/9" in carol
    assert "the kernel stopped" in (out / "feedback" / "erin.md").read_text()
    assert "time limit" in (out / "feedback" / "frank.md").read_text()
    hidden = [line.strip() for c in read(os.path.join(ROOT, "solutions", NAME, f"{NAME}.ipynb")).cells
              if "### BEGIN HIDDEN TESTS" in c.source
              for line in c.source.split("### BEGIN HIDDEN TESTS")[1].splitlines() if len(line.strip()) > 30]
    for path in (out / "feedback").iterdir():
        text = path.read_text()
        assert not [line for line in hidden if line in text], path.name


def test_dropped_statements_are_reported(graded):
    _, _, out = graded
    assert "was not run" in (out / "feedback" / "ivan.md").read_text()
    assert "was not run" in (out / "feedback" / "judy.md").read_text()
