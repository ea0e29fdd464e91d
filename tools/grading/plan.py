"""The grader's plan: what the sandbox runs for one notebook, in order, and the request for each step."""
from course_lib import cells
from tools.grading import blind, standins


def steps(name, template, found, reference):
    """What the sandbox runs for one notebook (assignment ``name``), in order.

    First the notebook as the course has it: provided code, the answers, the visible part of each
    test (after which the namespace is saved). Then the hidden parts, each in the namespace its
    visible part left: as written for the reference run, without expected values for a student.
    Last, for each test that runs another exercise's function, the rerun with stand-ins
    (``standins``): its visible and hidden parts together, in that namespace too, checks recording
    only. Each test part starts from a seed of its own, so that its random inputs do not depend on
    what the student's code drew before it.
    """
    first, last, reruns, modules = [], [], [], blind.modules(template)
    for kind, gid, code in cells.assemble(template, found):
        if kind != "test":
            first.append({"role": kind, "gid": gid, "code": code})
            continue
        visible, hidden = cells.split(code)
        hidden = hidden if reference or not hidden else blind.blind(hidden, modules)
        replaced = standins.replaced(name, gid)
        at = len(first)  # also the seed of the test's random inputs, the same in both runs
        first.append({"role": "visible", "gid": gid, "code": visible, "save": at if hidden or replaced else None,
                      "seed": at})
        if hidden:
            last.append({"role": "hidden", "gid": gid, "restore": at, "seed": 10_000 + at, "code": hidden})
        if replaced:
            reruns.append({"role": "rerun", "gid": gid, "restore": at, "seed": 20_000 + at, "replaced": replaced,
                           "code": visible + "\n" + hidden, "standins": standins.source(replaced)})
    return first + last + reruns


def request(step):
    """A step as the sandbox's runner reads it."""
    return {"code": step["code"], "save": step.get("save"), "restore": step.get("restore"), "seed": step.get("seed"),
            "standins": step.get("standins")}
