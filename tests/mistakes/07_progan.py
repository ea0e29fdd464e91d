from mistakes import Mistake

PIXEL = "a.pow(2).mean(dim=1, keepdim=True)"
WEIGHT = "self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))"
STD = "torch.sqrt(groups.var(dim=1, unbiased=False) + 1e-8).mean(dim=(1, 2, 3))"
FADE = "return (1 - alpha) * old + alpha * new"
G_END = ("    old = upsample(G.to_rgb[stage - 1](h))          # the old image, upsampled\n"
         "    new = G.to_rgb[stage](G.blocks[stage - 1](upsample(h)))\n"
         "    return fade_in(alpha, old, new)")

MISTAKES = [
    # pixel_norm
    Mistake("the sum of the squares", "pixel_norm", PIXEL, "a.pow(2).sum(dim=1, keepdim=True)",
            "test_pixel_norm", "not the sum"),
    Mistake("the last dimension", "pixel_norm", PIXEL, "a.pow(2).mean(dim=-1, keepdim=True)",
            "test_pixel_norm", "over the channels (dim=1"),
    Mistake("standardised: the mean subtracted", "pixel_norm",
            "return a / torch.sqrt(a.pow(2).mean(dim=1, keepdim=True) + eps)",
            "return (a - a.mean(dim=1, keepdim=True)) / torch.sqrt(a.var(dim=1, keepdim=True, unbiased=False) + eps)",
            "test_pixel_norm", "no mean subtracted"),
    Mistake("pixel_norm: eps outside the square root", "pixel_norm", f"torch.sqrt({PIXEL} + eps)",
            f"(torch.sqrt({PIXEL}) + eps)", "test_pixel_norm", "add eps inside the square root, a / sqrt"),
    Mistake("eps fixed at 1e-8, the argument ignored", "pixel_norm", f"{PIXEL} + eps", f"{PIXEL} + 1e-8",
            "test_pixel_norm", "pass eps on"),
    # EqualizedConv2d
    Mistake("the constant applied at initialisation too", "EqualizedConv2d", WEIGHT,
            "self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size)\n"
            "                                    * math.sqrt(2 / (in_channels * kernel_size * kernel_size)))",
            "test_EqualizedConv2d", "not at initialisation"),
    Mistake("fan-out instead of fan-in", "EqualizedConv2d",
            "self.scale = math.sqrt(2 / (in_channels * kernel_size * kernel_size))",
            "self.scale = math.sqrt(2 / (out_channels * kernel_size * kernel_size))",
            "test_EqualizedConv2d", "sqrt(2 / (in_channels * k * k))"),
    Mistake("the bias scaled too", "EqualizedConv2d",
            "return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)",
            "return F.conv2d(x, self.weight, self.bias, padding=self.padding) * self.scale",
            "test_EqualizedConv2d", "add the bias unscaled"),
    Mistake("the constant as a trainable parameter", "EqualizedConv2d",
            "self.scale = math.sqrt(2 / (in_channels * kernel_size * kernel_size))",
            "self.scale = nn.Parameter(torch.tensor(math.sqrt(2 / (in_channels * kernel_size * kernel_size))))",
            "test_EqualizedConv2d", "a plain number, never trained"),
    Mistake("uniform weights", "EqualizedConv2d", WEIGHT, WEIGHT.replace("torch.randn", "torch.rand"),
            "test_EqualizedConv2d", "store w ~ N(0, 1)"),
    # minibatch_stddev
    Mistake("the unbiased variance", "minibatch_stddev", "groups.var(dim=1, unbiased=False)", "groups.var(dim=1)",
            "test_minibatch_stddev", "unbiased=False"),
    Mistake("the variances averaged before the root", "minibatch_stddev", STD,
            "torch.sqrt(groups.var(dim=1, unbiased=False).mean(dim=(1, 2, 3)) + 1e-8)",
            "test_minibatch_stddev", "not the variances"),
    Mistake("strided groups", "minibatch_stddev", "groups = x.view(B // G, G, C, H, W)",
            "groups = x.view(G, B // G, C, H, W).transpose(0, 1)", "test_minibatch_stddev",
            "groups are consecutive samples"),
    Mistake("the group size not capped at the batch size", "minibatch_stddev", "G = min(group_size, B)\n    groups",
            "G = group_size\n    groups", "test_minibatch_stddev", "G = min(group_size, B)"),
    Mistake("minibatch_stddev: eps outside the square root", "minibatch_stddev", STD,
            "(torch.sqrt(groups.var(dim=1, unbiased=False)) + 1e-8).mean(dim=(1, 2, 3))",
            "test_minibatch_stddev", "add 1e-8 to the variance inside the square root"),
    # fade_in
    Mistake("the interpolation written as old + alpha (new - old)", "fade_in", FADE,
            "return old + alpha * (new - old)", "test_fade_in", "rounds at alpha = 1"),
    Mistake("old and new swapped", "fade_in", FADE, "return alpha * old + (1 - alpha) * new",
            "test_fade_in", "at alpha = 0 the new path has weight 0"),
    # generator_forward
    Mistake("alpha on the old path of G", "generator_forward", "return fade_in(alpha, old, new)",
            "return fade_in(1 - alpha, old, new)", "test_generator_forward",
            "at alpha = 0 the output is the old image"),
    Mistake("features blended instead of images", "generator_forward", G_END,
            "    return G.to_rgb[stage](fade_in(alpha, upsample(h), G.blocks[stage - 1](upsample(h))))",
            "test_generator_forward", "toRGB of the 8x8 features, then upsample"),
    # discriminator_forward
    Mistake("max pooling", "discriminator_forward", "old = D.from_rgb[stage - 1](downsample(x))",
            "old = D.from_rgb[stage - 1](F.max_pool2d(x, 2))", "test_discriminator_forward", "average, not max"),
    Mistake("alpha on the old path of D", "discriminator_forward", "h = fade_in(alpha, old, new)",
            "h = fade_in(alpha, new, old)", "test_discriminator_forward", "is alpha on the new path?"),
    Mistake("the older blocks in ascending order", "discriminator_forward", "for i in range(stage - 2, -1, -1):",
            "for i in range(stage - 1):", "test_discriminator_forward", "DOWN to blocks[0]"),
]
