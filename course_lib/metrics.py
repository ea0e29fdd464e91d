"""Numbers that say how good a generator is.

- ``mode_coverage``: modes captured and % high-quality samples on a 2-D mixture, by the
  published definition (VEEGAN section 5; PacGAN measures distance in units of each mode's std).
- ``ks_statistic``: the Kolmogorov-Smirnov distance between 1-D samples and a CDF or other samples.
- ``wasserstein_1d``: the earth mover's distance between two 1-D samples.
"""
from dataclasses import dataclass

import torch

from . import guard
from .data import GaussianMixture


@dataclass
class Coverage:
    modes: int          # modes captured (nearest mode of at least one HQ sample)
    n_modes: int        # modes in the mixture
    hq: float           # fraction of samples within `radius` stds of their nearest mode
    counts: list        # HQ samples per mode

    def __str__(self):
        return f"{self.modes}/{self.n_modes} modes, {100 * self.hq:.1f}% high quality"


def mode_coverage(samples, mixture, radius=3.0):
    """Modes captured and the high-quality fraction of (n, d) samples from a GaussianMixture.

    A sample is high quality (HQ) if it lies within ``radius`` standard deviations of its nearest
    mode; a mode is captured if it is the nearest mode of at least one HQ sample. The papers
    evaluate 2,500 samples.
    """
    if not isinstance(mixture, GaussianMixture):
        raise TypeError(f"mixture must be a course_lib.data.GaussianMixture, got {guard.describe(mixture)}")
    samples = guard.tensor(samples, "samples", shape=(None, mixture.dim)).detach().cpu().float()
    if samples.shape[0] == 0:
        raise ValueError("samples is empty")
    dist = torch.cdist(samples, mixture.means) / mixture.stds  # (n, K), in units of each mode's std
    nearest_dist, nearest = dist.min(1)
    hq = nearest_dist <= radius
    counts = torch.bincount(nearest[hq], minlength=mixture.means.shape[0])
    return Coverage(int((counts > 0).sum()), mixture.means.shape[0], hq.float().mean().item(), counts.tolist())


def _as_1d(x, name):
    x = guard.tensor(x, name).detach().cpu().double().flatten()
    if x.numel() == 0:
        raise ValueError(f"{name} is empty")
    return x


def ks_statistic(samples, reference):
    """sup_x |F_samples(x) - F_reference(x)|.

    reference: a CDF (a callable mapping a tensor of points to probabilities, such as
    ``mixture.cdf``), or a second tensor of samples (the two-sample statistic).
    """
    x = torch.sort(_as_1d(samples, "samples")).values
    n = x.numel()
    if callable(reference):
        f = torch.as_tensor(reference(x.float()), dtype=torch.float64).flatten()
        if f.shape != x.shape:
            raise ValueError(f"the reference CDF returned shape {tuple(f.shape)} for {n} points")
        below = torch.arange(n, dtype=torch.float64) / n  # empirical CDF just before each point
        return max((f - below).max().item(), (below + 1 / n - f).max().item())
    y = torch.sort(_as_1d(reference, "reference")).values
    points = torch.cat([x, y])
    fx = torch.searchsorted(x, points, right=True).double() / n
    fy = torch.searchsorted(y, points, right=True).double() / y.numel()
    return (fx - fy).abs().max().item()


def wasserstein_1d(a, b):
    """W1 between two 1-D samples: the area between their empirical CDFs."""
    x, y = _as_1d(a, "a"), _as_1d(b, "b")
    points = torch.sort(torch.cat([x, y])).values
    fx = torch.searchsorted(torch.sort(x).values, points[:-1], right=True).double() / x.numel()
    fy = torch.searchsorted(torch.sort(y).values, points[:-1], right=True).double() / y.numel()
    return ((fx - fy).abs() * points.diff()).sum().item()
