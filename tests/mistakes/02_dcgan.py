from mistakes import Mistake

SIZE = "return (n_in - 1) * stride - 2 * padding + kernel_size + output_padding"
G_BLOCK = "nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding, bias=False)"
D_CONV = "nn.Conv2d(in_channels, out_channels, 4, stride=2, padding=1, bias=not batch_norm)"
TRACE = "trace_root = torch.linalg.eigvalsh(M).clamp_min(0).sqrt().sum()"
ROOT_TO_TRACE = ("    M = root1 @ sigma2 @ root1\n"
                 "    M = (M + M.T) / 2  # symmetric up to rounding: make it exact for eigh\n    ")
WEIGHTS = "torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1"

MISTAKES = [
    # transposed_output_size
    Mistake("padding subtracted once", "transposed_output_size", SIZE,
            "return (n_in - 1) * stride - padding + kernel_size + output_padding", "test_transposed_output_size",
            "n_out = (n_in - 1) * s - 2p + k"),
    Mistake("n_in * stride", "transposed_output_size", SIZE,
            "return n_in * stride - 2 * padding + kernel_size + output_padding", "test_transposed_output_size",
            "n_out = (n_in - 1) * s - 2p + k"),
    Mistake("output_padding forgotten", "transposed_output_size", SIZE,
            "return (n_in - 1) * stride - 2 * padding + kernel_size", "test_transposed_output_size",
            "output_padding is added once"),
    Mistake("the ordinary convolution's formula", "transposed_output_size", SIZE,
            "return (n_in + 2 * padding - kernel_size) // stride + 1", "test_transposed_output_size",
            "n_out = (n_in - 1) * s - 2p + k"),
    Mistake("a float returned", "transposed_output_size", SIZE, "return float(" + SIZE[len("return "):] + ")",
            "test_transposed_output_size", "return an int"),
    # generator_block
    Mistake("G: a bias before BatchNorm", "generator_block", G_BLOCK,
            "nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding)", "test_generator_block",
            "bias=False"),
    Mistake("LeakyReLU in G", "generator_block", "        nn.ReLU(),", "        nn.LeakyReLU(0.2),",
            "test_generator_block", "nn.BatchNorm2d(out_channels), nn.ReLU()"),
    Mistake("ReLU before BatchNorm", "generator_block", "        nn.BatchNorm2d(out_channels),\n        nn.ReLU(),",
            "        nn.ReLU(),\n        nn.BatchNorm2d(out_channels),",
            "test_generator_block", "nn.BatchNorm2d(out_channels), nn.ReLU()"),
    Mistake("kernel, stride and padding fixed", "generator_block", G_BLOCK,
            "nn.ConvTranspose2d(in_channels, out_channels, 4, 2, 1, bias=False)", "test_generator_block",
            "pass kernel_size, stride and padding on"),
    # discriminator_block
    Mistake("LeakyReLU's default slope", "discriminator_block", "layers.append(nn.LeakyReLU(0.2))",
            "layers.append(nn.LeakyReLU())", "test_discriminator_block", "nn.LeakyReLU(0.2)"),
    Mistake("ReLU in D", "discriminator_block", "layers.append(nn.LeakyReLU(0.2))", "layers.append(nn.ReLU())",
            "test_discriminator_block", "not ReLU"),
    Mistake("BatchNorm in every block", "discriminator_block", "    if batch_norm:\n", "    if True:\n",
            "test_discriminator_block", "no BatchNorm there"),
    Mistake("D: a bias before BatchNorm", "discriminator_block", D_CONV, D_CONV.replace("not batch_norm", "True"),
            "test_discriminator_block", "BatchNorm's shift replaces the bias"),
    Mistake("a 3x3 kernel", "discriminator_block", D_CONV, D_CONV.replace(", 4, ", ", 3, "),
            "test_discriminator_block", "kernel_size=4, stride=2, padding=1"),
    Mistake("no bias without BatchNorm", "discriminator_block", D_CONV, D_CONV.replace("not batch_norm", "False"),
            "test_discriminator_block", "bias=not batch_norm"),
    # init_weights
    Mistake("0.02 as the variance", "init_weights", "nn.init.normal_(module.weight, 0.0, 0.02)",
            "nn.init.normal_(module.weight, 0.0, 0.02 ** 2)", "test_init_weights", "not the variance"),
    Mistake("ConvTranspose2d left out", "init_weights", "isinstance(module, (nn.Conv2d, nn.ConvTranspose2d))",
            "isinstance(module, nn.Conv2d)", "test_init_weights", "Conv2d and ConvTranspose2d alike"),
    Mistake("BatchNorm's scale around 0", "init_weights", "nn.init.normal_(module.weight, 1.0, 0.02)",
            "nn.init.normal_(module.weight, 0.0, 0.02)", "test_init_weights", "BatchNorm's scale starts near 1"),
    Mistake("every module initialised", "init_weights", "isinstance(module, (nn.Conv2d, nn.ConvTranspose2d))",
            "isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))", "test_init_weights", "initialise only"),
    Mistake("a missing bias not skipped", "init_weights",
            "        if module.bias is not None:\n            nn.init.zeros_(module.bias)",
            "        nn.init.zeros_(module.bias)",
            "test_init_weights", "skip the bias when module.bias is None"),
    Mistake("numpy's random numbers", "init_weights", "        nn.init.normal_(module.weight, 0.0, 0.02)\n",
            "        import numpy as np\n        with torch.no_grad():\n"
            "            module.weight.copy_(torch.from_numpy(np.random.normal(0.0, 0.02, module.weight.shape)))\n",
            "test_init_weights", "draw with torch's generator"),
    # frechet_distance
    Mistake("the element-wise square root", "frechet_distance", TRACE,
            "trace_root = (sigma1 @ sigma2).clamp_min(0).sqrt().trace()", "test_frechet_distance",
            "is the square root of S S equal to S"),
    Mistake("sqrt of the trace", "frechet_distance", TRACE, "trace_root = torch.trace(sigma1 @ sigma2).sqrt()",
            "test_frechet_distance", "is the square root of S S equal to S"),
    Mistake("S1 S2 instead of sqrt(S1) S2 sqrt(S1)", "frechet_distance", "M = root1 @ sigma2 @ root1",
            "M = sigma1 @ sigma2", "test_frechet_distance", "not S1 S2"),
    Mistake("the factor 2 dropped", "frechet_distance", "- 2 * trace_root", "- trace_root", "test_frechet_distance",
            "Tr(S1 + S2 - 2 (S1 S2)^(1/2))"),
    Mistake("no clamp of negative eigenvalues", "frechet_distance", TRACE,
            "trace_root = torch.linalg.eigvalsh(M).sqrt().sum()", "test_frechet_distance", "clamp them at 0"),
    Mistake("float32 throughout", "frechet_distance", "(torch.as_tensor(t, dtype=torch.float64) for t in",
            "(torch.as_tensor(t) for t in", "test_frechet_distance", "convert the inputs to float64"),
    Mistake("computed in float32", "frechet_distance", "(torch.as_tensor(t, dtype=torch.float64) for t in",
            "(torch.as_tensor(t, dtype=torch.float32) for t in", "test_frechet_distance",
            "convert the inputs to float64"),
    Mistake("no clamp anywhere", "frechet_distance", "lam.clamp_min(0).sqrt()) @ V.T\n" + ROOT_TO_TRACE + TRACE,
            "lam.sqrt()) @ V.T\n" + ROOT_TO_TRACE + TRACE.replace(".clamp_min(0)", ""),
            "test_frechet_distance", "clamp them at 0 before each square root"),
    # slerp
    Mistake("one angle for the whole batch", "slerp",
            "cos = (z0 * z1).sum(-1, keepdim=True) / (z0.norm(dim=-1, keepdim=True)"
            " * z1.norm(dim=-1, keepdim=True))",
            "cos = (z0 * z1).sum() / (z0.norm() * z1.norm())", "test_slerp", "is W the angle of each row"),
    Mistake("the weights swapped", "slerp", WEIGHTS,
            "torch.sin(t * omega) * z0 + torch.sin((1 - t) * omega) * z1", "test_slerp", "at t = 0 the weights are"),
    Mistake("no fallback where sin W = 0", "slerp",
            "/ safe\n    return torch.where(sin < 1e-6, z0 + t * (z1 - z0), spherical)",
            "/ sin\n    return spherical", "test_slerp", "sin W = 0 there"),
    Mistake("cos not clamped", "slerp", "omega = torch.arccos(cos.clamp(-1.0, 1.0))", "omega = torch.arccos(cos)",
            "test_slerp", "clamp cos to [-1, 1] before arccos"),
    Mistake("the fallback not linear", "slerp", "torch.where(sin < 1e-6, z0 + t * (z1 - z0), spherical)",
            "torch.where(sin < 1e-6, z0, spherical)", "test_slerp", "fall back to linear interpolation"),
    # transposed_output_size, more
    Mistake("padding added, as in the convolution's formula", "transposed_output_size", SIZE,
            "return (n_in - 1) * stride + 2 * padding + kernel_size + output_padding", "test_transposed_output_size",
            "n_out = (n_in - 1) * s - 2p + k"),
    Mistake("kernel_size - 1: the span one short", "transposed_output_size", SIZE,
            "return (n_in - 1) * stride - 2 * padding + kernel_size - 1 + output_padding",
            "test_transposed_output_size", "n_out = (n_in - 1) * s - 2p + k"),
    # generator_block, more
    Mistake("G: BatchNorm over the input channels", "generator_block", "nn.BatchNorm2d(out_channels)",
            "nn.BatchNorm2d(in_channels)", "test_generator_block", "nn.BatchNorm2d(out_channels)"),
    Mistake("G: stride and padding swapped", "generator_block", G_BLOCK,
            G_BLOCK.replace("stride, padding,", "padding, stride,"), "test_generator_block",
            "nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding)"),
    Mistake("G: a BatchNorm without its scale and shift", "generator_block", "nn.BatchNorm2d(out_channels)",
            "nn.BatchNorm2d(out_channels, affine=False)", "test_generator_block", "affine"),
    # discriminator_block, more
    Mistake("D: BatchNorm over the input channels", "discriminator_block", "nn.BatchNorm2d(out_channels)",
            "nn.BatchNorm2d(in_channels)", "test_discriminator_block", "BatchNorm2d(out_channels)"),
    Mistake("D: LeakyReLU before BatchNorm", "discriminator_block",
            "    if batch_norm:\n        layers.append(nn.BatchNorm2d(out_channels))\n"
            "    layers.append(nn.LeakyReLU(0.2))",
            "    layers.append(nn.LeakyReLU(0.2))\n"
            "    if batch_norm:\n        layers.append(nn.BatchNorm2d(out_channels))",
            "test_discriminator_block", "Conv2d, then BatchNorm2d, then nn.LeakyReLU(0.2)"),
    # init_weights, more
    Mistake("BatchNorm's bias left as it is", "init_weights",
            "        nn.init.normal_(module.weight, 1.0, 0.02)\n        nn.init.zeros_(module.bias)",
            "        nn.init.normal_(module.weight, 1.0, 0.02)", "test_init_weights", "BatchNorm's bias"),
    Mistake("names containing Conv or BatchNorm, as the PyTorch tutorial", "init_weights",
            "    elif isinstance(module, nn.BatchNorm2d):", '    elif "BatchNorm" in type(module).__name__:',
            "test_init_weights", "only Conv2d, ConvTranspose2d and BatchNorm2d"),
    Mistake("a new Parameter instead of in place", "init_weights",
            "        nn.init.normal_(module.weight, 0.0, 0.02)\n",
            "        module.weight = nn.Parameter(0.02 * torch.randn(module.weight.shape))\n", "test_init_weights",
            "in place"),
    # frechet_distance, more
    Mistake("the distance of the means, not squared", "frechet_distance", "((mu1 - mu2) ** 2).sum().item()",
            "(mu1 - mu2).norm().item()", "test_frechet_distance", "||mu1 - mu2||^2"),
    Mistake("a tensor returned", "frechet_distance",
            "return ((mu1 - mu2) ** 2).sum().item() + (torch.trace(sigma1) + torch.trace(sigma2)"
            " - 2 * trace_root).item()",
            "return ((mu1 - mu2) ** 2).sum() + torch.trace(sigma1) + torch.trace(sigma2) - 2 * trace_root",
            "test_frechet_distance", "use .item()"),
    Mistake("V.T missing from the square root", "frechet_distance", "@ torch.diag(lam.clamp_min(0).sqrt()) @ V.T",
            "@ torch.diag(lam.clamp_min(0).sqrt()) @ V", "test_frechet_distance",
            "is the square root of S S equal to S"),
    # slerp, more
    Mistake("the fallback where W < 1e-6, not sin W", "slerp",
            "return torch.where(sin < 1e-6, z0 + t * (z1 - z0), spherical)",
            "return torch.where(omega < 1e-6, z0 + t * (z1 - z0), spherical)", "test_slerp", "opposite"),
    Mistake("no keepdim: W of shape (B,)", "slerp",
            "cos = (z0 * z1).sum(-1, keepdim=True) / (z0.norm(dim=-1, keepdim=True) * z1.norm(dim=-1, keepdim=True))",
            "cos = (z0 * z1).sum(-1) / (z0.norm(dim=-1) * z1.norm(dim=-1))", "test_slerp", "keepdim=True"),
    Mistake("slerp of the directions, lerp of the norms", "slerp",
            "    return torch.where(sin < 1e-6, z0 + t * (z1 - z0), spherical)",
            "    n0, n1 = z0.norm(dim=-1, keepdim=True), z1.norm(dim=-1, keepdim=True)\n"
            "    direction = (torch.sin((1 - t) * omega) * z0 / n0 + torch.sin(t * omega) * z1 / n1) / safe\n"
            "    direction = torch.where(sin < 1e-6, z0 / n0, direction)\n"
            "    return direction * ((1 - t) * n0 + t * n1)", "test_slerp", "norms and all"),
    # transposed_output_size, still more
    Mistake("output_padding on both sides", "transposed_output_size", SIZE,
            "return (n_in - 1) * stride - 2 * padding + kernel_size + 2 * output_padding",
            "test_transposed_output_size", "output_padding is added once"),
    # generator_block, still more
    Mistake("G: in and out channels swapped", "generator_block", G_BLOCK,
            "nn.ConvTranspose2d(out_channels, in_channels, kernel_size, stride, padding, bias=False)",
            "test_generator_block", "in_channels first"),
    Mistake("G: bias=False passed by position", "generator_block", G_BLOCK,
            "nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding, False)",
            "test_generator_block", "bias=False"),
    Mistake("G: a list given to nn.Sequential", "generator_block",
            "    return nn.Sequential(\n" + "        " + G_BLOCK + ",\n        nn.BatchNorm2d(out_channels),\n"
            "        nn.ReLU(),\n    )",
            "    return nn.Sequential([\n" + "        " + G_BLOCK + ",\n        nn.BatchNorm2d(out_channels),\n"
            "        nn.ReLU(),\n    ])", "test_generator_block", "nn.Sequential(*layers)"),
    # discriminator_block, still more
    Mistake("D: the list given to nn.Sequential", "discriminator_block", "return nn.Sequential(*layers)",
            "return nn.Sequential(layers)", "test_discriminator_block", "nn.Sequential(*layers)"),
    # init_weights, still more
    Mistake("normal_(weight, 0.02): 0.02 as the mean", "init_weights", "nn.init.normal_(module.weight, 0.0, 0.02)",
            "nn.init.normal_(module.weight, 0.02)", "test_init_weights", "the mean comes first"),
    Mistake("BatchNorm's scale set to 1", "init_weights", "nn.init.normal_(module.weight, 1.0, 0.02)",
            "nn.init.ones_(module.weight)", "test_init_weights", "drawn around 1, not set to 1"),
    Mistake("BatchNorm's scale: 0.02 as the variance", "init_weights", "nn.init.normal_(module.weight, 1.0, 0.02)",
            "nn.init.normal_(module.weight, 1.0, 0.02 ** 2)", "test_init_weights", "std 0.02"),
    Mistake("names containing Conv, as the PyTorch tutorial", "init_weights",
            "isinstance(module, (nn.Conv2d, nn.ConvTranspose2d))", '"Conv" in type(module).__name__',
            "test_init_weights", "only Conv2d, ConvTranspose2d and BatchNorm2d"),
    Mistake("torch.manual_seed inside init_weights", "init_weights",
            "        nn.init.normal_(module.weight, 0.0, 0.02)\n",
            "        torch.manual_seed(0)  # reproducible weights\n        nn.init.normal_(module.weight, 0.0, 0.02)\n",
            "test_init_weights", "do not seed anything inside init_weights"),
    # frechet_distance, still more
    Mistake("the sum of every entry instead of the trace", "frechet_distance",
            "(torch.trace(sigma1) + torch.trace(sigma2) - 2 * trace_root)",
            "(sigma1.sum() + sigma2.sum() - 2 * trace_root)", "test_frechet_distance", "torch.trace"),
    Mistake("the clamp after each square root", "frechet_distance",
            "lam.clamp_min(0).sqrt()) @ V.T\n" + ROOT_TO_TRACE + TRACE,
            "lam.sqrt().clamp_min(0)) @ V.T\n" + ROOT_TO_TRACE
            + TRACE.replace(".clamp_min(0).sqrt()", ".sqrt().clamp_min(0)"),
            "test_frechet_distance", "clamp them at 0 before each square root"),
    Mistake("Tr(sqrt(S1) sqrt(S2))", "frechet_distance", ROOT_TO_TRACE + TRACE,
            "    lam2, V2 = torch.linalg.eigh(sigma2)\n    root2 = V2 @ torch.diag(lam2.clamp_min(0).sqrt()) @ V2.T\n"
            "    trace_root = torch.trace(root1 @ root2)", "test_frechet_distance", "not sqrt(S1) sqrt(S2)"),
    # slerp, still more
    Mistake("cos not divided by the norms", "slerp",
            "cos = (z0 * z1).sum(-1, keepdim=True) / (z0.norm(dim=-1, keepdim=True) * z1.norm(dim=-1, keepdim=True))",
            "cos = (z0 * z1).sum(-1, keepdim=True)", "test_slerp", "cos W = (z0 . z1) / (|z0| |z1|)"),
    Mistake("sin(1 - t W) for sin((1 - t) W)", "slerp", WEIGHTS,
            "torch.sin(1 - t * omega) * z0 + torch.sin(t * omega) * z1", "test_slerp", "at t = 0 the weights are"),
]
