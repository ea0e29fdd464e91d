from alternatives import Alternative

NOISE = "return torch.randn(n, z_dim, generator=generator)"
SOLUTION_D = "return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()"
D_STAR = ("    safe = torch.where(total > 0, total, torch.ones_like(total))\n"
          "    return torch.where(total > 0, p_data / safe, torch.full_like(total, 0.5))")
SATURATING = "return -F.softplus(fake_logits).mean()"
NONSATURATING = "return F.softplus(-fake_logits).mean()"
LOOP = ("    for real_batch in real.chunk(k):\n"
        "        B = real_batch.shape[0]\n"
        "        fake = G(sample_noise(B, z_dim).to(real.device)).detach()  # no gradient into G\n"
        "        loss_D = discriminator_loss(D(real_batch), D(fake))\n")
D_UPDATE = "        opt_D.zero_grad()\n        loss_D.backward()\n        opt_D.step()\n"
G_NOISE = "    fake = G(sample_noise(B, z_dim).to(real.device))\n"

ALTERNATIVES = [
    # sample_noise
    Alternative("drawn transposed, then transposed back", "sample_noise", NOISE,
                "return torch.randn(z_dim, n, generator=generator).T", "test_sample_noise",
                "every entry is still an independent N(0, 1) draw from the generator; the docstring fixes no order"),
    Alternative("one row at a time", "sample_noise", NOISE,
                "return torch.stack([torch.randn(z_dim, generator=generator) for _ in range(n)])", "test_sample_noise",
                "n draws of z_dim entries are N(0, 1) and reproducible from the generator all the same"),
    Alternative("Box-Muller from uniforms", "sample_noise", NOISE,
                "u1 = 1 - torch.rand(n, z_dim, generator=generator)  # in (0, 1]: the log stays finite\n"
                "    u2 = torch.rand(n, z_dim, generator=generator)\n"
                "    return (-2 * torch.log(u1)).sqrt() * torch.cos(2 * math.pi * u2)",
                "test_sample_noise", "the Box-Muller transform of two uniforms is exactly N(0, 1)"),
    # discriminator_loss
    Alternative("binary_cross_entropy_with_logits", "discriminator_loss", SOLUTION_D,
                "return (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))\n"
                "            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))",
                "test_discriminator_loss", "the same two means of -log D and -log(1 - D), computed from logits"),
    Alternative("logsigmoid", "discriminator_loss", SOLUTION_D,
                "return -F.logsigmoid(real_logits).mean() - F.logsigmoid(-fake_logits).mean()",
                "test_discriminator_loss", "log sigmoid(a) = -softplus(-a) and log(1 - sigmoid(a)) = log sigmoid(-a)"),
    # optimal_discriminator
    Alternative("nan_to_num of the plain ratio", "optimal_discriminator", D_STAR,
                "    return torch.nan_to_num(p_data / total, nan=0.5)", "test_optimal_discriminator",
                "the ratio is exact wherever total > 0, and only 0/0 gives NaN"),
    Alternative("the 0/0 entries overwritten", "optimal_discriminator", D_STAR,
                "    d = p_data / total\n    d[total == 0] = 0.5\n    return d", "test_optimal_discriminator",
                "the same values, set by a mask instead of torch.where"),
    Alternative("torch.where with a scalar", "optimal_discriminator", D_STAR,
                "    return torch.where(total > 0, p_data / total, 0.5)", "test_optimal_discriminator",
                "the NaN of 0/0 is computed but not selected"),
    # generator losses
    Alternative("saturating: logsigmoid", "generator_losses", SATURATING, "return F.logsigmoid(-fake_logits).mean()",
                "test_generator_loss_saturating", "log(1 - sigmoid(a)) = log sigmoid(-a)"),
    Alternative("saturating: minus BCE with logits", "generator_losses", SATURATING,
                "return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))",
                "test_generator_loss_saturating", "BCE with target 0 is -log(1 - D); its negative is the minimax loss"),
    Alternative("non-saturating: logsigmoid", "generator_losses", NONSATURATING,
                "return -F.logsigmoid(fake_logits).mean()", "test_generator_loss_nonsaturating",
                "-log sigmoid(a) = softplus(-a)"),
    Alternative("non-saturating: BCE with logits", "generator_losses", NONSATURATING,
                "return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))",
                "test_generator_loss_nonsaturating", "BCE with target 1 is -log D(G(z))"),
    # train_step
    Alternative("G's noise drawn before the D updates", "train_step", LOOP + D_UPDATE + G_NOISE,
                "    z_G = sample_noise(real.shape[0] // k, z_dim).to(real.device)\n" + LOOP + D_UPDATE
                + "    fake = G(z_G)\n",
                "test_train_step", "G's noise is still fresh and of B rows; the docstring fixes no order of draws"),
    Alternative("all of D's noise drawn at once", "train_step", LOOP,
                "    zs = sample_noise(real.shape[0], z_dim).to(real.device).chunk(k)\n"
                "    for real_batch, z in zip(real.chunk(k), zs):\n"
                "        B = real_batch.shape[0]\n"
                "        fake = G(z).detach()\n"
                "        loss_D = discriminator_loss(D(real_batch), D(fake))\n",
                "test_train_step", "each D update still gets B fresh rows of noise, never used twice"),
    Alternative("one pass of D over real and fake, no_grad instead of detach", "train_step", LOOP,
                "    for real_batch in real.chunk(k):\n"
                "        B = real_batch.shape[0]\n"
                "        with torch.no_grad():\n"
                "            fake = G(sample_noise(B, z_dim).to(real.device))\n"
                "        logits = D(torch.cat([real_batch, fake]))\n"
                "        loss_D = discriminator_loss(logits[:B], logits[B:])\n",
                "test_train_step",
                "no gradient reaches G from D's loss, and a D without BatchNorm scores each row on its own"),
]
