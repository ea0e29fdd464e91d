from mistakes import Mistake

MISTAKES = [
    Mistake("uniform noise", "sample_noise", "torch.randn(n, z_dim, generator=generator)",
            "torch.rand(n, z_dim, generator=generator)", "test_sample_noise", "torch.rand is uniform"),
]
