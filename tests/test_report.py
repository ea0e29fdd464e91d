"""What grading writes for a class, from synthetic records: grades.csv, feedback, the summary, the
records that shards are merged from, the nbgrader gradebook, and the manifests that run shards."""
import csv
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
import yaml
from nbgrader.api import Gradebook

from tools.course import ROOT, source
from tools.grading import merge, report

NOTEBOOKS = ("01_toy_gan", "03_wgan")


def graded_cells(name):
    """[(grade_id, points)] of the source's test cells, in notebook order."""
    nb = nbformat.read(source(name), as_version=4)
    return [(c.metadata.nbgrader["grade_id"], c.metadata.nbgrader["points"]) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")]


def record(student, name, failed=(), file=None, manual=False, notes=(), status="failed", check="the shape"):
    """A record as the grader writes it: every exercise passed but those in failed (by position)."""
    exercises = []
    for i, (gid, pts) in enumerate(graded_cells(name)):
        bad = i in failed
        exercises.append({"id": gid, "score": 0.0 if bad else float(pts), "max": float(pts),
                          "status": status if bad else "passed",
                          "message": f"expected shape (8, 2)\ngot {gid}" if bad else None,
                          "check": check if bad else None})
    return {"student": student, "notebook": name, "file": file or f"{name}.ipynb", "manual": manual,
            "notes": list(notes), "exercises": exercises}


def class_records():
    """Five students, two notebooks, one student with two files, one manual record, hostile names."""
    return [
        record("ana", "01_toy_gan"),
        record("ana", "03_wgan", failed={1}, check="the penalty at the real points"),
        record("bo", "01_toy_gan", failed={0, 2}, notes=["`sample_noise`, a print() at the top was not run."]),
        record("bo", "01_toy_gan", failed={0}, file="Copy of 01_toy_gan.ipynb"),
        record("=cmd|' /C calc'!A0", "01_toy_gan", failed={2}, check="the optimal D at x = 0"),
        record("../.hidden<script>", "01_toy_gan", failed={0, 1, 2, 3, 4, 5}, manual=True, status="missing",
               check=None),
        record("dee", "03_wgan", failed={1}, status="error", check="the penalty at the real points"),
    ]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grades")
    report.write_outputs(class_records(), str(folder))
    return folder


def rows(folder):
    with open(folder / "grades.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_grades_csv_has_a_row_per_student_notebook_and_exercise_in_order(out):
    got = rows(out)
    assert list(got[0]) == ["student", "notebook", "exercise", "score", "max_score", "file", "needs_manual_grading"]
    cells = graded_cells("01_toy_gan")
    assert len(got) == 5 * len(cells) + 2 * len(graded_cells("03_wgan"))
    keys = [(r["student"], r["notebook"], r["file"]) for r in got]
    assert keys == sorted(keys, key=lambda k: (k[0].lstrip("'"), k[1], k[2]))  # sorted by the names as handed in
    bo = [r for r in got if r["student"] == "bo" and r["file"] == "01_toy_gan.ipynb"]
    assert [r["exercise"] for r in bo] == [gid for gid, _ in cells]  # the records' exercise order
    assert [float(r["score"]) for r in bo] == [0.0 if i in (0, 2) else pts for i, (_, pts) in enumerate(cells)]
    assert {r["needs_manual_grading"] for r in got if r["student"] == "../.hidden<script>"} == {"1"}
    assert {r["needs_manual_grading"] for r in got if r["student"] == "ana"} == {"0"}
    # a name that a spreadsheet would run as a formula is kept as text
    assert "'=cmd|' /C calc'!A0" in {r["student"] for r in got}


def test_feedback_gives_each_notebook_its_total_and_each_failure_its_message(out):
    text = (out / "feedback" / "bo.md").read_text()
    cells = graded_cells("01_toy_gan")
    full = sum(p for _, p in cells)
    assert f"## 01\\_toy\\_gan: {full - cells[0][1] - cells[2][1]}/{full}" in text  # the first file
    assert f"## 01\\_toy\\_gan: {full - cells[0][1]}/{full}" in text and "File: Copy of 01\\_toy\\_gan\\.ipynb" in text
    block = f"\n\n  ```\n  expected shape (8, 2)\n  got {cells[0][0]}\n  ```"
    assert f"- `{cells[0][0]}`: 0/{cells[0][1]}, failed{block}" in text
    assert f"- `{cells[1][0]}`: {cells[1][1]}/{cells[1][1]}, passed\n" in text
    assert "Notes:\n\n- `sample_noise`, a print() at the top was not run." in text


def test_feedback_file_names_and_headings_are_safe_whatever_the_student_is_called(out):
    names = sorted(os.listdir(out / "feedback"))
    assert len(names) == 5 and all(n.endswith(".md") and not n.startswith(".") and "/" not in n for n in names)
    hostile = next(n for n in names if "hidden" in n)
    assert hostile == "_.hidden_script_.md"
    text = (out / "feedback" / hostile).read_text()
    assert text.startswith("# Feedback for \\.\\.\\/\\.hidden\\<script\\>\n")
    assert "needs grading by hand" in text and "no answer found" in text


def test_a_second_run_into_the_same_folder_leaves_no_feedback_of_the_first(tmp_path):
    report.write_outputs([record("ana", "01_toy_gan"), record("bo", "01_toy_gan")], str(tmp_path))
    report.write_outputs([record("ana", "01_toy_gan")], str(tmp_path))
    assert os.listdir(tmp_path / "feedback") == ["ana.md"]


def test_safe_names_stay_distinct():
    names = report.safe_names(["a/b", "a_b", "A_B", "..", ""])
    # A_B and a_b are one file where case is ignored (macOS, Windows)
    assert names == {"A_B": "A_B", "a_b": "a_b-2", "a/b": "a_b-3", "": "_", "..": "_-2"}


def test_a_message_with_backticks_stays_inside_its_fence():
    block = report.md_block("look: ```\nrm -rf ~\n```")
    assert block.startswith("````\n") and block.endswith("\n````")
    assert report.md_code("a`b") == "``a`b``"


def test_summary_counts_submissions_pass_rates_and_the_most_frequent_failures(out):
    text = (out / "summary.md").read_text()
    cells, wgan = graded_cells("01_toy_gan"), graded_cells("03_wgan")
    # 01: five submissions; the first exercise fails for bo (twice) and the manual record: 2 of 5 pass
    first = f"| `{cells[0][0]}` | {cells[0][1]} | 2 | 40% | 2 | 0 | 1 |"
    assert first in text
    assert f"| `{wgan[1][0]}` | {wgan[1][1]} | 0 | 0% | 1 | 1 | 0 |" in text
    assert "| 01\\_toy\\_gan | 5 | 4 |" in text and "| 03\\_wgan | 2 | 2 |" in text
    failing = text.split("## 01\\_toy\\_gan")[1].split("The visible checks that failed most often:")[1]
    top = re.findall(r"^\| `(\w+)` \| (.+?) \| (\d+) \|$", failing.split("## ")[0], re.M)
    assert top[0] == (cells[0][0], "the shape", "2")  # twice, the most frequent
    assert (cells[2][0], "the optimal D at x \\= 0", "1") in top
    assert "Needs manual grading: \\.\\.\\/\\.hidden\\<script\\> (01\\_toy\\_gan\\.ipynb)." in text
    assert "Several files from one student (the gradebook keeps the best of them): bo (2)." in text
    assert "![The pass rate of each exercise](summary.png)" in text
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_two_shards_merged_equal_one_run_over_all_records(out, tmp_path):
    records = class_records()
    report.write_outputs(records[::2], str(tmp_path / "shard-0"))
    report.write_outputs(records[1::2], str(tmp_path / "shard-1"))
    merge.main([str(tmp_path / "merged"), str(tmp_path / "shard-0"), str(tmp_path / "shard-1")])
    for name in ("grades.csv", "records.jsonl", "summary.md", "summary.png", *(f"feedback/{f}" for f in
                                                                              os.listdir(out / "feedback"))):
        assert (tmp_path / "merged" / name).read_bytes() == (out / name).read_bytes(), name


def test_merge_refuses_a_notebook_graded_by_two_shards(tmp_path, capsys):
    records = class_records()
    report.write_outputs(records[:3], str(tmp_path / "a"))
    report.write_outputs(records[2:], str(tmp_path / "b"))
    with pytest.raises(SystemExit) as stop:
        merge.main([str(tmp_path / "merged"), str(tmp_path / "a"), str(tmp_path / "b")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "student 'bo', notebook '01_toy_gan', file '01_toy_gan.ipynb' was graded twice" in err
    assert str(tmp_path / "a") in err and str(tmp_path / "b") in err
    assert not (tmp_path / "merged" / "grades.csv").exists()


def test_merge_says_what_a_shard_lacks(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="expected the --out folder of a grading shard"):
        merge.merge(str(tmp_path / "merged"), [str(tmp_path / "empty")])


@pytest.mark.parametrize("broken, says", [
    (lambda r: r.pop("manual"), "no 'manual' field"),
    (lambda r: r["exercises"][0].update(status="timeout"), "status must be one of passed, failed, error, missing"),
    (lambda r: r["exercises"][0].update(score=True), "'score' must be int or float, got bool"),
    (lambda r: r["exercises"][0].update(score=5.0), "is not between 0 and max"),
])
def test_a_malformed_record_is_refused_with_what_was_expected(tmp_path, broken, says):
    r = record("ana", "01_toy_gan")
    broken(r)
    with pytest.raises((TypeError, ValueError), match=re.escape(says)):
        report.write_outputs([r], str(tmp_path))


@pytest.mark.slow
def test_gradebook_holds_the_assignments_and_exports_with_nbgrader(out, tmp_path):
    db = out / "gradebook.db"
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "nbgrader"), "export",
                           f"--CourseDirectory.db_url=sqlite:///{db}", "--to", str(tmp_path / "export.csv")],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(tmp_path / "export.csv", newline="") as f:
        exported = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(f)}
    full = {name: sum(p for _, p in graded_cells(name)) for name in NOTEBOOKS}
    cells = graded_cells("01_toy_gan")
    assert len(exported) == 5 * 2  # every student has a row for every assignment, as nbgrader exports
    assert float(exported["ana", "01_toy_gan"]["raw_score"]) == full["01_toy_gan"]
    assert float(exported["ana", "01_toy_gan"]["max_score"]) == full["01_toy_gan"]
    assert float(exported["bo", "01_toy_gan"]["raw_score"]) == full["01_toy_gan"] - cells[0][1]  # the better file
    assert float(exported["bo", "03_wgan"]["raw_score"]) == 0  # not submitted
    assert float(exported["dee", "03_wgan"]["raw_score"]) == full["03_wgan"] - graded_cells("03_wgan")[1][1]
    assert {sid for sid, _ in exported} == {"ana", "bo", "dee", "_.hidden_script_", "_cmd__ _C calc__A0"}
    with Gradebook(f"sqlite:///{db}") as gb:
        notebook = gb.find_notebook("01_toy_gan", "01_toy_gan")
        solutions = [c for c in nbformat.read(source("01_toy_gan"), as_version=4).cells
                     if c.metadata.get("nbgrader", {}).get("solution")]
        assert {(c.name, c.max_score) for c in notebook.grade_cells} == set(cells)
        assert len(notebook.solution_cells) == len(solutions)
        # what the formgrader lists for manual grading
        listed = gb.notebook_submission_dicts("01_toy_gan", "01_toy_gan")
        flagged = {d["student"]: d["needs_manual_grade"] for d in listed}
        assert flagged["_.hidden_script_"] and not flagged["ana"]


def test_gradebook_refuses_an_exercise_the_source_does_not_grade(tmp_path):
    r = record("ana", "01_toy_gan")
    r["exercises"][0]["id"] = "test_not_in_the_source"
    with pytest.raises(ValueError, match="'test_not_in_the_source' is not a grade cell of solutions/01_toy_gan"):
        report.write_outputs([r], str(tmp_path))


# --------------------------------------------------------------------------- running shards


def test_the_kubernetes_job_runs_one_shard_per_index():
    with open(os.path.join(ROOT, "deploy", "k8s-grade-job.yaml")) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    job = next(d for d in docs if d["kind"] == "Job")
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed" and spec["parallelism"] <= spec["completions"]
    pod = spec["template"]["spec"]
    command = " ".join(pod["containers"][0]["command"])
    assert "python -m tools.grade /submissions --out /out/shard-$JOB_COMPLETION_INDEX" in command
    assert f"--shard $((JOB_COMPLETION_INDEX+1))/{spec['completions']}" in command
    assert pod["restartPolicy"] == "Never" and pod["automountServiceAccountToken"] is False


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_slurm_script_submits_an_array_and_a_merge_that_waits_for_it(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "sbatch").write_text('#!/bin/sh\necho "$@" >> "$SBATCH_LOG"\necho 4242\n')
    (fake / "sbatch").chmod(0o755)
    log = tmp_path / "sbatch.log"
    env = dict(os.environ, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}", SBATCH_LOG=str(log))
    done = subprocess.run(["bash", os.path.join(ROOT, "deploy", "slurm-grade.sh"), "subs", "grades", "6"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    array, merged = log.read_text().splitlines()
    assert "--array=1-6" in array and "--shard $SLURM_ARRAY_TASK_ID/6" in array
    assert "--out grades/shard-$SLURM_ARRAY_TASK_ID" in array
    assert "--dependency=afterok:4242" in merged and "python -m tools.grading.merge grades grades/shard-*" in merged
