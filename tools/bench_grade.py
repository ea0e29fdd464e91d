"""Time tools/grade.py on a synthetic class and write the figure to RESULTS.md.

    python tools/bench_grade.py                  # 50 students, every notebook, --jobs 2
    python tools/bench_grade.py --students 5 --jobs 1

Each student hands in every released notebook, as an LMS download would hold it
(``<student>/Copy of NN_slug.ipynb``). The class mixes the cases the grader meets: complete
answers, untouched notebooks, half-done ones and answers retyped without their metadata.
First one complete submission is graded alone (the per-student figure), then the whole class.
This is a measurement, not a test: run it on a quiet machine.
"""
import argparse
import os
import sys
import tempfile
import time

import nbformat

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grade  # noqa: E402
from benchmark import machine, write  # noqa: E402
from release import ROOT, answered, assignments  # noqa: E402

KINDS = ("complete", "untouched", "half", "retyped")


def submission(kind, student, source):
    """One student's notebook of the given kind."""
    if kind == "untouched":
        return student
    done = answered(student, source)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")]
    for cell in done.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if kind == "half" and gid in ids[len(ids) // 2:]:
            cell.source = next(c.source for c in student.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)
        if kind == "retyped" and gid == ids[-1]:
            del cell.metadata["nbgrader"]  # as when a cell is retyped in Colab
    return done


def make_class(folder, n_students, names):
    for i in range(n_students):
        kind = KINDS[i % len(KINDS)]
        os.makedirs(os.path.join(folder, f"student{i:03d}"))
        for name in names:
            student = nbformat.read(os.path.join(ROOT, "notebooks", name, name + ".ipynb"), as_version=4)
            source = nbformat.read(os.path.join(ROOT, "solutions", name, name + ".ipynb"), as_version=4)
            nbformat.write(submission(kind, student, source), os.path.join(folder, f"student{i:03d}", f"Copy of {name}.ipynb"))


def timed(folder, out, jobs):
    start = time.perf_counter()
    records = grade.main([folder, "--out", out, "--jobs", str(jobs)])
    return time.perf_counter() - start, records


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    names = assignments()
    with tempfile.TemporaryDirectory() as tmp:
        one, everyone = os.path.join(tmp, "one"), os.path.join(tmp, "class")
        make_class(one, 1, names)
        make_class(everyone, args.students, names)
        single, records = timed(one, os.path.join(tmp, "grades1"), args.jobs)
        assert all(sum(s for s, _ in r["scores"].values()) == sum(p for _, p in r["scores"].values()) for r in records)
        whole, records = timed(everyone, os.path.join(tmp, "grades"), args.jobs)
    graded = len(records)
    command = f"python tools/bench_grade.py --students {args.students} --jobs {args.jobs}"
    text = "\n".join([
        f"<!-- grading/class-of-{args.students}:begin -->", f"## Grading a class of {args.students}", "",
        f"Measured {time.strftime('%Y-%m-%d')} with `{command}` on {machine()}.",
        f"Notebooks released: {', '.join(names)} ({len(names)} of the course's 9).", "",
        "| what | notebooks graded | wall time (s) | per notebook (s) |", "|---|---|---|---|",
        f"| one complete submission | {len(names)} | {single:.1f} | {single / len(names):.1f} |",
        f"| a class of {args.students} ({', '.join(KINDS)}, in turn) | {graded} | {whole:.1f} | {whole / graded:.1f} |",
        "", f"<!-- grading/class-of-{args.students}:end -->"])
    write(f"grading/class-of-{args.students}", text)  # one section per class size
    print(text)


if __name__ == "__main__":
    main()
