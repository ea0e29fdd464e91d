"""Pictures: image grids, loss curves, 1-D densities with D(x), 2-D scatters with the modes.

``Live`` keeps one figure for a whole training run and redraws it in place, instead of
stacking a new figure in the output at every snapshot.
"""
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.ticker import EngFormatter

from . import guard, runtime
from .toy import GaussianMixture


def _axes(ax, figsize=(5, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def grid(images, nrow=8, padding=2):
    """(B, C, H, W) or (C, H, W) images in [-1, 1] (C = 1 or 3) as one (C, H', W') picture in [0, 1].

    ``nrow`` images a row, framed and separated by white lines ``padding`` pixels wide; a single
    image comes without a frame. Values outside [-1, 1] are clipped: an untrained G may overshoot.
    """
    images = guard.tensor(images, "images").detach().cpu().float()
    if images.dim() == 3:
        images = images[None]
    if images.dim() != 4 or images.shape[0] == 0 or images.shape[1] not in (1, 3):
        raise ValueError(f"images must have shape (B, C, H, W) or (C, H, W) with B >= 1 and C = 1 or 3, "
                         f"got {guard.describe(images)}")
    guard.positive_int(nrow, "nrow")
    guard.int_range(padding, "padding", 0, 1_000)
    b, c, h, w = images.shape
    pad = padding if b > 1 else 0
    ncol = min(nrow, b)
    rows = -(-b // ncol)
    canvas = torch.ones(c, rows * (h + pad) + pad, ncol * (w + pad) + pad)  # white
    for i, image in enumerate(images.clamp(-1, 1)):
        r, k = divmod(i, ncol)
        top, left = pad + r * (h + pad), pad + k * (w + pad)
        canvas[:, top:top + h, left:left + w] = (image + 1) / 2
    return canvas


def image_grid(images, nrow=8, ax=None, title=None):
    """Show (B, C, H, W) images in [-1, 1] (C = 1 or 3) as one grid with nrow images a row."""
    images = guard.tensor(images, "images", ndim=4)
    if images.shape[1] not in (1, 3):
        raise ValueError(f"images must have 1 or 3 channels, got shape {tuple(images.shape)}")
    canvas = grid(images, nrow).permute(1, 2, 0).numpy()  # (H', W', C) in [0, 1]
    ncol = min(nrow, images.shape[0])
    rows = -(-images.shape[0] // ncol)
    ax = _axes(ax, figsize=(ncol * 0.6 + 0.5, rows * 0.6 + 0.5))
    ax.imshow(canvas[..., 0] if images.shape[1] == 1 else canvas, cmap="gray" if images.shape[1] == 1 else None,
              vmin=0, vmax=1)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def loss_curves(history, ax=None, names=None, smooth=50):
    """Plot the losses of a train.History against the step, each smoothed over ``smooth`` steps.

    A short history (a smoke run, an early snapshot) is smoothed over a fifth of its length at
    most, so that it still draws a curve rather than one point.
    """
    if not hasattr(history, "values") or not hasattr(history, "steps"):
        raise TypeError(f"history must be a train.History, got {guard.describe(history)}")
    ax = _axes(ax)
    steps = np.asarray(history.steps)
    for name in names or list(history.values):
        v = np.asarray(history[name], dtype=float)
        k = max(1, min(smooth, len(v) // 5))
        if len(v):
            ax.plot(steps[k - 1:], np.convolve(v, np.ones(k) / k, mode="valid"), label=name)
    ax.set_xlabel("step")
    if len(steps) and steps[-1] >= 10_000:  # 20k, not 20000: five-digit labels run together
        ax.xaxis.set_major_formatter(EngFormatter(sep=""))
    ax.set_ylabel("loss")
    ax.legend(loc="best")  # the corner or side that hides the fewest points of the curves
    return ax


def density_1d(samples, mixture, D=None, ax=None, lim=None, bins=80):
    """Histogram of 1-D generator samples against the data density, and D(x) if D is given.

    samples: (n, 1) or (n,). D: a module mapping (m, 1) points to (m, 1) logits.
    """
    if not isinstance(mixture, GaussianMixture) or mixture.dim != 1:
        raise TypeError(f"mixture must be a 1-D course_lib.toy.GaussianMixture, got {guard.describe(mixture)}")
    x = guard.tensor(samples, "samples").detach().cpu().float().flatten()
    ax = _axes(ax)
    lo, hi = lim or (mixture.means.min().item() - 4 * mixture.stds.max().item(),
                     mixture.means.max().item() + 4 * mixture.stds.max().item())
    points = torch.linspace(lo, hi, 400)
    ax.fill_between(points, mixture.pdf(points), color="0.85", label="$p_{data}$")
    ax.hist(x.clamp(lo, hi).numpy(), bins=bins, range=(lo, hi), density=True, alpha=0.6,
            color="tab:blue", label="$p_g$ (samples)")
    if D is not None:
        with torch.no_grad():
            d = torch.sigmoid(D(points[:, None].to(runtime.device_of(D)))).flatten().cpu()
        ax.plot(points, d, color="tab:red", label="$D(x)$")
        ax.axhline(0.5, color="tab:red", lw=0.5, ls=":")
    ax.set_xlim(lo, hi)
    ax.set_xlabel("x")
    # The legend gets a band of its own above the data (the bars keep the axis at 0 below), so
    # that it hides neither D(x), which sits near 1/2 across the top, nor a mode's peak.
    ax.margins(y=0.3)
    ax.legend(loc="upper center", ncol=3, fontsize="small", frameon=False,
              handlelength=1.0, handletextpad=0.4, columnspacing=0.8)
    return ax


def scatter_2d(samples, mixture, ax=None, lim=None, title=None):
    """Scatter (n, 2) generator samples over the mode centres of a 2-D mixture."""
    if not isinstance(mixture, GaussianMixture) or mixture.dim != 2:
        raise TypeError(f"mixture must be a 2-D course_lib.toy.GaussianMixture, got {guard.describe(mixture)}")
    x = guard.tensor(samples, "samples", shape=(None, 2)).detach().cpu().float()
    ax = _axes(ax)
    ax.scatter(x[:, 0], x[:, 1], s=2, alpha=0.4, color="tab:blue", label="G(z)")
    ax.scatter(mixture.means[:, 0], mixture.means[:, 1], marker="x", color="tab:red", s=40, label="modes")
    r = lim or 1.5 * mixture.means.abs().max().item() + 0.2
    ax.set_xlim(-r, r)
    ax.set_ylim(-r, r)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


class Live:
    """One figure for a whole run, redrawn in place.

    draw(axes, step, history) fills the axes; pass ``live.update`` as ``train.fit``'s
    ``on_snapshot``. Outside a notebook nothing is displayed.
    """

    def __init__(self, draw, ncols=2, figsize=None):
        if not callable(draw):
            raise TypeError(f"draw must be a function(axes, step, history), got {guard.describe(draw)}")
        guard.positive_int(ncols, "ncols")
        self.draw = draw
        self.fig, axes = plt.subplots(1, ncols, figsize=figsize or (4.5 * ncols, 3.6))
        self.axes = np.atleast_1d(axes)
        plt.close(self.fig)  # shown through the display handle only, not again at the cell's end
        self._handle = None

    def update(self, step, history):
        for ax in self.axes:
            ax.clear()
        self.draw(self.axes, step, history)
        self.fig.tight_layout()
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            return
        if get_ipython() is None:
            return
        if self._handle is None:
            self._handle = display(self.fig, display_id=True)
        else:
            self._handle.update(self.fig)
