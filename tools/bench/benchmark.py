"""Run each notebook's headline experiment and write the measured results to RESULTS.md.

    python -m tools.bench.benchmark                    # every notebook, lite mode, seed 0
    python -m tools.bench.benchmark 01_toy_gan --seeds 0 1 2 3 4
    python -m tools.bench.benchmark 08_stylegan --seeds 0 1 2 --machine "AMD EPYC"

Each run executes the source notebook top to bottom in a fresh kernel, with GAN_COURSE_SEED
set, and collects what its ``results.report`` cell printed. The notebook's section of RESULTS.md
is replaced; the other sections are kept. A GAN trained for minutes on a CPU lands elsewhere on
another CPU (its arithmetic rounds otherwise, and training amplifies that): ``--machine NAME``
keeps a section of its own beside the one measured elsewhere, rather than replacing it. This is a
measurement, not a test: run it on a quiet machine.
"""
import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import tempfile
import time

import nbformat
import torch
from nbclient import NotebookClient

try:
    from tools import course
except ModuleNotFoundError as err:  # run as a script: tools/ is then not an importable package
    if err.name != "tools":
        raise
    raise SystemExit("run the benchmark from the course root as a module: python -m tools.bench.benchmark") from None

RESULTS = os.path.join(course.ROOT, "RESULTS.md")


@contextlib.contextmanager
def environ(env):
    """Set the environment variables ``env`` (a dict; None unsets one) for the kernels started inside;
    restore them after."""
    saved = {k: os.environ.get(k) for k in env}
    for k, v in env.items():
        os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    try:
        yield
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


def machine():
    """The CPU by name and vector units (two CPUs of one name can differ twofold), the GPU, the versions."""
    cpu, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as f:
            first_cpu = f.read().split("\n\n")[0].splitlines()
        info = {key.strip(): value.strip() for key, value in (line.split(":", 1) for line in first_cpu if ":" in line)}
        cpu, flags = info.get("model name", cpu), set(info.get("flags", "").split())
    except OSError:
        pass
    units = [name for flag, name in (("amx_tile", "AMX"), ("avx512f", "AVX-512"), ("avx2", "AVX2")) if flag in flags]
    if units:
        cpu += f" ({', '.join(units)})"
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return f"{cpu}, {os.cpu_count()} cores, {gpu}; Python {platform.python_version()}, torch {torch.__version__}"


# the switches that cut a run short or lengthen it: unset for every measurement
UNCUT = {"GAN_COURSE_STEPS": None, "GAN_COURSE_EVALUATION": None, "GAN_COURSE_REFERENCE": None}


def run(name, seed, mode, keep=None):
    """Execute solutions/<name> once; returns (wall seconds, the reported record).

    keep: a folder to save the executed notebook in, outputs and figures included, to look at.
    """
    nb = nbformat.read(course.source(name), as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "results.jsonl")
        # a measurement: nothing cut short, whatever the caller's environment says
        with environ({**UNCUT, "GAN_COURSE_MODE": mode, "GAN_COURSE_SEED": str(seed), "GAN_COURSE_RESULTS": out}):
            start = time.perf_counter()
            NotebookClient(nb, timeout=1800, resources={"metadata": {"path": tmp}}).execute()
            seconds = time.perf_counter() - start
        if keep:
            os.makedirs(keep, exist_ok=True)
            nbformat.write(nb, os.path.join(keep, f"{name}-{mode}-seed{seed}.ipynb"))
        load = os.getloadavg()[1]  # the 5-minute load average: times are only comparable on a quiet machine
        with open(out) as f:
            records = [json.loads(line) for line in f]
    if len(records) != 1:
        raise RuntimeError(f"{name} reported {len(records)} results; expected exactly one")
    records[0]["load"] = load
    return seconds, records[0]


def key(name, mode, machine_name=None):
    """The name of a section of RESULTS.md: notebook/mode, or notebook/mode/machine."""
    return f"{name}/{mode}" + (f"/{machine_name.replace(' ', '-')}" if machine_name else "")


def section(name, mode, runs, command, machine_name=None):
    """The Markdown section of one notebook: one row per seed."""
    names = list(runs[0][1]["values"])
    targets = runs[0][1]["targets"]
    head = ["seed", *[f"{n} (target {targets[n][0]} {targets[n][1]})" if n in targets else n for n in names],
            "notebook wall time (s)", "load average"]
    block = key(name, mode, machine_name)
    lines = [f"<!-- {block}:begin -->",
             f"## {name}, {mode} mode" + (f", on an {machine_name}" if machine_name else ""), "",
             f"Mode `{mode}`; measured {datetime.date.today().isoformat()} with `{command}` on {machine()}.", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for seconds, record in runs:
        row = [str(record["seed"]), *[f"{record['values'][n]:g}" for n in names], f"{seconds:.0f}",
               f"{record['load']:.1f}"]
        lines.append("| " + " | ".join(row) + " |")
    met = sum(r["met"] for _, r in runs)
    lines += ["", f"Targets met in {met} of {len(runs)} runs.", f"<!-- {block}:end -->"]
    return "\n".join(lines)


HEADER = """# Measured results

Written by `tools/bench/benchmark.py` (`make benchmark`): each notebook's source version runs top to
bottom in a fresh kernel, and its result cell's numbers are collected. Each section says the
mode, the command, the date and the machine. The wall time covers the whole notebook, pictures
and checks included. The load average (5 minutes, taken at the end of each run) says how busy
the machine was, the notebook's own threads included: a notebook training on both of 2 cores
makes a load of about 2 by itself, so a load well above 2 means it shared them, and its times
are longer than on a quiet machine. A GPU machine without internet access runs full mode on the
5,000 offline digits, not on full MNIST; the notebook's first line says which data it used.

"""
BLOCK = re.compile(r"<!-- (\S+):begin -->.*?<!-- \1:end -->", re.S)


def write(key, text):
    """Replace one notebook-and-mode section of RESULTS.md, keeping the others, in course order."""
    old = open(RESULTS).read() if os.path.exists(RESULTS) else ""
    blocks = {m.group(1): m.group(0) for m in BLOCK.finditer(old)}
    blocks[key] = text
    with open(RESULTS, "w") as f:
        f.write(HEADER + "\n\n".join(blocks[k] for k in sorted(blocks)) + "\n")


def main():
    parser = argparse.ArgumentParser(prog="python -m tools.bench.benchmark", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="assignment names (default: all)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--mode", choices=("smoke", "lite", "full"), default="lite")
    parser.add_argument("--keep", metavar="DIR", help="save the executed notebooks there, to look at")
    parser.add_argument("--machine", metavar="NAME", help="write a section of its own for this machine, beside "
                        "the notebook's main one (a CPU's name, such as \"AMD EPYC\")")
    args = parser.parse_args()
    known = course.assignments()
    for name in args.notebooks or known:
        if name not in known:
            parser.error(f"unknown notebook {name!r}; known: {', '.join(known)}")
        runs = []
        for seed in args.seeds:
            seconds, record = run(name, seed, args.mode, keep=args.keep)
            print(f"{name} seed {seed}: {seconds:.0f} s, {record['values']}", flush=True)
            runs.append((seconds, record))
        command = "python -m tools.bench.benchmark " + " ".join(
            [name, "--mode", args.mode, "--seeds", *map(str, args.seeds)])
        if args.machine:
            command += f' --machine "{args.machine}"'
        write(key(name, args.mode, args.machine), section(name, args.mode, runs, command, args.machine))


if __name__ == "__main__":
    main()
