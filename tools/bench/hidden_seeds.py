"""Do the hidden tests pass the solution and every correct alternative whatever the seed? Count it.

    python -m tools.bench.hidden_seeds                          # every notebook, 200 seeds
    python -m tools.bench.hidden_seeds 01_toy_gan --seeds 20    # one notebook, seeds 0..19
    python -m tools.bench.hidden_seeds --jobs 16 --write        # and its summary into RESULTS.md

The grader runs each hidden test once, from the seed 10,000 + its position (``tools.grading.plan.steps``).
A check with a random input or a statistical tolerance can pass at that seed and fail at another,
or pass the solution and fail a correct answer that consumes random numbers in another order.
Here, for each notebook:

1. a kernel runs the solution as the grader's reference run does (training skipped: smoke mode,
   ``NBGRADER_EXECUTION=autograde``), each hidden part once from the grader's own seed, then the
   hidden part of every test under each seed 0..N-1 (torch, random and numpy seeded, in the
   namespace its visible part left), recording what its checks saw. The solution passes a seed
   when its own checks pass, as the grader demands of the reference run;
2. for each round of alternatives (``tests/alternatives``, ``alternatives.rounds``), a kernel runs
   the notebook with the round's alternatives in place as the grader runs a student's (hidden parts
   blinded), each hidden part once from the grader's own seed, which the grader's ``judge`` scores
   against the solution's run, then the hidden part of every test of each edited answer cell under
   the same seeds. An alternative passes a seed when its record agrees with the solution's record
   of that seed, by the grader's own verdict (``tools.grading.verdict``).

It prints a table per notebook, one row per exercise and answer (seeds passed / seeds run, and
the first failure: the seed and the check, or the error), and exits 1 if any seed failed. Each
hidden part is rerun in the namespace its visible part saved, a shallow copy: a hidden part that
changes an object of the visible part in place would see its own changes at the next seed.
This is a measurement, not a test (tests/test_hidden_seeds.py runs a few seeds); it runs the
course's own code, unsandboxed, in kernels of its own.
"""
import argparse
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

import nbformat

from course_lib import cells
from tools import course
from tools.bench.benchmark import machine, write
from tools.grading import plan, sandbox, verdict
from tools.grading.judge import judge

sys.path.insert(0, os.path.join(course.ROOT, "tests"))  # the tables of alternatives live beside the tests
from alternatives import edited, graded_by, rounds, table  # noqa: E402

STEP_S = 300  # seconds for a cell of the notebook (training is skipped, but a loaded machine is slow)
HIDDEN_S = 60  # seconds for a hidden part: the grader's own limit per cell


def template(name):
    return cells.template(nbformat.read(course.source(name), as_version=4))


class Kernel:
    """One runner process holding a notebook run as the grader runs it, up to its hidden parts.

    ``hidden(step, seed)`` runs one hidden part under a seed; a part that kills the kernel gets a
    fresh kernel, which replays the notebook, for the next seed.
    """

    def __init__(self, steps, reference):
        self.steps, self.reference, self.box = [s for s in steps if s.get("restore") is None], reference, None
        self.replies = []  # the reply of each step the notebook ran (all but the hidden parts and reruns), in order

    def start(self):
        self.box = sandbox.Sandbox(sandbox.Limits(timeout=STEP_S), reference=self.reference, sandboxed=False)
        self.replies = []
        for step in self.steps:
            try:
                reply = self.box.run(plan.request(step), STEP_S)
            except sandbox.Died as died:
                raise RuntimeError(f"the kernel stopped in the {step['role']} cell {step['gid']}: {died}") from None
            if reply["error"]:
                raise RuntimeError(f"the {step['role']} cell {step['gid']} fails: {reply['error']}")
            self.replies.append(reply)

    def hidden(self, step, seed):
        if self.box is None:
            self.start()
        try:
            return self.box.run(dict(plan.request(step), seed=seed), HIDDEN_S)
        except sandbox.Died as died:
            self.close()
            return {"error": f"the kernel stopped: {died}", "record": []}

    def close(self):
        if self.box is not None:
            self.box.close()
            self.box = None


def failure(seed, reply, reference):
    """Why one seed failed, in one line, or None: the error, or the first check that disagrees."""
    if reply["error"]:
        return f"seed {seed}: {reply['error'].splitlines()[0]}"
    at = verdict.first_disagreement(reference, reply["record"])
    if at is None:
        return None
    if at >= len(reference):
        return f"seed {seed}: {len(reply['record'])} checks ran, the solution's {len(reference)}"
    got = reply["record"][at] if at < len(reply["record"]) else None
    return f"seed {seed}: " + "; ".join(line.strip() for line in verdict.message(reference[at], got).splitlines())


def as_graded(kernel, steps):
    """The replies of the grader's own run, one per step: the notebook as the kernel ran it, then each
    hidden part and rerun once, in order, from the grader's seed for it (``plan.steps``). Run before any
    other seed, so that no hidden part has yet changed what the visible parts left."""
    if kernel.box is None:
        kernel.start()
    ran = iter(kernel.replies)
    return [kernel.hidden(step, step["seed"]) if step.get("restore") is not None else next(ran) for step in steps]


def solution(name, seeds):
    """{test: [the solution's record under each seed]}, {test: (seeds passed, first failure)}, and the
    solution's records of the grader's own run (``reference.records``' form)."""
    tmpl = template(name)
    found = {c["grade_id"]: (c["source"], "metadata") for c in tmpl if c["kind"] == "answer"}
    steps = plan.steps(name, tmpl, found, reference=True)
    kernel, records, passed = Kernel(steps, reference=True), {}, {}
    try:
        graded = [{"role": s["role"], "gid": s["gid"], "record": r["record"]}
                  for s, r in zip(steps, as_graded(kernel, steps))]
        for step in (s for s in steps if s["role"] == "hidden"):
            records[step["gid"]], ok, first = [], 0, None
            for seed in seeds:
                reply = kernel.hidden(step, seed)
                records[step["gid"]].append(reply["record"])
                why = failure(seed, reply, reply["record"])  # the reference must pass its own checks
                ok += why is None
                first = first or why
            passed[step["gid"]] = (ok, first)
    finally:
        kernel.close()
    return records, passed, graded


def alternatives_round(name, k, seeds, reference, graded):
    """{(test, alternative): (seeds passed, first failure)} for round k of the notebook's alternatives, and
    its exercises as the grader scores them (``judge``) against the solution's records ``graded``."""
    tmpl = template(name)
    by = graded_by(tmpl)
    chosen = {a.cell: a for a in rounds(table(name))[k]}
    found = {c["grade_id"]: (edited(c["source"], chosen[c["grade_id"]]) if c["grade_id"] in chosen else c["source"],
                             "metadata") for c in tmpl if c["kind"] == "answer"}
    steps = plan.steps(name, tmpl, found, reference=False)
    kernel, passed = Kernel(steps, reference=False), {}
    try:
        exercises = judge(tmpl, steps, as_graded(kernel, steps), graded, found)
        for step in (s for s in steps if s["role"] == "hidden" and by[s["gid"]] in chosen):
            ok, first = 0, None
            for i, seed in enumerate(seeds):
                why = failure(seed, kernel.hidden(step, seed), reference[step["gid"]][i])
                ok += why is None
                first = first or why
            passed[(step["gid"], chosen[by[step["gid"]]].name)] = (ok, first)
    except RuntimeError as err:  # the notebook itself fails with this round in place
        names = ", ".join(a.name for a in chosen.values())
        raise RuntimeError(f"{name}, round {k + 1} ({names}): {err}") from None
    finally:
        kernel.close()
    return passed, exercises


def measure(names, seeds, jobs=1):
    """{notebook: {(test, "solution" or an alternative's name): (seeds passed, first failure)}}, and
    {notebook: {round k: its exercises as the grader scores them, or why the notebook failed}}.

    Each notebook's solution runs first; its rounds of alternatives start as soon as its records
    are in, up to ``jobs`` kernels at once.
    """
    results, scored = {name: {} for name in names}, {name: {} for name in names}
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        running = {pool.submit(solution, name, seeds): (name, None) for name in names}
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name, k = running.pop(future)
                try:
                    if k is None:
                        records, passed, graded = future.result()
                        results[name].update({(gid, "solution"): v for gid, v in passed.items()})
                        for j in range(len(rounds(table(name)))):
                            running[pool.submit(alternatives_round, name, j, seeds, records, graded)] = (name, j)
                    else:
                        passed, scored[name][k] = future.result()
                        results[name].update(passed)
                except RuntimeError as err:  # the notebook fails before its hidden tests: every seed of it fails
                    whose = ["solution"] if k is None else [a.name for a in rounds(table(name))[k]]
                    results[name].update({("(the notebook)", who): (0, str(err)) for who in whose})
                    if k is not None:
                        scored[name][k] = str(err)
                print(f"{time.strftime('%H:%M:%S')} {name} {'solution' if k is None else f'round {k + 1}'} done",
                      file=sys.stderr, flush=True)
    return results, scored


def tables(results, n_seeds):
    """Markdown: one table per notebook, a row per exercise and answer, in the notebook's order."""
    out = []
    for name, rows in results.items():
        order = ["(the notebook)", *graded_by(template(name))]
        out += [f"### {name}", "", "| exercise | answer | seeds passed | first failure |", "|---|---|---|---|"]
        for (gid, answer), (ok, first) in sorted(rows.items(), key=lambda r: (order.index(r[0][0]),
                                                                               r[0][1] != "solution")):
            out.append(f"| {gid} | {answer} | {ok}/{n_seeds} | {(first or '').replace('|', '/')} |")
        out.append("")
    return "\n".join(out)


def summary(results, n_seeds, command, seconds):
    """The section of RESULTS.md: per notebook, the answers and seeds run and passed, and each failure."""
    key = "grading/hidden-seeds"
    lines = [f"<!-- {key}:begin -->", "## The hidden tests under many seeds", "",
             f"Measured {time.strftime('%Y-%m-%d')} with `{command}` on {machine()} (wall time {seconds:.0f} s).",
             f"Each hidden part ran under seeds 0 to {n_seeds - 1} with the solution, and with each correct "
             "alternative of its answer cell in `tests/alternatives` (judged against the solution's record "
             "of the same seed, as the grader judges). `tests/test_hidden_seeds.py` repeats this with seeds 0 "
             "to 2 in the test suite, and scores each round of alternatives as the grader does (its seed, its "
             "`judge`).", "",
             "| notebook | hidden tests | alternatives | hidden runs | runs passed |", "|---|---|---|---|---|"]
    failed = []
    for name, rows in results.items():
        tests = {gid for gid, _ in rows if gid != "(the notebook)"}
        alternatives = {answer for _, answer in rows if answer != "solution"}
        lines.append(f"| {name} | {len(tests)} | {len(alternatives)} | {len(rows) * n_seeds} | "
                     f"{sum(ok for ok, _ in rows.values())} |")
        failed += [f"- {name} {gid}, {answer}: {ok}/{n_seeds} seeds; first: {first}"
                   for (gid, answer), (ok, first) in rows.items() if ok < n_seeds]
    lines += ["", *(["Failures:", "", *failed] if failed else ["Every run passed."]), "", f"<!-- {key}:end -->"]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.bench.hidden_seeds", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="NN_slug names (default: every notebook)")
    parser.add_argument("--seeds", type=int, default=200, help="seeds 0..N-1 for each hidden part (default 200)")
    parser.add_argument("--jobs", type=int, default=1, help="kernels at once (default 1)")
    parser.add_argument("--write", action="store_true", help="write the summary into RESULTS.md")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.notebooks) - set(course.assignments()))
    if unknown:
        parser.error(f"unknown notebooks {unknown}; the course has {course.assignments()}")
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1; got {args.seeds}")
    names = args.notebooks or course.assignments()
    start = time.perf_counter()
    results, _ = measure(names, range(args.seeds), args.jobs)
    seconds = time.perf_counter() - start
    print(tables(results, args.seeds))
    command = "python -m tools.bench.hidden_seeds" + "".join(f" {n}" for n in args.notebooks) + \
        f" --seeds {args.seeds} --jobs {args.jobs}"
    text = summary(results, args.seeds, command, seconds)
    print(text)
    if args.write:
        write("grading/hidden-seeds", text)
    return 1 if any(ok < args.seeds for rows in results.values() for ok, _ in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
