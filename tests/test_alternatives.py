"""The bank of correct answers written another way (``tests/alternatives``) is well formed.

Each graded exercise has at least two alternatives; each edits the answer cell its test grades,
applies, changes something, says why it is correct and compiles. ``tests/test_hidden_seeds.py``
then runs every alternative as the grader does: each must keep full marks, and pass the hidden
tests under other seeds too.
"""

import pytest

from alternatives import edited, graded_by, table
from conftest import read
from course_lib import cells
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
