"""The check protocol: what a self-check records, when it passes, and how its failure reads.

Four places speak it, and all of them take it from here:

- ``course_lib.checks`` runs a check in the student's kernel and appends an *entry* to the record;
- ``tools/grading/runner.py`` sends the entries out of the sandbox as plain data (``encode``);
- ``tools/grading/verdict.py`` compares a student's entries with the reference's (``agrees``, and
  ``matches`` for a rerun with stand-ins, whose checks only record) and writes the message of a
  failed visible check (``message``);
- ``tools/grading/blind.py`` cuts every hidden check down to what it records (``KINDS``).

The kernel and the grader judge by the same rule on the same float64 values and write the same
message, so the ✓ a student sees is the grader's verdict on a visible check. A new kind of check
is one entry of ``KINDS`` and a branch of ``agrees`` and of ``failure`` here, plus its function in
``checks``;
tests/test_protocol.py fails at once if the function's parameters and the protocol disagree.
"""
import base64
from collections import namedtuple

import numpy as np

Kind = namedtuple("Kind", "params required got expected")
Kind.__doc__ = """A kind of check: the check function's parameters in order, how many of them are required,
which one holds what the check records (got) and which the expected value (expected: ``checks.HIDDEN``
in a hidden test)."""

KINDS = {
    # got is recorded as float64 values; expected is a number or tensor of the same shape
    "close": Kind(("got", "expected", "what", "hint", "atol", "rtol"), 3, got="got", expected="expected"),
    # got is recorded as a shape tuple (None for what is not a tensor)
    "shape": Kind(("got", "expected", "what", "hint"), 3, got="got", expected="expected"),
    # the condition is recorded as True or False; expected and got are descriptions for the message
    "that": Kind(("condition", "what", "expected", "got", "hint"), 4, got="condition", expected="expected"),
}
SENT = ("kind", "got")  # the keys of a student's entry: all a student's process may state
REFERENCE = SENT + ("expected", "what", "hint", "atol", "rtol")  # and of the instructor's solution's


def entry(kind, got, expected, what, hint, atol=None, rtol=None):
    """An entry as a check appends it to the record (values as ``checks`` computed them)."""
    return {"kind": kind, "got": got, "expected": expected, "what": what, "hint": hint, "atol": atol, "rtol": rtol}


# --------------------------------------------------------------------------- the rule


def agrees(kind, got, expected, atol=None, rtol=None):
    """Does a check of ``kind`` pass with what it recorded (``got``) and the expected value?

    got and expected as recorded: for "close", float64 arrays (got None when the value was not a
    number or tensor); for "shape", tuples; for "that", got is the condition as True or False.
    """
    if kind == "that":
        return got is True
    if kind == "shape":
        return isinstance(got, (tuple, list)) and tuple(got) == tuple(expected)
    if kind == "close":
        have, want = _pair(got, expected)
        return have is not None and bool(np.allclose(have, want, atol=atol, rtol=rtol, equal_nan=False))
    raise ValueError(f"no rule for a check of kind {kind!r}; the kinds are {sorted(KINDS)}")


def matches(kind, got, reference_got, atol=None, rtol=None):
    """Does what a check recorded in a student's run match what it recorded in the reference's?

    The rule for a rerun that only records (``checks.verdicts`` off): there is no expected value, and
    the student's code must do what the solution did. "close" within the reference's tolerance,
    "shape" and "that" exactly; a value that was not a number or tensor (None) matches only None.
    """
    if kind == "that":
        return got is reference_got and isinstance(got, bool)
    if reference_got is None or got is None:
        return got is None and reference_got is None
    return agrees(kind, got, reference_got, atol, rtol)


def _pair(got, expected):
    """got and expected as float64 arrays of one shape, or (None, want) when got cannot be compared."""
    want = np.asarray(expected, dtype=np.float64)
    if not isinstance(got, (np.ndarray, int, float)) or isinstance(got, bool):
        return None, want
    have = np.asarray(got, dtype=np.float64)
    if have.shape != want.shape:
        if have.size == want.size == 1:
            return have.reshape(want.shape), want
        return None, want
    return have, want


# --------------------------------------------------------------------------- the message


def message(what, expected, got, hint=None):
    """The four-part message of a failed check, from texts: what, expected, got, likely bug."""
    lines = [f"Check failed: {what}", f"  expected: {expected}", f"  got:      {got}"]
    if hint:
        lines.append(f"  likely bug: {hint}")
    return "\n".join(lines)


def show(x):
    """A recorded value as the message shows it: a number, up to six numbers, or a shape."""
    if isinstance(x, np.ndarray):
        if x.size == 1:
            return f"{x.item():.6g}"
        if x.size <= 6:
            return f"{[round(float(v), 6) for v in x.flatten()]} (shape {x.shape})"
        return f"a tensor of shape {x.shape}"
    if isinstance(x, float):
        return f"{x:.6g}"
    if isinstance(x, (tuple, list)):
        return f"shape {tuple(x)}"
    return str(x)[:200]


def failure(kind, got, expected, what, hint=None, atol=None, rtol=None):
    """The message of a check that does not agree (``agrees`` is False), from the recorded values."""
    if kind == "that":  # expected is the check's own description of what should hold
        return message(what, str(list(expected) if isinstance(expected, tuple) else expected)[:200],
                       "it does not hold", hint)
    if kind == "shape":
        return message(what, f"shape {tuple(expected)}", "not a tensor" if got is None else show(got), hint)
    have, want = _pair(got, expected)
    if have is None:
        if got is None or isinstance(got, bool) or not isinstance(got, (np.ndarray, int, float)):
            return message(what, show(want), "not a number or a tensor", hint)
        return message(what, f"shape {want.shape}", f"shape {np.shape(got)}", hint)
    if want.size <= 6:
        return message(what, show(want), show(have), hint)
    # too many values to print: point at the entry that is furthest off
    at = np.unravel_index(np.nan_to_num(np.abs(have - want), nan=np.inf).argmax(), want.shape)
    at = tuple(int(i) for i in at)
    return message(what, f"{show(want)}, with {want[at]:.6g} at index {at}",
                   f"{show(have)}, with {have[at]:.6g} there (the entry furthest off)", hint)


# --------------------------------------------------------------------------- the wire


def encode(x):
    """A recorded value in JSON: arrays as {"shape", "f64"} (base64 bytes), shapes as lists, text cut short."""
    if isinstance(x, np.ndarray):
        x = np.asarray(x, dtype=np.float64)
        return {"shape": list(x.shape), "f64": base64.b64encode(x.tobytes(order="C")).decode()}
    if x is None or isinstance(x, (bool, int, float)):
        return x
    if isinstance(x, (tuple, list)) and all(isinstance(v, int) and not isinstance(v, bool) for v in x):
        return list(x)
    return str(x)[:300]


def decode(x):
    """A value from ``encode`` back: arrays as float64 arrays, shapes as tuples, the rest as it came.

    The student's entries arrive from an untrusted process: bytes that do not fit their shape raise
    ValueError (base64's own errors are ValueErrors too).
    """
    if isinstance(x, dict) and set(x) == {"shape", "f64"}:
        raw = base64.b64decode(x["f64"], validate=True)
        shape = tuple(int(s) for s in x["shape"])
        if any(s < 0 for s in shape) or len(raw) != 8 * int(np.prod(shape)):
            raise ValueError("a recorded tensor's bytes do not match its shape")
        return np.frombuffer(raw, dtype=np.float64).reshape(shape)
    if isinstance(x, list):
        return tuple(x)
    return x
