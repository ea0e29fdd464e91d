from alternatives import Alternative

ONE_HOT = ('    if y.numel() and (y.min() < 0 or y.max() >= num_classes):\n'
           '        raise ValueError(f"labels must lie in [0, {num_classes}), got values from {y.min().item()} to '
           '{y.max().item()}")\n'
           '    return torch.zeros(y.shape[0], num_classes, device=y.device).scatter_(1, y[:, None], 1.0)\n')
G_IN = "    return torch.cat([z, one_hot(y, num_classes).to(z.dtype)], dim=1)\n"
D_MAPS = ("    H, W = x.shape[-2:]\n"
          "    maps = one_hot(y, num_classes).to(x.dtype)[:, :, None, None].expand(-1, -1, H, W)  # (B, K, H, W)\n")
D_SOURCE = ("    loss_source = (F.binary_cross_entropy_with_logits(source_real, "
            "torch.full_like(source_real, real_label))\n"
            "                   + F.binary_cross_entropy_with_logits(source_fake, torch.zeros_like(source_fake)))\n")
D_CLASS = ("    loss_class = F.cross_entropy(class_real, y_real) + fake_class_weight * F.cross_entropy(class_fake, "
           "y_fake)\n")
G_LOSS = ("    return (F.binary_cross_entropy_with_logits(source_fake, torch.ones_like(source_fake))\n"
          "            + F.cross_entropy(class_fake, y_fake))\n")

ALTERNATIVES = [
    # one_hot
    Alternative("F.one_hot with .any() range checks", "one_hot", ONE_HOT,
                "    if (y < 0).any() or (y >= num_classes).any():\n"
                "        raise ValueError(f\"labels must lie in [0, {num_classes}), got {y.tolist()}\")\n"
                "    return F.one_hot(y, num_classes).float()\n",
                "test_one_hot", "the hint's second way: F.one_hot gives int64 on y's device, .float() makes it "
                "float32"),
    Alternative("rows of an identity matrix", "one_hot", ONE_HOT,
                "    outside = (y < 0) | (y >= num_classes)\n"
                "    if outside.any():\n"
                "        raise ValueError(f\"labels outside [0, {num_classes}): {y[outside].tolist()}\")\n"
                "    return torch.eye(num_classes, device=y.device)[y]\n",
                "test_one_hot", "row y of the identity is the one-hot vector of y; the range is checked first"),
    Alternative("a comparison with arange", "one_hot", ONE_HOT,
                "    if torch.any((y < 0) | (y >= num_classes)):\n"
                "        raise ValueError(f\"labels must lie in [0, {num_classes})\")\n"
                "    return (y[:, None] == torch.arange(num_classes, device=y.device)).float()\n",
                "test_one_hot", "entry (i, k) is 1 exactly where y[i] == k"),
    # generator_input
    Alternative("torch.hstack and type_as", "generator_input", G_IN,
                "    return torch.hstack((z, one_hot(y, num_classes).type_as(z)))\n",
                "test_generator_input", "hstack joins 2-D tensors along dim 1; type_as converts to z's dtype"),
    Alternative("a buffer filled in two slices", "generator_input", G_IN,
                "    d = z.shape[1]\n"
                "    joined = z.new_zeros(z.shape[0], d + num_classes)\n"
                "    joined[:, :d] = z  # copied with its graph: the gradient still reaches z\n"
                "    joined[:, d:] = one_hot(y, num_classes)\n"
                "    return joined\n",
                "test_generator_input", "the same columns in z's dtype; autograd follows the slice assignment"),
    # discriminator_input
    Alternative("repeat instead of expand, converted last", "discriminator_input", D_MAPS,
                "    B, _, H, W = x.shape\n"
                "    maps = one_hot(y, num_classes).view(B, num_classes, 1, 1).repeat(1, 1, H, W).to(x.dtype)\n",
                "test_discriminator_input", "repeat copies what expand views: the same (B, K, H, W) maps"),
    Alternative("maps by broadcasting against ones of the image's size", "discriminator_input", D_MAPS,
                "    maps = one_hot(y, num_classes).to(x.dtype)[:, :, None, None] * torch.ones_like(x[:, :1])\n",
                "test_discriminator_input", "(B, K, 1, 1) times (B, 1, H, W) broadcasts to (B, K, H, W); ones_like "
                "carries no gradient"),
    # acgan_discriminator_loss
    Alternative("the source terms from softplus", "acgan_losses", D_SOURCE,
                "    loss_source = (F.softplus(source_real) - real_label * source_real).mean() + "
                "F.softplus(source_fake).mean()\n",
                "test_acgan_discriminator_loss", "BCE(s, t) = softplus(s) - t s, stable for any logit"),
    Alternative("the class terms from log_softmax and nll_loss", "acgan_losses", D_CLASS,
                "    log_p_real, log_p_fake = F.log_softmax(class_real, dim=1), F.log_softmax(class_fake, dim=1)\n"
                "    loss_class = (F.nll_loss(log_p_real, y_real)\n"
                "                  + fake_class_weight * F.nll_loss(log_p_fake, y_fake))\n",
                "test_acgan_discriminator_loss", "cross_entropy is nll_loss of log_softmax"),
    # acgan_generator_loss
    Alternative("logsigmoid and a gathered log_softmax", "acgan_losses", G_LOSS,
                "    log_p = F.log_softmax(class_fake, dim=1).gather(1, y_fake[:, None])  # (M, 1)\n"
                "    return -F.logsigmoid(source_fake).mean() - log_p.mean()\n",
                "test_acgan_generator_loss", "-log sigmoid(s) = BCE(s, 1) and -log softmax at y is CE"),
    Alternative("the loss modules", "acgan_losses", G_LOSS,
                "    return nn.BCEWithLogitsLoss()(source_fake, torch.ones_like(source_fake)) + "
                "nn.CrossEntropyLoss()(class_fake, y_fake)\n",
                "test_acgan_generator_loss", "the module forms of the same two losses"),
]
