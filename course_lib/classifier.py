"""A small MNIST classifier shipped with the course, the fixed network behind FID and Inception Score.

``load()`` returns the trained model (weights in ``course_lib/weights/mnist_classifier.pt``,
written by ``tools/train_classifier.py`` from the 4,000 offline training digits)::

    net = classifier.load()
    logits = net(images)           # (N, 1, 28, 28) in [-1, 1] -> (N, 10)
    feats = net.features(images)   # (N, 1, 28, 28) in [-1, 1] -> (N, 64), for FID

Papers that score MNIST generators use an MNIST classifier in place of Inception; its numbers
are comparable only to numbers from the same classifier.
"""
import os

import torch
from torch import nn

from . import guard, runtime

WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights", "mnist_classifier.pt")
FEATURES = 64

_loaded = {}  # device -> model, so that every metric call reuses one copy


class MNISTClassifier(nn.Module):
    """Three 3x3 conv blocks and two linear layers, about 60k parameters.

    forward: (N, 1, 28, 28) in [-1, 1] -> (N, 10) logits.
    features: the same input -> (N, 64), the penultimate layer before its ReLU (after it, some
    units are zero on every digit, which would make FID's covariances singular).
    """

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),   # (N, 16, 14, 14)
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),  # (N, 32, 7, 7)
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),  # (N, 64, 3, 3)
            nn.Flatten(),                                                                    # (N, 576)
            nn.Linear(576, FEATURES),                                                        # (N, 64)
        )
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(FEATURES, 10)

    def features(self, x):
        """(N, 1, 28, 28) in [-1, 1] -> (N, 64) penultimate-layer features."""
        return self.body(guard.digits(x))

    def forward(self, x):
        """(N, 1, 28, 28) in [-1, 1] -> (N, 10) logits."""
        return self.head(self.dropout(torch.relu(self.features(x))))


def load(device=None):
    """The trained classifier on ``device`` (default: runtime.device()), in eval mode, frozen.

    The first call per device reads the weights; later calls return the same model.
    """
    device = torch.device(device) if device is not None else runtime.device()
    if device not in _loaded:
        if not os.path.isfile(WEIGHTS):
            raise FileNotFoundError(f"the classifier weights are missing: {WEIGHTS} "
                                    "(run tools/train_classifier.py, or reinstall course_lib)")
        net = MNISTClassifier()
        net.load_state_dict(torch.load(WEIGHTS, map_location="cpu", weights_only=True))
        net.eval().requires_grad_(False)
        _loaded[device] = net.to(device)
    return _loaded[device]
