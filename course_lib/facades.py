"""The CMP facades: a real paired data set for pix2pix, downloaded only when asked for.

    pairs = facades.load("train", size=64)   # pairs.x: label maps, pairs.y: photos, (N, 3, 64, 64)

Building fronts from the CMP Facade Database (Tyleček & Šára, 2013), the smallest benchmark of
the pix2pix paper: about 400 training pairs of a label map (windows, doors, balconies... as flat
colours) and the photo it was drawn from, at 256x256. The archive is CycleGAN's copy of the set:
photos in ``trainA``/``testA``, label maps in ``trainB``/``testB``, a pair sharing its number.

It needs the internet once (35 MB). The archive is checked against the size and SHA-256 that
TensorFlow Datasets publishes for it before anything reads it, so a truncated or altered download
fails loudly instead of training on something else. Whatever goes wrong with the archive ends in
an ``ArchiveError`` whose message says what failed and how to fetch the file by hand; a notebook
shows that message alone, without a traceback. Nothing in the course calls this by default, and
the tests build their own small archive instead of downloading.
"""
import collections
import hashlib
import http.client
import io
import os
import shutil
import urllib.request
import zipfile

import numpy as np
import torch

from . import data, guard

URL = "https://efrosgans.eecs.berkeley.edu/cyclegan/datasets/facades.zip"
FILE = "facades.zip"
SIZE = 35_135_868  # bytes
SHA256 = "9a31ebf3a31b9b5cd195dd5bf62e9308e00cb94604d1019e3889ac84248695c0"
SPLITS = ("train", "test")

Pairs = collections.namedtuple("Pairs", "x y")
Pairs.__doc__ = """Paired facades, row by row.

x: (N, 3, size, size) in [-1, 1], the label maps (pix2pix's input).
y: (N, 3, size, size) in [-1, 1], the photos (its target).
"""


class ArchiveError(Exception):
    """The facades archive could not be downloaded, or a file is not the published archive."""

    def _render_traceback_(self):
        # IPython prints these lines in place of a traceback: the message is the whole story
        return [f"{type(self).__name__}: {self}"]


def verify(path):
    """Raise ArchiveError unless the file at ``path`` has the published size and SHA-256."""
    problem = _mismatch(path)
    if problem:
        raise ArchiveError(f"{path} is not the facades archive: {problem}. Delete it and load again.")


def _mismatch(path):
    """How the file at ``path`` differs from the published archive, or None if it does not."""
    size = os.path.getsize(path)
    if size != SIZE:
        return f"it has {size:,} bytes, the archive has {SIZE:,} (an incomplete download, or another file)"
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != SHA256:
        return f"its SHA-256 is {digest.hexdigest()}, the archive's is {SHA256} (a corrupt or altered file)"
    return None


def _by_hand(path):
    """How to do without the download: where to fetch the archive from and where to put it."""
    return (f"To fetch it by hand, download {URL}\n(in a browser, or: curl -L -o \"{path}\" {URL})\n"
            f"and put the file at {path}.\nIt is checked against its published size ({SIZE:,} bytes) "
            "and SHA-256 before it is read.")


def _fetch(url, path, timeout=60):
    """Write the file at ``url`` to ``path``; an offline machine gives up after ``timeout`` seconds."""
    with urllib.request.urlopen(url, timeout=timeout) as response, open(path, "wb") as f:
        shutil.copyfileobj(response, f)


def download(root=None):
    """The path of the verified archive in ``root``, downloading it first if it is not there."""
    root = root or data.cache_root()
    path = os.path.join(root, FILE)
    if os.path.exists(path):
        verify(path)
        return path
    os.makedirs(root, exist_ok=True)
    partial = path + ".part"
    try:
        _fetch(URL, partial)
        problem = _mismatch(partial)  # before the final name: a bad download is never taken for the archive
    except (OSError, http.client.HTTPException) as err:  # no network, an HTTP error, a timeout, a cut-off reply
        problem = f"{type(err).__name__}: {err}"
    if problem:
        if os.path.exists(partial):
            os.remove(partial)
        raise ArchiveError(f"the download of the CMP facades from {URL} failed: {problem}.\n" + _by_hand(path))
    os.replace(partial, path)
    return path


def _members(archive, folder):
    """{pair key: member name} of the images in a folder named ``folder`` (at any depth)."""
    found = {}
    for name in archive.namelist():
        parts = name.split("/")
        if len(parts) >= 2 and parts[-2] == folder and parts[-1].lower().endswith((".jpg", ".jpeg", ".png")):
            stem = os.path.splitext(parts[-1])[0]
            found[stem[:-2] if stem[-2:] in ("_A", "_B") else stem] = name
    return found


def _read(archive, name, size):
    """One image of the archive as (3, size, size) uint8, resized with bicubic filtering."""
    from PIL import Image

    with Image.open(io.BytesIO(archive.read(name))) as img:
        img = img.convert("RGB").resize((size, size), Image.BICUBIC)
        return np.asarray(img).transpose(2, 0, 1)


def load(split="train", size=64, root=None, download_if_missing=True):
    """Paired facades in memory: ``Pairs(x=label maps, y=photos)``, each (N, 3, size, size) in [-1, 1].

    split: ``"train"`` or ``"test"``. size: the side in pixels the 256x256 images are resized to.
    root: the download folder (default ``~/.cache/gan_course``). With download_if_missing=False a
    missing archive is an error instead of a download. Raises ArchiveError if the archive cannot
    be had.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    guard.positive_int(size, "size")
    root = root or data.cache_root()
    if not download_if_missing and not os.path.exists(os.path.join(root, FILE)):
        raise ArchiveError(f"there is no facades archive in {root}, and download_if_missing is False.\n"
                           + _by_hand(os.path.join(root, FILE)))
    path = download(root)  # verifies an archive already there
    with zipfile.ZipFile(path) as archive:
        photos, maps = _members(archive, split + "A"), _members(archive, split + "B")
        if not photos or photos.keys() != maps.keys():
            raise ValueError(f"{path}: expected {split}A/ (photos) and {split}B/ (label maps) with the same "
                             f"numbered images, got {len(photos)} and {len(maps)} images with "
                             f"{len(photos.keys() ^ maps.keys())} unmatched")
        keys = sorted(photos, key=lambda k: (len(k), k))  # 2 before 10
        x = np.stack([_read(archive, maps[k], size) for k in keys])
        y = np.stack([_read(archive, photos[k], size) for k in keys])
    return Pairs(torch.from_numpy(x).float() / 127.5 - 1, torch.from_numpy(y).float() / 127.5 - 1)
