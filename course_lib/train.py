"""The boring parts of an adversarial training loop.

The notebook writes the interesting part, one training step, and ``fit`` runs it::

    history = train.fit(lambda real: train_step(G, D, opt_G, opt_D, real), batches, steps=5000,
                        every=500, on_snapshot=live.update, checkpoint=train.checkpoint_dir("02_dcgan"),
                        state={"G": G, "D": D, "opt_G": opt_G, "opt_D": opt_D})

``fit`` gives progress through tqdm.auto, a loss history, a callback for periodic snapshots,
and checkpoints: a run that stops (a Colab runtime that disconnects) resumes where it stopped
when the cell runs again, on a CPU bit for bit as if it had never stopped (``checkpoint_dir``
says where, on Google Drive under Colab, and whether: in full mode only). Under nbgrader it trains nothing. With
``pass_step=True`` the step also gets its number, for what changes over the run (a phase, a
penalty every few steps). ``linear_decay`` is the learning-rate schedule that ends a GAN's run.
``GAN_COURSE_STEPS`` (``runtime.step_limit``) cuts every run to a few steps, spread over it
(``spread_steps``), to check on a CPU that a mode's code runs at its full size.
"""
import os
import random
import time
from collections import defaultdict

import numpy as np
import torch
from tqdm.auto import tqdm

from . import guard, runtime

CHECKPOINT_FILE = "checkpoint.pt"
CHECKPOINT_VARIABLE = "GAN_COURSE_CHECKPOINTS"


class History:
    """Loss values per step: ``history["loss_D"]`` is a list aligned with ``history.steps``."""

    def __init__(self):
        self.steps = []
        self.values = defaultdict(list)
        self.seconds = 0.0

    def append(self, step, values):
        self.steps.append(step)
        for name, value in values.items():
            self.values[name].append(value)

    def __getitem__(self, name):
        return self.values[name]

    def __len__(self):
        return len(self.steps)

    def state_dict(self):
        return {"steps": self.steps, "values": dict(self.values), "seconds": self.seconds}

    def load_state_dict(self, state):
        self.steps = list(state["steps"])
        self.values = defaultdict(list, {k: list(v) for k, v in state["values"].items()})
        self.seconds = state["seconds"]


def _as_float(name, value):
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"the step returned {name} with shape {tuple(value.shape)}; expected a scalar")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"the step returned {name} = {guard.describe(value)}; expected a number")
    return float(value)


def checkpoint_dir(name):
    """The folder where a notebook's training run is saved, or None when runs are not saved.

    Runs are saved in full mode, whose runs are long and happen on Colab, where a runtime can
    disconnect; not in smoke and lite mode, whose runs take minutes and where a student who has
    changed a step and runs the cell again wants a fresh run. ``GAN_COURSE_CHECKPOINTS=on|off``
    overrides this. The folder is on Google Drive under Colab (it survives the runtime), else
    ./checkpoints; below it, one folder per notebook and mode: <name>/<mode>, and
    <name>/<mode>-at-most-<N>-steps for runs cut by ``GAN_COURSE_STEPS=N``.
    """
    if not isinstance(name, str) or not name or os.sep in name or name.startswith("."):
        raise ValueError(f"name must be a simple folder name such as '02_dcgan', got {name!r}")
    chosen = os.environ.get(CHECKPOINT_VARIABLE, "").strip().lower()
    if chosen not in ("", "on", "off"):
        raise ValueError(f"{CHECKPOINT_VARIABLE} must be 'on' or 'off'; got {os.environ[CHECKPOINT_VARIABLE]!r}")
    if chosen == "off" or (not chosen and runtime.mode() != "full"):
        return None
    limit = runtime.step_limit()
    # a cut run ends at the run's last step number: saved with the uncut runs, it would pass for a finished one
    folder = runtime.mode() if limit is None else f"{runtime.mode()}-at-most-{limit}-steps"
    return os.path.join(_checkpoint_root(), name, folder)


def _checkpoint_root():
    try:
        from google.colab import drive  # only importable on Colab
    except ImportError:
        return "checkpoints"
    try:
        drive.mount("/content/drive")
    except Exception as error:  # refused or failed authorisation: the run is still saved, on the runtime's disk
        print(f"Google Drive is not mounted ({type(error).__name__}: {str(error)[:200]}); checkpoints are saved "
              "in ./checkpoints, which a disconnect loses")
        return "checkpoints"
    return "/content/drive/MyDrive/gan_course_checkpoints"


def _rng_state():
    return {"torch": torch.get_rng_state(), "python": random.getstate(), "numpy": np.random.get_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None}


def _set_rng_state(state):
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    if state["cuda"] is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _saved(obj):
    """What a checkpoint keeps of one entry of ``state``."""
    if isinstance(obj, (list, dict)):
        return obj  # saved whole: a pool of images, a dict of snapshots
    saved = {"state_dict": obj.state_dict()}
    if isinstance(obj, torch.nn.Module):  # what state_dict leaves out and a step may change
        saved["training"] = [m.training for m in obj.modules()]
        saved["requires_grad"] = [p.requires_grad for p in obj.parameters()]
    return saved


def _restore(obj, saved, name, path):
    if isinstance(obj, list):
        obj[:] = saved  # in place: the step holds a reference to this very list
        return
    if isinstance(obj, dict):
        obj.clear()
        obj.update(saved)
        return
    try:
        obj.load_state_dict(saved["state_dict"])
    except (RuntimeError, ValueError, KeyError) as error:
        raise ValueError(f"the checkpoint in {path} does not fit state[{name!r}]: it was saved from a different "
                         f"network or setting ({' '.join(str(error).split())[:300]}). Delete the folder "
                         f"{os.path.dirname(path)} to train from the start.") from None
    if isinstance(obj, torch.nn.Module):
        for module, training in zip(obj.modules(), saved["training"]):
            module.training = training
        for p, requires_grad in zip(obj.parameters(), saved["requires_grad"]):
            p.requires_grad_(requires_grad)


def _save(folder, state, data, history, step):
    os.makedirs(folder, exist_ok=True)
    payload = {
        "step": step,
        "history": history.state_dict(),
        "state": {k: _saved(v) for k, v in state.items()},
        "data": data.state_dict() if hasattr(data, "state_dict") else None,
        "rng": _rng_state(),
    }
    tmp = os.path.join(folder, CHECKPOINT_FILE + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, os.path.join(folder, CHECKPOINT_FILE))  # atomic: a crash never leaves half a file


def _load(folder, state, data, history):
    path = os.path.join(folder, CHECKPOINT_FILE)
    if not os.path.exists(path):
        return 0
    payload = torch.load(path, weights_only=False)  # our own file: it holds RNG states and Python lists
    if set(state) != set(payload["state"]):
        raise ValueError(f"the checkpoint in {path} holds {sorted(payload['state'])}, but state has "
                         f"{sorted(state)}. Delete the folder {folder} to train from the start.")
    for k, v in state.items():
        _restore(v, payload["state"][k], k, path)
    if payload["data"] is not None and hasattr(data, "load_state_dict"):
        data.load_state_dict(payload["data"])
    history.load_state_dict(payload["history"])
    _set_rng_state(payload["rng"])
    return payload["step"]


def spread_steps(steps, limit=None):
    """The numbers of the steps a run of ``steps`` steps takes: 1, 2, ..., steps, or, when ``limit``
    is smaller than ``steps``, only ``limit`` of them, spread evenly from the first to the last.

    The kept steps keep their numbers, so that what a run does by step number is met from start to
    end: ProGAN's stages and fade-ins, a penalty on every 4th step (step 1 and the last step are
    always among them), and the snapshot and checkpoint at each ``every`` steps that the run passes.
    E.g. ``spread_steps(100, 4) == [1, 34, 67, 100]``.
    """
    steps = guard.positive_int(steps, "steps")
    if limit is None or limit >= steps:
        return list(range(1, steps + 1))
    limit = guard.positive_int(limit, "limit")
    if limit == 1:
        return [steps]  # the run still ends at its last step, so that a rerun finds it finished
    return [1 + round(k * (steps - 1) / (limit - 1)) for k in range(limit)]


def fit(step, data, steps, *, every=None, on_snapshot=None, checkpoint=None, state=None,
        desc="training", progress=True, pass_step=False):
    """Call ``step(next(data))`` ``steps`` times and record what it returns.

    step:        function(batch) -> dict of scalar losses, e.g. {"loss_D": 0.69, "loss_G": 0.71}.
    pass_step:   call ``step(batch, n)`` instead, n = 1, 2, ... the number of the step as in the
                 History, for a step that changes with time (a penalty every 4th step, a phase).
    data:        an iterator of batches (``data.batches``, ``toy.GaussianMixture.batches``).
    every:       call ``on_snapshot(step_number, history)`` and save a checkpoint every this many
                 steps, and once at the end.
    checkpoint:  a folder (``checkpoint_dir``), or None for no checkpoints. If the folder holds a
                 checkpoint, training resumes from it: the same run, bit for bit, as one that
                 never stopped.
    state:       everything the step changes, {name: object}: modules, optimisers, schedulers
                 (their state_dict, and for modules their train/eval mode and requires_grad), and
                 lists or dicts (an image pool, snapshots), saved whole and refilled in place.
                 ``data`` is saved too when it has a state_dict (``data.batches``), and so are the
                 random states of torch, CUDA, NumPy and Python.
    Returns the History. Under nbgrader nothing is trained and the History is empty.
    With ``GAN_COURSE_STEPS=N`` set, only N of the steps run (``spread_steps``), each with its own number.
    """
    guard.function(step, "step", "of a batch (and of the step number with pass_step=True)")
    if not hasattr(data, "__next__"):
        raise TypeError(f"data must be an iterator of batches (use data.batches), got {guard.describe(data)}")
    steps = guard.positive_int(steps, "steps")
    every = guard.positive_int(every, "every") if every is not None else max(1, steps // 10)
    if checkpoint is not None and not state:
        raise ValueError("checkpoint needs state: the modules and optimisers to save, as a dict")
    state = state or {}
    for name, obj in state.items():
        if not (isinstance(obj, (list, dict)) or (hasattr(obj, "state_dict") and hasattr(obj, "load_state_dict"))):
            raise TypeError(f"state[{name!r}] must have state_dict/load_state_dict, or be a list or a dict; "
                            f"got {guard.describe(obj)}")
    history = History()
    if runtime.grading():
        print(f"{desc}: skipped while grading")
        return history
    start = _load(checkpoint, state, data, history) if checkpoint else 0
    if start >= steps:
        print(f"{desc}: already trained, {start} steps loaded from {checkpoint} (delete that folder to train again)")
    elif start:
        print(f"{desc}: resumed from step {start} of {steps}, saved in {checkpoint}")
    numbers = spread_steps(steps, runtime.step_limit())
    todo = [n for n in numbers if n > start]
    t0 = time.perf_counter() - history.seconds
    bar = tqdm(todo, desc=desc, initial=len(numbers) - len(todo), total=len(numbers), disable=not progress)
    last = start
    for n in bar:
        values = step(next(data), n) if pass_step else step(next(data))
        if not isinstance(values, dict):
            raise TypeError(f"step must return a dict of losses, got {guard.describe(values)}")
        values = {k: _as_float(k, v) for k, v in values.items()}
        history.append(n, values)
        # "passed a multiple of k since the last step taken": n % k == 0 when every step is taken
        if n // max(1, every // 10) > last // max(1, every // 10):
            bar.set_postfix({k: f"{v:.3f}" for k, v in values.items()}, refresh=False)
        if n // every > last // every or n == steps:
            history.seconds = time.perf_counter() - t0
            if on_snapshot is not None:
                on_snapshot(n, history)
            if checkpoint:
                _save(checkpoint, state, data, history, n)
        last = n
    bar.close()
    history.seconds = time.perf_counter() - t0
    return history


def linear_decay(steps, decay_steps):
    """The learning-rate factor of a linear decay to 0 over the last ``decay_steps`` of ``steps``.

    Returns factor(step): 1 until step = steps - decay_steps, then falling linearly to 0 at
    step = steps. For ``torch.optim.lr_scheduler.LambdaLR(opt, train.linear_decay(...))``, stepped
    once per training step; pix2pix and CycleGAN train the same way (a constant rate, then the decay).
    """
    steps = guard.positive_int(steps, "steps")
    decay_steps = guard.positive_int(decay_steps, "decay_steps")
    if decay_steps > steps:
        raise ValueError(f"decay_steps must be at most steps ({steps}), got {decay_steps}")

    def factor(step):
        return max(0.0, min(1.0, (steps - step) / decay_steps))
    return factor
