"""Correct answers written another way, one table per notebook, graded by tests/test_alternatives.py.

Each module ``tests/alternatives/NN_slug.py`` holds ``ALTERNATIVES``: a list of ``Alternative``. An
alternative edits one answer cell of the solution (``old`` -> ``new``, the edit must apply) into an
answer that differs from the solution in a way the exercise's docstring allows (another order of
layers or random draws, another formula for the same function, another library call), and names the
graded test that must still give it full marks and why it is correct (``why``).
"""
from collections import namedtuple

Alternative = namedtuple("Alternative", "name cell old new test why")
