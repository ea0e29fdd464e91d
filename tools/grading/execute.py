"""Running a plan in the sandbox: one reply per step, a new sandbox after a crash, and the time budgets."""
import time

from tools.grading import sandbox
from tools.grading.plan import request


class Budget:
    """The wall time one notebook may still take: its own budget, and what its student has left.

    A student's notebooks may be graded at once in several processes; the seconds each one takes
    add up in slot ``slot`` of ``spent``, an array those processes share (see ``_share``).
    """

    def __init__(self, notebook_s, student_s, spent, slot):
        self.notebook_s, self.student_s, self.spent, self.slot = notebook_s, student_s, spent, slot
        self.start = self.last = time.monotonic()
        self.student_ran_out = False

    def left(self):
        """Seconds left, <= 0 once a budget has run out; the time since the last call goes on the student's."""
        now = time.monotonic()
        with self.spent.get_lock():
            self.spent[self.slot] += now - self.last
            student = self.student_s - self.spent[self.slot]
        self.last = now
        notebook = self.notebook_s - (now - self.start)
        self.student_ran_out = student < notebook
        return min(notebook, student)

    def note(self):
        """What ran out, for the student's feedback."""
        what = (f"your notebooks together had used the {self.student_s:g} s of grading time each student has"
                if self.student_ran_out else
                f"this notebook had used its {self.notebook_s:g} s of grading time (restarts after a crash or a "
                "time limit included)")
        return (f"Grading stopped when {what}: the exercises whose tests had not all run by then score 0, "
                "and this notebook needs manual grading.")


class OutOfTime(Exception):
    """The budget ran out before a cell could run."""


OUT_OF_TIME = "not run: the time for grading this notebook ran out first"


def execute(plan, limits, reference=False, sandboxed=True, budget=None):
    """Run the plan; one reply per step: {"error": str or None, "record": [...]}, plus "died".

    When the sandbox dies (a crash, os._exit, a limit, the timeout) the step that killed it fails
    alone: a new sandbox replays the steps before it, except those that run in a saved namespace
    and leave nothing behind (the hidden parts, the reruns), and grading goes on.
    With a Budget, no cell may run past it: once it has run out, the steps left get replies
    marked "out_of_time" and nothing more runs.
    """
    replies, killers, i = [None] * len(plan), set(), 0
    while i < len(plan):
        box = sandbox.Sandbox(limits, reference=reference, sandboxed=sandboxed)
        try:
            for j in range(i):
                if plan[j].get("restore") is None and j not in killers:
                    box.run(request(plan[j]), _seconds(limits, budget))
            while i < len(plan):
                replies[i] = box.run(request(plan[i]), _seconds(limits, budget))
                i += 1
        except OutOfTime:
            break
        except sandbox.Died as died:
            if budget is not None and budget.left() <= 0:  # cut short by the budget, not by its own fault
                break
            replies[i] = {"error": f"the sandbox stopped: {died}", "record": [], "died": True}
            killers.add(i)
            i += 1
        finally:
            box.close()
    for k in range(i, len(plan)):
        replies[k] = {"error": OUT_OF_TIME, "record": [], "died": True, "out_of_time": True}
    if budget is not None:
        budget.left()  # the last sandbox's closing counts too
    return replies


def _seconds(limits, budget):
    """How long the next cell may run: the cell's time limit, or what is left of the budget if less."""
    if budget is None:
        return limits.timeout
    left = budget.left()
    if left <= 0:
        raise OutOfTime
    return min(limits.timeout, left)

