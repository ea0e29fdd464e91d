from mistakes import Mistake

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
    # cycle_loss
    Mistake("a squared error", "cycle_loss", "(rec_A - real_A).abs().mean() + (rec_B - real_B).abs().mean()",
            "((rec_A - real_A) ** 2).mean() + ((rec_B - real_B) ** 2).mean()", "test_cycle_loss", "no square"),
    Mistake("no absolute value", "cycle_loss", "(rec_A - real_A).abs().mean() + (rec_B - real_B).abs().mean()",
            "(rec_A - real_A).mean() + (rec_B - real_B).mean()", "test_cycle_loss", "an absolute value"),
    Mistake("the B -> A -> B term left out", "cycle_loss",
            "(rec_A - real_A).abs().mean() + (rec_B - real_B).abs().mean()", "(rec_A - real_A).abs().mean()",
            "test_cycle_loss", "add the B -> A -> B term too"),
    # identity_loss
    Mistake("G fed its own input domain", "identity_loss", "(G(real_B) - real_B)", "(G(real_A) - real_A)",
            "test_identity_loss", "G must be fed real_B"),
    Mistake("F fed its own input domain", "identity_loss", "(F(real_A) - real_A)", "(F(real_B) - real_B)",
            "test_identity_loss", "F must be fed real_A"),
    Mistake("identity: a squared error", "identity_loss", "(G(real_B) - real_B).abs().mean()",
            "((G(real_B) - real_B) ** 2).mean()", "test_identity_loss", "not a square"),
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
]
