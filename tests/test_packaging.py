"""Installation files agree with each other, and every link points at the one repository URL."""
import os
import re
import tomllib

import yaml

from conftest import ROOT


def pyproject():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["project"]


def name_of(requirement):
    return re.split(r"[<>=!~ \[;@]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_installs_the_package_as_pyproject_declares_it():
    with open(os.path.join(ROOT, "environment.yml")) as f:
        env = yaml.safe_load(f)
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert pip == ["-e .[dev]"], "environment.yml installs the package with its dev extra, and nothing else"


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
