import io

import matplotlib.image
import pytest
import torch

from course_lib import models, widgets
from course_lib.panel import latent, to_png

Z_DIM = 6


def lerp(z0, z1, t):
    return (1 - t) * z0 + t * z1


def halfway_home(z0, z1, t):  # any second method, different from lerp
    return lerp(z0, z1, t) * (1 - t * (1 - t))


def tiny_G(channels=1, size=8):
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(Z_DIM, channels * size * size),
        torch.nn.BatchNorm1d(channels * size * size),  # eval mode matters for a single z
        torch.nn.Tanh(),
        torch.nn.Unflatten(1, (channels, size, size)),
    )


def make(G=None, **kwargs):
    return widgets.interpolation(G or tiny_G(), Z_DIM, {"lerp": lerp, "halfway": halfway_home}, **kwargs)


def G_png(G, z):
    with models.evaluating(G):
        return to_png(G(z[None]))


def pixels(png):
    return matplotlib.image.imread(io.BytesIO(png))  # (H, W, channels) in [0, 1]


def test_t_zero_and_one_show_G_of_z0_and_z1_exactly():
    G = tiny_G()
    w = make(G, seed=5)
    w.slider.value = 0.0
    assert w.image.value == G_png(G, latent(Z_DIM, 5))
    w.slider.value = 1.0
    assert w.image.value == G_png(G, latent(Z_DIM, 6))


def test_slider_method_and_resampling_change_the_picture():
    w = make()
    seen = [w.image.value]
    w.slider.value = 0.2
    seen.append(w.image.value)
    w.method.value = "halfway"
    seen.append(w.image.value)
    path = w.path.value
    w.new_z0.click()
    seen.append(w.image.value)
    assert w.seed0.value == 1 and w.path.value != path
    w.seed1.value = 40
    seen.append(w.image.value)
    assert len(set(seen)) == len(seen)
    assert "halfway" in w.caption.value and "0.20" in w.caption.value


def test_the_slider_does_not_redraw_the_path():
    w = make()
    path = w.path.value
    w.slider.value = 0.9
    assert w.path.value == path


def test_rgb_images_and_training_flag_restored():
    G = tiny_G(channels=3, size=16)
    G.train()
    w = make(G)
    w.slider.value = 0.7
    assert G.training
    G.eval()
    w.slider.value = 0.1
    assert not G.training


def test_same_seed_same_picture():
    assert make(seed=3).image.value == make(seed=3).image.value


def test_an_error_during_interaction_shows_in_the_caption():
    def unfinished(z0, z1, t):
        raise NotImplementedError("write slerp first")

    w = widgets.interpolation(tiny_G(), Z_DIM, {"lerp": lerp, "slerp": unfinished})
    before = w.image.value
    w.method.value = "slerp"
    assert "NotImplementedError" in w.caption.value and "write slerp first" in w.caption.value
    assert w.image.value == before
    w.method.value = "lerp"
    w.slider.value = 0.3
    assert "Error" not in w.caption.value


@pytest.mark.parametrize("G, z_dim, methods, match", [
    (lambda z: z, Z_DIM, {"lerp": lerp}, "torch.nn.Module"),
    (None, 0, {"lerp": lerp}, "z_dim"),
    (None, Z_DIM, [lerp], "methods must be"),
    (None, Z_DIM, {}, "methods must be"),
    (None, Z_DIM, {"lerp": "lerp"}, "methods must be"),
    (None, Z_DIM, {"lerp": lambda z0, z1, t: z0[:2]}, r"shape \(6,\)"),
    (torch.nn.Linear(Z_DIM, 5), Z_DIM, {"lerp": lerp}, r"images of shape \(1, C, H, W\)"),
    (torch.nn.Sequential(torch.nn.Linear(Z_DIM, 32), torch.nn.Unflatten(1, (2, 4, 4))), Z_DIM,
     {"lerp": lerp}, "C = 1 or 3"),
])
def test_bad_input_is_refused_with_a_clear_error(G, z_dim, methods, match):
    with pytest.raises((TypeError, ValueError), match=match):
        widgets.interpolation(tiny_G() if G is None else G, z_dim, methods)


def test_bad_seed_is_refused():
    with pytest.raises(ValueError, match="seed"):
        make(seed=-1)


# --- the attack widget (notebook 09) ------------------------------------------------------------

def tiny_classifier():
    """Bright images are class 1, dark ones class 0: (B, 1, 8, 8) -> (B, 2) logits."""
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 2))
    with torch.no_grad():
        model[1].weight.copy_(torch.stack([-torch.ones(64), torch.ones(64)]) / 8)
        model[1].bias.zero_()
    return model


def brighten(model, x, y, eps):  # stands in for the notebook's FGSM, which course_lib must not hold
    assert torch.is_grad_enabled() and not model.training
    return (x + eps).clamp(-1, 1)


def make_attack(model=None, attack_fn=brighten, **kwargs):
    images = torch.stack([torch.full((1, 8, 8), -0.3), torch.full((1, 8, 8), 0.6), torch.full((1, 8, 8), -0.9)])
    return widgets.attack(model or tiny_classifier(), images, torch.tensor([0, 1, 0]), attack_fn, **kwargs)


def test_attack_at_eps_zero_shows_the_image_twice_and_no_perturbation():
    w = make_attack()
    x = torch.full((1, 1, 8, 8), -0.3)
    assert w.image.value == to_png(torch.cat([x, torch.zeros_like(x), x]), nrow=3, height=168)
    assert "true label 0" in w.caption.value and "clean: 0" in w.caption.value and "still right" in w.caption.value


def test_attack_slider_fools_the_model_and_says_so():
    w = make_attack(eps_max=1.0)
    before = w.image.value
    w.slider.value = 0.5  # -0.3 + 0.5 > 0: now class 1
    assert w.image.value != before
    assert "adversarial: 1" in w.caption.value and "fooled" in w.caption.value
    assert "0.500" in w.caption.value
    pixels_now = pixels(w.image.value)
    assert pixels_now[84, 84 + 168 + 1, 0] == 1.0  # the perturbation, scaled to its largest entry: white
    w.index.value = 2  # dark: class 0, and -0.9 + 0.5 is still dark
    assert "adversarial: 0" in w.caption.value and "still right" in w.caption.value
    w.slider.value = 1.0
    assert "fooled" in w.caption.value
    w.index.value = 1  # bright, class 1, and brightening keeps it so
    assert "still right" in w.caption.value


def test_attack_says_when_the_clean_image_is_wrong_already():
    w = widgets.attack(tiny_classifier(), torch.full((1, 1, 8, 8), 0.5), torch.tensor([0]), brighten)
    assert "clean: 1" in w.caption.value and "wrong even without the attack" in w.caption.value


def test_attack_image_box_and_next_button_change_the_picture():
    w = make_attack()
    seen = [w.image.value]
    w.next.click()
    seen.append(w.image.value)
    assert w.index.value == 1 and "true label 1" in w.caption.value
    w.index.value = 2
    seen.append(w.image.value)
    w.next.click()
    assert w.index.value == 0 and w.image.value == seen[0]
    assert len(set(seen)) == 3


def test_attack_restores_the_training_flag_and_touches_no_weights():
    model = tiny_classifier()
    model.train()
    w = make_attack(model)
    w.slider.value = 0.2
    assert model.training and all(p.grad is None for p in model.parameters())


def test_attack_errors_during_interaction_show_in_the_caption():
    def unfinished(model, x, y, eps):
        if eps > 0:
            raise NotImplementedError("write fgsm first")
        return x

    w = make_attack(attack_fn=unfinished)
    w.slider.value = 0.1
    assert "NotImplementedError" in w.caption.value and "write fgsm first" in w.caption.value
    with pytest.raises(ValueError, match=r"x_adv of shape \(1, 1, 8, 8\)"):
        make_attack(attack_fn=lambda model, x, y, eps: x[0])


@pytest.mark.parametrize("change, match", [
    (dict(model=lambda x: x), "torch.nn.Module"),
    (dict(images=torch.zeros(3, 2, 8, 8)), "C = 1 or 3"),
    (dict(images=torch.zeros(3, 64)), "4 dimensions"),
    (dict(labels=torch.tensor([0, 1])), "labels must have shape"),
    (dict(labels=torch.tensor([0, 1, 0], dtype=torch.int32)), "int64"),
    (dict(attack_fn="fgsm"), "attack_fn"),
    (dict(eps_max=0.0), "eps_max"),
])
def test_attack_refuses_bad_input(change, match):
    args = dict(model=tiny_classifier(), images=torch.zeros(3, 1, 8, 8), labels=torch.tensor([0, 1, 0]),
                attack_fn=brighten)
    args.update(change)
    eps_max = args.pop("eps_max", 0.3)
    with pytest.raises((TypeError, ValueError), match=match):
        widgets.attack(args["model"], args["images"], args["labels"], args["attack_fn"], eps_max=eps_max)


# --- style mixing ------------------------------------------------------------------------------

W_DIM, N_LAYERS = 5, 4


class TinyStyleG(torch.nn.Module):
    """A stand-in for a style-based generator: z (B, 6) -> w (B, 5); L = 4 codes -> (B, 1, 8, 8) images."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.z_dim, self.n_layers = Z_DIM, N_LAYERS
        self.mapping = torch.nn.Linear(Z_DIM, W_DIM)
        self.register_buffer("w_avg", torch.randn(W_DIM))
        self.to_pixels = torch.nn.Linear(N_LAYERS * W_DIM, 64)
        self.dropout = torch.nn.Dropout(0.5)  # eval mode matters

    def synthesis(self, ws):  # (B, L, W_DIM) -> (B, 1, 8, 8), with layer noise like StyleGAN's
        x = self.to_pixels(self.dropout(ws.flatten(1))) + 0.3 * torch.randn(ws.shape[0], 64)
        return torch.tanh(x).view(-1, 1, 8, 8)


def mix(w1, w2, k, n_layers):  # stands in for the notebook's mix_styles, which course_lib must not hold
    from_w1 = (torch.arange(n_layers) < k)[None, :, None]
    return torch.where(from_w1, w1[:, None], w2[:, None])


def shrink(w, w_avg, psi):  # stands in for the notebook's truncate
    return w_avg + psi * (w - w_avg)


def make_mixing(G=None, mix_fn=mix, truncate_fn=shrink, **kwargs):
    return widgets.style_mixing(G or TinyStyleG(), mix_fn, truncate_fn, **kwargs)


def styled(G, ws):
    """G's image for a stack of codes (1, L, W_DIM), with the widget's noise."""
    with models.evaluating(G), torch.random.fork_rng():
        torch.manual_seed(widgets.NOISE_SEED)
        return G.synthesis(ws)


def expected_png(G, w_a, w_mix, w_b):
    return to_png(torch.cat([styled(G, w) for w in (w_a, w_mix, w_b)]), nrow=3, height=168)


def test_crossover_at_either_end_shows_one_code_only():
    G = TinyStyleG()
    w = make_mixing(G, seed=4)
    with torch.no_grad():
        w_a, w_b = (G.mapping(latent(Z_DIM, s)[None])[:, None].expand(1, N_LAYERS, W_DIM) for s in (4, 5))
    w.crossover.value = N_LAYERS
    assert w.image.value == expected_png(G, w_a, w_a, w_b)
    assert "every layer from A" in w.caption.value
    w.crossover.value = 0
    assert w.image.value == expected_png(G, w_a, w_b, w_b)
    assert "every layer from B" in w.caption.value
    w.crossover.value = 1
    mixed = torch.cat([w_a[:, :1], w_b[:, 1:]], 1)
    assert w.image.value == expected_png(G, w_a, mixed, w_b)
    assert "layers 0-0 from A, 1-3 from B" in w.caption.value


def test_psi_zero_gives_the_average_image_three_times():
    G = TinyStyleG()
    w = make_mixing(G)
    w.psi.value = 0.0
    average = G.w_avg[None, None].expand(1, N_LAYERS, W_DIM)
    assert w.image.value == expected_png(G, average, average, average)
    assert "psi = 0.00" in w.caption.value


def test_sliders_seeds_and_buttons_change_the_picture():
    w = make_mixing()
    seen = [w.image.value]
    for act in (lambda: setattr(w.crossover, "value", 1), lambda: setattr(w.psi, "value", 0.5),
                lambda: w.new_a.click(), lambda: w.new_b.click(), lambda: setattr(w.seed_a, "value", 40)):
        act()
        assert w.image.value not in seen
        seen.append(w.image.value)
    assert make_mixing(seed=3).image.value == make_mixing(seed=3).image.value


def test_style_mixing_leaves_random_state_and_training_flag_alone():
    G = TinyStyleG()
    G.train()
    state = torch.get_rng_state()
    w = make_mixing(G)
    w.psi.value = 0.3
    assert torch.equal(torch.get_rng_state(), state) and G.training


def test_style_mixing_errors_during_interaction_show_in_the_caption():
    def unfinished(w1, w2, k, n_layers):
        if k != N_LAYERS // 2:
            raise NotImplementedError("write mix_styles first")
        return mix(w1, w2, k, n_layers)

    w = make_mixing(mix_fn=unfinished)
    before = w.image.value
    w.crossover.value = 0
    assert "NotImplementedError" in w.caption.value and "write mix_styles first" in w.caption.value
    assert w.image.value == before
    with pytest.raises(ValueError, match=r"shape \(1, 4, 5\)"):
        make_mixing(mix_fn=lambda w1, w2, k, n: w1)
    with pytest.raises(ValueError, match=r"truncate.*shape \(2, 5\)"):
        make_mixing(truncate_fn=lambda w, w_avg, psi: w_avg)


@pytest.mark.parametrize("change, match", [
    (dict(G=torch.nn.Linear(Z_DIM, 5)), "lacks mapping, synthesis, w_avg, z_dim, n_layers"),
    (dict(mix_fn="mix"), "mix must be a function"),
    (dict(truncate_fn=None), "truncate must be a function"),
    (dict(seed=-2), "seed"),
    (dict(psi=2.0), "psi"),
])
def test_style_mixing_refuses_bad_input(change, match):
    with pytest.raises((TypeError, ValueError), match=match):
        make_mixing(**change)


def test_style_mixing_checks_the_generators_parts():
    G = TinyStyleG()
    G.n_layers = 0
    with pytest.raises(ValueError, match="G.n_layers"):
        make_mixing(G)
    G = TinyStyleG()
    G.synthesis = lambda ws: torch.zeros(1, 2, 8, 8)
    with pytest.raises(ValueError, match="C = 1 or 3"):
        make_mixing(G)


# --- the conditional widget (notebook 04) -------------------------------------------------------

class TinyConditionalG(torch.nn.Module):
    """G(z, y): (B, Z_DIM) noise and (B,) labels -> (B, 1, 8, 8), the label as a learned shift."""

    def __init__(self, num_classes=4):
        super().__init__()
        self.embed = torch.nn.Embedding(num_classes, Z_DIM)
        self.net = tiny_G()

    def forward(self, z, y):
        return self.net(z + 3 * self.embed(y))


def make_conditional(G=None, **kwargs):
    return widgets.conditional(G or TinyConditionalG(), Z_DIM, 4, **kwargs)


def test_conditional_shows_G_of_z0_then_z1_with_the_chosen_class():
    G = TinyConditionalG()
    w = make_conditional(G, seed=5)
    with models.evaluating(G):
        want = [to_png(G(latent(Z_DIM, s)[None], torch.tensor([y]))) for s, y in ((5, 0), (6, 2))]
    assert w.image.value == want[0] and "class 0" in w.caption.value
    w.slider.value = 1.0
    w.classes.value = 2
    assert w.image.value == want[1] and "class 2" in w.caption.value and "t = 1.00" in w.caption.value


def test_conditional_walk_keeps_the_norm_of_equal_norm_codes_on_the_circle():
    w = make_conditional()
    z0, z1 = latent(Z_DIM, 0), latent(Z_DIM, 1)
    w.slider.value = 0.5
    want = (z0 + z1) / 2 ** 0.5  # cos(pi/4) z0 + sin(pi/4) z1
    assert f"|z_t| = {want.norm():.2f}" in w.caption.value


def test_conditional_strip_shows_every_class_for_one_z():
    G = TinyConditionalG()
    w = make_conditional(G, seed=2)
    with models.evaluating(G):
        want = to_png(G(latent(Z_DIM, 2).expand(4, Z_DIM), torch.arange(4)), nrow=4, height=48)
    assert w.strip.value == want
    strip = w.strip.value
    w.classes.value = 3  # the class picks the main picture only
    assert w.strip.value == strip
    w.slider.value = 0.4
    assert w.strip.value != strip


def test_conditional_controls_change_the_picture():
    w = make_conditional()
    assert [b for b in w.classes.options] == [("0", 0), ("1", 1), ("2", 2), ("3", 3)]
    seen = [w.image.value]
    w.slider.value = 0.3
    seen.append(w.image.value)
    w.classes.value = 1
    seen.append(w.image.value)
    w.new_z0.click()
    seen.append(w.image.value)
    w.new_z1.click()
    seen.append(w.image.value)
    assert (w.seed0.value, w.seed1.value) == (1, 2) and len(set(seen)) == len(seen)


def test_conditional_restores_the_training_flag_and_shows_errors_in_the_caption():
    G = TinyConditionalG()
    G.train()
    w = make_conditional(G)
    w.slider.value = 0.6
    assert G.training
    G.forward = lambda z, y: z  # not images
    w.classes.value = 1
    assert "ValueError" in w.caption.value and "images of shape" in w.caption.value


@pytest.mark.parametrize("change, match", [
    (dict(G=lambda z, y: z), "torch.nn.Module"),
    (dict(z_dim=0), "z_dim"),
    (dict(num_classes=2.5), "num_classes"),
    (dict(seed=-1), "seed"),
    (dict(G=torch.nn.Linear(Z_DIM, 5)), "forward"),
])
def test_conditional_refuses_bad_input(change, match):
    args = dict(G=TinyConditionalG(), z_dim=Z_DIM, num_classes=4)
    args.update(change)
    seed = args.pop("seed", 0)
    with pytest.raises((TypeError, ValueError), match=match):
        widgets.conditional(args["G"], args["z_dim"], args["num_classes"], seed=seed)


# --- the fade-in widget (notebook 07) -----------------------------------------------------------

class TinyGrowing(torch.nn.Module):
    """A growing generator: z -> 2x2 features; stage s doubles them s times; one toRGB per stage."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.trunk = torch.nn.Sequential(torch.nn.Linear(Z_DIM, 4 * 4), torch.nn.Unflatten(1, (4, 2, 2)))
        self.blocks = torch.nn.ModuleList(torch.nn.Conv2d(4, 4, 3, padding=1) for _ in range(2))
        self.to_rgb = torch.nn.ModuleList(torch.nn.Conv2d(4, 1, 1) for _ in range(3))
        self.dropout = torch.nn.Dropout(0.9)  # eval mode matters


def up(x):
    return torch.nn.functional.interpolate(x, scale_factor=2)


def grow(G, z, stage, alpha):  # stands in for the notebook's transition, which course_lib must not hold
    h = G.dropout(G.trunk(z))
    for block in G.blocks[:stage - 1]:
        h = block(up(h))
    old, new = up(G.to_rgb[stage - 1](h)), G.to_rgb[stage](G.blocks[stage - 1](up(h)))
    return torch.tanh((1 - alpha) * old + alpha * new)


def make_fade(forward=grow, **kwargs):
    G = TinyGrowing()
    return widgets.fade(forward, Z_DIM, {"2 → 4": (G, 1), "4 → 8": (G, 2)}, **kwargs), G


def test_fade_shows_the_old_path_the_blend_and_the_new_block():
    w, G = make_fade(seed=3)
    z = latent(Z_DIM, 3)[None]
    G.eval()
    with torch.no_grad():
        old, new = grow(G, z, 1, 0.0), grow(G, z, 1, 1.0)
        for alpha in (0.0, 1.0, 0.3):
            w.slider.value = alpha
            want = torch.cat([old, grow(G, z, 1, alpha), new])
            assert w.image.value == to_png(want, nrow=3, height=160)
    assert "α = 0.30" in w.caption.value and "4×4" in w.caption.value


def test_fade_slider_transition_and_new_z_change_the_picture():
    w, G = make_fade()
    G.train()
    seen = [w.image.value]
    w.slider.value = 0.9
    seen.append(w.image.value)
    w.transition.value = "4 → 8"
    seen.append(w.image.value)
    assert "8×8" in w.caption.value
    w.new_z.click()
    seen.append(w.image.value)
    assert w.seed.value == 1 and len(set(seen)) == len(seen) and G.training


def test_fade_errors_during_interaction_show_in_the_caption():
    def unfinished(G, z, stage, alpha):
        if 0.5 < alpha < 1.0:
            raise NotImplementedError("write the fade-in first")
        return grow(G, z, stage, alpha)

    w, _ = make_fade(unfinished)
    before = w.image.value
    w.slider.value = 0.8
    assert "NotImplementedError" in w.caption.value and w.image.value == before
    with pytest.raises(ValueError, match=r"images of shape \(1, C, H, W\)"):
        make_fade(lambda G, z, stage, alpha: z)


@pytest.mark.parametrize("forward, z_dim, transitions, seed, match", [
    ("grow", Z_DIM, None, 0, "forward must be"),
    (grow, 0, None, 0, "z_dim"),
    (grow, Z_DIM, {}, 0, "transitions must be"),
    (grow, Z_DIM, {"2 → 4": (lambda z: z, 1)}, 0, "transitions must be"),
    (grow, Z_DIM, {"2 → 4": ("G", 0)}, 0, "transitions must be"),
    (grow, Z_DIM, None, -1, "seed"),
])
def test_fade_refuses_bad_input(forward, z_dim, transitions, seed, match):
    if transitions is None:
        transitions = {"2 → 4": (TinyGrowing(), 1)}
    transitions = {k: (TinyGrowing() if v[0] == "G" else v[0], v[1]) for k, v in transitions.items()}
    with pytest.raises((TypeError, ValueError), match=match):
        widgets.fade(forward, z_dim, transitions, seed=seed)
