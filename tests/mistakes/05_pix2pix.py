from mistakes import Mistake

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
    # receptive_field
    Mistake("the layers walked from the input", "receptive_field", "for kernel_size, stride in reversed(layers):",
            "for kernel_size, stride in layers:",
            "test_receptive_field", "(reversed)"),
    Mistake("the overlap k - s forgotten", "receptive_field", "r = stride * r + (kernel_size - stride)",
            "r = stride * r + kernel_size", "test_receptive_field", "r = s * r + (k - s)"),
    Mistake("starting at r = 0", "receptive_field", "r = 1\n", "r = 0\n", "test_receptive_field", "starting at r = 1"),
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
]
