"""Input validation shared by the public functions of course_lib.

Each guard raises an error that names the argument, what was expected and what came,
instead of letting a bad value fail deep inside torch or coerce silently.
"""
import torch


def describe(x):
    """A short description of a value for an error message."""
    if isinstance(x, torch.Tensor):
        return f"a {x.dtype} tensor of shape {tuple(x.shape)} on {x.device}"
    return f"{type(x).__name__} {x!r}"[:120]


def tensor(x, name, *, ndim=None, shape=None, floating=True, low=None, high=None):
    """Check that ``x`` is a tensor of the given rank, shape (None matches any size) and range.

    Returns ``x`` unchanged so that a call can sit inline.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {describe(x)}")
    if floating and not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {describe(x)}")
    if ndim is not None and x.dim() != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got {describe(x)}")
    if shape is not None:
        if x.dim() != len(shape) or any(s is not None and s != n for s, n in zip(shape, x.shape)):
            want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}, got {describe(x)}")
    if x.numel() and floating and not torch.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    if low is not None and x.numel() and x.min() < low:
        raise ValueError(f"{name} must be >= {low}, got a minimum of {x.min().item():.4g}")
    if high is not None and x.numel() and x.max() > high:
        raise ValueError(f"{name} must be <= {high}, got a maximum of {x.max().item():.4g}")
    return x


def positive_int(x, name):
    """Check that ``x`` is an int >= 1 (bools are refused)."""
    if isinstance(x, bool) or not isinstance(x, int) or x < 1:
        raise ValueError(f"{name} must be a positive int, got {describe(x)}")
    return x


def positive(x, name):
    """Check that ``x`` is a real number > 0."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not x > 0:
        raise ValueError(f"{name} must be a positive number, got {describe(x)}")
    return float(x)


def int_range(x, name, low, high):
    """Check that ``x`` is an int with low <= x < high (bools are refused)."""
    if isinstance(x, bool) or not isinstance(x, int) or not low <= x < high:
        raise ValueError(f"{name} must be an int in [{low}, {high}), got {describe(x)}")
    return x


def module(x, name):
    """Check that ``x`` is a torch.nn.Module (a network, not a function that acts like one)."""
    if not isinstance(x, torch.nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {describe(x)}")
    return x


def function(x, name, contract):
    """Check that ``x`` is callable; ``contract`` says what it takes and returns, for the message."""
    if not callable(x):
        raise TypeError(f"{name} must be a function {contract}, got {describe(x)}")
    return x


def digits(x, name="images"):
    """Check a batch of MNIST-like digits: (N, 1, 28, 28) float in [-1, 1]. Returns ``x``.

    The range gets 1e-4 of slack: a tanh or a rescaling may round just past the ends.
    """
    tensor(x, name, shape=(None, 1, 28, 28))
    if x.numel() and (x.min() < -1 - 1e-4 or x.max() > 1 + 1e-4):
        raise ValueError(
            f"{name} must be in [-1, 1] (as data.mnist and a tanh generator give), got values in "
            f"[{x.min().item():.4g}, {x.max().item():.4g}]; map [0, 1] images with x * 2 - 1")
    return x
