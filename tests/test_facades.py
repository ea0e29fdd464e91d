"""course_lib.facades on a small archive built here with the real one's layout: no download."""
import hashlib
import http.client
import io
import os
import socket
import urllib.error
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
                    photo, label_map = f"facades/{split}A/{k}_A.jpg", f"facades/{split}B/{k}_B.jpg"
                    for name, grey in ((photo, 20 * k), (label_map, 200 + 10 * k)):
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
    with pytest.raises(facades.ArchiveError, match="SHA-256"):
        facades.load("train", root=str(tmp_path), download_if_missing=False)
    monkeypatch.setattr(facades, "SIZE", path.stat().st_size + 1)
    with pytest.raises(facades.ArchiveError, match="bytes"):
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
    with pytest.raises(facades.ArchiveError, match="no facades archive") as err:
        facades.load("train", root=str(tmp_path), download_if_missing=False)
    assert facades.URL in str(err.value) and str(tmp_path / "facades.zip") in str(err.value)


def test_the_archive_is_fetched_from_cyclegans_server():
    assert facades.URL == "https://efrosgans.eecs.berkeley.edu/cyclegan/datasets/facades.zip"
    assert facades.URL.endswith("/" + facades.FILE)


@pytest.mark.parametrize("failure", [
    urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution")),
    urllib.error.HTTPError(facades.URL, 404, "Not Found", {}, None),
    TimeoutError("timed out"),
    http.client.IncompleteRead(b"PK", 35_000_000),
])
def test_a_failed_download_says_how_to_fetch_the_file_by_hand(failure, tmp_path, monkeypatch):
    def offline(url, path, timeout=60):
        with open(path, "wb") as f:
            f.write(b"PK")  # a partial file, left behind by the failure
        raise failure

    monkeypatch.setattr(facades, "_fetch", offline)
    with pytest.raises(facades.ArchiveError) as err:
        facades.load("train", root=str(tmp_path / "cache"))
    message = str(err.value)
    target = str(tmp_path / "cache" / "facades.zip")
    assert message.startswith(f"the download of the CMP facades from {facades.URL} failed: {type(failure).__name__}")
    assert "by hand" in message and f"put the file at {target}" in message
    assert f'curl -L -o "{target}" {facades.URL}' in message
    assert os.listdir(tmp_path / "cache") == []  # no partial file that a later load could take for the archive
    lines = err.value._render_traceback_()  # what a notebook shows: the message, no traceback
    assert lines == [f"ArchiveError: {message}"]


def test_a_download_that_is_not_the_archive_is_not_kept(tmp_path, monkeypatch):
    def wrong_file(url, path, timeout=60):
        with open(path, "wb") as f:
            f.write(b"<html>moved</html>")

    monkeypatch.setattr(facades, "_fetch", wrong_file)
    with pytest.raises(facades.ArchiveError, match="it has 18 bytes, the archive has 35,135,868") as err:
        facades.download(str(tmp_path))
    assert "by hand" in str(err.value) and os.listdir(tmp_path) == []


def test_a_good_download_is_verified_and_kept(archive, tmp_path, monkeypatch):
    blob = archive().read_bytes()
    fetched = []

    def server(url, path, timeout=60):
        fetched.append(url)
        with open(path, "wb") as f:
            f.write(blob)

    monkeypatch.setattr(facades, "_fetch", server)
    root = tmp_path / "cache"
    assert facades.download(str(root)) == str(root / "facades.zip")
    assert fetched == [facades.URL] and os.listdir(root) == ["facades.zip"]
    assert facades.load("test", size=8, root=str(root)).x.shape == (1, 3, 8, 8)
    assert fetched == [facades.URL]  # the second time, the archive is there
