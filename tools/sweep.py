"""Run variants of a notebook's lite training side by side and tabulate their results.

    python tools/sweep.py 02_dcgan base s5000 r1_1 noDbn+r1_1@1 --jobs 16 > sweep.jsonl
    python tools/sweep.py 02_dcgan --table sweep.jsonl      # writes its section of RESULTS.md

A variant is a set of text edits to the source notebook's code cells, named below; ``a+b``
applies both, ``name@1`` runs it with seed 1. Each run is one fresh kernel with one torch thread,
so that many run at once on a machine with many cores (a GPU machine's CPUs, say, with the GPU
hidden by CUDA_VISIBLE_DEVICES=""). Compare the results with each other, not the times with the
2-core benchmark. Each finished run prints one JSON line.
"""
import argparse
import concurrent.futures
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchmark import machine, run, write  # noqa: E402

ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _steps(n):
    return [("lite=3_000, full=20_000", f"lite={n:_}, full=20_000")]


def _r1(gamma):
    """R1 (Mescheder et al. 2018): gamma / 2 times D's squared gradient norm on real digits."""
    return [("    real_logits, fake_logits = D(real), D(fake.detach())",
             "    real = real.detach().requires_grad_(True)\n"
             "    real_logits, fake_logits = D(real), D(fake.detach())\n"
             "    r1 = torch.autograd.grad(real_logits.sum(), real, create_graph=True)[0].pow(2).sum([1, 2, 3]).mean()"),
            ("    opt_D.zero_grad()\n    loss_D.backward()", f"    opt_D.zero_grad()\n    (loss_D + {gamma / 2} * r1).backward()")]


_SHIFT = '''def shift(x, r):
    """Each image of x (B, 1, 28, 28) moved by its own random offset of up to r pixels."""
    B = x.shape[0]
    xp = F.pad(x, (r, r, r, r), value=-1.0)
    dy = torch.randint(0, 2 * r + 1, (B, 1, 1))
    dx = torch.randint(0, 2 * r + 1, (B, 1, 1))
    i = torch.arange(28)
    return xp[torch.arange(B)[:, None, None], 0, i[None, :, None] + dy, i[None, None, :] + dx][:, None]

def train_step(real):'''


def _augment(r):
    """Random translations of both real and generated digits before D (Zhao et al. 2020)."""
    return [("def train_step(real):", _SHIFT),
            ("real_logits, fake_logits = D(real), D(fake.detach())",
             f"real_logits, fake_logits = D(shift(real, {r})), D(shift(fake.detach(), {r}))"),
            ("    fake_logits = D(fake)\n", f"    fake_logits = D(shift(fake, {r}))\n")]


VARIANTS = {"02_dcgan": {
    "base": [],
    "s4000": _steps(4000), "s5000": _steps(5000), "s6000": _steps(6000),
    "w12": [("lite=16, full=64", "lite=12, full=64")],
    "w24": [("lite=16, full=64", "lite=24, full=64")],
    "b128": [("BATCH = 64", "BATCH = 128")],
    "lr2e-3": [("lite=1e-3, full=2e-4", "lite=2e-3, full=2e-4")],
    "ttur": [("opt_D = torch.optim.Adam(D.parameters(), lr=LR,", "opt_D = torch.optim.Adam(D.parameters(), lr=2 * LR,")],
    "ema995": [("lite=0.99, full=0.999", "lite=0.995, full=0.999")],
    "ema999": [("lite=0.99, full=0.999", "lite=0.999, full=0.999")],
    "nosmooth": [("REAL_LABEL = 0.9 ", "REAL_LABEL = 1.0 ")],
    "decayhalf": [("DECAY_STEPS = STEPS // 3", "DECAY_STEPS = STEPS // 2")],
    "decayall": [("DECAY_STEPS = STEPS // 3", "DECAY_STEPS = STEPS")],
    "b2_999": [("lite=(0.0, 0.99), full", "lite=(0.0, 0.999), full")],
    "r1_0.1": _r1(0.1), "r1_1": _r1(1.0), "r1_10": _r1(10.0),
    "sn": [("BATCH = 64\n", "for m in list(D.modules()):\n    if isinstance(m, nn.Conv2d):\n"
                            "        nn.utils.parametrizations.spectral_norm(m)\nBATCH = 64\n")],
    "aug1": _augment(1), "aug2": _augment(2), "aug3": _augment(3),
    "noDbn": [("discriminator_block(width, 2 * width),  ", "discriminator_block(width, 2 * width, batch_norm=False),  ")],
}}
DESCRIPTIONS = {
    "base": "the notebook as it is", "s4000": "4,000 steps", "s5000": "5,000 steps", "s6000": "6,000 steps",
    "w12": "width 12", "w24": "width 24", "b128": "batch 128", "lr2e-3": "learning rate 2e-3",
    "ttur": "D's learning rate doubled", "ema995": "EMA 0.995", "ema999": "EMA 0.999",
    "nosmooth": "no label smoothing", "decayhalf": "decay over the last half", "decayall": "decay over the whole run",
    "b2_999": "Adam beta2 0.999", "r1_0.1": "R1 penalty, gamma 0.1", "r1_1": "R1 penalty, gamma 1",
    "r1_10": "R1 penalty, gamma 10", "sn": "spectral norm in D", "aug1": "D sees shifts of up to 1 px",
    "aug2": "D sees shifts of up to 2 px", "aug3": "D sees shifts of up to 3 px", "noDbn": "no BatchNorm in D",
}


def parse(name, variant):
    """'a+b@1' -> (edits, seed)."""
    spec, _, seed = variant.partition("@")
    known = VARIANTS[name]
    edits = []
    for part in spec.split("+"):
        if part not in known:
            raise ValueError(f"unknown variant {part!r} of {name}; known: {', '.join(known)}")
        edits += known[part]
    return edits, int(seed or 0)


def one(name, variant):
    os.environ.update(ONE_THREAD)  # inherited by the kernel this process starts
    edits, seed = parse(name, variant)
    try:
        seconds, record = run(name, seed, "lite", edits)
    except Exception as err:  # one broken variant must not lose the others' results
        return {"variant": variant, "error": f"{type(err).__name__}: {str(err)[-300:]}"}
    return {"variant": variant, "seed": seed, "wall": round(seconds), **record["values"]}


def table(name, paths, where):
    rows = [json.loads(line) for path in paths for line in open(path) if line.strip()]
    rows = [r for r in rows if "error" not in r]
    rows.sort(key=lambda r: -r["IS ratio (samples / real)"])
    lines = [f"<!-- {name}/sweep:begin -->", f"## {name}, lite-mode variants", "",
             f"Measured with `python tools/sweep.py {name} VARIANT... --jobs 16` on {where}, one torch "
             "thread per run, and tabulated with `--table`. Seed 0 unless the variant says `@seed`. "
             "The runs shared the machine, one per core: compare their times with each other, not "
             "with the 2-core rows above.", "",
             "| variant | what changes | IS ratio | FID | training steps | training seconds |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        what = " + ".join(DESCRIPTIONS.get(p, p) for p in r["variant"].split("@")[0].split("+"))
        lines.append(f"| {r['variant']} | {what} | {r['IS ratio (samples / real)']:.3f} | "
                     f"{r['FID vs held-out (1000 each)']:.1f} | {r['training steps']} | {r['training seconds']:.0f} |")
    best = rows[0]
    reached = sum(r["IS ratio (samples / real)"] >= 0.8 for r in rows)
    lines += ["", f"Best: {best['variant']}, IS ratio {best['IS ratio (samples / real)']:.3f}. "
              f"{reached} of {len(rows)} runs reached 0.8.", f"<!-- {name}/sweep:end -->"]
    write(f"{name}/sweep", "\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", choices=sorted(VARIANTS))
    parser.add_argument("variants", nargs="*")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--table", nargs="+", metavar="JSONL", help="tabulate earlier runs into RESULTS.md")
    parser.add_argument("--machine", default=machine(), help="where the tabulated runs ran (default: here)")
    args = parser.parse_args()
    if args.table:
        return table(args.notebook, args.table, args.machine)
    for v in args.variants:
        parse(args.notebook, v)  # fail before starting anything
    print(f"# {machine()}", file=sys.stderr)  # for --machine when tabulating elsewhere
    with concurrent.futures.ProcessPoolExecutor(min(args.jobs, len(args.variants))) as pool:
        futures = [pool.submit(one, args.notebook, v) for v in args.variants]
        for f in concurrent.futures.as_completed(futures):
            print(json.dumps(f.result()), flush=True)


if __name__ == "__main__":
    main()
