from mistakes import Mistake

SOLUTION_D = "return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()"
LOOP = ("        B = real_batch.shape[0]\n"
        "        fake = G(sample_noise(B, z_dim).to(real.device)).detach()  # no gradient into G\n"
        "        loss_D = discriminator_loss(D(real_batch), D(fake))\n")
DETACHED = "fake = G(sample_noise(B, z_dim).to(real.device)).detach()  # no gradient into G"
D_UPDATE = "        opt_D.zero_grad()\n        loss_D.backward()\n        opt_D.step()\n"
G_UPDATE = ("    fake = G(sample_noise(B, z_dim).to(real.device))\n    loss_G = generator_loss(D(fake))\n"
            "    opt_G.zero_grad()\n    loss_G.backward()\n    opt_G.step()\n")
RETURN = '    return {"loss_D": loss_D.item(),'

MISTAKES = [
    # sample_noise
    Mistake("uniform noise", "sample_noise", "torch.randn(n, z_dim, generator=generator)",
            "torch.rand(n, z_dim, generator=generator)", "test_sample_noise", "torch.rand is uniform"),
    Mistake("the generator not passed on", "sample_noise", "torch.randn(n, z_dim, generator=generator)",
            "torch.randn(n, z_dim)", "test_sample_noise", "pass generator=generator"),
    Mistake("the shape transposed", "sample_noise", "torch.randn(n, z_dim, generator=generator)",
            "torch.randn(z_dim, n, generator=generator)", "test_sample_noise", "the shape is (n, z_dim)"),
    Mistake("the global stream reseeded inside", "sample_noise", "return torch.randn(n, z_dim, generator=generator)",
            "torch.manual_seed(0)\n    return torch.randn(n, z_dim, generator=generator)", "test_sample_noise",
            "do not seed anything inside sample_noise"),
    # discriminator_loss
    Mistake("labels swapped", "discriminator_loss", SOLUTION_D,
            "return F.softplus(real_logits).mean() + F.softplus(-fake_logits).mean()",
            "test_discriminator_loss", "are the labels swapped"),
    Mistake("log of a sigmoid", "discriminator_loss", SOLUTION_D,
            "return -torch.log(torch.sigmoid(real_logits)).mean() - torch.log(1 - torch.sigmoid(fake_logits)).mean()",
            "test_discriminator_loss", "underflows to -inf"),
    Mistake("BCE on sigmoid outputs (clamped)", "discriminator_loss", SOLUTION_D,
            "return (F.binary_cross_entropy(torch.sigmoid(real_logits), torch.ones_like(real_logits))\n"
            "            + F.binary_cross_entropy(torch.sigmoid(fake_logits), torch.zeros_like(fake_logits)))",
            "test_discriminator_loss", "clamps each log"),
    Mistake("one mean over both batches", "discriminator_loss", SOLUTION_D,
            "return torch.cat([F.softplus(-real_logits), F.softplus(fake_logits)]).mean()",
            "test_discriminator_loss", "average each term over its own batch"),
    Mistake("sums instead of means", "discriminator_loss", SOLUTION_D,
            "return F.softplus(-real_logits).sum() + F.softplus(fake_logits).sum()",
            "test_discriminator_loss", "average each term over its own batch"),
    # optimal_discriminator
    Mistake("no guard for 0/0", "optimal_discriminator",
            "return torch.where(total > 0, p_data / safe, torch.full_like(total, 0.5))",
            "return p_data / total", "test_optimal_discriminator", "0/0 gives NaN"),
    Mistake("the likelihood ratio", "optimal_discriminator",
            "return torch.where(total > 0, p_data / safe, torch.full_like(total, 0.5))",
            "return torch.where(total > 0, p_data / torch.where(p_g > 0, p_g, torch.ones_like(p_g)),"
            " torch.full_like(total, 0.5))",
            "test_optimal_discriminator", "D* = p_data / (p_data + p_g)"),
    Mistake("p_g on top", "optimal_discriminator",
            "return torch.where(total > 0, p_data / safe, torch.full_like(total, 0.5))",
            "return torch.where(total > 0, p_g / safe, torch.full_like(total, 0.5))",
            "test_optimal_discriminator", "not p_data / p_g nor p_g / (p_data + p_g)"),
    Mistake("an epsilon instead of the 0/0 case", "optimal_discriminator", "total = p_data + p_g",
            "total = p_data + p_g + 1e-8", "test_optimal_discriminator", "return 1/2 where p_data + p_g == 0"),
    Mistake("an epsilon above and below the line", "optimal_discriminator",
            "return torch.where(total > 0, p_data / safe, torch.full_like(total, 0.5))",
            "return (p_data + 1e-12) / (total + 2e-12)", "test_optimal_discriminator", "densities can be tiny"),
    # the two generator losses
    Mistake("saturating: the sign flipped", "generator_losses", "return -F.softplus(fake_logits).mean()",
            "return F.softplus(fake_logits).mean()", "test_generator_loss_saturating", "it is negative"),
    Mistake("saturating: log(1 - sigmoid)", "generator_losses", "return -F.softplus(fake_logits).mean()",
            "return torch.log(1 - torch.sigmoid(fake_logits)).mean()", "test_generator_loss_saturating",
            "torch.log(1 - torch.sigmoid(a)) gives -inf"),
    Mistake("saturating: BCE on sigmoid outputs (clamped)", "generator_losses",
            "return -F.softplus(fake_logits).mean()",
            "return -F.binary_cross_entropy(torch.sigmoid(fake_logits), torch.zeros_like(fake_logits))",
            "test_generator_loss_saturating", "clamps its log at -100"),
    Mistake("saturating: the non-saturating formula", "generator_losses", "return -F.softplus(fake_logits).mean()",
            "return F.softplus(-fake_logits).mean()", "test_generator_loss_saturating", "it is negative"),
    Mistake("non-saturating: -log(sigmoid)", "generator_losses", "return F.softplus(-fake_logits).mean()",
            "return -torch.log(torch.sigmoid(fake_logits)).mean()", "test_generator_loss_nonsaturating",
            "-torch.log(torch.sigmoid(a)) gives inf"),
    Mistake("non-saturating: BCE on sigmoid outputs (clamped)", "generator_losses",
            "return F.softplus(-fake_logits).mean()",
            "return F.binary_cross_entropy(torch.sigmoid(fake_logits), torch.ones_like(fake_logits))",
            "test_generator_loss_nonsaturating", "clamps its log at -100"),
    Mistake("non-saturating: D's fake term", "generator_losses", "return F.softplus(-fake_logits).mean()",
            "return F.softplus(fake_logits).mean()", "test_generator_loss_nonsaturating", "close to -1 there"),
    Mistake("non-saturating: the sign flipped", "generator_losses", "return F.softplus(-fake_logits).mean()",
            "return -F.softplus(-fake_logits).mean()", "test_generator_loss_nonsaturating", "positive, minimised by G"),
    # train_step
    Mistake("no detach in D's step", "train_step", DETACHED,
            "fake = G(sample_noise(B, z_dim).to(real.device))", "test_train_step", "did you detach the fake batch"),
    Mistake("G trained on the detached fake", "train_step",
            "    fake = G(sample_noise(B, z_dim).to(real.device))\n    loss_G", "    loss_G", "test_train_step",
            "no gradient reached G"),
    Mistake("no opt_D.zero_grad()", "train_step", "        opt_D.zero_grad()\n", "", "test_train_step",
            "call opt_D.zero_grad() before each backward()"),
    Mistake("opt_D.zero_grad() once, before the loop", "train_step",
            "    for real_batch in real.chunk(k):\n" + LOOP + "        opt_D.zero_grad()\n",
            "    opt_D.zero_grad()\n    for real_batch in real.chunk(k):\n" + LOOP,
            "test_train_step", "call opt_D.zero_grad() before each backward()"),
    Mistake("no opt_G.zero_grad()", "train_step", "    opt_G.zero_grad()\n", "", "test_train_step",
            "call opt_G.zero_grad() before each backward()"),
    Mistake("zero_grad() between backward() and step()", "train_step",
            "        opt_D.zero_grad()\n        loss_D.backward()\n",
            "        loss_D.backward()\n        opt_D.zero_grad()\n",
            "test_train_step", "zero_grad() goes before backward()"),
    Mistake("opt_G.zero_grad() between backward() and step()", "train_step",
            "    opt_G.zero_grad()\n    loss_G.backward()\n", "    loss_G.backward()\n    opt_G.zero_grad()\n",
            "test_train_step", "opt_G.zero_grad() goes before backward()"),
    Mistake("G updated before D", "train_step", "    for real_batch in real.chunk(k):\n" + LOOP + D_UPDATE + G_UPDATE,
            "    B = real.shape[0] // k\n" + G_UPDATE + "    for real_batch in real.chunk(k):\n" + LOOP + D_UPDATE,
            "test_train_step", "update D k times first, then G once"),
    Mistake("the mean of the k D losses returned", "train_step",
            "    for real_batch in real.chunk(k):\n" + LOOP + D_UPDATE + G_UPDATE + RETURN,
            "    losses_D = []\n    for real_batch in real.chunk(k):\n" + LOOP + D_UPDATE
            + "        losses_D.append(loss_D.item())\n" + G_UPDATE
            + RETURN.replace("loss_D.item()", "sum(losses_D) / k"),
            "test_train_step", "not the mean of the k"),
    Mistake("one noise batch for all k D updates", "train_step",
            "    for real_batch in real.chunk(k):\n" + LOOP,
            "    z = sample_noise(real.shape[0] // k, z_dim).to(real.device)\n    for real_batch in real.chunk(k):\n"
            + LOOP.replace("G(sample_noise(B, z_dim).to(real.device))", "G(z)"),
            "test_train_step", "never reuse a batch"),
    Mistake("G's update reuses the last D update's noise", "train_step",
            DETACHED + "\n" + LOOP.split("\n")[2] + "\n" + D_UPDATE + G_UPDATE.split("\n")[0] + "\n",
            "fake_full = G(sample_noise(B, z_dim).to(real.device))\n        fake = fake_full.detach()\n"
            + LOOP.split("\n")[2] + "\n" + D_UPDATE + "    fake = fake_full\n",
            "test_train_step", "never reuse a batch"),
    Mistake("the whole real batch at every D step", "train_step", "    for real_batch in real.chunk(k):",
            "    for real_batch in [real] * k:", "test_train_step", "real.chunk(k)"),
    Mistake("generator_loss ignored", "train_step", "generator_loss = generator_loss or generator_loss_nonsaturating",
            "generator_loss = generator_loss_nonsaturating", "test_train_step",
            "use the generator_loss that was passed in"),
]
