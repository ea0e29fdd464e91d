from mistakes import Mistake

CRITIC = "return fake_scores.mean() - real_scores.mean()"
CLAMP = "        for p in critic.parameters():\n            p.clamp_(-c, c)"
EPS = "eps = torch.rand(real.shape[0], *[1] * (real.dim() - 1), device=real.device)"
NORM = "(grad.flatten(1).norm(dim=1) - 1) ** 2"
XHAT = "x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)"
GRAD = "grad = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)[0]"

MISTAKES = [
    # critic_loss
    Mistake("critic: the sign flipped", "critic_loss", CRITIC, "return real_scores.mean() - fake_scores.mean()",
            "test_critic_loss", "is the sign flipped"),
    Mistake("one mean over both batches", "critic_loss", CRITIC, "return torch.cat([fake_scores, -real_scores]).mean()",
            "test_critic_loss", "each averaged over its own batch"),
    Mistake("the difference of the batches, then the mean", "critic_loss", CRITIC,
            "return (fake_scores - real_scores).mean()", "test_critic_loss", "average each batch on its own"),
    # generator_loss
    Mistake("generator: the sign flipped", "generator_loss", "return -fake_scores.mean()", "return fake_scores.mean()",
            "test_generator_loss", "is the sign flipped"),
    Mistake("a sum instead of a mean", "generator_loss", "return -fake_scores.mean()", "return -fake_scores.sum()",
            "test_generator_loss", "not their sum"),
    # clip_weights_
    Mistake("the biases left unclipped", "clip_weights_", CLAMP,
            '        for name, p in critic.named_parameters():\n            if name.endswith("weight"):\n'
            '                p.clamp_(-c, c)', "test_clip_weights_", "biases included"),
    Mistake("clamp instead of clamp_", "clip_weights_", "p.clamp_(-c, c)", "p = p.clamp(-c, c)",
            "test_clip_weights_", "only rebinds the name"),
    Mistake("only nn.Linear modules clipped", "clip_weights_", CLAMP,
            "        for module in critic.modules():\n            if isinstance(module, nn.Linear):\n"
            "                for p in module.parameters():\n                    p.clamp_(-c, c)",
            "test_clip_weights_", "every module (the LayerNorm's too)"),
    Mistake("the gradients clipped", "clip_weights_", CLAMP,
            "        nn.utils.clip_grad_value_(critic.parameters(), c)",
            "test_clip_weights_", "clip_grad_value_ clips the gradients"),
    Mistake("no torch.no_grad()", "clip_weights_", "    with torch.no_grad():\n" + CLAMP,
            "    for p in critic.parameters():\n        p.clamp_(-c, c)", "test_clip_weights_",
            "inside `with torch.no_grad():`"),
    # gradient_penalty
    Mistake("the squared norm", "gradient_penalty", NORM, "(grad.flatten(1).pow(2).sum(dim=1) - 1) ** 2",
            "test_gradient_penalty", "not its square"),
    Mistake("a one-sided penalty", "gradient_penalty", NORM, "(grad.flatten(1).norm(dim=1) - 1).clamp_min(0) ** 2",
            "test_gradient_penalty", "the penalty is two-sided"),
    Mistake("one eps for the whole batch", "gradient_penalty", EPS,
            "eps = torch.rand(1, device=real.device)", "test_gradient_penalty", "not one eps for the whole batch"),
    Mistake("eps squared", "gradient_penalty", EPS, EPS.replace("device=real.device)", "device=real.device) ** 2"),
            "test_gradient_penalty", "no scaling, no power"),
    Mistake("eps from U[0, 1/2]", "gradient_penalty", EPS, EPS.replace("eps = ", "eps = 0.5 * "),
            "test_gradient_penalty", "no scaling, no power"),
    Mistake("eps shaped (B, 1) for images", "gradient_penalty", EPS,
            "eps = torch.rand(real.shape[0], 1, device=real.device)", "test_gradient_penalty",
            "shape eps (B, 1, ..., 1)"),
    # critic_loss, more
    Mistake("both sums over the real batch size", "critic_loss", CRITIC,
            "return (fake_scores.sum() - real_scores.sum()) / len(real_scores)", "test_critic_loss",
            "each averaged over its own batch"),
    Mistake("the fake scores detached", "critic_loss", CRITIC,
            "return fake_scores.detach().mean() - real_scores.mean()", "test_critic_loss", "no .detach()"),
    # generator_loss, more
    Mistake("generator: the scores detached", "generator_loss", "return -fake_scores.mean()",
            "return -fake_scores.detach().mean()", "test_generator_loss", "no .detach()"),
    Mistake("generator: a Python float returned", "generator_loss", "return -fake_scores.mean()",
            "return -fake_scores.mean().item()", "test_generator_loss", "no .item()"),
    # clip_weights_, more
    Mistake("only the upper bound", "clip_weights_", "p.clamp_(-c, c)", "p.clamp_(max=c)", "test_clip_weights_",
            "both bounds"),
    Mistake("the children's own parameters only", "clip_weights_", CLAMP,
            "        for module in critic.children():\n            for p in module.parameters(recurse=False):\n"
            "                p.clamp_(-c, c)", "test_clip_weights_", "loop over critic.parameters()"),
    # gradient_penalty, more
    Mistake("the scores not summed for autograd.grad", "gradient_penalty", GRAD,
            GRAD.replace("critic(x_hat).sum()", "critic(x_hat)"), "test_gradient_penalty", "critic(x_hat).sum()"),
    Mistake("create_graph forgotten", "gradient_penalty", GRAD, GRAD.replace(", create_graph=True", ""),
            "test_gradient_penalty", "pass create_graph=True"),
    Mistake("x_hat does not require grad", "gradient_penalty", XHAT, "x_hat = eps * real + (1 - eps) * fake",
            "test_gradient_penalty", "requires_grad_(True)"),
    Mistake("the norm over dim 1 only", "gradient_penalty", NORM, "(grad.norm(2, dim=1) - 1) ** 2",
            "test_gradient_penalty", "grad.flatten(1).norm(dim=1)"),
    Mistake("one norm for the whole batch", "gradient_penalty", NORM, "(grad.norm() - 1) ** 2",
            "test_gradient_penalty", "mean over the batch of (||grad|| - 1)^2"),
    Mistake("one eps per coordinate (rand_like)", "gradient_penalty", EPS, "eps = torch.rand_like(real)",
            "test_gradient_penalty", "the same eps for all of a sample's coordinates"),
    Mistake("backward(create_graph=True) and x_hat.grad", "gradient_penalty", GRAD,
            "critic(x_hat).sum().backward(create_graph=True)\n    grad = x_hat.grad", "test_gradient_penalty",
            "not backward()"),
    Mistake("eps left on the CPU", "gradient_penalty", EPS, EPS.replace(", device=real.device", ""),
            "test_gradient_penalty", "device=real.device"),
    # critic_loss, still more
    Mistake("the absolute value of the difference", "critic_loss", CRITIC,
            "return (fake_scores.mean() - real_scores.mean()).abs()", "test_critic_loss", "no abs()"),
    Mistake("critic: a Python float returned", "critic_loss", CRITIC,
            "return (fake_scores.mean() - real_scores.mean()).item()", "test_critic_loss", "no .item()"),
    Mistake("critic: means over dim 0, shape (1,)", "critic_loss", CRITIC,
            "return fake_scores.mean(0) - real_scores.mean(0)", "test_critic_loss", "reduce each term with .mean()"),
    # generator_loss, still more
    Mistake("generator: 1 minus the mean score", "generator_loss", "return -fake_scores.mean()",
            "return torch.mean(1 - fake_scores)", "test_generator_loss", "nothing added"),
    # clip_weights_, still more
    Mistake("p.data.clamp(-c, c), the result dropped", "clip_weights_", "p.clamp_(-c, c)", "p.data.clamp(-c, c)",
            "test_clip_weights_", "clamp_ changes a tensor in place"),
    Mistake("the gradients clamped by hand", "clip_weights_", "p.clamp_(-c, c)", "p.grad.clamp_(-c, c)",
            "test_clip_weights_", "not their gradients"),
    # gradient_penalty, still more
    Mistake("autograd.grad of the mean score", "gradient_penalty", GRAD,
            GRAD.replace("critic(x_hat).sum()", "critic(x_hat).mean()"), "test_gradient_penalty",
            "not .mean()"),
    Mistake("eps shaped (B, 1, 1, 1) for every input", "gradient_penalty", EPS,
            "eps = torch.rand(real.shape[0], 1, 1, 1, device=real.device)", "test_gradient_penalty",
            "one 1 for each dimension of real after the first"),
    Mistake("autograd.grad's tuple not indexed", "gradient_penalty", GRAD, GRAD[:-len("[0]")],
            "test_gradient_penalty", "take [0]"),
    Mistake("eps as rand_like(real[:, :1]): one per pixel for images", "gradient_penalty", EPS,
            "eps = torch.rand_like(real[:, :1])", "test_gradient_penalty",
            "the same eps for all of a sample's coordinates"),
    Mistake("the mean norm, then the square", "gradient_penalty",
            "lam * ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()",
            "lam * (grad.flatten(1).norm(dim=1).mean() - 1) ** 2", "test_gradient_penalty",
            "average (||grad_i|| - 1)^2 over the batch"),
]
