"""The mistakes students make, one table per notebook, applied to the solution by tests/test_mistakes.py.

Each module ``tests/mistakes/NN_slug.py`` holds ``MISTAKES``: a list of ``Mistake``. A mistake edits
one answer cell of the solution (``old`` -> ``new``, the edit must apply) and names the graded test
that must catch it and the words its visible check's "likely bug" line must contain (``hint``).
Every mistake has a hint: one that only the hidden tests can catch would be a check the student
saw pass turning into lost points, so the visible check that catches it is written first.
"""
from collections import namedtuple

Mistake = namedtuple("Mistake", "name cell old new test hint")
