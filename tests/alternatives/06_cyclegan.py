from alternatives import Alternative

D_LOSS = "    return 0.5 * ((real_scores - 1) ** 2).mean() + 0.5 * (fake_scores ** 2).mean()\n"
G_LOSS = "    return ((fake_scores - 1) ** 2).mean()\n"
CYCLE = "    return (rec_A - real_A).abs().mean() + (rec_B - real_B).abs().mean()\n"
IDENTITY = "    return (G(real_B) - real_B).abs().mean() + (F(real_A) - real_A).abs().mean()\n"
COIN = ("        elif torch.rand(1, generator=generator).item() < 0.5:\n"
        "            i = torch.randint(size, (1,), generator=generator).item()\n"
        "            out.append(pool[i])\n"
        "            pool[i] = image\n"
        "        else:\n"
        "            out.append(image)\n")
POOL_LOOP = ("    out = []\n"
             "    for image in images.detach():\n"
             "        if len(pool) < size:\n"
             "            pool.append(image)\n"
             "            out.append(image)\n" + COIN)

OBJ = ("    fake_B, fake_A = G(real_A), F(real_B)\n"
       "    loss_gan = lsgan_generator_loss(D_B(fake_B)) + lsgan_generator_loss(D_A(fake_A))\n"
       "    loss_cyc = cycle_loss(real_A, F(fake_B), real_B, G(fake_A))\n"
       "    loss_idt = identity_loss(G, F, real_A, real_B)\n")

ALTERNATIVES = [
    # lsgan_losses
    Alternative("D's loss from mse_loss", "lsgan_losses", D_LOSS,
                "    mse = torch.nn.functional.mse_loss  # F is the name of a translator in this notebook\n"
                "    return 0.5 * mse(real_scores, torch.ones_like(real_scores)) + 0.5 * mse(fake_scores, "
                "torch.zeros_like(fake_scores))\n",
                "test_lsgan_losses", "mse_loss averages the squared differences over each tensor"),
    Alternative("G's loss from nn.MSELoss", "lsgan_losses", G_LOSS,
                "    return nn.MSELoss()(fake_scores, torch.ones_like(fake_scores))\n",
                "test_lsgan_losses", "the mean of (fake_scores - 1)^2, as a module"),
    Alternative("D's loss with pow, halved at the end", "lsgan_losses", D_LOSS,
                "    return ((real_scores - 1).pow(2).mean() + fake_scores.pow(2).mean()) / 2\n",
                "test_lsgan_losses", "half of the sum of the two means"),
    Alternative("G's loss from mse_loss against a scalar target", "lsgan_losses", G_LOSS,
                "    return torch.nn.functional.mse_loss(fake_scores, torch.tensor(1.0))  # the 1 is broadcast\n",
                "test_lsgan_losses", "a 0-dim target broadcasts to every score (PyTorch warns about the shapes, "
                "but the value and the gradient are those of the mean of (s - 1)^2)"),
    # cycle_loss
    Alternative("nn.L1Loss", "cycle_loss", CYCLE,
                "    l1 = nn.L1Loss()\n    return l1(rec_A, real_A) + l1(rec_B, real_B)\n",
                "test_cycle_loss", "L1Loss averages |rec - real| over every entry of each pair"),
    Alternative("a sum divided by the number of entries", "cycle_loss", CYCLE,
                "    a_side = (rec_A - real_A).abs().sum() / real_A.numel()\n"
                "    b_side = (rec_B - real_B).abs().sum() / real_B.numel()\n"
                "    return a_side + b_side\n",
                "test_cycle_loss", "the mean written out, each term over its own batch"),
    Alternative("torch.dist with p=1 over the number of entries", "cycle_loss", CYCLE,
                "    return (torch.dist(rec_A, real_A, p=1) / real_A.numel()\n"
                "            + torch.dist(rec_B, real_B, p=1) / real_B.numel())\n",
                "test_cycle_loss", "the 1-norm of the difference, divided by the count, is its mean absolute value"),
    # identity_loss
    Alternative("l1_loss, F's term first", "identity_loss", IDENTITY,
                "    l1 = torch.nn.functional.l1_loss\n    return l1(F(real_A), real_A) + l1(G(real_B), real_B)\n",
                "test_identity_loss", "the same two means, added in the other order"),
    Alternative("torch.mean of torch.abs, through named outputs", "identity_loss", IDENTITY,
                "    same_B, same_A = G(real_B), F(real_A)\n"
                "    return torch.mean(torch.abs(same_B - real_B)) + torch.mean(torch.abs(same_A - real_A))\n",
                "test_identity_loss", "the same function, written with torch.mean and torch.abs"),
    Alternative("identity_loss from cycle_loss", "identity_loss", IDENTITY,
                "    return cycle_loss(real_A, F(real_A), real_B, G(real_B))  # |F(a) - a| + |G(b) - b|\n",
                "test_identity_loss", "cycle_loss with F(real_A) and G(real_B) as the 'round trips' is the same "
                "sum of two mean absolute differences"),
    # query_pool
    Alternative("the index drawn before the coin", "query_pool", COIN,
                "        else:\n"
                "            i = int(torch.randint(len(pool), (1,), generator=generator))  # used half of the time\n"
                "            if torch.rand(1, generator=generator) < 0.5:\n"
                "                out.append(pool[i])\n"
                "                pool[i] = image\n"
                "            else:\n"
                "                out.append(image)\n",
                "test_query_pool", "each image still swaps with probability 1/2, with a uniform stored image; "
                "the docstring does not fix the order of the draws"),
    Alternative("one coin per image, all drawn at once", "query_pool", POOL_LOOP,
                "    out = []\n"
                "    coins = torch.rand(len(images), generator=generator)  # a coin for each image\n"
                "    for image, coin in zip(images.detach(), coins):\n"
                "        if len(pool) < size:\n"
                "            pool.append(image)\n"
                "            out.append(image)\n"
                "        elif coin < 0.5:\n"
                "            i = torch.randint(0, size, (), generator=generator).item()\n"
                "            out.append(pool[i])\n"
                "            pool[i] = image\n"
                "        else:\n"
                "            out.append(image)\n",
                "test_query_pool", "independent coins, one per image, drawn before the loop; a uniform index"),
    Alternative("the coin read the other way", "query_pool",
                "        elif torch.rand(1, generator=generator).item() < 0.5:\n",
                "        elif torch.rand(1, generator=generator).item() >= 0.5:\n",
                "test_query_pool", "a uniform number is >= 1/2 with probability 1/2 too"),
    Alternative("the free places filled by one slice", "query_pool", POOL_LOOP,
                "    fresh = images.detach()\n"
                "    room = size - len(pool)\n"
                "    pool.extend(fresh[:room])  # the first images fill the free places, one (C, H, W) each\n"
                "    out = list(fresh[:room])\n"
                "    for image in fresh[room:]:\n"
                "        if torch.rand(1, generator=generator).item() < 0.5:\n"
                "            i = torch.randint(size, (1,), generator=generator).item()\n"
                "            out.append(pool[i])\n"
                "            pool[i] = image\n"
                "        else:\n"
                "            out.append(image)\n",
                "test_query_pool", "while there is room every image is stored and returned, whatever else; the "
                "rest go through the coin, in turn"),
    Alternative("a coin from randint(2)", "query_pool", "torch.rand(1, generator=generator).item() < 0.5",
                "torch.randint(2, (1,), generator=generator).item() == 1", "test_query_pool",
                "a fair coin from the generator"),
    # generator_objective
    Alternative("the round trips from fresh translations", "generator_objective",
                "loss_cyc = cycle_loss(real_A, F(fake_B), real_B, G(fake_A))",
                "loss_cyc = cycle_loss(real_A, F(G(real_A)), real_B, G(F(real_B)))",
                "test_generator_objective", "G and F are deterministic here, so translating again gives the same "
                "fakes, with the same graph: the docstring's hint is about cost, not correctness"),
    Alternative("the weights grouped", "generator_objective",
                "loss_G = loss_gan + lambda_cyc * loss_cyc + lambda_idt * lambda_cyc * loss_idt",
                "loss_G = loss_gan + lambda_cyc * (loss_cyc + lambda_idt * loss_idt)",
                "test_generator_objective", "the same sum, with lambda_cyc factored out"),
    Alternative("the identity term written out", "generator_objective",
                "loss_idt = identity_loss(G, F, real_A, real_B)",
                "loss_idt = (G(real_B) - real_B).abs().mean() + (F(real_A) - real_A).abs().mean()",
                "test_generator_objective", "identity_loss's formula, inline"),
    Alternative("the identity term first", "generator_objective", OBJ,
                "    loss_idt = identity_loss(G, F, real_A, real_B)  # the order of the terms is free\n"
                "    fake_B, fake_A = G(real_A), F(real_B)\n"
                "    loss_cyc = cycle_loss(real_A, F(fake_B), real_B, G(fake_A))\n"
                "    loss_gan = lsgan_generator_loss(D_B(fake_B)) + lsgan_generator_loss(D_A(fake_A))\n",
                "test_generator_objective", "the same terms computed in another order"),
    Alternative("loss_G from sum()", "generator_objective",
                "loss_G = loss_gan + lambda_cyc * loss_cyc + lambda_idt * lambda_cyc * loss_idt",
                "loss_G = sum([loss_gan, lambda_cyc * loss_cyc, lambda_idt * lambda_cyc * loss_idt])",
                "test_generator_objective", "sum() adds the three weighted terms to 0"),
    # lsgan_losses
    Alternative("D's loss as the mean of the two means", "lsgan_losses", D_LOSS,
                "    return torch.stack([((real_scores - 1) ** 2).mean(), (fake_scores ** 2).mean()]).mean()\n",
                "test_lsgan_losses", "the mean of two numbers is half their sum"),
    Alternative("G's loss from (1 - s) squared", "lsgan_losses", G_LOSS,
                "    return (1 - fake_scores).square().mean()\n",
                "test_lsgan_losses", "(1 - s)^2 = (s - 1)^2"),
    # cycle_loss
    Alternative("per-image means, then the batch mean", "cycle_loss", CYCLE,
                "    per_A = (rec_A - real_A).abs().flatten(1).mean(1)  # (B_A,)\n"
                "    per_B = (rec_B - real_B).abs().flatten(1).mean(1)  # (B_B,)\n"
                "    return per_A.mean() + per_B.mean()\n",
                "test_cycle_loss", "every image has as many entries as the others, so the mean of the per-image "
                "means is the mean over all entries"),
    # identity_loss
    Alternative("the 1-norm over the number of entries", "identity_loss", IDENTITY,
                "    return ((G(real_B) - real_B).norm(p=1) / real_B.numel()\n"
                "            + (F(real_A) - real_A).norm(p=1) / real_A.numel())\n",
                "test_identity_loss", "the 1-norm of the difference, divided by the count, is its mean absolute "
                "value"),
    # query_pool
    Alternative("the returned image popped, the new one appended", "query_pool",
                "            out.append(pool[i])\n            pool[i] = image\n",
                "            out.append(pool.pop(i))  # the pool holds the same images as with pool[i] = image\n"
                "            pool.append(image)\n",
                "test_query_pool", "the pool is a set of stored images drawn from uniformly: where in the list the "
                "new image sits does not change which image any later draw returns with what probability"),
    Alternative("stored images cloned", "query_pool", POOL_LOOP,
                "    out = []\n"
                "    for image in images.detach():\n"
                "        if len(pool) < size:\n"
                "            pool.append(image.clone())  # a copy of its own, not a view of the batch\n"
                "            out.append(image)\n" + COIN.replace("pool[i] = image", "pool[i] = image.clone()"),
                "test_query_pool", "a clone holds the same values, detached like the image it copies"),
    # generator_objective
    Alternative("each round trip right after its translation", "generator_objective", OBJ,
                "    fake_B = G(real_A)\n"
                "    rec_A = F(fake_B)\n"
                "    fake_A = F(real_B)\n"
                "    rec_B = G(fake_A)\n"
                "    loss_gan = lsgan_generator_loss(D_B(fake_B)) + lsgan_generator_loss(D_A(fake_A))\n"
                "    loss_cyc = cycle_loss(real_A, rec_A, real_B, rec_B)\n"
                "    loss_idt = identity_loss(G, F, real_A, real_B)\n",
                "test_generator_objective", "the same calls in another order; G and F are deterministic"),
]
