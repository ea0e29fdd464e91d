import itertools
import os
import random

import numpy as np
import pytest
import torch

from course_lib import data, runtime, train
from course_lib.train import History, fit


def counting_step(calls):
    def step(batch):
        calls.append(batch)
        return {"loss_D": torch.tensor(float(batch)), "loss_G": 2 * batch}
    return step


def test_fit_runs_steps_and_aligns_history(capsys):
    calls = []
    h = fit(counting_step(calls), itertools.count(100), steps=7, progress=False)
    assert calls == list(range(100, 107))
    assert isinstance(h, History) and len(h) == 7
    assert h.steps == [1, 2, 3, 4, 5, 6, 7]
    assert h["loss_D"] == [float(i) for i in range(100, 107)]
    assert h["loss_G"] == [2.0 * i for i in range(100, 107)]
    assert all(type(v) is float for v in h["loss_D"])
    assert h.seconds >= 0
    assert capsys.readouterr().err == ""


def test_fit_on_snapshot_every_and_at_end():
    seen = []
    fit(lambda b: {"l": 0.0}, itertools.count(), steps=25, every=10, progress=False,
        on_snapshot=lambda step, h: seen.append((step, len(h), h.steps[-1])))
    assert seen == [(10, 10, 10), (20, 20, 20), (25, 25, 25)]


def test_fit_on_snapshot_no_duplicate_at_end():
    seen = []
    fit(lambda b: {"l": 0.0}, itertools.count(), steps=20, every=10, progress=False,
        on_snapshot=lambda step, h: seen.append(step))
    assert seen == [10, 20]


def test_fit_passes_the_step_number_when_asked():
    seen = []
    h = fit(lambda batch, n: seen.append((batch, n)) or {"l": float(n)}, itertools.count(10), steps=4,
            pass_step=True, progress=False)
    assert seen == [(10, 1), (11, 2), (12, 3), (13, 4)]  # numbered as in the History, from 1
    assert h.steps == [1, 2, 3, 4] and h["l"] == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(TypeError):
        fit(lambda batch: {"l": 0.0}, itertools.count(), steps=2, pass_step=True, progress=False)


def test_linear_decay_is_constant_then_falls_to_zero():
    factor = train.linear_decay(10, 4)
    assert [factor(s) for s in range(12)] == [1.0] * 7 + [0.75, 0.5, 0.25, 0.0, 0.0]
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=2.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, train.linear_decay(4, 2))
    rates = []
    for _ in range(4):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert rates == [2.0, 2.0, 2.0, 1.0] and opt.param_groups[0]["lr"] == 0.0


@pytest.mark.parametrize("steps, decay_steps, match", [(0, 1, "steps must be a positive int"),
                                                       (10, 0, "decay_steps must be a positive int"),
                                                       (10, 11, "decay_steps must be at most steps")])
def test_linear_decay_bad_input(steps, decay_steps, match):
    with pytest.raises(ValueError, match=match):
        train.linear_decay(steps, decay_steps)


def test_fit_default_every_is_a_tenth():
    seen = []
    fit(lambda b: {"l": 0.0}, itertools.count(), steps=50, progress=False,
        on_snapshot=lambda step, h: seen.append(step))
    assert seen == list(range(5, 51, 5))


@pytest.mark.parametrize("ret, exc, match", [
    (0.5, TypeError, "step must return a dict of losses, got float 0.5"),
    ({"loss": torch.zeros(2)}, ValueError, r"loss with shape \(2,\); expected a scalar"),
    ({"loss": "0.3"}, TypeError, "loss = str '0.3'; expected a number"),
    ({"loss": True}, TypeError, "expected a number"),
    ({"loss": None}, TypeError, "expected a number"),
])
def test_fit_bad_step_return(ret, exc, match):
    with pytest.raises(exc, match=match):
        fit(lambda b: ret, itertools.count(), steps=3, progress=False)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(steps=0), ValueError, "steps must be a positive int"),
    (dict(steps=2.5), ValueError, "steps must be a positive int"),
    (dict(every=0), ValueError, "every must be a positive int"),
    (dict(data=[1, 2, 3]), TypeError, "data must be an iterator of batches"),
    (dict(step="train"), TypeError, "step must be a function"),
    (dict(checkpoint="somewhere"), ValueError, "checkpoint needs state"),
    (dict(state={"G": object()}), TypeError, r"state\['G'\] must have state_dict/load_state_dict"),
])
def test_fit_bad_args(kwargs, exc, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = dict(step=lambda b: {"l": 0.0}, data=itertools.count(), steps=5, progress=False) | kwargs
    with pytest.raises(exc, match=match):
        fit(**args)
    assert os.listdir(tmp_path) == []


def test_fit_skipped_while_grading(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    calls, snaps, data = [], [], itertools.count()
    model = torch.nn.Linear(1, 1)
    h = fit(counting_step(calls), data, steps=10, every=2, on_snapshot=lambda *a: snaps.append(a),
            checkpoint=str(tmp_path / "ck"), state={"m": model}, progress=False)
    assert len(h) == 0 and h.steps == [] and dict(h.values) == {}
    assert calls == [] and snaps == []
    assert next(data) == 0  # the data iterator was not touched
    assert not (tmp_path / "ck").exists()
    out, err = capsys.readouterr()
    assert "skipped" in out and err == ""


# --------------------------------------------------------------------------- checkpoint / resume


def batch_at(i):
    g = torch.Generator().manual_seed(1000 + i)
    return torch.randn(8, 3, generator=g), torch.randn(8, 1, generator=g)


def make(seed):
    torch.manual_seed(seed)
    model = torch.nn.Linear(3, 1)
    return model, torch.optim.Adam(model.parameters(), lr=0.05)


def step_fn(model, opt):
    def step(batch):
        x, y = batch
        x = x + 0.1 * torch.randn_like(x)  # draws from the global RNG, like sampling z
        loss = (model(x) - y).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return {"loss": loss, "w0": model.weight[0, 0].item()}
    return step


def test_checkpoint_resume_is_bitwise_identical(tmp_path, capsys):
    n = 6
    model, opt = make(0)
    straight = fit(step_fn(model, opt), map(batch_at, itertools.count()), steps=2 * n, progress=False)
    expected = [p.detach().clone() for p in model.parameters()]

    folder = str(tmp_path / "ck")
    model, opt = make(0)
    first = fit(step_fn(model, opt), map(batch_at, itertools.count()), steps=n, every=4,
                checkpoint=folder, state={"model": model, "opt": opt}, progress=False)
    assert first.steps == list(range(1, n + 1))
    assert os.listdir(folder) == [train.CHECKPOINT_FILE]  # no .tmp left behind

    model, opt = make(12345)  # a fresh model: everything must come from the checkpoint
    resumed = fit(step_fn(model, opt), map(batch_at, itertools.count(n)), steps=2 * n,
                  checkpoint=folder, state={"model": model, "opt": opt}, progress=False)
    assert f"resumed from step {n} of {2 * n}, saved in {folder}" in capsys.readouterr().out
    for p, q in zip(model.parameters(), expected):
        assert torch.equal(p.detach(), q)
    assert resumed.steps == straight.steps == list(range(1, 2 * n + 1))
    assert resumed.values == straight.values
    assert os.listdir(folder) == [train.CHECKPOINT_FILE]
    assert torch.load(os.path.join(folder, train.CHECKPOINT_FILE), weights_only=False)["step"] == 2 * n


class Stop(Exception):
    """A disconnect in the middle of a step."""


def pooled_run(folder, steps, stop_at=None):
    """A step with all the state a notebook's step has: a module that a step freezes and switches to
    eval mode for a moment, a scheduler, a Python list (an image pool), NumPy and Python random draws
    and a data.batches stream. Returns (model, pool, history); with stop_at, the run stops inside
    step number stop_at, after the module was frozen, as Ctrl-C or a disconnect would stop it."""
    runtime.seed_everything(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, train.linear_decay(steps, steps // 2))
    pool = []
    stream = data.batches(torch.randn(20, 3), torch.randn(20, 1), batch_size=6)  # 3 batches an epoch

    def step(batch, n):
        x, y = batch
        model[1].eval()
        model.requires_grad_(False)
        if n == stop_at:
            raise Stop
        model[1].train()
        model.requires_grad_(True)
        noise = torch.from_numpy(np.random.randn(*x.shape)).float() * random.random()
        loss = (model(x + 0.1 * noise) - y).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        pool.append(loss.detach())
        del pool[:-3]
        return {"loss": loss}

    history = fit(step, stream, steps, every=2, checkpoint=folder, pass_step=True, progress=False,
                  state={"model": model, "opt": opt, "sched": sched, "pool": pool})
    return model, pool, history


def test_a_run_that_stops_mid_step_resumes_bit_for_bit(tmp_path, capsys):
    straight_model, straight_pool, straight = pooled_run(str(tmp_path / "straight"), 10)
    folder = str(tmp_path / "stopped")
    with pytest.raises(Stop):
        pooled_run(folder, 10, stop_at=6)  # saved at step 4; step 5 done; step 6 stops halfway
    model, pool, resumed = pooled_run(folder, 10)
    assert "resumed from step 4 of 10" in capsys.readouterr().out
    assert resumed.steps == straight.steps and resumed.values == straight.values
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), straight_model.state_dict().values()))
    assert all(torch.equal(a, b) for a, b in zip(pool, straight_pool)) and len(pool) == 3
    assert model.training and model[1].training and all(p.requires_grad for p in model.parameters())


def test_a_finished_run_is_loaded_not_trained_again(tmp_path, capsys):
    folder = str(tmp_path / "ck")
    first_model, _, first = pooled_run(folder, 4)
    model, _, again = pooled_run(folder, 4)
    out = capsys.readouterr().out
    assert f"already trained, 4 steps loaded from {folder} (delete that folder to train again)" in out
    assert again.values == first.values
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), first_model.state_dict().values()))


def test_checkpoint_state_mismatch(tmp_path):
    folder = str(tmp_path / "ck")
    model, opt = make(0)
    fit(step_fn(model, opt), map(batch_at, itertools.count()), steps=2, checkpoint=folder,
        state={"model": model, "opt": opt}, progress=False)
    with pytest.raises(ValueError, match="holds \\['model', 'opt'\\], but state has \\['model'\\]"):
        fit(step_fn(model, opt), map(batch_at, itertools.count()), steps=4, checkpoint=folder,
            state={"model": model}, progress=False)
    wider = torch.nn.Linear(5, 1)
    with pytest.raises(ValueError, match=r"does not fit state\['model'\]: it was saved from a different network"
                                         r".*size mismatch.*Delete the folder"):
        fit(step_fn(wider, opt), map(batch_at, itertools.count()), steps=4, checkpoint=folder,
            state={"model": wider, "opt": opt}, progress=False)


def test_history_state_dict_roundtrip():
    h = History()
    h.append(1, {"a": 1.0})
    h.append(2, {"a": 2.0, "b": 3.0})
    h.seconds = 1.5
    g = History()
    g.load_state_dict(h.state_dict())
    assert g.steps == [1, 2] and g["a"] == [1.0, 2.0] and g["b"] == [3.0] and g.seconds == 1.5


@pytest.mark.parametrize("mode, variable, saved", [
    ("full", None, True), ("lite", None, False), ("smoke", None, False),
    ("lite", "on", True), ("full", "off", False), ("smoke", " ON ", True),
])
def test_checkpoint_dir_saves_full_mode_runs_unless_told(monkeypatch, mode, variable, saved):
    monkeypatch.setenv("GAN_COURSE_MODE", mode)
    if variable is None:
        monkeypatch.delenv(train.CHECKPOINT_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(train.CHECKPOINT_VARIABLE, variable)
    want = os.path.join("checkpoints", "02_dcgan", mode) if saved else None
    assert train.checkpoint_dir("02_dcgan") == want


def test_checkpoint_dir_bad_input(monkeypatch):
    for bad in ["", "a/b", None, ".."]:
        with pytest.raises(ValueError, match="name must be a simple folder name"):
            train.checkpoint_dir(bad)
    monkeypatch.setenv(train.CHECKPOINT_VARIABLE, "yes")
    with pytest.raises(ValueError, match="GAN_COURSE_CHECKPOINTS must be 'on' or 'off'; got 'yes'"):
        train.checkpoint_dir("02_dcgan")


@pytest.mark.parametrize("mounts", [True, False])
def test_checkpoint_dir_on_colab_is_on_drive_when_it_mounts(monkeypatch, capsys, mounts):
    import sys
    import types

    def mount(path):
        if not mounts:
            raise ValueError("mount failed")

    colab = types.ModuleType("google.colab")
    colab.drive = types.SimpleNamespace(mount=mount)
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setenv("GAN_COURSE_MODE", "full")
    monkeypatch.delenv(train.CHECKPOINT_VARIABLE, raising=False)
    root = "/content/drive/MyDrive/gan_course_checkpoints" if mounts else "checkpoints"
    assert train.checkpoint_dir("07_progan") == os.path.join(root, "07_progan", "full")
    out = capsys.readouterr().out
    assert ("Google Drive is not mounted (ValueError: mount failed)" in out) == (not mounts)


# --------------------------------------------------------------------------- GAN_COURSE_STEPS


@pytest.mark.parametrize("steps, limit, want", [
    (5, None, [1, 2, 3, 4, 5]), (5, 5, [1, 2, 3, 4, 5]), (5, 9, [1, 2, 3, 4, 5]),
    (100, 4, [1, 34, 67, 100]), (10, 2, [1, 10]), (7, 1, [7]),
])
def test_spread_steps_keeps_the_first_and_the_last_step(steps, limit, want):
    assert train.spread_steps(steps, limit) == want


def test_spread_steps_bad_input():
    with pytest.raises(ValueError, match="limit must be a positive int"):
        train.spread_steps(10, 0)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        train.spread_steps(0, 3)


def test_a_cut_run_takes_its_steps_by_number_with_snapshots_and_saves(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_COURSE_STEPS", "5")
    seen, snaps = [], []
    folder = str(tmp_path / "ck")
    model = torch.nn.Linear(1, 1)
    h = fit(lambda batch, n: seen.append((batch, n)) or {"l": float(n)}, itertools.count(), steps=100, every=30,
            on_snapshot=lambda n, h: snaps.append((n, len(h))), checkpoint=folder, state={"m": model},
            pass_step=True, progress=False)
    assert seen == [(0, 1), (1, 26), (2, 51), (3, 75), (4, 100)]  # one batch each, numbered as in the whole run
    assert h.steps == [1, 26, 51, 75, 100] and h["l"] == [1.0, 26.0, 51.0, 75.0, 100.0]
    assert snaps == [(51, 3), (75, 4), (100, 5)]  # past 30, 60 and 90 (at 51, 75 and 100), and at the end
    assert torch.load(os.path.join(folder, train.CHECKPOINT_FILE), weights_only=False)["step"] == 100


def test_a_cut_run_resumes_from_its_save(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("GAN_COURSE_STEPS", "5")
    folder = str(tmp_path / "ck")

    def run(stop_at=None):
        seen = []

        def step(batch, n):
            if n == stop_at:
                raise Stop
            seen.append(n)
            return {"l": float(n)}
        h = fit(step, itertools.count(), steps=100, every=30, checkpoint=folder, state={"m": torch.nn.Linear(1, 1)},
                pass_step=True, progress=False)
        return seen, h

    with pytest.raises(Stop):
        run(stop_at=75)  # saved at 51
    seen, h = run()
    assert "resumed from step 51 of 100" in capsys.readouterr().out
    assert seen == [75, 100] and h.steps == [1, 26, 51, 75, 100]


@pytest.mark.parametrize("value", ["0", "-3", "ten", "2.5", "³"])
def test_the_step_limit_must_be_a_positive_integer(monkeypatch, value):
    monkeypatch.setenv("GAN_COURSE_STEPS", value)
    with pytest.raises(ValueError, match=f"GAN_COURSE_STEPS must be a positive integer .*got '{value}'"):
        runtime.step_limit()
    with pytest.raises(ValueError, match="GAN_COURSE_STEPS must be a positive integer"):
        fit(lambda b: {"l": 0.0}, itertools.count(), steps=3, progress=False)


def test_cut_runs_are_saved_apart_from_whole_runs(monkeypatch):
    monkeypatch.setenv("GAN_COURSE_MODE", "full")
    monkeypatch.delenv(train.CHECKPOINT_VARIABLE, raising=False)
    monkeypatch.delenv("GAN_COURSE_STEPS", raising=False)
    assert train.checkpoint_dir("07_progan") == os.path.join("checkpoints", "07_progan", "full")
    monkeypatch.setenv("GAN_COURSE_STEPS", "16")
    assert train.checkpoint_dir("07_progan") == os.path.join("checkpoints", "07_progan", "full-at-most-16-steps")
