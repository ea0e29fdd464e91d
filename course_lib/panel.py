"""The core of the course's widgets: controls bound to one picture that is redrawn in place.

``Panel`` binds a few ipywidgets controls to a render function that turns their values into
images. Each change re-renders into the same ``ipywidgets.Image`` as PNG bytes, so a slider
never stacks new figures in the output (matplotlib figures inside widget callbacks do, in Colab
especially). The notebooks' widgets (``widgets.interpolation`` and the others) are built from it
and from the small controls below.
"""
import html
import io

import ipywidgets
import matplotlib.image
import torch
from IPython.display import display

from . import guard, viz

SEED_MAX = 2**31 - 1


def to_png(images, *, nrow=8, scale=None, height=224):
    """PNG bytes of (B, C, H, W) or (C, H, W) images in [-1, 1] (C = 1 or 3), as one grid.

    Several images are framed by white lines one pixel wide (``viz.grid``). Each pixel becomes a
    ``scale`` x ``scale`` block (nearest neighbour, so pixels stay sharp); by default the largest
    integer scale that keeps one image at most ``height`` pixels tall, and at least 1.
    """
    picture = viz.grid(images, nrow, padding=1)  # (C, H', W') in [0, 1]
    if scale is None:
        scale = max(1, height // images.shape[-2])
    guard.positive_int(scale, "scale")
    picture = picture.expand(3, -1, -1)  # grey images become RGB, as every PNG here is
    picture = picture.repeat_interleave(scale, dim=1).repeat_interleave(scale, dim=2)
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, (picture * 255).round().to(torch.uint8).permute(1, 2, 0).numpy(), format="png")
    return buffer.getvalue()


class Panel:
    """Controls bound to ``render``; one ``Image`` (and one caption line) redrawn in place.

    controls: {name: ipywidgets value widget (slider, dropdown, text box...)}.
    render(**values) returns images for ``to_png`` ((B, C, H, W) or (C, H, W) in [-1, 1]),
    or a pair (images, caption text). It runs once now, so that a broken render function fails
    in the cell that builds the widget, and again whenever a control's value changes; an error
    during an interaction is shown in the caption instead of disappearing into the log.
    Several panels may share controls (a main picture and a strip under it, say).
    """

    def __init__(self, render, controls, *, nrow=8, scale=None, height=224):
        guard.function(render, "render", "of the controls' values")
        if not isinstance(controls, dict) or not all(
                isinstance(k, str) and isinstance(c, ipywidgets.ValueWidget) for k, c in controls.items()):
            raise TypeError("controls must be a dict {name: ipywidgets value widget}, "
                            f"got {guard.describe(controls)}")
        self.render = render
        self.controls = controls
        self.png_options = dict(nrow=nrow, scale=scale, height=height)
        self.image = ipywidgets.Image(format="png")
        self.caption = ipywidgets.HTML()
        self.refresh()
        for control in controls.values():
            control.observe(self._changed, names="value")

    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self):
        """Render the current values into the image and the caption."""
        out = self.render(**self.values())
        images, text = out if isinstance(out, tuple) else (out, "")
        self.image.value = to_png(images, **self.png_options)
        self.caption.value = html.escape(str(text))

    def _changed(self, change):
        try:
            self.refresh()
        except Exception as error:  # shown where the student looks, not in the server log
            self.caption.value = (f'<span style="color:#b00">{html.escape(type(error).__name__)}: '
                                  f"{html.escape(str(error))}</span>")


class Widget:
    """What a widget function returns: its parts by name (for tests), displayed as ``box``."""

    def __init__(self, box, **parts):
        self.box = box
        self.__dict__.update(parts)

    def _ipython_display_(self):
        display(self.box)


def column(*children):
    """The widget's parts stacked top to bottom, each at its own width."""
    # flex-start: a column box would stretch each image to the output's full width
    return ipywidgets.VBox(layout=ipywidgets.Layout(align_items="flex-start"), children=list(children))


def latent(z_dim, seed):
    """The latent code of a seed: (z_dim,) standard normal, the same on every machine."""
    return torch.randn(z_dim, generator=torch.Generator().manual_seed(seed))


def seed_box(value, description):
    return ipywidgets.BoundedIntText(value=value, min=0, max=SEED_MAX, description=description,
                                     layout=ipywidgets.Layout(width="160px"))


def next_seed_button(box, description):
    """A button that steps the seed in ``box`` on by one."""
    button = ipywidgets.Button(description=description, layout=ipywidgets.Layout(width="80px"))
    button.on_click(lambda _: setattr(box, "value", (box.value + 1) % (SEED_MAX + 1)))
    return button


def seed_pair(seed, first, second):
    """Seed boxes for two codes (``seed`` and ``seed + 1``) and a "new" button for each:
    (box_first, box_second, new_first, new_second)."""
    box_1, box_2 = seed_box(seed, f"{first} seed"), seed_box(seed + 1, f"{second} seed")
    return box_1, box_2, next_seed_button(box_1, f"new {first}"), next_seed_button(box_2, f"new {second}")


def unit_slider(description, value):
    """A slider over [0, 1] in steps of 0.01 that updates while it is dragged."""
    return ipywidgets.FloatSlider(value=value, min=0.0, max=1.0, step=0.01, description=description,
                                  continuous_update=True, readout_format=".2f",
                                  layout=ipywidgets.Layout(width="480px"))
