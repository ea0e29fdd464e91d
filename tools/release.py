"""Release the course: the student notebooks from the nbgrader sources, and the student repository.

    python -m tools.release                        # every assignment, into notebooks/
    python -m tools.release --out DIR              # somewhere else (the tests compare the two)
    python -m tools.release --student-tree DIR     # also the student release, as a tree to push
    python -m tools.release --bundle student.zip   # also the student release as a zip
    python -m tools.release --released 01_toy_gan 02_dcgan --student-tree DIR --bundle ZIP
                                                   # the tree and the zip hold those notebooks only

The course lives in two repositories. This one, the instructor's, stays private: solutions/ holds
every answer and every hidden test. Students get the student release, a public repository that
holds the student notebooks, course_lib and its packaging, and nothing else. Its URL is set in one
place, ``[tool.gan-course] student-repository`` in pyproject.toml: every release points the
notebooks' install line at it, and the Colab links open its notebooks.

The release also writes course_lib/assignments.json, the list of graded cells that students check
their notebooks against before submitting (course_lib.submit).

nbgrader's generate_assignment is deterministic, so a fresh release must match notebooks/.
"""
import argparse
import glob
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile

import nbformat

from course_lib import cells

try:
    from tools.course import ROOT, assignments, source
except ModuleNotFoundError as err:  # run as a script: tools/ is then not an importable package
    if err.name != "tools":
        raise
    raise SystemExit("run the release from the course root as a module: python -m tools.release") from None

# The install line of every notebook's first code cell. pip sees Colab's torch as already satisfying
# the package's unpinned "torch", so the line installs course_lib and leaves Colab's torch alone.
INSTALL = re.compile(r'("gan-course @ git\+)([^"]*)(")')
GITHUB = re.compile(r"https://github\.com/[\w.-]+/[\w.-]+")
STUDENT_BRANCH = "main"  # the branch of the student repository that the Colab links open
# A line that is one of nbgrader's markers (a code comment, or a line of its own in Markdown): in a
# student's file it would be a solution or a hidden test left in. A marker quoted in a string, as
# course_lib quotes them to split a cell, is not one.
MARKER_LINE = re.compile(r"^\s*(#+\s*)?(BEGIN|END) (SOLUTION|HIDDEN TESTS|MARK SCHEME)\b", re.M)


def nbgrader(*args, root=ROOT):
    """Run the nbgrader command line of this Python's environment, from the course root."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    # nbgrader runs `alembic` from PATH to create gradebook.db: hence this environment's bin first
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], check=False, cwd=root, env=env,
                          capture_output=True, text=True)


# --------------------------------------------------------------------------- the student repository


def student_repository(root=ROOT):
    """The student repository's URL: ``[tool.gan-course] student-repository`` in root's pyproject.toml."""
    path = os.path.join(root, "pyproject.toml")
    with open(path, "rb") as f:
        url = tomllib.load(f).get("tool", {}).get("gan-course", {}).get("student-repository")
    # Colab opens notebooks from GitHub only, hence a GitHub URL
    if not isinstance(url, str) or not GITHUB.fullmatch(url):
        raise ValueError(f"{path}: [tool.gan-course] student-repository must be the student repository's "
                         f"GitHub URL, like https://github.com/OWNER/NAME; found {url!r}")
    return url


def colab_link(name, repository):
    """The Colab link that opens assignment ``name`` from the student repository."""
    slug = repository.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{slug}/blob/{STUDENT_BRANCH}/notebooks/{name}/{name}.ipynb"


def point_install_line(nb, repository, where):
    """Make the notebook's one install line install course_lib from ``repository`` (in place)."""
    found = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source, n = INSTALL.subn(lambda m: m.group(1) + repository + m.group(3), cell.source)
            found += n
    if found != 1:
        raise ValueError(f'{where}: expected one install line, %pip install -q "gan-course @ git+URL", '
                         f"in a code cell; found {found}")


# --------------------------------------------------------------------------- notebooks/ from solutions/


def release(out=None, db=None, root=ROOT, repository=None, manifest=None):
    """Generate every assignment into ``out`` (default notebooks/); raise with nbgrader's log on failure.

    The install line is pointed at ``repository`` (default: this course's student repository)
    before nbgrader sees the source, so that the checksums and the gradebook agree with the
    student version. ``manifest``: write course_lib/assignments.json (True), do not (False), or
    write it when root has a course_lib/ (None; a copy of the sources alone has none, and says so).
    """
    repository = repository or student_repository()
    extra = []
    if out:
        extra.append(f"--CourseDirectory.release_directory={os.path.abspath(out)}")
    if db:
        extra.append(f"--CourseDirectory.db_url=sqlite:///{os.path.abspath(db)}")
    with tempfile.TemporaryDirectory() as sources:
        for name in assignments(root):
            shutil.copytree(os.path.dirname(source(name, root)), os.path.join(sources, name),
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            path = os.path.join(sources, name, name + ".ipynb")
            nb = nbformat.read(path, as_version=4)
            point_install_line(nb, repository, os.path.relpath(source(name, root), root))
            nbformat.write(nb, path)
            done = nbgrader("generate_assignment", name, "--force",
                            f"--CourseDirectory.source_directory={sources}", *extra, root=root)
            if done.returncode != 0:
                raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n{done.stdout}\n{done.stderr}")
            print(f"released {name}")
    if manifest is None:
        manifest = os.path.isdir(os.path.join(root, "course_lib"))
        if not manifest:
            print(f"no course_lib/ in {root}: course_lib/assignments.json not written")
    if manifest:
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
    """{notebook: its cells as students have them}: what ``course_lib.submit`` runs a notebook as.

    No answers and no hidden tests: ``course_lib.cells.public`` leaves them out.
    """
    return {name: cells.public(cells.template(nbformat.read(source(name, root), as_version=4)))
            for name in assignments(root)}


def write_manifest(root=ROOT):
    """Write course_lib/assignments.json under root, which must be a course with its course_lib/."""
    folder = os.path.join(root, "course_lib")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{folder} is not a folder: assignments.json goes into the course_lib/ "
                                "of a course checkout, and this root has none")
    with open(os.path.join(folder, "assignments.json"), "w", encoding="utf-8") as f:
        json.dump(manifest(root), f, indent=1)
        f.write("\n")


# --------------------------------------------------------------------------- the student release

STUDENT_TITLE = "# Generative adversarial networks, hands on: the student notebooks"

STUDENT_README = STUDENT_TITLE + """

Nine Jupyter notebooks on generative adversarial networks, in Python and PyTorch: from a GAN in one
dimension to StyleGAN and adversarial attacks. Each one has graded exercises. `course_lib` is the
small library that the notebooks import: data, training loops, pictures, metrics, and the checks
that tell you how your code is doing. It never holds an answer.

| # | notebook | open |
|---|---|---|
{table}

## On Colab

Open a notebook from its Colab link and run its first cell: it installs `course_lib` from this
repository and leaves Colab's own PyTorch as it is. Colab gives you a GPU under Runtime → Change
runtime type, and the notebooks then run in full mode. Keep your work with File → Save a copy in
Drive.

## On your own computer

With Python 3.10 or newer, in a clone of this repository:

```bash
python -m venv .venv && . .venv/bin/activate    # on Windows: .venv\\Scripts\\activate
pip install . jupyterlab
jupyter lab notebooks
```

## Working through a notebook

Go from top to bottom. Write your code where it says `# YOUR CODE HERE`, then run the check cell
below it: it prints one line when your code passes, and otherwise says what it expected, what it
got and what the bug probably is. On a CPU the notebooks run in `lite` mode, on a GPU in `full`
mode; set `GAN_COURSE_MODE=smoke|lite|full` before starting Jupyter to choose.

## Before you submit

Run the last cell of the notebook (`submit.check()`), or from a terminal
`python -m course_lib.submit "Copy of 01_toy_gan.ipynb"`. It reads the notebook as the grader will,
checks that every graded cell is in place, runs the notebook afresh with training skipped and lists
each check with its points. Then hand in the `.ipynb` file as your course asks (Colab: File →
Download → Download .ipynb).

This repository is generated from the course's sources at each release: a change made here is
replaced by the next one.
"""

STUDENT_GITIGNORE = """.venv/
__pycache__/
*.egg-info/
build/
.ipynb_checkpoints/
checkpoints/
"""

# The copy of pyproject.toml that goes with the student release: the package alone.
PYPROJECT_HEADER = "# The student release of the course, generated with the notebooks: change the course's own\n" \
                   "# pyproject.toml, not this copy.\n"


def _title(nb, name):
    """A notebook's title: its first level-one heading without the number, safe in a table cell."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            title = cell.source.splitlines()[0][2:].strip()
            return re.sub(r"^\d+\s*·\s*", "", title).replace("|", "\\|")
    return name


def student_readme(notebooks, repository, root=ROOT, names=None):
    """The student release's README.md: the notebooks, their Colab links, how to work and submit."""
    rows = []
    for name in names or assignments(root):
        nb = nbformat.read(os.path.join(notebooks, name, name + ".ipynb"), as_version=4)
        rows.append(f"| {name[:2]} | [{_title(nb, name)}](notebooks/{name}/{name}.ipynb) "
                    f"| [Colab]({colab_link(name, repository)}) |")
    return STUDENT_README.format(table="\n".join(rows))


def _toml_key(key):
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):  # JSON's string escapes are all valid in a TOML basic string
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        items = [_toml_value(v) for v in value]
        inline = "[" + ", ".join(items) + "]"
        return inline if len(inline) <= 80 else "[\n" + "".join(f"    {i},\n" for i in items) + "]"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} to the student pyproject.toml")


def _toml_tables(tables):
    """TOML text of {table name: {key: value}}; nested dicts become sub-tables."""
    lines = []

    def table(name, content):
        lines.extend([f"[{name}]"] + [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in content.items()
                                      if not isinstance(v, dict)] + [""])
        for k, v in content.items():
            if isinstance(v, dict):
                table(f"{name}.{_toml_key(k)}", v)

    for name, content in tables.items():
        table(name, content)
    return "\n".join(lines)


def student_pyproject(repository, root=ROOT):
    """The student release's pyproject.toml: the course's package, its URL the student repository.

    The instructor's extras (the test and grading tools), the pytest settings and the course's own
    settings stay behind."""
    with open(os.path.join(root, "pyproject.toml"), "rb") as f:
        course = tomllib.load(f)
    project = {k: v for k, v in course["project"].items() if k not in ("optional-dependencies", "urls")}
    project["urls"] = {"Repository": repository}
    return PYPROJECT_HEADER + "\n" + _toml_tables({"build-system": course["build-system"], "project": project,
                                                   "tool.setuptools": course["tool"]["setuptools"]})


def _package_files(root):
    """course_lib's files as the package ships them: its modules and its package data, sorted."""
    with open(os.path.join(root, "pyproject.toml"), "rb") as f:
        data = tomllib.load(f)["tool"]["setuptools"].get("package-data", {}).get("course_lib", [])
    lib = os.path.join(root, "course_lib")
    found = set()
    for parent, dirs, files in os.walk(lib):
        dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
        found |= {os.path.relpath(os.path.join(parent, f), lib) for f in files if f.endswith(".py")}
    for pattern in data:
        matched = [os.path.relpath(p, lib) for p in glob.glob(os.path.join(lib, pattern))]
        if not matched:
            raise FileNotFoundError(f"course_lib/{pattern} (package data in pyproject.toml) matches no file")
        found |= set(matched)
    return sorted(found)


def _is_student_tree(folder):
    readme = os.path.join(folder, "README.md")
    if not os.path.isfile(readme) or os.path.exists(os.path.join(folder, "solutions")):
        return False
    with open(readme, encoding="utf-8") as f:
        return f.readline().rstrip("\n") == STUDENT_TITLE


def leaks(folder):
    """The files under folder with a line that is an nbgrader solution or hidden-test marker."""
    found = []
    for parent, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            path = os.path.join(parent, name)
            if name.endswith(".ipynb"):  # the cells' text, not its JSON encoding
                text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
            else:
                with open(path, "rb") as f:
                    text = f.read().decode("utf-8", errors="replace")
            if MARKER_LINE.search(text):
                found.append(os.path.relpath(path, folder))
    return sorted(found)


def student_tree(dest, root=ROOT, notebooks=None, repository=None, names=None):
    """Write the student release into folder ``dest``, ready to push as the student repository.

    It holds notebooks/ (the released student notebooks of the assignments ``names``, by default
    all of them, from ``notebooks``, default root's notebooks/), course_lib/ as the package ships
    it, a pyproject.toml for the package alone, a README.md for students, LICENSE if the course
    has one, and a .gitignore: no solutions, no hidden tests, no tools, no gradebook. ``dest`` may
    be a clone of the student repository, or an earlier tree: everything in it but .git is
    replaced. Returns the files written, relative to dest.
    """
    repository = repository or student_repository()
    notebooks = notebooks or os.path.join(root, "notebooks")
    names = _released(names, root)
    if os.path.exists(dest):
        if not os.path.isdir(dest):
            raise NotADirectoryError(f"{dest} is a file: the student tree needs a folder")
        entries = sorted(set(os.listdir(dest)) - {".git"})
        if entries and not _is_student_tree(dest):
            raise FileExistsError(f"{dest} holds {', '.join(entries[:5])}{', ...' if len(entries) > 5 else ''}; "
                                  "expected an empty folder, a clone of the student repository or an earlier "
                                  f"student tree (a README.md that starts with {STUDENT_TITLE!r})")
        for entry in entries:
            path = os.path.join(dest, entry)
            shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)
    written = []

    def put(rel, data=None, copy_from=None):
        path = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if copy_from:
            shutil.copyfile(copy_from, path)
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(data)
        written.append(rel)

    for name in names:
        folder = os.path.join(notebooks, name)
        if not os.path.isfile(os.path.join(folder, name + ".ipynb")):
            raise FileNotFoundError(f"{folder}/{name}.ipynb is missing: release the notebooks first")
        for parent, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
            for f in sorted(files):
                full = os.path.join(parent, f)
                put(os.path.join("notebooks", os.path.relpath(full, notebooks)), copy_from=full)
    for rel in _package_files(root):
        put(os.path.join("course_lib", rel), copy_from=os.path.join(root, "course_lib", rel))
    put("pyproject.toml", student_pyproject(repository, root))
    put("README.md", student_readme(notebooks, repository, root, names))
    put(".gitignore", STUDENT_GITIGNORE)
    for name in ("LICENSE", "LICENSE.md", "LICENSE.txt"):
        if os.path.isfile(os.path.join(root, name)):
            put(name, copy_from=os.path.join(root, name))
    leaked = leaks(dest)
    if leaked:
        raise RuntimeError(f"the student tree {dest} holds solution or hidden-test markers in: {', '.join(leaked)}")
    print(f"student tree: {dest} ({len(written)} files)")
    return sorted(written)


def _released(names, root):
    """The assignments to release, in course order: ``names``, checked, or all of them."""
    every = assignments(root)
    if names is None:
        return every
    unknown = sorted(set(names) - set(every))
    if unknown or not names:
        raise ValueError(f"the notebooks to release must be among {', '.join(every)}; "
                         f"got {', '.join(unknown) or 'none'}")
    return [name for name in every if name in names]


def bundle(path, root=ROOT, notebooks=None, repository=None, names=None):
    """A zip of the student release (as student_tree writes it, with the notebooks ``names``), in a
    folder gan-course/.

    Entries carry a fixed date, so that the same release gives the same zip."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tree = os.path.join(tmp, "gan-course")
        files = student_tree(tree, root, notebooks, repository, names)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for rel in files:
                info = zipfile.ZipInfo(f"gan-course/{rel}", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(os.path.join(tree, rel), "rb") as f:
                    z.writestr(info, f.read())
    with open(path, "wb") as f:
        f.write(buffer.getvalue())
    print(f"student bundle: {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.release", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="release folder (default: notebooks/)")
    parser.add_argument("--db", help="gradebook file (default: gradebook.db at the course root)")
    parser.add_argument("--student-tree", metavar="DIR",
                        help="also write the student release here: a folder to push as the student repository")
    parser.add_argument("--bundle", metavar="ZIP", help="also write the student release as a zip here")
    parser.add_argument("--released", nargs="+", metavar="NAME",
                        help="the notebooks the student tree and the bundle hold (default: all), "
                             "e.g. the ones already due")
    args = parser.parse_args(argv)
    if args.released and not (args.student_tree or args.bundle):
        parser.error("--released chooses the notebooks of --student-tree and --bundle; "
                     "give --student-tree DIR or --bundle ZIP too")
    release(args.out, args.db)
    if args.student_tree:
        student_tree(args.student_tree, notebooks=args.out, names=args.released)
    if args.bundle:
        bundle(args.bundle, notebooks=args.out, names=args.released)


if __name__ == "__main__":
    main()
