"""Runs inside the grading sandbox: executes the cells the grader sends, and sends back plain data.

    python runner.py LIB_DIR [--reference]

Requests arrive on stdin, one JSON object a line: {"id": n, "code": str, "save": k, "restore": k,
"seed": s, "standins": str}. ``save`` keeps a shallow copy of the namespace and the random states
after the cell, under k; ``restore`` runs the cell in copy k (or in a copy of the current
namespace, where the cell that would have saved k killed its sandbox) and then puts the current
state back, so that a hidden test moved to the end of the notebook sees the names its visible part
left; ``seed`` seeds
torch, random and numpy first, so that a test draws the same inputs in the student's run as in
the solution's, whatever ran before it; ``standins`` is code that defines functions, put in the
namespace in place of the student's for this cell alone, whose checks then only record
(``tools/grading/standins.py``).

Each reply is one JSON line on the original stdout: {"id", "error": str or None, "not_written": bool,
"record": [...]}, the record being the entries of the checks that ran (``course_lib.protocol``), as
numbers, shapes, booleans and strings (arrays as base64 float64 bytes); not_written says that the
error was a stub's NotImplementedError. Nothing is pickled. The cells' own output goes to /dev/null.
With --reference (the instructor's solution) the record also carries the expected values.

This process runs the student's code, so nothing it sends is trusted: the grader only reads it
as data and decides the points itself.
"""
import copy
import json
import os
import random
import sys
import types

TEXT = 300  # characters kept of an error's first line
MESSAGE = 1500  # of a failed check's message


def entry(item, reference):
    """A check's entry (``course_lib.protocol``) as JSON: a student's states only its kind and what it got."""
    from course_lib import protocol

    keys = protocol.REFERENCE if reference else protocol.SENT
    return {key: protocol.encode(item.get(key)) for key in keys}


def describe(err):
    """A failed check's message, or an exception's type and first line: what the student may see."""
    from course_lib.checks import CheckFailed, headline

    if isinstance(err, CheckFailed):
        return str(err)[:MESSAGE]
    return headline(err)[:TEXT]


def states():
    import numpy
    import torch

    return torch.get_rng_state(), random.getstate(), numpy.random.get_state()


def set_states(saved):
    import numpy
    import torch

    torch.set_rng_state(saved[0])
    random.setstate(saved[1])
    numpy.random.set_state(saved[2])


def main():
    lib, reference = sys.argv[1], "--reference" in sys.argv[2:]
    sys.path.insert(0, lib)
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    sys.stdout = sys.stderr = open(quiet, "w", closefd=False)

    from IPython.core.interactiveshell import InteractiveShell

    from course_lib import checks

    shell = InteractiveShell.instance(colors="nocolor")
    saved, me = {}, os.getpid()
    for line in sys.stdin:
        request = json.loads(line)
        here = None
        if request.get("restore") is not None:
            here = (dict(shell.user_ns), states())
            # a visible part that killed its sandbox saved nothing: its hidden part and rerun then run in
            # the namespace as it is, where the notebook's functions are defined all the same
            ns, rng = saved.get(request["restore"], here)
            shell.user_ns.clear()
            shell.user_ns.update(ns)
            set_states(rng)
        if request.get("seed") is not None:
            import numpy
            import torch

            torch.manual_seed(request["seed"])
            random.seed(request["seed"])
            numpy.random.seed(request["seed"])
        if request.get("standins"):
            scope = {}
            exec(compile(request["standins"], "<stand-ins>", "exec"), scope)
            shell.user_ns.update({k: v for k, v in scope.items() if isinstance(v, types.FunctionType)})
        checks.verdicts = not request.get("standins")
        checks.record = record = []
        result = shell.run_cell(request["code"], store_history=False)
        if os.getpid() != me:  # a child the cell forked: it must not answer or read the next cell
            os._exit(0)
        err = result.error_before_exec or result.error_in_exec
        reply = {"id": request.get("id"), "error": None if err is None else describe(err),
                 "not_written": isinstance(err, checks.NotWritten),
                 "record": [entry(item, reference) for item in record if isinstance(item, dict)]}
        checks.record, checks.verdicts = None, True
        if request.get("save") is not None:
            saved[request["save"]] = (copy.copy(shell.user_ns), states())
        if here is not None:
            shell.user_ns.clear()
            shell.user_ns.update(here[0])
            set_states(here[1])
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
