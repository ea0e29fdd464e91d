"""Stand-ins: simple functions the grader puts in place of other exercises' functions, so that an
exercise whose test runs them is graded on its own as well.

A test can run the student's answer to an earlier exercise: 01's training step calls their loss,
04's generator input calls their one_hot. A wrong loss then fails the training step's test too,
however right the step is. So for each such test (``STANDINS``), the grader runs the test once
more, visible and hidden part together, with these functions in the place of the ones it names,
in the student's run and in the solution's alike. In that rerun no check passes or fails
(``checks.verdicts`` is off): each records what it got, and the student's record must match the
solution's (``protocol.matches``). The exercise scores when its own test passes, or when that
rerun matches (``judge``).

A stand-in keeps the contract of the function it replaces (arguments, shapes, dtype, device,
gradients) and nothing else: it is deliberately not that exercise's answer, nor any other's, so
that it tells a student nothing about the answer, and it depends on every argument in its own
way, so that a call with the arguments swapped or missing still shows. A stand-in is public: all
it reveals is how the grader checks the later exercise, never an expected value.
"""
import inspect

import torch

# --------------------------------------------------------------------------- 01_toy_gan


def sample_noise(n, z_dim, generator=None):
    """(n, z_dim) float32, uniform on [-1, 1) rather than N(0, 1)."""
    return torch.rand(n, z_dim, generator=generator) * 2 - 1


def discriminator_loss(real_logits, fake_logits):
    """A scalar that falls as the real logits rise and rises with the fake ones (not cross-entropy)."""
    return torch.tanh(-real_logits).mean() + 2 * torch.sigmoid(fake_logits).mean()


def generator_loss_nonsaturating(fake_logits):
    """A positive scalar that falls as the fake logits rise (not -log D)."""
    return torch.exp(-fake_logits / 2).mean()


# --------------------------------------------------------------------------- 04_conditional_gan


def one_hot(y, num_classes):
    """(B, K) float32 on y's device: a code of its own for each label (not one-hot); ValueError out of range."""
    if ((y < 0) | (y >= num_classes)).any():
        raise ValueError(f"labels must lie in [0, {num_classes})")
    return torch.cos(0.7 * y[:, None].float() + 0.3 * torch.arange(num_classes, device=y.device))


# --------------------------------------------------------------------------- 06_cyclegan


def lsgan_generator_loss(fake_scores):
    """A positive scalar that falls as the scores rise (not least squares)."""
    return torch.exp(-fake_scores).mean()


def cycle_loss(real_A, rec_A, real_B, rec_B):
    """A scalar of the four images, each in its own role (not the L1 cycle loss)."""
    return (rec_A - 0.5 * real_A).pow(2).mean() + 2 * (rec_B - 0.5 * real_B).pow(2).mean()


def identity_loss(G, F, real_A, real_B):
    """A scalar of what G and F make of the images (not the identity loss)."""
    return G(real_A).mean().pow(2) + 3 * F(real_B).pow(2).mean()


# --------------------------------------------------------------------------- 07_progan


def fade_in(alpha, old, new):
    """A blend that is old at alpha = 0 and new at alpha = 1, quadratic in between (not linear)."""
    return (1 - alpha**2) * old + alpha**2 * new


# --------------------------------------------------------------------------- 09_adversarial_attacks


def project(x_adv, x, eps, low=-1.0, high=1.0):
    """A tensor within eps of x and within [low, high]: the step squashed by tanh (not the projection).

    Near x it moves x_adv hardly at all, so a step that should have been cut at the range's edge still
    reaches past it (and shows) when the range is not passed on.
    """
    return (x + eps * torch.tanh((x_adv - x) / max(eps, 1e-12))).clamp(low, high)


# {notebook: {test cell: the functions of other exercises that its test runs, replaced in the rerun}}
STANDINS = {
    "01_toy_gan": {"test_train_step": ("sample_noise", "discriminator_loss", "generator_loss_nonsaturating")},
    "04_conditional_gan": {"test_generator_input": ("one_hot",), "test_discriminator_input": ("one_hot",)},
    "06_cyclegan": {"test_generator_objective": ("lsgan_generator_loss", "cycle_loss", "identity_loss")},
    "07_progan": {"test_generator_forward": ("fade_in",), "test_discriminator_forward": ("fade_in",)},
    "09_adversarial_attacks": {"test_pgd": ("project",)},
}


def source(names):
    """The code that defines the stand-ins ``names``, as the grader's runner executes it."""
    return "\n\n".join(["import torch", *(inspect.getsource(globals()[n]) for n in names)])


def replaced(notebook, test):
    """The names a test's rerun replaces: () when the test runs no other exercise's function."""
    return STANDINS.get(notebook, {}).get(test, ())
