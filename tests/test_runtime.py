import random

import numpy as np
import pytest
import torch

from course_lib import runtime


@pytest.fixture
def no_mode(monkeypatch):
    monkeypatch.delenv("GAN_COURSE_MODE", raising=False)


def test_mode_default_lite_without_cuda(no_mode, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert runtime.mode() == "lite"


def test_mode_default_full_with_cuda(no_mode, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert runtime.mode() == "full"


@pytest.mark.parametrize("value, expected", [("smoke", "smoke"), ("lite", "lite"), ("full", "full"),
                                             (" FULL ", "full")])
def test_mode_override(monkeypatch, value, expected):
    monkeypatch.setenv("GAN_COURSE_MODE", value)
    assert runtime.mode() == expected


def test_mode_invalid_names_allowed_modes(monkeypatch):
    monkeypatch.setenv("GAN_COURSE_MODE", "turbo")
    with pytest.raises(ValueError, match="smoke, lite, full") as err:
        runtime.mode()
    assert "turbo" in str(err.value)


@pytest.mark.parametrize("value, expected", [("smoke", 1), ("lite", 2), ("full", 3)])
def test_pick(monkeypatch, value, expected):
    monkeypatch.setenv("GAN_COURSE_MODE", value)
    assert runtime.pick(1, 2, 3) == expected


def test_pick_takes_the_short_value_only_for_a_short_evaluation(monkeypatch):
    monkeypatch.setenv("GAN_COURSE_MODE", "full")
    monkeypatch.delenv("GAN_COURSE_EVALUATION", raising=False)
    assert runtime.pick(1, 2, 3, short=0) == 3
    monkeypatch.setenv("GAN_COURSE_EVALUATION", "full")
    assert runtime.pick(1, 2, 3, short=0) == 3
    monkeypatch.setenv("GAN_COURSE_EVALUATION", "Short")
    assert runtime.pick(1, 2, 3, short=0) == 0
    assert runtime.pick(1, 2, 3) == 3
    monkeypatch.setenv("GAN_COURSE_EVALUATION", "quick")
    with pytest.raises(ValueError, match="'full' .* or 'short', got 'quick'"):
        runtime.pick(1, 2, 3, short=0)


def test_pick_takes_the_reference_value_only_for_a_reference_run_in_lite_mode(monkeypatch, capsys):
    monkeypatch.setenv("GAN_COURSE_MODE", "lite")
    monkeypatch.delenv("GAN_COURSE_REFERENCE", raising=False)
    assert runtime.pick(1, 2, 3, reference=20) == 2
    monkeypatch.setenv("GAN_COURSE_REFERENCE", "1")
    assert runtime.pick(1, 2, 3, reference=20) == 20
    assert runtime.pick(1, 2, 3) == 2  # no reference value: the lite one
    runtime.banner(data="MNIST")
    assert "GAN_COURSE_REFERENCE=1" in capsys.readouterr().out
    monkeypatch.setenv("GAN_COURSE_REFERENCE", "0")
    assert runtime.pick(1, 2, 3, reference=20) == 2
    monkeypatch.setenv("GAN_COURSE_REFERENCE", "yes")
    with pytest.raises(ValueError, match="must be 1 .* or 0 .*, got 'yes'"):
        runtime.pick(1, 2, 3, reference=20)
    monkeypatch.setenv("GAN_COURSE_REFERENCE", "1")
    monkeypatch.setenv("GAN_COURSE_MODE", "full")
    with pytest.raises(ValueError, match="needs lite mode, not 'full'"):
        runtime.pick(1, 2, 3, reference=20)


def test_grading(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert runtime.grading() is False
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert runtime.grading() is True


def _draw():
    return torch.randn(5), np.random.rand(5), [random.random() for _ in range(5)]


def test_seed_everything_reproducible():
    assert runtime.seed_everything(123) == 123
    a = _draw()
    runtime.seed_everything(123)
    b = _draw()
    assert torch.equal(a[0], b[0])
    assert np.array_equal(a[1], b[1])
    assert a[2] == b[2]
    runtime.seed_everything(124)
    assert not torch.equal(torch.randn(5), a[0])


def test_seed_everything_reads_the_seed_from_the_environment(monkeypatch):
    monkeypatch.delenv("GAN_COURSE_SEED", raising=False)
    assert runtime.seed_everything() == 0 == runtime.default_seed()
    a = torch.randn(3)
    monkeypatch.setenv("GAN_COURSE_SEED", " 42 ")
    assert runtime.seed_everything() == 42
    assert not torch.equal(torch.randn(3), a)
    monkeypatch.setenv("GAN_COURSE_SEED", "")
    assert runtime.seed_everything() == 0 and torch.equal(torch.randn(3), a)
    monkeypatch.setenv("GAN_COURSE_SEED", "42")
    assert runtime.seed_everything(7) == 7  # an explicit seed wins


@pytest.mark.parametrize("bad", ["-1", "1.5", "abc", "3e2"])
def test_the_environment_seed_must_be_an_integer(bad, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_SEED", bad)
    with pytest.raises(ValueError, match="GAN_COURSE_SEED must be a non-negative integer"):
        runtime.seed_everything()


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_seed_everything_rejects(bad):
    with pytest.raises(ValueError, match="seed"):
        runtime.seed_everything(bad)


def test_device_of_a_module():
    assert runtime.device_of(torch.nn.Linear(2, 2)) == torch.device("cpu")
    norm = torch.nn.BatchNorm1d(3, affine=False)  # buffers only
    assert runtime.device_of(norm.to("meta")) == torch.device("meta")
    assert runtime.device_of(torch.nn.ReLU()) == torch.device("cpu")
    assert runtime.device_of(torch.nn.ReLU(), default="meta") == torch.device("meta")
    with pytest.raises(TypeError, match="module must be a torch.nn.Module"):
        runtime.device_of(lambda x: x)


def test_banner(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    runtime.banner("toy mixture")
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 1
    dev = runtime.device()
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else dev.type
    assert f"device: {name}" in lines[0]
    assert "mode: smoke" in lines[0]
    assert "data: toy mixture" in lines[0]
    assert "autograding" not in lines[0]


def test_banner_mentions_grading(capsys, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    runtime.banner("x")
    assert "training is skipped" in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["", None, 3])
def test_banner_rejects_empty_data(bad, capsys):
    with pytest.raises(ValueError, match="data"):
        runtime.banner(bad)
    assert capsys.readouterr().out == ""


def test_device():
    dev = runtime.device()
    assert isinstance(dev, torch.device)
    assert dev.type in ("cuda", "mps", "cpu")
    if not torch.cuda.is_available():
        assert dev.type != "cuda"


def test_step_limit(monkeypatch):
    monkeypatch.delenv("GAN_COURSE_STEPS", raising=False)
    assert runtime.step_limit() is None
    monkeypatch.setenv("GAN_COURSE_STEPS", " 16 ")
    assert runtime.step_limit() == 16


def test_banner_says_when_training_is_cut(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("GAN_COURSE_STEPS", "16")
    runtime.banner("x")
    assert "GAN_COURSE_STEPS=16: each training run cut to at most 16 steps" in capsys.readouterr().out
