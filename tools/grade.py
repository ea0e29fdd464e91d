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
import multiprocessing
import os
import sys
import tempfile
import zipfile
from concurrent.futures import ProcessPoolExecutor

import nbformat

from course_lib import cells
from tools import course
from tools.grading import reference, sandbox, submissions
from tools.grading.execute import Budget, execute
from tools.grading.judge import judge, unscored
from tools.grading.plan import steps
from tools.grading.report import write_outputs
from tools.grading.submissions import Refused, discover, read_submission, refused, shard, sort_out, student_of, unpack

UNSAFE = """WARNING: --unsafe-no-sandbox: student code runs as you, on this machine, with your files and
your network. It can read and change anything you can (the solutions, other students' work, your
home), leave processes running and forge its own grade. Use it only for code you trust."""


def templates():
    """{assignment: the template of its source notebook}, with solutions and hidden tests."""
    return {name: cells.template(nbformat.read(course.source(name), as_version=4)) for name in course.assignments()}


def grade(student, path, name, template, ref, limits, sandboxed=True, budget=None):
    """Grade one notebook; returns its record for ``tools.grading.report``.

    budget: (notebook seconds, student seconds, the student's slot in the shared array), or None.
    """
    record = {"student": student, "notebook": name, "file": submissions.shown(os.path.basename(path)), "manual": False,
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
    clock = Budget(*budget[:2], _spent, budget[2]) if budget else None
    try:  # a notebook whose cells are malformed in a way no check foresaw fails here, alone
        found = cells.answers(nb, template)
        for gid, (_, how) in found.items():
            if how == "retyped":
                record["notes"].append(f"`{gid}`: the cell had lost its nbgrader metadata (retyped?); "
                                       "it was found by the functions it defines and graded.")
            elif how == "missing":
                record["manual"] = True
        plan = steps(name, template, found, reference=False)
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


def _grade_job(job):
    return grade(*job)


_spent = None  # in a grading process: the seconds each student's notebooks have taken, shared by all


def _share(spent):
    """Run in each grading process as it starts: the array of every student's seconds, for Budget."""
    global _spent
    _spent = spent


def _reference_job(job):
    return reference.records(*job)


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
    parser.add_argument("--cache", default=reference.default_cache(),
                        help="where the solution's reference records are kept")
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
