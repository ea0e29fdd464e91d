import math

import pytest
import scipy.stats
import torch

from course_lib import data, metrics


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_mode_coverage_exact_ring_samples():
    ring = data.ring()
    cov = metrics.mode_coverage(ring.sample(2500, gen()), ring)
    assert cov.modes == 8 and cov.n_modes == 8
    # in 2-D, |noise| / sigma is Rayleigh: P(r <= 3) = 1 - exp(-9/2)
    assert cov.hq == pytest.approx(1 - math.exp(-4.5), abs=0.006)
    assert sum(cov.counts) == round(cov.hq * 2500)
    assert all(250 < c < 370 for c in cov.counts)
    assert str(cov).startswith("8/8 modes, ")


def test_mode_coverage_grid():
    grid = data.grid()
    cov = metrics.mode_coverage(grid.sample(5000, gen(1)), grid)
    assert (cov.modes, cov.n_modes) == (25, 25)


def test_mode_coverage_single_mode():
    ring = data.ring()
    samples = ring.means[3] + 0.01 * torch.randn(500, 2, generator=gen())
    cov = metrics.mode_coverage(samples, ring)
    assert cov.modes == 1
    assert cov.counts[3] == sum(cov.counts) > 0
    assert [c for i, c in enumerate(cov.counts) if i != 3] == [0] * 7


def test_mode_coverage_origin():
    cov = metrics.mode_coverage(torch.zeros(100, 2), data.ring())
    assert cov.modes == 0 and cov.hq == 0.0 and cov.counts == [0] * 8
    assert str(cov) == "0/8 modes, 0.0% high quality"


def test_mode_coverage_counts_and_radius():
    ring = data.ring()
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
        metrics.mode_coverage(torch.zeros(10, 3), data.ring())
    with pytest.raises(ValueError, match=r"samples must have shape \(\*, 2\)"):
        metrics.mode_coverage(torch.zeros(10), data.ring())
    with pytest.raises(TypeError, match="mixture must be a course_lib.data.GaussianMixture"):
        metrics.mode_coverage(torch.zeros(10, 2), data.ring().means)
    with pytest.raises(ValueError, match="samples is empty"):
        metrics.mode_coverage(torch.zeros(0, 2), data.ring())


def test_ks_statistic_same_distribution_small():
    mix = data.mixture_1d()
    ks = metrics.ks_statistic(mix.sample(20_000, gen()), mix.cdf)
    assert 0 < ks < 0.02


def test_ks_statistic_shifted_large():
    mix = data.mixture_1d()
    ks = metrics.ks_statistic(mix.sample(20_000, gen()) + 1.0, mix.cdf)
    assert ks > 0.3


def test_ks_statistic_matches_scipy_one_sample():
    mix = data.mixture_1d(means=(-1.0, 2.0), stds=(0.4, 0.8), weights=(0.25, 0.75))
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
    """BUG: searchsorted(...) / n is int64 / int -> float32, so the statistic is only float32-exact
    (0.050000011920928955 instead of 0.05) although the inputs are converted to float64."""
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
        metrics.ks_statistic(torch.zeros(0), data.mixture_1d().cdf)
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
    """BUG: the empirical CDFs are computed in float32 (int64 / int division), so W1 is off by
    ~2e-8 relative to scipy although the inputs are converted to float64."""
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
