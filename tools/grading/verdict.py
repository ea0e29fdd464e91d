"""The verdict, decided outside the student's process: their record against the reference record.

A record is the list of checks one test cell ran, in order (see ``course_lib.checks``). The
reference record comes from the instructor's solution and holds the expected values and
tolerances; the student's holds only what their code produced. An exercise scores when every
check of its visible and hidden parts ran and agrees with the reference, by the check's own
rule. Faking a check inside the kernel changes the student's record, never the reference.
"""
import base64
import binascii

import numpy as np

# --------------------------------------------------------------------------- reading a record


def decode(x):
    """A recorded value back as a float64 array (tensors), a tuple (shapes) or as it came."""
    if isinstance(x, dict) and set(x) == {"shape", "f64"}:
        raw = base64.b64decode(x["f64"])
        shape = tuple(int(s) for s in x["shape"])
        if len(raw) != 8 * int(np.prod(shape)):
            raise ValueError("a recorded tensor's bytes do not match its shape")
        return np.frombuffer(raw, dtype=np.float64).reshape(shape)
    return x


def agrees(ref, got):
    """Does the student's entry ``got`` pass the reference entry ``ref``'s check?

    ``got`` comes from the student's process: anything malformed simply disagrees.
    """
    try:
        return _agrees(ref, got)
    except (ValueError, TypeError, binascii.Error):
        return False


def _agrees(ref, got):
    if not isinstance(got, dict) or got.get("kind") != ref["kind"]:
        return False
    have = decode(got.get("got"))
    if ref["kind"] == "that":
        return have is True
    if ref["kind"] == "shape":
        return isinstance(have, list) and list(have) == list(ref["expected"])
    want = decode(ref["expected"])
    if not isinstance(have, (np.ndarray, int, float)) or isinstance(have, bool):
        return False
    have, want = np.asarray(have, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if have.shape != want.shape:
        if have.size == want.size == 1:
            have = have.reshape(want.shape)
        else:
            return False
    return bool(np.allclose(have, want, atol=ref["atol"], rtol=ref["rtol"], equal_nan=False))


def first_disagreement(reference, record):
    """Index of the first check the student's record fails, or None when all agree."""
    for i, ref in enumerate(reference):
        if i >= len(record) or not agrees(ref, record[i]):
            return i
    return None if len(record) == len(reference) else len(reference)


def _show(x):
    x = decode(x)
    if isinstance(x, np.ndarray):
        if x.size == 1:
            return f"{x.item():.6g}"
        if x.size <= 6:
            return f"{[round(float(v), 6) for v in x.flatten()]} (shape {x.shape})"
        return f"a tensor of shape {x.shape}"
    if isinstance(x, float):
        return f"{x:.6g}"
    if isinstance(x, list):
        return f"shape {tuple(x)}"
    return str(x)[:200]


def message(ref, got):
    """The four-part message for a visible check, written here from the reference's own text."""
    if got is None:
        have = "the check did not run (the cell stopped before it)"
    elif ref["kind"] == "that":
        have = "it does not hold"
    else:
        have = _show(got.get("got")) if got.get("got") is not None else "not a number or a tensor"
    lines = [f"Check failed: {ref['what']}", f"  expected: {_show(ref['expected'])}", f"  got:      {have}"]
    if ref.get("hint"):
        lines.append(f"  likely bug: {ref['hint']}")
    return "\n".join(lines)

