"""Installation files agree with each other, and every link points at the one repository URL."""
import os

import yaml

from conftest import ROOT


def test_environment_yml_installs_the_package_as_pyproject_declares_it():
    with open(os.path.join(ROOT, "environment.yml")) as f:
        env = yaml.safe_load(f)
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert pip == ["-e .[dev]"], "environment.yml installs the package with its dev extra, and nothing else"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_command():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    assert "make lab" in readme and "make test" in readme
    with open(os.path.join(ROOT, ".ci", "run")) as f:
        ci = f.read()
    assert "make test" in ci
    # tests that skip without a browser or without PyPI elsewhere must run in CI
    assert "export GAN_COURSE_BROWSER=required" in ci and "export GAN_COURSE_PYPI=required" in ci
