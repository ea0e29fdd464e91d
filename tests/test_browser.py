"""End to end: the notebooks' widgets in JupyterLab, in a real browser (headless Chromium).

For each entry of NOTEBOOKS, a copy of the notebook runs in smoke mode in a JupyterLab started
on a free loopback port; Playwright clicks Run > Run All Cells, waits for the widget, works its
controls like a student and asserts that the picture changes. A later notebook adds its widget
as one more entry: the notebook's path and a function that works the widget.

Needs Playwright (the Python package; no browser download) and Debian's Chromium, which
.ci/run installs. Where GAN_COURSE_BROWSER=required (CI), a missing browser is a failure;
elsewhere the test is skipped. Screenshots go to $BROWSER_SCREENSHOTS, or to a temporary
folder whose path the test prints.
"""
import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Callable

import pytest

from conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
TOKEN = "course-browser-test"
NOTEBOOK_TIMEOUT_MS = 240_000  # the whole smoke run of one notebook (60 s on an idle machine), cells included
CHANGE_TIMEOUT_MS = 15_000  # one redraw after a slider move or a click


def browser_or_skip():
    """Import Playwright and find Chromium, or skip (outside CI) / fail (in CI) saying why."""
    problems = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the Python package playwright is not installed (pip install playwright)")
    if not os.access(CHROMIUM, os.X_OK):
        problems.append(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does it)")
    if problems:
        reason = "browser test cannot run: " + "; ".join(problems)
        if os.environ.get("GAN_COURSE_BROWSER") == "required":
            pytest.fail(reason)
        pytest.skip(reason)


# --- how each notebook's widget is worked ----------------------------------------------------

def image_src(page, index=0):
    """The blob URL of a widget image: it changes whenever the image widget's value does."""
    return page.locator("img.widget-image").nth(index).get_attribute("src")


def wait_for_new_src(page, before, what, index=0):
    page.wait_for_function(
        "([before, index]) => { const img = document.querySelectorAll('img.widget-image')[index];"
        " return img && img.src && img.src !== before; }",
        arg=[before, index], timeout=CHANGE_TIMEOUT_MS)
    assert image_src(page, index) != before, f"the picture did not change after {what}"


def drag_slider(page, fraction, index=0):
    """Drag a slider's handle with the mouse to ``fraction`` (0 to 1) of its track."""
    slider = page.locator(".widget-slider").nth(index)
    slider.scroll_into_view_if_needed()
    handle = slider.locator(".noUi-handle").bounding_box()
    track = slider.locator(".noUi-base").bounding_box()
    y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] + fraction * track["width"], y, steps=8)
    page.mouse.up()


def drag_then_click(fraction, button, label):
    """An interaction: drag the first slider to ``fraction`` of its track, then click the button
    matching the CSS selector ``button`` with text ``label``; the picture must change each time."""

    def interact(page, shoot):
        start = image_src(page)
        shoot("widget")
        drag_slider(page, fraction)
        wait_for_new_src(page, start, "dragging the slider")
        shoot("after-drag")
        moved = image_src(page)
        page.locator(button, has_text=label).first.click()
        wait_for_new_src(page, moved, f"clicking {label!r}")
        shoot(label)

    return interact


def drag_each_slider(*fractions):
    """An interaction: drag slider i to ``fractions[i]`` of its track, one slider after the other;
    the picture must change after each drag."""

    def interact(page, shoot):
        shoot("widget")
        for i, fraction in enumerate(fractions):
            before = image_src(page)
            drag_slider(page, fraction, index=i)
            wait_for_new_src(page, before, f"dragging slider {i}")
            shoot(f"after-slider-{i}")

    return interact


@dataclasses.dataclass
class Entry:
    notebook: str  # relative to the repository
    interact: Callable  # interact(page, shoot): works the widget, asserts the picture changes


NOTEBOOKS = [
    # 02, latent interpolation: t to 0.25 (at t = 0 and 1 every method gives G(z0) or G(z1)), then slerp
    Entry("solutions/02_dcgan/02_dcgan.ipynb", drag_then_click(0.25, ".widget-toggle-buttons button", "slerp")),
    # 04, conditional generation: walk the noise to t = 0.5 (t = 0 is G(z0, y)), then class 7
    Entry("solutions/04_conditional_gan/04_conditional_gan.ipynb", drag_then_click(0.5, ".widget-toggle-buttons button", "7")),
    # 07, fade-in: α to 0.3 (at 0 and 1 the middle image repeats an end), then a new code
    Entry("solutions/07_progan/07_progan.ipynb", drag_then_click(0.3, ".widget-button", "new z")),
    # 08, style mixing: the crossover k from L/2 down to 1, then psi from 1 down to about -0.25
    Entry("solutions/08_stylegan/08_stylegan.ipynb", drag_each_slider(0.12, 0.3)),
    # 09, attack: ε up from 0 (no perturbation), then the next digit
    Entry("solutions/09_adversarial_attacks/09_adversarial_attacks.ipynb", drag_then_click(0.6, ".widget-button", "next")),
]


# --- JupyterLab and the browser ----------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer at {url} within {timeout} s")


def stop(process):
    """Stop JupyterLab and its kernels (one process group), forcefully if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab serving a folder of notebook copies, in smoke mode; yields its URL and folder.

    Copies keep autosave from writing outputs into the repository, and separate Jupyter
    folders keep the user's own settings and kernels out of the test.
    """
    browser_or_skip()
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    root.mkdir()
    env = dict(os.environ, GAN_COURSE_MODE="smoke", MPLBACKEND="module://matplotlib_inline.backend_inline")
    for name in ("config", "data", "runtime"):
        env[f"JUPYTER_{name.upper()}_DIR"] = str(home / name)
    env["JUPYTERLAB_SETTINGS_DIR"] = str(home / "settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(home / "workspaces")
    # No "would you like news?" notice over the notebook; every cell kept in the page.
    settings = {"apputils-extension/notification": '{"fetchNews": "false", "checkForUpdates": false}',
                "notebook-extension/tracker": '{"windowingMode": "none"}'}
    for plugin, value in settings.items():
        path = home / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(home / "jupyterlab.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.root_dir={root}",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={TOKEN}", "--allow-root"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(url, process)
        yield url, root
    finally:
        stop(process)
        log.close()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def screenshots():
    folder = os.environ.get("BROWSER_SCREENSHOTS") or tempfile.mkdtemp(prefix="browser-screenshots-")
    os.makedirs(folder, exist_ok=True)
    print(f"\nscreenshots in {folder}")
    return folder


@pytest.mark.parametrize("entry", NOTEBOOKS, ids=lambda e: os.path.basename(e.notebook))
def test_widget_in_jupyterlab(entry, lab, browser, screenshots):
    url, root = lab
    source = os.path.join(ROOT, entry.notebook)
    assert os.path.exists(source), f"{entry.notebook} is in the browser test's table but does not exist"
    name = os.path.basename(entry.notebook)
    shutil.copy(source, root / name)
    stem = os.path.splitext(name)[0]
    page = browser.new_page(viewport={"width": 1280, "height": 1000})

    def shoot(label):
        page.screenshot(path=os.path.join(screenshots, f"{stem}-{label}.png"))

    try:
        # A workspace of its own, reset: only this notebook is open, so no selector below can find
        # the widgets or the kernel status of a notebook that an earlier entry opened.
        page.goto(f"{url}/lab/workspaces/{stem}/tree/{name}?reset&token={TOKEN}")
        page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
        # The status bar reads "<kernel name> | Idle" once the kernel is connected; the toolbar's
        # indicator says idle earlier, and a Run All before then is lost.
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-StatusBar-TextItem')].some("
            "e => /[|] Idle$/.test(e.textContent.trim()) && !e.textContent.startsWith('No Kernel'))",
            timeout=60_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        # Work the widget once every cell has run: until then the kernel queues its updates.
        page.wait_for_function(
            "() => document.querySelector('img.widget-image') && ![...document.querySelectorAll("
            "'.jp-InputArea-prompt')].some(p => p.textContent.includes('*'))", timeout=NOTEBOOK_TIMEOUT_MS)
        page.locator(".widget-slider .noUi-handle").first.scroll_into_view_if_needed()
        entry.interact(page, shoot)
    except Exception:
        shoot("failure")
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        print("\n".join(errors.all_inner_texts())[-3000:])
        raise
    finally:
        page.close()
