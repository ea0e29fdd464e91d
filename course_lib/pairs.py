"""Image-to-image tasks made from MNIST, where the right answer is known.

- ``paired_mnist`` (pix2pix, notebook 05): the input x is computed from the digit y by a fixed
  rule (coarse, outline, lower half hidden); both padded to 32x32.
- ``unpaired_mnist`` (CycleGAN, notebook 06): thin digits (A) and bold digits on grey (B), from
  disjoint halves of the training digits, with the hidden transform ``bold_on_grey`` kept for
  evaluation.

``facades.load`` gives pix2pix a real paired set, photos and their label maps, when online.
"""
import collections

import numpy as np
import torch

from . import data, guard

# --------------------------------------------------------------------------- unpaired domains (CycleGAN)


def bold_on_grey(images):
    """The hidden style of domain B: strokes thickened, background raised from black to mid grey.

    (N, 1, 28, 28) in [-1, 1] (white ink on black) -> (N, 1, 28, 28) in [0, 1]: a 3x3 dilation
    (each stroke grows by one pixel on every side), then v -> (v + 1) / 2, so ink stays white and
    the background becomes 0. A digit already in this style passes through a good translator
    unchanged, which is what CycleGAN's identity loss asks of it.
    """
    guard.digits(images)
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

    The training digits of ``data.mnist("train")`` are split in two disjoint halves, class by class
    (alternately in their fixed order, so both halves have the same class frequencies). Domain A
    is the first half as it is; domain B is ``bold_on_grey`` applied to the second half. The
    held-out digits of ``data.mnist("test")``, in a fixed shuffled order, come with their true
    translations, to measure how close a translator gets to the hidden transform.

    source, verbose: as in ``data.mnist``. limit: keep at most this many digits per domain and in the
    held-out set. Returns an ``Unpaired`` named tuple.
    """
    if limit is not None:
        guard.positive_int(limit, "limit")
    images, labels = data.mnist("train", source=source, verbose=verbose)
    test_images, test_labels = data.mnist("test", source=source, verbose=verbose)
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
    guard.digits(images)
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

    split:  ``"train"`` (from ``data.mnist("train")``) or ``"test"`` (the held-out digits).
    task:   ``"coarse"``     x is y seen at 8x8: the mean of each 4x4 block (4x super-resolution);
            ``"outline"``    x is the outline of the strokes, one pixel wide (fill the digit in);
            ``"lower_half"`` x is y with its lower half grey (complete the digit).
    source, limit, verbose: as in ``data.mnist``. Deterministic: the same call gives the same pairs.
    Returns a ``Paired`` named tuple (x, y, labels), images (N, 1, 32, 32) in [-1, 1].
    """
    if task not in PAIRED_TASKS:
        raise ValueError(f"task must be one of {sorted(PAIRED_TASKS)}, got {task!r}")
    images, labels = data.mnist(split, source=source, limit=limit, verbose=verbose)
    y = pad32(images)
    return Paired(PAIRED_TASKS[task](y), y, labels)
