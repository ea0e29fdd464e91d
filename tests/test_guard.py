import math

import pytest
import torch

from course_lib import guard


def test_tensor_returns_input():
    x = torch.zeros(2, 3)
    assert guard.tensor(x, "x", ndim=2, shape=(2, 3)) is x


def test_tensor_rejects_non_tensor():
    with pytest.raises(TypeError, match=r"^x must be a torch.Tensor, got list \[1, 2\]"):
        guard.tensor([1, 2], "x")


def test_shape_wildcard():
    guard.tensor(torch.zeros(7, 2), "pts", shape=(None, 2))
    with pytest.raises(ValueError, match=r"pts must have shape \(\*, 2\)") as err:
        guard.tensor(torch.zeros(7, 3), "pts", shape=(None, 2))
    assert "(7, 3)" in str(err.value)
    with pytest.raises(ValueError, match=r"pts must have shape \(\*, 2\)"):
        guard.tensor(torch.zeros(7, 2, 1), "pts", shape=(None, 2))


def test_ndim():
    with pytest.raises(ValueError, match="images must have 4 dimensions") as err:
        guard.tensor(torch.zeros(28, 28), "images", ndim=4)
    assert "(28, 28)" in str(err.value) and "float32" in str(err.value)


def test_floating():
    ints = torch.arange(3)
    with pytest.raises(TypeError, match="labels must be a floating-point tensor") as err:
        guard.tensor(ints, "labels")
    assert "int64" in str(err.value)
    assert guard.tensor(ints, "labels", floating=False) is ints


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite(bad):
    with pytest.raises(ValueError, match="w contains NaN or infinite"):
        guard.tensor(torch.tensor([0.0, bad]), "w")


def test_empty_tensor_passes_range_checks():
    guard.tensor(torch.zeros(0), "e", low=1.0, high=-1.0)


def test_low_high():
    x = torch.tensor([0.5, 2.0])
    guard.tensor(x, "p", low=0.5, high=2.0)
    with pytest.raises(ValueError, match="p must be >= 1.*minimum of 0.5"):
        guard.tensor(x, "p", low=1.0)
    with pytest.raises(ValueError, match="p must be <= 1.*maximum of 2"):
        guard.tensor(x, "p", high=1.0)


def test_describe():
    assert guard.describe(torch.zeros(2, 1)) == "a torch.float32 tensor of shape (2, 1) on cpu"
    assert guard.describe(3) == "int 3"
    assert len(guard.describe("a" * 500)) == 120


@pytest.mark.parametrize("good", [1, 7, 10**9])
def test_positive_int_accepts(good):
    assert guard.positive_int(good, "n") == good


@pytest.mark.parametrize("bad", [True, False, 0, -3, 1.0, 2.5, "2", None])
def test_positive_int_rejects(bad):
    with pytest.raises(ValueError, match="n must be a positive int, got"):
        guard.positive_int(bad, "n")


@pytest.mark.parametrize("good, expected", [(1, 1.0), (0.25, 0.25), (1e-9, 1e-9)])
def test_positive_accepts(good, expected):
    out = guard.positive(good, "std")
    assert out == expected and isinstance(out, float)


@pytest.mark.parametrize("bad", [True, 0, 0.0, -1, -0.5, math.nan, "1", None])
def test_positive_rejects(bad):
    with pytest.raises(ValueError, match="std must be a positive number, got"):
        guard.positive(bad, "std")
