"""The self-checks students run after each exercise.

A check block reads like this::

    with checks.exercise("discriminator_loss"):
        checks.close(discriminator_loss(zeros, zeros), 2 * math.log(2),
                     "the loss when D outputs logit 0 (D(x) = 1/2) everywhere",
                     hint="add the real and the fake terms; do not average them together")

On success it prints one short line to stdout (nothing to stderr: nbgrader fails a test cell
that writes to stderr). On failure it raises ``CheckFailed`` whose message says what was
checked, what was expected, what came back and the likely bug.

While a notebook is graded, every check also appends what it saw to ``record`` (the grader
turns it on): the value it got, and, in the instructor's reference run, the value it expected
(``course_lib.protocol``: the entry, the rule and the message, which the grader shares). The
grader compares the two records outside the student's process, so a check that is faked or
switched off inside it earns nothing. In the hidden tests the grader replaces each expected
value by ``HIDDEN``: those checks only record, and the expected values never reach the student.
When the grader reruns a test with stand-ins for the other exercises' functions it calls, it turns
``verdicts`` off: every check then records what it got and none fails (``tools/grading/standins.py``).
"""
import contextlib
import dis
import types

import torch

from . import protocol
from .guard import describe


class CheckFailed(AssertionError):
    """A self-check did not pass; the message is meant for the student."""


class NotWritten(CheckFailed):
    """An exercise's function (or one it calls) still raises NotImplementedError: not attempted yet."""


class _Hidden:
    def __repr__(self):
        return "HIDDEN"


HIDDEN = _Hidden()  # stands for an expected value that is kept outside the student's process
record = None  # a list while grading: one entry per check (protocol.entry), in the order they ran
verdicts = True  # False while the grader only records (a rerun with stand-ins): no check fails then
failed = set()  # the exercises whose checks failed in this kernel and have not passed since
GLOBAL_LOADS = {"LOAD_GLOBAL", "LOAD_NAME", "LOAD_FROM_DICT_OR_GLOBALS"}  # the opcodes that read a global name


def _record(kind, got, expected, what, hint, **tolerance):
    if record is not None:
        record.append(protocol.entry(kind, got, None if expected is HIDDEN else expected, what, hint, **tolerance))


def _judged(expected):
    """Does a check with this expected value pass or fail here, rather than only record?"""
    return verdicts and expected is not HIDDEN


def _check(kind, got, expected, what, hint, **tolerance):
    """Record the entry while grading; unless the expected value is hidden, fail where the protocol's rule does."""
    _record(kind, got, expected, what, hint, **tolerance)
    if _judged(expected) and not protocol.agrees(kind, got, expected, **tolerance):
        raise CheckFailed(protocol.failure(kind, got, expected, what, hint, **tolerance))


def fail(what, expected, got, hint=None):
    """Raise CheckFailed with the standard four-part message."""
    raise CheckFailed(protocol.message(what, expected, got, hint))


def that(condition, what, expected, got, hint=None):
    """Fail unless ``condition`` is true; ``expected`` and ``got`` say what was wanted and what came."""
    try:
        holds = bool(condition)
    except Exception as err:  # a tensor of several values, say: a failed check, not a crash
        holds, got = False, f"{got} (the condition could not be read as true or false: {err})"
    _record("that", holds, expected, what, hint)
    if not holds and _judged(expected):
        fail(what, expected, got, hint)


def _values(x):
    """A number or tensor as a float64 array, as the protocol compares it."""
    return torch.as_tensor(x).detach().cpu().double().numpy()


def close(got, expected, what, hint=None, atol=1e-5, rtol=1e-4):
    """Fail unless ``got`` is a number or tensor equal to ``expected`` within tolerance."""
    numeric = isinstance(got, (int, float, torch.Tensor)) and not isinstance(got, bool)
    want = expected if expected is HIDDEN else _values(expected)
    if not numeric and want is not HIDDEN:
        _record("close", None, want, what, hint, atol=atol, rtol=rtol)
        if verdicts:
            fail(what, protocol.show(want), f"{describe(got)}, which is not a number or a tensor", hint)
        return
    _check("close", _values(got) if numeric else None, want, what, hint, atol=atol, rtol=rtol)


def shape(got, expected, what, hint=None):
    """Fail unless ``got`` is a tensor of exactly the shape ``expected``."""
    want = expected if expected is HIDDEN else tuple(expected)
    if not isinstance(got, torch.Tensor) and want is not HIDDEN:
        _record("shape", None, want, what, hint)
        if verdicts:
            fail(what, f"a tensor of shape {want}", describe(got), hint)
        return
    _check("shape", tuple(got.shape) if isinstance(got, torch.Tensor) else None, want, what, hint)


@contextlib.contextmanager
def exercise(name):
    """Run the checks of one exercise; print one line when they all pass.

    A stub that still raises NotImplementedError gets a short message instead of a traceback,
    naming the function that raised it (which may be one the exercise calls). A check that fails,
    or an error, in a test that runs the function of another exercise whose own check failed says
    so: the bug may be there rather than here.
    """
    try:
        yield
    except Exception as err:
        stub = _stub(err)
        if stub is not None:
            called = "" if stub in (name, "<module>") or name.startswith(stub + " ") else f" (it is called by {name})"
            raise NotWritten(
                f"{stub} is not written yet{called}: replace `raise NotImplementedError()` with your code."
            ) from None
        try:
            upstream = sorted(failed & _reached(_caller(err.__traceback__)) - {name})
        except Exception:  # the note is advice: whatever the student's namespace holds, the failure stands as it is
            upstream = []
        failed.add(name)
        if not upstream:
            raise
        whose = "whose own check failed above; make that one" if len(upstream) == 1 else \
            "whose own checks failed above; make those"
        note = f"but first: this check also runs your {' and '.join(upstream)}, {whose} pass, then run this cell again"
        if isinstance(err, CheckFailed):
            raise CheckFailed(f"{err}\n  {note}") from None
        raise CheckFailed(f"{headline(err)}\n  {note}") from err  # the whole error is in the traceback above
    failed.discard(name)
    print(f"✓ {name}: all checks passed")


def unless_stub(err):
    """Raise ``err`` again if it is an unwritten stub's NotImplementedError; return otherwise.

    A test cell that turns an error into a failed check with a hint (``except RuntimeError as err:``)
    calls this first: NotImplementedError is a RuntimeError, and a stub caught there would read as a
    wrong answer instead of "not written yet" (``exercise``), for the student and in the grader's records.
    """
    if _stub(err) is not None:
        raise err


def headline(err):
    """An error as one line: its type and the first line of its message."""
    return f"{type(err).__name__}: {(str(err).strip().splitlines() or [''])[0]}"


def _stub(err):
    """The name of the function that raised ``err`` if it is a stub still to be written: a
    NotImplementedError raised by a ``raise`` statement of the student's code. One that torch raises
    is an error of another kind (None): from Python, in an installed package (``Module.forward`` of a
    ModuleList called like a Sequential), or from C, at a call in the student's code (``.tolist()``
    of a tensor on the meta device)."""
    tb = err.__traceback__
    if not isinstance(err, NotImplementedError) or tb is None:  # None: never raised
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    if {"site-packages", "dist-packages"} & set(code.co_filename.replace("\\", "/").split("/")):
        return None
    raised = any(i.offset == tb.tb_lasti and i.opname == "RAISE_VARARGS" for i in dis.get_instructions(code))
    return code.co_name if raised else None


def _caller(tb):
    """The frame that holds the ``with checks.exercise(...)`` block (the test cell), from a failure's traceback."""
    while tb.tb_frame.f_code.co_filename == __file__ and tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame


def _functions(obj, namespace):
    """The functions of ``obj`` defined in ``namespace``: itself, or every method of a class and its bases."""
    if isinstance(obj, type) and obj.__module__ == namespace.get("__name__"):
        found = [getattr(f, "__func__", f) for klass in obj.__mro__ for f in vars(klass).values()]
    else:
        found = [obj]
    return [f for f in found if isinstance(f, types.FunctionType) and f.__globals__ is namespace]


def _reached(frame):
    """The names of the notebook's own functions and classes that the frame's code can reach by name.

    From the code of the test cell, through the code of each function (and each method of each class)
    whose global name it loads, defined in the same namespace: the student's own code, read in their
    own kernel. Attributes (``torch.Generator``) are not names of the notebook and are not followed.
    """
    namespace, seen, todo = frame.f_globals, set(), [frame.f_code]
    while todo:
        code = todo.pop()
        todo.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        loaded = {i.argval for i in dis.get_instructions(code) if i.opname in GLOBAL_LOADS}
        for n in loaded - seen:
            functions = _functions(namespace.get(n), namespace)
            if functions:
                seen.add(n)
                todo.extend(f.__code__ for f in functions)
    return seen


# --------------------------------------------------------------------------- instruments for checks


def record_steps(optimizer):
    """Make ``optimizer.step`` record a copy of the gradients it sees; returns the list of records.

    Each record is a list with one entry per parameter: a tensor, or None if it had no gradient.
    """
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {describe(optimizer)}")
    records, step = [], optimizer.step

    def recording_step(*args, **kwargs):
        records.append([None if p.grad is None else p.grad.detach().clone()
                        for group in optimizer.param_groups for p in group["params"]])
        return step(*args, **kwargs)

    optimizer.step = recording_step
    return records


def count_backward(module):
    """Count the backward passes that reach ``module``'s weights; returns a one-item list [count]."""
    params = [p for p in module.parameters() if p.requires_grad]
    if not params:
        raise ValueError(f"{type(module).__name__} has no trainable parameters to watch")
    count = [0]

    def hook(grad):
        count[0] += 1
        return grad

    params[0].register_hook(hook)  # one parameter is enough: every pass that reaches G reaches it
    return count
