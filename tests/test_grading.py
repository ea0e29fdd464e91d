"""The grading round trip with real nbgrader: release, submit, autograde, read the gradebook.

Four submissions of 01_toy_gan:
  solution   every exercise answered as in the source            -> full marks
  untouched  the student version as released                      -> 0 on every graded test
  nodetach   train_step without .detach() on D's fake batch         -> all but train_step's points
  warns      correct, but sample_noise writes a warning to stderr   -> full marks
"""
import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import complete, grade_id, read, release_tool

NAME = "01_toy_gan"


def answer(nb, gid, old, new):
    """Edit the answer in solution cell ``gid``; the edit must apply."""
    cell = next(c for c in nb.cells if grade_id(c) == gid)
    assert old in cell.source, f"{old!r} not in {gid}"
    cell.source = cell.source.replace(old, new)


@pytest.fixture(scope="module")
def graded(course):
    student = read(course / "notebooks" / NAME / f"{NAME}.ipynb")
    solution = complete(student, read(course / "solutions" / NAME / f"{NAME}.ipynb"))
    nodetach = nbformat.from_dict(solution)
    answer(nodetach, "train_step", ").detach()", ")")
    warns = nbformat.from_dict(solution)
    answer(warns, "sample_noise", "    return torch.randn",
           "    import warnings\n    warnings.warn('drawing noise on the CPU')\n    return torch.randn")
    for student_id, nb in {"solution": solution, "untouched": student, "nodetach": nodetach, "warns": warns}.items():
        folder = course / "submitted" / student_id / NAME
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{NAME}.ipynb")
    done = release_tool.nbgrader("autograde", NAME, "--force", root=str(course))
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student_id in ("solution", "untouched", "nodetach", "warns"):
            nb = gb.find_submission_notebook(NAME, NAME, student_id)
            scores[student_id] = {g.name: (g.score, g.max_score) for g in nb.grades if g.max_score}
    return done, scores, course


def total(cells):
    return sum(score for score, _ in cells.values())


def test_autograde_completes(graded):
    done, scores, _ = graded
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(scores["solution"]) == {"test_sample_noise", "test_discriminator_loss", "test_optimal_discriminator",
                                       "test_generator_loss_saturating", "test_generator_loss_nonsaturating",
                                       "test_train_step"}


def test_solution_gets_full_marks(graded):
    cells = graded[1]["solution"]
    assert total(cells) == sum(m for _, m in cells.values()) == 9


def test_untouched_student_version_gets_zero_everywhere(graded):
    assert all(score == 0 for score, _ in graded[1]["untouched"].values())


def test_missing_detach_loses_exactly_the_train_step_points(graded):
    cells = graded[1]["nodetach"]
    assert cells["test_train_step"] == (0, 3)
    assert total(cells) == 6


def test_a_warning_on_stderr_does_not_zero_a_correct_cell(graded):
    assert total(graded[1]["warns"]) == 9


def test_no_training_runs_under_autograde(graded):
    course = graded[2]
    nb = read(course / "autograded" / "solution" / NAME / f"{NAME}.ipynb")
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "1-D GAN: skipped while grading" in text and "ring GAN: skipped while grading" in text
    assert "autograding: training is skipped" in text
