from mistakes import Mistake

MISTAKES = [
    # fgsm
    Mistake("the raw gradient instead of its sign", "fgsm", "direction = -grad.sign() if targeted else grad.sign()",
            "direction = -grad if targeted else grad", "test_fgsm", "use .sign(), not the raw gradient"),
    Mistake("no clamp to the valid range", "fgsm", "return (x.detach() + eps * direction).clamp(low, high)",
            "return x.detach() + eps * direction", "test_fgsm", "clamp x_adv to [low, high]"),
    Mistake("targeted FGSM climbs the target's loss", "fgsm", "direction = -grad.sign() if targeted else grad.sign()",
            "direction = grad.sign()", "test_fgsm", "targeted: x - eps * sign"),
    # project
    Mistake("the ball clamped on one side only", "project", "torch.max(torch.min(x_adv, x + eps), x - eps)",
            "torch.min(x_adv, x + eps)", "test_project", "clamp each entry to [x - eps, x + eps]"),
    Mistake("a fixed range [-1, 1]", "project", ".clamp(low, high)", ".clamp(-1.0, 1.0)", "test_project",
            "use the low and high arguments"),
    Mistake("project: no clamp to the valid range", "project", ".clamp(low, high)", "", "test_project",
            "clamp to the valid range [low, high]"),
    # pgd
    Mistake("one projection, after the loop", "pgd",
            "x_adv = project(x_adv.detach() + step_size * grad.sign(), x, eps, low, high)\n    return x_adv.detach()",
            "x_adv = x_adv.detach() + step_size * grad.sign()\n    return project(x_adv, x, eps, low, high).detach()",
            "test_pgd", "projecting once after the loop"),
    Mistake("gradient descent instead of ascent", "pgd", "x_adv.detach() + step_size * grad.sign()",
            "x_adv.detach() - step_size * grad.sign()", "test_pgd", "step along sign(gradient)"),
    Mistake("a Gaussian random start", "pgd", "(2 * torch.rand(x.shape, generator=generator) - 1)",
            "torch.randn(x.shape, generator=generator)", "test_pgd", "randn is not uniform"),
    Mistake("a random start in [0, eps]", "pgd", "(2 * torch.rand(x.shape, generator=generator) - 1)",
            "torch.rand(x.shape, generator=generator)", "test_pgd", "u must be centred on 0"),
    Mistake("the generator not passed", "pgd", "torch.rand(x.shape, generator=generator)", "torch.rand(x.shape)",
            "test_pgd", "pass generator=generator"),
    # adversarial_training_step
    Mistake("no zero_grad: the attack's gradients enter the update", "adversarial_training_step",
            "    opt.zero_grad()\n", "", "test_adversarial_training_step", "call opt.zero_grad() after making x_adv"),
    Mistake("x_adv not detached", "adversarial_training_step", "x_adv = attack(model, x, y, eps).detach()",
            "x_adv = attack(model, x, y, eps)", "test_adversarial_training_step", "detach x_adv"),
    Mistake("alpha on the adversarial term", "adversarial_training_step",
            "alpha * loss_clean + (1 - alpha) * loss_adv", "(1 - alpha) * loss_clean + alpha * loss_adv",
            "test_adversarial_training_step", "alpha weighs the clean loss"),
    # accuracy_curve
    Mistake("the attack under torch.no_grad()", "accuracy_curve",
            "            x_adv = attack(model, x, y, eps)\n            with torch.no_grad():\n",
            "            with torch.no_grad():\n                x_adv = attack(model, x, y, eps)\n",
            "test_accuracy_curve", "run the attack outside torch.no_grad()"),
    Mistake("the mean of the batch accuracies", "accuracy_curve",
            "correct += (model(x_adv).argmax(1) == y).sum().item()\n        accuracies.append(correct / len(labels))",
            "correct += (model(x_adv).argmax(1) == y).float().mean().item()\n"
            "        accuracies.append(correct / len(range(0, len(labels), batch_size)))",
            "test_accuracy_curve", "averaging the per-batch accuracies"),
    Mistake("the last, smaller batch dropped", "accuracy_curve", "range(0, len(labels), batch_size)",
            "range(0, len(labels) - batch_size + 1, batch_size)", "test_accuracy_curve",
            "keeping the last, smaller batch"),
]
