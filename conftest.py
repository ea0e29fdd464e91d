"""Shared by the unit tests (tests/) and the notebook runs (nbval over solutions/).

Everything under pytest runs in smoke mode: notebooks train for a handful of steps.
"""
import os

os.environ["GAN_COURSE_MODE"] = "smoke"
os.environ.setdefault("MPLBACKEND", "Agg")
# one torch thread per process: a notebook under test runs beside its JupyterLab server and browser
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.pop("NBGRADER_EXECUTION", None)
