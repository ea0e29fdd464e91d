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
# Every nbval cell of solutions/*.ipynb is slow too. Mark a test here, not in its file, so that
# the whole tier can be read in one place: by its file's name, or by its function's name.
SLOW_FILES = {
    "test_student_copy.py",  # pip install of the student bundle, then a notebook in a kernel
    "test_grade.py",  # the grader on its bank of honest and hostile submissions, each in its own sandbox
    "test_grading.py",  # the round trip of all nine notebooks, and nbgrader's autograde of one
    "test_install_cell.py",  # a fresh virtual environment, then the install cell's pip install in IPython
    "test_resume.py",  # three kernels per notebook: straight through, killed halfway, resumed
    "test_full_mode.py",  # all nine notebooks in full mode at full size, two kernels at a time
    "test_install.py",  # uv resolves the development set from PyPI for every supported Python
}
SLOW_TESTS = {
    "test_widget_in_jupyterlab",  # test_browser.py: JupyterLab, Chromium and a kernel
    # test_release.py: its fixture runs nbgrader generate_assignment once per notebook (about a minute)
    "test_committed_student_notebook_matches_a_fresh_release",
    # test_submit.py: each runs a notebook in a kernel
    "test_a_complete_notebook_passes", "test_a_failing_check_is_reported_with_its_message",
    "test_it_runs_what_the_grader_runs",
    # test_device.py: notebooks in a kernel under the device tracker
    "test_the_notebook_keeps_its_tensors_on_the_device", "test_a_notebook_that_leaves_its_noise_on_the_cpu_fails",
    # test_mistakes.py: one kernel per notebook runs the solution, then each mistake
    "test_each_mistake_fails_its_visible_check_with_its_hint_and_its_hidden_tests",
    "test_the_visible_checks_name_every_mistake_of_the_bank",
    # test_alternatives.py: one tools.grade run over every round of correct alternatives
    "test_each_alternative_keeps_full_marks",
    # test_hidden_seeds.py: a kernel per notebook and per round of alternatives, each hidden part under 3 seeds
    "test_the_hidden_tests_pass_every_correct_answer_under_three_seeds",
    "test_student_package_builds_with_its_data_and_the_student_url",  # test_release.py: pip wheel
    "test_gradebook_holds_the_assignments_and_exports_with_nbgrader",  # test_report.py: nbgrader export
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = getattr(item, "originalname", item.name)  # without the [parameters]
        if item.path.suffix == ".ipynb" or item.path.name in SLOW_FILES or name in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
