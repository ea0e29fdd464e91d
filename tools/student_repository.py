"""Where students get the course: the student repository's URL, each notebook's install line and its Colab link.

The URL is set in one place, ``[tool.gan-course] student-repository`` in pyproject.toml. The release
points every notebook's install line at it, and the grader's feedback does the same for the
notebooks it writes back.
"""
import os
import re
import tomllib

from tools.course import ROOT

# The install line of every notebook's first code cell. pip sees Colab's torch as already satisfying
# the package's unpinned "torch", so the line installs course_lib and leaves Colab's torch alone.
INSTALL = re.compile(r'("gan-course @ git\+)([^"]*)(")')
GITHUB = re.compile(r"https://github\.com/[\w.-]+/[\w.-]+")
STUDENT_BRANCH = "main"  # the branch of the student repository that the Colab links open


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

