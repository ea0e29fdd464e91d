"""Grade a folder or zip of submissions: grades.csv, feedback, a class summary and a gradebook.

    python -m tools.grade SUBMISSIONS [--out grades] [--jobs 2] [--shard K/N]

SUBMISSIONS holds one folder per student (as LMS downloads give), or flat files named
``<student>_<anything>.ipynb``. A notebook is recognised by its graded cells, so Colab's
"Copy of 01_toy_gan.ipynb" and other renamings are fine, and a student may hand in several.

How a notebook is graded, and why a student who has read this file cannot raise their grade:
- The notebook that runs is the course's, with the student's answer cells in place
  (``course_lib.cells``, the same rule ``submit.check()`` uses). Editing, re-tagging or
  reordering the other cells changes nothing.
- It runs in a sandbox (``tools.grading.sandbox``): no view of the course, the submissions or the
  output, no network, its own processes, and limits on time, memory, processes and output.
- The student's process only produces data: what each check saw. The points are decided here,
  outside it, by comparing that record with the record of the instructor's solution
  (``tools.grading.verdict``). The hidden tests enter the sandbox without their expected values,
  after every visible check has run, and nothing the sandbox says about them is shown.
"""
import argparse
import hashlib
import json
import os
import sys
import tempfile
import zipfile
from concurrent.futures import ProcessPoolExecutor

import nbformat
import torch

import course_lib
from course_lib import cells
from tools import course
from tools.grading import blind, sandbox, verdict
from tools.grading.report import write_outputs

MAX_UNZIPPED = 2 << 30  # bytes: a larger zip of submissions is refused, not unpacked
UNSAFE = """WARNING: --unsafe-no-sandbox: student code runs as you, on this machine, with your files and
your network. It can read and change anything you can (the solutions, other students' work, your
home), leave processes running and forge its own grade. Use it only for code you trust."""


def templates():
    """{assignment: the template of its source notebook}, with solutions and hidden tests."""
    return {name: cells.template(nbformat.read(course.source(name), as_version=4)) for name in course.assignments()}


def steps(template, found, reference):
    """What the sandbox runs for one notebook, in order.

    First the notebook as the course has it: provided code, the answers, the visible part of each
    test (after which the namespace is saved). Then the hidden parts, each in the namespace its
    visible part left: as written for the reference run, without expected values for a student.
    Each test part starts from a seed of its own, so that its random inputs do not depend on
    what the student's code drew before it.
    """
    first, last, modules = [], [], blind.modules(template)
    for kind, gid, code in cells.assemble(template, found):
        if kind != "test":
            first.append({"role": kind, "gid": gid, "code": code})
            continue
        visible, hidden = cells.split(code)
        at = len(first)  # also the seed of the test's random inputs, the same in both runs
        first.append({"role": "visible", "gid": gid, "code": visible, "save": at if hidden else None, "seed": at})
        if hidden:
            last.append({"role": "hidden", "gid": gid, "restore": at, "seed": 10_000 + at,
                         "code": hidden if reference else blind.blind(hidden, modules)})
    return first + last


def execute(plan, limits, reference=False, sandboxed=True):
    """Run the plan; one reply per step: {"error": str or None, "record": [...]}, plus "died".

    When the sandbox dies (a crash, os._exit, a limit, the timeout) the step that killed it fails
    alone: a new sandbox replays the steps before it, except the hidden ones, and grading goes on.
    """
    replies, killers, i = [None] * len(plan), set(), 0
    while i < len(plan):
        box = sandbox.Sandbox(limits, reference=reference, sandboxed=sandboxed)
        try:
            for j in range(i):
                if plan[j]["role"] != "hidden" and j not in killers:
                    box.run(_request(plan[j]), limits.timeout)
            while i < len(plan):
                replies[i] = box.run(_request(plan[i]), limits.timeout)
                i += 1
        except sandbox.Died as died:
            replies[i] = {"error": f"the sandbox stopped: {died}", "record": [], "died": True}
            killers.add(i)
            i += 1
        finally:
            box.close()
    return replies


def _request(step):
    return {"code": step["code"], "save": step.get("save"), "restore": step.get("restore"), "seed": step.get("seed")}


# --------------------------------------------------------------------------- the reference run


def fingerprint(name):
    """What the reference of an assignment depends on: its source, course_lib, the grader, torch."""
    h = hashlib.sha256(torch.__version__.encode())
    lib = os.path.dirname(os.path.abspath(course_lib.__file__))
    here = os.path.dirname(os.path.abspath(verdict.__file__))
    files = [course.source(name)] + [os.path.join(here, f) for f in ("runner.py", "verdict.py")]
    for parent, _, names in sorted(os.walk(lib)):
        files += [os.path.join(parent, n) for n in sorted(names) if n.endswith((".py", ".pt"))]
    for path in files:
        with open(path, "rb") as f:
            h.update(path.encode() + b"\0" + f.read())
    return h.hexdigest()[:20]


def reference(name, template, limits, cache, sandboxed=True):
    """The records of the instructor's solution, one per step; computed once, then read from cache."""
    path = os.path.join(cache, f"{name}-{fingerprint(name)}.json")
    if os.path.isfile(path):
        with open(path) as f:
            return json.load(f)
    found = {c["grade_id"]: (c["source"], "metadata") for c in template if c["kind"] == "answer"}
    plan = steps(template, found, reference=True)
    replies = execute(plan, limits, reference=True, sandboxed=sandboxed)
    for step, reply in zip(plan, replies):  # the solution must pass its own checks
        wrong = verdict.first_disagreement(reply["record"], reply["record"])
        if reply["error"] or wrong is not None:
            raise RuntimeError(f"{name}: the solution itself fails in the {step['role']} cell {step['gid']}: "
                               f"{reply['error'] or f'its check {wrong} fails'}")
    ref = [{"role": s["role"], "gid": s["gid"], "record": r["record"]} for s, r in zip(plan, replies)]
    os.makedirs(cache, exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(ref, f)
    os.replace(path + ".tmp", path)
    return ref


def default_cache():
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gan-course", "reference")


# --------------------------------------------------------------------------- one notebook


HIDDEN_FAILED = ("a hidden test failed: on new inputs, the function (or one it calls) gave a wrong result "
                 "or an error")
UNWRITTEN = "not written yet"  # in the message of a stub that still raises NotImplementedError


def judge(template, plan, replies, ref, found):
    """The exercises of one notebook: [{id, score, max, status, message, check}]."""
    by_step = {(s["role"], s["gid"]): (r, ref_r["record"]) for s, r, ref_r in zip(plan, replies, ref)}
    answers_of = {}  # the answer cell each test depends on: the last one before it
    last_answer = None
    for c in template:
        if c["kind"] == "answer":
            last_answer = c["grade_id"]
        elif c["kind"] == "test":
            answers_of[c["grade_id"]] = last_answer
    exercises = []
    for c in template:
        if c["kind"] != "test":
            continue
        gid, pts = c["grade_id"], float(c["points"])
        result = {"id": gid, "score": 0.0, "max": pts, "status": "failed", "message": None, "check": None}
        answer = answers_of[gid]
        reply, expected = by_step[("visible", gid)]
        at = verdict.first_disagreement(expected, reply["record"])
        if answer is not None and found[answer][1] == "missing":
            result.update(status="missing", message=f"no answer cell `{answer}` was found: this needs manual grading")
        elif reply["error"] or at is not None:
            if reply["error"] and UNWRITTEN in reply["error"].splitlines()[0]:
                result["check"] = "(not attempted: the stub still raises NotImplementedError)"
            elif at is not None and at < len(expected):
                result["check"] = expected[at]["what"]
            result["status"] = "error" if reply.get("died") else "failed"
            result["message"] = reply["error"] if reply["error"] else verdict.message(
                expected[at], reply["record"][at] if at < len(reply["record"]) else None)
        elif ("hidden", gid) in by_step:
            hidden, expected = by_step[("hidden", gid)]
            if hidden["error"] or verdict.first_disagreement(expected, hidden["record"]) is not None:
                result["message"] = HIDDEN_FAILED
                if hidden.get("died"):
                    result.update(status="error", message=hidden["error"] + " while the hidden tests ran")
            else:
                result.update(score=pts, status="passed")
        else:
            result.update(score=pts, status="passed")
        exercises.append(result)
    return exercises


def grade(student, path, name, template, ref, limits, sandboxed=True):
    """Grade one notebook; returns its record for ``tools.grading.report``."""
    record = {"student": student, "notebook": name, "file": os.path.basename(path), "manual": False,
              "notes": [], "exercises": []}
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:
        record["manual"] = True
        record["notes"].append(f"The file could not be read as a notebook ({type(err).__name__}); "
                               "it needs manual grading.")
        record["exercises"] = unscored(template)
        return record
    found = cells.answers(nb, template)
    for gid, (_, how) in found.items():
        if how == "retyped":
            record["notes"].append(f"`{gid}`: the cell had lost its nbgrader metadata (retyped?); "
                                   "it was found by the functions it defines and graded.")
        elif how == "missing":
            record["manual"] = True
    plan = steps(template, found, reference=False)
    try:
        record["exercises"] = judge(template, plan, execute(plan, limits, sandboxed=sandboxed), ref, found)
    except Exception as err:  # a fault of the grader on this notebook: the others are still graded
        record["manual"] = True
        record["notes"].append(f"The grader failed on this notebook ({type(err).__name__}: {str(err)[:200]}); "
                               "it needs manual grading.")
        record["exercises"] = unscored(template)
    return record


def unscored(template):
    return [{"id": c["grade_id"], "score": 0.0, "max": float(c["points"]), "status": "missing", "message": None,
             "check": None} for c in template if c["kind"] == "test"]


def _grade_job(job):
    return grade(*job)


def _reference_job(job):
    return reference(*job)


# --------------------------------------------------------------------------- a class


def discover(folder):
    """(student, path) for every notebook under folder: one sub-folder per student, or flat files."""
    found = []
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if os.path.isdir(path):
            for parent, _, files in sorted(os.walk(path)):
                found += [(entry, os.path.join(parent, f)) for f in sorted(files) if f.endswith(".ipynb")
                          and ".ipynb_checkpoints" not in parent]
        elif entry.endswith(".ipynb"):
            found.append((entry.split("_", 1)[0] if "_" in entry else entry[:-6], path))
    return found


def shard(found, k, n):
    """The K-th of N slices (1 <= K <= N), by student, so that a student's notebooks stay together."""
    students = sorted({s for s, _ in found})
    mine = set(students[k - 1::n])
    return [(s, p) for s, p in found if s in mine]


def _shard_arg(text):
    try:
        k, n = (int(v) for v in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard takes K/N, such as 2/4; got {text!r}") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"--shard K/N needs 1 <= K <= N; got {text!r}")
    return k, n


def unpack(path, into):
    with zipfile.ZipFile(path) as z:
        size = sum(i.file_size for i in z.infolist())
        if size > MAX_UNZIPPED:
            raise SystemExit(f"{path} would unpack to {size >> 20} MB, over the {MAX_UNZIPPED >> 20} MB limit")
        z.extractall(into)  # extractall drops absolute paths and '..' from the names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", help="a folder or a .zip of submissions")
    parser.add_argument("--out", default="grades", help="where grades.csv, feedback/ and summary.md go")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks graded in parallel")
    parser.add_argument("--timeout", type=int, default=60, help="wall seconds per cell (default 60)")
    parser.add_argument("--memory-mb", type=int, default=3000, help="memory of each sandbox (default 3000)")
    parser.add_argument("--shard", type=_shard_arg, default=(1, 1), metavar="K/N",
                        help="grade only the K-th of N slices of the students (merge with tools.grading.merge)")
    parser.add_argument("--cache", default=default_cache(), help="where the solution's reference records are kept")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="run student code without bubblewrap (trusted code only; see the warning it prints)")
    args = parser.parse_args(argv)
    sandboxed = not args.unsafe_no_sandbox
    if sandboxed:
        why = sandbox.available()
        if why:
            sys.exit(f"The grader needs its sandbox and cannot start it: {why}.\n"
                     "Install bubblewrap and allow user namespaces, or, for code you trust only, "
                     "pass --unsafe-no-sandbox.")
    else:
        print(UNSAFE, file=sys.stderr)
    limits = sandbox.Limits(timeout=args.timeout, memory_mb=args.memory_mb)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.submissions
        if zipfile.is_zipfile(folder):
            unpack(folder, tmp)
            folder = tmp
        elif not os.path.isdir(folder):
            parser.error(f"{folder} is neither a folder nor a zip file")
        sources = templates()
        jobs, skipped = [], []
        for student, path in shard(discover(folder), *args.shard):
            try:
                nb = nbformat.read(path, as_version=4)
                name = cells.identify(nb, sources, os.path.basename(path))
            except Exception:
                name = next((n for n in sources if n in os.path.basename(path)), None)
            (jobs.append((student, path, name)) if name else skipped.append(path))
        names = sorted({name for _, _, name in jobs})
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            refs = dict(zip(names, pool.map(_reference_job, [(n, sources[n], limits, args.cache, sandboxed)
                                                             for n in names])))
            records = list(pool.map(_grade_job, [(s, p, n, sources[n], refs[n], limits, sandboxed)
                                                 for s, p, n in jobs]))
        write_outputs(records, args.out)
    for path in skipped:
        print(f"not graded (no assignment recognised): {path}")
    print(f"graded {len(records)} notebooks of {len({r['student'] for r in records})} students -> "
          f"{os.path.join(args.out, 'grades.csv')}")
    return records


if __name__ == "__main__":
    main()
