"""tools/bench: bench_loop.py's networks fit together and each of its loops trains and counts; side_by_side.py."""
import torch

from tools.bench import bench_loop, side_by_side


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


def test_side_by_side_runs_its_trainings_in_processes_of_their_own_and_compares_them():
    two = side_by_side.together(2, 1, {"OMP_WAIT_POLICY": "PASSIVE"}, steps=2)
    assert len(two) == 2 and all(r["seconds"] > 0 and r["threads"] == 1 for r in two)
    base = dict(zip(side_by_side.WAYS, (2, 3, 8, 3, 5)))  # seconds of each way's first repeat
    rows = [{way: [{"seconds": base[way] * (i + 1), "threads": threads or 2}] * processes
             for way, (processes, threads, _) in side_by_side.WAYS.items()} for i in range(3)]
    text = side_by_side.section(rows, 2, "python -m tools.bench.side_by_side")
    assert "| alone | 1 | 2 | 4.0 | 1.0x |" in text and "| two at once, one thread each | 2 | 1 | 6.0 | 1.5x |" in text
    assert "each took 4.0x as long" in text and "wait instead, each took 2.5x, and with one thread each 1.5x" in text
