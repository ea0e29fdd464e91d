"""tools/bench_loop.py: its models are notebook 02's lite DCGAN, and its loops run."""
import os
import re

import nbformat
import torch

import bench_loop  # tools/ is on sys.path (tests/conftest.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_models_follow_notebook_02s_lite_settings():
    nb = nbformat.read(os.path.join(ROOT, "solutions", "02_dcgan", "02_dcgan.ipynb"), as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert f"Z_DIM = {bench_loop.Z_DIM}\n" in code
    assert re.search(rf"WIDTH = runtime\.pick\([^)]*lite={bench_loop.WIDTH},", code)
    assert f"BATCH = {bench_loop.BATCH}\n" in code
    # the course step's two speed choices, which make_step(course=True) copies
    assert "memory_format=torch.channels_last" in code and "D.requires_grad_(False)" in code
    z = torch.randn(3, bench_loop.Z_DIM)
    assert bench_loop.discriminator()(bench_loop.generator()(z)).shape == (3, 1)


def test_each_loop_trains_and_counts_its_images():
    images = torch.rand(2 * bench_loop.BATCH, 1, 28, 28) * 2 - 1
    labels = torch.zeros(len(images), dtype=torch.long)
    loader = torch.utils.data.DataLoader(bench_loop.PILDigits(images, labels, bench_loop.TRANSFORM),
                                         batch_size=bench_loop.BATCH)
    real, _ = next(iter(loader))
    assert real.shape == (bench_loop.BATCH, 1, 28, 28) and real.min() >= -1 and real.max() <= 1
    for seconds, seen, _ in (bench_loop.course_loop(images, 2), bench_loop.plain_loop(loader, 1),
                             bench_loop.step_alone(images, 2, course=True),
                             bench_loop.step_alone(images, 2, course=False)):
        assert seconds > 0 and seen == 2 * bench_loop.BATCH
