"""The mistakes students make are caught: by the visible check, with a "likely bug" line that names
them, and by the grader's hidden tests.

The rule: no check the student sees pass (a ✓ from ``submit.check()``) turns into a loss of points
in the grader. So every mistake in the bank must fail its visible check with a "likely bug" line
holding its ``hint``, and the hidden tests must catch it too; they are then a guard against
hard-coding, not against mistakes the student could have been told about.

The harness: one kernel per notebook runs the solution as the grader does (training skipped);
then, for each mistake in ``tests/mistakes/NN_slug.py``, the broken answer replaces the solution,
its test's visible part and its hidden part (with its expected values, unblinded) run in that
same kernel, and the solution is put back. This is not quite the grader: the grader runs a
student's notebook in a kernel of its own, each test part from a seed of its own, the hidden
parts blinded, and judges both parts against the values the solution recorded in its own run
(``tools.grading.verdict``), not against what the checks compute in the student's kernel. Where
a visible check fails in the student's kernel, the grader's feedback is that failure's message,
so the likely-bug line asserted here is the one the student reads in both places. But a check
whose expected value depends on what the student's code did (random draws it consumed, say)
can pass here and in ``submit.check()`` and still fail in the grader, with the solution's hint;
``tests/test_hidden_seeds.py`` runs the grader's plan and verdict on correct answers to find those.

Where a test has a rerun with stand-ins (``tools/grading/standins.py``), the harness runs it too,
as the grader does, in a copy of the namespace, and compares it with the solution's rerun by the
grader's verdict: a mistake in the exercise itself must fail it (or the grader would give the
points back), and a later exercise whose check a mistake fails must pass it (it keeps its points).
"""
import importlib
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

import pytest

from alternatives import in_solution
from conftest import selected
from course_lib import cells
from tools import course
from tools.grading import plan, sandbox, verdict

NAMES = course.assignments()
# how one mistake fares: the errors of its own test's visible and hidden parts; the visible error of each
# later test; whether its own test's rerun with stand-ins matches the solution's (None: the test has none);
# and, for each later test that failed, whether its rerun matches, so that it keeps its points
Caught = namedtuple("Caught", "visible hidden later rerun later_reruns")


def table(name):
    try:
        return importlib.import_module(f"mistakes.{name}").MISTAKES
    except ModuleNotFoundError:
        return []


RERUN = 1_000_000  # the slot the harness saves the namespace in before a rerun with stand-ins


def run(name):
    """{mistake name: Caught}: how its own test and every later one fare with the mistake in place."""
    import nbformat

    template = cells.template(nbformat.read(course.source(name), as_version=4))
    answers = {c["grade_id"]: c["source"] for c in template if c["kind"] == "answer"}
    tests = {c["grade_id"]: cells.split(c["source"]) for c in template if c["kind"] == "test"}
    order = list(tests)
    found = {gid: (source, "metadata") for gid, source in answers.items()}
    reruns = {s["gid"]: s for s in plan.steps(name, template, found, reference=True) if s["role"] == "rerun"}
    box = sandbox.Sandbox(sandbox.Limits(timeout=120), reference=True, sandboxed=False)

    def rerun(gid):
        """The record of the test's rerun with stand-ins, in a copy of the namespace as it is; None on an error."""
        box.run({"code": "pass", "save": RERUN}, 120)
        reply = box.run({**plan.request(reruns[gid]), "restore": RERUN}, 120)
        return None if reply["error"] else reply["record"]

    def matches(gid, solution):
        record = rerun(gid)
        return record is not None and verdict.first_disagreement(solution[gid], record, rerun=True) is None

    results = {}
    try:
        for c in template:
            code = cells.split(c["source"])[0] if c["kind"] == "test" else c["source"]
            reply = box.run({"code": code}, 300)
            assert reply["error"] is None, f"{name}: the solution fails in {c['grade_id']}: {reply['error']}"
        solution = {gid: rerun(gid) for gid in reruns}
        assert None not in solution.values(), f"{name}: the solution fails a rerun with stand-ins: {solution}"
        for m in table(name):
            assert m.old in answers[m.cell], f"{name} {m.name}: {m.old!r} is not in the answer {m.cell}"
            box.run({"code": answers[m.cell].replace(m.old, m.new, 1)}, 120)
            visible, hidden = (box.run({"code": code}, 120)["error"] for code in tests[m.test])
            later = {gid: box.run({"code": tests[gid][0]}, 120)["error"] for gid in order[order.index(m.test) + 1:]}
            results[m.name] = Caught(
                visible, hidden, later, matches(m.test, solution) if m.test in reruns else None,
                {gid: gid in reruns and matches(gid, solution) for gid, error in later.items() if error})
            box.run({"code": answers[m.cell] + "\nchecks.failed.clear()"}, 120)
    finally:
        box.close()
    return results


@pytest.fixture(scope="module")
def caught(request):
    """{notebook: run(notebook)} for the notebooks whose test was selected (all, if none was)."""
    names = [name for name in selected(request) or NAMES if table(name)]
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
def test_each_mistake_edits_the_solution_code(name):
    import nbformat

    answers = {c["grade_id"]: c["source"] for c in cells.template(nbformat.read(course.source(name), as_version=4))
               if c["kind"] == "answer"}
    astray = [m.name for m in table(name) if not in_solution(answers.get(m.cell, ""), m.old)]
    assert not astray, f"{name}: mistakes whose old text is not first found in their cell's solution code " \
                       f"(a docstring, say, or another cell): {astray}"


@pytest.mark.parametrize("name", NAMES)
def test_each_mistake_has_a_name_of_its_own(name):
    names = [m.name for m in table(name)]
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"{name}: two mistakes share a name (the results are kept by name): {twice}"


@pytest.mark.parametrize("name", NAMES)
def test_every_mistake_has_a_hint(name):
    vague = [m.name for m in table(name) if not (isinstance(m.hint, str) and m.hint.strip())]
    assert not vague, f"{name}: mistakes without the words their visible check's likely-bug line must hold: {vague}"


def likely_bug(error):
    """The "likely bug: ..." line of a failed check's message ("" when there is none)."""
    lines = [line.strip() for line in (error or "").splitlines()]
    return next((line for line in lines if line.startswith("likely bug:")), "")


def named(mistake, visible):
    """Did the visible check fail with a likely-bug line that names the mistake?"""
    return bool(visible) and bool(mistake.hint) and mistake.hint in likely_bug(visible)


def verdicts(name, results):
    """[(mistake, what is wrong with how it is caught, or None)] for one notebook."""
    out = []
    for m in table(name):
        visible, hidden = results[m.name].visible, results[m.name].hidden
        if not visible:
            wrong = f"it passes its visible check {m.test}: a ✓ that the hidden tests turn into ✗"
        elif not named(m, visible):
            wrong = f"its visible check should name it ({m.hint!r}) in its likely-bug line; it said {visible!r}"
        elif not hidden:
            wrong = "the hidden tests do not catch it"
        elif results[m.name].rerun:
            wrong = "its test's rerun with stand-ins matches the solution's: the grader would give it full marks"
        else:
            wrong = None
        out.append((m, wrong))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_each_mistake_fails_its_visible_check_with_its_hint_and_its_hidden_tests(caught, name):
    if name not in caught:
        pytest.fail(f"{name} has no table of mistakes")
    wrong = [f"{m.name!r} ({m.test}): {why}" for m, why in verdicts(name, caught[name]) if why]
    if wrong:
        pytest.fail(f"{name}: {len(wrong)} of {len(table(name))} mistakes are not caught as they should be\n"
                    + "\n".join(wrong))


@pytest.mark.slow
def test_the_visible_checks_name_every_mistake_of_the_bank(caught, capsys):
    """The rule for the whole bank, with the share of mistakes named, printed for the record."""
    rows = []
    for name, results in caught.items():
        rows.append((name, sum(named(m, results[m.name].visible) for m in table(name)), len(table(name))))
    hits, total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    with capsys.disabled():
        print("\nmistakes whose visible check names them, by notebook:")
        for name, k, n in rows:
            print(f"  {name}: {k}/{n}")
        print(f"  all: {hits}/{total} ({100 * hits / max(total, 1):.1f}%)")
    assert total and hits == total, f"{total - hits} of {total} mistakes are not named by their visible check"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_later_check_that_a_mistake_fails_says_where_the_bug_is(caught, name):
    """A mistake in one exercise can fail the check of a later one that runs it (a training step runs the
    loss): that check's message then says "but first", naming the function whose own check failed."""
    if name not in caught:
        pytest.fail(f"{name} has no table of mistakes")
    silent = [f"{m.name!r} ({m.test}) fails {gid} with no 'but first' line: {error!r}"
              for m in table(name) for gid, error in caught[name][m.name].later.items()
              if error and "\n  but first: this check also runs your " not in error]
    assert not silent, "\n".join(silent)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_mistake_costs_no_later_exercise_its_points(caught, name):
    """Where a mistake fails a later exercise's check too, that exercise's rerun with stand-ins in place of
    the mistaken function matches the solution's, so the grader gives the later exercise its points."""
    if name not in caught:
        pytest.fail(f"{name} has no table of mistakes")
    cascades = [f"{m.name!r} ({m.test}) costs {gid} its points" for m in table(name)
                for gid, kept in caught[name][m.name].later_reruns.items() if not kept]
    assert not cascades, "\n".join(cascades)
