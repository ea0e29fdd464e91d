"""MNIST written as torchvision keeps it, so that the loader Colab runs can be tested without the internet."""
import os

import numpy as np

IDX_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def idx_bytes(array):
    """An array of uint8 in the idx format of MNIST's files: a magic number (two zero bytes, 0x08 for
    unsigned bytes, the number of dimensions), each dimension as a big-endian int32, then the values."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    return bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, dtype=">i4").tobytes() + array.tobytes()


def write_torchvision_mnist(root, splits):
    """Write MNIST as torchvision keeps it after a download: root/MNIST/raw/ holds the four idx files,
    uncompressed (torchvision looks for those names, and downloads only when one is missing).

    splits: {"train": (images, labels), "test": (images, labels)}, images (N, 1, 28, 28) float in
    [-1, 1] (as ``data.mnist`` gives them), labels (N,) int64. Returns root/MNIST/raw."""
    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for split, (images, labels) in splits.items():
        pixels = ((images.reshape(-1, 28, 28) + 1) * 127.5).round().numpy()
        for name, array in zip(IDX_FILES[split], (pixels, labels.numpy())):
            with open(os.path.join(raw, name), "wb") as f:
                f.write(idx_bytes(array))
    return raw

