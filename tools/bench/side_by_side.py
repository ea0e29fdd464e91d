"""Two trainings at once on the same cores: how much each slows down, with torch's threads and with one.

    python -m tools.bench.side_by_side                 # 3 repeats, writes its section of RESULTS.md
    python -m tools.bench.side_by_side --repeats 1 --no-write

Each run trains notebook 02's lite DCGAN (``bench_loop.make_step``, the course's step) for --steps
steps on one batch of 64 held in memory, in a process of its own, and reports its seconds. Five
ways, each repeat in turn: one process alone, with torch's own number of threads and with one
(``torch.set_num_threads(1)``); two processes started together, with torch's own number each, with
one each, and with torch's own number of OpenMP threads that sleep while they wait
(``OMP_WAIT_POLICY=PASSIVE``). Two at once with torch's own number is a student who starts a second
notebook while the first still trains: torch's own number is one thread per core, so the two then
ask for twice the cores there are. Run it on a quiet machine.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import torch

from tools.bench.bench_loop import BATCH, make_step
from tools.bench.benchmark import machine, write

# processes, torch threads (None: torch's own number), and what else the processes' environment sets
WAYS = {"alone": (1, None, {}), "alone, one thread": (1, 1, {}), "two at once": (2, None, {}),
        "two at once, one thread each": (2, 1, {}),
        "two at once, threads that sleep while they wait": (2, None, {"OMP_WAIT_POLICY": "PASSIVE"})}


def train(steps, threads):
    """Seconds for ``steps`` steps of the course's step, after 10 steps of warm-up, in this process."""
    if threads:
        torch.set_num_threads(threads)
    step, real = make_step(course=True), torch.randn(BATCH, 1, 28, 28).to(memory_format=torch.channels_last)
    for _ in range(10):  # first-call allocations and kernel choices
        step(real)
    start = time.perf_counter()
    for _ in range(steps):
        step(real)
    return {"seconds": time.perf_counter() - start, "threads": torch.get_num_threads()}


def together(processes, threads, env, steps):
    """[{seconds, threads}] of ``processes`` trainings started at once, with ``env`` added to their environment."""
    command = [sys.executable, "-m", "tools.bench.side_by_side", "--child", "--steps", str(steps)]
    command += ["--threads", str(threads)] if threads else []
    running = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ, **env})
               for _ in range(processes)]
    out = [p.communicate()[0] for p in running]
    if any(p.returncode for p in running):
        raise SystemExit(f"a training process failed: {[p.returncode for p in running]}")
    return [json.loads(o) for o in out]


def section(rows, steps, command):
    """RESULTS.md's section: each way's median seconds per process, and its factor against one alone."""
    median = {way: statistics.median(r["seconds"] for row in rows for r in row[way]) for way in WAYS}
    threads = {way: rows[0][way][0]["threads"] for way in WAYS}
    lines = ["<!-- side_by_side/cpu:begin -->", "## Two trainings at once on the same cores (CPU)", "",
             f"Measured {time.strftime('%Y-%m-%d')} with `{command}` on {machine()}.", "",
             f"Notebook 02's lite DCGAN step, batch 64, {steps} steps in each process, medians of "
             f"{len(rows)} repeats. Each process trains on its own; only the cores are shared.", "",
             "| way | processes | torch threads each | seconds each (median) | against one alone |",
             "|---|---|---|---|---|"]
    for way, (processes, _, _) in WAYS.items():
        lines.append(f"| {way} | {processes} | {threads[way]} | {median[way]:.1f} | "
                     f"{median[way] / median['alone']:.1f}x |")
    factor = {way: median[way] / median["alone"] for way in WAYS}
    lines += ["", f"Two processes that share the cores evenly would each take about twice as long as one alone; "
              f"with torch's own number of threads each took {factor['two at once']:.1f}x as long. Each of torch's "
              "threads waits for the others at the end of an operation by spinning on its core, which the other "
              "process's threads need: with OpenMP's threads told to sleep while they wait instead, each took "
              f"{factor['two at once, threads that sleep while they wait']:.1f}x, and with one thread each "
              f"{factor['two at once, one thread each']:.1f}x. Hence the README's advice: train one notebook at a "
              "time, or give each `torch.set_num_threads(1)`.", "<!-- side_by_side/cpu:end -->"]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(prog="python -m tools.bench.side_by_side", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=200, help="timed steps in each process")
    parser.add_argument("--threads", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # one training, as a JSON line
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing RESULTS.md")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(train(args.steps, args.threads)))
        return
    rows = []
    for r in range(args.repeats):
        row = {way: together(*how, steps=args.steps) for way, how in WAYS.items()}
        rows.append(row)
        print(f"repeat {r + 1}: " + "; ".join(f"{way} " + ", ".join(f"{x['seconds']:.1f} s" for x in row[way])
                                              for way in WAYS), flush=True)
    command = f"python -m tools.bench.side_by_side --repeats {args.repeats} --steps {args.steps}"
    text = section(rows, args.steps, command)
    print(text) if args.no_write else write("side_by_side/cpu", text)


if __name__ == "__main__":
    main()
