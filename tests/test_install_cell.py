"""The install cell of the released notebooks works on a bare runtime that brings its own torch, as Colab.

On Colab a notebook's first cell finds no ``course_lib`` and runs
``%pip install -q "gan-course @ git+URL"``, with URL the student repository; the lines after it
import course_lib. The student repository cannot be reached here, so the test makes a stand-in: the
student tree (``tools.release.student_tree``) committed into a local git repository. Then the first
cell of a released notebook runs as written, in IPython, with only its URL pointed at that
repository, in a fresh virtual environment whose torch and other packages come from the course's
environment (everything but the course itself), from an empty folder. It must install course_lib,
import it in the same cell, and leave torch alone: the same version, from the same files.
"""
import json
import os
import re
import subprocess
import sys
import sysconfig
import venv

import nbformat
import pytest

from tools import course, student_release
from tools.student_repository import student_repository as student_url

# the slow tier (make unit leaves it out): a fresh virtual environment, then the install cell's pip install in IPython
pytestmark = pytest.mark.slow

INSTALL = re.compile(r'^\s*%pip install -q "gan-course @ git\+(?P<url>[^"]+)"\s*$', re.M)


def first_cell(name):
    nb = nbformat.read(os.path.join(course.ROOT, "notebooks", name, f"{name}.ipynb"), as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "code" and INSTALL.search(c.source))


def test_every_released_notebook_installs_from_the_student_repository():
    urls = {name: INSTALL.search(first_cell(name))["url"] for name in course.assignments()}
    assert set(urls.values()) == {student_url()}, urls


def run(args, **kwargs):
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def student_repository(tmp_path_factory):
    """A local git repository holding the student tree, in place of the public one."""
    repo = tmp_path_factory.mktemp("student") / "gan-course-student"
    student_release.student_tree(str(repo))
    git = ["git", "-C", str(repo), "-c", "user.name=course", "-c", "user.email=course@example.org"]
    run(git[:3] + ["init", "-q", "-b", "main"])
    run(git + ["add", "-A"])
    run(git + ["commit", "-q", "-m", "student release"])
    return repo


@pytest.fixture(scope="module")
def bare_runtime(tmp_path_factory):
    """A fresh virtual environment with pip, that sees the course environment's packages but not the course."""
    env = tmp_path_factory.mktemp("runtime") / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()
    # the course environment's packages, through links, leaving out the course's own installation
    theirs = sysconfig.get_paths()["purelib"]
    shared = tmp_path_factory.mktemp("preinstalled")
    for entry in os.listdir(theirs):
        if entry.startswith(("gan_course", "__editable__", "course_lib")) or entry.endswith(".pth"):
            continue
        os.symlink(os.path.join(theirs, entry), shared / entry)
    with open(os.path.join(site, "preinstalled.pth"), "w") as f:
        f.write(f"{shared}\n")
    return python


def probe(python, cwd, env):
    code = ("import json, torch\n"
            "print(json.dumps({'version': torch.__version__, 'file': torch.__file__}))")
    return json.loads(run([python, "-c", code], cwd=cwd, env=env).strip().splitlines()[-1])


def test_the_install_cell_installs_course_lib_and_leaves_torch_alone(student_repository, bare_runtime, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["MPLBACKEND"] = "Agg"
    before = probe(bare_runtime, folder, env)
    missing = subprocess.run([bare_runtime, "-c", "import course_lib"], cwd=folder, env=env, capture_output=True)
    assert missing.returncode != 0, "course_lib is importable before the install cell: the test would prove nothing"

    source = first_cell("01_toy_gan")
    url = INSTALL.search(source)["url"]
    local = f"file://localhost{student_repository}"  # a host, which pip before 24 requires in a git+file URL
    cell = source.replace(url, local, 1)
    assert cell.count(f"git+{local}\"") == 1
    script = tmp_path / "first_cell.ipy"
    script.write_text(cell + "\nimport course_lib\nprint('course_lib from', course_lib.__file__)\n")
    out = run([bare_runtime, "-m", "IPython", "--no-banner", "--quick", str(script)], cwd=folder, env=env)
    assert "course_lib from" in out and sys.prefix not in out.split("course_lib from")[-1], out
    assert os.listdir(folder) == [], "the install cell left files in the working folder"

    after = probe(bare_runtime, folder, env)
    assert after == before, f"the install cell changed torch: {before} -> {after}"
    site = run([bare_runtime, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env=env).strip()
    assert not [e for e in os.listdir(site) if e.startswith("torch")], "pip installed a torch of its own"
    where = run([bare_runtime, "-c", "import course_lib; print(course_lib.__file__)"], cwd=folder, env=env)
    assert where.startswith(site), where
