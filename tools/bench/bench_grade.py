"""Time the grader on a synthetic class, beside nbgrader's autograde, and write RESULTS.md.

    python -m tools.bench.bench_grade                          # 50 students, every notebook
    python -m tools.bench.bench_grade --students 10 --notebooks 01_toy_gan 02_dcgan

Each student hands in the chosen notebooks, complete, as an LMS download holds it
(``<student>/Copy of NN_slug.ipynb``). Measured in one run:
1. one student's submission of all nine notebooks, with no reference records yet (the first
   notebook graded of each assignment also runs the solution once);
2. the same again, with the reference records cached (every later student);
3. the class with ``python -m tools.grade --jobs J``;
4. nbgrader's ``autograde`` of the same submissions, in ``--jobs`` copies of the course side by side:
   the whole class, or its first ``--nbgrader-students`` students. nbgrader executes every cell of
   every notebook, so on 2 cores a class of 50 takes it well over an hour (RESULTS.md); every
   submission is the same complete notebook, so a part of the class gives its rate.
Every grade must be full marks. Each part goes into RESULTS.md as soon as it is measured, so a
run stopped partway keeps what it measured. This is a measurement, not a test: run it on a quiet
machine, from a clone that nobody edits meanwhile (the grader's sandbox sees the live course_lib).
"""
import argparse
import concurrent.futures
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time

import nbformat

from tools import course, release
from tools.bench.benchmark import machine, write
from tools.manifest import answered


def make_class(folder, n_students, names):
    for i in range(n_students):
        os.makedirs(os.path.join(folder, f"student{i:03d}"))
        for name in names:
            done = answered(nbformat.read(course.student(name), as_version=4),
                                    nbformat.read(course.source(name), as_version=4))
            nbformat.write(done, os.path.join(folder, f"student{i:03d}", f"Copy of {name}.ipynb"))


def tools_grade(folder, out, cache, jobs):
    """Seconds for ``python -m tools.grade``; every score must be full marks."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tools.grade", folder, "--out", out, "--jobs", str(jobs), "--cache", cache],
                   cwd=course.ROOT, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    with open(os.path.join(out, "grades.csv")) as f:
        rows = list(csv.DictReader(f))
    short = [r for r in rows if float(r["score"]) != float(r["max_score"])]
    if short:
        raise SystemExit(f"a complete submission lost points: {short[:3]}")
    return seconds, len({(r["student"], r["notebook"]) for r in rows})


def nbgrader_autograde(folder, names, tmp, jobs, students):
    """Seconds for nbgrader's autograde of ``students``' submissions, in ``jobs`` released copies of the course.

    nbgrader grades one notebook at a time, so each copy holds every ``jobs``-th student and the copies
    run side by side: both graders then use the same number of cores.
    """
    copies = min(jobs, len(students))  # a copy without students would make nbgrader fail
    roots = []
    for j in range(copies):
        root = os.path.join(tmp, f"nbgrader-course-{j}")
        shutil.copytree(os.path.join(course.ROOT, "solutions"), os.path.join(root, "solutions"))
        shutil.copy(os.path.join(course.ROOT, "nbgrader_config.py"), root)
        shutil.copy(os.path.join(course.ROOT, "pyproject.toml"), root)
        os.makedirs(os.path.join(root, "tools"))
        shutil.copy(os.path.join(course.ROOT, "tools", "student_header.ipynb"), os.path.join(root, "tools"))
        release.release(root=root, manifest=False)
        for student in students[j::copies]:
            for name in names:
                os.makedirs(os.path.join(root, "submitted", student, name))
                shutil.copy(os.path.join(folder, student, f"Copy of {name}.ipynb"),
                            os.path.join(root, "submitted", student, name, f"{name}.ipynb"))
        roots.append(root)

    def autograde(root):
        for name in names:
            done = release.nbgrader("autograde", name, "--force", root=root)
            if done.returncode != 0:
                raise SystemExit(f"nbgrader autograde {name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        list(pool.map(autograde, roots))
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--notebooks", nargs="+", default=course.assignments())
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-nbgrader", action="store_true", help="skip the nbgrader autograde measurement")
    parser.add_argument("--nbgrader-students", type=int, metavar="K",
                        help="nbgrader grades only the first K students (default: all of them)")
    args = parser.parse_args()
    if args.nbgrader_students is not None and not 1 <= args.nbgrader_students <= args.students:
        parser.error(f"--nbgrader-students must be between 1 and --students ({args.students}); "
                     f"got {args.nbgrader_students}")
    theirs = args.students if args.nbgrader_students is None else args.nbgrader_students
    names = args.notebooks
    command = f"python -m tools.bench.bench_grade --students {args.students} --jobs {args.jobs}" + \
        (f" --notebooks {' '.join(names)}" if names != course.assignments() else "") + \
        (" --no-nbgrader" if args.no_nbgrader else "") + \
        (f" --nbgrader-students {theirs}" if args.nbgrader_students is not None else "")
    key, rows = f"grading/class-of-{args.students}", []

    def report(what, seconds, n, pending, after=""):
        """Add a row and rewrite the section now, so that a run stopped later keeps what it measured."""
        rows.append(f"| {what} | {n} | {seconds:.1f} | {seconds / n:.1f} |")
        text = "\n".join([
            f"<!-- {key}:begin -->", f"## Grading a class of {args.students}", "",
            f"Measured {time.strftime('%Y-%m-%d')} with `{command}` on {machine()}.",
            f"The class: {args.students} students, each handing in {len(names)} complete notebook"
            f"{'s' if len(names) > 1 else ''} ({', '.join(names)}); every grade came out full marks.", "",
            "| what | notebooks graded | wall time (s) | per notebook (s) |", "|---|---|---|---|", *rows, "",
            *([after, ""] if after else []),
            *([f"Still to be measured when this was written: {pending}.", ""] if pending else []),
            f"<!-- {key}:end -->"])
        write(key, text)
        print(text, flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        one, everyone, cache = (os.path.join(tmp, d) for d in ("one", "class", "cache"))
        make_class(one, 1, course.assignments())
        make_class(everyone, args.students, names)
        first = f"first {theirs} students" if theirs > 1 else "first student"
        whom = "it" if theirs == args.students else f"its {first}"
        later = "" if args.no_nbgrader else f"nbgrader's `autograde` of {whom}"
        seconds, n1 = tools_grade(one, os.path.join(tmp, "g-cold"), cache, args.jobs)
        report("one complete submission, first of its class (the solution runs once per notebook)", seconds, n1,
               ", then ".join(filter(None, ["the same with the records cached", "the class", later])))
        seconds, _ = tools_grade(one, os.path.join(tmp, "g-warm"), cache, args.jobs)
        report("one complete submission, reference records cached", seconds, n1,
               ", then ".join(filter(None, ["the class", later])))
        seconds, n = tools_grade(everyone, os.path.join(tmp, "g-class"), cache, args.jobs)
        report(f"a class of {args.students}, `tools.grade --jobs {args.jobs}` (sandboxed)", seconds, n, later)
        if later:
            ours = seconds / n
            students = sorted(os.listdir(everyone))[:theirs]
            seconds = nbgrader_autograde(everyone, names, tmp, args.jobs, students)
            n = theirs * len(names)
            part = "the same class" if theirs == args.students else f"the {first} of the class"
            report(f"{part}, nbgrader `autograde`, {args.jobs} courses side by side (no sandbox)", seconds, n, "",
                   f"nbgrader took {seconds / n / ours:.1f} times as long a notebook as `tools.grade`." +
                   ("" if theirs == args.students else
                    f" At its measured rate, the class of {args.students} would take nbgrader about "
                    f"{seconds / n * args.students * len(names) / 60:.0f} minutes: a rate times a count, "
                    "not a measurement."))

if __name__ == "__main__":
    main()
