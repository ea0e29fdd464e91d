"""Installation files agree with each other, and every link points at the one repository URL."""
import os
import re
import tomllib

import yaml

from conftest import ROOT, read, release_tool


def pyproject():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["project"]


def name_of(requirement):
    return re.split(r"[<>=!~ \[;@]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    with open(os.path.join(ROOT, "environment.yml")) as f:
        env = yaml.safe_load(f)
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    conda_side = sorted(r for r in pip if not r.startswith("-e"))
    project = pyproject()
    assert conda_side == sorted(project["dependencies"] + project["optional-dependencies"]["dev"])
    assert "-e ." in pip


def test_torch_is_not_pinned_by_the_package_but_is_by_ci():
    deps = {name_of(r): r for r in pyproject()["dependencies"]}
    assert deps["torch"] == "torch" and deps["torchvision"] == "torchvision"
    with open(os.path.join(ROOT, "constraints-ci.txt")) as f:
        pins = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    assert "torch==2.14.1" in pins and "torchvision==0.29.1" in pins


def test_readme_gives_the_two_commands_and_ci_runs_the_test_command():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    assert "make lab" in readme and "make test" in readme
    with open(os.path.join(ROOT, ".ci", "run")) as f:
        assert "make test" in f.read()


def test_colab_links_and_install_cells_use_the_repository_url():
    url = pyproject()["urls"]["Repository"]
    slug = url.removeprefix("https://github.com/")
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    for name in release_tool.assignments():
        link = f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/{name}/{name}.ipynb"
        assert link in readme, f"README has no Colab link for {name}"
        for folder in ("solutions", "notebooks"):
            code = "\n".join(c.source for c in read(os.path.join(ROOT, folder, name, name + ".ipynb")).cells)
            assert f"git+{url}" in code, f"{folder}/{name} does not install course_lib from {url}"
    other = set(re.findall(r"github\.com/([\w.-]+/[\w.-]+)", readme)) - {slug}
    assert not other, f"README links to other repositories: {other}"
