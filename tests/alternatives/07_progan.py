from alternatives import Alternative

PIXEL = "return a / torch.sqrt(a.pow(2).mean(dim=1, keepdim=True) + eps)"
PARAMS = ("self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))\n"
          "        self.bias = nn.Parameter(torch.zeros(out_channels))")
STD = "torch.sqrt(groups.var(dim=1, unbiased=False) + 1e-8)"
FEATURE = "feature = s.repeat_interleave(G).view(B, 1, 1, 1).expand(B, 1, H, W)"
FADE = "return (1 - alpha) * old + alpha * new"
D_PATHS = ("    old = D.from_rgb[stage - 1](downsample(x))" + " " * 21 + "# the image pooled, read by the old layer\n"
           "    new = downsample(D.blocks[stage - 1](D.from_rgb[stage](x)))    # the new block, then pooling\n")

ALTERNATIVES = [
    # pixel_norm
    Alternative("rsqrt", "pixel_norm", PIXEL, "return a * torch.rsqrt(a.pow(2).mean(dim=1, keepdim=True) + eps)",
                "test_pixel_norm", "multiplying by 1 / sqrt(.) is dividing by sqrt(.)"),
    Alternative("sum of squares over C", "pixel_norm", PIXEL,
                "return a / ((a * a).sum(dim=1, keepdim=True) / a.shape[1] + eps).sqrt()",
                "test_pixel_norm", "the sum over the C channels divided by C is their mean"),
    Alternative("the mean square from the norm", "pixel_norm", PIXEL,
                "return a / torch.sqrt(torch.linalg.vector_norm(a, dim=1, keepdim=True) ** 2 / a.shape[1] + eps)",
                "test_pixel_norm", "the squared norm over the C channels divided by C is their mean square"),
    # EqualizedConv2d: other random draws than the solution's, the same distribution
    Alternative("weights of an nn.Conv2d, redrawn with nn.init", "EqualizedConv2d", PARAMS,
                "conv = nn.Conv2d(in_channels, out_channels, kernel_size)  # its own initialisation draws first\n"
                "        self.weight = nn.init.normal_(conv.weight)  # then N(0, 1), as the docstring asks\n"
                "        self.bias = nn.init.zeros_(conv.bias)",
                "test_EqualizedConv2d", "weight is an nn.Parameter drawn from N(0, 1) and bias one set to 0; "
                "that the random stream was used first by nn.Conv2d's initialisation changes nothing"),
    Alternative("bias first, weight drawn like a throw-away nn.Conv2d's", "EqualizedConv2d", PARAMS,
                "self.bias = nn.Parameter(torch.zeros(out_channels))\n"
                "        shape_of = nn.Conv2d(in_channels, out_channels, kernel_size).weight\n"
                "        self.weight = nn.Parameter(torch.randn_like(shape_of))",
                "test_EqualizedConv2d", "the same parameters, created in another order, with other draws"),
    Alternative("scale applied after the convolution, bias added by hand", "EqualizedConv2d",
                "return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)",
                "return F.conv2d(x, self.weight, padding=self.padding) * self.scale + self.bias.view(1, -1, 1, 1)",
                "test_EqualizedConv2d", "a convolution is linear in its weight: conv(x, c w) = c conv(x, w)"),
    Alternative("the constant from the weight's shape, in forward", "EqualizedConv2d",
                "return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)",
                "return F.conv2d(x, self.weight * math.sqrt(2 / self.weight[0].numel()), self.bias, "
                "padding=self.padding)",
                "test_EqualizedConv2d", "one output channel's weight has in_channels * k * k entries: the fan-in"),
    Alternative("the padding by F.pad", "EqualizedConv2d",
                "return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)",
                "return F.conv2d(F.pad(x, [self.padding] * 4), self.weight * self.scale, self.bias)",
                "test_EqualizedConv2d", "zero padding on all four sides, then a convolution without padding"),
    Alternative("the constant as a buffer", "EqualizedConv2d",
                "self.scale = math.sqrt(2 / (in_channels * kernel_size * kernel_size))",
                "self.register_buffer(\"scale\", torch.tensor(math.sqrt(2 / (in_channels * kernel_size ** 2))))",
                "test_EqualizedConv2d", "a buffer moves with the layer but is never trained: not a parameter"),
    # minibatch_stddev
    Alternative("the population variance written out", "minibatch_stddev", STD,
                "torch.sqrt(((groups - groups.mean(dim=1, keepdim=True)) ** 2).mean(dim=1) + 1e-8)",
                "test_minibatch_stddev", "var(unbiased=False) is the mean squared deviation"),
    Alternative("the feature map built group by group", "minibatch_stddev", FEATURE,
                "feature = torch.cat([s_g.expand(G, 1, H, W) for s_g in s])",
                "test_minibatch_stddev", "each group's G samples get the group's value, in the order of the batch"),
    Alternative("each sample's value by its group index", "minibatch_stddev", FEATURE,
                "feature = s[torch.arange(B, device=x.device) // G][:, None, None, None].expand(B, 1, H, W)",
                "test_minibatch_stddev", "sample i belongs to the consecutive group i // G"),
    # fade_in
    Alternative("torch.lerp", "fade_in", FADE, "return torch.lerp(old, new, alpha)", "test_fade_in",
                "torch.lerp computes old + alpha (new - old) from the end nearer to alpha, exact at both ends"),
    Alternative("the terms in the other order", "fade_in", FADE, "return alpha * new + (1 - alpha) * old",
                "test_fade_in", "addition commutes, and each term is exact (0 or the path itself) at both ends"),
    Alternative("the ends as special cases", "fade_in", FADE,
                "if alpha == 0:\n        return old.clone()\n    if alpha == 1:\n        return new.clone()\n"
                "    return old + alpha * (new - old)",
                "test_fade_in", "exact at both ends by construction; in between the same linear blend"),
    # generator_forward
    Alternative("toRGB after upsampling on the old path", "generator_forward",
                "old = upsample(G.to_rgb[stage - 1](h))", "old = G.to_rgb[stage - 1](upsample(h))",
                "test_generator_forward", "toRGB is a 1x1 convolution and nearest upsampling copies pixels, so the "
                "two commute (the paper draws it this way)"),
    Alternative("the blocks indexed", "generator_forward",
                "for block in G.blocks[:stage - 1]:\n        h = block(upsample(h))",
                "for i in range(stage - 1):\n        h = G.blocks[i](upsample(h))",
                "test_generator_forward", "the same blocks 0 .. stage - 2, by index"),
    Alternative("the blend of G written out", "generator_forward", "return fade_in(alpha, old, new)",
                "return (1 - alpha) * old + alpha * new", "test_generator_forward",
                "fade_in's own formula, inline: the same values and gradients"),
    # discriminator_forward
    Alternative("new path first, pooling with F.avg_pool2d", "discriminator_forward", D_PATHS,
                "    new = F.avg_pool2d(D.blocks[stage - 1](D.from_rgb[stage](x)), 2)\n"
                "    old = D.from_rgb[stage - 1](F.avg_pool2d(x, 2))\n",
                "test_discriminator_forward", "downsample is F.avg_pool2d(x, 2); the two paths are independent"),
    Alternative("the older blocks reversed", "discriminator_forward",
                "for i in range(stage - 2, -1, -1):\n        h = downsample(D.blocks[i](h))",
                "for block in reversed(D.blocks[:stage - 1]):\n        h = downsample(block(h))",
                "test_discriminator_forward", "blocks stage - 2 down to 0, by iteration"),
    Alternative("the blend of D written out", "discriminator_forward", "h = fade_in(alpha, old, new)",
                "h = (1 - alpha) * old + alpha * new", "test_discriminator_forward",
                "fade_in's own formula, inline: the same values and gradients"),
    # further alternatives
    Alternative("eps added to each square before the mean", "pixel_norm", PIXEL,
                "return a / torch.sqrt((a.pow(2) + eps).mean(dim=1, keepdim=True))", "test_pixel_norm",
                "the mean of a^2 + eps over the channels is mean(a^2) + eps"),
    Alternative("the channels moved last and back", "pixel_norm", PIXEL,
                "last = a.movedim(1, -1)  # (B, H, W, C): the channels in the last dim\n"
                "    return (last / torch.sqrt(last.pow(2).mean(dim=-1, keepdim=True) + eps)).movedim(-1, 1)",
                "test_pixel_norm", "the same values, normalised over the channels; the result is a view with "
                "other strides, which is still a new tensor of a's shape"),
    Alternative("weights drawn by normal_ into an empty tensor", "EqualizedConv2d", PARAMS,
                "self.weight = nn.Parameter(\n"
                "            torch.empty(out_channels, in_channels, kernel_size, kernel_size).normal_())\n"
                "        self.bias = nn.Parameter(torch.empty(out_channels).zero_())",
                "test_EqualizedConv2d", "normal_() fills with N(0, 1) by another kernel than randn, and zero_() "
                "sets the bias to 0"),
    Alternative("the groups by reshape, the map by expand", "minibatch_stddev",
                "    groups = x.view(B // G, G, C, H, W)\n"
                "    s = torch.sqrt(groups.var(dim=1, unbiased=False) + 1e-8).mean(dim=(1, 2, 3))  # (B // G,)\n"
                "    " + FEATURE + "\n",
                "    groups = x.reshape(-1, G, C, H, W)\n"
                "    s = torch.sqrt(groups.var(dim=1, correction=0) + 1e-8).mean(dim=(1, 2, 3))\n"
                "    feature = s.view(-1, 1, 1, 1, 1).expand(-1, G, 1, H, W).reshape(B, 1, H, W)\n",
                "test_minibatch_stddev", "correction=0 is unbiased=False; each group's value is copied to its G "
                "consecutive samples, in the order of the batch"),
    Alternative("every block of the stage in the loop, the previous features kept", "generator_forward",
                "    for block in G.blocks[:stage - 1]:\n"
                "        h = block(upsample(h))                      # up to resolution(stage - 1)\n"
                "    old = upsample(G.to_rgb[stage - 1](h))          # the old image, upsampled\n"
                "    new = G.to_rgb[stage](G.blocks[stage - 1](upsample(h)))\n",
                "    for block in G.blocks[:stage]:\n"
                "        previous, h = h, block(upsample(h))\n"
                "    old = upsample(G.to_rgb[stage - 1](previous))\n"
                "    new = G.to_rgb[stage](h)\n",
                "test_generator_forward", "the loop's last pass is the new block on the upsampled old features; "
                "the features before it are the old ones"),
]
