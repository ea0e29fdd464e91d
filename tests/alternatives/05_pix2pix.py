from alternatives import Alternative

INNER = "        self.inner = inner if inner is not None else nn.Identity()\n"
FORWARD = "        return torch.cat([x, self.up(self.inner(self.down(x)))], dim=1)\n"
UNET_REST = ("        coming_up = 2 * inner_channels if inner is not None else inner_channels\n"
             "        up = [nn.ConvTranspose2d(coming_up, outer_channels, 4, stride=2, padding=1, bias=False),\n"
             "              nn.BatchNorm2d(outer_channels), nn.ReLU()]\n"
             "        if dropout:\n"
             "            up.append(nn.Dropout(0.5))\n"
             "        self.up = nn.Sequential(*up)\n"
             "        ### END SOLUTION\n\n"
             "    def forward(self, x):\n"
             "        ### BEGIN SOLUTION\n")
DOWN = ("        self.down = nn.Sequential(\n"
        "            nn.Conv2d(outer_channels, inner_channels, 4, stride=2, padding=1, bias=False),\n"
        "            nn.BatchNorm2d(inner_channels),\n"
        "            nn.LeakyReLU(0.2),\n"
        "        )\n")
D_LOOP = ("    layers = [nn.Conv2d(in_channels, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]\n"
          "    c = width\n"
          "    for stride in [2] * (n_down - 1) + [1]:\n"
          "        layers += [nn.Conv2d(c, 2 * c, 4, stride=stride, padding=1, bias=False), nn.BatchNorm2d(2 * c),"
          " nn.LeakyReLU(0.2)]\n"
          "        c *= 2\n"
          "    layers.append(nn.Conv2d(c, 1, 4, stride=1, padding=1))\n")
RF_LOOP = ("    r = 1\n"
           "    for kernel_size, stride in reversed(layers):\n"
           "        r = stride * r + (kernel_size - stride)\n"
           "    return r\n")
D_RETURN = ("    return 0.5 * (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))\n"
            "                  + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))\n")
G_GAN = "    loss_gan = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))\n"

ALTERNATIVES = [
    # UNetBlock
    Alternative("self.inner = None and a branch in forward", "UNetBlock", INNER + UNET_REST + FORWARD,
                "        self.inner = inner\n" + UNET_REST
                + "        h = self.down(x)\n"
                  "        if self.inner is not None:\n"
                  "            h = self.inner(h)\n"
                  "        return torch.cat([x, self.up(h)], dim=1)\n",
                "test_UNetBlock", "the docstring allows None at the bottom when forward skips it: the same function"),
    Alternative("the way up built before the way down, its convolution with a bias then removed", "UNetBlock",
                DOWN + INNER + UNET_REST,
                INNER
                + "        coming_up = 2 * inner_channels if inner is not None else inner_channels\n"
                  "        up_conv = nn.ConvTranspose2d(coming_up, outer_channels, 4, stride=2, padding=1)\n"
                  "        up_conv.bias = None  # BatchNorm follows: the bias would do nothing\n"
                  "        up = [up_conv, nn.BatchNorm2d(outer_channels), nn.ReLU()]\n"
                  "        if dropout:\n"
                  "            up.append(nn.Dropout(p=0.5))\n"
                  "        self.up = nn.Sequential(*up)\n"
                + DOWN.replace("nn.LeakyReLU(0.2)", "nn.LeakyReLU(negative_slope=0.2, inplace=True)")
                + "        ### END SOLUTION\n\n    def forward(self, x):\n        ### BEGIN SOLUTION\n",
                "test_UNetBlock", "the same layers in the same Sequentials; only the order of the random initial "
                "draws differs, which the docstring leaves free"),
    Alternative("torch.concat with a tuple", "UNetBlock", FORWARD,
                "        up = self.up(self.inner(self.down(x)))\n        return torch.concat((x, up), 1)\n",
                "test_UNetBlock", "torch.concat is torch.cat"),
    Alternative("inner or nn.Identity(), and nn.Dropout() with its default p", "UNetBlock", INNER + UNET_REST,
                "        self.inner = inner or nn.Identity()  # a module without __len__ is always true\n"
                + UNET_REST.replace("nn.Dropout(0.5)", "nn.Dropout()"),
                "test_UNetBlock", "None falls through to nn.Identity(); nn.Dropout's default p is 0.5"),
    Alternative("the skip joined on dim -3", "UNetBlock", FORWARD,
                "        h = self.up(self.inner(self.down(x)))\n        return torch.cat((x, h), dim=-3)\n",
                "test_UNetBlock", "on (B, C, H, W) tensors, dim -3 is the channel dim"),
    # patch_discriminator
    Alternative("an index loop, the logit layer's convolutions created before the blocks", "patch_discriminator",
                D_LOOP,
                "    first = nn.Conv2d(in_channels, width, 4, stride=2, padding=1)\n"
                "    last = nn.Conv2d(width * 2 ** n_down, 1, 4, stride=1, padding=1)\n"
                "    layers = [first, nn.LeakyReLU(0.2)]\n"
                "    for i in range(n_down):\n"
                "        c = width * 2 ** i\n"
                "        stride = 2 if i < n_down - 1 else 1\n"
                "        layers += [nn.Conv2d(c, 2 * c, 4, stride, 1, bias=False), nn.BatchNorm2d(2 * c),"
                " nn.LeakyReLU(0.2)]\n"
                "    layers.append(last)\n",
                "test_patch_discriminator", "the same layers in the same order; they draw their initial weights "
                "in another order, which the docstring leaves free"),
    Alternative("blocks from a helper, biases removed after construction, in-place LeakyReLUs", "patch_discriminator",
                D_LOOP,
                "    def block(c_in, c_out, stride):\n"
                "        conv = nn.Conv2d(c_in, c_out, kernel_size=4, stride=stride, padding=1)\n"
                "        conv.bias = None  # BatchNorm's shift does the bias's job\n"
                "        return [conv, nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2, inplace=True)]\n"
                "\n"
                "    layers = [nn.Conv2d(in_channels, width, 4, stride=2, padding=1),\n"
                "              nn.LeakyReLU(0.2, inplace=True)]\n"
                "    c = width\n"
                "    for k in range(n_down):\n"
                "        layers.extend(block(c, 2 * c, 1 if k == n_down - 1 else 2))\n"
                "        c *= 2\n"
                "    layers.append(nn.Conv2d(c, 1, 4, padding=1))\n",
                "test_patch_discriminator", "the same layers; the biases are None as asked, drawn first and removed, "
                "and in-place activations compute the same values"),
    Alternative("layers added by name", "patch_discriminator", D_LOOP + "    return nn.Sequential(*layers)\n",
                "    D = nn.Sequential()\n"
                "    D.add_module(\"conv0\", nn.Conv2d(in_channels, width, 4, stride=2, padding=1))\n"
                "    D.add_module(\"act0\", nn.LeakyReLU(0.2))\n"
                "    c = width\n"
                "    for i, stride in enumerate([2] * (n_down - 1) + [1], start=1):\n"
                "        D.add_module(f\"conv{i}\", nn.Conv2d(c, 2 * c, 4, stride=stride, padding=1, bias=False))\n"
                "        D.add_module(f\"norm{i}\", nn.BatchNorm2d(2 * c))\n"
                "        D.add_module(f\"act{i}\", nn.LeakyReLU(0.2))\n"
                "        c *= 2\n"
                "    D.add_module(\"logits\", nn.Conv2d(c, 1, 4, stride=1, padding=1))\n"
                "    return D\n",
                "test_patch_discriminator", "an nn.Sequential of exactly these layers, in this order, as the "
                "docstring asks; the names of its layers are left free"),
    Alternative("channels and strides zipped, the blocks flattened", "patch_discriminator", D_LOOP,
                "    chans = [width * 2 ** i for i in range(n_down + 1)]\n"
                "    strides = [2] * (n_down - 1) + [1]\n"
                "    blocks = [[nn.Conv2d(a, b, 4, s, 1, bias=False), nn.BatchNorm2d(b), nn.LeakyReLU(0.2)]\n"
                "              for a, b, s in zip(chans, chans[1:], strides)]\n"
                "    layers = [nn.Conv2d(in_channels, width, 4, 2, 1), nn.LeakyReLU(0.2), *sum(blocks, []),\n"
                "              nn.Conv2d(chans[-1], 1, 4, 1, 1)]\n",
                "test_patch_discriminator", "the same layers in the same order, written with positional arguments"),
    # receptive_field
    Alternative("forward, with the jump of each layer", "receptive_field", RF_LOOP,
                "    r, jump = 1, 1\n"
                "    for kernel_size, stride in layers:\n"
                "        r += (kernel_size - 1) * jump  # each layer widens the field by k - 1 of its input's steps\n"
                "        jump *= stride\n"
                "    return r\n",
                "test_receptive_field", "the standard forward recurrence r += (k - 1) * j, j *= s gives the same r"),
    Alternative("recursion on the first layer", "receptive_field", RF_LOOP,
                "    if not layers:\n"
                "        return 1\n"
                "    kernel_size, stride = layers[0]\n"
                "    return kernel_size + (receptive_field(layers[1:]) - 1) * stride\n",
                "test_receptive_field", "r = k + (r' - 1) s, the first form of the rule, with r' the field of the "
                "layers after the first"),
    Alternative("a closed-form sum", "receptive_field", RF_LOOP,
                "    # layer i widens the field by k_i - 1 of its input steps, each the product of the strides before\n"
                "    jumps = [math.prod(s for _, s in layers[:i]) for i in range(len(layers))]\n"
                "    return 1 + sum((k - 1) * jump for (k, _), jump in zip(layers, jumps))\n",
                "test_receptive_field", "the forward recurrence summed up: r = 1 + sum (k_i - 1) s_1 ... s_(i-1)"),
    Alternative("functools.reduce over the reversed layers", "receptive_field", RF_LOOP,
                "    import functools\n"
                "    return functools.reduce(lambda r, ks: (r - 1) * ks[1] + ks[0], reversed(layers), 1)\n",
                "test_receptive_field", "(r - 1) s + k is s r + (k - s); reduce starts at r = 1"),
    # discriminator_loss
    Alternative("one mean over the real and the fake logits together", "discriminator_loss", D_RETURN,
                "    logits = torch.cat([real_logits, fake_logits])\n"
                "    labels = torch.cat([torch.ones_like(real_logits), torch.zeros_like(fake_logits)])\n"
                "    return F.binary_cross_entropy_with_logits(logits, labels)\n",
                "test_discriminator_loss", "the real and the fake pairs come from the same x, so both batches have "
                "the same size and the pooled mean is the average of the two means"),
    Alternative("softplus", "discriminator_loss", D_RETURN,
                "    return 0.5 * (F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean())\n",
                "test_discriminator_loss", "BCE(s, 1) = softplus(-s) and BCE(s, 0) = softplus(s), stable for any s"),
    Alternative("the generated pair detached after the join", "discriminator_loss",
                "    fake_logits = D(torch.cat([x, fake.detach()], dim=1))\n",
                "    fake_logits = D(torch.cat([x, fake], dim=1).detach())\n",
                "test_discriminator_loss", "x needs no gradient, so detaching the pair detaches fake and nothing more"),
    Alternative("logsigmoid of both signs", "discriminator_loss", D_RETURN,
                "    return -0.5 * (F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean())\n",
                "test_discriminator_loss", "log(1 - sigmoid(s)) = logsigmoid(-s): BCE(s, 0) = -logsigmoid(-s)"),
    # generator_loss
    Alternative("logsigmoid, and F.l1_loss", "generator_loss",
                G_GAN + "    loss_l1 = (y - fake).abs().mean()\n",
                "    loss_gan = -F.logsigmoid(fake_logits).mean()\n    loss_l1 = F.l1_loss(fake, y)\n",
                "test_generator_loss", "-log sigmoid(s) is BCE(s, 1); F.l1_loss averages |fake - y|"),
    Alternative("nn.BCEWithLogitsLoss and nn.L1Loss modules", "generator_loss",
                G_GAN + "    loss_l1 = (y - fake).abs().mean()\n",
                "    loss_gan = nn.BCEWithLogitsLoss()(fake_logits, torch.ones_like(fake_logits))\n"
                "    loss_l1 = nn.L1Loss()(fake, y)\n",
                "test_generator_loss", "the module forms of the same two losses"),
    Alternative("torch.add with alpha", "generator_loss", "    return loss_gan + lam * loss_l1, loss_gan, loss_l1\n",
                "    return torch.add(loss_gan, loss_l1, alpha=lam), loss_gan, loss_l1\n",
                "test_generator_loss", "torch.add(a, b, alpha=lam) is a + lam * b"),
    Alternative("softplus, and the 1-norm over the number of pixels", "generator_loss",
                G_GAN + "    loss_l1 = (y - fake).abs().mean()\n",
                "    loss_gan = F.softplus(-fake_logits).mean()\n"
                "    loss_l1 = torch.linalg.vector_norm(y - fake, ord=1) / fake.numel()\n",
                "test_generator_loss", "BCE(s, 1) = softplus(-s); the 1-norm divided by the count is the mean of "
                "|y - fake|"),
    # UNetBlock
    Alternative("the skip joined by torch.hstack", "UNetBlock", FORWARD,
                "        return torch.hstack((x, self.up(self.inner(self.down(x)))))\n",
                "test_UNetBlock", "hstack joins tensors of two or more dims along dim 1, the channels here"),
    # patch_discriminator
    Alternative("one helper for every block, bias=not norm", "patch_discriminator", D_LOOP,
                "    def block(c_in, c_out, stride, norm):\n"
                "        conv = nn.Conv2d(c_in, c_out, kernel_size=4, stride=stride, padding=1, bias=not norm)\n"
                "        return [conv, nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2)] if norm else [conv, "
                "nn.LeakyReLU(0.2)]\n"
                "\n"
                "    layers = block(in_channels, width, 2, norm=False)\n"
                "    for k in range(n_down):\n"
                "        layers += block(width * 2 ** k, width * 2 ** (k + 1), 2 if k < n_down - 1 else 1, norm=True)\n"
                "    layers.append(nn.Conv2d(width * 2 ** n_down, 1, kernel_size=4, stride=1, padding=1))\n",
                "test_patch_discriminator", "the same layers in the same order; a convolution has a bias exactly "
                "where no BatchNorm follows it"),
    # receptive_field
    Alternative("a copy of the list, popped from the end", "receptive_field", RF_LOOP,
                "    rest, r = list(layers), 1  # a copy: the caller's list stays as it is\n"
                "    while rest:\n"
                "        kernel_size, stride = rest.pop()\n"
                "        r = stride * r + (kernel_size - stride)\n"
                "    return r\n",
                "test_receptive_field", "the same backward walk, on a copy that is emptied instead of the list"),
    # discriminator_loss
    Alternative("the generated pair built under torch.no_grad(), the targets from new_ones and new_zeros",
                "discriminator_loss", "    fake_logits = D(torch.cat([x, fake.detach()], dim=1))\n" + D_RETURN,
                "    with torch.no_grad():  # the pair carries no graph back to G; D's own call is outside\n"
                "        fake_pair = torch.cat([x, fake], dim=1)\n"
                "    fake_logits = D(fake_pair)\n"
                "    bce = F.binary_cross_entropy_with_logits\n"
                "    real_loss = bce(real_logits, real_logits.new_ones(real_logits.shape))\n"
                "    fake_loss = bce(fake_logits, fake_logits.new_zeros(fake_logits.shape))\n"
                "    return 0.5 * (real_loss + fake_loss)\n",
                "test_discriminator_loss", "a tensor made under no_grad is detached, as fake.detach() is, and D still "
                "learns from both pairs; new_ones and new_zeros take the logits' dtype and device"),
    # generator_loss
    Alternative("the L1 term from torch.mean and torch.abs, the target from new_ones", "generator_loss",
                G_GAN + "    loss_l1 = (y - fake).abs().mean()\n",
                "    loss_gan = F.binary_cross_entropy_with_logits(fake_logits,\n"
                "                                                  fake_logits.new_ones(fake_logits.shape))\n"
                "    loss_l1 = torch.mean(torch.abs(fake - y))\n",
                "test_generator_loss", "|fake - y| is |y - fake|; new_ones takes the logits' dtype and device"),
]
