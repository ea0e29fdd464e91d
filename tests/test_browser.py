"""End to end: every course widget in JupyterLab, in a real browser (headless Chromium).

The test writes one small notebook that builds each of course_lib's five widgets (interpolation,
conditional, fade, style_mixing, attack) with tiny untrained networks, so that it runs in seconds
instead of training five notebooks first. JupyterLab serves it on a free loopback port;
Playwright clicks Run > Run All Cells, then works each widget's controls like a student and
asserts that its picture changes after each move. A new widget is one more entry in WIDGETS: the
code that builds it and a function that works it.

Needs Playwright (the Python package; no browser download) and Debian's Chromium, which
.ci/run installs. Where GAN_COURSE_BROWSER=required (CI), a missing browser is a failure;
elsewhere the test is skipped. Screenshots go to $BROWSER_SCREENSHOTS, or to a temporary
folder whose path the test prints.
"""
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Callable

import nbformat
import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
TOKEN = "course-browser-test"
NOTEBOOK_TIMEOUT_MS = 120_000  # every cell of the widget notebook (a few seconds on an idle machine)
CHANGE_TIMEOUT_MS = 15_000  # one redraw after a slider move or a click
NOTEBOOK = "widgets.ipynb"


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


# --- the notebook: tiny stand-ins for the notebooks' trained networks -------------------------

# Untrained networks are enough: each widget only has to redraw a different picture when a
# control moves, and random weights already map different inputs to different images.
SETUP = '''\
import torch
from torch import nn

from course_lib import widgets

torch.manual_seed(0)
Z_DIM, W_DIM, SIZE = 8, 8, 16


def image_head(n_in, size=SIZE):
    """An untrained map from (B, n_in) to (B, 1, size, size) images in [-1, 1]."""
    return nn.Sequential(nn.Linear(n_in, size * size), nn.Tanh(), nn.Unflatten(1, (1, size, size)))


def lerp(z0, z1, t):
    return (1 - t) * z0 + t * z1


def slerp(z0, z1, t):
    omega = torch.arccos(torch.clamp(torch.dot(z0 / z0.norm(), z1 / z1.norm()), -1, 1))
    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)


class ConditionalG(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, Z_DIM)
        self.head = image_head(2 * Z_DIM)

    def forward(self, z, y):  # (B, z_dim), (B,) -> (B, 1, SIZE, SIZE)
        return self.head(torch.cat([z, self.embed(y)], 1))


class GrowingG(nn.Module):
    """An old 8x8 path and a new 16x16 block, as in a fade-in."""

    def __init__(self):
        super().__init__()
        self.old, self.new = image_head(Z_DIM, SIZE // 2), image_head(Z_DIM, SIZE)


def fade_forward(G, z, stage, alpha):
    old = nn.functional.interpolate(G.old(z), scale_factor=2, mode="nearest")  # (B, 1, SIZE, SIZE)
    return (1 - alpha) * old + alpha * G.new(z)


class StyleG(nn.Module):
    z_dim, n_layers = Z_DIM, 8

    def __init__(self):
        super().__init__()
        self.mapping = nn.Sequential(nn.Linear(Z_DIM, W_DIM), nn.Tanh())
        self.head = image_head(self.n_layers * W_DIM)
        self.register_buffer("w_avg", torch.zeros(W_DIM))

    def synthesis(self, ws):  # (B, L, w_dim) -> (B, 1, SIZE, SIZE): every layer's code counts
        return self.head(ws.flatten(1))


def mix(w1, w2, k, n_layers):
    return torch.cat([w1[:, None].expand(-1, k, -1), w2[:, None].expand(-1, n_layers - k, -1)], 1)


def truncate(w, w_avg, psi):
    return w_avg + psi * (w - w_avg)


def fgsm(model, x, y, eps):
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(nn.functional.cross_entropy(model(x), y), x)
    return (x + eps * grad.sign()).clamp(-1, 1)
'''


def notebook(widgets):
    """The test notebook: the set-up cell, then one cell per widget that starts with its marker."""
    cells = [nbformat.v4.new_code_cell(SETUP)]
    for w in widgets:
        cells.append(nbformat.v4.new_markdown_cell(f"The {w.name} widget:"))
        cells.append(nbformat.v4.new_code_cell(f"{w.marker}\n{w.code}"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


# --- how each widget is worked ------------------------------------------------------------------
# Each interaction gets the page and the widget's cell (a Playwright locator): every selector is
# looked up inside that cell, so that the five widgets' sliders and buttons are not mixed up.

def image_src(cell, index=0):
    """The blob URL of a widget image: it changes whenever the image widget's value does."""
    return cell.locator("img.widget-image").nth(index).get_attribute("src")


def wait_for_new_src(cell, before, what, index=0):
    from playwright.sync_api import expect

    expect(cell.locator("img.widget-image").nth(index)).not_to_have_attribute(
        "src", before, timeout=CHANGE_TIMEOUT_MS)
    assert image_src(cell, index) != before, f"the picture did not change after {what}"


def drag_slider(page, cell, fraction, index=0):
    """Drag a slider's handle with the mouse to ``fraction`` (0 to 1) of its track."""
    slider = cell.locator(".widget-slider").nth(index)
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

    def interact(page, cell, shoot):
        start = image_src(cell)
        shoot("widget")
        drag_slider(page, cell, fraction)
        wait_for_new_src(cell, start, "dragging the slider")
        shoot("after-drag")
        moved = image_src(cell)
        cell.locator(button, has_text=label).first.click()
        wait_for_new_src(cell, moved, f"clicking {label!r}")
        shoot(label)

    return interact


def drag_each_slider(*fractions):
    """An interaction: drag slider i to ``fractions[i]`` of its track, one slider after the other;
    the picture must change after each drag."""

    def interact(page, cell, shoot):
        shoot("widget")
        for i, fraction in enumerate(fractions):
            before = image_src(cell)
            drag_slider(page, cell, fraction, index=i)
            wait_for_new_src(cell, before, f"dragging slider {i}")
            shoot(f"after-slider-{i}")

    return interact


@dataclasses.dataclass
class Widget:
    name: str  # the course_lib.widgets function
    code: str  # the cell that builds and shows it, after SETUP
    interact: Callable  # interact(page, cell, shoot): works the widget, asserts the picture changes

    @property
    def marker(self):
        return f"# widget: {self.name}"


WIDGETS = [
    # as in 02: t to 0.25 (at t = 0 and 1 every method gives G(z0) or G(z1)), then slerp
    Widget("interpolation", 'widgets.interpolation(image_head(Z_DIM), Z_DIM, {"lerp": lerp, "slerp": slerp})',
           drag_then_click(0.25, ".widget-toggle-buttons button", "slerp")),
    # as in 04: walk the noise to t = 0.5 (t = 0 is G(z0, y)), then class 7
    Widget("conditional", "widgets.conditional(ConditionalG(), Z_DIM, 10)",
           drag_then_click(0.5, ".widget-toggle-buttons button", "7")),
    # as in 07: α to 0.3 (at 0 and 1 the middle image repeats an end), then a new code
    Widget("fade", 'widgets.fade(fade_forward, Z_DIM, {"8 → 16": (GrowingG(), 1)})',
           drag_then_click(0.3, ".widget-button", "new z")),
    # as in 08: the crossover k from L/2 down to 1, then psi from 1 down to about -0.25
    Widget("style_mixing", "widgets.style_mixing(StyleG(), mix, truncate)", drag_each_slider(0.12, 0.3)),
    # as in 09: ε up from 0 (no perturbation), then the next digit
    Widget("attack", "widgets.attack(nn.Sequential(nn.Flatten(), nn.Linear(SIZE * SIZE, 10)), "
           "torch.rand(4, 1, SIZE, SIZE) * 2 - 1, torch.arange(4), fgsm)",
           drag_then_click(0.6, ".widget-button", "next")),
]


def test_every_course_widget_is_in_the_table():
    from course_lib import widgets

    builders = {"interpolation", "conditional", "fade", "style_mixing", "attack"}
    assert builders <= {name for name in dir(widgets) if callable(getattr(widgets, name))}
    assert {w.name for w in WIDGETS} == builders


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
    """A JupyterLab serving a folder that holds the widget notebook; yields its URL.

    The notebook lives in a temporary folder, so autosave never writes into the repository, and
    separate Jupyter folders keep the user's own settings and kernels out of the test.
    """
    browser_or_skip()
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    root.mkdir()
    nbformat.write(notebook(WIDGETS), root / NOTEBOOK)
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
        yield url
    finally:
        stop(process)
        log.close()


@pytest.fixture(scope="module")
def screenshots():
    folder = os.environ.get("BROWSER_SCREENSHOTS") or tempfile.mkdtemp(prefix="browser-screenshots-")
    os.makedirs(folder, exist_ok=True)
    print(f"\nscreenshots in {folder}")
    return folder


@pytest.fixture(scope="module")
def page(lab, screenshots):
    """The widget notebook open in Chromium, every cell run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = chromium.new_page(viewport={"width": 1280, "height": 1000})
            try:
                run_all_cells(page, lab)
            except Exception:
                page.screenshot(path=os.path.join(screenshots, "notebook-failure.png"))
                print_errors(page)
                raise
            yield page
        finally:
            chromium.close()


def run_all_cells(page, url):
    page.goto(f"{url}/lab/tree/{NOTEBOOK}?reset&token={TOKEN}")
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    # The status bar reads "<kernel name> | Idle" once the kernel is connected; the toolbar's
    # indicator says idle earlier, and a Run All before then is lost.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-StatusBar-TextItem')].some("
        "e => /[|] Idle$/.test(e.textContent.trim()) && !e.textContent.startsWith('No Kernel'))",
        timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    # Work the widgets once every cell has run: until then the kernel queues their updates.
    page.wait_for_function(
        "() => document.querySelector('img.widget-image') && ![...document.querySelectorAll("
        "'.jp-InputArea-prompt')].some(p => p.textContent.includes('*'))", timeout=NOTEBOOK_TIMEOUT_MS)


def print_errors(page):
    """What went wrong where a student would see it: tracebacks and the widgets' captions."""
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    captions = page.locator(".widget-html")
    print("\n".join(errors.all_inner_texts() + captions.all_inner_texts())[-3000:])


@pytest.mark.slow
@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: w.name)
def test_widget_in_jupyterlab(widget, page, screenshots):
    def shoot(label):
        page.screenshot(path=os.path.join(screenshots, f"{widget.name}-{label}.png"))

    cell = page.locator(".jp-CodeCell", has_text=widget.marker)
    try:
        assert cell.count() == 1, f"expected one cell holding {widget.marker!r}, found {cell.count()}"
        cell.locator("img.widget-image").first.wait_for(timeout=CHANGE_TIMEOUT_MS)
        cell.locator(".widget-slider .noUi-handle").first.scroll_into_view_if_needed()
        widget.interact(page, cell, shoot)
    except Exception:
        shoot("failure")
        print_errors(page)
        raise
