from mistakes import Mistake

RANGE = "if y.numel() and (y.min() < 0 or y.max() >= num_classes):"
ENCODE = "return torch.zeros(y.shape[0], num_classes, device=y.device).scatter_(1, y[:, None], 1.0)"
G_IN = "return torch.cat([z, one_hot(y, num_classes).to(z.dtype)], dim=1)"
D_IN = "return torch.cat([x, maps], dim=1)"
D_REAL = "torch.full_like(source_real, real_label)"
D_CLASS = "loss_class = F.cross_entropy(class_real, y_real) + fake_class_weight * F.cross_entropy(class_fake, y_fake)"
BCE = "F.binary_cross_entropy_with_logits"
G_SOURCE = BCE + "(source_fake, torch.ones_like(source_fake))\n            + F.cross_entropy"
G_CLASS = "            + F.cross_entropy(class_fake, y_fake))\n    ### END"
D_SOURCE = ("(F.binary_cross_entropy_with_logits(source_real, torch.full_like(source_real, real_label))\n"
            "                   + F.binary_cross_entropy_with_logits(source_fake, torch.zeros_like(source_fake)))")

MISTAKES = [
    # one_hot
    Mistake("y.min() on an empty batch", "one_hot", RANGE, "if y.min() < 0 or y.max() >= num_classes:",
            "test_one_hot", "an empty batch is valid"),
    Mistake("no range check", "one_hot", RANGE, "if False:", "test_one_hot", "raise ValueError when"),
    Mistake("negative labels let through", "one_hot", RANGE, "if (y >= num_classes).any():",
            "test_one_hot", "raise ValueError when"),
    Mistake("int64 vectors", "one_hot", ENCODE, "return F.one_hot(y, num_classes)", "test_one_hot", "add .float()"),
    Mistake("rows and columns swapped", "one_hot", ENCODE,
            "return torch.zeros(num_classes, y.shape[0], device=y.device).scatter_(0, y[None], 1.0)",
            "test_one_hot", "row i has its 1 in column y[i]"),
    Mistake("the range check off by one", "one_hot", RANGE,
            "if y.numel() and (y.min() < 0 or y.max() > num_classes):", "test_one_hot", "raise ValueError when"),
    Mistake("the range checked after encoding", "one_hot",
            "    if y.numel() and (y.min() < 0 or y.max() >= num_classes):\n",
            "    out = torch.eye(num_classes, device=y.device)[y]\n"
            "    if ((y < 0) | (y >= num_classes)).any():\n", "test_one_hot", "before encoding"),
    Mistake("F.one_hot without num_classes", "one_hot", ENCODE, "return F.one_hot(y).float()",
            "test_one_hot", "pass num_classes"),
    # generator_input
    Mistake("label before the noise", "generator_input", G_IN,
            "return torch.cat([one_hot(y, num_classes).to(z.dtype), z], dim=1)", "test_generator_input",
            "the noise comes first"),
    Mistake("the one-hot part left in float32", "generator_input", G_IN,
            "return torch.cat([z, one_hot(y, num_classes)], dim=1)", "test_generator_input", ".to(z.dtype)"),
    Mistake("the noise detached", "generator_input", G_IN,
            "return torch.cat([z.detach(), one_hot(y, num_classes).to(z.dtype)], dim=1)", "test_generator_input",
            "do not detach the noise"),
    Mistake("the label as one number", "generator_input", G_IN,
            "return torch.cat([z, y[:, None].to(z.dtype)], dim=1)", "test_generator_input", "d + K columns"),
    Mistake("K hard-coded to 10", "generator_input", G_IN,
            "return torch.cat([z, one_hot(y, 10).to(z.dtype)], dim=1)", "test_generator_input", "d + K columns"),
    Mistake("the one-hot part rescaled to [-1, 1]", "generator_input", G_IN,
            "return torch.cat([z, 2 * one_hot(y, num_classes).to(z.dtype) - 1], dim=1)", "test_generator_input",
            "0 elsewhere"),
    # discriminator_input
    Mistake("label maps before the image", "discriminator_input", D_IN, "return torch.cat([maps, x], dim=1)",
            "test_discriminator_input", "the image channels come first"),
    Mistake("the maps left in float32", "discriminator_input",
            "one_hot(y, num_classes).to(x.dtype)[:, :, None, None]", "one_hot(y, num_classes)[:, :, None, None]",
            "test_discriminator_input", "convert the maps with .to(x.dtype)"),
    Mistake("the image detached", "discriminator_input", D_IN, "return torch.cat([x.detach(), maps], dim=1)",
            "test_discriminator_input", "do not detach x"),
    Mistake("H and W swapped", "discriminator_input", "H, W = x.shape[-2:]", "W, H = x.shape[-2:]",
            "test_discriminator_input", "H and W in that order"),
    Mistake("the maps sized for MNIST", "discriminator_input", "None, None].expand(-1, -1, H, W)",
            "None, None].expand(-1, -1, 28, 28)",
            "test_discriminator_input", "as x.shape[-2:] gives them"),
    Mistake("the label maps rescaled to [-1, 1]", "discriminator_input", D_IN,
            "return torch.cat([x, 2 * maps - 1], dim=1)", "test_discriminator_input",
            "every other label channel is zeros"),
    # acgan_discriminator_loss
    Mistake("fakes labelled real", "acgan_losses",
            "F.binary_cross_entropy_with_logits(source_fake, torch.zeros_like(source_fake))",
            "F.binary_cross_entropy_with_logits(source_fake, torch.ones_like(source_fake))",
            "test_acgan_discriminator_loss", "target 0 for the fakes"),
    Mistake("real_label ignored", "acgan_losses", D_REAL, "torch.ones_like(source_real)",
            "test_acgan_discriminator_loss", "BCE(source_real, real_label)"),
    Mistake("fake_class_weight on both class terms", "acgan_losses", D_CLASS,
            "loss_class = fake_class_weight * (F.cross_entropy(class_real, y_real)"
            " + F.cross_entropy(class_fake, y_fake))",
            "test_acgan_discriminator_loss", "fake_class_weight multiplies only the class term"),
    Mistake("the class terms subtracted", "acgan_losses", "return loss_source + loss_class",
            "return loss_source - loss_class", "test_acgan_discriminator_loss", "add all four"),
    Mistake("a sum for the real source term", "acgan_losses", D_REAL,
            D_REAL + ', reduction="sum"', "test_acgan_discriminator_loss", "not a sum"),
    Mistake("D's source terms through a sigmoid", "acgan_losses", D_SOURCE,
            D_SOURCE.replace("_with_logits(source_real", "(torch.sigmoid(source_real)")
            .replace("_with_logits(source_fake", "(torch.sigmoid(source_fake)"),
            "test_acgan_discriminator_loss", "through a sigmoid"),
    Mistake("the fakes' target smoothed too", "acgan_losses",
            "F.binary_cross_entropy_with_logits(source_fake, torch.zeros_like(source_fake))",
            "F.binary_cross_entropy_with_logits(source_fake, torch.full_like(source_fake, 1 - real_label))",
            "test_acgan_discriminator_loss", "target 0 for the fakes"),
    Mistake("the source terms halved", "acgan_losses", D_SOURCE, "0.5 * " + D_SOURCE,
            "test_acgan_discriminator_loss", "add all four"),
    Mistake("a softmax before D's cross_entropy", "acgan_losses", D_CLASS,
            D_CLASS.replace("(class_real,", "(class_real.softmax(1),")
            .replace("(class_fake,", "(class_fake.softmax(1),"),
            "test_acgan_discriminator_loss", "no softmax"),
    Mistake("a (B,) target for (B, 1) logits", "acgan_losses", D_REAL,
            "torch.full((len(source_real),), real_label)", "test_acgan_discriminator_loss", "(B, 1)"),
    Mistake("the real labels in the fake class term", "acgan_losses", D_CLASS,
            D_CLASS.replace("(class_fake, y_fake)", "(class_fake, y_real)"),
            "test_acgan_discriminator_loss", "y_fake"),
    # acgan_generator_loss
    Mistake("the saturating source loss", "acgan_losses", G_SOURCE,
            "-" + BCE + "(source_fake, torch.zeros_like(source_fake))\n            + F.cross_entropy",
            "test_acgan_generator_loss", "BCE(source_fake, 1)"),
    Mistake("source target 0 for G", "acgan_losses", G_SOURCE,
            BCE + "(source_fake, torch.zeros_like(source_fake))\n            + F.cross_entropy",
            "test_acgan_generator_loss", "G's source target is 1"),
    Mistake("the class term subtracted", "acgan_losses", G_CLASS, G_CLASS.replace("+", "-"),
            "test_acgan_generator_loss", "the class term with a plus sign"),
    Mistake("G's source term through a sigmoid", "acgan_losses", G_SOURCE,
            "F.binary_cross_entropy(torch.sigmoid(source_fake), torch.ones_like(source_fake))\n"
            "            + F.cross_entropy",
            "test_acgan_generator_loss", "through a sigmoid"),
    Mistake("G's source target smoothed", "acgan_losses", G_SOURCE,
            BCE + "(source_fake, torch.full_like(source_fake, 0.9))\n            + F.cross_entropy",
            "test_acgan_generator_loss", "G's source target is 1"),
    Mistake("G's class term summed", "acgan_losses", G_CLASS,
            G_CLASS.replace("y_fake))", 'y_fake, reduction="sum"))'), "test_acgan_generator_loss", "not a sum"),
    # one_hot
    Mistake("an assert instead of a ValueError", "one_hot",
            "    if y.numel() and (y.min() < 0 or y.max() >= num_classes):\n"
            "        raise ValueError(f\"labels must lie in [0, {num_classes}), got values from {y.min().item()} to "
            "{y.max().item()}\")\n",
            "    assert ((y >= 0) & (y < num_classes)).all(), \"labels out of range\"\n",
            "test_one_hot", "raise ValueError when"),
    # generator_input
    Mistake("the noise and the label joined along the batch", "generator_input", G_IN,
            "return torch.cat([z, one_hot(y, num_classes).to(z.dtype)])", "test_generator_input",
            "concatenate along dim=1"),
    # discriminator_input
    Mistake("the label maps not expanded", "discriminator_input", "None, None].expand(-1, -1, H, W)", "None, None]",
            "test_discriminator_input", "maps of shape (B, K, H, W)"),
    # acgan_discriminator_loss
    Mistake("fake_class_weight on the fake source term too", "acgan_losses",
            "+ F.binary_cross_entropy_with_logits(source_fake, torch.zeros_like(source_fake)))",
            "+ fake_class_weight * F.binary_cross_entropy_with_logits(source_fake, torch.zeros_like(source_fake)))",
            "test_acgan_discriminator_loss", "fake_class_weight multiplies only the class term"),
    Mistake("D's logits of the fakes detached", "acgan_losses", D_SOURCE + "\n" + "    " + D_CLASS,
            D_SOURCE.replace("(source_fake,", "(source_fake.detach(),") + "\n    "
            + D_CLASS.replace("(class_fake,", "(class_fake.detach(),"),
            "test_acgan_discriminator_loss", "do not detach"),
    Mistake("D's source logits squeezed, targets shaped like the labels", "acgan_losses", D_SOURCE,
            "(F.binary_cross_entropy_with_logits(source_real.squeeze(), torch.full_like(y_real, real_label, "
            "dtype=torch.float))\n"
            "                   + F.binary_cross_entropy_with_logits(source_fake.squeeze(), torch.zeros_like(y_fake, "
            "dtype=torch.float)))",
            "test_acgan_discriminator_loss", "squeeze"),
    Mistake("D's targets made on the CPU", "acgan_losses", D_SOURCE,
            D_SOURCE.replace("torch.full_like(source_real, real_label)", "torch.full(source_real.shape, real_label)")
            .replace("torch.zeros_like(source_fake)", "torch.zeros(len(source_fake), 1)"),
            "test_acgan_discriminator_loss", "device"),
    Mistake("nll_loss on the raw class logits", "acgan_losses", D_CLASS,
            D_CLASS.replace("F.cross_entropy", "F.nll_loss"), "test_acgan_discriminator_loss", "F.nll_loss"),
    Mistake("D's loss halved", "acgan_losses", "return loss_source + loss_class",
            "return 0.5 * (loss_source + loss_class)", "test_acgan_discriminator_loss", "add all four"),
    # acgan_generator_loss
    Mistake("a softmax before G's cross_entropy", "acgan_losses", G_CLASS,
            G_CLASS.replace("(class_fake,", "(class_fake.softmax(1),"), "test_acgan_generator_loss", "no softmax"),
    Mistake("G's class logits detached", "acgan_losses", G_CLASS,
            G_CLASS.replace("(class_fake,", "(class_fake.detach(),"), "test_acgan_generator_loss", "do not detach"),
    Mistake("G's source logits squeezed, targets shaped like the labels", "acgan_losses", G_SOURCE,
            BCE + "(source_fake.squeeze(), torch.ones_like(y_fake, dtype=torch.float))\n            + F.cross_entropy",
            "test_acgan_generator_loss", "squeeze"),
    Mistake("G's target made on the CPU", "acgan_losses", G_SOURCE,
            BCE + "(source_fake, torch.ones(len(source_fake), 1))\n            + F.cross_entropy",
            "test_acgan_generator_loss", "device"),
]
