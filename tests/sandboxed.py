"""Grading in a throwaway copy of the course, so that a hostile submission can never touch the repository."""
import hashlib
import os
import shutil
import subprocess
import sys

from tools.course import ROOT


def course_copy(root):
    """A copy of what the grader needs (sources, student notebooks, course_lib, tools) under root/course."""
    course = root / "course"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for folder in ("solutions", "notebooks", "course_lib", "tools"):
        shutil.copytree(os.path.join(ROOT, folder), course / folder, ignore=skip)
    for name in ("nbgrader_config.py", "pyproject.toml"):
        shutil.copy(os.path.join(ROOT, name), course)
    return course


# The reference records of the solutions, kept for the whole test session (tests/conftest.py sets the
# folder): every copy of the course has the same files, so the same cache keys, and each notebook's
# reference is recorded once, by the first test that grades it, not once per test module.
shared_cache = None


def reference_cache(course):
    """The folder ``grade`` keeps the reference records of ``course`` in, unless it is given another."""
    return shared_cache or course.parent / "reference-cache"


def grade(course, submissions, out, *args, cache=None):
    """Run ``python -m tools.grade`` on the copy, as an instructor would; returns the CompletedProcess."""
    env = dict(os.environ, PYTHONPATH=str(course))
    env.pop("NBGRADER_EXECUTION", None)
    cache = cache or reference_cache(course)
    return subprocess.run([sys.executable, "-m", "tools.grade", str(submissions), "--out", str(out),
                           "--cache", str(cache), *args], cwd=course, env=env, capture_output=True, text=True,
                          timeout=1800)


def snapshot(*folders):
    """{path: sha256} of every file under the folders: what changed if two snapshots differ."""
    seen = {}
    for folder in folders:
        for parent, _, files in os.walk(folder):
            for name in files:
                path = os.path.join(parent, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    with open(path, "rb") as f:
                        seen[path] = hashlib.sha256(f.read()).hexdigest()
    return seen
