"""course_lib.facades on a small archive built here with the real one's layout: no download."""
import hashlib
import io
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

from course_lib import facades


def jpeg(colour):
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(buf, format="JPEG", quality=95)
    return buf.getvalue()


@pytest.fixture
def archive(tmp_path, monkeypatch):
    """facades.zip in tmp_path: 3 training pairs and 1 test pair, with the constants set to match it.

    Pair k has a photo of grey level 20 * k and a label map of grey level 200 + 10 * k.
    """
    def build(drop=()):
        names = {"train": [1, 2, 10], "test": [1]}
        path = tmp_path / "facades.zip"
        with zipfile.ZipFile(path, "w") as z:
            for split, numbers in names.items():
                for k in numbers:
                    for name, grey in ((f"facades/{split}A/{k}_A.jpg", 20 * k), (f"facades/{split}B/{k}_B.jpg", 200 + 10 * k)):
                        if name not in drop:
                            z.writestr(name, jpeg((min(grey, 255),) * 3))
        blob = path.read_bytes()
        monkeypatch.setattr(facades, "SIZE", len(blob))
        monkeypatch.setattr(facades, "SHA256", hashlib.sha256(blob).hexdigest())
        return path
    return build


def test_pairs_come_matched_in_number_order(archive, tmp_path):
    archive()
    pairs = facades.load("train", size=16, root=str(tmp_path), download_if_missing=False)
    assert pairs.x.shape == pairs.y.shape == (3, 3, 16, 16)
    assert pairs.x.dtype == torch.float32 and pairs.x.min() >= -1 and pairs.x.max() <= 1
    grey = lambda t: ((t.mean((1, 2, 3)) + 1) * 127.5).numpy()  # noqa: E731
    np.testing.assert_allclose(grey(pairs.y), [20, 40, 200], atol=3)        # photos of pairs 1, 2, 10
    np.testing.assert_allclose(grey(pairs.x), [210, 220, 255], atol=3)  # their label maps
    assert facades.load("test", size=8, root=str(tmp_path), download_if_missing=False).x.shape == (1, 3, 8, 8)


def test_a_file_that_is_not_the_archive_is_refused(archive, tmp_path, monkeypatch):
    path = archive()
    monkeypatch.setattr(facades, "SHA256", "0" * 64)
    with pytest.raises(ValueError, match="SHA-256"):
        facades.load("train", root=str(tmp_path), download_if_missing=False)
    monkeypatch.setattr(facades, "SIZE", path.stat().st_size + 1)
    with pytest.raises(ValueError, match="bytes"):
        facades.verify(str(path))


def test_unmatched_pairs_are_an_error(archive, tmp_path):
    archive(drop={"facades/trainB/2_B.jpg"})
    with pytest.raises(ValueError, match="3 and 2 images with 1 unmatched"):
        facades.load("train", size=8, root=str(tmp_path), download_if_missing=False)


def test_bad_arguments_and_a_missing_archive(tmp_path):
    with pytest.raises(ValueError, match="split"):
        facades.load("val", root=str(tmp_path), download_if_missing=False)
    with pytest.raises(ValueError, match="size"):
        facades.load("train", size=0, root=str(tmp_path), download_if_missing=False)
    with pytest.raises(FileNotFoundError, match="facades.zip"):
        facades.load("train", root=str(tmp_path), download_if_missing=False)
