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
]
