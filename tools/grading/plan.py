"""The grader's plan: what the sandbox runs for one notebook, in order, and the request for each step."""
from course_lib import cells
from tools.grading import blind


def steps(template, found, reference):
    """What the sandbox runs for one notebook, in order.

    First the notebook as the course has it: provided code, the answers, the visible part of each
    test (after which the namespace is saved). Then the hidden parts, each in the namespace its
    visible part left: as written for the reference run, without expected values for a student.
    Each test part starts from a seed of its own, so that its random inputs do not depend on
    what the student's code drew before it.
    """
    first, last, modules = [], [], blind.modules(template)
    for kind, gid, code in cells.assemble(template, found):
        if kind != "test":
            first.append({"role": kind, "gid": gid, "code": code})
            continue
        visible, hidden = cells.split(code)
        at = len(first)  # also the seed of the test's random inputs, the same in both runs
        first.append({"role": "visible", "gid": gid, "code": visible, "save": at if hidden else None, "seed": at})
        if hidden:
            last.append({"role": "hidden", "gid": gid, "restore": at, "seed": 10_000 + at,
                         "code": hidden if reference else blind.blind(hidden, modules)})
    return first + last


def request(step):
    """A step as the sandbox's runner reads it."""
    return {"code": step["code"], "save": step.get("save"), "restore": step.get("restore"), "seed": step.get("seed")}

