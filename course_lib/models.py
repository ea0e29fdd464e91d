"""Running a trained generator: pictures in evaluation mode, and the moving average of its weights.

    images = models.generate(G_ema, z)       # (B, z_dim) codes -> (B, C, H, W) images on the CPU
    models.ema_update(G_ema, G, beta=0.999)  # after each training step

Pictures come from G in evaluation mode: BatchNorm then uses the running statistics it collected
instead of the statistics of whatever batch is being drawn, and dropout is off. ``generate``
switches G to eval mode, draws without building a graph and restores G's training flag, so a
live figure can sample between two training steps without changing the run.
"""
import contextlib

import torch

from . import guard, runtime

CHUNK = 500  # codes per forward pass: a few thousand images at once would need their activations all at once
DROPOUT = (torch.nn.Dropout, torch.nn.Dropout1d, torch.nn.Dropout2d, torch.nn.Dropout3d)


@contextlib.contextmanager
def evaluating(module, gradients=False, dropout=False):
    """Run ``module`` in eval mode, then restore its training flag, even after an error.

    gradients: keep autograd on (an attack needs the gradient with respect to the input).
    dropout:   keep the dropout layers on (pix2pix draws its outputs' variety from them).
    """
    guard.module(module, "module")
    was_training = module.training
    module.eval()
    if dropout:
        for layer in module.modules():
            if isinstance(layer, DROPOUT):
                layer.train()
    try:
        with torch.set_grad_enabled(gradients):
            yield module
    finally:
        module.train(was_training)


@contextlib.contextmanager
def fixed_noise(seed, device="cpu"):
    """Draw torch's random numbers inside the block from ``seed``; the caller's random state is
    left as it was. G's own random draws (StyleGAN's layer noise) are then the same on every call,
    and a picture drawn in the middle of a run does not change the run's random stream."""
    guard.int_range(seed, "seed", 0, 2**63)
    device = torch.device(device)
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)
        yield


def generate(G, *inputs, chunk=CHUNK, dropout=False, seed=None):
    """G(*inputs) as images on the CPU: eval mode, no gradients, the inputs moved to G's device.

    inputs:  the batch first (noise (B, z_dim), then labels (B,), ...), and any other argument of
             G after it (a stage, an alpha, None). Tensors whose first dimension is B go through G
             ``chunk`` rows at a time (None: all at once); everything else goes to every call as it is.
    dropout: keep G's dropout layers on. seed: draw G's own noise from this seed (``fixed_noise``).
    Returns (B, C, H, W) images with C = 1 or 3, on the CPU, without a graph.
    """
    guard.module(G, "G")
    if not inputs or not isinstance(inputs[0], torch.Tensor) or inputs[0].dim() == 0:
        first = inputs[0] if inputs else None
        raise TypeError(f"the first input must be a batch, a tensor (B, ...), got {guard.describe(first)}")
    b = inputs[0].shape[0]
    size = b if chunk is None else guard.positive_int(chunk, "chunk")
    device = runtime.device_of(G)
    noise = fixed_noise(seed, device) if seed is not None else contextlib.nullcontext()
    out = []
    with evaluating(G, dropout=dropout), noise:
        for start in range(0, max(b, 1), max(size, 1)):
            part = [v[start:start + size] if isinstance(v, torch.Tensor) and v.dim() and v.shape[0] == b else v
                    for v in inputs]
            x = G(*(v.to(device) if isinstance(v, torch.Tensor) else v for v in part))
            _check_images(x, part)
            out.append(x.cpu())
    return torch.cat(out)


def _check_images(x, inputs):
    b = inputs[0].shape[0]
    if not isinstance(x, torch.Tensor) or x.dim() != 4 or x.shape[0] != b or x.shape[1] not in (1, 3):
        shapes = ", ".join(str(tuple(v.shape)) if isinstance(v, torch.Tensor) else repr(v) for v in inputs)
        raise ValueError(f"G must map inputs of shape {shapes} to images of shape ({b}, C, H, W) "
                         f"with C = 1 or 3, got {guard.describe(x)}")


@torch.no_grad()
def ema_update(G_ema, G, beta):
    """One step of the moving average of G's weights: theta_ema <- beta theta_ema + (1 - beta) theta.

    G_ema: a copy of G (``copy.deepcopy(G)``), the generator to sample from. beta in [0, 1]: 0
    copies G, 0.999 averages over roughly the last thousand steps. Buffers (BatchNorm's running
    statistics, StyleGAN's w_avg) are copied, not averaged: they are already averages over training.
    """
    guard.module(G_ema, "G_ema")
    guard.module(G, "G")
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not 0 <= beta <= 1:
        raise ValueError(f"beta must be a number in [0, 1], got {guard.describe(beta)}")
    pairs = [(list(G_ema.parameters()), list(G.parameters())), (list(G_ema.buffers()), list(G.buffers()))]
    for mine, theirs in pairs:
        if [t.shape for t in mine] != [t.shape for t in theirs]:
            raise ValueError("G_ema must be a copy of G (copy.deepcopy(G)): their parameters or buffers differ")
    for p_ema, p in zip(*pairs[0], strict=True):
        p_ema.lerp_(p, 1 - beta)
    for b_ema, b in zip(*pairs[1], strict=True):
        b_ema.copy_(b)
