"""What a piece of torch code asks of a GPU, counted on any device: aten ops, FLOPs and bytes.

``OpCount`` is a TorchDispatchMode: every aten op that runs under it is counted in its current
``bucket`` (None: not counted). An op that only makes a view (``view``, ``t``, ``expand``,
``detach``...) launches no kernel and is left out; every other op counts as one kernel launch.
Its FLOPs are torch's own count (the formulas of ``torch.utils.flop_counter``, those
``FlopCounterMode`` adds up: matrix products and convolutions, forward and backward), its bytes
the sizes of the tensors it reads and writes. ``Model`` turns such counts into seconds on a GPU.

``install(ipython)`` counts a notebook (tools/bench/predict_t4.py): everything its cells run goes
to the bucket "rest", and each training run (``train.fit``) is measured on a few of its own steps,
at step numbers spread over the run, before it trains as ``GAN_COURSE_STEPS`` lets it.
"""
import json
from collections import defaultdict
from dataclasses import dataclass

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves
from torch.utils.flop_counter import flop_registry

NO_KERNEL = {torch.ops.aten.detach, torch.ops.aten.lift_fresh, torch.ops.aten.alias, torch.ops.aten.sym_size,
             torch.ops.aten.sym_stride, torch.ops.aten.sym_numel, torch.ops.aten.sym_storage_offset}


def _bytes(tree):
    return sum(t.numel() * t.element_size() for t in tree_leaves(tree) if isinstance(t, torch.Tensor))


@dataclass(frozen=True)
class Model:
    """Seconds on a GPU for counted ops: each op takes max(launch, flops / (flop_share * flops_peak) +
    bytes / (byte_share * bandwidth)), i.e. the GPU's time for the op, or the host's time to issue it
    when that is longer (small ops wait on the host, one after another)."""
    name: str
    flops_peak: float  # FLOP/s
    bandwidth: float  # bytes/s
    flop_share: float  # of the peak, reached by the convolutions and matrix products of small networks
    byte_share: float  # of the bandwidth
    launch: float  # seconds of host work per op: PyTorch's dispatch and the kernel launch

    def seconds(self, flops, nbytes):
        busy = flops / (self.flop_share * self.flops_peak) + nbytes / (self.byte_share * self.bandwidth)
        return max(self.launch, busy)


class OpCount(TorchDispatchMode):
    """Counts ops, FLOPs, bytes and ``model``'s seconds per bucket: ``totals[bucket]`` is a dict of the four."""

    def __init__(self, model):
        super().__init__()
        self.model, self.bucket = model, "rest"
        self.totals = defaultdict(lambda: {"ops": 0, "flops": 0, "bytes": 0, "seconds": 0.0})

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if self.bucket is None or func.is_view or func._overloadpacket in NO_KERNEL:
            return out
        packet = func._overloadpacket
        flops = flop_registry[packet](*args, **kwargs, out_val=out) if packet in flop_registry else 0
        nbytes = _bytes((args, kwargs)) + _bytes(out)
        total = self.totals[self.bucket]
        total["ops"] += 1
        total["flops"] += flops
        total["bytes"] += nbytes
        total["seconds"] += self.model.seconds(flops, nbytes)
        return out


def spread_blocks(steps, blocks, size):
    """``blocks`` runs of ``size`` consecutive step numbers, spread from the first step to the last: a
    step that does more every k-th step (a penalty, k <= size) is met in its share of the steps."""
    from course_lib import train

    if steps <= blocks * size:
        return list(range(1, steps + 1))
    return [start + i for start in train.spread_steps(steps - size + 1, blocks) for i in range(size)]


def install(ipython, model, out, blocks=8, size=4):
    """Count every cell that runs from now on in ``ipython``, and measure each training run.

    Writes ``out`` (JSON) after each cell: {"rest": totals outside the measured steps, "runs":
    [{"desc", "steps", "measured", "per_step": totals / measured steps}]}.
    """
    from course_lib import train

    counter, runs, fit = OpCount(model), [], train.fit
    entered = []

    def measured_fit(step, data, steps, **kwargs):
        numbers = spread_blocks(steps, blocks, size) if kwargs.get("pass_step") else list(range(1, size + 1))
        bucket, counter.bucket = counter.bucket, ("run", len(runs))
        for n in numbers:
            values = step(next(data), n) if kwargs.get("pass_step") else step(next(data))
            for value in values.values():
                float(value)  # fit reads each loss back to the host, as here
        per_step = {k: v / len(numbers) for k, v in counter.totals.pop(("run", len(runs))).items()}
        runs.append({"desc": kwargs.get("desc"), "steps": steps, "measured": len(numbers), "per_step": per_step})
        counter.bucket = None  # the cut run itself is not counted: its steps stand for nothing
        try:
            return fit(step, data, steps, **kwargs)
        finally:
            counter.bucket = bucket

    def before(info):
        counter.__enter__()
        entered.append(True)

    def after(result):
        if entered:
            counter.__exit__(None, None, None)
            entered.pop()
        with open(out, "w") as f:
            json.dump({"rest": counter.totals["rest"], "runs": runs}, f)

    train.fit = measured_fit
    ipython.events.register("pre_run_cell", before)
    ipython.events.register("post_run_cell", after)
