"""The verdict, decided outside the student's process: their record against the reference record.

A record is the list of entries of the checks one test cell ran, in order (``course_lib.protocol``).
The reference record comes from the instructor's solution and holds the expected values and
tolerances; the student's holds only what their code produced. An exercise scores when every
check of its visible and hidden parts ran and agrees with the reference, by the protocol's rule,
the one the check applied in the student's kernel, or, for a test rerun with stand-ins, when every
check of the rerun recorded what the reference's rerun did (``tools/grading/standins.py``). Faking
a check inside the kernel changes the student's record, never the reference.
"""
import binascii

from course_lib import protocol


def agrees(ref, got, rerun=False):
    """Does the student's entry ``got`` pass the reference entry ``ref``'s check?

    ``got`` comes from the student's process: anything malformed simply disagrees. In a rerun with
    stand-ins (``rerun``), whose checks only record, it must match what the reference recorded.
    """
    if not isinstance(got, dict) or got.get("kind") != ref["kind"]:
        return False
    try:
        rule, against = (protocol.matches, "got") if rerun else (protocol.agrees, "expected")
        return rule(ref["kind"], protocol.decode(got.get("got")), protocol.decode(ref.get(against)), ref.get("atol"),
                    ref.get("rtol"))
    except (ValueError, TypeError, binascii.Error):
        return False


def first_disagreement(reference, record, rerun=False):
    """Index of the first check the student's record fails, or None when all agree."""
    for i, ref in enumerate(reference):
        if i >= len(record) or not agrees(ref, record[i], rerun):
            return i
    return None if len(record) == len(reference) else len(reference)


def message(ref, got):
    """The message of a failed visible check, written here from the reference's own text."""
    if got is None:
        return protocol.message(ref["what"], protocol.show(protocol.decode(ref.get("expected"))),
                                "the check did not run (the cell stopped before it)", ref.get("hint"))
    try:
        have = protocol.decode(got.get("got")) if isinstance(got, dict) else None
    except (ValueError, TypeError, binascii.Error):
        have = None
    return protocol.failure(ref["kind"], have, protocol.decode(ref.get("expected")), ref["what"], ref.get("hint"),
                            ref.get("atol"), ref.get("rtol"))
