from alternatives import Alternative

FGSM_STEP = ("    loss = F.cross_entropy(model(x_in), y)\n"
             "    (grad,) = torch.autograd.grad(loss, x_in)\n"
             "    direction = -grad.sign() if targeted else grad.sign()\n")
PROJECT = "return torch.max(torch.min(x_adv, x + eps), x - eps).clamp(low, high)"
START = "u = (2 * torch.rand(x.shape, generator=generator) - 1).to(x.device) * eps"
PGD_STEP = ("        x_adv.requires_grad_(True)\n"
            "        loss = F.cross_entropy(model(x_adv), y)\n"
            "        (grad,) = torch.autograd.grad(loss, x_adv)\n"
            "        x_adv = project(x_adv.detach() + step_size * grad.sign(), x, eps, low, high)\n")
MIXED = ("    loss = alpha * loss_clean + (1 - alpha) * loss_adv\n"
         "    opt.zero_grad()\n"
         "    loss.backward()\n")
BATCHES = ("        correct = 0\n"
           "        for start in range(0, len(labels), batch_size):\n"
           "            x, y = images[start:start + batch_size], labels[start:start + batch_size]\n"
           "            x_adv = attack(model, x, y, eps)\n"
           "            with torch.no_grad():\n"
           "                correct += (model(x_adv).argmax(1) == y).sum().item()\n"
           "        accuracies.append(correct / len(labels))\n")

ALTERNATIVES = [
    # fgsm
    Alternative("the summed cross-entropy", "fgsm", "loss = F.cross_entropy(model(x_in), y)",
                'loss = F.cross_entropy(model(x_in), y, reduction="sum")  # B times the mean: the same signs',
                "test_fgsm", "the sum's gradient is B times the mean's, so its sign is the same"),
    Alternative("targeted by negating the loss", "fgsm", FGSM_STEP,
                "    loss = F.cross_entropy(model(x_in), y) * (-1 if targeted else 1)  # targeted: descend\n"
                "    (grad,) = torch.autograd.grad(loss, x_in)\n"
                "    direction = grad.sign()\n",
                "test_fgsm", "sign(grad(-J)) = -sign(grad J): the same step for both kinds"),
    Alternative("the cross-entropy as nll_loss of log_softmax", "fgsm", "loss = F.cross_entropy(model(x_in), y)",
                "loss = F.nll_loss(F.log_softmax(model(x_in), dim=1), y)", "test_fgsm",
                "cross_entropy is nll_loss applied to log_softmax: the same loss, the same gradient"),
    # project
    Alternative("torch.clamp with tensor bounds", "project", PROJECT,
                "return torch.clamp(x_adv, x - eps, x + eps).clamp(low, high)", "test_project",
                "clamp accepts tensors as bounds, as the hint says"),
    Alternative("the two boxes intersected first", "project", PROJECT,
                "return torch.min(torch.max(x_adv, (x - eps).clamp_min(low)), (x + eps).clamp_max(high))",
                "test_project", "for x in [low, high] the intersection of the ball and the range is "
                "[max(x - eps, low), min(x + eps, high)]"),
    Alternative("the range first, then the ball", "project", PROJECT,
                "return torch.max(torch.min(x_adv.clamp(low, high), x + eps), x - eps)", "test_project",
                "x lies in [low, high], so the two intervals meet and clamping to one then the other, in either "
                "order, ends in their intersection"),
    Alternative("the perturbation clamped", "project", PROJECT,
                "return (x + (x_adv - x).clamp(-eps, eps)).clamp(low, high)", "test_project",
                "x + clamp(x_adv - x, -eps, eps) is x_adv clamped to [x - eps, x + eps]"),
    # pgd
    Alternative("the start drawn with uniform_", "pgd", START,
                "u = torch.empty(x.shape).uniform_(-eps, eps, generator=generator).to(x.device)",
                "test_pgd", "uniform on [-eps, eps] from the given generator, by another call"),
    Alternative("the gradient by backward on a fresh leaf", "pgd", PGD_STEP,
                "        x_adv = x_adv.detach().requires_grad_(True)\n"
                "        F.cross_entropy(model(x_adv), y).backward()\n"
                "        x_adv = project(x_adv.detach() + step_size * x_adv.grad.sign(), x, eps, low, high)\n",
                "test_pgd", "the same gradient at the current x_adv; the docstring does not ask to spare the "
                "model's .grad here"),
    Alternative("the projection of each step written inline", "pgd",
                "x_adv = project(x_adv.detach() + step_size * grad.sign(), x, eps, low, high)",
                "x_adv = torch.clamp(x_adv.detach() + step_size * grad.sign(), x - eps, x + eps).clamp(low, high)",
                "test_pgd", "project's own formula: the ball, then the range"),
    Alternative("the start clamped to the range only", "pgd", "x_adv = project(x + u, x, eps, low, high)",
                "x_adv = (x + u).clamp(low, high)  # |u| <= eps: already in the ball", "test_pgd",
                "u lies in [-eps, eps], so x + u is in the ball and projecting it only clamps it to the range"),
    # adversarial_training_step
    Alternative("the mixture with torch.lerp", "adversarial_training_step",
                "loss = alpha * loss_clean + (1 - alpha) * loss_adv",
                "loss = torch.lerp(loss_adv, loss_clean, alpha)  # loss_adv + alpha (loss_clean - loss_adv)",
                "test_adversarial_training_step", "the same mixture, written as an interpolation"),
    Alternative("two backward passes into zeroed gradients", "adversarial_training_step", MIXED,
                "    loss = alpha * loss_clean + (1 - alpha) * loss_adv\n"
                "    opt.zero_grad()\n"
                "    (alpha * loss_clean).backward()\n"
                "    ((1 - alpha) * loss_adv).backward()  # gradients add up: the gradient of the mixture\n",
                "test_adversarial_training_step", "backward accumulates, so the two terms' gradients sum to the "
                "mixture's, after the attack and after zero_grad"),
    Alternative("the clean loss before the attack", "adversarial_training_step",
                "    x_adv = attack(model, x, y, eps).detach()  # a fixed input: no gradient through its construction\n"
                "    loss_clean = F.cross_entropy(model(x), y)\n",
                "    loss_clean = F.cross_entropy(model(x), y)\n"
                "    x_adv = attack(model, x, y, eps).detach()\n",
                "test_adversarial_training_step", "the attack changes no weight, and its own backward uses a graph of "
                "its own; the zero_grad still comes after it"),
    Alternative("model.zero_grad() in place of opt.zero_grad()", "adversarial_training_step", MIXED,
                MIXED.replace("opt.zero_grad()", "model.zero_grad()"), "test_adversarial_training_step",
                "opt holds the model's parameters: both clear the same gradients"),
    # accuracy_curve
    Alternative("the hits concatenated, then averaged", "accuracy_curve", BATCHES,
                "        hits = []\n"
                "        for start in range(0, len(labels), batch_size):\n"
                "            x, y = images[start:start + batch_size], labels[start:start + batch_size]\n"
                "            x_adv = attack(model, x, y, eps)\n"
                "            with torch.no_grad():\n"
                "                hits.append(model(x_adv).argmax(1) == y)\n"
                "        accuracies.append(torch.cat(hits).float().mean().item())\n",
                "test_accuracy_curve", "the mean over all N images of the correct answers, batch by batch"),
    Alternative("batches from Tensor.split", "accuracy_curve", BATCHES,
                "        correct = 0\n"
                "        for x, y in zip(images.split(batch_size), labels.split(batch_size)):\n"
                "            x_adv = attack(model, x, y, eps)\n"
                "            with torch.no_grad():\n"
                "                correct += int((model(x_adv).argmax(1) == y).sum())\n"
                "        accuracies.append(correct / len(labels))\n",
                "test_accuracy_curve", "split gives the same consecutive batches, the last one smaller"),
    Alternative("the batches outside, the eps values inside", "accuracy_curve",
                "    for eps in eps_values:\n" + BATCHES,
                "    correct = [0] * len(eps_values)\n"
                "    for start in range(0, len(labels), batch_size):\n"
                "        x, y = images[start:start + batch_size], labels[start:start + batch_size]\n"
                "        for i, eps in enumerate(eps_values):\n"
                "            x_adv = attack(model, x, y, eps)\n"
                "            with torch.no_grad():\n"
                "                correct[i] += (model(x_adv).argmax(1) == y).sum().item()\n"
                "    accuracies = [c / len(labels) for c in correct]\n",
                "test_accuracy_curve", "the same attacks on the same batches, counted per eps, in another order"),
    Alternative("torch.inference_mode for the prediction", "accuracy_curve", BATCHES,
                BATCHES.replace("torch.no_grad()", "torch.inference_mode()"), "test_accuracy_curve",
                "inference_mode is no_grad and more; the attack still runs outside it"),
    # further alternatives
    Alternative("the cross-entropy gathered from log_softmax", "fgsm", "loss = F.cross_entropy(model(x_in), y)",
                "loss = -F.log_softmax(model(x_in), dim=1).gather(1, y[:, None]).mean()", "test_fgsm",
                "minus the mean log-probability of each image's label is the mean cross-entropy"),
    Alternative("the ball by torch.where", "project", PROJECT,
                "inside = torch.where(x_adv > x + eps, x + eps, torch.where(x_adv < x - eps, x - eps, x_adv))\n"
                "    return inside.clamp(low, high)", "test_project",
                "each entry above the ball is set to its top, each below to its bottom: the clamp to the ball"),
    Alternative("the start drawn the other way round", "pgd", START,
                "u = eps * (1 - 2 * torch.rand(x.shape, generator=generator)).to(x.device)", "test_pgd",
                "1 - 2U is uniform on [-1, 1] as 2U - 1 is: the same distribution, from the same generator"),
    Alternative("the count kept as a tensor, read at the end", "accuracy_curve", BATCHES,
                BATCHES.replace(".sum().item()", ".sum()").replace("accuracies.append(correct / len(labels))",
                                                                  "accuracies.append((correct / len(labels)).item())"),
                "test_accuracy_curve", "the same count, converted to a Python float once per eps"),
]
