"""The points of one notebook: the student's replies judged against the reference records, exercise by exercise.

An exercise is a graded test cell. It scores its points when its visible part ran without an error
and every check agrees with the reference, and then its hidden part too; or, for a test that also
runs the functions of other exercises, when its rerun with stand-ins in their place did what the
solution's did (``tools/grading/standins.py``): a bug in an earlier exercise costs the points of
that exercise, not of every later one that calls it. Otherwise the student's feedback says why:
the visible check that failed, with its message; that a hidden test failed, and nothing more; or
what stopped the run.
"""
import re

from tools.grading import verdict
from tools.grading.execute import OUT_OF_TIME

HIDDEN_FAILED = ("a hidden test failed: on new inputs, the function (or one it calls) gave a wrong result "
                 "or an error")
NOT_ATTEMPTED = "(not attempted: the stub still raises NotImplementedError)"
ON_ITS_OWN = ("Full marks on its own: its test also runs your {culprits}. Rerun with {names}, it did what the "
              "solution does, so the bug is not in this exercise. With your own functions, its test failed "
              "with:\n{failure}")
EXERCISE = re.compile(r"""checks\.exercise\(\s*["']([A-Za-z_]\w*)["']""")  # the function a test block grades


def judge(template, plan, replies, reference, found):
    """The exercises of one notebook: [{id, score, max, status, message, check}].

    plan: the steps the student's run took (``plan.steps``); replies: the sandbox's reply to each;
    reference: the solution's records ({role, gid, record}, ``reference.records``); found: the
    student's answer cells (``cells.answers``).
    """
    replied = {(step["role"], step["gid"]): reply for step, reply in zip(plan, replies)}
    replaced = {step["gid"]: step["replaced"] for step in plan if step["role"] == "rerun"}
    expected = {(ref["role"], ref["gid"]): ref["record"] for ref in reference}
    exercises, failed = [], set()  # the functions whose own test has failed so far
    for test, answer in _tests(template):
        gid = test["grade_id"]
        result = exercise(test, "failed")
        if answer is not None and found[answer][1] == "missing":
            result.update(status="missing", message=f"no answer cell `{answer}` was found: this needs manual grading")
        else:
            failure = _visible(replied[("visible", gid)], expected[("visible", gid)]) or \
                _hidden(replied.get(("hidden", gid)), expected.get(("hidden", gid)))
            if failure is None:
                result.update(score=result["max"], status="passed")
            elif _rerun(replied.get(("rerun", gid)), expected.get(("rerun", gid))):
                result.update(score=result["max"], status="passed", message=ON_ITS_OWN.format(
                    culprits=_culprits(replaced[gid], failed), names=_standins(replaced[gid]),
                    failure=failure["message"]))
            else:
                result.update(failure)
        if result["score"] < result["max"]:
            failed.update(EXERCISE.findall(test["source"]))
        exercises.append(result)
    return exercises


def _tests(template):
    """(test cell, the grade_id of the answer cell it grades: the last one before it) for each test cell."""
    answer = None
    for cell in template:
        if cell["kind"] == "answer":
            answer = cell["grade_id"]
        elif cell["kind"] == "test":
            yield cell, answer


def _visible(reply, expected):
    """What a failed visible part sets in the exercise's result; None when it passed."""
    at = verdict.first_disagreement(expected, reply["record"])
    if not reply["error"] and at is None:
        return None
    if reply.get("not_written") is True:
        check = NOT_ATTEMPTED
    elif at is not None and at < len(expected) and not reply.get("out_of_time"):
        check = expected[at]["what"]
    else:
        check = None
    got = reply["record"][at] if at is not None and at < len(reply["record"]) else None
    message = reply["error"] or verdict.message(expected[at], got)
    return {"status": "error" if reply.get("died") else "failed", "message": message, "check": check}


def _hidden(reply, expected):
    """What a failed hidden part sets in the exercise's result; None when it passed or there is none."""
    if reply is None or not reply["error"] and verdict.first_disagreement(expected, reply["record"]) is None:
        return None
    if reply.get("out_of_time"):
        return {"status": "error", "message": f"its hidden tests were {OUT_OF_TIME}"}
    if reply.get("died"):
        return {"status": "error", "message": reply["error"] + " while the hidden tests ran"}
    return {"message": HIDDEN_FAILED}


def _rerun(reply, expected):
    """Did the rerun with stand-ins do what the solution's did? False where there is none."""
    return reply is not None and expected is not None and not reply["error"] \
        and verdict.first_disagreement(expected, reply["record"], rerun=True) is None


def _names(names):
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def _standins(names):
    return ("a simple stand-in for " if len(names) == 1 else "simple stand-ins for ") + _names(names)


def _culprits(replaced, failed):
    """The replaced functions whose own tests failed, as the feedback names them (all of them if none did)."""
    culprits = [name for name in replaced if name in failed]
    if not culprits:
        return _names(replaced)
    return _names(culprits) + (", whose own test failed" if len(culprits) == 1 else ", whose own tests failed")


def exercise(test, status):
    """An exercise's result at 0 points (``report.EXERCISE`` is its form): the test cell's id, its points."""
    return {"id": test["grade_id"], "score": 0.0, "max": float(test["points"]), "status": status, "message": None,
            "check": None}


def unscored(template):
    """Every exercise of the notebook at 0, for a file that was not graded."""
    return [exercise(c, "missing") for c in template if c["kind"] == "test"]
