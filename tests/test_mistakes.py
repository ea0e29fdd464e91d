"""The mistakes students make are caught: by the visible check, with a "likely bug" that names them,
and by the grader's hidden tests.

One kernel per notebook runs the solution as the grader does (training skipped); then, for each
mistake in ``tests/mistakes/NN_slug.py``, the broken answer replaces the solution, its test's
visible and hidden parts run, and the solution is put back.
"""
import importlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from course_lib import cells
from tools import course
from tools.grading import sandbox

NAMES = course.assignments()


def table(name):
    try:
        return importlib.import_module(f"mistakes.{name}").MISTAKES
    except ModuleNotFoundError:
        return []


def run(name):
    """{mistake name: (visible error or None, hidden error or None)} for the notebook's table."""
    import nbformat

    template = cells.template(nbformat.read(course.source(name), as_version=4))
    answers = {c["grade_id"]: c["source"] for c in template if c["kind"] == "answer"}
    tests = {c["grade_id"]: cells.split(c["source"]) for c in template if c["kind"] == "test"}
    box = sandbox.Sandbox(sandbox.Limits(timeout=120), sandboxed=False)
    results = {}
    try:
        for c in template:
            code = cells.split(c["source"])[0] if c["kind"] == "test" else c["source"]
            reply = box.run({"code": code}, 300)
            assert reply["error"] is None, f"{name}: the solution fails in {c['grade_id']}: {reply['error']}"
        for m in table(name):
            assert m.old in answers[m.cell], f"{name} {m.name}: {m.old!r} is not in the answer {m.cell}"
            box.run({"code": answers[m.cell].replace(m.old, m.new, 1)}, 120)
            visible, hidden = tests[m.test]
            results[m.name] = (box.run({"code": visible}, 120)["error"], box.run({"code": hidden}, 120)["error"])
            box.run({"code": answers[m.cell]}, 120)
    finally:
        box.close()
    return results


@pytest.fixture(scope="module")
def caught():
    names = [name for name in NAMES if table(name)]
    with ThreadPoolExecutor(max_workers=2) as pool:  # each notebook runs in a process of its own
        return dict(zip(names, pool.map(run, names)))


@pytest.mark.parametrize("name", NAMES)
def test_every_exercise_has_its_mistakes_listed(name):
    import nbformat

    template = cells.template(nbformat.read(course.source(name), as_version=4))
    graded = {c["grade_id"] for c in template if c["kind"] == "test"}
    listed = {m.test for m in table(name)}
    assert graded <= listed, f"{name}: no mistake listed for {graded - listed}"


@pytest.mark.parametrize("name", NAMES)
def test_each_mistake_fails_its_visible_check_with_its_hint_and_its_hidden_tests(caught, name):
    if name not in caught:
        pytest.fail(f"{name} has no table of mistakes")
    for m in table(name):
        visible, hidden = caught[name][m.name]
        assert hidden, f"{name} {m.name}: the hidden tests do not catch it"
        if m.hint is not None:
            assert visible and "likely bug" in visible and m.hint in visible, \
                f"{name} {m.name}: the visible check should name the mistake ({m.hint!r}); it said {visible!r}"


def test_the_visible_checks_name_nine_in_ten_mistakes():
    every = [m for name in NAMES for m in table(name)]
    assert every and sum(m.hint is not None for m in every) >= 0.9 * len(every)
