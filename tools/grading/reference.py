"""The reference records: the instructor's solution run through the plan, once, then read from a cache.

The cache key (``fingerprint``) covers everything that shapes a record, so that an update of the
course or of the grader never reads a record made before it.
"""
import fcntl
import hashlib
import json
import os
import sys

import numpy
import torch

import course_lib
from tools import course
from tools.grading import sandbox, verdict
from tools.grading.execute import execute
from tools.grading.plan import steps

# The grader's modules that only write or merge the outputs after the verdict: no record depends on them
OUTPUT_ONLY = ("report.py", "merge.py")


def fingerprint(name):
    """A hash of everything the reference records of an assignment depend on, the key of their cache.

    Its source notebook; the plan and how it runs: tools/grade.py and every module of tools/grading
    (the plan, the sandbox, the runner, the blinding, the verdict) but those that only write the outputs;
    course_lib's code and weights; and the versions of Python, torch and numpy. Each file counts by
    its contents and its name within the course, not where the course lies: a copy or a moved
    course keeps its cache.
    """
    h = hashlib.sha256(f"{sys.version} torch {torch.__version__} numpy {numpy.__version__}".encode())
    lib = os.path.dirname(os.path.abspath(course_lib.__file__))
    here = os.path.dirname(os.path.abspath(sandbox.__file__))
    files = [(f"solutions/{name}", course.source(name)),
             ("tools/grade.py", os.path.join(os.path.dirname(here), "grade.py"))]
    files += [(f"tools/grading/{f}", os.path.join(here, f)) for f in sorted(os.listdir(here))
              if f.endswith(".py") and f not in OUTPUT_ONLY]
    for parent, _, names in sorted(os.walk(lib)):
        files += [("course_lib/" + os.path.relpath(os.path.join(parent, n), lib), os.path.join(parent, n))
                  for n in sorted(names) if n.endswith((".py", ".pt"))]
    for label, path in files:
        with open(path, "rb") as f:
            h.update(label.encode() + b"\0" + f.read())
    return h.hexdigest()[:20]


def records(name, template, limits, cache, sandboxed=True):
    """The records of the instructor's solution, one per step; computed once, then read from cache."""
    path = os.path.join(cache, f"{name}-{fingerprint(name)}.json")
    if os.path.isfile(path):
        return _read(path)
    os.makedirs(cache, exist_ok=True)
    # Graders that share a cache (the shards of a class on one machine) record each solution once:
    # the first takes the lock and records it, the others wait for it and read what it wrote.
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isfile(path):
            return _read(path)
        return _record(path, name, template, limits, sandboxed)


def _read(path):
    with open(path) as f:
        return json.load(f)


def _record(path, name, template, limits, sandboxed):
    found = {c["grade_id"]: (c["source"], "metadata") for c in template if c["kind"] == "answer"}
    plan = steps(name, template, found, reference=True)
    replies = execute(plan, limits, reference=True, sandboxed=sandboxed)
    for step, reply in zip(plan, replies):  # the solution must pass its own checks (and match itself in a rerun)
        wrong = verdict.first_disagreement(reply["record"], reply["record"], rerun=step["role"] == "rerun")
        if reply["error"] or wrong is not None:
            raise RuntimeError(f"{name}: the solution itself fails in the {step['role']} cell {step['gid']}: "
                               f"{reply['error'] or f'its check {wrong} fails'}")
    ref = [{"role": s["role"], "gid": s["gid"], "record": r["record"]} for s, r in zip(plan, replies)]
    with open(path + ".tmp", "w") as f:
        json.dump(ref, f)
    os.replace(path + ".tmp", path)
    return ref


def default_cache():
    """~/.cache/gan-course/reference, or under $XDG_CACHE_HOME."""
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gan-course", "reference")

