"""Numbers that say how good a generator is.

- ``mode_coverage``: modes captured and % high-quality samples on a 2-D mixture, by the
  published definition (VEEGAN section 5; PacGAN measures distance in units of each mode's std).
- ``ks_statistic``: the Kolmogorov-Smirnov distance between 1-D samples and a CDF or other samples.
- ``wasserstein_1d``: the earth mover's distance between two 1-D samples.
- ``inception_score`` and ``fid``: image quality under a fixed network, by default the MNIST
  classifier of ``course_lib.classifier`` (papers on MNIST use such a classifier, not Inception).

``fid`` takes two sets of images and works from their features to the distance in one piece: the
library deliberately offers no function from means and covariances to the Fréchet distance, because
notebook 02 asks the student to write exactly that.
"""
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import torch

from . import guard, runtime
from .toy import GaussianMixture


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
        raise TypeError(f"mixture must be a course_lib.toy.GaussianMixture, got {guard.describe(mixture)}")
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


def _network(classifier, method):
    """The given classifier, or the course's MNIST classifier; it must have ``method``."""
    if classifier is None:
        from . import classifier as mnist_classifier  # loads weights: only when a metric needs them
        return mnist_classifier.load()
    if not callable(getattr(classifier, method, None)):
        raise TypeError(f"classifier must have a {method}() method (such as course_lib.classifier.load()), "
                        f"got {guard.describe(classifier)}")
    return classifier


@torch.no_grad()
def _outputs(fn, net, images, name, least=1):
    """fn applied to (N, C, H, W) images in chunks on the network's device -> (N, K) float64 on the CPU."""
    guard.tensor(images, name, ndim=4)
    if images.shape[0] < least:
        raise ValueError(f"{name} must hold at least {least} images, got {images.shape[0]}")
    device = runtime.device_of(net, default=images.device) if isinstance(net, torch.nn.Module) else images.device
    out = torch.cat([fn(chunk.to(device)).detach().cpu().double() for chunk in images.split(500)])
    if out.dim() != 2 or out.shape[0] != images.shape[0]:
        raise ValueError(f"the classifier returned {guard.describe(out)} for {images.shape[0]} images; "
                         "expected one row per image")
    return out


def inception_score(images, classifier=None, splits=10):
    """exp(E_x KL(p(y|x) || p(y))) of (N, 1, 28, 28) images in [-1, 1]; returns (mean, std) over splits.

    p(y|x) is the classifier's softmax and p(y) its average over each split (Salimans et al. 2016:
    10 splits, the mean and standard deviation of the per-split scores). The score runs from 1
    (every image gets the same prediction) to the number of classes (confident, balanced
    predictions). The images are split in a fixed random order, so a set sorted by class is not
    mistaken for a collapsed one.
    """
    net = _network(classifier, "forward")
    splits = guard.positive_int(splits, "splits")
    log_p = torch.log_softmax(_outputs(net, net, images, "images", least=splits), 1)  # (N, K)
    order = torch.randperm(log_p.shape[0], generator=torch.Generator().manual_seed(0))
    scores = []
    for part in log_p[order].tensor_split(splits):
        p = part.exp()
        log_p_y = torch.log(p.mean(0, keepdim=True))  # (1, K): the split's marginal
        kl = torch.where(p > 0, p * (part - log_p_y), 0.0).sum(1)  # (n,) KL(p(y|x) || p(y))
        scores.append(kl.mean().exp())
    scores = torch.stack(scores)
    return scores.mean().item(), scores.std(unbiased=False).item()


def fid(images, reference, classifier=None):
    """Fréchet Inception Distance between two image sets (N, 1, 28, 28) and (M, 1, 28, 28) in [-1, 1].

    Fits a Gaussian (mu, Sigma) to each set's classifier features (``classifier.features``) and
    returns ||mu_1 - mu_2||^2 + Tr(Sigma_1 + Sigma_2 - 2 (Sigma_1 Sigma_2)^(1/2)). Lower is better;
    0 means the same mean and covariance. Few images bias it upwards: compare sets of equal size.
    """
    net = _network(classifier, "features")
    feats = [_outputs(net.features, net, x, name, least=2).numpy()
             for x, name in ((images, "images"), (reference, "reference"))]
    if feats[0].shape[1] != feats[1].shape[1]:
        raise ValueError(f"the feature sizes differ: {feats[0].shape[1]} vs {feats[1].shape[1]}")
    mu_1, mu_2 = (f.mean(0) for f in feats)
    sigma_1, sigma_2 = (np.atleast_2d(np.cov(f, rowvar=False)) for f in feats)
    with warnings.catch_warnings():  # a singular product is handled below, not reported on stderr
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        root = scipy.linalg.sqrtm(sigma_1 @ sigma_2)
        if not np.isfinite(root).all():
            # some singular products (few images, low-rank covariances) defeat the Schur method:
            # nudge both covariances towards the identity by far less than their own scale
            eps = 1e-6 * max(np.trace(sigma_1), np.trace(sigma_2)) / len(sigma_1) + 1e-12
            nudge = eps * np.eye(len(sigma_1))
            root = scipy.linalg.sqrtm((sigma_1 + nudge) @ (sigma_2 + nudge))
    # rounding leaves tiny imaginary parts (and tiny negative eigenvalues); the true root is real
    value = ((mu_1 - mu_2) ** 2).sum() + np.trace(sigma_1) + np.trace(sigma_2) - 2 * np.trace(root.real)
    return max(float(value), 0.0)
