"""Predict each notebook's full-mode time on an NVIDIA T4 (Colab's GPU) from a run on the CPU.

    python -m tools.bench.predict_t4                  # every notebook; writes RESULTS.md's predicted section
    python -m tools.bench.predict_t4 02_dcgan --no-write
    python -m tools.bench.predict_t4 --counts DIR     # keep each notebook's counts in DIR, and reuse them

Each source notebook runs in a fresh kernel in full mode, at full size, with its training cut by
``GAN_COURSE_STEPS`` (tools/bench/op_count.py counts it). Each training run is first measured on
a few of its own steps, at full size (blocks of 4 consecutive step numbers spread over the run
when the step depends on its number, as ProGAN's stage does): their aten ops, FLOPs (torch's
flop formulas, as ``FlopCounterMode`` counts them) and bytes, per step. Everything else the
notebook runs (the checks, the evaluation, the pictures' samples) is counted once, as it is.

The model, per op: ``max(launch, flops / (flop share x peak) + bytes / (byte share x bandwidth))``,
summed; a run is its mean step times its number of steps. The T4's figures are NVIDIA's (T4
datasheet: 8.1 TFLOP/s FP32 peak, 320 GB/s of GDDR6); the shares are assumptions, and so is the
10 µs of host work per op (PyTorch's eager dispatch and the launch itself: NVIDIA puts a kernel
launch alone at a few µs, "Getting Started with CUDA Graphs"). Not modelled: Python and
matplotlib outside tensor ops, checkpoint saves, the download of MNIST, and the classifier's
passes that the notebooks run on the CPU on purpose (counted here as GPU work). A prediction,
not a measurement: `python -m tools.bench.benchmark --mode full` on a T4 measures it.
"""
import argparse
import datetime
import json
import os
import tempfile
import time

import nbformat
from nbclient import NotebookClient

from tools import course
from tools.bench import benchmark
from tools.bench.op_count import Model

T4 = Model(name="NVIDIA T4", flops_peak=8.1e12, bandwidth=320e9, flop_share=0.4, byte_share=0.7, launch=10e-6)
BUDGET = 15 * 60  # seconds: what a full-mode notebook may take on Colab's T4
CUT = 4  # GAN_COURSE_STEPS of the counting run: its training is not what is counted

HOOK = """
import sys
sys.path.insert(0, {root!r})
from tools.bench import op_count
op_count.install(get_ipython(), op_count.{model!r}, {out!r})
"""


def count(name):
    """Run solutions/<name> in full mode under the counter; returns (its counts, the run's wall seconds)."""
    nb = nbformat.read(course.source(name), as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "counts.json")
        nb.cells.insert(0, nbformat.v4.new_code_cell(HOOK.format(root=course.ROOT, model=T4, out=out)))
        cut = {"GAN_COURSE_MODE": "full", "GAN_COURSE_STEPS": str(CUT), "GAN_COURSE_EVALUATION": "full",
               "GAN_COURSE_CHECKPOINTS": "off"}  # the training cut, the evaluation as it is
        with benchmark.environ(cut):
            start = time.perf_counter()
            NotebookClient(nb, timeout=3600, resources={"metadata": {"path": tmp}}).execute()
            seconds = time.perf_counter() - start
        with open(out) as f:
            return json.load(f), seconds


def predict(counts):
    """{"training": seconds, "rest": seconds, "total": seconds, "runs": [(desc, steps, seconds per step)]}."""
    runs = [(r["desc"], r["steps"], r["per_step"]["seconds"], r["per_step"]) for r in counts["runs"]]
    training = sum(steps * per_step for _, steps, per_step, _ in runs)
    rest = counts["rest"]["seconds"]
    return {"training": training, "rest": rest, "total": training + rest, "runs": runs}


def table(predictions):
    """The markdown table of the predictions, one row per notebook."""
    rows = ["| notebook | training runs: steps x predicted ms per step (aten ops, GFLOP, MB per step) | "
            "training (s) | evaluation and checks (s) | predicted total (min) | within 15 min |",
            "|---|---|---|---|---|---|"]
    for name, p in predictions.items():
        runs = "; ".join(f"{desc}: {steps:,} x {1e3 * ms:.2f} ({per['ops']:,.0f}, {per['flops'] / 1e9:.2f}, "
                         f"{per['bytes'] / 1e6:.0f})" for desc, steps, ms, per in p["runs"])
        rows.append(f"| {name} | {runs or 'none'} | {p['training']:.0f} | {p['rest']:.0f} | {p['total'] / 60:.1f} | "
                    f"{'yes' if p['total'] <= BUDGET else 'NO'} |")
    return "\n".join(rows)


def section(predictions, command):
    m = T4
    return "\n".join([
        "<!-- predicted/t4:begin -->",
        "## Full mode on a T4: predicted, not measured",
        "",
        f"Predicted {datetime.date.today()} with `{command}` from counts taken on {benchmark.machine()}; "
        f"no GPU ran. Each notebook ran in full mode at full size with `GAN_COURSE_STEPS={CUT}`, under a "
        "counter of the aten ops it runs (`tools/bench/op_count.py`): each training run's ops, FLOPs and bytes "
        "per step, counted on its own steps, and those of everything else the notebook runs, counted once.",
        "",
        f"The model: each op takes max({m.launch * 1e6:.0f} µs, FLOPs / ({m.flop_share:g} x {m.flops_peak / 1e12:g} "
        f"TFLOP/s) + bytes / ({m.byte_share:g} x {m.bandwidth / 1e9:.0f} GB/s)). {m.flops_peak / 1e12:g} TFLOP/s "
        f"(FP32 peak) and {m.bandwidth / 1e9:.0f} GB/s are NVIDIA's T4 datasheet; the shares of them are "
        f"assumptions, and so are the {m.launch * 1e6:.0f} µs of host work per op (PyTorch's eager dispatch and "
        "the launch: NVIDIA's \"Getting Started with CUDA Graphs\" puts a kernel launch alone at a few µs). "
        "Left out: Python and pictures outside tensor ops, checkpoint saves, MNIST's download, 05's optional "
        "run on the facades (`FACADES = False` by default), and the classifier passes that run on the CPU by "
        "design (counted as GPU work). A run on a T4 "
        "(`python -m tools.bench.benchmark --mode full --seeds 0`) is what measures these times.",
        "",
        table(predictions),
        "<!-- predicted/t4:end -->",
    ])


def main():
    parser = argparse.ArgumentParser(prog="python -m tools.bench.predict_t4", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="assignment names (default: all)")
    parser.add_argument("--no-write", action="store_true", help="print the table only; leave RESULTS.md alone")
    parser.add_argument("--counts", metavar="DIR", help="save each notebook's counts in DIR/NAME.json, and read "
                        "them from there instead of running the notebook again (several runs share the work)")
    args = parser.parse_args()
    names = args.notebooks or course.assignments()
    unknown = sorted(set(names) - set(course.assignments()))
    if unknown:
        parser.error(f"no such notebook: {', '.join(unknown)}; the notebooks are {', '.join(course.assignments())}")
    predictions = {}
    for name in names:
        kept = os.path.join(args.counts, f"{name}.json") if args.counts else None
        if kept and os.path.exists(kept):
            with open(kept) as f:
                counts, seconds = json.load(f)
        else:
            counts, seconds = count(name)
            if kept:
                os.makedirs(args.counts, exist_ok=True)
                with open(kept, "w") as f:
                    json.dump([counts, seconds], f)
        predictions[name] = predict(counts)
        print(f"{name}: predicted {predictions[name]['total'] / 60:.1f} min on a T4 "
              f"(counted in {seconds:.0f} s on the CPU)", flush=True)
    print(table(predictions))
    if not args.no_write:
        command = "python -m tools.bench.predict_t4" + (" " + " ".join(args.notebooks) if args.notebooks else "")
        benchmark.write("predicted/t4", section(predictions, command))


if __name__ == "__main__":
    main()
