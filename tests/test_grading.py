"""The grading round trip of all nine notebooks: release, submit, grade with tools.grade, read the grades.

For every notebook in ROUND_TRIPS, three students submit it:
  solution   every exercise answered as in the source            -> full marks
  untouched  the student version as released                      -> 0 on every graded test
  bug        one typical bug in one exercise                      -> exactly that exercise's points lost
and, for 01 only, a fourth:
  warns      correct, but sample_noise writes a warning to stderr  -> full marks
nbgrader's own autograde grades the 01 submissions too, on the same layout.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
from collections import namedtuple

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import complete, edit, grade_id, read, release_tool
from sandboxed import course_copy, grade, reference_cache
from tools import course as layout
from tools.grading.judge import NOT_ATTEMPTED

# the slow tier (make unit leaves it out): the round trip of all nine notebooks, and nbgrader's autograde of one
pytestmark = pytest.mark.slow

Bug = namedtuple("Bug", "cell old new failing")
ROUND_TRIPS = {
    # notebook: the bug (an edit of one solution cell) and the graded test cells it must fail
    "01_toy_gan": Bug("train_step", ").detach()", ")", {"test_train_step"}),
    "02_dcgan": Bug("frechet_distance", ".clamp_min(0).sqrt().sum()", ".clamp_min(0).sum()", {"test_frechet_distance"}),
    "03_wgan": Bug("gradient_penalty", "torch.rand(real.shape[0], ", "torch.rand(1, ", {"test_gradient_penalty"}),
    "04_conditional_gan": Bug("acgan_losses", "            + F.cross_entropy(class_fake, y_fake))",
                              "            - F.cross_entropy(class_fake, y_fake))", {"test_acgan_generator_loss"}),
    "05_pix2pix": Bug("discriminator_loss", "fake.detach()", "fake", {"test_discriminator_loss"}),
    "06_cyclegan": Bug("query_pool", "            pool[i] = image\n", "", {"test_query_pool"}),
    "07_progan": Bug("minibatch_stddev", ".var(dim=1, unbiased=False)", ".var(dim=1)", {"test_minibatch_stddev"}),
    "08_stylegan": Bug("adain", "mu = x.mean((2, 3)", "mu = x.mean((0, 2, 3)", {"test_adain"}),
    "09_adversarial_attacks": Bug("fgsm", "(x.detach() + eps * direction).clamp(low, high)",
                                  "x.detach() + eps * direction", {"test_fgsm"}),
}
STUDENTS = ("solution", "untouched", "bug", "warns")
NBGRADER = "01_toy_gan"  # the notebook nbgrader's own autograde also grades

# Students who have read the grader. Each wraps one answer; the wrapper is the honest answer in the
# visible checks (it tells the hidden ones by the name of the running checks.exercise, which it finds
# through the garbage collector) and where another answer calls it. When
# a hidden test calls it, it looks for the names under which that test's code computes its expected
# value (the value itself, or the pieces it is made of), in its callers' frames, in its globals (the
# notebook's namespace) or through the garbage collector, and puts the expected value together from
# what it finds. The cheat returns that (NaN when it finds nothing); the probe answers honestly unless
# what it put together is the right answer of that very call, which it then reports by returning NaN.
LOOK = {  # the places to look: each gives the namespaces (dicts) that hold every name looked for
    "frames": """    frame, found = sys._getframe(2), []
    while frame is not None:
        found += [scope for scope in (frame.f_locals, frame.f_globals) if all(k in scope for k in NAMES)]
        frame = frame.f_back
    return found""",
    "globals": """    return [globals()] if all(k in globals() for k in NAMES) else []""",
    "gc": """    return [o for o in gc.get_objects() if isinstance(o, dict) and all(k in o for k in NAMES)]""",
}
WRAPPER = """

_honest_{f} = {f}
NAMES = {names!r}


def {f}(*args, **kwargs):
    import torch
    honest = _honest_{f}(*args, **kwargs)
    if sys._getframe(1).f_code.co_name != "<module>" or not _hidden():
        return honest
    for v in _look():
        try:
            guess = torch.as_tensor({guess}, dtype=torch.float64)
        except Exception:  # not what it looked for
            continue
        if {cheat}:
            return guess
        try:
            if torch.allclose(guess, torch.as_tensor(honest).detach().double()):
                return torch.tensor(float("nan"))
        except RuntimeError:  # another shape: the pieces of another call's answer
            pass
    return torch.tensor(float("nan")) if {cheat} else honest


def _hidden():
    import gc
    return any(type(o).__name__ == "generator" and o.gi_code.co_name == "exercise" and o.gi_frame is not None
               and "(hidden tests)" in str(o.gi_frame.f_locals.get("name")) for o in gc.get_objects())


def _look():
    import gc
{look}
"""
Leak = namedtuple("Leak", "cell function channel test names guess")
LEAKS = {  # one exercise in each of three notebooks, a different place to look in each
    "02_dcgan": Leak("frechet_distance", "frechet_distance", "globals", "test_frechet_distance", ("want",),
                     "v['want']"),
    "07_progan": Leak("generator_forward", "generator_forward", "frames", "test_generator_forward", ("old", "new"),
                      "(1 - args[3]) * v['old'] + args[3] * v['new']"),  # generator_forward(G, z, stage, alpha)
    "09_adversarial_attacks": Leak("project", "project", "gc", "test_project", ("lo", "hi"),
                                   "torch.max(torch.min(args[0], v['hi']), v['lo'])"),  # project(x_adv, x, eps, ...)
}


def looking(solution, leak, cheat):
    """The solution with ``leak.function`` wrapped as a cheat (cheat=True) or a probe (see LOOK)."""
    nb = nbformat.from_dict(solution)
    cell = next(c for c in nb.cells if grade_id(c) == leak.cell)
    cell.source = "import sys\n" + cell.source + WRAPPER.format(
        f=leak.function, names=leak.names, guess=leak.guess, cheat=cheat, look=LOOK[leak.channel])
    return nb


def submissions(course, name):
    student = read(course / "notebooks" / name / f"{name}.ipynb")
    solution = complete(student, read(course / "solutions" / name / f"{name}.ipynb"))
    bug = ROUND_TRIPS[name]
    subs = {"solution": solution, "untouched": student, "bug": edit(solution, bug.cell, bug.old, bug.new, every=True)}
    if name in LEAKS:
        subs["cheat"], subs["probe"] = looking(solution, LEAKS[name], True), looking(solution, LEAKS[name], False)
    if name == "01_toy_gan":
        subs["warns"] = edit(solution, "sample_noise", "    return torch.randn",
                             "    import warnings\n    warnings.warn('drawing noise on the CPU')\n"
                             "    return torch.randn")
    return subs


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """{notebook: {student: {test cell: (score, max)}}}, graded by tools.grade in a copy of the course."""
    root = tmp_path_factory.mktemp("round_trip")
    course = course_copy(root)
    folder = root / "downloads"
    for name in ROUND_TRIPS:
        for student, nb in submissions(course, name).items():
            (folder / student).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / student / f"Copy of {name}.ipynb")
    done = grade(course, folder, root / "grades", "--jobs", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    out = {}
    with open(root / "grades" / "grades.csv") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["notebook"], {}).setdefault(row["student"], {})[row["exercise"]] = \
                (float(row["score"]), float(row["max_score"]))
    return out, course


@pytest.fixture(scope="module")
def autograded(course):
    """nbgrader autograde on the 01 submissions: (CompletedProcess, {student: {test cell: (score, max)}})."""
    for student_id, nb in submissions(course, NBGRADER).items():
        if student_id not in STUDENTS:
            continue
        folder = course / "submitted" / student_id / NBGRADER
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{NBGRADER}.ipynb")
    done = release_tool.nbgrader("autograde", NBGRADER, "--force", root=str(course))
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student_id in STUDENTS:
            nb = gb.find_submission_notebook(NBGRADER, NBGRADER, student_id)
            scores[student_id] = {g.name: (g.score, g.max_score) for g in nb.grades if g.max_score}
    return done, scores


def total(cells):
    return sum(score for score, _ in cells.values())


def maximum(cells):
    return sum(m for _, m in cells.values())


def test_every_notebook_has_a_round_trip():
    assert set(ROUND_TRIPS) == set(layout.assignments())


@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_every_test_cell_is_graded(graded, name):
    source = read(layout.source(name))
    tests = {grade_id(c) for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert set(graded[0][name]["solution"]) == tests


@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_solution_gets_full_marks(graded, name):
    cells = graded[0][name]["solution"]
    assert total(cells) == maximum(cells) > 0


@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_untouched_student_version_gets_zero_everywhere(graded, name):
    assert all(score == 0 for score, _ in graded[0][name]["untouched"].values())


@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_every_stub_of_the_untouched_version_reads_as_not_attempted(graded, name):
    """Not as a wrong answer: a test cell that turns an error into a failed check must let a stub's
    NotImplementedError through (checks.unless_stub), in the student's notebook and in the records."""
    with open(graded[1].parent / "grades" / "records.jsonl") as f:
        rows = [r for r in map(json.loads, f) if r["student"] == "untouched" and r["notebook"] == name]
    checks = {ex["id"]: ex["check"] for r in rows for ex in r["exercises"]}
    assert checks and not {gid: check for gid, check in checks.items() if check != NOT_ATTEMPTED}


@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_a_typical_bug_loses_exactly_its_exercise(graded, name):
    cells, failing = graded[0][name]["bug"], ROUND_TRIPS[name].failing
    assert {test for test, (score, _) in cells.items() if score == 0} == failing
    assert total(cells) == maximum(cells) - sum(cells[test][1] for test in failing)


@pytest.mark.parametrize("name", LEAKS)
def test_an_answer_that_returns_the_expected_value_it_finds_scores_nothing(graded, name):
    cells, test = graded[0][name]["cheat"], LEAKS[name].test
    assert {t for t, (score, _) in cells.items() if score == 0} == {test}
    assert total(cells) == maximum(cells) - cells[test][1]


@pytest.mark.parametrize("name", LEAKS)
def test_no_hidden_test_leaves_its_expected_value_in_reach(graded, name):
    """The probe finds the right answer of no hidden call anywhere it looks, so it keeps full marks.

    Where the hidden tests computed their expected values in the sandbox, as before the slicing, it
    lost each of these exercises.
    """
    cells = graded[0][name]["probe"]
    assert total(cells) == maximum(cells)


def test_a_warning_on_stderr_does_not_zero_a_correct_cell(graded):
    cells = graded[0]["01_toy_gan"]["warns"]
    assert total(cells) == maximum(cells) == 9


@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_every_exercise_needs_a_value_only_a_correct_answer_gives(graded, name):
    """Each hidden part compares at least one number or tensor, whose expected value stays outside.

    A record of booleans alone could be forged by a student who fakes the checks in the kernel.
    """
    course = graded[1]
    with open(reference_cache(course) / f"{name}-{fingerprint(course, name)}.json") as f:
        reference = json.load(f)
    hidden = {r["gid"]: [e["kind"] for e in r["record"]] for r in reference if r["role"] == "hidden"}
    tests = {r["gid"] for r in reference if r["role"] == "visible"}
    assert set(hidden) == tests, "every test cell has hidden tests"
    assert {gid for gid, kinds in hidden.items() if "close" not in kinds} == set()


def test_nbgrader_autograde_grades_the_same_layout(autograded):
    done, scores = autograded
    assert done.returncode == 0, done.stdout + done.stderr
    assert total(scores["solution"]) == maximum(scores["solution"]) == 9
    assert total(scores["warns"]) == 9
    assert total(scores["untouched"]) == 0
    assert {t for t, (s, _) in scores["bug"].items() if s == 0} == ROUND_TRIPS[NBGRADER].failing


def test_no_training_runs_under_autograde(autograded, course):
    nb = read(course / "autograded" / "solution" / NBGRADER / f"{NBGRADER}.ipynb")
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "autograding: training is skipped" in text
    assert "skipped while grading" in text
    assert "it/s]" not in text  # no tqdm progress bar: nothing was trained


def fingerprint(course, name):
    """The cache key of an assignment's reference records, as the grader in ``course`` computes it."""
    code = f"from tools.grading.reference import fingerprint; print(fingerprint({name!r}))"
    done = subprocess.run([sys.executable, "-c", code],
                          cwd=course, env=dict(os.environ, PYTHONPATH=str(course)), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_reference_records_are_keyed_on_everything_that_shapes_them(tmp_path):
    """A change of the grader's plan is recorded afresh, never read from a cache made before it.

    In a copy of the course: a change of any file that shapes a record (the source notebook, the
    plan in tools/grading/plan.py, how it runs, the sandbox, the runner, the blinding, the verdict, course_lib's code or
    weights) gives a new key, and one of the output writer does not. Then, after a run that cached
    the reference, a change of the plan (the hidden tests' seeds) makes the next run record a new
    reference beside the old one, against which the correct peer keeps full marks.
    """
    name = "01_toy_gan"
    course = course_copy(tmp_path)
    keys = [fingerprint(course, name)]
    for path in (f"solutions/{name}/{name}.ipynb", "tools/grade.py", "tools/grading/plan.py",
                 "tools/grading/execute.py", "tools/grading/reference.py", "tools/grading/sandbox.py",
                 "tools/grading/runner.py", "tools/grading/blind.py", "tools/grading/verdict.py",
                 "course_lib/checks.py", "course_lib/weights/mnist_classifier.pt"):
        original = (course / path).read_bytes()
        (course / path).write_bytes(original + b"\n")
        keys.append(fingerprint(course, name))
        (course / path).write_bytes(original)
        assert keys[-1] != keys[0], f"a change of {path} keeps the key"
    report = course / "tools" / "grading" / "report.py"
    report.write_text(report.read_text() + "\n# the outputs only\n")
    assert fingerprint(course, name) == keys[0]

    folder, cache = tmp_path / "downloads", tmp_path / "cache"
    (folder / "alice").mkdir(parents=True)
    cache.mkdir()
    recorded = reference_cache(course) / f"{name}-{keys[0]}.json"
    if recorded.exists():  # by another copy of the course: the key does not depend on where the course lies
        shutil.copy(recorded, cache)
    nbformat.write(complete(read(course / "notebooks" / name / f"{name}.ipynb"),
                            read(course / "solutions" / name / f"{name}.ipynb")),
                   folder / "alice" / f"Copy of {name}.ipynb")

    def alice(run):
        done = grade(course, folder, tmp_path / run, "--jobs", "2", cache=cache)
        assert done.returncode == 0, done.stdout + done.stderr
        with open(tmp_path / run / "grades.csv") as f:
            return sum(float(row["score"]) for row in csv.DictReader(f))

    assert alice("before") == 9
    [old] = cache.glob(f"{name}-*.json")
    plan = course / "tools" / "grading" / "plan.py"
    assert plan.read_text().count('"seed": 10_000 + at') == 1
    plan.write_text(plan.read_text().replace('"seed": 10_000 + at', '"seed": 20_000 + at'))
    assert alice("after") == 9
    [new] = set(cache.glob(f"{name}-*.json")) - {old}
    assert new.stat().st_mtime > plan.stat().st_mtime  # recorded under the new plan, not copied from before it
