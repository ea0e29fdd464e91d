from mistakes import Mistake

CYCLE = "(rec_A - real_A).abs().mean() + (rec_B - real_B).abs().mean()"
IDENTITY = "(G(real_B) - real_B).abs().mean() + (F(real_A) - real_A).abs().mean()"
POOL_TAIL = ("    for image in images.detach():\n"
             "        if len(pool) < size:\n"
             "            pool.append(image)\n"
             "            out.append(image)\n"
             "        elif torch.rand(1, generator=generator).item() < 0.5:\n"
             "            i = torch.randint(size, (1,), generator=generator).item()\n"
             "            out.append(pool[i])\n"
             "            pool[i] = image\n"
             "        else:\n"
             "            out.append(image)\n"
             "    return torch.stack(out)\n")
LOSS_G = "loss_G = loss_gan + lambda_cyc * loss_cyc + lambda_idt * lambda_cyc * loss_idt"

MISTAKES = [
    # lsgan_losses
    Mistake("D's targets swapped", "lsgan_losses",
            "0.5 * ((real_scores - 1) ** 2).mean() + 0.5 * (fake_scores ** 2).mean()",
            "0.5 * (real_scores ** 2).mean() + 0.5 * ((fake_scores - 1) ** 2).mean()",
            "test_lsgan_losses", "are the targets swapped"),
    Mistake("D's loss not halved", "lsgan_losses",
            "0.5 * ((real_scores - 1) ** 2).mean() + 0.5 * (fake_scores ** 2).mean()",
            "((real_scores - 1) ** 2).mean() + (fake_scores ** 2).mean()",
            "test_lsgan_losses", "0.5 * mean((real - 1)^2) + 0.5 * mean(fake^2)"),
    Mistake("one mean over real and fake scores together", "lsgan_losses",
            "0.5 * ((real_scores - 1) ** 2).mean() + 0.5 * (fake_scores ** 2).mean()",
            "torch.cat([((real_scores - 1) ** 2).flatten(), (fake_scores ** 2).flatten()]).mean()",
            "test_lsgan_losses", "mean each term over its own tensor"),
    Mistake("G's loss halved", "lsgan_losses", "return ((fake_scores - 1) ** 2).mean()",
            "return 0.5 * ((fake_scores - 1) ** 2).mean()", "test_lsgan_losses", "not halved"),
    Mistake("the fakes pushed to -1", "lsgan_losses", "0.5 * (fake_scores ** 2).mean()",
            "0.5 * ((fake_scores + 1) ** 2).mean()", "test_lsgan_losses", "fakes towards 0"),
    # cycle_loss
    Mistake("a squared error", "cycle_loss", "(rec_A - real_A).abs().mean() + (rec_B - real_B).abs().mean()",
            "((rec_A - real_A) ** 2).mean() + ((rec_B - real_B) ** 2).mean()", "test_cycle_loss", "no square"),
    Mistake("no absolute value", "cycle_loss", "(rec_A - real_A).abs().mean() + (rec_B - real_B).abs().mean()",
            "(rec_A - real_A).mean() + (rec_B - real_B).mean()", "test_cycle_loss", "an absolute value"),
    Mistake("the B -> A -> B term left out", "cycle_loss",
            "(rec_A - real_A).abs().mean() + (rec_B - real_B).abs().mean()", "(rec_A - real_A).abs().mean()",
            "test_cycle_loss", "add the B -> A -> B term too"),
    Mistake("the two terms averaged", "cycle_loss", CYCLE, "0.5 * (" + CYCLE + ")", "test_cycle_loss",
            "the two terms are added, not averaged"),
    # identity_loss
    Mistake("G fed its own input domain", "identity_loss", "(G(real_B) - real_B)", "(G(real_A) - real_A)",
            "test_identity_loss", "G must be fed real_B"),
    Mistake("F fed its own input domain", "identity_loss", "(F(real_A) - real_A)", "(F(real_B) - real_B)",
            "test_identity_loss", "F must be fed real_A"),
    Mistake("identity: a squared error", "identity_loss", "(G(real_B) - real_B).abs().mean()",
            "((G(real_B) - real_B) ** 2).mean()", "test_identity_loss", "not a square"),
    Mistake("the identity loss under torch.no_grad()", "identity_loss", "    return " + IDENTITY,
            "    with torch.no_grad():  # the identity term only measures\n        return " + IDENTITY,
            "test_identity_loss", "no torch.no_grad()"),
    Mistake("the identity loss as a float", "identity_loss", IDENTITY,
            IDENTITY.replace(".mean()", ".mean().item()"), "test_identity_loss", ".item()"),
    # query_pool
    Mistake("the fakes not detached", "query_pool", "for image in images.detach():", "for image in images:",
            "test_query_pool", "work on images.detach()"),
    Mistake("Python's random instead of the generator", "query_pool",
            "torch.rand(1, generator=generator).item() < 0.5", "__import__('random').random() < 0.5",
            "test_query_pool", "draw every random number from the generator"),
    Mistake("one coin for the whole batch", "query_pool",
            "    out = []\n    for image in images.detach():\n        if len(pool) < size:\n"
            "            pool.append(image)\n            out.append(image)\n"
            "        elif torch.rand(1, generator=generator).item() < 0.5:",
            "    out = []\n    swap = torch.rand(1, generator=generator).item() < 0.5\n"
            "    for image in images.detach():\n        if len(pool) < size:\n"
            "            pool.append(image)\n            out.append(image)\n        elif swap:",
            "test_query_pool", "not one coin for the whole batch"),
    Mistake("the returned image left in the pool", "query_pool", "            pool[i] = image\n", "",
            "test_query_pool", "put the new image into pool[i]"),
    Mistake("torch.cat instead of torch.stack", "query_pool", "return torch.stack(out)", "return torch.cat(out)",
            "test_query_pool", "torch.stack the returned images"),
    Mistake("randint's upper bound taken as inclusive", "query_pool",
            "i = torch.randint(size, (1,), generator=generator)",
            "i = torch.randint(0, size - 1, (1,), generator=generator)",
            "test_query_pool", "uniformly"),
    Mistake("the pool filled to size + 1", "query_pool", "        if len(pool) < size:\n",
            "        if len(pool) <= size:\n",
            "test_query_pool", "store only while len(pool) < size"),
    Mistake("the new image stored before the old one is read", "query_pool",
            "            out.append(pool[i])\n            pool[i] = image\n",
            "            pool[i] = image\n            out.append(pool[i])\n", "test_query_pool",
            "after returning pool[i]"),
    Mistake("size 0 not handled", "query_pool", "    if size == 0:\n        return images.detach()\n", "",
            "test_query_pool", "size 0 means no pool"),
    Mistake("size 0 returns the images attached", "query_pool", "    if size == 0:\n        return images.detach()\n",
            "    if size == 0:\n        return images\n",
            "test_query_pool", "size 0"),
    # generator_objective
    Mistake("the discriminators swapped", "generator_objective",
            "loss_gan = lsgan_generator_loss(D_B(fake_B)) + lsgan_generator_loss(D_A(fake_A))",
            "loss_gan = lsgan_generator_loss(D_A(fake_B)) + lsgan_generator_loss(D_B(fake_A))",
            "test_generator_objective", "D_B judges G's fakes"),
    Mistake("the identity weight without lambda_cyc", "generator_objective",
            "loss_G = loss_gan + lambda_cyc * loss_cyc + lambda_idt * lambda_cyc * loss_idt",
            "loss_G = loss_gan + lambda_cyc * loss_cyc + lambda_idt * loss_idt", "test_generator_objective",
            "the identity weight is lambda_idt * lambda_cyc"),
    Mistake("the round trips through the wrong translators", "generator_objective",
            "cycle_loss(real_A, F(fake_B), real_B, G(fake_A))", "cycle_loss(real_A, G(fake_B), real_B, F(fake_A))",
            "test_generator_objective", "rec_A = F(fake_B)"),
    Mistake("the fakes detached", "generator_objective", "fake_B, fake_A = G(real_A), F(real_B)",
            "fake_B, fake_A = G(real_A).detach(), F(real_B).detach()", "test_generator_objective",
            "do not detach the fakes"),
    Mistake("the fakes detached in the adversarial terms", "generator_objective",
            "loss_gan = lsgan_generator_loss(D_B(fake_B)) + lsgan_generator_loss(D_A(fake_A))",
            "loss_gan = lsgan_generator_loss(D_B(fake_B.detach())) + lsgan_generator_loss(D_A(fake_A.detach()))",
            "test_generator_objective", "not D_B(fake_B.detach())"),
    Mistake("the fakes detached in the round trips", "generator_objective",
            "cycle_loss(real_A, F(fake_B), real_B, G(fake_A))",
            "cycle_loss(real_A, F(fake_B.detach()), real_B, G(fake_A.detach()))",
            "test_generator_objective", "not F(fake_B.detach())"),
    Mistake("identity_loss with the domains swapped", "generator_objective",
            "loss_idt = identity_loss(G, F, real_A, real_B)", "loss_idt = identity_loss(G, F, real_B, real_A)",
            "test_generator_objective", "identity_loss(G, F, real_A, real_B)"),
    Mistake("loss_G built in place on loss_gan", "generator_objective", LOSS_G,
            "loss_G = loss_gan\n    loss_G += lambda_cyc * loss_cyc\n    loss_G += lambda_idt * lambda_cyc * loss_idt",
            "test_generator_objective", "in place"),
    # lsgan_losses
    Mistake("D's scores through a sigmoid", "lsgan_losses",
            "0.5 * ((real_scores - 1) ** 2).mean() + 0.5 * (fake_scores ** 2).mean()",
            "0.5 * ((torch.sigmoid(real_scores) - 1) ** 2).mean() + 0.5 * (torch.sigmoid(fake_scores) ** 2).mean()",
            "test_lsgan_losses", "no sigmoid"),
    Mistake("G's scores through a sigmoid", "lsgan_losses", "return ((fake_scores - 1) ** 2).mean()",
            "return ((torch.sigmoid(fake_scores) - 1) ** 2).mean()", "test_lsgan_losses", "no sigmoid"),
    Mistake("the squared errors added before the mean", "lsgan_losses",
            "0.5 * ((real_scores - 1) ** 2).mean() + 0.5 * (fake_scores ** 2).mean()",
            "0.5 * ((real_scores - 1) ** 2 + fake_scores ** 2).mean()",
            "test_lsgan_losses", "mean each term over its own tensor"),
    # cycle_loss
    Mistake("each round trip compared with the other domain", "cycle_loss", CYCLE,
            "(rec_A - real_B).abs().mean() + (rec_B - real_A).abs().mean()", "test_cycle_loss",
            "rec_A with real_A"),
    Mistake("one mean over both round trips", "cycle_loss", CYCLE,
            "torch.cat([(rec_A - real_A).flatten(), (rec_B - real_B).flatten()]).abs().mean()", "test_cycle_loss",
            "added, not averaged"),
    # identity_loss
    Mistake("the two identity terms averaged", "identity_loss", IDENTITY, "0.5 * (" + IDENTITY + ")",
            "test_identity_loss", "added, not averaged"),
    # query_pool
    Mistake("only the returned batch detached", "query_pool", POOL_TAIL,
            POOL_TAIL.replace("images.detach()", "images").replace("torch.stack(out)", "torch.stack(out).detach()"),
            "test_query_pool", "store detached images"),
    Mistake("torch.rand without the generator", "query_pool", "torch.rand(1, generator=generator).item() < 0.5",
            "torch.rand(1).item() < 0.5", "test_query_pool", "draw every random number from the generator"),
    # generator_objective
    Mistake("the adversarial terms averaged", "generator_objective",
            "loss_gan = lsgan_generator_loss(D_B(fake_B)) + lsgan_generator_loss(D_A(fake_A))",
            "loss_gan = 0.5 * (lsgan_generator_loss(D_B(fake_B)) + lsgan_generator_loss(D_A(fake_A)))",
            "test_generator_objective", "added, not averaged"),
    Mistake("the identity term as a number", "generator_objective", "loss_idt = identity_loss(G, F, real_A, real_B)",
            "loss_idt = identity_loss(G, F, real_A, real_B).item()", "test_generator_objective",
            "no .item() or .detach()"),
    Mistake("the identity term detached", "generator_objective", "loss_idt = identity_loss(G, F, real_A, real_B)",
            "loss_idt = identity_loss(G, F, real_A, real_B).detach()", "test_generator_objective",
            "no .item() or .detach()"),
    Mistake("the cycle term not weighted", "generator_objective", LOSS_G,
            LOSS_G.replace("lambda_cyc * loss_cyc", "loss_cyc"), "test_generator_objective", "lambda_cyc * loss_cyc"),
]
