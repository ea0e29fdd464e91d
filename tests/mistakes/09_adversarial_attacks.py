from mistakes import Mistake

START = "u = (2 * torch.rand(x.shape, generator=generator) - 1).to(x.device) * eps"
PROJECT = "torch.max(torch.min(x_adv, x + eps), x - eps)"
GRAD = ("        x_adv.requires_grad_(True)\n"
        "        loss = F.cross_entropy(model(x_adv), y)\n"
        "        (grad,) = torch.autograd.grad(loss, x_adv)\n")
STEP = ("    x_adv = attack(model, x, y, eps).detach()  # a fixed input: no gradient through its construction\n"
        "    loss_clean = F.cross_entropy(model(x), y)\n"
        "    loss_adv = F.cross_entropy(model(x_adv), y)\n"
        "    loss = alpha * loss_clean + (1 - alpha) * loss_adv\n"
        "    opt.zero_grad()\n")
UPDATE = "    opt.zero_grad()\n    loss.backward()\n    opt.step()\n"
BATCHES = ("        correct = 0\n"
           "        for start in range(0, len(labels), batch_size):\n"
           "            x, y = images[start:start + batch_size], labels[start:start + batch_size]\n"
           "            x_adv = attack(model, x, y, eps)\n"
           "            with torch.no_grad():\n"
           "                correct += (model(x_adv).argmax(1) == y).sum().item()\n")

MISTAKES = [
    # fgsm
    Mistake("the raw gradient instead of its sign", "fgsm", "direction = -grad.sign() if targeted else grad.sign()",
            "direction = -grad if targeted else grad", "test_fgsm", "use .sign(), not the raw gradient"),
    Mistake("no clamp to the valid range", "fgsm", "return (x.detach() + eps * direction).clamp(low, high)",
            "return x.detach() + eps * direction", "test_fgsm", "clamp x_adv to [low, high]"),
    Mistake("targeted FGSM climbs the target's loss", "fgsm", "direction = -grad.sign() if targeted else grad.sign()",
            "direction = grad.sign()", "test_fgsm", "targeted: x - eps * sign"),
    Mistake("fgsm: a fixed range [-1, 1]", "fgsm", "return (x.detach() + eps * direction).clamp(low, high)",
            "return (x.detach() + eps * direction).clamp(-1.0, 1.0)", "test_fgsm",
            "clamp to the low and high arguments"),
    Mistake("the gradient by loss.backward(), into the model's .grad", "fgsm",
            "(grad,) = torch.autograd.grad(loss, x_in)\n    direction",
            "loss.backward()\n    grad = x_in.grad\n    direction",
            "test_fgsm", "take the gradient with torch.autograd.grad"),
    Mistake("an L2 step, the gradient divided by its norm", "fgsm",
            "direction = -grad.sign() if targeted else grad.sign()",
            "step = grad / grad.flatten(1).norm(dim=1).view(-1, 1, 1, 1)\n    direction = -step if targeted else step",
            "test_fgsm", "use .sign(), not the raw gradient"),
    Mistake("x_adv built from x, not x.detach()", "fgsm", "return (x.detach() + eps * direction)",
            "return (x + eps * direction)", "test_fgsm", "x.detach()"),
    # project
    Mistake("the ball clamped on one side only", "project", "torch.max(torch.min(x_adv, x + eps), x - eps)",
            "torch.min(x_adv, x + eps)", "test_project", "clamp each entry to [x - eps, x + eps]"),
    Mistake("a fixed range [-1, 1]", "project", ".clamp(low, high)", ".clamp(-1.0, 1.0)", "test_project",
            "use the low and high arguments"),
    Mistake("project: no clamp to the valid range", "project", ".clamp(low, high)", "", "test_project",
            "clamp to the valid range [low, high]"),
    Mistake("the ball around x_adv: the roles of x and x_adv swapped", "project", PROJECT,
            "torch.max(torch.min(x, x_adv + eps), x_adv - eps)", "test_project",
            "clamp each entry to [x - eps, x + eps]"),
    Mistake("projection onto the L2 ball", "project", PROJECT,
            "(x + (x_adv - x) * (eps / (x_adv - x).norm().clamp_min(1e-12)).clamp(max=1.0))", "test_project",
            "clamp each entry to [x - eps, x + eps]"),
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
    Mistake("the range clamped only at the end", "pgd",
            "x_adv = project(x_adv.detach() + step_size * grad.sign(), x, eps, low, high)\n    return x_adv.detach()",
            "x_adv = project(x_adv.detach() + step_size * grad.sign(), x, eps, -math.inf, math.inf)\n"
            "    return x_adv.detach().clamp(low, high)",
            "test_pgd", "project (ball and range) after the random start and after every step"),
    Mistake("the random start not projected", "pgd", "x_adv = project(x + u, x, eps, low, high)", "x_adv = x + u",
            "test_pgd", "project (ball and range) after the random start and after every step"),
    Mistake("the gradient taken at x in every step", "pgd", GRAD,
            "        x_in = x.clone().requires_grad_(True)\n"
            "        loss = F.cross_entropy(model(x_in), y)\n"
            "        (grad,) = torch.autograd.grad(loss, x_in)\n",
            "test_pgd", "recompute the gradient at the current x_adv"),
    Mistake("the random start not scaled by eps", "pgd", START,
            "u = (2 * torch.rand(x.shape, generator=generator) - 1).to(x.device)", "test_pgd",
            "uniform on [-eps, eps]"),
    Mistake("steps of eps, not step_size", "pgd", "x_adv.detach() + step_size * grad.sign()",
            "x_adv.detach() + eps * grad.sign()", "test_pgd", "step_size"),
    Mistake("random_start ignored: always a random start", "pgd",
            "    if random_start:\n        " + START + "\n        x_adv = project(x + u, x, eps, low, high)\n"
            "    else:\n        x_adv = x.clone()\n",
            "    " + START + "\n    x_adv = project(x + u, x, eps, low, high)\n", "test_pgd", "random_start=False"),
    Mistake("the random start left on the CPU", "pgd", START, START.replace(".to(x.device)", ""), "test_pgd",
            "x.device"),
    Mistake("pgd: the raw gradient, no sign", "pgd", "step_size * grad.sign()", "step_size * grad", "test_pgd",
            "step along sign(gradient)"),
    # adversarial_training_step
    Mistake("no zero_grad: the attack's gradients enter the update", "adversarial_training_step",
            "    opt.zero_grad()\n", "", "test_adversarial_training_step", "call opt.zero_grad() after making x_adv"),
    Mistake("x_adv not detached", "adversarial_training_step", "x_adv = attack(model, x, y, eps).detach()",
            "x_adv = attack(model, x, y, eps)", "test_adversarial_training_step", "detach x_adv"),
    Mistake("alpha on the adversarial term", "adversarial_training_step",
            "alpha * loss_clean + (1 - alpha) * loss_adv", "(1 - alpha) * loss_clean + alpha * loss_adv",
            "test_adversarial_training_step", "alpha weighs the clean loss"),
    Mistake("zero_grad before the attack", "adversarial_training_step", STEP,
            "    opt.zero_grad()\n" + STEP.replace("    opt.zero_grad()\n", ""), "test_adversarial_training_step",
            "call opt.zero_grad() after making x_adv"),
    Mistake("the losses returned as tensors", "adversarial_training_step",
            '{"loss": loss.item(), "loss_clean": loss_clean.item(), "loss_adv": loss_adv.item()}',
            '{"loss": loss, "loss_clean": loss_clean, "loss_adv": loss_adv}', "test_adversarial_training_step",
            "return loss.item()"),
    Mistake("two updates, one per term", "adversarial_training_step", UPDATE,
            "    for part in (alpha * loss_clean, (1 - alpha) * loss_adv):\n"
            "        opt.zero_grad()\n        part.backward()\n        opt.step()\n",
            "test_adversarial_training_step", "one opt.step()"),
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
    Mistake("the error rate", "accuracy_curve", "(model(x_adv).argmax(1) == y)", "(model(x_adv).argmax(1) != y)",
            "test_accuracy_curve", "not the error rate"),
    Mistake("the count not reset for each eps", "accuracy_curve", "    for eps in eps_values:\n        correct = 0\n",
            "    correct = 0\n    for eps in eps_values:\n", "test_accuracy_curve", "for each eps"),
    Mistake("batch_size ignored: one attack on all the images", "accuracy_curve", BATCHES,
            "        x_adv = attack(model, images, labels, eps)\n"
            "        with torch.no_grad():\n"
            "            correct = (model(x_adv).argmax(1) == labels).sum().item()\n",
            "test_accuracy_curve", "loop over range(0, N, batch_size)"),
    Mistake("the count kept as a tensor", "accuracy_curve", ".sum().item()", ".sum()", "test_accuracy_curve",
            "count with .sum().item()"),
    # further mistakes: the loss, the caller's tensors, units, the step count, shapes, orders
    Mistake("a softmax before the cross-entropy", "fgsm", "loss = F.cross_entropy(model(x_in), y)",
            "loss = F.cross_entropy(model(x_in).softmax(dim=1), y)", "test_fgsm", "the logits themselves"),
    Mistake("requires_grad set on x itself", "fgsm", "x_in = x.detach().clone().requires_grad_(True)\n    loss",
            "x_in = x.requires_grad_(True)\n    loss", "test_fgsm", "do not set requires_grad on x itself"),
    Mistake("eps converted to data units inside fgsm", "fgsm", "return (x.detach() + eps * direction)",
            "return (x.detach() + to_data_units(eps) * direction)", "test_fgsm", "eps is in the units of x already"),
    Mistake("the ball around 0, not around x", "project", PROJECT, "x_adv.clamp(-eps, eps)", "test_project",
            "clamp each entry to [x - eps, x + eps]"),
    Mistake("the range applied to the perturbation", "project", PROJECT + ".clamp(low, high)",
            "(x + (x_adv - x).clamp(-eps, eps).clamp(low, high))", "test_project", "clamp the image"),
    Mistake("the ball around the current x_adv", "pgd",
            "x_adv = project(x_adv.detach() + step_size * grad.sign(), x, eps, low, high)",
            "x_adv = project(x_adv.detach() + step_size * grad.sign(), x_adv.detach(), eps, low, high)",
            "test_pgd", "around the original x"),
    Mistake("one step too few", "pgd", "for _ in range(steps):", "for _ in range(steps - 1):", "test_pgd",
            "for _ in range(steps)"),
    Mistake("one step too many", "pgd", "for _ in range(steps):", "for _ in range(steps + 1):", "test_pgd",
            "for _ in range(steps)"),
    Mistake("one random start shared by the batch", "pgd", "torch.rand(x.shape, generator=generator)",
            "torch.rand(x.shape[1:], generator=generator)", "test_pgd", "each image its own start"),
    Mistake("x_adv made under torch.no_grad()", "adversarial_training_step",
            "x_adv = attack(model, x, y, eps).detach()",
            "with torch.no_grad():  # x_adv is held fixed\n        x_adv = attack(model, x, y, eps)",
            "test_adversarial_training_step", "outside torch.no_grad()"),
    Mistake("clean and adversarial images in one batch, alpha ignored", "adversarial_training_step",
            "loss = alpha * loss_clean + (1 - alpha) * loss_adv",
            "loss = F.cross_entropy(model(torch.cat([x, x_adv])), torch.cat([y, y]))",
            "test_adversarial_training_step", "use the alpha argument"),
    Mistake("the eps values sorted", "accuracy_curve", "for eps in eps_values:", "for eps in sorted(eps_values):",
            "test_accuracy_curve", "in the order of eps_values"),
    Mistake("the prediction made on the clean images", "accuracy_curve", "(model(x_adv).argmax(1) == y)",
            "(model(x).argmax(1) == y)", "test_accuracy_curve", "predict on x_adv"),
    Mistake("argmax over the batch", "accuracy_curve", "(model(x_adv).argmax(1) == y)", "(model(x_adv).argmax(0) == y)",
            "test_accuracy_curve", "argmax(1)"),
]
