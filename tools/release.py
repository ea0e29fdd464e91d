"""Regenerate the student notebooks in notebooks/ from the nbgrader sources in solutions/.

    python tools/release.py                 # every assignment, into notebooks/
    python tools/release.py --out DIR       # somewhere else (the tests compare the two)
    python tools/release.py --bundle student.zip   # also a zip for students: notebooks + course_lib

It also writes course_lib/assignments.json, the list of graded cells that students check their
notebooks against before submitting (course_lib.submit).

nbgrader's generate_assignment is deterministic, so a fresh release must match notebooks/.
"""
import argparse
import json
import os
import subprocess
import sys
import zipfile

import nbformat

from course_lib import submit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def assignments(root=ROOT):
    """The assignment folders of solutions/, in course order."""
    src = os.path.join(root, "solutions")
    return sorted(d for d in os.listdir(src) if os.path.isfile(os.path.join(src, d, d + ".ipynb")))


def nbgrader(*args, root=ROOT):
    """Run the nbgrader command line of this Python's environment, from the course root."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    # nbgrader runs `alembic` from PATH to create gradebook.db: hence this environment's bin first
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                          capture_output=True, text=True)


def release(out=None, db=None, root=ROOT):
    """Generate every assignment into ``out`` (default notebooks/); raise with nbgrader's log on failure."""
    extra = []
    if out:
        extra.append(f"--CourseDirectory.release_directory={os.path.abspath(out)}")
    if db:
        extra.append(f"--CourseDirectory.db_url=sqlite:///{os.path.abspath(db)}")
    for name in assignments(root):
        done = nbgrader("generate_assignment", name, "--force", *extra, root=root)
        if done.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n{done.stdout}\n{done.stderr}")
        print(f"released {name}")
    write_manifest(root)


def answered(student, source):
    """The student notebook with every answer cell filled in as in the source notebook."""
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    done = nbformat.from_dict(student)
    for cell in done.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return done


def manifest(root=ROOT):
    """{notebook: its graded cells}: what ``course_lib.submit`` checks a student's notebook against."""
    return {name: submit.graded_cells(nbformat.read(os.path.join(root, "solutions", name, name + ".ipynb"), as_version=4))
            for name in assignments(root)}


def write_manifest(root=ROOT):
    path = os.path.join(root, "course_lib", "assignments.json")
    if os.path.isdir(os.path.dirname(path)):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(manifest(root), f, indent=1)
            f.write("\n")


STUDENT_README = """# GAN course: student bundle

Install the helper library (Python 3.10 or newer), from this folder:

    pip install .

or, on Colab, run the first cell of a notebook: it installs the library from the course repository.
Then open the notebooks in `notebooks/` in JupyterLab, Jupyter or Colab, and work through each one
top to bottom. Before you submit, run the last cell of the notebook (or, from a terminal,
`python -m course_lib.submit NOTEBOOK.ipynb`): it checks that every graded cell is in place,
runs the notebook afresh and lists each check. Submit the .ipynb file as your course asks
(Colab: File -> Download -> Download .ipynb).
"""


def bundle(path, root=ROOT):
    """A zip for students: the released notebooks and course_lib (with its weights), no solutions or gradebook."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("gan-course/STUDENT.md", STUDENT_README)
        for name in ("pyproject.toml", "README.md"):  # pip needs both to install course_lib
            z.write(os.path.join(root, name), f"gan-course/{name}")
        for folder in ("notebooks", "course_lib"):
            for parent, _, files in sorted(os.walk(os.path.join(root, folder))):
                for name in sorted(files):
                    # .pt, .json: the classifier weights and the list of graded cells (package data)
                    if name.endswith((".ipynb", ".py", ".pt", ".json")) and ".ipynb_checkpoints" not in parent:
                        full = os.path.join(parent, name)
                        z.write(full, os.path.join("gan-course", os.path.relpath(full, root)))
    print(f"student bundle: {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="release folder (default: notebooks/)")
    parser.add_argument("--db", help="gradebook file (default: gradebook.db at the course root)")
    parser.add_argument("--bundle", help="also write a student zip (notebooks + course_lib) here")
    args = parser.parse_args()
    release(args.out, args.db)
    if args.bundle:
        bundle(args.bundle)
