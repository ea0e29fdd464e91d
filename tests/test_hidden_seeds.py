"""The hidden tests pass the solution and every correct alternative under other seeds than the grader's.

The short version of ``python -m tools.bench.hidden_seeds`` (200 seeds, measured once, in
RESULTS.md): seeds 0, 1 and 2 for each hidden part of every notebook, with the solution and with each
alternative of its answer cell, judged as the grader judges. A check whose tolerance is too tight
for its random input, or that demands the solution's order of random draws, fails here long
before a student meets it.
"""
import pytest

from conftest import selected
from tools import course
from tools.bench import hidden_seeds

NAMES = course.assignments()
SEEDS = range(3)


@pytest.fixture(scope="module")
def measured(request):
    return hidden_seeds.measure(selected(request), SEEDS, jobs=2)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_hidden_tests_pass_every_correct_answer_under_three_seeds(measured, name):
    rows = measured[name]
    assert rows, f"{name}: no hidden test ran"
    failed = [f"{gid}, {answer}: {ok}/{len(SEEDS)} seeds; first: {first}"
              for (gid, answer), (ok, first) in rows.items() if ok < len(SEEDS)]
    if failed:
        pytest.fail(f"{name}: hidden tests fail correct answers under seeds 0..{len(SEEDS) - 1}\n" + "\n".join(failed))
