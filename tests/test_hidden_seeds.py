"""Correct answers keep full marks with the grader, and the hidden tests pass them under other seeds too.

One kernel per notebook runs the solution, and one per round of alternatives
(``tests/alternatives``, ``alternatives.rounds``: round k of a notebook is the solution with the
k-th alternative of each answer cell in place, so two alternatives of one cell never meet), each as
the grader runs a notebook: its plan, its runner, the hidden parts blinded for a student, smoke
mode with training skipped (``tools.bench.hidden_seeds``, unsandboxed). In each kernel:

- every hidden part runs once from the grader's own seed, and the grader's ``judge`` scores the
  round against the solution's run: each alternative must keep full marks on its own exercise,
  and its round on every exercise of the notebook (an alternative of ``sample_noise`` is also used
  by ``train_step``). ``tests/test_grading.py`` runs the whole grader, its sandbox and its command
  line, on the solution of every notebook. Besides the sandbox, the kernels here differ in their
  time: a cell may take 300 s (the grader allows 60), so that a busy machine fails no correct answer;
- then the hidden parts of every test run under seeds 0, 1 and 2, with the solution and with each
  alternative of its answer cell: the short version of ``python -m tools.bench.hidden_seeds``
  (200 seeds, measured once, in RESULTS.md). A check whose tolerance is too tight for its random
  input, or that demands the solution's order of random draws, fails here long before a student
  meets it.
"""
import pytest

from alternatives import rounds, table
from conftest import selected
from tools import course
from tools.bench import hidden_seeds

NAMES = course.assignments()
SEEDS = range(3)

# the slow tier (make unit leaves it out): a kernel for every notebook and every round of its alternatives
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def measured(request):
    """({notebook: {(test, answer): (seeds passed, first failure)}}, {notebook: {round: exercises or error}})."""
    return hidden_seeds.measure(selected(request), SEEDS, jobs=2)


def lost(exercises, besides=()):
    """What a graded round lost: one line per exercise short of full marks (but those in ``besides``),
    with its feedback."""
    return [f"{ex['id']} {ex['score']:g}/{ex['max']:g} ({ex['status']}): {ex['message']}"
            for ex in exercises if ex["score"] < ex["max"] and ex["id"] not in besides]


@pytest.mark.parametrize("name", NAMES)
def test_each_alternative_keeps_full_marks(measured, name):
    if not table(name):
        pytest.fail(f"{name} has no table of alternatives (tests/alternatives/{name}.py)")
    scored, failures = measured[1][name], []
    for k, alternatives in enumerate(rounds(table(name))):
        together = ", ".join(repr(a.name) for a in alternatives)
        exercises = scored.get(k, f"{name}, round {k + 1} ({together}): the solution's own run failed first")
        if isinstance(exercises, str):  # why the round's notebook failed, naming the round
            failures.append(f"not graded: {exercises}")
            continue
        score, named = {ex["id"]: ex for ex in exercises}, set()
        for a in alternatives:
            ex = score[a.test]
            if ex["score"] < ex["max"]:
                named.add(a.test)
                failures.append(f"{a.name!r} (cell {a.cell}) scores {ex['score']:g}/{ex['max']:g} on its exercise "
                                f"{a.test}: {ex['message']}")
        if lost(exercises, named):  # another exercise of the round lost points
            failures.append(f"round {k + 1} of {name}, with the alternatives {together} in place, also loses "
                            "points:\n  " + "\n  ".join(lost(exercises, named)))
    if failures:
        pytest.fail(f"{name}: correct answers lose points\n" + "\n".join(failures))


@pytest.mark.parametrize("name", NAMES)
def test_the_hidden_tests_pass_every_correct_answer_under_three_seeds(measured, name):
    rows = measured[0][name]
    assert rows, f"{name}: no hidden test ran"
    failed = [f"{gid}, {answer}: {ok}/{len(SEEDS)} seeds; first: {first}"
              for (gid, answer), (ok, first) in rows.items() if ok < len(SEEDS)]
    if failed:
        pytest.fail(f"{name}: hidden tests fail correct answers under seeds 0..{len(SEEDS) - 1}\n" + "\n".join(failed))
