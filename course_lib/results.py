"""The measured result at the end of each notebook.

``report`` prints the numbers beside their targets. When ``GAN_COURSE_RESULTS`` names a
file, it also appends them there as one JSON line, with the seed of the run
(``runtime.default_seed``): that is how the benchmark tool collects exactly what the notebook printed.
"""
import json
import os
import time

from . import guard, runtime

RESULTS_VARIABLE = "GAN_COURSE_RESULTS"


def _meets(value, target):
    op, bound = target
    return value <= bound if op == "<=" else value >= bound


def report(notebook, values, targets=None):
    """Print measured values beside their targets and record them.

    values:  {name: number}, e.g. {"KS statistic": 0.021, "train seconds": 31.5}.
    targets: {name: ("<=" or ">=", bound)} for the values that have one.
    Returns True if every target is met.
    """
    if not isinstance(values, dict) or not values:
        raise ValueError(f"values must be a non-empty dict of numbers, got {guard.describe(values)}")
    targets = targets or {}
    for name, target in targets.items():
        if name not in values:
            raise ValueError(f"target {name!r} has no value; values are {sorted(values)}")
        if not (isinstance(target, tuple) and len(target) == 2 and target[0] in ("<=", ">=")):
            raise ValueError(f"target {name!r} must be ('<=' or '>=', bound), got {target!r}")
    ok = True
    print(f"Result ({runtime.mode()} mode):")
    for name, value in values.items():
        line = f"  {name:<28} {value:.4g}" if isinstance(value, float) else f"  {name:<28} {value}"
        if name in targets:
            met = _meets(value, targets[name])
            ok &= met
            line += f"   target {targets[name][0]} {targets[name][1]}  {'met' if met else 'NOT met'}"
        print(line)
    if runtime.mode() == "smoke" and not ok:
        print("  (smoke mode trains for a few steps only; run in lite or full mode to reach the targets)")
    path = os.environ.get(RESULTS_VARIABLE)
    if path:
        record = {"notebook": notebook, "mode": runtime.mode(), "seed": runtime.default_seed(),
                  "time": time.time(), "values": values, "targets": {k: list(v) for k, v in targets.items()}, "met": ok}
        with open(path, "a") as f:
            f.write(json.dumps(record) + "\n")
    return ok
