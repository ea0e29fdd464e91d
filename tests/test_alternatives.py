"""Correct answers written another way keep full marks with the grader.

Every alternative in ``tests/alternatives/NN_slug.py`` (at least two per graded exercise) goes
through ``python -m tools.grade``, sandboxed, in a throwaway copy of the course, exactly as a
student's notebook would. To keep it cheap the alternatives travel in rounds
(``alternatives.rounds``): round k of a notebook is one submission, the solution's answers with
the k-th alternative of each answer cell in place, so two alternatives of one cell never meet.
One run of the grader takes every round of every selected notebook.

Each alternative must score full marks on its own exercise, and its round on every exercise of
the notebook (an alternative of ``sample_noise`` is also used by ``train_step``). A hidden test
that fails says only "a hidden test failed"; ``python -m tools.bench.hidden_seeds NN_slug``
names the check.
"""
import json

import nbformat
import pytest

from alternatives import edited, graded_by, rounds, table
from conftest import complete, grade_id, read, selected
from course_lib import cells
from sandboxed import course_copy, grade
from tools import course as layout

NAMES = layout.assignments()


def template(name):
    return cells.template(read(layout.source(name)))


@pytest.mark.parametrize("name", NAMES)
def test_every_exercise_has_two_alternatives(name):
    listed = [a.test for a in table(name)]
    few = {test: listed.count(test) for test in graded_by(template(name)) if listed.count(test) < 2}
    assert not few, f"{name}: exercises with fewer than two correct alternatives (test: how many): {few}"


@pytest.mark.parametrize("name", NAMES)
def test_each_alternative_edits_the_cell_its_test_grades(name):
    answers = {c["grade_id"]: c["source"] for c in template(name) if c["kind"] == "answer"}
    by = graded_by(template(name))
    names = [a.name for a in table(name)]
    assert len(names) == len(set(names)), f"{name}: two alternatives share a name"
    for a in table(name):
        assert a.cell in answers, f"{name} {a.name!r}: {a.cell!r} is not an answer cell; there are {sorted(answers)}"
        assert by.get(a.test) == a.cell, \
            f"{name} {a.name!r}: {a.test!r} does not grade the cell {a.cell!r}; its tests are " \
            f"{sorted(t for t, c in by.items() if c == a.cell)}"
        assert a.why.strip(), f"{name} {a.name!r}: say why the answer is correct"
        new = edited(answers[a.cell], a)  # raises when the edit does not apply or changes nothing
        compile(new, f"{name}:{a.cell}", "exec")  # a SyntaxError names the alternative's cell


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory):
    """{(round student, notebook): (the round's alternatives, the grader's record)}.

    One grading run for every round of every notebook whose test was selected.
    """
    root = tmp_path_factory.mktemp("alternatives")
    course = course_copy(root)
    folder, out = root / "submissions", root / "grades"
    rounds_of = {}
    for name in selected(request):
        solved = complete(read(layout.student(name)), read(layout.source(name)))
        for k, alternatives in enumerate(rounds(table(name)), 1):
            nb = nbformat.from_dict(solved)
            for a in alternatives:
                cell = next(c for c in nb.cells if grade_id(c) == a.cell)
                cell.source = edited(cell.source, a)
            student = f"round{k}"
            (folder / student).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / student / f"{name}.ipynb")
            rounds_of[(student, name)] = alternatives
    if not rounds_of:
        return {}
    done = grade(course, folder, out, "--jobs", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    with open(out / "records.jsonl", encoding="utf-8") as f:
        records = {(r["student"], r["notebook"]): r for r in map(json.loads, f)}
    return {key: (alternatives, records.get(key)) for key, alternatives in rounds_of.items()}


def lost(record, besides=()):
    """What a graded notebook lost: one line per exercise short of full marks (but those in
    ``besides``), with its feedback, and the grader's notes."""
    lines = [f"{ex['id']} {ex['score']:g}/{ex['max']:g} ({ex['status']}): {ex['message']}"
             for ex in record["exercises"] if ex["score"] < ex["max"] and ex["id"] not in besides]
    return lines + [f"note: {note}" for note in record["notes"]]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_each_alternative_keeps_full_marks(graded, name):
    if not table(name):
        pytest.fail(f"{name} has no table of alternatives (tests/alternatives/{name}.py)")
    failures = []
    for (student, notebook), (alternatives, record) in graded.items():
        if notebook != name:
            continue
        if record is None:
            failures.append(f"{student}: the grader did not grade {name} (not recognised?)")
            continue
        score, named = {ex["id"]: ex for ex in record["exercises"]}, set()
        for a in alternatives:
            ex = score[a.test]
            if ex["score"] < ex["max"]:
                named.add(a.test)
                failures.append(f"{a.name!r} (cell {a.cell}) scores {ex['score']:g}/{ex['max']:g} on its exercise "
                                f"{a.test}: {ex['message']}")
        if lost(record, named) or record["manual"]:  # another exercise of the round lost points
            together = ", ".join(repr(a.name) for a in alternatives)
            failures.append(f"{student} of {name}, with the alternatives {together} in place, also loses points:\n  "
                            + "\n  ".join(lost(record, named)))
    if failures:
        pytest.fail(f"{name}: correct answers lose points\n" + "\n".join(failures))
