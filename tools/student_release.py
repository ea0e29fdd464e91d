"""The student release: a tree to push as the student repository, or the same as a zip.

It holds the released student notebooks, course_lib as the package ships it, a pyproject.toml for
the package alone, a README.md for students (tools/student_README.md, with the table of notebooks
filled in) and a .gitignore (tools/student.gitignore): no solutions, no hidden tests, no tools.
"""
import glob
import io
import json
import os
import re
import shutil
import tempfile
import tomllib
import zipfile

import nbformat

from tools.course import ROOT, assignments
from tools.student_repository import colab_link, student_repository

HERE = os.path.dirname(os.path.abspath(__file__))
# A line that is one of nbgrader's markers (a code comment, or a line of its own in Markdown): in a
# student's file it would be a solution or a hidden test left in. A marker quoted in a string, as
# course_lib quotes them to split a cell, is not one.
MARKER_LINE = re.compile(r"^\s*(#+\s*)?(BEGIN|END) (SOLUTION|HIDDEN TESTS|MARK SCHEME)\b", re.M)


with open(os.path.join(HERE, "student_README.md"), encoding="utf-8") as _f:
    STUDENT_README = _f.read()  # a template: {table} is the table of notebooks
STUDENT_TITLE = STUDENT_README.splitlines()[0]  # how an earlier student tree is recognised
with open(os.path.join(HERE, "student.gitignore"), encoding="utf-8") as _f:
    STUDENT_GITIGNORE = _f.read()

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

