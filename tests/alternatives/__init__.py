"""Correct answers written another way, one table per notebook, graded by tests/test_hidden_seeds.py.

Each module ``tests/alternatives/NN_slug.py`` holds ``ALTERNATIVES``: a list of ``Alternative``. An
alternative edits one answer cell of the solution (``old`` -> ``new``, the edit must apply) into an
answer that differs from the solution in a way the exercise's docstring allows (another order of
layers or random draws, another formula for the same function, another library call), and names the
graded test that must still give it full marks and why it is correct (``why``).

The helpers below are shared by tests/test_alternatives.py (the tables are well formed),
tests/test_hidden_seeds.py and tools/bench/hidden_seeds.py (the grader gives every alternative full
marks, and the hidden tests pass them under many seeds).
"""
import importlib
from collections import namedtuple

Alternative = namedtuple("Alternative", "name cell old new test why")


def table(name):
    """The alternatives of notebook ``name`` (NN_slug); [] while it has no table."""
    try:
        return importlib.import_module(f"alternatives.{name}").ALTERNATIVES
    except ModuleNotFoundError as err:
        if err.name != f"alternatives.{name}":  # the table exists but imports something that does not
            raise
        return []


def graded_by(template):
    """{test grade_id: the answer cell it grades} of a template (``course_lib.cells.template``): the
    last answer cell before each test, as the grader reads it."""
    by, answer = {}, None
    for c in template:
        if c["kind"] == "answer":
            answer = c["grade_id"]
        elif c["kind"] == "test":
            by[c["grade_id"]] = answer
    return by


def in_solution(source, old):
    """Does the first occurrence of ``old`` in an answer cell lie between ``### BEGIN SOLUTION`` and
    ``### END SOLUTION``? An edit made first in the docstring (``str.replace`` edits the first) would
    leave the solution's code as it is and test nothing."""
    at = source.find(old)
    return at >= 0 and source.rfind("### BEGIN SOLUTION", 0, at) > source.rfind("### END SOLUTION", 0, at)


def edited(source, alternative):
    """The answer cell's source with the alternative's edit made.

    Raises ValueError when ``old`` is not in the cell's solution code (or is first found outside it), or
    when the edit leaves the cell as it was (an "alternative" identical to the solution tests nothing).
    """
    if not in_solution(source, alternative.old):
        raise ValueError(f"alternative {alternative.name!r}: {alternative.old!r} is not first found in the "
                         f"solution code of the answer cell {alternative.cell!r}")
    new = source.replace(alternative.old, alternative.new, 1)
    if new == source:
        raise ValueError(f"alternative {alternative.name!r} leaves the answer cell {alternative.cell!r} as it was")
    return new


def rounds(alternatives):
    """The alternatives in rounds: [[Alternative, ...], ...], round k holding the k-th of each answer cell.

    Two alternatives of one cell never share a round, so one submission per round puts every
    alternative in place once; there are as many rounds as the busiest cell has alternatives.
    """
    by_cell = {}
    for alternative in alternatives:
        by_cell.setdefault(alternative.cell, []).append(alternative)
    deepest = max((len(v) for v in by_cell.values()), default=0)
    return [[v[k] for v in by_cell.values() if k < len(v)] for k in range(deepest)]
