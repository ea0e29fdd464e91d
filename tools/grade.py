"""Grade a folder or zip of submissions: grades.csv, feedback, a class summary and a gradebook.

    python -m tools.grade SUBMISSIONS [--out grades] [--jobs 2] [--shard K/N]
                          [--timeout 60] [--notebook-budget 300] [--student-budget 900]

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
- Only regular files are read (no symbolic links, pipes or devices), up to a size no real
  notebook reaches, and only the notebooks of a zip are unpacked, under the same rules.
- The whole run is bounded: each cell by --timeout, each notebook (restarts after a crash
  included) by --notebook-budget and each student's notebooks together by --student-budget.
  What a budget cuts short scores 0 and is flagged for manual grading.
"""
import argparse
import hashlib
import json
import multiprocessing
import os
import stat
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor

import nbformat
import numpy
import torch

import course_lib
from course_lib import cells
from tools import course
from tools.grading import blind, sandbox, verdict
from tools.grading.report import write_outputs

# A notebook file over this size is not read. The largest notebook of the course, 02 executed with
# all its 37 outputs (figures as PNG), is 1.1 MB; a student's extra figures and logs stay far
# below 16 MB, while parsing stays under a second and a few hundred MB of memory at worst.
MAX_NOTEBOOK = 16 << 20  # bytes
# Nor is one whose cells, without their outputs (which grading never reads), hold more JSON
# values than this: 02 has 3,483, and nbformat takes about 10 us of conversion for each.
MAX_VALUES = 100_000
# Nor one with more code than this (characters, all code cells together): the largest of the
# course, 09, has 45,704. Finding a retyped answer cell parses every code cell with ast, which
# takes about 1.6 GB and a minute for 4 MB of code.
MAX_CODE = 512 << 10
MAX_UNZIPPED = 2 << 30  # bytes: a zip whose notebooks add up to more is refused, not unpacked
# The grader's modules that only write or merge the outputs after the verdict: no record depends on them
OUTPUT_ONLY = ("report.py", "merge.py")
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


class Budget:
    """The wall time one notebook may still take: its own budget, and what its student has left.

    A student's notebooks may be graded at once in several processes; the seconds each one takes
    add up in slot ``slot`` of ``spent``, an array those processes share (see ``_share``).
    """

    def __init__(self, notebook_s, student_s, spent, slot):
        self.notebook_s, self.student_s, self.spent, self.slot = notebook_s, student_s, spent, slot
        self.start = self.last = time.monotonic()
        self.student_ran_out = False

    def left(self):
        """Seconds left, <= 0 once a budget has run out; the time since the last call goes on the student's."""
        now = time.monotonic()
        with self.spent.get_lock():
            self.spent[self.slot] += now - self.last
            student = self.student_s - self.spent[self.slot]
        self.last = now
        notebook = self.notebook_s - (now - self.start)
        self.student_ran_out = student < notebook
        return min(notebook, student)

    def note(self):
        """What ran out, for the student's feedback."""
        what = (f"your notebooks together had used the {self.student_s:g} s of grading time each student has"
                if self.student_ran_out else
                f"this notebook had used its {self.notebook_s:g} s of grading time (restarts after a crash or a "
                "time limit included)")
        return (f"Grading stopped when {what}: the exercises whose tests had not all run by then score 0, "
                "and this notebook needs manual grading.")


class OutOfTime(Exception):
    """The budget ran out before a cell could run."""


OUT_OF_TIME = "not run: the time for grading this notebook ran out first"


def execute(plan, limits, reference=False, sandboxed=True, budget=None):
    """Run the plan; one reply per step: {"error": str or None, "record": [...]}, plus "died".

    When the sandbox dies (a crash, os._exit, a limit, the timeout) the step that killed it fails
    alone: a new sandbox replays the steps before it, except the hidden ones, and grading goes on.
    With a Budget, no cell may run past it: once it has run out, the steps left get replies
    marked "out_of_time" and nothing more runs.
    """
    replies, killers, i = [None] * len(plan), set(), 0
    while i < len(plan):
        box = sandbox.Sandbox(limits, reference=reference, sandboxed=sandboxed)
        try:
            for j in range(i):
                if plan[j]["role"] != "hidden" and j not in killers:
                    box.run(_request(plan[j]), _seconds(limits, budget))
            while i < len(plan):
                replies[i] = box.run(_request(plan[i]), _seconds(limits, budget))
                i += 1
        except OutOfTime:
            break
        except sandbox.Died as died:
            if budget is not None and budget.left() <= 0:  # cut short by the budget, not by its own fault
                break
            replies[i] = {"error": f"the sandbox stopped: {died}", "record": [], "died": True}
            killers.add(i)
            i += 1
        finally:
            box.close()
    for k in range(i, len(plan)):
        replies[k] = {"error": OUT_OF_TIME, "record": [], "died": True, "out_of_time": True}
    if budget is not None:
        budget.left()  # the last sandbox's closing counts too
    return replies


def _seconds(limits, budget):
    """How long the next cell may run: the cell's time limit, or what is left of the budget if less."""
    if budget is None:
        return limits.timeout
    left = budget.left()
    if left <= 0:
        raise OutOfTime
    return min(limits.timeout, left)


def _request(step):
    return {"code": step["code"], "save": step.get("save"), "restore": step.get("restore"), "seed": step.get("seed")}


# --------------------------------------------------------------------------- the reference run


def fingerprint(name):
    """A hash of everything the reference records of an assignment depend on, the key of their cache.

    Its source notebook; the plan and how it runs: this file and every module of tools/grading
    (the sandbox, the runner, the blinding, the verdict) except those that only write the outputs;
    course_lib's code and weights; and the versions of Python, torch and numpy. Each file counts by
    its contents and its name within the course, not where the course lies: a copy or a moved
    course keeps its cache.
    """
    h = hashlib.sha256(f"{sys.version} torch {torch.__version__} numpy {numpy.__version__}".encode())
    lib = os.path.dirname(os.path.abspath(course_lib.__file__))
    here = os.path.dirname(os.path.abspath(sandbox.__file__))
    files = [(f"solutions/{name}", course.source(name)), ("tools/grade.py", os.path.abspath(__file__))]
    files += [(f"tools/grading/{f}", os.path.join(here, f)) for f in sorted(os.listdir(here))
              if f.endswith(".py") and f not in OUTPUT_ONLY]
    for parent, _, names in sorted(os.walk(lib)):
        files += [("course_lib/" + os.path.relpath(os.path.join(parent, n), lib), os.path.join(parent, n))
                  for n in sorted(names) if n.endswith((".py", ".pt"))]
    for label, path in files:
        with open(path, "rb") as f:
            h.update(label.encode() + b"\0" + f.read())
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


# --------------------------------------------------------------------------- reading what students hand in


class Refused(Exception):
    """A submitted file that is not read; the message says why, for the student's feedback."""


KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"),
         (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def refuse_unless_regular(mode, size, where=""):
    """Raise Refused unless a file of this mode and size may be read as a notebook."""
    if not stat.S_ISREG(mode):
        kind = next((words for test, words in KINDS if test(mode)), "not a regular file")
        raise Refused(f"it is {kind}{where}, not a notebook file: hand in the notebook file itself")
    if size > MAX_NOTEBOOK:
        raise Refused(f"it is {size / (1 << 20):.1f} MB{where}, over the {MAX_NOTEBOOK >> 20} MB a notebook may have: "
                      "clear its outputs and hand it in again")


def read_submission(path):
    """The notebook at path, with no outputs (grading never reads them). Raises Refused.

    Only a regular file is opened: its path is checked with lstat, opened with O_NOFOLLOW (a link
    put there since is not followed) and O_NONBLOCK (a pipe put there since does not block), and
    what was opened is checked again. At most MAX_NOTEBOOK bytes are read, and the JSON is
    handed to nbformat only when its cells hold at most MAX_VALUES values.
    """
    info = os.lstat(path)
    refuse_unless_regular(info.st_mode, info.st_size)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise Refused(f"it could not be opened as a regular file ({err.strerror})") from None
    with open(fd, "rb") as f:
        info = os.fstat(f.fileno())
        refuse_unless_regular(info.st_mode, info.st_size)
        data = f.read(MAX_NOTEBOOK + 1)
    refuse_unless_regular(stat.S_IFREG, len(data))  # it grew after the check
    nb, code = json.loads(data), 0
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        if isinstance(cell, dict):
            cell.pop("attachments", None)
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
                text = cell.get("source")
                code += sum(len(t) for t in (text if isinstance(text, list) else [text]) if isinstance(t, str))
    if _values(nb) > MAX_VALUES:
        raise Refused(f"its cells hold over {MAX_VALUES:,} JSON values, far more than any notebook of the course")
    if code > MAX_CODE:
        raise Refused(f"its code cells hold over {MAX_CODE >> 10} kB of code, far more than any notebook of the course")
    return nbformat.reads(json.dumps(nb), as_version=4)


def _values(x):
    """How many JSON values x holds, counting stops a little past MAX_VALUES."""
    todo, n = [x], 0
    while todo and n <= MAX_VALUES:
        x = todo.pop()
        n += 1
        todo.extend(x.values() if isinstance(x, dict) else x if isinstance(x, list) else ())
    return n


def refused(student, path, name, template, why):
    """The record of a file that was not read: every exercise at 0, for manual grading."""
    return {"student": student, "notebook": name, "file": os.path.basename(path), "manual": True,
            "notes": [f"This file was not graded: {why}. It needs manual grading."],
            "exercises": unscored(template)}


# --------------------------------------------------------------------------- one notebook


HIDDEN_FAILED = ("a hidden test failed: on new inputs, the function (or one it calls) gave a wrong result "
                 "or an error")


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
            if reply.get("not_written") is True:
                result["check"] = "(not attempted: the stub still raises NotImplementedError)"
            elif at is not None and at < len(expected) and not reply.get("out_of_time"):
                result["check"] = expected[at]["what"]
            result["status"] = "error" if reply.get("died") else "failed"
            result["message"] = reply["error"] if reply["error"] else verdict.message(
                expected[at], reply["record"][at] if at < len(reply["record"]) else None)
        elif ("hidden", gid) in by_step:
            hidden, expected = by_step[("hidden", gid)]
            if hidden["error"] or verdict.first_disagreement(expected, hidden["record"]) is not None:
                result["message"] = HIDDEN_FAILED
                if hidden.get("out_of_time"):
                    result.update(status="error", message=f"its hidden tests were {OUT_OF_TIME}")
                elif hidden.get("died"):
                    result.update(status="error", message=hidden["error"] + " while the hidden tests ran")
            else:
                result.update(score=pts, status="passed")
        else:
            result.update(score=pts, status="passed")
        exercises.append(result)
    return exercises


def grade(student, path, name, template, ref, limits, sandboxed=True, budget=None):
    """Grade one notebook; returns its record for ``tools.grading.report``.

    budget: (notebook seconds, student seconds, the student's slot in the shared array), or None.
    """
    record = {"student": student, "notebook": name, "file": os.path.basename(path), "manual": False,
              "notes": [], "exercises": []}
    try:
        nb = read_submission(path)
    except Refused as why:
        return refused(student, path, name, template, why)
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
    clock = Budget(*budget[:2], _spent, budget[2]) if budget else None
    try:
        replies = execute(plan, limits, sandboxed=sandboxed, budget=clock)
        record["exercises"] = judge(template, plan, replies, ref, found)
        if any(r.get("out_of_time") for r in replies):
            record["manual"] = True
            record["notes"].append(clock.note())
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


_spent = None  # in a grading process: the seconds each student's notebooks have taken, shared by all


def _share(spent):
    """Run in each grading process as it starts: the array of every student's seconds, for Budget."""
    global _spent
    _spent = spent


def _reference_job(job):
    return reference(*job)


# --------------------------------------------------------------------------- a class


def discover(folder):
    """(student, path) for everything under folder named like a notebook: one sub-folder per student,
    or flat files named ``<student>_<anything>.ipynb``.

    Nothing here opens a file, and a link to a folder is listed, never entered (os.walk does not
    follow links), so nothing can block or lead out of folder: whether a path is a notebook file
    is ``read_submission``'s to say. A link in place of a student's folder is listed too, to be refused.
    """
    found = []
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if os.path.islink(path) and os.path.isdir(path):
            found.append((entry, path))
        elif os.path.isdir(path):
            for parent, folders, files in sorted(os.walk(path)):
                if ".ipynb_checkpoints" not in parent:  # a folder named like a notebook is listed, to be refused
                    found += [(entry, os.path.join(parent, f)) for f in sorted(files + folders) if f.endswith(".ipynb")]
        elif entry.endswith(".ipynb"):
            found.append((student_of(entry), path))
    return found


def student_of(relative):
    """Whose a notebook is, from its path in the submissions: its first folder, else its name up to '_'."""
    first, _, rest = relative.partition("/")
    if rest:
        return first
    return first.split("_", 1)[0] if "_" in first else first[:-len(".ipynb")]


def sort_out(found, sources, unzipped):
    """(jobs, records, skipped) of the (student, path) found.

    jobs: (student, path, assignment) to grade; records: those of the files refused, whose name
    gives their assignment; skipped: what is not graded at all, each with why, for the instructor.
    unzipped: {path: why} of the members of a zip that were refused when it was unpacked.
    """
    jobs, records, skipped = [], [], []
    for student, path in found:
        by_name = next((n for n in sources if n in os.path.basename(path)), None)
        try:
            if path in unzipped:
                raise Refused(unzipped[path])
            name = cells.identify(read_submission(path), sources, os.path.basename(path))
        except Refused as why:
            if by_name:
                records.append(refused(student, path, by_name, sources[by_name], why))
            else:
                skipped.append(f"{path} ({why}; no assignment in its name)")
            continue
        except Exception:  # not a notebook: graded as unreadable, under the assignment its name gives
            name = by_name
        (jobs.append((student, path, name)) if name else skipped.append(f"{path} (no assignment recognised)"))
    return jobs, records, skipped


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


def _positive(text):
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds; got {text!r}")
    return value


def unpack(path, into):
    """Unpack the notebooks of a zip into folder ``into``; returns {path in into: why} of those refused.

    Only members named like a notebook are unpacked, each as a regular file of at most MAX_NOTEBOOK
    bytes: an entry whose Unix mode makes it a link, a pipe or a device, or that is larger, is
    refused and never written. zipfile drops absolute paths and '..' from the names, and writes
    no more bytes than a member states.
    """
    members, refusals = [], {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.is_dir() or not info.filename.endswith(".ipynb") or ".ipynb_checkpoints" in info.filename:
                continue
            where = os.path.join(into, *[p for p in info.filename.split("/") if p not in ("", ".", "..")])
            mode = info.external_attr >> 16  # a zip written without Unix modes has 0 here: a plain file
            try:
                refuse_unless_regular(mode if stat.S_IFMT(mode) else stat.S_IFREG, info.file_size, " in the zip")
                members.append((info, where))
            except Refused as why:
                refusals[where] = str(why)
        size = sum(info.file_size for info, _ in members)
        if size > MAX_UNZIPPED:
            raise SystemExit(f"{path}: its notebooks would unpack to {size >> 20} MB, over the "
                             f"{MAX_UNZIPPED >> 20} MB limit; unpack it yourself and grade the folder in shards")
        for info, where in members:
            try:
                z.extract(info, into)
            except Exception as err:  # a broken member, an unknown compression, a name clash: this one only
                refusals[where] = f"it could not be unpacked from the zip ({type(err).__name__})"
                if os.path.isfile(where) and not os.path.islink(where):
                    os.remove(where)
    return refusals


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", help="a folder or a .zip of submissions")
    parser.add_argument("--out", default="grades", help="where grades.csv, feedback/ and summary.md go")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks graded in parallel")
    parser.add_argument("--timeout", type=int, default=60, help="wall seconds per cell (default 60)")
    parser.add_argument("--memory-mb", type=int, default=3000, help="memory of each sandbox (default 3000)")
    parser.add_argument("--notebook-budget", type=_positive, default=300, metavar="SECONDS",
                        help="wall seconds for one notebook, restarts after a crash included (default 300)")
    parser.add_argument("--student-budget", type=_positive, default=900, metavar="SECONDS",
                        help="wall seconds for all of one student's notebooks together (default 900)")
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
        folder, unzipped = args.submissions, {}
        if zipfile.is_zipfile(folder):
            unzipped = unpack(folder, tmp)
            folder = tmp
        elif not os.path.isdir(folder):
            parser.error(f"{folder} is neither a folder nor a zip file")
        sources = templates()
        found = discover(folder) + [(student_of(os.path.relpath(p, tmp)), p) for p in unzipped]
        jobs, records, skipped = sort_out(shard(found, *args.shard), sources, unzipped)
        names = sorted({name for _, _, name in jobs})
        slot = {s: i for i, s in enumerate(sorted({s for s, _, _ in jobs}))}
        spent = multiprocessing.Array("d", max(1, len(slot)))  # each student's seconds, shared by the processes
        with ProcessPoolExecutor(max_workers=max(1, args.jobs), initializer=_share, initargs=(spent,)) as pool:
            refs = dict(zip(names, pool.map(_reference_job, [(n, sources[n], limits, args.cache, sandboxed)
                                                             for n in names])))
            budget = (args.notebook_budget, args.student_budget)
            records += pool.map(_grade_job, [(s, p, n, sources[n], refs[n], limits, sandboxed, (*budget, slot[s]))
                                             for s, p, n in jobs])
        write_outputs(records, args.out)
    for line in skipped:
        print(f"not graded: {line}")
    print(f"graded {len(records)} notebooks of {len({r['student'] for r in records})} students -> "
          f"{os.path.join(args.out, 'grades.csv')}")
    return records


if __name__ == "__main__":
    main()
