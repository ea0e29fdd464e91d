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


def test_grading(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert runtime.grading() is False
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert runtime.grading() is True


def _draw():
    return torch.randn(5), np.random.rand(5), [random.random() for _ in range(5)]


def test_seed_everything_reproducible():
    assert runtime.seed_everything(123) is None  # a notebook's first cell ends with it: no output
    a = _draw()
    runtime.seed_everything(123)
    b = _draw()
    assert torch.equal(a[0], b[0])
    assert np.array_equal(a[1], b[1])
    assert a[2] == b[2]
    runtime.seed_everything(124)
    assert not torch.equal(torch.randn(5), a[0])


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3", None])
def test_seed_everything_rejects(bad):
    with pytest.raises(ValueError, match="seed"):
        runtime.seed_everything(bad)


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
