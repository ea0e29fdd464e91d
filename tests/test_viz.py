import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.axes import Axes

from course_lib import toy, viz
from course_lib.train import History


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("shape", [(10, 1, 28, 28), (4, 3, 8, 8)])
def test_image_grid(shape):
    ax = viz.image_grid(torch.rand(shape) * 2 - 1, nrow=4, title="samples")
    assert isinstance(ax, Axes)
    assert ax.get_title() == "samples"
    img = ax.get_images()[0].get_array()
    b, c, h, w = shape
    rows = -(-b // 4)
    assert img.shape[:2] == (rows * (h + 2) + 2, 4 * (w + 2) + 2)  # white lines 2 pixels wide
    assert img.min() >= 0 and img.max() <= 1


def test_grid_places_each_image_between_white_lines():
    x = torch.stack([torch.full((1, 2, 3), -1.0), torch.full((1, 2, 3), 0.0), torch.full((1, 2, 3), 1.0)])
    canvas = viz.grid(x, nrow=2, padding=1)  # 2 rows of (1 + 3) + 1 columns
    assert canvas.shape == (1, 2 * (2 + 1) + 1, 2 * (3 + 1) + 1)
    assert (canvas[:, 1:3, 1:4] == 0).all() and (canvas[:, 1:3, 5:8] == 0.5).all() and (canvas[:, 4:6, 1:4] == 1).all()
    assert canvas[:, 0].eq(1).all() and canvas[:, :, 4].eq(1).all() and canvas[:, 4:6, 5:8].eq(1).all()
    assert torch.equal(viz.grid(x[0], padding=3), torch.zeros(1, 2, 3))  # one image: no frame
    assert viz.grid(torch.full((2, 3, 4, 4), 5.0)).max() == 1  # clipped to [-1, 1] first


@pytest.mark.parametrize("bad, match", [(torch.zeros(0, 1, 4, 4), "B >= 1"), (torch.zeros(2, 2, 4, 4), "C = 1 or 3"),
                                        (torch.zeros(4, 4), "C, H, W"), ([0.0], "torch.Tensor")])
def test_grid_refuses_what_is_not_an_image(bad, match):
    with pytest.raises((TypeError, ValueError), match=match):
        viz.grid(bad)


def test_image_grid_draws_on_given_axes():
    _, ax = plt.subplots()
    assert viz.image_grid(torch.zeros(2, 1, 4, 4), ax=ax) is ax


@pytest.mark.parametrize("shape, match", [((28, 28), "images must have 4 dimensions"),
                                          ((4, 2, 8, 8), "images must have 1 or 3 channels")])
def test_image_grid_rejects(shape, match):
    with pytest.raises(ValueError, match=match):
        viz.image_grid(torch.zeros(shape))


def test_loss_curves():
    h = History()
    for i in range(1, 101):
        h.append(i, {"loss_D": 1.0 / i, "loss_G": float(i)})
    ax = viz.loss_curves(h, smooth=10)
    assert isinstance(ax, Axes)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["loss_D", "loss_G"]
    x, y = lines[1].get_data()
    assert len(x) == 91 and x[0] == 10 and y[0] == pytest.approx(5.5)  # mean of 1..10
    only = viz.loss_curves(h, names=["loss_G"], ax=plt.subplots()[1])
    assert [line.get_label() for line in only.get_lines()] == ["loss_G"]


def test_loss_curves_short_history():
    h = History()
    h.append(1, {"l": 0.5})
    assert len(viz.loss_curves(h).get_lines()) == 1
    for i in range(2, 21):  # a smoke run's 20 steps: a curve, not one averaged point
        h.append(i, {"l": 1.0 / i})
    x, _ = viz.loss_curves(h, ax=plt.subplots()[1]).get_lines()[0].get_data()
    assert len(x) == 17  # smoothed over 4 steps


def test_loss_curves_rejects_non_history():
    with pytest.raises(TypeError, match="history must be a train.History"):
        viz.loss_curves({"loss": [1, 2]})


def test_density_1d_without_and_with_D():
    mix = toy.mixture_1d()
    samples = mix.sample(500, torch.Generator().manual_seed(0))
    ax = viz.density_1d(samples, mix)
    assert isinstance(ax, Axes)
    assert ax.get_xlim() == pytest.approx((-4.0, 4.0))
    assert "$D(x)$" not in [line.get_label() for line in ax.get_lines()]

    D = torch.nn.Linear(1, 1)
    ax = viz.density_1d(samples.flatten(), mix, D=D, lim=(-3, 3), ax=plt.subplots()[1])
    d_line = [line for line in ax.get_lines() if line.get_label() == "$D(x)$"]
    assert len(d_line) == 1
    x, y = d_line[0].get_data()
    with torch.no_grad():
        expected = torch.sigmoid(D(torch.as_tensor(x, dtype=torch.float32)[:, None])).flatten()
    assert torch.allclose(torch.as_tensor(y, dtype=torch.float32), expected, atol=1e-6)
    assert ax.get_xlim() == pytest.approx((-3, 3))


def test_scatter_2d():
    ring = toy.ring()
    ax = viz.scatter_2d(ring.sample(100), ring, title="ring")
    assert isinstance(ax, Axes)
    pts, modes = ax.collections
    assert pts.get_offsets().shape == (100, 2) and modes.get_offsets().shape == (8, 2)
    assert ax.get_title() == "ring"
    with pytest.raises(ValueError, match=r"samples must have shape \(\*, 2\)"):
        viz.scatter_2d(torch.zeros(5, 3), ring)


def test_density_1d_legend_hides_no_data():
    # D(x) ~ 1/2 runs across the top of the plot at equilibrium; the legend must sit above it and
    # above the histogram, in every panel of a row that shares its y axis.
    mix = toy.mixture_1d()
    samples = mix.sample(2000, torch.Generator().manual_seed(0))
    D = torch.nn.Linear(1, 1)
    torch.nn.init.zeros_(D.weight)
    torch.nn.init.zeros_(D.bias)  # D(x) = 1/2 everywhere
    fig, axes = plt.subplots(1, 4, figsize=(13, 2.6), sharey=True)
    for ax in axes:
        viz.density_1d(samples, mix, D=D, ax=ax)
    fig.canvas.draw()
    for ax in axes:
        legend = ax.get_legend().get_window_extent().transformed(ax.transData.inverted())
        top = max([p.get_height() for p in ax.patches] + [max(line.get_ydata()) for line in ax.get_lines()]
                  + [c.get_paths()[0].vertices[:, 1].max() for c in ax.collections])
        assert legend.y0 > top, f"the legend starts at y = {legend.y0:.3f}, below the data's top {top:.3f}"
        inside = ax.get_window_extent().transformed(ax.transData.inverted())
        assert inside.x0 <= legend.x0 and legend.x1 <= inside.x1, "the legend is wider than the axes"


def test_loss_curves_steps_in_thousands():
    def tick_labels(steps):
        h = History()
        for i in range(1, steps + 1):
            h.append(i, {"loss": 1.0})
        ax = viz.loss_curves(h, smooth=1, ax=plt.subplots(figsize=(4.5, 3.6))[1])
        ax.figure.canvas.draw()
        return [t.get_text() for t in ax.get_xticklabels()]

    long_run = tick_labels(20_000)
    assert "20k" in long_run and "20000" not in long_run
    assert "1500" in tick_labels(2_000)  # a short run keeps its plain numbers


@pytest.mark.parametrize("fn, samples, mixture", [
    (viz.density_1d, torch.zeros(5), toy.ring()),
    (viz.density_1d, torch.zeros(5), "mixture"),
    (viz.scatter_2d, torch.zeros(5, 2), toy.mixture_1d()),
    (viz.scatter_2d, torch.zeros(5, 2), toy.ring().means),
])
def test_wrong_mixture_type(fn, samples, mixture):
    with pytest.raises(TypeError, match="mixture must be a"):
        fn(samples, mixture)


def test_live_update_redraws_the_same_axes():
    calls = []

    def draw(axes, step, history):
        calls.append((len(axes), step))
        viz.loss_curves(history, ax=axes[0])

    live = viz.Live(draw, ncols=2)
    h = History()
    h.append(1, {"l": 1.0})
    live.update(1, h)
    live.update(2, h)
    assert calls == [(2, 1), (2, 2)]
    assert len(live.axes[0].get_lines()) == 1  # cleared between updates


def test_live_rejects():
    with pytest.raises(TypeError, match="draw must be a function"):
        viz.Live("draw")
    with pytest.raises(ValueError, match="ncols must be a positive int"):
        viz.Live(lambda *a: None, ncols=0)
