"""A notebook's training run that is killed halfway resumes, in a new kernel, to the very result of
a run that never stopped.

Each notebook whose full-mode training takes many minutes runs three times in smoke mode, with its
checkpoints switched on (``GAN_COURSE_CHECKPOINTS=on``), each time in a fresh kernel, until its last
checkpointed training cell has run:

1. straight through, in one folder;
2. in a second folder, killed (``os._exit``, as a disconnected runtime dies) right after the first
   training run's halfway save, before the next step starts;
3. again in the second folder, from the top, as a student reruns the notebook after a disconnect:
   the training cell resumes from the save.

``HOOK``, run before the notebook, sets each checkpointed ``train.fit`` to save halfway (smoke runs
otherwise save only at the end) and writes what the run ended with: the history, every entry of
``state``, every network, optimiser, scheduler and list of tensors in the notebook's namespace, and
torch's random state. Runs 1 and 3 must agree bit for bit. ``tests/test_train.py``
checks the same on small runs, including one stopped in the middle of a step in the same process.
"""
import asyncio
import os
import re

import pytest
import torch

from tools import course

# the slow tier (make unit leaves it out): three kernels per notebook: straight through, killed halfway, resumed
pytestmark = pytest.mark.slow

# the notebooks that save their runs, and how many checkpointed training runs each makes in smoke mode
RUNS = {"02_dcgan": 1, "03_wgan": 1, "04_conditional_gan": 2, "05_pix2pix": 2, "06_cyclegan": 1,
        "07_progan": 1, "08_stylegan": 1}
# training that is not saved, and why: short even in full mode, or optional and off by default
UNSAVED = {"01_toy_gan": "tiny networks on the CPU, a minute or two", "03_wgan": "the 2-D runs, a few minutes on a GPU",
           "09_adversarial_attacks": "a classifier trained in about a minute"}
WALL_CLOCK = {"phase_seconds"}  # state that holds seconds, which no two runs share

HOOK = r'''
import os
import torch
from course_lib import train as _train

_fit, _done = _train.fit, []


def _plain(obj):
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if hasattr(obj, "state_dict") and not isinstance(obj, torch.Tensor):  # modules, optimisers, schedulers
        return _plain(obj.state_dict())
    return obj


def _fitted(step, data, steps, **kwargs):
    if kwargs.get("checkpoint") is None:
        return _fit(step, data, steps, **kwargs)
    kwargs["every"] = max(1, steps // 2)
    saved = os.path.join(kwargs["checkpoint"], _train.CHECKPOINT_FILE)

    def stepping(*args):
        if _kill and not _done and os.path.exists(saved):
            os._exit(1)  # the runtime dies between two steps, with the halfway save on disk
        return step(*args)

    history = _fit(stepping, data, steps, **kwargs)
    _done.append(kwargs["checkpoint"])
    # what the step was given to save, and everything trainable in the notebook's namespace: a notebook
    # that leaves G_ema out of its state still trains the same, but its G_ema then comes out different
    kept = (torch.nn.Module, torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler)
    found = {k: v for k, v in get_ipython().user_ns.items() if not k.startswith("_") and (isinstance(v, kept) or (
        isinstance(v, (list, dict)) and v and all(isinstance(x, (torch.Tensor, *kept))
                                                  for x in (v.values() if isinstance(v, dict) else v))))}
    torch.save({"steps": history.steps, "values": dict(history.values), "state": _plain(kwargs["state"]),
                "namespace": _plain(found), "rng": torch.get_rng_state()}, f"ended-{len(_done)}.pt")
    return history


_train.fit = _fitted
'''


async def run(name, folder, kill):
    """Run the notebook in a fresh kernel in ``folder`` until its checkpointed runs are done (or it dies).

    Returns the text the notebook printed."""
    import nbclient
    import nbformat

    nb = nbformat.read(course.source(name), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(HOOK + f"_kill = {kill}\n"))
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": folder}})
    async with client.async_setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                await client.async_execute_cell(cell, index)
                if len([f for f in os.listdir(folder) if f.startswith("ended-")]) == RUNS[name]:
                    break
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)


async def straight_and_killed(name, straight, stopped):
    """Runs 1 and 2 side by side, each kernel on a core of its own; the kernel of run 2 must die."""
    import nbclient

    _, killed = await asyncio.gather(run(name, straight, kill=False), run(name, stopped, kill=True),
                                     return_exceptions=True)
    assert isinstance(killed, nbclient.exceptions.DeadKernelError), f"the run to be killed ended with {killed!r}"


def same(a, b, where):
    """Assert that two records are equal, tensors bit for bit; return how many tensors were compared."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} against {type(b).__name__}"
    if isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.device == b.device, f"{where}: the tensors differ"
        if a.device.type == "meta":  # a check's stand-in for a GPU (08's NoiseInjection): shapes, no values
            return 0
        assert torch.equal(a, b), f"{where}: the tensors differ"
        return 1
    if isinstance(a, dict):
        assert a.keys() == b.keys(), f"{where}: keys {sorted(a)} against {sorted(b)}"
        return sum(same(a[k], b[k], f"{where}[{k!r}]") for k in a if k not in WALL_CLOCK)
    if isinstance(a, list):
        assert len(a) == len(b), f"{where}: {len(a)} items against {len(b)}"
        return sum(same(x, y, f"{where}[{i}]") for i, (x, y) in enumerate(zip(a, b)))
    assert a == b, f"{where}: {a!r} against {b!r}"
    return 0


def test_every_long_training_run_is_saved():
    import nbformat

    for name in course.assignments():
        nb = nbformat.read(course.source(name), as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        fits = len(re.findall(r"train\.fit\(", text))
        saved = len(re.findall(r"checkpoint=train\.checkpoint_dir\(", text))
        if name in RUNS:
            assert saved >= RUNS[name], f"{name}: {saved} checkpointed train.fit calls, expected {RUNS[name]}"
        if saved < fits:
            assert name in UNSAVED, f"{name}: {fits - saved} of its {fits} train.fit calls save no checkpoint"


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_run_killed_halfway_resumes_to_the_same_result(name, tmp_path, monkeypatch):
    assert os.environ["GAN_COURSE_MODE"] == "smoke"
    monkeypatch.setenv("GAN_COURSE_CHECKPOINTS", "on")
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    straight.mkdir()
    stopped.mkdir()
    asyncio.run(straight_and_killed(name, str(straight), str(stopped)))
    assert not list(stopped.glob("ended-*")), "the killed run finished a training run"
    assert len(list(stopped.rglob("checkpoint.pt"))) == 1, "the first training run should have saved once"
    printed = asyncio.run(run(name, str(stopped), kill=False))
    total = len(torch.load(straight / "ended-1.pt", weights_only=False)["steps"])
    resumed = re.search(r"resumed from step (\d+) of (\d+),", printed)
    assert resumed, f"the rerun did not resume:\n{printed[-2000:]}"
    assert 0 < int(resumed[1]) < total == int(resumed[2]), resumed[0]
    for k in range(1, RUNS[name] + 1):
        want = torch.load(straight / f"ended-{k}.pt", weights_only=False)
        got = torch.load(stopped / f"ended-{k}.pt", weights_only=False)
        assert same(got, want, f"{name}, training run {k}") > 0
