"""What grading writes for a class: grades, feedback, the records, a summary, an nbgrader gradebook.

``write_outputs(records, out)`` takes the grader's records, one per graded notebook:

    {"student": str, "notebook": "01_toy_gan", "file": "Copy of 01_toy_gan.ipynb", "manual": bool,
     "notes": [str, ...],                      # feedback not tied to an exercise, safe Markdown
     "exercises": [{"id": "test_sample_noise", "score": 1.0, "max": 1.0,
                    "status": "passed" | "failed" | "error" | "missing",
                    "message": str or None,    # the feedback for this exercise, safe to show
                    "check": str or None}]}    # the visible check that failed first

and writes into folder ``out``: grades.csv, feedback/<student>.md, records.jsonl (what
``tools.grading.merge`` reads back), summary.md with summary.png, and gradebook.db.

Student names and file names come from what students hand in, so every output escapes them: as
Markdown text, as a file name, as a spreadsheet cell, as an nbgrader student id.
"""
import contextlib
import csv
import json
import os
import re
import shutil
import sqlite3
import tempfile
import warnings
from collections import Counter

import nbformat
import nbgrader
from alembic.script import ScriptDirectory
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from nbgrader import preprocessors
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning
from traitlets.config import PyFileConfigLoader

from tools.course import ROOT, assignments, source
from tools.student_repository import point_install_line, student_repository

STATUSES = ("passed", "failed", "error", "missing")
SAYS = {"passed": "passed", "failed": "failed", "error": "failed with an error", "missing": "no answer found"}
RECORD = {"student": str, "notebook": str, "file": str, "manual": bool, "notes": list, "exercises": list}
EXERCISE = {"id": str, "score": (int, float), "max": (int, float), "status": str,
            "message": (str, type(None)), "check": (str, type(None))}
# A spreadsheet runs a cell that starts with one of these as a formula: such cells get a leading '.
FORMULA = ("=", "+", "-", "@", "\t", "\r")
TOP_FAILURES = 10  # visible checks listed per notebook in the summary


# --------------------------------------------------------------------------- records


def validate(records):
    """Raise TypeError or ValueError, naming the record and the field, unless every record has the grader's shape."""
    for i, r in enumerate(records):
        where = f"record {i}" + (f" ({r.get('student')!r}, {r.get('notebook')!r})" if isinstance(r, dict) else "")
        if not isinstance(r, dict):
            raise TypeError(f"{where}: expected a dict, got {type(r).__name__}")
        _fields(r, RECORD, where)
        if not r["student"] or not r["notebook"]:
            raise ValueError(f"{where}: student and notebook must not be empty")
        if not all(isinstance(n, str) for n in r["notes"]):
            raise ValueError(f"{where}: notes must be a list of strings")
        seen = set()
        for j, ex in enumerate(r["exercises"]):
            at = f"{where}, exercise {j}"
            if not isinstance(ex, dict):
                raise TypeError(f"{at}: expected a dict, got {type(ex).__name__}")
            _fields(ex, EXERCISE, at)
            if ex["status"] not in STATUSES:
                raise ValueError(f"{at}: status must be one of {', '.join(STATUSES)}; got {ex['status']!r}")
            if not 0 <= ex["score"] <= ex["max"]:
                raise ValueError(f"{at}: score {ex['score']} is not between 0 and max {ex['max']}")
            if ex["id"] in seen:
                raise ValueError(f"{at}: exercise {ex['id']!r} appears twice")
            seen.add(ex["id"])


def _fields(d, shape, where):
    for key, kind in shape.items():
        if key not in d:
            raise ValueError(f"{where}: no {key!r} field")
        value = d[key]
        # True is an int to Python, but not a score
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise TypeError(f"{where}: {key!r} must be {names}, got {type(value).__name__} {value!r:.60}")


def ordered(records):
    """The records sorted by student, notebook and file; the exercises keep their order."""
    return sorted(records, key=lambda r: (r["student"], r["notebook"], r["file"]))


def total(r):
    return sum(ex["score"] for ex in r["exercises"]), sum(ex["max"] for ex in r["exercises"])


# --------------------------------------------------------------------------- escaping


def safe_name(student):
    """A name that is safe as a file name and an nbgrader id: no separators, dots in front, commas or quotes."""
    name = re.sub(r"[^\w .@+()-]", "_", student).strip(" .")
    return name[:100] or "_"


def safe_names(students):
    """{student: safe name}, the names distinct even on a file system that ignores case."""
    names, taken = {}, set()
    # names that are safe already keep themselves; the others give way
    for student in sorted(set(students), key=lambda s: (safe_name(s) != s, s)):
        base = name = safe_name(student)
        k = 2
        while name.casefold() in taken:
            name, k = f"{base}-{k}", k + 1
        names[student] = name
        taken.add(name.casefold())
    return names


def md_literal(text):
    """Text shown literally in Markdown: ASCII punctuation escaped, control characters as spaces."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", str(text))
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def md_code(text):
    """An inline code span that holds text whatever backticks it contains."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", str(text))
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def md_block(text, indent=""):
    """A fenced block that holds text whatever fences it contains, each line indented."""
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return "\n".join(indent + line if line else "" for line in [fence, *text.split("\n"), fence])


def score_text(x):
    """A score for people: 2, 0.5, 7.33."""
    return str(int(x)) if float(x).is_integer() else f"{x:.3g}"


def csv_text(value):
    """A value as a spreadsheet cell shows it: text that would start a formula is quoted."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA) else text


# --------------------------------------------------------------------------- the outputs


def write_outputs(records, out, root=ROOT):
    """Write grades.csv, feedback/, records.jsonl, summary.md, summary.png and gradebook.db into out."""
    validate(records)
    records = ordered(records)
    names = safe_names(r["student"] for r in records)
    os.makedirs(os.path.join(out, "feedback"), exist_ok=True)
    write_csv(records, os.path.join(out, "grades.csv"))
    for student, name in names.items():
        with open(os.path.join(out, "feedback", name + ".md"), "w", encoding="utf-8", newline="\n") as f:
            f.write(feedback(student, [r for r in records if r["student"] == student]))
    # feedback left from an earlier run into the same folder would be sent along with this run's
    for stale in set(os.listdir(os.path.join(out, "feedback"))) - {name + ".md" for name in names.values()}:
        if stale.endswith(".md"):
            os.remove(os.path.join(out, "feedback", stale))
    with open(os.path.join(out, "records.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        f.writelines(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    with open(os.path.join(out, "summary.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(summary(records))
    plot(records, os.path.join(out, "summary.png"))
    write_gradebook(records, os.path.join(out, "gradebook.db"), names, root)


def write_csv(records, path):
    """One row per student, notebook and exercise."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["student", "notebook", "exercise", "score", "max_score", "file", "needs_manual_grading"])
        for r in records:
            for ex in r["exercises"]:
                w.writerow([csv_text(r["student"]), r["notebook"], ex["id"], ex["score"], ex["max"],
                            csv_text(r["file"]), int(r["manual"])])


def feedback(student, records):
    """The Markdown file for one student: each notebook with its total, its exercises and its notes."""
    lines = [f"# Feedback for {md_literal(student)}", ""]
    for r in records:
        got, out_of = total(r)
        lines += [f"## {md_literal(r['notebook'])}: {score_text(got)}/{score_text(out_of)}", "",
                  f"File: {md_literal(r['file'])}", ""]
        if r["manual"]:
            lines += ["Part of this notebook needs grading by hand, so this score may still change.", ""]
        for ex in r["exercises"]:
            lines.append(f"- {md_code(ex['id'])}: {score_text(ex['score'])}/{score_text(ex['max'])}, "
                         f"{SAYS[ex['status']]}")
            if ex["message"]:  # why it failed; for one that passed on its own, with stand-ins, why it still scored
                lines += ["", md_block(ex["message"], indent="  "), ""]
        if r["notes"]:
            lines += ["", "Notes:", ""] + ["- " + note.replace("\n", "\n  ") for note in r["notes"]]
        lines.append("")
    return "\n".join(lines)


def by_notebook(records):
    groups = {}
    for r in records:
        groups.setdefault(r["notebook"], []).append(r)
    return dict(sorted(groups.items()))


def points_of(records):
    """[(id, max)] of a notebook's exercises, in the order the records give them."""
    found = {}
    for r in records:
        for ex in r["exercises"]:
            found.setdefault(ex["id"], ex["max"])
    return list(found.items())


def status_counts(records):
    """For one notebook: {exercise: Counter of statuses}, an exercise a record lacks counting as missing."""
    counts = {gid: Counter() for gid, _ in points_of(records)}
    for r in records:
        status = {ex["id"]: ex["status"] for ex in r["exercises"]}
        for gid, tally in counts.items():
            tally[status.get(gid, "missing")] += 1
    return counts


def failures(records):
    """[((exercise, check), count)] of the failed visible checks, most frequent first."""
    order = {gid: i for i, (gid, _) in enumerate(points_of(records))}
    counts = Counter((ex["id"], ex["check"]) for r in records for ex in r["exercises"]
                     if ex["status"] != "passed" and ex["check"])
    return sorted(counts.items(), key=lambda item: (-item[1], order[item[0][0]], item[0][1]))


def summary(records):
    """summary.md, for the instructor: per notebook, scores, pass rates and the checks that failed most."""
    groups = by_notebook(records)
    students = {r["student"] for r in records}
    lines = ["# Class summary", ""]
    if not records:
        return "\n".join(lines + ["No notebook was graded.", ""])
    lines += [f"{len(records)} notebooks graded, from {len(students)} students.", "",
              "| notebook | submissions | students | mean score | needs manual grading |",
              "|---|---|---|---|---|"]
    for name, rs in groups.items():
        mean, out_of = sum(total(r)[0] for r in rs) / len(rs), max(total(r)[1] for r in rs)
        lines.append(f"| {md_literal(name)} | {len(rs)} | {len({r['student'] for r in rs})} | "
                     f"{score_text(mean)} of {score_text(out_of)} | {sum(r['manual'] for r in rs)} |")
    lines += ["", "![The pass rate of each exercise](summary.png)", ""]
    for name, rs in groups.items():
        mean, out_of = sum(total(r)[0] for r in rs) / len(rs), max(total(r)[1] for r in rs)
        lines += [f"## {md_literal(name)}", "",
                  f"{len(rs)} submissions; mean score {score_text(mean)} of {score_text(out_of)}.", "",
                  "| exercise | points | passed | pass rate | failed | error | missing |",
                  "|---|---|---|---|---|---|---|"]
        for (gid, pts), counts in zip(points_of(rs), status_counts(rs).values()):
            lines.append(f"| {md_code(gid)} | {score_text(pts)} | {counts['passed']} | "
                         f"{counts['passed'] / len(rs):.0%} | {counts['failed']} | {counts['error']} | "
                         f"{counts['missing']} |")
        top = failures(rs)[:TOP_FAILURES]
        if top:
            lines += ["", "The visible checks that failed most often:", "",
                      "| exercise | check | failures |", "|---|---|---|"]
            lines += [f"| {md_code(gid)} | {md_literal(what)} | {n} |" for (gid, what), n in top]
        manual = [r for r in rs if r["manual"]]
        if manual:
            lines += ["", "Needs manual grading: "
                      + "; ".join(f"{md_literal(r['student'])} ({md_literal(r['file'])})" for r in manual) + "."]
        files = Counter(r["student"] for r in rs)
        several = sorted(s for s, n in files.items() if n > 1)
        if several:
            lines += ["", "Several files from one student (the gradebook keeps the best of them): "
                      + "; ".join(f"{md_literal(s)} ({files[s]})" for s in several) + "."]
        lines.append("")
    return "\n".join(lines)


def plot(records, path):
    """summary.png: a horizontal bar of each exercise's pass rate, grouped by notebook."""
    bars = []  # (label, pass rate, notebook index)
    for k, (name, rs) in enumerate(by_notebook(records).items()):
        for gid, counts in status_counts(rs).items():
            bars.append((f"{name[:2]}  {gid}", counts["passed"] / len(rs), k))
    fig = Figure(figsize=(8, 1.2 + 0.28 * max(len(bars), 1)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if bars:
        labels, rates, groups = zip(*bars)
        y = range(len(bars))
        ax.barh(y, [100 * r for r in rates], color=[f"C{g % 10}" for g in groups])
        ax.set_yticks(list(y), labels, fontsize=8)
        ax.invert_yaxis()  # course order from the top
    else:
        ax.text(0.5, 0.5, "no notebook graded", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlim(0, 100)
    ax.set_xlabel("submissions that passed (%)")
    ax.set_title("Pass rate of each exercise")
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})  # no version stamp: the same records, the same file


# --------------------------------------------------------------------------- the nbgrader gradebook

# generate_assignment's steps up to SaveCells, which records the notebook and its cells in the gradebook
STRUCTURE = (preprocessors.IncludeHeaderFooter, preprocessors.LockCells, preprocessors.ClearSolutions,
             preprocessors.ClearOutput, preprocessors.CheckCellMetadata, preprocessors.ComputeChecksums,
             preprocessors.SaveCells)


def new_gradebook(path):
    """An empty gradebook file, stamped with nbgrader's schema version as nbgrader stamps a new one.

    nbgrader finds that version by running the `alembic heads` command, a second Python start-up
    that needs alembic on PATH; alembic's own API reads the same migration scripts in-process.
    Gradebook() then sees a database that exists and creates its tables in it."""
    head = ScriptDirectory(os.path.join(os.path.dirname(nbgrader.__file__), "alembic")).get_current_head()
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (head,))


def write_gradebook(records, path, names=None, root=ROOT):
    """An nbgrader gradebook of the records, for ``nbgrader export`` and the formgrader.

    Each notebook is an assignment of one notebook, created as generate_assignment creates it (its
    grade cells with their points, its solution cells) from the source in solutions/, the install
    line pointed at the student repository as in a release. Each student (by safe name) has one
    submission per notebook, the best-scoring of their files, with each grade cell's auto_score
    set as autograde sets it; a manual record's grades, and grade cells it lacks, need manual grading.
    """
    names = names or safe_names(r["student"] for r in records)
    # Built in memory-backed storage where there is some: the gradebook commits every cell it
    # records, and a commit to disk waits for the disk.
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as tmp:
        built = os.path.join(tmp, "gradebook.db")
        _fill_gradebook(records, built, names, root)
        shutil.copyfile(built, path)  # replaces the last run's gradebook: written afresh, like every output


def _fill_gradebook(records, path, names, root):
    new_gradebook(path)
    url = f"sqlite:///{path}"
    config = PyFileConfigLoader("nbgrader_config.py", path=root).load_config()
    course_id = config.CourseDirectory.course_id if "course_id" in config.CourseDirectory else ""
    known = assignments(root)
    best = {}
    for r in records:
        if r["notebook"] not in known:
            raise ValueError(f"{r['student']!r}: notebook {r['notebook']!r} is not an assignment of "
                             f"{os.path.join(root, 'solutions')} ({', '.join(known)})")
        key = (names[r["student"]], r["notebook"])
        if key not in best or total(r)[0] > total(best[key])[0]:
            best[key] = r
    with Gradebook(url, course_id) as gb:
        for name in sorted({r["notebook"] for r in records}):
            gb.update_or_create_assignment(name)
            nb = nbformat.read(source(name, root), as_version=4)
            point_install_line(nb, student_repository(), source(name, root))
            resources = {"nbgrader": {"notebook": name, "assignment": name, "db_url": url}}
            for step in STRUCTURE:
                nb, resources = step(config=config)(nb, resources)
        for student in sorted({sid for sid, _ in best}):
            gb.update_or_create_student(student)
        for (student, name), r in sorted(best.items()):
            with warnings.catch_warnings():  # nbgrader builds the submission's rows before adding them
                warnings.simplefilter("ignore", SAWarning)
                submission = gb.add_submission(name, student)
            grades = {g.name: g for notebook in submission.notebooks for g in notebook.grades}
            for ex in r["exercises"]:
                if ex["id"] not in grades:
                    raise ValueError(f"{r['student']!r}, {name}: {ex['id']!r} is not a grade cell of "
                                     f"solutions/{name} ({', '.join(grades)})")
                grade = grades.pop(ex["id"])
                if grade.max_score != ex["max"]:
                    raise ValueError(f"{r['student']!r}, {name}: {ex['id']} is worth {ex['max']} in the record "
                                     f"but {grade.max_score} in solutions/{name}: graded against another version?")
                grade.auto_score = float(ex["score"])
                grade.needs_manual_grade = r["manual"] or ex["status"] == "missing"
            for grade in grades.values():  # not graded: nothing to show but a person's judgement
                grade.needs_manual_grade = True
            gb.db.commit()
