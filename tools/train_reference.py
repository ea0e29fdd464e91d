"""Train the reference generators that notebooks show beside the student's own samples.

    python -m tools.train_reference                 # every notebook that has one
    python -m tools.train_reference 08_stylegan

Each run executes the solution notebook in a fresh kernel up to its training cell, in lite mode, seed 0,
with GAN_COURSE_REFERENCE=1: the notebook's own lite networks and code, on the longer schedule it
gives ``runtime.pick`` as ``reference=``. Then ``pretrained.save`` stores its G_ema in course_lib/weights/
with how it was trained and what it scored, and the record goes to RESULTS.md. A measurement: run it
on a quiet machine, then commit the weights and RESULTS.md together.
"""
import argparse
import os
import tempfile
import time

import nbformat
import torch
from nbclient import NotebookClient

from course_lib import pretrained
from tools import course
from tools.bench import benchmark

# the keyword arguments each notebook's Generator was built with, as an expression in the notebook
ARGUMENTS = {
    "07_progan": '{"z_dim": Z_DIM, "channels": CHANNELS}',
    "08_stylegan": '{"z_dim": Z_DIM, "w_dim": W_DIM, "mapping_layers": MAPPING_LAYERS, "channels": CHANNELS}',
}


def training_cell(nb):
    """The index of a notebook's training cell: its first code cell that calls ``train.fit``."""
    return next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and "train.fit(" in cell.source)


def train(name):
    """Run the solution notebook of ``name`` with the reference schedule; returns the saved record."""
    nb = nbformat.read(course.source(name), as_version=4)
    del nb.cells[training_cell(nb) + 1:]  # what follows shows and scores the run, the reference among it
    nb.cells.append(nbformat.v4.new_code_cell(
        "from course_lib import pretrained\n"
        f"pretrained.save({name!r}, G_ema, {ARGUMENTS[name]}, len(history), history.seconds, {benchmark.machine()!r})"))
    with benchmark.environ({**benchmark.UNCUT, "GAN_COURSE_MODE": "lite", "GAN_COURSE_SEED": "0",
                            "GAN_COURSE_REFERENCE": "1", "GAN_COURSE_RESULTS": None}):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            NotebookClient(nb, timeout=3600, resources={"metadata": {"path": tmp}}).execute()
            seconds = time.perf_counter() - start
    record = torch.load(pretrained.path(name), weights_only=True)["record"]
    print(f"{name}: {record['steps']:,} steps, {record['seconds']} s of training, notebook {seconds:.0f} s; "
          f"IS ratio {record['IS ratio']}, FID {record['FID']}", flush=True)
    return record


def section(records):
    """The Markdown section of RESULTS.md on the reference generators."""
    machines = "; ".join(sorted({r["machine"] for r in records}))
    lines = ["<!-- reference:begin -->", "## Reference generators", "",
             "The generators that notebooks show beside the student's samples (`course_lib/pretrained.py`): "
             "each notebook's own lite networks, trained by its solution notebook in lite mode, seed 0, where "
             "the values it gives `runtime.pick` as `reference=` replace the lite ones (the schedule, five "
             "times as long; in 07 also the average of G's weights, as in full mode), with "
             f"`python -m tools.train_reference`, on {machines}. "
             f"Scored on {pretrained.N_EVAL:,} samples against as many held-out offline digits; "
             "tests/test_pretrained.py checks that the shipped weights still score this.", "",
             "| notebook | training steps | training seconds | torch threads | IS ratio (samples / real) | FID | date "
             "| file size (KB) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in records:
        size = os.path.getsize(pretrained.path(r["notebook"])) / 1024
        lines.append(f"| {r['notebook']} | {r['steps']:,} | {r['seconds']} | {r['threads']} | {r['IS ratio']} | "
                     f"{r['FID']} | {r['date']} | {size:.0f} |")
    return "\n".join(lines + ["<!-- reference:end -->"])


def main():
    parser = argparse.ArgumentParser(prog="python -m tools.train_reference", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help=f"default: {' '.join(ARGUMENTS)}")
    args = parser.parse_args()
    for name in args.notebooks:
        if name not in ARGUMENTS:
            parser.error(f"no reference generator for {name!r}; known: {', '.join(ARGUMENTS)}")
    for name in args.notebooks or ARGUMENTS:
        train(name)
    records = [torch.load(pretrained.path(n), weights_only=True)["record"]
               for n in ARGUMENTS if pretrained.path(n).exists()]
    benchmark.write("reference", section(records))


if __name__ == "__main__":
    main()
