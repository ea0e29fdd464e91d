"""The notebooks' widgets: sliders and buttons that redraw one picture in place.

One builder per notebook: ``interpolation`` (02), ``conditional`` (04), ``fade`` (07),
``style_mixing`` (08) and ``attack`` (09). Each takes the notebook's own functions (``slerp``,
``mix_styles``, the fade-in forward pass...) as arguments, so the library never holds an answer.
They are built on ``panel`` (controls bound to one image redrawn in place), and their pictures
come from ``models.generate`` in eval mode, so a widget can sit between two training cells.
"""
import ipywidgets
import torch

from . import guard, models, runtime
from .panel import SEED_MAX, Panel, Widget, column, latent, next_seed_button, seed_box, seed_pair, unit_slider


def interpolation(G, z_dim, methods, *, seed=0, steps=9):
    """Walk from G(z0) to G(z1) with a slider t, comparing interpolation methods.

    G: a module mapping (B, z_dim) noise to (B, C, H, W) images in [-1, 1], C = 1 or 3.
    methods: {name: f}, each f(z0, z1, t) -> z_t for z0, z1 of shape (z_dim,) and t in [0, 1].
    z0 and z1 come from two seed boxes (``seed`` and ``seed + 1`` to start); the "new" buttons
    step a seed on. Under the picture of G(z_t), a strip shows the path at ``steps`` values of t.
    Returns a Widget with parts ``slider``, ``method``, ``seed0``, ``seed1``, ``new_z0``, ``new_z1``,
    ``image``, ``path``, ``caption``.
    """
    guard.module(G, "G")
    guard.positive_int(z_dim, "z_dim")
    if not isinstance(methods, dict) or not methods or not all(
            isinstance(k, str) and callable(f) for k, f in methods.items()):
        raise TypeError("methods must be a non-empty dict {name: f(z0, z1, t)} of functions, "
                        f"got {guard.describe(methods)}")
    guard.int_range(seed, "seed", 0, SEED_MAX)
    guard.positive_int(steps, "steps")

    def z_at(method, seed0, seed1, t):
        z = methods[method](latent(z_dim, seed0), latent(z_dim, seed1), float(t))
        if not isinstance(z, torch.Tensor) or tuple(z.shape) != (z_dim,):
            raise ValueError(f"{method}(z0, z1, t) must return a tensor of shape ({z_dim},) for z0, z1 "
                             f"of shape ({z_dim},), got {guard.describe(z)}")
        return z

    def picture(method, seed0, seed1, t):
        z = z_at(method, seed0, seed1, t)
        return models.generate(G, z[None]), f"{method}, t = {t:.2f}, |z_t| = {z.norm():.2f}"

    def path(method, seed0, seed1):
        ts = torch.linspace(0, 1, steps).tolist()
        return models.generate(G, torch.stack([z_at(method, seed0, seed1, t) for t in ts]))

    slider = unit_slider("t", 0.5)
    method = ipywidgets.ToggleButtons(options=list(methods), description="method")
    seed0, seed1, new_z0, new_z1 = seed_pair(seed, "z0", "z1")
    choice = dict(method=method, seed0=seed0, seed1=seed1)
    main = Panel(picture, dict(choice, t=slider))
    strip = Panel(path, choice, nrow=steps, height=64)
    box = column(
        ipywidgets.HBox([seed0, new_z0, seed1, new_z1]), method, slider,
        main.image, main.caption, ipywidgets.HTML(f"the path at {steps} values of t from 0 to 1:"),
        strip.image, strip.caption,
    )
    return Widget(box, slider=slider, method=method, seed0=seed0, seed1=seed1, new_z0=new_z0, new_z1=new_z1,
                  image=main.image, path=strip.image, caption=main.caption)


def attack(model, images, labels, attack_fn, *, eps_max=0.3, eps_step=0.005, eps_label="ε"):
    """An ε slider over an attack on a classifier: the image, the perturbation, the prediction.

    model: a module mapping (B, C, H, W) images in [-1, 1] to (B, K) class logits.
    images: (N, C, H, W) in [-1, 1], C = 1 or 3; labels: (N,) int64 class indices.
    attack_fn(model, x, y, eps) -> x_adv: the attack to show (the notebook's own), for x of shape
    (1, C, H, W) and y of shape (1,); eps is the slider's value, passed on as it is.
    The picture shows x, the perturbation x_adv - x (grey is 0; scaled so that its largest entry
    is black or white) and x_adv; the caption gives both predictions with their confidence.
    A box picks the image, and "next" steps it on.
    Returns a Widget with parts ``slider``, ``index``, ``next``, ``image``, ``caption``.
    """
    guard.module(model, "model")
    guard.tensor(images, "images", ndim=4)
    if images.shape[0] == 0 or images.shape[1] not in (1, 3):
        raise ValueError(f"images must have shape (N, C, H, W) with N >= 1 and C = 1 or 3, "
                         f"got {guard.describe(images)}")
    guard.tensor(labels, "labels", shape=(images.shape[0],), floating=False)
    if labels.dtype != torch.int64:
        raise TypeError(f"labels must be int64 class indices, got {guard.describe(labels)}")
    guard.function(attack_fn, "attack_fn", "(model, x, y, eps) -> x_adv")
    guard.positive(eps_max, "eps_max")
    guard.positive(eps_step, "eps_step")
    device = runtime.device_of(model)

    def predict(x):
        probs = torch.softmax(model(x).detach(), dim=1)[0]  # (K,)
        return probs.argmax().item(), probs.max().item()

    def picture(eps, index):
        x, y = images[index:index + 1].to(device), labels[index:index + 1].to(device)
        with models.evaluating(model, gradients=True):  # the attack needs the input's gradient
            x_adv = attack_fn(model, x, y, eps)
            if not isinstance(x_adv, torch.Tensor) or x_adv.shape != x.shape:
                raise ValueError(f"attack_fn must return x_adv of shape {tuple(x.shape)}, got {guard.describe(x_adv)}")
            x_adv = x_adv.detach()
            (pred, conf), (pred_adv, conf_adv) = predict(x), predict(x_adv)
        delta = x_adv - x
        largest = delta.abs().max()
        shown = delta / largest if largest > 0 else delta  # in [-1, 1], grey at 0
        verdict = ("still right" if pred_adv == y.item() else "fooled" if pred == y.item()
                   else "wrong even without the attack")
        text = (f"{eps_label} = {eps:.3f} | true label {y.item()} | clean: {pred} ({conf:.1%}) | "
                f"adversarial: {pred_adv} ({conf_adv:.1%}), {verdict}")
        return torch.cat([x, shown, x_adv]).cpu(), text

    slider = ipywidgets.FloatSlider(value=0.0, min=0.0, max=eps_max, step=eps_step, description=eps_label,
                                    continuous_update=True, readout_format=".3f",
                                    layout=ipywidgets.Layout(width="480px"))
    index = ipywidgets.BoundedIntText(value=0, min=0, max=images.shape[0] - 1, description="image",
                                      layout=ipywidgets.Layout(width="160px"))
    next_image = ipywidgets.Button(description="next", layout=ipywidgets.Layout(width="80px"))
    next_image.on_click(lambda _: setattr(index, "value", (index.value + 1) % images.shape[0]))
    panel = Panel(picture, dict(eps=slider, index=index), nrow=3, height=168)
    box = column(
        ipywidgets.HBox([index, next_image]), slider,
        ipywidgets.HTML("the image, the perturbation (grey is 0), the adversarial image:"),
        panel.image, panel.caption,
    )
    return Widget(box, slider=slider, index=index, next=next_image, image=panel.image, caption=panel.caption)


NOISE_SEED = 0  # style_mixing draws the same layer noise for every picture


def _style_generator(G):
    """Check that G has the parts a style-based generator needs; return (z_dim, n_layers)."""
    guard.module(G, "G")
    missing = [name for name in ("mapping", "synthesis", "w_avg", "z_dim", "n_layers") if not hasattr(G, name)]
    if missing:
        raise TypeError(f"G must have mapping, synthesis, w_avg, z_dim and n_layers (a style-based generator); "
                        f"{type(G).__name__} lacks {', '.join(missing)}")
    if not (callable(G.mapping) and callable(G.synthesis)):
        raise TypeError("G.mapping and G.synthesis must be modules or functions")
    guard.tensor(G.w_avg, "G.w_avg", ndim=1)
    return guard.positive_int(G.z_dim, "G.z_dim"), guard.positive_int(G.n_layers, "G.n_layers")


def style_mixing(G, mix, truncate, *, seed=0, psi=1.0):
    """Mix the styles of two codes A and B with a crossover slider k; truncate both with a slider psi.

    G: a style-based generator, with ``mapping`` ((B, z_dim) codes z -> (B, w_dim) codes w),
    ``synthesis`` ((B, L, w_dim) stacks of per-layer codes -> (B, C, H, W) images in [-1, 1],
    C = 1 or 3), ``w_avg`` ((w_dim,) the average code) and the ints ``z_dim`` and ``n_layers`` (L).
    mix(w1, w2, k, L) -> (B, L, w_dim): layers [0, k) from w1, the others from w2.
    truncate(w, w_avg, psi) -> w_avg + psi (w - w_avg), of the shape of w.
    Both are the notebook's own. The picture shows A, the mix (coarse layers from A, fine from B)
    and B, from truncated codes; all three get the same layer noise, so only their styles differ.
    The seed boxes pick z_A and z_B (``seed`` and ``seed + 1`` to start); "new" steps one on.
    Returns a Widget with parts ``crossover``, ``psi``, ``seed_a``, ``seed_b``, ``new_a``, ``new_b``,
    ``image``, ``caption``.
    """
    z_dim, n_layers = _style_generator(G)
    guard.function(mix, "mix", "(w1, w2, k, n_layers) -> (B, L, w_dim)")
    guard.function(truncate, "truncate", "(w, w_avg, psi) -> w'")
    guard.int_range(seed, "seed", 0, SEED_MAX)
    if isinstance(psi, bool) or not isinstance(psi, (int, float)) or not -1 <= psi <= 1.5:
        raise ValueError(f"psi must be a number in [-1, 1.5], got {guard.describe(psi)}")

    def synthesize(ws):
        with models.fixed_noise(NOISE_SEED, ws.device):  # the same layer noise for every image
            x = G.synthesis(ws)
        if not isinstance(x, torch.Tensor) or x.dim() != 4 or x.shape[0] != 1 or x.shape[1] not in (1, 3):
            raise ValueError(f"G.synthesis must map codes of shape {tuple(ws.shape)} to images (1, C, H, W) "
                             f"with C = 1 or 3, got {guard.describe(x)}")
        return x.cpu()

    def picture(k, psi, seed_a, seed_b):
        with models.evaluating(G):
            w_avg = G.w_avg
            z = torch.stack([latent(z_dim, seed_a), latent(z_dim, seed_b)]).to(w_avg.device)  # (2, z_dim)
            w = truncate(G.mapping(z), w_avg, psi)  # (2, w_dim)
            if not isinstance(w, torch.Tensor) or tuple(w.shape) != (2, w_avg.shape[0]):
                raise ValueError(f"truncate(w, w_avg, psi) must return codes of shape (2, {w_avg.shape[0]}) for "
                                 f"w of that shape, got {guard.describe(w)}")
            w_a, w_b = w[:1], w[1:]
            mixed = mix(w_a, w_b, k, n_layers)
            if not isinstance(mixed, torch.Tensor) or tuple(mixed.shape) != (1, n_layers, w.shape[1]):
                raise ValueError(f"mix(w1, w2, k, {n_layers}) must return a stack of shape "
                                 f"(1, {n_layers}, {w.shape[1]}) for codes of shape (1, {w.shape[1]}), "
                                 f"got {guard.describe(mixed)}")
            images = [synthesize(v) for v in (w_a[:, None].expand(1, n_layers, -1), mixed,
                                                w_b[:, None].expand(1, n_layers, -1))]
        split = ("every layer from B" if k == 0 else "every layer from A" if k == n_layers
                 else f"layers 0-{k - 1} from A, {k}-{n_layers - 1} from B")
        return torch.cat(images), f"A | mix | B: k = {k}, {split} | psi = {psi:.2f}"

    crossover = ipywidgets.IntSlider(value=n_layers // 2, min=0, max=n_layers, step=1, description="k",
                                     continuous_update=True, layout=ipywidgets.Layout(width="480px"))
    psi_slider = ipywidgets.FloatSlider(value=float(psi), min=-1.0, max=1.5, step=0.05, description="ψ",
                                        continuous_update=True, readout_format=".2f",
                                        layout=ipywidgets.Layout(width="480px"))
    seed_a, seed_b, new_a, new_b = seed_pair(seed, "A", "B")
    panel = Panel(picture, dict(k=crossover, psi=psi_slider, seed_a=seed_a, seed_b=seed_b), nrow=3, height=168)
    box = column(
        ipywidgets.HBox([seed_a, new_a, seed_b, new_b]), crossover, psi_slider,
        ipywidgets.HTML("A, the mix (layers below k from A, the others from B), B:"),
        panel.image, panel.caption,
    )
    return Widget(box, crossover=crossover, psi=psi_slider, seed_a=seed_a, seed_b=seed_b, new_a=new_a, new_b=new_b,
                  image=panel.image, caption=panel.caption)


def conditional(G, z_dim, num_classes, *, seed=0):
    """Pick a class and walk the noise of a conditional generator G(z, y).

    G: a module mapping noise (B, z_dim) and labels (B,) int64 to (B, C, H, W) images in [-1, 1].
    num_classes: K; the class buttons pick the label y in 0 .. K-1.
    The slider t walks z_t = cos(pi t / 2) z0 + sin(pi t / 2) z1 between the codes of two seeds
    (``seed`` and ``seed + 1`` to start; the "new" buttons step a seed on). For independent
    standard normal z0 and z1, every z_t is standard normal too (cos^2 + sin^2 = 1), so the walk
    stays where G's training noise lives. Under the picture of G(z_t, y), a strip shows
    G(z_t, k) for every class k: one noise, each label.
    Returns a Widget with parts ``classes``, ``slider``, ``seed0``, ``seed1``, ``new_z0``, ``new_z1``,
    ``image``, ``strip``, ``caption``.
    """
    guard.module(G, "G")
    guard.positive_int(z_dim, "z_dim")
    guard.positive_int(num_classes, "num_classes")
    guard.int_range(seed, "seed", 0, SEED_MAX)

    def z_at(seed0, seed1, t):
        angle = torch.tensor(torch.pi / 2 * t)
        return torch.cos(angle) * latent(z_dim, seed0) + torch.sin(angle) * latent(z_dim, seed1)  # (z_dim,)

    def picture(y, seed0, seed1, t):
        z = z_at(seed0, seed1, t)
        return models.generate(G, z[None], torch.tensor([y])), f"class {y}, t = {t:.2f}, |z_t| = {z.norm():.2f}"

    def strip(seed0, seed1, t):
        z = z_at(seed0, seed1, t)
        return models.generate(G, z.expand(num_classes, z_dim), torch.arange(num_classes))

    classes = ipywidgets.ToggleButtons(options=[(str(k), k) for k in range(num_classes)], value=0,
                                       description="class", style={"button_width": "36px"})
    slider = unit_slider("t", 0.0)
    seed0, seed1, new_z0, new_z1 = seed_pair(seed, "z0", "z1")
    noise = dict(seed0=seed0, seed1=seed1, t=slider)
    main = Panel(picture, dict(noise, y=classes))
    row = Panel(strip, noise, nrow=num_classes, height=48)
    box = column(
        ipywidgets.HBox([seed0, new_z0, seed1, new_z1]), classes, slider,
        main.image, main.caption, ipywidgets.HTML(f"the same z_t with each of the {num_classes} labels:"),
        row.image, row.caption,
    )
    return Widget(box, classes=classes, slider=slider, seed0=seed0, seed1=seed1, new_z0=new_z0, new_z1=new_z1,
                  image=main.image, strip=row.image, caption=main.caption)


def fade(forward, z_dim, transitions, *, seed=0):
    """An α slider through the fade-in of a growing generator (progressive growing, notebook 07).

    forward(G, z, stage, alpha) -> images: the notebook's own transition forward pass, mapping
    z of shape (B, z_dim) to (B, C, H, W) images in [-1, 1] (C = 1 or 3) at the resolution of
    ``stage``, blending the upsampled old path (alpha = 0) with the new block (alpha = 1).
    transitions: {name: (G, stage)}, e.g. {"8 → 16": (G_at_16, 2)}: the generator to show, and
    the stage (>= 1) it grows into. A toggle picks the transition when there are several.
    One code z comes from a seed box (``seed`` to start); "new z" steps it on. The picture shows
    the old path, the blend at the slider's α and the new block, side by side.
    Returns a Widget with parts ``slider``, ``transition``, ``seed``, ``new_z``, ``image``, ``caption``.
    """
    guard.function(forward, "forward", "(G, z, stage, alpha) -> images")
    guard.positive_int(z_dim, "z_dim")
    if not isinstance(transitions, dict) or not transitions or not all(
            isinstance(k, str) and isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], torch.nn.Module)
            and isinstance(v[1], int) and not isinstance(v[1], bool) and v[1] >= 1
            for k, v in transitions.items()):
        raise TypeError("transitions must be a non-empty dict {name: (G, stage)} with G a torch.nn.Module "
                        f"and stage an int >= 1, got {guard.describe(transitions)}")
    guard.int_range(seed, "seed", 0, SEED_MAX)

    def images(G, stage, z, alpha):
        with models.evaluating(G):
            x = forward(G, z.to(runtime.device_of(G)), stage, alpha)
        if not isinstance(x, torch.Tensor) or x.dim() != 4 or x.shape[0] != 1 or x.shape[1] not in (1, 3):
            raise ValueError(f"forward must map z of shape (1, {z_dim}) to images of shape (1, C, H, W) "
                             f"with C = 1 or 3, got {guard.describe(x)}")
        return x.detach().cpu()

    def picture(transition, seed, alpha):
        G, stage = transitions[transition]
        z = latent(z_dim, seed)[None]
        old, now, new = (images(G, stage, z, a) for a in (0.0, alpha, 1.0))
        size = now.shape[-1]
        text = (f"{transition}, α = {alpha:.2f}: {1 - alpha:.2f} × the upsampled old path + "
                f"{alpha:.2f} × the new block ({size}×{size})")
        return torch.cat([old, now, new]), text

    slider = unit_slider("α", 0.5)
    transition = ipywidgets.ToggleButtons(options=list(transitions), description="transition")
    z_seed = seed_box(seed, "z seed")
    new_z = next_seed_button(z_seed, "new z")
    panel = Panel(picture, dict(transition=transition, seed=z_seed, alpha=slider), nrow=3, height=160)
    box = column(
        ipywidgets.HBox([z_seed, new_z]), transition, slider,
        ipywidgets.HTML("the old path (α = 0), the blend at α, the new block (α = 1):"),
        panel.image, panel.caption,
    )
    return Widget(box, slider=slider, transition=transition, seed=z_seed, new_z=new_z, image=panel.image,
                  caption=panel.caption)
