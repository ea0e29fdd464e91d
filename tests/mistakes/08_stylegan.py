from mistakes import Mistake

MU = "mu = x.mean((2, 3), keepdim=True)"
RET = "return y_s[:, :, None, None] * (x - mu) / sigma + y_b[:, :, None, None]"
SIGMA = "sigma = (x.var((2, 3), keepdim=True, unbiased=False) + eps).sqrt()"

MISTAKES = [
    # adain
    Mistake("the statistics over the batch too", "adain", MU, "mu = x.mean((0, 2, 3), keepdim=True)",
            "test_adain", "over the spatial dims (2, 3) only"),
    Mistake("the unbiased variance", "adain", SIGMA,
            "sigma = (x.var((2, 3), keepdim=True, unbiased=True) + eps).sqrt()", "test_adain",
            "the population variance"),
    Mistake("the variance instead of the standard deviation", "adain", SIGMA,
            "sigma = x.var((2, 3), keepdim=True, unbiased=False) + eps", "test_adain", "divide by sqrt(var + eps)"),
    Mistake("scale and bias swapped", "adain", "y_s[:, :, None, None] * (x - mu) / sigma + y_b[:, :, None, None]",
            "y_b[:, :, None, None] * (x - mu) / sigma + y_s[:, :, None, None]", "test_adain", "then add y_b"),
    Mistake("the statistics over the last axis only", "adain", RET,
            "mu, sigma = x.mean(-1, keepdim=True), (x.var(-1, keepdim=True, unbiased=False) + eps).sqrt()\n    " + RET,
            "test_adain", "over both spatial dims at once"),
    Mistake("adain: eps outside the square root", "adain", SIGMA,
            "sigma = x.var((2, 3), keepdim=True, unbiased=False).sqrt() + eps", "test_adain",
            "add eps to the variance inside the square root, sqrt(var + eps)"),
    Mistake("adain: eps fixed at 1e-5, the argument ignored", "adain", SIGMA,
            "sigma = (x.var((2, 3), keepdim=True, unbiased=False) + 1e-5).sqrt()", "test_adain", "pass eps on"),
    Mistake("1 + y_s as the scale, as in the official code", "adain", "y_s[:, :, None, None] * (x - mu)",
            "(1 + y_s[:, :, None, None]) * (x - mu)", "test_adain", "not 1 + y_s"),
    # MappingNetwork
    Mistake("Linear layers without bias", "MappingNetwork", "nn.Linear(z_dim if i == 0 else w_dim, w_dim)",
            "nn.Linear(z_dim if i == 0 else w_dim, w_dim, bias=False)", "test_MappingNetwork",
            "keep each Linear's bias"),
    Mistake("every Linear takes z_dim inputs", "MappingNetwork", "nn.Linear(z_dim if i == 0 else w_dim, w_dim)",
            "nn.Linear(z_dim, w_dim)", "test_MappingNetwork", "z_dim -> w_dim, then w_dim -> w_dim"),
    Mistake("ReLU instead of LeakyReLU", "MappingNetwork", "w_dim), nn.LeakyReLU(0.2)]", "w_dim), nn.ReLU()]",
            "test_MappingNetwork", "followed by nn.LeakyReLU(0.2)"),
    Mistake("z not normalised", "MappingNetwork",
            "z = z / (z.pow(2).mean(1, keepdim=True) + 1e-8).sqrt()", "z = z", "test_MappingNetwork",
            "normalise z first"),
    Mistake("divided by the norm", "MappingNetwork", "z.pow(2).mean(1, keepdim=True)", "z.pow(2).sum(1, keepdim=True)",
            "test_MappingNetwork", "not by the norm"),
    Mistake("normalised over the whole batch", "MappingNetwork", "z.pow(2).mean(1, keepdim=True)", "z.pow(2).mean()",
            "test_MappingNetwork", "not over the batch"),
    # NoiseInjection
    Mistake("the scales start random", "NoiseInjection", "nn.Parameter(torch.zeros(channels))",
            "nn.Parameter(torch.randn(channels))", "test_NoiseInjection", "start at 0"),
    Mistake("the scales shaped (1, C, 1, 1)", "NoiseInjection", "nn.Parameter(torch.zeros(channels))",
            "nn.Parameter(torch.zeros(1, channels, 1, 1))", "test_NoiseInjection", "one learned scale per channel"),
    Mistake("one noise map per channel", "NoiseInjection", "torch.randn(x.shape[0], 1, x.shape[2], x.shape[3],",
            "torch.randn(x.shape[0], x.shape[1], x.shape[2], x.shape[3],", "test_NoiseInjection",
            "draw ONE noise channel per sample"),
    Mistake("one noise map for the whole batch", "NoiseInjection", "torch.randn(x.shape[0], 1, x.shape[2], x.shape[3],",
            "torch.randn(1, 1, x.shape[2], x.shape[3],", "test_NoiseInjection", "not (1, 1, H, W)"),
    Mistake("uniform noise", "NoiseInjection", "noise = torch.randn(", "noise = torch.rand(", "test_NoiseInjection",
            "standard normal noise: torch.randn"),
    Mistake("noise drawn on the CPU whatever x's device", "NoiseInjection", "dtype=x.dtype, device=x.device)",
            "dtype=x.dtype)", "test_NoiseInjection", "noise drawn on the CPU cannot be added to x"),
    # mix_styles
    Mistake("layer k taken from w1", "mix_styles", "(layer[None, :] < k)", "(layer[None, :] <= k)", "test_mix_styles",
            "layers l < k come from w1"),
    Mistake("w1 and w2 swapped", "mix_styles", "torch.where(from_w1, w1[:, None, :], w2[:, None, :])",
            "torch.where(from_w1, w2[:, None, :], w1[:, None, :])", "test_mix_styles", "layers l < k come from w1"),
    # truncate
    Mistake("scaled towards 0, not towards w_avg", "truncate", "return w_avg + psi * (w - w_avg)", "return psi * w",
            "test_truncate", "psi = 0 gives the average code"),
    Mistake("psi read the wrong way round", "truncate", "return w_avg + psi * (w - w_avg)",
            "return w + psi * (w_avg - w)", "test_truncate", "psi = 1 leaves w unchanged"),
    Mistake("w changed in place", "truncate", "return w_avg + psi * (w - w_avg)",
            "return w.sub_(w_avg).mul_(psi).add_(w_avg)", "test_truncate", "do not modify w in place"),
]
