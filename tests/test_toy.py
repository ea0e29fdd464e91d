import itertools
import math

import pytest
import torch

from course_lib import toy


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_mixture_1d_sampling_statistics():
    mix = toy.mixture_1d(means=(-2.0, 3.0), stds=(0.3, 0.6), weights=(0.3, 0.7))
    x = mix.sample(40_000, gen())
    assert x.shape == (40_000, 1) and x.dtype == torch.float32
    left, right = x[x < 0.5], x[x >= 0.5]
    assert abs(len(left) / len(x) - 0.3) < 0.01
    assert abs(left.mean().item() + 2.0) < 0.02
    assert abs(right.mean().item() - 3.0) < 0.02
    assert abs(left.std().item() - 0.3) < 0.01
    assert abs(right.std().item() - 0.6) < 0.015


def test_mixture_1d_defaults():
    mix = toy.mixture_1d()
    assert mix.dim == 1
    assert mix.means.flatten().tolist() == [-2.0, 2.0]
    assert mix.stds.tolist() == [0.5, 0.5]
    assert mix.weights.tolist() == [0.5, 0.5]


def test_sample_reproducible_with_generator():
    mix = toy.ring()
    assert torch.equal(mix.sample(100, gen(3)), mix.sample(100, gen(3)))
    assert not torch.equal(mix.sample(100, gen(3)), mix.sample(100, gen(4)))


def test_mixture_batches_stream():
    it = toy.mixture_1d().batches(16, gen())
    a, b = next(it), next(it)
    assert a.shape == b.shape == (16, 1)
    assert not torch.equal(a, b)


def test_pdf_integrates_to_one_1d():
    mix = toy.mixture_1d(means=(-2.0, 3.0), stds=(0.3, 0.6), weights=(0.3, 0.7))
    grid = torch.linspace(-10, 10, 4001)
    p = mix.pdf(grid)
    assert p.shape == (4001,)
    assert (p >= 0).all()
    assert torch.trapezoid(p, grid).item() == pytest.approx(1.0, abs=1e-4)
    # the same points as (n, 1)
    assert torch.allclose(mix.pdf(grid[:, None]), p)


def test_pdf_single_gaussian_value():
    mix = toy.mixture_1d(means=(0.0,), stds=2.0)
    assert mix.pdf(torch.tensor([0.0])).item() == pytest.approx(1 / (2 * math.sqrt(2 * math.pi)), rel=1e-6)


def test_pdf_integrates_to_one_2d_ring():
    mix = toy.ring(std=0.2)
    t = torch.linspace(-2.5, 2.5, 501)
    xx, yy = torch.meshgrid(t, t, indexing="ij")
    p = mix.pdf(torch.stack([xx.flatten(), yy.flatten()], 1)).reshape(501, 501)
    total = torch.trapezoid(torch.trapezoid(p, t, dim=1), t).item()
    assert total == pytest.approx(1.0, abs=1e-3)


def test_cdf_monotone_with_limits():
    mix = toy.mixture_1d(means=(-2.0, 3.0), stds=(0.3, 0.6), weights=(0.3, 0.7))
    grid = torch.linspace(-10, 10, 2001)
    f = mix.cdf(grid)
    assert (f.diff() >= 0).all()
    assert f[0].item() == pytest.approx(0.0, abs=1e-6)
    assert f[-1].item() == pytest.approx(1.0, abs=1e-6)
    assert mix.cdf(torch.tensor([0.5])).item() == pytest.approx(0.3, abs=1e-4)


def test_cdf_matches_empirical():
    mix = toy.mixture_1d(means=(-2.0, 3.0), stds=(0.3, 0.6), weights=(0.3, 0.7))
    x = mix.sample(20_000, gen(1)).flatten()
    points = torch.linspace(-3, 4.5, 31)
    empirical = (x[None, :] <= points[:, None]).float().mean(1)
    assert (mix.cdf(points) - empirical).abs().max().item() < 0.015


def test_cdf_2d_raises():
    with pytest.raises(ValueError, match="1-D mixture.*d = 2"):
        toy.ring().cdf(torch.zeros(3, 2))


def test_ring_modes():
    mix = toy.ring(radius=2.0)
    m = mix.means
    assert m.shape == (8, 2)
    assert torch.allclose(m.norm(dim=1), torch.full((8,), 2.0), atol=1e-6)
    angles = torch.atan2(m[:, 1], m[:, 0]) % (2 * math.pi)
    expected = 2 * math.pi * torch.arange(8) / 8
    diff = (angles - expected + math.pi) % (2 * math.pi) - math.pi
    assert diff.abs().max().item() < 1e-5
    assert mix.stds.tolist() == pytest.approx([0.01] * 8)
    assert mix.weights.tolist() == pytest.approx([1 / 8] * 8)


def test_ring_modes_distinct():
    """linspace(0, 2*pi, 8) would put modes 0 and 7 on top of each other."""
    m = toy.ring().means
    d = torch.cdist(m, m) + torch.eye(8) * 10
    assert d.min().item() == pytest.approx(2 * math.sin(math.pi / 8), rel=1e-5)


def test_grid_modes():
    mix = toy.grid()
    assert mix.means.shape == (25, 2)
    got = {tuple(round(v, 6) for v in row) for row in mix.means.tolist()}
    assert got == set(itertools.product([-4.0, -2.0, 0.0, 2.0, 4.0], repeat=2))
    assert mix.stds.tolist() == pytest.approx([0.05] * 25)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(weights=(0.5, 0.6)), ValueError, "weights must sum to 1"),
    (dict(weights=(1.5, -0.5)), ValueError, "weights must be >= 0"),
    (dict(weights=(1.0,)), ValueError, r"weights must have shape \(2\)"),
    (dict(stds=-0.5), ValueError, "stds must be >= "),
    (dict(stds=0.0), ValueError, "stds must be >= "),
    (dict(stds=math.nan), ValueError, "stds contains NaN"),
])
def test_mixture_1d_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        toy.mixture_1d(**kwargs)


def test_mixture_bad_means_shape():
    with pytest.raises(ValueError, match="means must have 2 dimensions"):
        toy.GaussianMixture(torch.zeros(2, 2, 2), 1.0)


def test_mixture_stds_wrong_length_names_argument():
    """stds of the wrong length is refused with an error that names stds, not deep inside torch."""
    with pytest.raises(ValueError, match="stds"):
        toy.GaussianMixture(torch.zeros(2, 1), [0.5, 0.5, 0.5])


@pytest.mark.parametrize("fn, kwargs, match", [
    (toy.ring, dict(std=-0.1), "std must be a positive number"),
    (toy.ring, dict(n_modes=0), "n_modes must be a positive int"),
    (toy.ring, dict(n_modes=2.0), "n_modes must be a positive int"),
    (toy.grid, dict(side=0), "side must be a positive int"),
    (toy.grid, dict(std=0), "std must be a positive number"),
])
def test_ring_grid_bad_input(fn, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fn(**kwargs)


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "4"])
def test_sample_bad_n(n):
    with pytest.raises(ValueError, match="n must be a positive int"):
        toy.mixture_1d().sample(n)


def test_batch_size_bad():
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        next(toy.mixture_1d().batches(0))


def test_pdf_wrong_shape():
    with pytest.raises(ValueError, match=r"x must have shape \(\*, 2\)"):
        toy.ring().pdf(torch.zeros(5, 3))
    with pytest.raises(ValueError, match=r"x must have shape \(\*, 1\)"):
        toy.mixture_1d().cdf(torch.zeros(5, 2))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        toy.mixture_1d().pdf([0.0, 1.0])
