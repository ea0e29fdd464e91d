from alternatives import Alternative

SIZE = "return (n_in - 1) * stride - 2 * padding + kernel_size + output_padding"
G_BLOCK = ("    return nn.Sequential(\n"
           "        nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding, bias=False),\n"
           "        nn.BatchNorm2d(out_channels),\n"
           "        nn.ReLU(),\n"
           "    )")
D_BLOCK = ("    layers = [nn.Conv2d(in_channels, out_channels, 4, stride=2, padding=1, bias=not batch_norm)]\n"
           "    if batch_norm:\n"
           "        layers.append(nn.BatchNorm2d(out_channels))\n")
INIT = ("    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):\n"
        "        nn.init.normal_(module.weight, 0.0, 0.02)\n")
TRACE = "trace_root = torch.linalg.eigvalsh(M).clamp_min(0).sqrt().sum()"
BODY = ("    lam, V = torch.linalg.eigh(sigma1)\n"
        "    root1 = V @ torch.diag(lam.clamp_min(0).sqrt()) @ V.T\n"
        "    M = root1 @ sigma2 @ root1\n"
        "    M = (M + M.T) / 2  # symmetric up to rounding: make it exact for eigh\n"
        "    trace_root = torch.linalg.eigvalsh(M).clamp_min(0).sqrt().sum()\n")
ANGLE = ("    cos = (z0 * z1).sum(-1, keepdim=True) / (z0.norm(dim=-1, keepdim=True) * z1.norm(dim=-1, keepdim=True))\n"
         "    omega = torch.arccos(cos.clamp(-1.0, 1.0))  # (..., 1)\n")

ALTERNATIVES = [
    # transposed_output_size
    Alternative("the span of the stamped kernels", "transposed_output_size", SIZE,
                "last_start = (n_in - 1) * stride\n    return last_start + kernel_size - 2 * padding + output_padding",
                "test_transposed_output_size", "the same integer, written as the markdown derives it"),
    Alternative("PyTorch's own layer, measured", "transposed_output_size", SIZE,
                "layer = nn.ConvTranspose2d(1, 1, kernel_size, stride, padding, output_padding)\n"
                "    return layer(torch.zeros(1, 1, n_in, n_in)).shape[-1]",
                "test_transposed_output_size", "shape[-1] is the int the layer itself produces"),
    # generator_block
    Alternative("named layers, BatchNorm built first", "generator_block", G_BLOCK,
                "    from collections import OrderedDict\n"
                "    bn = nn.BatchNorm2d(out_channels)\n"
                "    conv = nn.ConvTranspose2d(in_channels, out_channels, kernel_size=kernel_size, stride=stride,\n"
                "                              padding=padding, bias=False)\n"
                "    return nn.Sequential(OrderedDict(conv=conv, bn=bn, relu=nn.ReLU(inplace=True)))",
                "test_generator_block", "the same three layers in the same order; names and creation order are free"),
    Alternative("G: a bias drawn, then removed", "generator_block", G_BLOCK,
                "    conv = nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding)\n"
                "    conv.bias = None  # BatchNorm's shift replaces it\n"
                "    return nn.Sequential(conv, nn.BatchNorm2d(out_channels), nn.ReLU())",
                "test_generator_block", "the block has no bias; only the random numbers drawn on the way differ"),
    # discriminator_block
    Alternative("D: a bias drawn, then removed", "discriminator_block", D_BLOCK,
                "    conv = nn.Conv2d(in_channels, out_channels, kernel_size=4, stride=2, padding=1)\n"
                "    if batch_norm:\n"
                "        conv.bias = None  # BatchNorm's shift replaces it\n"
                "    layers = [conv]\n"
                "    if batch_norm:\n"
                "        layers.append(nn.BatchNorm2d(out_channels))\n",
                "test_discriminator_block", "the same layers; only the random numbers drawn on the way differ"),
    Alternative("BatchNorm built before the conv", "discriminator_block", D_BLOCK,
                "    norm = [nn.BatchNorm2d(out_channels)] if batch_norm else []\n"
                "    conv = nn.Conv2d(in_channels, out_channels, (4, 4), (2, 2), (1, 1), bias=not batch_norm)\n"
                "    layers = [conv, *norm]\n",
                "test_discriminator_block", "the same layers in the same order, created in another order"),
    # init_weights
    Alternative("the class name, as PyTorch's DCGAN example", "init_weights", INIT,
                "    name = type(module).__name__\n"
                "    if name in (\"Conv2d\", \"ConvTranspose2d\"):\n"
                "        module.weight.data.normal_(0.0, 0.02)\n",
                "test_init_weights",
                "the same modules and draws, chosen by name; .data bypasses autograd as no_grad does"),
    Alternative("randn_like, scaled", "init_weights", INIT,
                "    if isinstance(module, nn.Conv2d) or isinstance(module, nn.ConvTranspose2d):\n"
                "        with torch.no_grad():\n"
                "            module.weight.copy_(0.02 * torch.randn_like(module.weight))\n",
                "test_init_weights", "N(0, 0.02^2) from torch's generator, written by hand"),
    # frechet_distance
    Alternative("the eigenvalues of S1 S2", "frechet_distance", TRACE,
                "trace_root = torch.linalg.eigvals(sigma1 @ sigma2).real.clamp_min(0).sqrt().sum()",
                "test_frechet_distance",
                "S1 S2 has the eigenvalues of sqrt(S1) S2 sqrt(S1), real and >= 0 up to rounding"),
    Alternative("the nuclear norm of sqrt(S1) sqrt(S2)", "frechet_distance", TRACE,
                "lam2, V2 = torch.linalg.eigh(sigma2)\n"
                "    root2 = V2 @ torch.diag(lam2.clamp_min(0).sqrt()) @ V2.T\n"
                "    trace_root = torch.linalg.matrix_norm(root1 @ root2, ord=\"nuc\")",
                "test_frechet_distance", "the singular values of sqrt(S1) sqrt(S2) are the square roots of the "
                "eigenvalues of sqrt(S1) S2 sqrt(S1)"),
    # slerp
    Alternative("the angle from atan2", "slerp", ANGLE,
                "    dot = (z0 * z1).sum(-1, keepdim=True)\n"
                "    cross = (z0.norm(dim=-1, keepdim=True) * z1 - dot / z0.norm(dim=-1, keepdim=True) * z0)\n"
                "    omega = torch.atan2(cross.norm(dim=-1, keepdim=True), dot)  # (..., 1), no clamp needed\n",
                "test_slerp", "atan2(|z0| |z1| sin W, |z0| |z1| cos W) is W, with no arccos to clamp"),
    Alternative("unit vectors first", "slerp", ANGLE,
                "    u0 = z0 / z0.norm(dim=-1, keepdim=True)\n"
                "    u1 = z1 / z1.norm(dim=-1, keepdim=True)\n"
                "    omega = torch.acos(torch.clamp((u0 * u1).sum(-1, keepdim=True), min=-1.0, max=1.0))\n",
                "test_slerp", "the cosine of the angle between unit vectors, clamped, is the same cos W"),
    # transposed_output_size, more
    Alternative("the end of the last stamped copy", "transposed_output_size", SIZE,
                "starts = [i * stride for i in range(n_in)]  # where each copy of the kernel is stamped\n"
                "    return max(starts) + kernel_size - 2 * padding + output_padding",
                "test_transposed_output_size", "the full output ends where the last copy does; the crops follow"),
    Alternative("the functional transposed convolution in 1-D", "transposed_output_size", SIZE,
                "out = F.conv_transpose1d(torch.zeros(1, 1, n_in), torch.zeros(1, 1, kernel_size), stride=stride,\n"
                "                             padding=padding, output_padding=output_padding)\n"
                "    return out.shape[-1]",
                "test_transposed_output_size", "a length along one axis follows the same formula as a height"),
    # generator_block, more
    Alternative("G: add_module with keywords", "generator_block", G_BLOCK,
                "    block = nn.Sequential()\n"
                "    block.add_module(\"up\", nn.ConvTranspose2d(in_channels=in_channels, out_channels=out_channels,\n"
                "                                                kernel_size=(kernel_size, kernel_size),\n"
                "                                                stride=stride, padding=padding, bias=False))\n"
                "    block.add_module(\"norm\", nn.BatchNorm2d(num_features=out_channels))\n"
                "    block.add_module(\"act\", nn.ReLU(True))\n"
                "    return block",
                "test_generator_block", "the same three layers; a square kernel given as a pair is the same kernel"),
    # discriminator_block, more
    Alternative("D: in-place LeakyReLU, appended to a Sequential", "discriminator_block",
                D_BLOCK + "    layers.append(nn.LeakyReLU(0.2))\n    return nn.Sequential(*layers)",
                "    block = nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size=4, stride=2, padding=1,\n"
                "                                    bias=not batch_norm))\n"
                "    if batch_norm:\n"
                "        block.append(nn.BatchNorm2d(out_channels))\n"
                "    block.append(nn.LeakyReLU(negative_slope=0.2, inplace=True))\n"
                "    return block",
                "test_discriminator_block", "the same layers; in place, LeakyReLU changes no value autograd needs"),
    # init_weights, more
    Alternative("trunc_normal_ with its default bounds", "init_weights", INIT,
                INIT.replace("nn.init.normal_(", "nn.init.trunc_normal_("), "test_init_weights",
                "the default bounds of +-2 are 100 standard deviations away: N(0, 0.02^2) exactly, "
                "drawn from torch's generator"),
    Alternative("in place under no_grad, biases filled", "init_weights",
                INIT + "        if module.bias is not None:\n            nn.init.zeros_(module.bias)\n",
                "    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):\n"
                "        with torch.no_grad():\n"
                "            module.weight.normal_(mean=0.0, std=0.02)\n"
                "            if module.bias is not None:\n"
                "                module.bias.fill_(0.0)\n",
                "test_init_weights", "Tensor.normal_ and fill_ draw and set the same values as nn.init does"),
    # frechet_distance, more
    Alternative("scipy's sqrtm of S1 S2, as pytorch-fid", "frechet_distance", BODY,
                "    import numpy as np\n"
                "    from scipy import linalg\n"
                "    covmean = linalg.sqrtm((sigma1 @ sigma2).numpy())\n"
                "    if not np.isfinite(covmean).all():  # a singular product: shift both covariances a little\n"
                "        offset = np.eye(len(covmean)) * 1e-10\n"
                "        covmean = linalg.sqrtm((sigma1.numpy() + offset) @ (sigma2.numpy() + offset))\n"
                "    trace_root = torch.tensor(np.trace(covmean).real)\n",
                "test_frechet_distance", "Tr (S1 S2)^(1/2) by the matrix square root itself, in float64"),
    Alternative("the roots of S2 around S1, columns scaled", "frechet_distance", BODY.rsplit("    M = (M", 1)[0],
                "    lam, V = torch.linalg.eigh(sigma2)\n"
                "    root2 = (V * lam.clamp_min(0).sqrt()) @ V.mT  # V diag(sqrt(lam)) V^T\n"
                "    M = root2 @ sigma1 @ root2\n",
                "test_frechet_distance", "sqrt(S2) S1 sqrt(S2) has the eigenvalues of S1 S2 too"),
    Alternative("M not symmetrised, as the hint reads", "frechet_distance",
                "    M = (M + M.T) / 2  # symmetric up to rounding: make it exact for eigh\n", "",
                "test_frechet_distance", "for symmetric S1 and S2, sqrt(S1) S2 sqrt(S1) is symmetric already; "
                "the docstring's hint takes its eigenvalues as it is"),
    # slerp, more
    Alternative("the division left unguarded inside torch.where", "slerp",
                "    safe = torch.where(sin < 1e-6, torch.ones_like(sin), sin)\n"
                "    spherical = (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / safe\n"
                "    return torch.where(sin < 1e-6, z0 + t * (z1 - z0), spherical)",
                "    spherical = (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / sin\n"
                "    return torch.where(sin < 1e-6, torch.lerp(z0, z1, t), spherical)",
                "test_slerp", "the inf or NaN of a division by 0 is computed but not selected; lerp is the fallback"),
    Alternative("sin W from cos W", "slerp", "    sin = torch.sin(omega)\n",
                "    sin = (1 - cos.clamp(-1.0, 1.0) ** 2).sqrt()  # sin W >= 0 for W in [0, pi]\n",
                "test_slerp", "sin W = sqrt(1 - cos^2 W), the same number up to rounding"),
    # still more
    Alternative("PyTorch's documented formula, with dilation 1", "transposed_output_size", SIZE,
                "dilation = 1  # nn.ConvTranspose2d's default\n"
                "    return (n_in - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1",
                "test_transposed_output_size", "dilation (k - 1) + 1 = k when the dilation is 1"),
    Alternative("D: one Sequential for each setting of the flag", "discriminator_block",
                D_BLOCK + "    layers.append(nn.LeakyReLU(0.2))\n    return nn.Sequential(*layers)",
                "    conv = nn.Conv2d(in_channels, out_channels, 4, 2, 1, bias=not batch_norm)\n"
                "    if batch_norm:\n"
                "        return nn.Sequential(conv, nn.BatchNorm2d(out_channels), nn.LeakyReLU(0.2))\n"
                "    return nn.Sequential(conv, nn.LeakyReLU(0.2))",
                "test_discriminator_block", "the same layers for each value of batch_norm"),
    Alternative("the std by keyword, biases by constant_", "init_weights",
                INIT + "        if module.bias is not None:\n            nn.init.zeros_(module.bias)\n",
                "    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):\n"
                "        nn.init.normal_(module.weight, std=0.02)  # the mean is 0 by default\n"
                "        if module.bias is not None:\n"
                "            nn.init.constant_(module.bias, 0.0)\n",
                "test_init_weights", "normal_'s mean defaults to 0, and constant_(b, 0) is zeros_(b)"),
    Alternative("numpy's eigh in float64", "frechet_distance", BODY,
                "    import numpy as np\n"
                "    s1, s2 = sigma1.numpy(), sigma2.numpy()\n"
                "    lam, V = np.linalg.eigh(s1)\n"
                "    root1 = (V * np.sqrt(np.clip(lam, 0, None))) @ V.T  # V diag(sqrt(lam)) V^T\n"
                "    M = root1 @ s2 @ root1\n"
                "    trace_root = torch.tensor(np.sqrt(np.clip(np.linalg.eigvalsh((M + M.T) / 2), 0, None)).sum())\n",
                "test_frechet_distance", "the same float64 computation, by numpy instead of torch"),
    Alternative("cosine_similarity for cos W", "slerp", ANGLE,
                "    cos = F.cosine_similarity(z0, z1, dim=-1).unsqueeze(-1)  # (..., 1)\n"
                "    omega = torch.arccos(cos.clamp(-1.0, 1.0))\n",
                "test_slerp", "cosine_similarity is (z0 . z1) / (|z0| |z1|) along the last dim"),
    Alternative("complex square roots of the eigenvalues of S1 S2", "frechet_distance", TRACE,
                "trace_root = torch.linalg.eigvals(sigma1 @ sigma2).sqrt().real.sum()", "test_frechet_distance",
                "an eigenvalue that rounding pushed just below 0 has a purely imaginary root, whose real part is 0: "
                "the same as clamping it at 0"),
    Alternative(".data set to a new draw", "init_weights", INIT,
                "    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):\n"
                "        module.weight.data = 0.02 * torch.randn_like(module.weight)  # the same Parameter\n",
                "test_init_weights",
                "setting .data keeps the Parameter object and draws N(0, 0.02^2) from torch's stream"),
]
