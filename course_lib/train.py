"""The boring parts of an adversarial training loop.

The notebook writes the interesting part, one training step, and ``fit`` runs it::

    history = train.fit(lambda real: train_step(G, D, opt_G, opt_D, real), data, steps=5000,
                        every=500, on_snapshot=live.update,
                        checkpoint="checkpoints/01", state={"G": G, "D": D, "opt_G": opt_G, "opt_D": opt_D})

``fit`` gives progress through tqdm.auto, a loss history, a callback for periodic snapshots,
and checkpoint/resume to a folder (on Colab, ``checkpoint_dir`` puts it on Google Drive so
that a disconnect does not lose the run). Under nbgrader it trains nothing. With
``pass_step=True`` the step also gets its number, for what changes over the run (a phase, a
penalty every few steps). ``linear_decay`` is the learning-rate schedule that ends a GAN's run.
"""
import os
import time
from collections import defaultdict

import torch
from tqdm.auto import tqdm

from . import guard, runtime

CHECKPOINT_FILE = "checkpoint.pt"


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
    """A folder for checkpoints: on Google Drive under Colab, else ./checkpoints/<name>."""
    if not isinstance(name, str) or not name or os.sep in name:
        raise ValueError(f"name must be a simple folder name such as '01_toy_gan', got {name!r}")
    try:
        from google.colab import drive  # only importable on Colab
    except ImportError:
        return os.path.join("checkpoints", name)
    drive.mount("/content/drive")
    return os.path.join("/content/drive/MyDrive/gan_course_checkpoints", name)


def _save(folder, state, history, step):
    os.makedirs(folder, exist_ok=True)
    payload = {
        "step": step,
        "history": history.state_dict(),
        "state": {k: v.state_dict() for k, v in state.items()},
        "rng": torch.get_rng_state(),
    }
    tmp = os.path.join(folder, CHECKPOINT_FILE + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, os.path.join(folder, CHECKPOINT_FILE))  # atomic: a crash never leaves half a file


def _load(folder, state, history):
    path = os.path.join(folder, CHECKPOINT_FILE)
    if not os.path.exists(path):
        return 0
    payload = torch.load(path, weights_only=False)
    missing = set(state) ^ set(payload["state"])
    if missing:
        raise ValueError(f"checkpoint {path} holds {sorted(payload['state'])}, but state has {sorted(state)}")
    for k, v in state.items():
        v.load_state_dict(payload["state"][k])
    history.load_state_dict(payload["history"])
    torch.set_rng_state(payload["rng"])
    return payload["step"]


def fit(step, data, steps, *, every=None, on_snapshot=None, checkpoint=None, state=None,
        desc="training", progress=True, pass_step=False):
    """Call ``step(next(data))`` ``steps`` times and record what it returns.

    step:        function(batch) -> dict of scalar losses, e.g. {"loss_D": 0.69, "loss_G": 0.71}.
    pass_step:   call ``step(batch, n)`` instead, n = 1, 2, ... the number of the step as in the
                 History, for a step that changes with time (a penalty every 4th step, a phase).
    data:        an iterator of batches (``data.batches``, ``toy.GaussianMixture.batches``).
    every:       call ``on_snapshot(step_number, history)`` and save a checkpoint every this many
                 steps, and once at the end.
    checkpoint:  a folder; if it holds a checkpoint, training resumes from it.
    state:       the objects to checkpoint, {name: module or optimiser or scheduler}.
    Returns the History. Under nbgrader nothing is trained and the History is empty.
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
        if not (hasattr(obj, "state_dict") and hasattr(obj, "load_state_dict")):
            raise TypeError(f"state[{name!r}] must have state_dict/load_state_dict, got {guard.describe(obj)}")
    history = History()
    if runtime.grading():
        print(f"{desc}: skipped while grading")
        return history
    start = _load(checkpoint, state, history) if checkpoint else 0
    if start:
        print(f"{desc}: resumed from step {start} in {checkpoint}")
    t0 = time.perf_counter() - history.seconds
    bar = tqdm(range(start, steps), desc=desc, initial=start, total=steps, disable=not progress)
    for i in bar:
        values = step(next(data), i + 1) if pass_step else step(next(data))
        if not isinstance(values, dict):
            raise TypeError(f"step must return a dict of losses, got {guard.describe(values)}")
        values = {k: _as_float(k, v) for k, v in values.items()}
        history.append(i + 1, values)
        if (i + 1) % max(1, every // 10) == 0:
            bar.set_postfix({k: f"{v:.3f}" for k, v in values.items()}, refresh=False)
        if (i + 1) % every == 0 or i + 1 == steps:
            history.seconds = time.perf_counter() - t0
            if on_snapshot is not None:
                on_snapshot(i + 1, history)
            if checkpoint:
                _save(checkpoint, state, history, i + 1)
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
