"""The counter and the model behind RESULTS.md's predicted T4 times (tools/bench/predict_t4.py)."""
import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from tools.bench import predict_t4
from tools.bench.op_count import Model, OpCount, spread_blocks

MODEL = Model(name="test", flops_peak=1e12, bandwidth=1e11, flop_share=0.5, byte_share=0.25, launch=1e-5)


def training_step():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 26 * 26, 10))
    opt = torch.optim.Adam(net.parameters())
    x = torch.randn(16, 1, 28, 28)

    def step():
        loss = net(x).logsumexp(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def test_the_flops_are_those_flop_counter_mode_counts():
    step = training_step()
    with FlopCounterMode(display=False) as reference:
        step()
    counter = OpCount(MODEL)
    with counter:
        step()
    # conv forward 16*8*26*26*9*2, its weight gradient as much again, the linear layer forward and backward
    assert counter.totals["rest"]["flops"] == reference.get_total_flops() > 2 * 16 * 8 * 26 * 26 * 9 * 2


def test_views_launch_nothing_and_each_other_op_once():
    x = torch.randn(4, 6)
    counter = OpCount(MODEL)
    with counter:
        y = x.view(6, 4).t().expand(2, 4, 6)  # views only
        z = (y + 1).sum()  # two kernels
        z.detach()
    total = counter.totals["rest"]
    assert total["ops"] == 2 and total["flops"] == 0
    # the add reads the 48 floats of the expanded view and writes 48; the sum reads them and writes one
    assert total["bytes"] == 3 * (2 * 4 * 6 * 4) + 4
    assert total["seconds"] == pytest.approx(2 * MODEL.launch)  # small ops wait on the host


def test_nothing_is_counted_without_a_bucket():
    counter = OpCount(MODEL)
    with counter:
        counter.bucket = None
        torch.ones(3) + 1
    assert dict(counter.totals) == {}


def test_the_model_is_a_roofline_with_a_launch_floor():
    assert MODEL.seconds(0, 0) == MODEL.launch
    assert MODEL.seconds(1e9, 0) == pytest.approx(1e9 / 0.5e12)  # 2 ms of FLOPs
    assert MODEL.seconds(1e9, 1e8) == pytest.approx(2e-3 + 1e8 / 0.25e11)  # plus 4 ms of memory traffic


def test_measured_steps_come_in_blocks_spread_over_the_run():
    assert spread_blocks(100, 3, 4) == [1, 2, 3, 4, 49, 50, 51, 52, 97, 98, 99, 100]
    assert spread_blocks(10, 3, 4) == list(range(1, 11))
    every_4th = [n for n in spread_blocks(20_000, 8, 4) if n % 4 == 0]
    assert len(every_4th) == 8  # a penalty on every 4th step is met in a quarter of the measured steps


def test_a_prediction_is_steps_times_the_step_plus_the_rest():
    per_step = {"ops": 100, "flops": 1e9, "bytes": 1e7, "seconds": 0.002}
    counts = {"rest": {"ops": 10, "flops": 0, "bytes": 0, "seconds": 3.0},
              "runs": [{"desc": "GAN", "steps": 1_000, "measured": 4, "per_step": per_step},
                       {"desc": "cGAN", "steps": 500, "measured": 4, "per_step": per_step}]}
    p = predict_t4.predict(counts)
    assert p["training"] == pytest.approx(3.0) and p["total"] == pytest.approx(6.0)
    table = predict_t4.table({"02_dcgan": p})
    runs = "GAN: 1,000 x 2.00 (100, 1.00, 10); cGAN: 500 x 2.00 (100, 1.00, 10)"
    assert f"| 02_dcgan | {runs} | 3 | 3 | 0.1 | yes |" in table
