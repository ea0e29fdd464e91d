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
G_STEP = "    loss_G = generator_loss(D(fake))\n    opt_G.zero_grad()\n    loss_G.backward()\n    opt_G.step()\n"

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
    # sample_noise, more
    Alternative("Tensor.normal_ on an empty tensor", "sample_noise", NOISE,
                "return torch.empty(n, z_dim).normal_(0.0, 1.0, generator=generator)", "test_sample_noise",
                "normal_ fills the float32 tensor with N(0, 1) draws from the generator"),
    Alternative("torch.normal with a size", "sample_noise", NOISE,
                "return torch.normal(0.0, 1.0, size=(n, z_dim), generator=generator)", "test_sample_noise",
                "the same distribution, float32 by default, from the generator"),
    Alternative("one flat draw, reshaped", "sample_noise", NOISE,
                "return torch.randn(n * z_dim, generator=generator).reshape(n, z_dim)", "test_sample_noise",
                "n * z_dim independent N(0, 1) draws, arranged in rows"),
    # discriminator_loss, more
    Alternative("logaddexp with 0", "discriminator_loss", SOLUTION_D,
                "zero = torch.zeros(())\n"
                "    return torch.logaddexp(zero, -real_logits).mean() + torch.logaddexp(zero, fake_logits).mean()",
                "test_discriminator_loss", "log(1 + e^x) = logaddexp(0, x), computed stably"),
    Alternative("the stable softplus by hand", "discriminator_loss", SOLUTION_D,
                "def sp(x):  # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|), finite for any x\n"
                "        return F.relu(x) + torch.log1p(torch.exp(-x.abs()))\n"
                "    return sp(-real_logits).mean() + sp(fake_logits).mean()",
                "test_discriminator_loss", "the textbook stable form of softplus"),
    Alternative("one weighted BCE over both batches", "discriminator_loss", SOLUTION_D,
                "logits = torch.cat([real_logits, fake_logits])\n"
                "    targets = torch.cat([torch.ones_like(real_logits), torch.zeros_like(fake_logits)])\n"
                "    weights = torch.cat([torch.full_like(real_logits, 1 / len(real_logits)),\n"
                "                         torch.full_like(fake_logits, 1 / len(fake_logits))])\n"
                "    return F.binary_cross_entropy_with_logits(logits, targets, weight=weights, reduction=\"sum\")",
                "test_discriminator_loss", "weights 1/B_real and 1/B_fake make the sum the two separate means"),
    # optimal_discriminator, more
    Alternative("sigmoid of the log-density ratio", "optimal_discriminator", D_STAR,
                "    return torch.sigmoid(torch.log(p_data) - torch.log(p_g)).nan_to_num(nan=0.5)",
                "test_optimal_discriminator",
                "p / (p + q) = sigmoid(log p - log q); logs of 0 give 0 and 1 exactly, and only 0/0 gives NaN"),
    Alternative("one over one plus the ratio", "optimal_discriminator", D_STAR,
                "    return torch.nan_to_num(1 / (1 + p_g / p_data), nan=0.5)", "test_optimal_discriminator",
                "p / (p + q) = 1 / (1 + q / p), with q / 0 = inf giving 0; only 0/0 gives NaN"),
    Alternative("masked_fill twice", "optimal_discriminator", D_STAR,
                "    empty = total == 0\n    return (p_data / total.masked_fill(empty, 1.0)).masked_fill(empty, 0.5)",
                "test_optimal_discriminator", "the same values, by masks instead of torch.where"),
    # generator losses, more
    Alternative("saturating: log D minus the logit", "generator_losses", SATURATING,
                "return -F.softplus(-fake_logits).mean() - fake_logits.mean()", "test_generator_loss_saturating",
                "log(1 - sigmoid(a)) = log sigmoid(a) - a, and log sigmoid(a) = -softplus(-a)"),
    Alternative("saturating: logaddexp", "generator_losses", SATURATING,
                "return -torch.logaddexp(torch.zeros_like(fake_logits), fake_logits).mean()",
                "test_generator_loss_saturating", "softplus(a) = logaddexp(0, a)"),
    Alternative("non-saturating: the minimax loss of the negated logits", "generator_losses", NONSATURATING,
                "return -generator_loss_saturating(-fake_logits)", "test_generator_loss_nonsaturating",
                "-log sigmoid(a) = -log(1 - sigmoid(-a))"),
    # train_step, more
    Alternative("the real batch viewed as (k, B, d)", "train_step", LOOP.split("\n")[0],
                "    for real_batch in real.view(k, -1, real.shape[-1]):", "test_train_step",
                "the same k consecutive chunks of B rows as real.chunk(k)"),
    Alternative("the modules' zero_grad()", "train_step", D_UPDATE,
                D_UPDATE.replace("opt_D.zero_grad()", "D.zero_grad()"), "test_train_step",
                "opt_D holds exactly D's parameters, so D.zero_grad() clears the same gradients"),
    Alternative("D frozen during G's update, then unfrozen", "train_step", G_NOISE + G_STEP,
                "    D.requires_grad_(False)  # G's loss leaves no gradient in D\n" + G_NOISE + G_STEP
                + "    D.requires_grad_(True)\n", "test_train_step",
                "G still gets its gradient through D; D is trainable again before the function returns"),
    Alternative("torch.randn on real.device", "train_step",
                "fake = G(sample_noise(B, z_dim).to(real.device)).detach()",
                "fake = G(torch.randn(B, z_dim, device=real.device)).detach()", "test_train_step",
                "fresh N(0, 1) noise of B rows on the right device is what sample_noise gives"),
    Alternative("the fake batch detached in place", "train_step",
                "fake = G(sample_noise(B, z_dim).to(real.device)).detach()",
                "fake = G(sample_noise(B, z_dim).to(real.device)).detach_()", "test_train_step",
                "detach_() cuts G's output out of the graph as detach() does, on the tensor itself"),
    Alternative("all of D's fakes from one call of G", "train_step", LOOP,
                "    fakes = G(sample_noise(real.shape[0], z_dim).to(real.device)).detach().chunk(k)\n"
                "    for real_batch, fake in zip(real.chunk(k), fakes):\n"
                "        B = real_batch.shape[0]\n"
                "        loss_D = discriminator_loss(D(real_batch), D(fake))\n",
                "test_train_step", "G maps each row of noise on its own: k * B fresh rows, cut into k fake batches"),
    # still more
    Alternative("nn.init.normal_ on an empty tensor, with the generator", "sample_noise", NOISE,
                "return nn.init.normal_(torch.empty(n, z_dim), mean=0.0, std=1.0, generator=generator)",
                "test_sample_noise", "nn.init.normal_ fills the float32 tensor with N(0, 1) draws from the generator"),
    Alternative("the loss module, BCEWithLogitsLoss", "discriminator_loss", SOLUTION_D,
                "bce = nn.BCEWithLogitsLoss()  # the mean over its batch\n"
                "    return (bce(real_logits, torch.ones_like(real_logits))\n"
                "            + bce(fake_logits, torch.zeros_like(fake_logits)))",
                "test_discriminator_loss", "the module computes the same stable mean as the functional loss"),
    Alternative("one minus p_g's share", "optimal_discriminator", D_STAR,
                "    return torch.nan_to_num(1 - p_g / total, nan=0.5)", "test_optimal_discriminator",
                "p_data / (p_data + p_g) = 1 - p_g / (p_data + p_g); only 0/0 gives NaN"),
    Alternative("non-saturating: the Softplus module", "generator_losses", NONSATURATING,
                "return nn.Softplus()(-fake_logits).mean()", "test_generator_loss_nonsaturating",
                "nn.Softplus() computes what F.softplus does, with the same threshold for large inputs"),
    Alternative("chunks of B rows by split", "train_step", LOOP.split("\n")[0],
                "    for real_batch in real.split(real.shape[0] // k):", "test_train_step",
                "real has k * B rows, so k chunks of B rows are exactly real.chunk(k)"),
    Alternative("G frozen during D's updates, instead of detach", "train_step", LOOP + D_UPDATE,
                "    G.requires_grad_(False)  # D's updates leave no gradient in G\n"
                + LOOP.replace(".detach()  # no gradient into G", "") + D_UPDATE + "    G.requires_grad_(True)\n",
                "test_train_step", "with G's parameters frozen no gradient reaches G from D's loss, and G is "
                "trainable again for its own update"),
]
