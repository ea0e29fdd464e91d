from alternatives import Alternative

CRITIC = "return fake_scores.mean() - real_scores.mean()"
G_LOSS = "return -fake_scores.mean()"
CLIP = ("    with torch.no_grad():\n"
        "        for p in critic.parameters():\n"
        "            p.clamp_(-c, c)")
EPS = ("    eps = torch.rand(real.shape[0], *[1] * (real.dim() - 1), device=real.device)  # one per sample\n"
       "    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)\n")
GRAD = "grad = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)[0]  # (B, ...)"
NORM = "return lam * ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()"

ALTERNATIVES = [
    # critic_loss
    Alternative("torch.mean, minus the other way round", "critic_loss", CRITIC,
                "return -(torch.mean(real_scores) - torch.mean(fake_scores))", "test_critic_loss",
                "minus the critic's estimate of the distance is the same number"),
    Alternative("sums over batch sizes", "critic_loss", CRITIC,
                "return fake_scores.sum() / fake_scores.shape[0] - real_scores.sum() / real_scores.shape[0]",
                "test_critic_loss", "each mean written as a sum over its own batch size"),
    # generator_loss
    Alternative("torch.mean, negated", "generator_loss", G_LOSS, "return torch.mean(fake_scores).neg()",
                "test_generator_loss", "the same number by other calls"),
    Alternative("a sum over the count", "generator_loss", G_LOSS, "return -fake_scores.sum() / fake_scores.numel()",
                "test_generator_loss", "scores are (B, 1): numel() is B"),
    # clip_weights_
    Alternative("p.data.clamp_, as the original WGAN code", "clip_weights_", CLIP,
                "    for p in critic.parameters():\n        p.data.clamp_(-c, c)", "test_clip_weights_",
                ".data changes the values in place without autograd recording it"),
    Alternative("module by module, without recursion", "clip_weights_", CLIP,
                "    with torch.no_grad():\n"
                "        for module in critic.modules():\n"
                "            for p in module.parameters(recurse=False):\n"
                "                p.copy_(p.clamp(-c, c))",
                "test_clip_weights_", "every parameter once, each changed in place by copy_"),
    # gradient_penalty
    Alternative("eps drawn sample by sample, x_hat by torch.lerp", "gradient_penalty", EPS,
                "    eps = torch.stack([torch.rand(()) for _ in range(real.shape[0])]).to(real.device)\n"
                "    eps = eps.view(-1, *[1] * (real.dim() - 1))\n"
                "    x_hat = torch.lerp(fake.detach(), real, eps).requires_grad_(True)\n",
                "test_gradient_penalty",
                "one U[0, 1] draw per sample, drawn one at a time; lerp(f, r, e) = e r + (1 - e) f"),
    Alternative("grad_outputs of ones, an epsilon-smoothed norm", "gradient_penalty", GRAD + "\n    " + NORM,
                "scores = critic(x_hat)\n"
                "    grad = torch.autograd.grad(scores, x_hat, grad_outputs=torch.ones_like(scores),\n"
                "                               create_graph=True)[0]\n"
                "    norms = (grad.reshape(len(grad), -1).pow(2).sum(dim=1) + 1e-12).sqrt()\n"
                "    return lam * (norms - 1).pow(2).mean()",
                "test_gradient_penalty", "the same gradient and, up to 1e-12 under the root, the same norm"),
    # critic_loss, more
    Alternative("each fake score against the real mean", "critic_loss", CRITIC,
                "return (fake_scores - real_scores.mean()).mean()", "test_critic_loss",
                "mean(f - m) = mean(f) - m: the real mean is one number, so the batches need not pair up"),
    Alternative("means over the batch, then squeezed", "critic_loss", CRITIC,
                "return (fake_scores.mean(dim=0) - real_scores.mean(dim=0)).squeeze(0)", "test_critic_loss",
                "the (1,) difference of the two column means, squeezed to a 0-dim tensor"),
    # generator_loss, more
    Alternative("minus the mean of the flattened scores", "generator_loss", G_LOSS,
                "return -fake_scores.flatten().mean()", "test_generator_loss", "the same B numbers, averaged"),
    # clip_weights_, more
    Alternative("p.data rebound to a clamped copy", "clip_weights_", CLIP,
                "    for p in critic.parameters():\n        p.data = p.data.clamp(-c, c)", "test_clip_weights_",
                "setting .data keeps the Parameter object the optimiser holds and leaves autograd out"),
    Alternative("through one flat vector", "clip_weights_", CLIP,
                "    with torch.no_grad():\n"
                "        flat = nn.utils.parameters_to_vector(critic.parameters()).clamp(-c, c)\n"
                "        nn.utils.vector_to_parameters(flat, critic.parameters())",
                "test_clip_weights_", "vector_to_parameters sets each Parameter's values, keeping the objects"),
    # gradient_penalty, more
    Alternative("eps weighting the fake sample", "gradient_penalty", EPS,
                "    eps = torch.rand(real.shape[0], *[1] * (real.dim() - 1), device=real.device)\n"
                "    x_hat = (eps * fake + (1 - eps) * real).detach().requires_grad_(True)\n",
                "test_gradient_penalty", "1 - eps is U[0, 1] too: the same distribution of points on each segment"),
    Alternative("uniform_ in place, x_hat stepped from the fake", "gradient_penalty", EPS,
                "    eps = torch.empty(len(real), *(1,) * (real.dim() - 1), device=real.device).uniform_(0, 1)\n"
                "    start = fake.detach()\n"
                "    x_hat = (start + eps * (real - start)).requires_grad_()\n",
                "test_gradient_penalty", "f + eps (r - f) = eps r + (1 - eps) f; a fresh tensor is a leaf"),
    Alternative("vector_norm over every dim but the first", "gradient_penalty", NORM,
                "norms = torch.linalg.vector_norm(grad, ord=2, dim=tuple(range(1, grad.dim())))\n"
                "    return lam * torch.mean(torch.square(norms - 1))",
                "test_gradient_penalty", "the Euclidean norm of each sample's whole gradient, as flatten(1) gives"),
    # still more
    Alternative("einsum sums over the batch sizes", "critic_loss", CRITIC,
                'return torch.einsum("bi->", fake_scores) / len(fake_scores) - torch.einsum("bi->", real_scores) '
                "/ len(real_scores)", "test_critic_loss", "each einsum sums all scores of one (B, 1) batch"),
    Alternative("the mean negated in place", "generator_loss", G_LOSS, "return fake_scores.mean().neg_()",
                "test_generator_loss", "neg_ changes the fresh mean, not the scores; the mean's gradient needs no "
                "saved output"),
    Alternative("torch.clamp with out=", "clip_weights_", CLIP,
                "    with torch.no_grad():\n"
                "        for _, p in critic.named_parameters():\n"
                "            torch.clamp(p, min=-c, max=c, out=p)",
                "test_clip_weights_", "out=p writes the clamped values into the same Parameter, unrecorded"),
    Alternative("mse_loss of the norms against 1", "gradient_penalty", NORM,
                "norms = grad.reshape(grad.shape[0], -1).norm(p=2, dim=1)\n"
                "    return lam * F.mse_loss(norms, torch.ones_like(norms))",
                "test_gradient_penalty", "mse_loss's mean of (norm - 1)^2 over the batch is the penalty's mean"),
    Alternative("eps from a (B,) draw, viewed", "gradient_penalty", EPS,
                "    B = real.shape[0]\n"
                "    eps = torch.rand(B, device=real.device).view(B, *(1 for _ in real.shape[1:]))\n"
                "    x_hat = (eps * real + (1 - eps) * fake).detach()\n"
                "    x_hat.requires_grad = True\n",
                "test_gradient_penalty", "the same one U[0, 1] per sample, shaped (B, 1, ..., 1); a detached tensor "
                "is a leaf"),
]
