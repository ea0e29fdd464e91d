import copy

import pytest
import torch

from course_lib import models

Z_DIM = 6


def tiny_G(channels=1, size=8):
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(Z_DIM, channels * size * size),
        torch.nn.BatchNorm1d(channels * size * size),  # eval mode matters
        torch.nn.Tanh(),
        torch.nn.Unflatten(1, (channels, size, size)),
    )


def test_evaluating_restores_the_flag_even_after_an_error():
    G = tiny_G()
    G.train()
    with pytest.raises(RuntimeError):
        with models.evaluating(G):
            assert not G.training and not torch.is_grad_enabled()
            raise RuntimeError
    assert G.training


def test_generate_takes_several_inputs_and_checks_the_images():
    class Conditional(torch.nn.Module):  # G(z, y), as in a conditional GAN
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(10, Z_DIM)
            self.net = tiny_G()

        def forward(self, z, y):
            return self.net(z + self.embed(y))

    G = Conditional()
    x = models.generate(G, torch.randn(3, Z_DIM), torch.tensor([0, 1, 2]))
    assert x.shape == (3, 1, 8, 8) and not x.requires_grad and G.training
    G.forward = lambda z, y: z  # not images
    with pytest.raises(ValueError, match=r"\(3, 6\), \(3,\)"):
        models.generate(G, torch.randn(3, Z_DIM), torch.tensor([0, 1, 2]))
    with pytest.raises(TypeError, match="torch.nn.Module"):
        models.generate(lambda z: z, torch.randn(3, Z_DIM))


def test_evaluating_can_keep_gradients_for_an_attack():
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 2))
    with torch.no_grad():
        model[1].weight.fill_(1 / 8)
    x = torch.zeros(1, 1, 8, 8, requires_grad=True)
    with torch.no_grad(), models.evaluating(model, gradients=True):
        (grad,) = torch.autograd.grad(model(x)[0, 1], x)
    assert torch.allclose(grad, torch.full_like(x, 1 / 8)) and model.training


class Recording(torch.nn.Module):
    """G(z, stage, alpha): records each call's batch size and arguments; BatchNorm and dropout inside."""

    def __init__(self):
        super().__init__()
        self.G = tiny_G()
        self.dropout = torch.nn.Dropout(0.5)
        self.calls = []

    def forward(self, z, stage=0, alpha=1.0):
        self.calls.append((z.shape[0], stage, alpha))
        return alpha * self.dropout(self.G(z)) + stage


def test_generate_in_chunks_is_one_call_in_eval_mode():
    G = Recording()
    G.train()
    z = torch.randn(5, Z_DIM, generator=torch.Generator().manual_seed(0))
    whole = models.generate(G, z, 0.0, 0.5, chunk=None)
    chunked = models.generate(G, z, 0.0, 0.5, chunk=2)
    assert G.calls == [(5, 0.0, 0.5), (2, 0.0, 0.5), (2, 0.0, 0.5), (1, 0.0, 0.5)]  # the others go to every chunk
    # the same up to rounding: a matrix product may round differently for another batch size
    assert torch.allclose(whole, chunked, atol=1e-6) and G.training and not whole.requires_grad
    with models.evaluating(G), torch.no_grad():
        assert torch.equal(whole, 0.5 * G.G(z))  # BatchNorm's running statistics, dropout off


def test_generate_matches_a_hand_written_decode_bit_for_bit():
    G = tiny_G()
    G.train()
    G(torch.randn(64, Z_DIM))  # running statistics away from their start
    z = torch.randn(1_200, Z_DIM)
    with torch.no_grad():
        G.eval()
        by_hand = torch.cat([G(chunk).cpu() for chunk in z.split(500)])
        G.train()
    assert torch.equal(models.generate(G, z), by_hand)


def test_generate_can_keep_dropout_on_and_seed_G_s_own_noise():
    G = Recording()
    z = torch.randn(200, Z_DIM)
    assert torch.equal(models.generate(G, z), models.generate(G, z))
    state = torch.get_rng_state()
    noisy = models.generate(G, z, dropout=True, seed=3)
    assert torch.equal(torch.get_rng_state(), state)  # fixed_noise leaves the caller's random state alone
    assert torch.equal(noisy, models.generate(G, z, dropout=True, seed=3))
    assert not torch.equal(noisy, models.generate(G, z, dropout=True, seed=4))
    assert (noisy == 0).float().mean() > 0.3 and G.training and G.dropout.training


def test_generate_refuses_what_is_not_a_batch():
    with pytest.raises(TypeError, match="the first input must be a batch"):
        models.generate(tiny_G())
    with pytest.raises(TypeError, match="the first input must be a batch"):
        models.generate(tiny_G(), None)
    with pytest.raises(ValueError, match="chunk must be a positive int"):
        models.generate(tiny_G(), torch.zeros(2, Z_DIM), chunk=0)


def test_ema_update_averages_the_weights_and_copies_the_buffers():
    G = tiny_G()
    G_ema = copy.deepcopy(G)
    with torch.no_grad():
        for p in G.parameters():
            p.add_(1.0)
    G(torch.randn(16, Z_DIM))  # new running statistics
    before = [p.clone() for p in G_ema.parameters()]
    models.ema_update(G_ema, G, 0.75)
    for p_ema, p_old, p in zip(G_ema.parameters(), before, G.parameters()):
        assert torch.allclose(p_ema, 0.75 * p_old + 0.25 * p)
    for b_ema, b in zip(G_ema.buffers(), G.buffers()):
        assert torch.equal(b_ema, b)
    models.ema_update(G_ema, G, 0.0)
    assert all(torch.equal(p_ema, p) for p_ema, p in zip(G_ema.parameters(), G.parameters()))
    assert G_ema[0].weight.grad is None


@pytest.mark.parametrize("G_ema, beta, match", [
    (torch.nn.Linear(Z_DIM, 3), 0.9, "G_ema must be a copy of G"),
    (None, 1.5, r"beta must be a number in \[0, 1\]"),
    (None, True, "beta must be a number"),
    (lambda z: z, 0.9, "G_ema must be a torch.nn.Module"),
])
def test_ema_update_refuses_bad_input(G_ema, beta, match):
    G = tiny_G()
    with pytest.raises((TypeError, ValueError), match=match):
        models.ema_update(copy.deepcopy(G) if G_ema is None else G_ema, G, beta)
