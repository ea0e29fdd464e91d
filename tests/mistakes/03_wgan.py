from mistakes import Mistake

CRITIC = "return fake_scores.mean() - real_scores.mean()"
CLAMP = "        for p in critic.parameters():\n            p.clamp_(-c, c)"
NORM = "(grad.flatten(1).norm(dim=1) - 1) ** 2"

MISTAKES = [
    # critic_loss
    Mistake("the sign flipped", "critic_loss", CRITIC, "return real_scores.mean() - fake_scores.mean()",
            "test_critic_loss", "is the sign flipped"),
    Mistake("one mean over both batches", "critic_loss", CRITIC, "return torch.cat([fake_scores, -real_scores]).mean()",
            "test_critic_loss", "each averaged over its own batch"),
    # generator_loss
    Mistake("the sign flipped", "generator_loss", "return -fake_scores.mean()", "return fake_scores.mean()",
            "test_generator_loss", "is the sign flipped"),
    Mistake("a sum instead of a mean", "generator_loss", "return -fake_scores.mean()", "return -fake_scores.sum()",
            "test_generator_loss", "not their sum"),
    # clip_weights_
    Mistake("the biases left unclipped", "clip_weights_", CLAMP,
            '        for name, p in critic.named_parameters():\n            if name.endswith("weight"):\n'
            '                p.clamp_(-c, c)', "test_clip_weights_", "biases included"),
    Mistake("clamp instead of clamp_", "clip_weights_", "p.clamp_(-c, c)", "p = p.clamp(-c, c)",
            "test_clip_weights_", "only rebinds the name"),
    # gradient_penalty
    Mistake("the squared norm", "gradient_penalty", NORM, "(grad.flatten(1).pow(2).sum(dim=1) - 1) ** 2",
            "test_gradient_penalty", "not its square"),
    Mistake("a one-sided penalty", "gradient_penalty", NORM, "(grad.flatten(1).norm(dim=1) - 1).clamp_min(0) ** 2",
            "test_gradient_penalty", "the penalty is two-sided"),
    Mistake("one eps for the whole batch", "gradient_penalty",
            "eps = torch.rand(real.shape[0], *[1] * (real.dim() - 1), device=real.device)",
            "eps = torch.rand(1, device=real.device)", "test_gradient_penalty", "not one eps for the whole batch"),
]
