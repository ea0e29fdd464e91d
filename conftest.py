"""Shared by the unit tests (tests/) and the notebook runs (nbval over solutions/).

Everything under pytest runs in smoke mode: notebooks train for a handful of steps.
"""
import os

import pytest

os.environ["GAN_COURSE_MODE"] = "smoke"
os.environ.setdefault("MPLBACKEND", "Agg")
# one torch thread per process: a notebook under test runs beside its JupyterLab server and browser
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.pop("NBGRADER_EXECUTION", None)

# The slow tier: what starts a Jupyter kernel, a JupyterLab or pip, or runs a notebook, found with
# `pytest --durations=0`. `make unit` leaves it out (-m "not slow"); `make test` runs everything.
# Each slow test is marked where it is written (@pytest.mark.slow, or pytestmark for a whole
# file), so that it stays slow whatever it is renamed to; every nbval cell of solutions/*.ipynb
# is marked here.


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
