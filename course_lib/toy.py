"""Toy distributions in one and two dimensions, with densities known exactly.

- ``mixture_1d``: a 1-D mixture with an analytic density and CDF, for fitting and for KS.
- ``ring``: 8 modes at angles 2*pi*k/8, radius 1, std 0.01 (PacGAN, Lin et al. 2018).
- ``grid``: 25 modes at {-4, -2, 0, 2, 4}^2, std 0.05 (VEEGAN, Srivastava et al. 2017).

The ring and the grid are the standard tests for mode collapse; ``metrics.mode_coverage``
scores samples on them by the papers' definition.
"""
import math

import torch

from . import guard


class GaussianMixture:
    """A mixture of K isotropic Gaussians in d dimensions.

    means: (K, d); stds: (K,); weights: (K,), summing to 1.
    """

    def __init__(self, means, stds, weights=None):
        means = torch.as_tensor(means, dtype=torch.float32)
        if means.dim() == 1:
            means = means[:, None]
        guard.tensor(means, "means", ndim=2)
        k = means.shape[0]
        stds = torch.as_tensor(stds, dtype=torch.float32)
        stds = stds.expand(k).clone() if stds.dim() == 0 else stds
        weights = torch.full((k,), 1.0 / k) if weights is None else torch.as_tensor(weights, dtype=torch.float32)
        guard.tensor(stds, "stds", shape=(k,), low=1e-12)
        guard.tensor(weights, "weights", shape=(k,), low=0.0)
        if abs(weights.sum().item() - 1) > 1e-5:
            raise ValueError(f"weights must sum to 1, got {weights.sum().item():.6f}")
        self.means, self.stds, self.weights = means, stds, weights

    @property
    def dim(self):
        return self.means.shape[1]

    def sample(self, n, generator=None):
        """(n, d) samples."""
        guard.positive_int(n, "n")
        which = torch.multinomial(self.weights, n, replacement=True, generator=generator)
        noise = torch.randn(n, self.dim, generator=generator)
        return self.means[which] + self.stds[which, None] * noise

    def batches(self, batch_size, generator=None):
        """An endless stream of fresh (batch_size, d) samples, for ``train.fit``."""
        guard.positive_int(batch_size, "batch_size")
        while True:
            yield self.sample(batch_size, generator)

    def pdf(self, x):
        """Density at points x: (n, d), or (n,) when d == 1. Returns (n,)."""
        x = self._points(x)
        sq = ((x[:, None, :] - self.means[None]) ** 2).sum(-1)  # (n, K)
        var = self.stds ** 2
        norm = (2 * math.pi * var) ** (self.dim / 2)
        return (self.weights * torch.exp(-sq / (2 * var)) / norm).sum(1)

    def cdf(self, x):
        """The cumulative distribution function of a 1-D mixture at x: (n,) -> (n,)."""
        if self.dim != 1:
            raise ValueError(f"cdf is defined for a 1-D mixture; this one has d = {self.dim}")
        x = self._points(x)
        u = (x - self.means[:, 0]) / (self.stds * math.sqrt(2))  # (n, K)
        return (self.weights * 0.5 * (1 + torch.erf(u))).sum(1)

    def _points(self, x):
        x = guard.tensor(x, "x")
        if x.dim() == 1 and self.dim == 1:
            x = x[:, None]
        return guard.tensor(x.detach().cpu().float(), "x", shape=(None, self.dim))


def mixture_1d(means=(-2.0, 2.0), stds=0.5, weights=None):
    """A 1-D Gaussian mixture; by default two equal modes at -2 and +2 with std 0.5."""
    return GaussianMixture(torch.as_tensor(means, dtype=torch.float32)[:, None], stds, weights)


def ring(n_modes=8, radius=1.0, std=0.01):
    """Modes evenly spaced on a circle, at angles 2*pi*k/n_modes (k = 0 .. n_modes-1)."""
    guard.positive_int(n_modes, "n_modes")
    angles = 2 * math.pi * torch.arange(n_modes) / n_modes  # not linspace(0, 2pi, n): that repeats a mode
    means = radius * torch.stack([torch.cos(angles), torch.sin(angles)], 1)
    return GaussianMixture(means, guard.positive(std, "std"))


def grid(side=5, spacing=2.0, std=0.05):
    """side x side modes on a square grid centred at 0 (default {-4, -2, 0, 2, 4}^2)."""
    guard.positive_int(side, "side")
    ticks = (torch.arange(side) - (side - 1) / 2) * spacing
    means = torch.cartesian_prod(ticks, ticks)
    return GaussianMixture(means, guard.positive(std, "std"))
