"""`make lab` and `make test` install the course's tools on every Python the README names.

constraints-ci.txt locks the development set for the Makefile's SUPPORTED_PYTHONS. A pin whose
Requires-Python or wheels leave out one of them (soupsieve 4.1.3 needs Python 3.11.5, so Debian
12's 3.11.2 found no version of it at all) fails here, not in someone's first `make lab`: uv
resolves pyproject.toml's dependencies and dev extra against the lock for each target Python
and platform, wheels only, as pip installs them, and installs nothing.

The resolutions need PyPI. Where GAN_COURSE_PYPI=required (CI), an unreachable PyPI fails them;
elsewhere they are skipped. The other tests here need no network.
"""
import concurrent.futures
import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request

import pytest

from conftest import ROOT

# the slow tier (make unit leaves it out): uv resolves the development set from PyPI for every supported Python
pytestmark = pytest.mark.slow

LOCK = os.path.join(ROOT, "constraints-ci.txt")
PYPI = "https://pypi.org/simple"
PYPI_TIMEOUT_S = 10  # the reachability probe
RESOLVE_TIMEOUT_S = 300  # one resolution (all eleven at once took 67 s on a loaded 2-core machine)


def supported_pythons():
    """The Makefile's SUPPORTED_PYTHONS, e.g. ['3.11', '3.12', '3.13', '3.14']."""
    with open(os.path.join(ROOT, "Makefile")) as f:
        found = re.search(r"^SUPPORTED_PYTHONS := (.+)$", f.read(), re.M)
    assert found, "the Makefile sets no SUPPORTED_PYTHONS := X.Y ..."
    return found.group(1).split()


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path=LOCK):
    """{package: {version: marker or ''}} of a lock: one entry per pin, and a marker where it has one."""
    pins = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            found = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*(.+))?", line)
            assert found, f"{path}: {line!r} is not a pin (name==version, then ; marker if any)"
            name, version, marker = found.groups()
            pins.setdefault(canonical(name), {})[version] = marker or ""
    return pins


# Every supported minor from its first release, where a pin that needs a later patch shows
# itself, and the patch releases that common systems ship.
PATCHES = {"3.11.2": "Debian 12's python3"}
# MACOSX_DEPLOYMENT_TARGET: macOS 14 is the oldest that torch's pinned release has wheels for
PLATFORMS = {"x86_64-manylinux_2_28": {}, "aarch64-apple-darwin": {"MACOSX_DEPLOYMENT_TARGET": "14.0"}}
TARGETS = [(v, p) for v in sorted([f"{m}.0" for m in supported_pythons()] + list(PATCHES),
                                  key=lambda v: tuple(map(int, v.split("."))))
           for p in PLATFORMS]


def resolve(version, platform, lock=LOCK):
    """uv's resolution of the dev set against ``lock`` for one Python and platform: (returncode, output)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    # what a user gets from PyPI: no uv.toml, no mirror, no download of a Python to build with
    env.update(UV_NO_CONFIG="1", UV_PYTHON_DOWNLOADS="never", **PLATFORMS[platform])
    done = subprocess.run([sys.executable, "-m", "uv", "pip", "compile", "pyproject.toml", "--extra", "dev",
                           "-c", lock, "--python-version", version, "--python-platform", platform,
                           "--only-binary", ":all:", "--default-index", PYPI, "--no-header", "--no-annotate",
                           "--quiet"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=RESOLVE_TIMEOUT_S)
    return done.returncode, done.stdout + done.stderr


@pytest.fixture(scope="module")
def pypi():
    """Skip (or, where GAN_COURSE_PYPI=required, fail) when PyPI cannot be reached."""
    try:
        urllib.request.urlopen(PYPI + "/pip/", timeout=PYPI_TIMEOUT_S).close()
    except (urllib.error.URLError, OSError) as err:
        reason = f"PyPI ({PYPI}) cannot be reached, and the resolutions need it: {err}"
        if os.environ.get("GAN_COURSE_PYPI") == "required":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def resolutions(pypi, tmp_path_factory):
    """{target: (returncode, output)}: every target, and the old soupsieve pin on Debian 12, at once."""
    if importlib.util.find_spec("uv") is None:
        pytest.fail(f"uv is not installed in {sys.prefix}: it is in the dev extra, so this environment is older "
                    "than pyproject.toml (make installs it again)")
    old = tmp_path_factory.mktemp("lock") / "soupsieve-4.1.3.txt"
    with open(LOCK) as f:  # the lock as it was, with soupsieve 4.1.3 for every Python
        old.write_text(re.sub(r"^soupsieve==.*$", "", f.read(), flags=re.M) + "soupsieve==4.1.3\n")
    jobs = {target: (*target, LOCK) for target in TARGETS}
    jobs["old soupsieve"] = ("3.11.2", "x86_64-manylinux_2_28", str(old))
    with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:  # each uv spends most of its time on PyPI
        futures = {key: pool.submit(resolve, *job) for key, job in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


@pytest.mark.parametrize("version, platform", TARGETS, ids=[f"{v}-{p}" for v, p in TARGETS])
def test_the_lock_resolves_for_every_supported_python(resolutions, version, platform):
    code, output = resolutions[version, platform]
    assert code == 0, f"the dev set does not resolve against constraints-ci.txt for Python {version} " \
                      f"on {platform}:\n{output}"
    pins = locked()
    resolved = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", output, re.M)
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    asked = {canonical(re.match(r"[A-Za-z0-9._-]+", r).group()) for r in
             project["dependencies"] + project["optional-dependencies"]["dev"]}
    missing = asked - {canonical(n) for n, _ in resolved}
    assert not missing, f"the resolution for Python {version} on {platform} leaves out {missing}:\n{output}"
    floating = [f"{n}=={v}" for n, v in resolved if v not in pins.get(canonical(n), {})]
    assert not floating, f"Python {version} on {platform} gets versions that the lock does not pin: {floating}"


def test_a_pin_that_leaves_out_a_supported_python_fails_its_resolution(resolutions):
    code, output = resolutions["old soupsieve"]
    assert code != 0 and "soupsieve" in output and "3.11.5" in output, output


def test_the_lock_pins_each_package_once_for_each_environment():
    for name, versions in locked().items():
        if len(versions) > 1:  # then each pin holds where the others do not
            assert all(versions.values()), f"{name}: {versions} pins a version without a marker beside others"


def test_torch_is_not_pinned_by_the_package_but_is_by_ci():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        dependencies = tomllib.load(f)["project"]["dependencies"]
    assert "torch" in dependencies and "torchvision" in dependencies  # as they are: Colab brings its own
    pins = locked()
    assert pins["torch"] == {"2.14.1": ""} and pins["torchvision"] == {"0.29.1": ""}


def test_the_readme_and_environment_yml_name_the_supported_pythons():
    first, last = supported_pythons()[0], supported_pythons()[-1]
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    assert f"Python {first} to {last}" in readme
    with open(os.path.join(ROOT, "environment.yml")) as f:
        spec = re.search(r"^\s*- python(.*)$", f.read(), re.M).group(1).strip()
    minor = int(last.split(".")[1])
    assert spec == f">={first},<3.{minor + 1}", f"environment.yml asks conda for python{spec}"


def fake_python(folder, version):
    """An executable that answers make's version questions as Python ``version`` and fails at anything else."""
    path = folder / f"python{version}"
    path.write_text(f"#!{sys.executable}\n"
                    "import sys\n"
                    "if sys.argv[1:2] != ['-c']:\n"
                    "    sys.exit('this Python only tells its version')\n"
                    f"sys.version_info, sys.executable = {tuple(map(int, version.split('.')))}, __file__\n"
                    "exec(sys.argv[2])\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def checkout(tmp_path):
    """What the Makefile's set-up reads, in a folder of its own."""
    for name in ("Makefile", "pyproject.toml", "constraints-ci.txt"):
        shutil.copy(os.path.join(ROOT, name), tmp_path)
    return tmp_path


def make(checkout, *args):
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    return subprocess.run(["make", *args], cwd=checkout, capture_output=True, text=True, timeout=60)


def test_make_names_the_python_it_found_when_it_is_not_supported(checkout):
    python = fake_python(checkout, "3.10.12")
    done = make(checkout, "lab", f"PYTHON={python}")
    first, last = supported_pythons()[0], supported_pythons()[-1]
    assert done.returncode != 0
    assert f"{python} (Python 3.10.12)" in done.stderr and f"Python {first} to {last}" in done.stderr, done.stderr
    assert not (checkout / ".venv").exists()
    done = make(checkout, "test", "PYTHON=no-such-python3")
    assert done.returncode != 0 and "PYTHON=no-such-python3 is not found" in done.stderr, done.stderr


def test_make_names_the_python_it_used_when_the_install_fails(checkout):
    python = fake_python(checkout, "3.12.1")  # passes the check, then fails to make the venv
    done = make(checkout, "lab", f"PYTHON={python}")
    assert done.returncode != 0 and not (checkout / ".venv" / ".ready").exists()
    assert f"the install into .venv failed (the reason is above), with {python} (Python 3.12.1)" in done.stderr, \
        done.stderr
