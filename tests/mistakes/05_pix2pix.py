from mistakes import Mistake

D_RETURN = ("return 0.5 * (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))\n"
            "                  + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))")
G_GAN = "loss_gan = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))"
FORWARD = "torch.cat([x, self.up(self.inner(self.down(x)))], dim=1)"
D_BLOCK = "nn.Conv2d(c, 2 * c, 4, stride=stride, padding=1, bias=False), nn.BatchNorm2d(2 * c), nn.LeakyReLU(0.2)"

MISTAKES = [
    # UNetBlock
    Mistake("the skip after the way up", "UNetBlock", "torch.cat([x, self.up(self.inner(self.down(x)))], dim=1)",
            "torch.cat([self.up(self.inner(self.down(x))), x], dim=1)", "test_UNetBlock",
            "x itself, unchanged, and first"),
    Mistake("the way up's channels ignore the inner skip", "UNetBlock",
            "coming_up = 2 * inner_channels if inner is not None else inner_channels", "coming_up = inner_channels",
            "test_UNetBlock", "2 * inner_channels"),
    Mistake("a bias before BatchNorm", "UNetBlock",
            "nn.Conv2d(outer_channels, inner_channels, 4, stride=2, padding=1, bias=False)",
            "nn.Conv2d(outer_channels, inner_channels, 4, stride=2, padding=1)", "test_UNetBlock", "bias=False"),
    Mistake("ReLU on the way down", "UNetBlock", "            nn.LeakyReLU(0.2),\n", "            nn.ReLU(),\n",
            "test_UNetBlock", "the leaky one goes down"),
    Mistake("Dropout2d on the way up", "UNetBlock", "up.append(nn.Dropout(0.5))", "up.append(nn.Dropout2d(0.5))",
            "test_UNetBlock", "nn.Dropout2d drops whole channels"),
    Mistake("the skip detached", "UNetBlock", FORWARD, FORWARD.replace("[x,", "[x.detach(),"),
            "test_UNetBlock", "detach"),
    Mistake("the inner block never called", "UNetBlock", FORWARD, "torch.cat([x, self.up(self.down(x))], dim=1)",
            "test_UNetBlock", "self.inner"),
    Mistake("dropout whatever the flag", "UNetBlock", "        if dropout:\n            up.append(nn.Dropout(0.5))\n",
            "        up.append(nn.Dropout(0.5))\n", "test_UNetBlock", "up: ConvTranspose2d, BatchNorm2d, ReLU"),
    Mistake("an in-place dropout after the ReLU", "UNetBlock", "up.append(nn.Dropout(0.5))",
            "up.append(nn.Dropout(0.5, inplace=True))", "test_UNetBlock", "inplace"),
    # patch_discriminator
    Mistake("BatchNorm after the first convolution", "patch_discriminator",
            "layers = [nn.Conv2d(in_channels, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]",
            "layers = [nn.Conv2d(in_channels, width, 4, stride=2, padding=1), nn.BatchNorm2d(width),"
            " nn.LeakyReLU(0.2)]",
            "test_patch_discriminator", "no BatchNorm after the first convolution"),
    Mistake("every block strided", "patch_discriminator", "[2] * (n_down - 1) + [1]", "[2] * n_down",
            "test_patch_discriminator", "then one block of stride 1"),
    Mistake("the channels not doubled", "patch_discriminator", "        c *= 2\n", "",
            "test_patch_discriminator", "double the channels"),
    Mistake("a bias before BatchNorm in D", "patch_discriminator", D_BLOCK,
            D_BLOCK.replace(", bias=False", ""), "test_patch_discriminator",
            "bias=False in the convolutions that BatchNorm"),
    Mistake("LeakyReLU's default slope", "patch_discriminator", D_BLOCK,
            D_BLOCK.replace("LeakyReLU(0.2)", "LeakyReLU()"), "test_patch_discriminator", "the default slope is 0.01"),
    Mistake("a sigmoid at the end", "patch_discriminator", "layers.append(nn.Conv2d(c, 1, 4, stride=1, padding=1))",
            "layers += [nn.Conv2d(c, 1, 4, stride=1, padding=1), nn.Sigmoid()]", "test_patch_discriminator",
            "no Sigmoid at the end"),
    Mistake("one strided block too many", "patch_discriminator", "[2] * (n_down - 1) + [1]", "[2] * n_down + [1]",
            "test_patch_discriminator", "n_down - 1 strided blocks"),
    Mistake("the logit layer unpadded", "patch_discriminator", "layers.append(nn.Conv2d(c, 1, 4, stride=1, padding=1))",
            "layers.append(nn.Conv2d(c, 1, 4, stride=1))", "test_patch_discriminator", "the logit layer too"),
    Mistake("the channels capped at 8 * width", "patch_discriminator",
            "        layers += [" + D_BLOCK + "]\n        c *= 2\n",
            "        out = min(2 * c, 8 * width)  # pix2pix's own code caps them at 8 * 64 = 512\n"
            "        layers += [nn.Conv2d(c, out, 4, stride=stride, padding=1, bias=False), nn.BatchNorm2d(out),"
            " nn.LeakyReLU(0.2)]\n        c = out\n",
            "test_patch_discriminator", "double the channels"),
    # receptive_field
    Mistake("the layers walked from the input", "receptive_field", "for kernel_size, stride in reversed(layers):",
            "for kernel_size, stride in layers:",
            "test_receptive_field", "(reversed)"),
    Mistake("the overlap k - s forgotten", "receptive_field", "r = stride * r + (kernel_size - stride)",
            "r = stride * r + kernel_size", "test_receptive_field", "r = s * r + (k - s)"),
    Mistake("starting at r = 0", "receptive_field", "r = 1\n", "r = 0\n", "test_receptive_field", "starting at r = 1"),
    Mistake("a float", "receptive_field", "r = 1\n", "r = 1.0\n", "test_receptive_field", "return an int"),
    Mistake("the strides not multiplied up", "receptive_field",
            "    r = 1\n    for kernel_size, stride in reversed(layers):\n"
            "        r = stride * r + (kernel_size - stride)\n",
            "    r = 1\n    for kernel_size, stride in layers:\n        r += (kernel_size - 1) * stride\n",
            "test_receptive_field", "r = s * r + (k - s)"),
    # discriminator_loss
    Mistake("the fake output not detached", "discriminator_loss", "fake.detach()", "fake",
            "test_discriminator_loss", "torch.cat([x, fake.detach()], dim=1)"),
    Mistake("the factor 0.5 forgotten", "discriminator_loss", "return 0.5 * (", "return (",
            "test_discriminator_loss", "forget the factor 0.5"),
    Mistake("the labels swapped", "discriminator_loss",
            "torch.ones_like(real_logits))\n                  + F.binary_cross_entropy_with_logits(fake_logits, "
            "torch.zeros_like(fake_logits))",
            "torch.zeros_like(real_logits))\n                  + F.binary_cross_entropy_with_logits(fake_logits, "
            "torch.ones_like(fake_logits))",
            "test_discriminator_loss", "labels 1 for real, 0 for fake"),
    Mistake("the real pair output first", "discriminator_loss", "D(torch.cat([x, y], dim=1))",
            "D(torch.cat([y, x], dim=1))",
            "test_discriminator_loss", "input first"),
    Mistake("a sigmoid, then F.binary_cross_entropy", "discriminator_loss", D_RETURN,
            D_RETURN.replace("_with_logits(real_logits", "(torch.sigmoid(real_logits)")
            .replace("_with_logits(fake_logits", "(torch.sigmoid(fake_logits)"),
            "test_discriminator_loss", "through a sigmoid"),
    Mistake("the log of a sigmoid, by hand", "discriminator_loss", D_RETURN,
            "return -0.5 * (torch.log(torch.sigmoid(real_logits)).mean()"
            " + torch.log(1 - torch.sigmoid(fake_logits)).mean())",
            "test_discriminator_loss", "through a sigmoid"),
    Mistake("the fake pair scored under torch.no_grad()", "discriminator_loss",
            "    fake_logits = D(torch.cat([x, fake.detach()], dim=1))\n",
            "    with torch.no_grad():  # D's update must not reach G\n"
            "        fake_logits = D(torch.cat([x, fake], dim=1))\n",
            "test_discriminator_loss", "learns from both pairs"),
    Mistake("the fake logits detached", "discriminator_loss", "D(torch.cat([x, fake.detach()], dim=1))",
            "D(torch.cat([x, fake], dim=1)).detach()", "test_discriminator_loss", "learns from both pairs"),
    Mistake("the generated pair built on y", "discriminator_loss", "D(torch.cat([x, fake.detach()], dim=1))",
            "D(torch.cat([y, fake.detach()], dim=1))", "test_discriminator_loss", "(x, fake)"),
    Mistake("the patches summed", "discriminator_loss", D_RETURN,
            "def per_image(logits, target):\n"
            "        return F.binary_cross_entropy_with_logits(logits, target, reduction=\"none\").sum((1, 2, 3))\n"
            "    return 0.5 * (per_image(real_logits, torch.ones_like(real_logits)).mean()\n"
            "                  + per_image(fake_logits, torch.zeros_like(fake_logits)).mean())",
            "test_discriminator_loss", "average over the batch and over all patches"),
    # generator_loss
    Mistake("G's pair labelled fake", "generator_loss", "torch.ones_like(fake_logits)", "torch.zeros_like(fake_logits)",
            "test_generator_loss", "G wants its pair called real"),
    Mistake("the fake detached in G's loss", "generator_loss", "D(torch.cat([x, fake], dim=1))",
            "D(torch.cat([x, fake.detach()], dim=1))", "test_generator_loss", "do not detach fake here"),
    Mistake("L1 summed", "generator_loss", "(y - fake).abs().mean()", "(y - fake).abs().sum()",
            "test_generator_loss", "not the sum"),
    Mistake("lam ignored", "generator_loss", "return loss_gan + lam * loss_l1",
            "return loss_gan + 100.0 * loss_l1",
            "test_generator_loss", "loss_G = loss_gan + lam * loss_l1"),
    Mistake("G's loss through a sigmoid", "generator_loss", G_GAN,
            "loss_gan = F.binary_cross_entropy(torch.sigmoid(fake_logits), torch.ones_like(fake_logits))",
            "test_generator_loss", "through a sigmoid"),
    Mistake("G's pair built on y", "generator_loss", "D(torch.cat([x, fake], dim=1))", "D(torch.cat([y, fake], dim=1))",
            "test_generator_loss", "(x, fake)"),
    Mistake("L1 to the input x", "generator_loss", "(y - fake).abs().mean()", "(x - fake).abs().mean()",
            "test_generator_loss", "not the input x"),
    Mistake("a squared error for the L1 term", "generator_loss", "(y - fake).abs().mean()", "((y - fake) ** 2).mean()",
            "test_generator_loss", "not a square (L2)"),
    Mistake("lam on the adversarial term", "generator_loss", "return loss_gan + lam * loss_l1,",
            "return lam * loss_gan + loss_l1,", "test_generator_loss", "loss_G = loss_gan + lam * loss_l1"),
    Mistake("the terms returned in another order", "generator_loss",
            "return loss_gan + lam * loss_l1, loss_gan, loss_l1", "return loss_gan + lam * loss_l1, loss_l1, loss_gan",
            "test_generator_loss", "(loss_G, loss_gan, loss_l1)"),
]
