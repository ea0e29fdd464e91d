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
    Alternative("ones put in by index", "one_hot", ONE_HOT,
                "    if ((y < 0) | (y >= num_classes)).any():\n"
                "        raise ValueError(f\"labels must lie in [0, {num_classes})\")\n"
                "    out = torch.zeros(len(y), num_classes, device=y.device)\n"
                "    out[torch.arange(len(y), device=y.device), y] = 1.0\n"
                "    return out\n",
                "test_one_hot", "advanced indexing sets entry (i, y[i]) of each row to 1"),
    Alternative("all labels in range, F.one_hot to float32", "one_hot", ONE_HOT,
                "    if not ((y >= 0) & (y < num_classes)).all():  # all() of an empty batch is True\n"
                "        raise ValueError(f\"labels must lie in [0, {num_classes})\")\n"
                "    return F.one_hot(y, num_classes).to(torch.float32)\n",
                "test_one_hot", "the same range test, negated; .to(torch.float32) is .float()"),
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
    Alternative("joined first, converted after", "generator_input", G_IN,
                "    return torch.cat([z, one_hot(y, num_classes)], dim=1).to(z.dtype)\n",
                "test_generator_input", "torch.cat promotes to the wider dtype, and the cast back to z's dtype is "
                "exact for the 0s, the 1s and z itself; the gradient passes through .to"),
    Alternative("zero-padded parts added", "generator_input", G_IN,
                "    label = one_hot(y, num_classes).to(z)\n"
                "    return F.pad(z, (0, num_classes)) + F.pad(label, (z.shape[1], 0))\n",
                "test_generator_input", "each part padded with zeros to d + K columns where the other sits; their "
                "sum is the join, and the gradient reaches z through the pad"),
    # discriminator_input
    Alternative("repeat instead of expand, converted last", "discriminator_input", D_MAPS,
                "    B, _, H, W = x.shape\n"
                "    maps = one_hot(y, num_classes).view(B, num_classes, 1, 1).repeat(1, 1, H, W).to(x.dtype)\n",
                "test_discriminator_input", "repeat copies what expand views: the same (B, K, H, W) maps"),
    Alternative("maps by broadcasting against ones of the image's size", "discriminator_input", D_MAPS,
                "    maps = one_hot(y, num_classes).to(x.dtype)[:, :, None, None] * torch.ones_like(x[:, :1])\n",
                "test_discriminator_input", "(B, K, 1, 1) times (B, 1, H, W) broadcasts to (B, K, H, W); ones_like "
                "carries no gradient"),
    Alternative("boolean maps, promoted by torch.cat", "discriminator_input", D_MAPS,
                "    H, W = x.shape[-2:]\n"
                "    classes = torch.arange(num_classes, device=y.device)\n"
                "    maps = (y[:, None, None, None] == classes[None, :, None, None]).expand(-1, -1, H, W)\n",
                "test_discriminator_input", "True exactly where k == y[i]; torch.cat promotes the booleans to x's "
                "dtype"),
    Alternative("zero maps filled by index", "discriminator_input", D_MAPS,
                "    B, _, H, W = x.shape\n"
                "    maps = x.new_zeros(B, num_classes, H, W)\n"
                "    maps[torch.arange(B), y] = 1.0  # map y[i] of image i is all ones\n",
                "test_discriminator_input", "new_zeros takes x's dtype and device; the maps carry no gradient"),
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
    Alternative("the source terms as a two-logit cross-entropy with soft targets", "acgan_losses", D_SOURCE,
                "    def bce(s, t):  # softmax of the logits (0, s) gives (1 - sigmoid(s), sigmoid(s))\n"
                "        return F.cross_entropy(torch.cat([torch.zeros_like(s), s], 1), torch.cat([1 - t, t], 1))\n"
                "\n"
                "    loss_source = bce(source_real, torch.full_like(source_real, real_label)) + bce(\n"
                "        source_fake, torch.zeros_like(source_fake))\n",
                "test_acgan_discriminator_loss", "cross_entropy with probabilities (1 - t, t) as the target is "
                "-(1 - t) log(1 - sigmoid(s)) - t log sigmoid(s), from a stable log_softmax"),
    Alternative("one cross_entropy call over both batches, split", "acgan_losses", D_CLASS,
                "    each = F.cross_entropy(torch.cat([class_real, class_fake]), torch.cat([y_real, y_fake]),\n"
                "                           reduction=\"none\")  # (B + M,)\n"
                "    loss_class = each[:len(y_real)].mean() + fake_class_weight * each[len(y_real):].mean()\n",
                "test_acgan_discriminator_loss", "per-image losses, then a mean over each batch on its own"),
    # acgan_generator_loss
    Alternative("logsigmoid and a gathered log_softmax", "acgan_losses", G_LOSS,
                "    log_p = F.log_softmax(class_fake, dim=1).gather(1, y_fake[:, None])  # (M, 1)\n"
                "    return -F.logsigmoid(source_fake).mean() - log_p.mean()\n",
                "test_acgan_generator_loss", "-log sigmoid(s) = BCE(s, 1) and -log softmax at y is CE"),
    Alternative("the loss modules", "acgan_losses", G_LOSS,
                "    return nn.BCEWithLogitsLoss()(source_fake, torch.ones_like(source_fake)) + "
                "nn.CrossEntropyLoss()(class_fake, y_fake)\n",
                "test_acgan_generator_loss", "the module forms of the same two losses"),
    Alternative("softplus, and logsumexp minus the label's logit", "acgan_losses", G_LOSS,
                "    picked = class_fake.gather(1, y_fake[:, None]).squeeze(1)  # (M,)\n"
                "    return F.softplus(-source_fake).mean() + (torch.logsumexp(class_fake, 1) - picked).mean()\n",
                "test_acgan_generator_loss", "BCE(s, 1) = softplus(-s); CE(c, y) = logsumexp(c) - c[y]"),
    # one_hot
    Alternative("ones put in with index_put_", "one_hot", ONE_HOT,
                "    if torch.logical_or(y < 0, y >= num_classes).any():\n"
                "        raise ValueError(f\"labels must lie in [0, {num_classes})\")\n"
                "    rows = torch.arange(len(y), device=y.device)\n"
                "    return torch.zeros(len(y), num_classes, device=y.device).index_put_((rows, y), "
                "torch.tensor(1.0, device=y.device))\n",
                "test_one_hot", "entry (i, y[i]) of each row set to 1, the rest left 0, on y's device"),
    # generator_input
    Alternative("torch.column_stack and .to(z)", "generator_input", G_IN,
                "    return torch.column_stack((z, one_hot(y, num_classes).to(z)))\n",
                "test_generator_input", "column_stack joins 2-D tensors side by side; .to(z) takes z's dtype and "
                "device"),
    # discriminator_input
    Alternative("the maps from einsum with a map of ones", "discriminator_input", D_MAPS,
                "    ones = x.new_ones(x.shape[-2:])  # (H, W), x's dtype and device\n"
                "    maps = torch.einsum(\"bk,hw->bkhw\", one_hot(y, num_classes).to(x.dtype), ones)\n",
                "test_discriminator_input", "the outer product of each one-hot vector with an (H, W) map of ones is "
                "its K constant maps"),
    # acgan_discriminator_loss
    Alternative("the class targets as one-hot probabilities", "acgan_losses", D_CLASS,
                "    def ce(logits, y):  # a one-hot target distribution gives the same cross-entropy as the label\n"
                "        return F.cross_entropy(logits, F.one_hot(y, logits.shape[1]).to(logits.dtype))\n"
                "\n"
                "    loss_class = ce(class_real, y_real) + fake_class_weight * ce(class_fake, y_fake)\n",
                "test_acgan_discriminator_loss", "cross_entropy with class probabilities as the target is "
                "-sum_k p_k log softmax_k, which for p = one_hot(y) is -log softmax_y"),
    Alternative("the source logits flattened to (B,)", "acgan_losses", D_SOURCE,
                "    s_real, s_fake = source_real.flatten(), source_fake.flatten()  # (B,) and (M,), even for B = 1\n"
                "    loss_source = (F.binary_cross_entropy_with_logits(s_real, torch.full_like(s_real, real_label))\n"
                "                   + F.binary_cross_entropy_with_logits(s_fake, torch.zeros_like(s_fake)))\n",
                "test_acgan_discriminator_loss", "the same logits in another shape, with targets of that shape: the "
                "same means"),
    # acgan_generator_loss
    Alternative("sums over the batch, divided by M", "acgan_losses", G_LOSS,
                "    total = (F.binary_cross_entropy_with_logits(source_fake, torch.ones_like(source_fake), "
                "reduction=\"sum\")\n"
                "             + F.cross_entropy(class_fake, y_fake, reduction=\"sum\"))\n"
                "    return total / len(y_fake)\n",
                "test_acgan_generator_loss", "each term summed over the M images and divided by M is its mean"),
]
