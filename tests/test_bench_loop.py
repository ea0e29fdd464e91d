"""tools/bench/bench_loop.py: its networks fit together, and each of its loops trains and counts."""
import torch

from tools.bench import bench_loop


def test_G_maps_noise_to_digits_and_D_digits_to_one_logit():
    z = torch.randn(3, bench_loop.Z_DIM)
    fake = bench_loop.generator()(z)
    assert fake.shape == (3, 1, 28, 28) and fake.min() >= -1 and fake.max() <= 1
    assert bench_loop.discriminator()(fake).shape == (3, 1)


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
