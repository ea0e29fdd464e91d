"""Shared by the unit tests (tests/) and the notebook runs (nbval over solutions/).

Everything under pytest runs in smoke mode: notebooks train for a handful of steps.
"""
import os

os.environ["GAN_COURSE_MODE"] = "smoke"
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.pop("NBGRADER_EXECUTION", None)
