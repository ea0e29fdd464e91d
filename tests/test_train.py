import itertools
import os

import pytest
import torch

from course_lib import train
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
    assert f"resumed from step {n} in {folder}" in capsys.readouterr().out
    for p, q in zip(model.parameters(), expected):
        assert torch.equal(p.detach(), q)
    assert resumed.steps == straight.steps == list(range(1, 2 * n + 1))
    assert resumed.values == straight.values
    assert os.listdir(folder) == [train.CHECKPOINT_FILE]
    assert torch.load(os.path.join(folder, train.CHECKPOINT_FILE), weights_only=False)["step"] == 2 * n


def test_checkpoint_state_mismatch(tmp_path):
    folder = str(tmp_path / "ck")
    model, opt = make(0)
    fit(step_fn(model, opt), map(batch_at, itertools.count()), steps=2, checkpoint=folder,
        state={"model": model, "opt": opt}, progress=False)
    with pytest.raises(ValueError, match="holds \\['model', 'opt'\\], but state has \\['model'\\]"):
        fit(step_fn(model, opt), map(batch_at, itertools.count()), steps=4, checkpoint=folder,
            state={"model": model}, progress=False)


def test_history_state_dict_roundtrip():
    h = History()
    h.append(1, {"a": 1.0})
    h.append(2, {"a": 2.0, "b": 3.0})
    h.seconds = 1.5
    g = History()
    g.load_state_dict(h.state_dict())
    assert g.steps == [1, 2] and g["a"] == [1.0, 2.0] and g["b"] == [3.0] and g.seconds == 1.5


def test_checkpoint_dir(monkeypatch):
    assert train.checkpoint_dir("01_toy_gan") == os.path.join("checkpoints", "01_toy_gan")
    for bad in ["", "a/b", None]:
        with pytest.raises(ValueError, match="name must be a simple folder name"):
            train.checkpoint_dir(bad)
