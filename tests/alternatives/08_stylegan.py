from alternatives import Alternative

ADAIN = ("    mu = x.mean((2, 3), keepdim=True)                                            # (B, C, 1, 1)\n"
         "    sigma = (x.var((2, 3), keepdim=True, unbiased=False) + eps).sqrt()           # (B, C, 1, 1)\n"
         "    return y_s[:, :, None, None] * (x - mu) / sigma + y_b[:, :, None, None]\n")
LAYERS = ("        layers = []\n"
          "        for i in range(n_layers):\n"
          "            layers += [nn.Linear(z_dim if i == 0 else w_dim, w_dim), nn.LeakyReLU(0.2)]\n")
NORMALISE = "z = z / (z.pow(2).mean(1, keepdim=True) + 1e-8).sqrt()"
NOISE = "noise = torch.randn(x.shape[0], 1, x.shape[2], x.shape[3], dtype=x.dtype, device=x.device)"
MIX = ("    from_w1 = (layer[None, :] < k)[:, :, None]                          # (B or 1, L, 1)\n"
       "    return torch.where(from_w1, w1[:, None, :], w2[:, None, :])         # (B, L, w_dim)\n")
TRUNCATE = "return w_avg + psi * (w - w_avg)"

ALTERNATIVES = [
    # adain
    Alternative("F.instance_norm", "adain", ADAIN,
                "    return F.instance_norm(x, eps=eps) * y_s[:, :, None, None] + y_b[:, :, None, None]\n",
                "test_adain", "the docstring's own comparison: instance normalisation with the same eps"),
    Alternative("torch.var_mean and rsqrt", "adain", ADAIN,
                "    var, mu = torch.var_mean(x, dim=(2, 3), keepdim=True, correction=0)  # (B, C, 1, 1) each\n"
                "    return y_s[:, :, None, None] * (x - mu) * torch.rsqrt(var + eps) + y_b[:, :, None, None]\n",
                "test_adain", "correction=0 is the population variance; times 1 / sqrt is divided by sqrt"),
    Alternative("nn.InstanceNorm2d", "adain", ADAIN,
                "    normalised = nn.InstanceNorm2d(x.shape[1], eps=eps)(x)  # no affine parameters, no running stats\n"
                "    return normalised * y_s[:, :, None, None] + y_b[:, :, None, None]\n",
                "test_adain", "the docstring names it: the same statistics per sample and channel"),
    Alternative("the statistics of the flattened map", "adain", ADAIN,
                "    flat = x.flatten(2)                                        # (B, C, H * W)\n"
                "    mu = flat.mean(2)[:, :, None, None]                        # (B, C, 1, 1)\n"
                "    sigma = (flat.var(2, unbiased=False) + eps).sqrt()[:, :, None, None]\n"
                "    return y_s[:, :, None, None] * (x - mu) / sigma + y_b[:, :, None, None]\n",
                "test_adain", "the H * W positions of a map in one dimension: the same mean and population variance"),
    Alternative("F.layer_norm over the two spatial dims", "adain", ADAIN,
                "    normalised = F.layer_norm(x, x.shape[2:], eps=eps)  # over (H, W), for each sample and channel\n"
                "    return y_s[:, :, None, None] * normalised + y_b[:, :, None, None]\n",
                "test_adain", "layer_norm over the last two dims, without weights, is instance normalisation"),
    # MappingNetwork
    Alternative("the later layers created first", "MappingNetwork", LAYERS,
                "        rest = [nn.Linear(w_dim, w_dim) for _ in range(n_layers - 1)]  # drawn before the first\n"
                "        first = nn.Linear(z_dim, w_dim)\n"
                "        layers = []\n"
                "        for linear in [first, *rest]:\n"
                "            layers += [linear, nn.LeakyReLU(0.2)]\n",
                "test_MappingNetwork", "the same layers in the same order in self.net; only their random "
                "initial weights are drawn in another order"),
    Alternative("F.normalize times sqrt(d)", "MappingNetwork", NORMALISE,
                "z = F.normalize(z, dim=1) * z.shape[1] ** 0.5",
                "test_MappingNetwork", "z / ||z|| * sqrt(d) = z / rms(z); the eps differs by 1e-8 in the root"),
    Alternative("rsqrt of the mean square", "MappingNetwork", NORMALISE,
                "z = z * torch.rsqrt(z.square().mean(dim=1, keepdim=True) + 1e-8)",
                "test_MappingNetwork", "times 1 / sqrt(mean(z^2) + 1e-8) is divided by sqrt(mean(z^2) + 1e-8)"),
    # NoiseInjection
    Alternative("noise drawn per sample", "NoiseInjection", NOISE,
                "noise = torch.stack([torch.randn(1, x.shape[2], x.shape[3], dtype=x.dtype, device=x.device)\n"
                "                                  for _ in range(x.shape[0])])",
                "test_NoiseInjection", "the same N(0, 1) noise of shape (B, 1, H, W), drawn one sample at a time"),
    Alternative("randn_like on one channel of x", "NoiseInjection", NOISE, "noise = torch.randn_like(x[:, :1])",
                "test_NoiseInjection", "a (B, 1, H, W) draw with x's dtype and device"),
    Alternative("new_empty then normal_", "NoiseInjection", NOISE,
                "noise = x.new_empty(x.shape[0], 1, x.shape[2], x.shape[3]).normal_()",
                "test_NoiseInjection", "new_empty takes x's dtype and device; normal_ fills it with N(0, 1)"),
    Alternative("torch.addcmul", "NoiseInjection", "return x + self.weight.view(1, -1, 1, 1) * noise",
                "return torch.addcmul(x, self.weight[None, :, None, None], noise)", "test_NoiseInjection",
                "addcmul(x, s, n) = x + s * n, with the same broadcasting"),
    Alternative("a full draw, one channel kept", "NoiseInjection", NOISE, "noise = torch.randn_like(x)[:, :1]",
                "test_NoiseInjection", "channel 0 of N(0, 1) noise shaped like x: N(0, 1) noise of shape (B, 1, H, W), "
                "with x's dtype and device"),
    # mix_styles
    Alternative("a float mask instead of torch.where", "mix_styles", MIX,
                "    mask = (layer[None, :] < k)[:, :, None].to(w1.dtype)               # (B or 1, L, 1)\n"
                "    return mask * w1[:, None, :] + (1 - mask) * w2[:, None, :]\n",
                "test_mix_styles", "a 0/1 mask picks w1 or w2 exactly, and the gradient reaches each as often"),
    Alternative("one layer at a time", "mix_styles", MIX,
                "    return torch.stack([torch.where((l < k), w1, w2) for l in layer.tolist()], dim=1)\n",
                "test_mix_styles", "layer l of sample b takes w1[b] where l < k_b; stacked along dim 1"),
    Alternative("indexed from a stack of the two codes", "mix_styles", MIX,
                "    pick = (layer[None, :] >= k).long()                                 # (B or 1, L): 1 takes w2\n"
                "    both = torch.stack([w1, w2], dim=1)                                 # (B, 2, w_dim)\n"
                "    return both[torch.arange(len(w1), device=w1.device)[:, None], pick]  # (B, L, w_dim)\n",
                "test_mix_styles", "advanced indexing picks row 0 (w1) or 1 (w2) of each sample's pair for each layer"),
    # truncate
    Alternative("torch.lerp", "truncate", TRUNCATE, "return torch.lerp(w_avg.expand_as(w), w, psi)", "test_truncate",
                "lerp(start, end, psi) = start + psi (end - start), with psi a number or a tensor"),
    Alternative("weights on w and w_avg", "truncate", TRUNCATE, "return psi * w + (1 - psi) * w_avg", "test_truncate",
                "w_avg + psi (w - w_avg) expanded"),
    Alternative("a chain of methods", "truncate", TRUNCATE, "return (w - w_avg).mul(psi).add(w_avg)", "test_truncate",
                "mul and add (without the underscore) return new tensors: w_avg + psi (w - w_avg)"),
    Alternative("Tensor.lerp from w_avg", "truncate", TRUNCATE, "return w_avg.lerp(w, psi)", "test_truncate",
                "w_avg.lerp(w, psi) = w_avg + psi (w - w_avg), broadcast to the shape of w"),
    # further alternatives
    Alternative("leaky ReLUs in place", "MappingNetwork", LAYERS,
                LAYERS.replace("nn.LeakyReLU(0.2)", "nn.LeakyReLU(0.2, inplace=True)"), "test_MappingNetwork",
                "a leaky ReLU may overwrite the Linear's output, which its backward does not need"),
    Alternative("the scales as (C, 1, 1)", "NoiseInjection", "return x + self.weight.view(1, -1, 1, 1) * noise",
                "return x + self.weight[:, None, None] * noise", "test_NoiseInjection",
                "(C, 1, 1) against (B, 1, H, W) broadcasts to (B, C, H, W), as (1, C, 1, 1) does"),
    Alternative("filled by slicing, sample by sample", "mix_styles", MIX,
                "    ks = torch.as_tensor(crossover).reshape(-1).expand(len(w1)).tolist()  # one k per sample\n"
                "    ws = w2[:, None, :].repeat(1, n_layers, 1)                          # (B, L, w_dim): all from w2\n"
                "    for b, k_b in enumerate(ks):\n"
                "        ws[b, :k_b] = w1[b]                                             # layers l < k_b from w1\n"
                "    return ws\n",
                "test_mix_styles", "a new tensor of w2's codes with the first k_b layers of sample b overwritten by "
                "w1[b]; the copies keep the gradient to both codes"),
    Alternative("the step from w_avg in place on a new tensor", "truncate", TRUNCATE,
                "out = w - w_avg  # a new tensor: w itself is untouched\n    out *= psi\n    out += w_avg\n"
                "    return out", "test_truncate", "the in-place steps act on the difference, a tensor of its own"),
]
