import io

import ipywidgets
import matplotlib.image
import pytest
import torch

from course_lib import panel


def pixels(png):
    return matplotlib.image.imread(io.BytesIO(png))  # (H, W, channels) in [0, 1]


def test_to_png_upscales_and_keeps_pixels_sharp():
    x = torch.tensor([[[-1.0, 1.0], [0.0, 1.0]]])  # (1, 2, 2)
    one = pixels(panel.to_png(x, scale=3))
    assert one.shape[:2] == (6, 6)
    assert one[0, 0, 0] == 0 and one[2, 2, 0] == 0 and one[0, 3, 0] == 1 and one[3, 0, 0] == 128 / 255
    two = pixels(panel.to_png(torch.stack([x, -x]), scale=3))
    assert two.shape[:2] == (3 * (1 + 2 + 1), 3 * (1 + 2 + 1 + 2 + 1))  # white gaps of one pixel, scaled
    assert (two[0] == 1).all()


def test_to_png_default_scale_makes_a_small_digit_large():
    assert pixels(panel.to_png(torch.zeros(1, 28, 28))).shape[:2] == (224, 224)
    assert pixels(panel.to_png(torch.zeros(3, 64, 64))).shape[:2] == (192, 192)


@pytest.mark.parametrize("bad", [torch.zeros(2, 2, 4, 4), torch.zeros(4, 4), torch.zeros(0, 1, 4, 4), [0.0]])
def test_to_png_refuses_what_is_not_an_image(bad):
    with pytest.raises((TypeError, ValueError)):
        panel.to_png(bad)


def test_panel_is_a_reusable_core():
    alpha = ipywidgets.FloatSlider(value=0.0, min=0.0, max=1.0)
    shown = panel.Panel(lambda alpha: (torch.full((1, 4, 4), 2 * alpha - 1), f"alpha {alpha}"),
                        {"alpha": alpha})
    first = shown.image.value
    alpha.value = 1.0
    assert shown.image.value != first and shown.caption.value == "alpha 1.0"
    with pytest.raises(TypeError, match="controls"):
        panel.Panel(lambda: None, {"alpha": 0.5})
    with pytest.raises(TypeError, match="render"):
        panel.Panel(None, {})


def test_seed_buttons_step_their_box_on_and_wrap_around():
    box_1, box_2, new_1, new_2 = panel.seed_pair(panel.SEED_MAX - 1, "z0", "z1")
    assert (box_1.value, box_2.value) == (panel.SEED_MAX - 1, panel.SEED_MAX)
    new_2.click()
    new_1.click()
    assert (box_1.value, box_2.value) == (panel.SEED_MAX, 0)


def test_latent_is_the_same_for_a_seed_and_standard_normal():
    assert torch.equal(panel.latent(5, 3), panel.latent(5, 3))
    assert not torch.equal(panel.latent(5, 3), panel.latent(5, 4))
    z = panel.latent(100_000, 0)
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
