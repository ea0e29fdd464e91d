"""The stand-ins the grader puts in place of other exercises' functions (``tools/grading/standins.py``).

Every test that runs another exercise's function has a stand-in for it, and only those; a stand-in
takes the arguments of the function it replaces and is not its answer. The grading round trip
(tests/test_grade.py) and the bank of mistakes (tests/test_mistakes.py) show what the reruns do
to a grade.
"""
import ast
import inspect
import math

import pytest
import torch

from conftest import read
from course_lib import cells
from tools import course
from tools.grading import plan, standins
from tools.grading.judge import EXERCISE

NAMES = course.assignments()


def template(name):
    return cells.template(read(course.source(name)))


def definitions(tmpl, kinds):
    """{name: (the names its body loads, its source)} of every function and class the cells of ``kinds`` define."""
    found = {}
    for c in tmpl:
        if c["kind"] in kinds:
            for node in ast.parse(c["source"]).body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    loads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
                    found[node.name] = (loads, ast.get_source_segment(c["source"], node))
    return found


def reached(tmpl, test):
    """The answer cells' functions that a test cell runs, by name, through any function or class of the notebook."""
    everything, answers = definitions(tmpl, ("answer", "code")), definitions(tmpl, ("answer",))
    todo, seen = [n.id for n in ast.walk(ast.parse(test["source"])) if isinstance(n, ast.Name)], set()
    while todo:
        n = todo.pop()
        if n in everything and n not in seen:
            seen.add(n)
            todo += everything[n][0]
    return (seen & set(answers)) - set(EXERCISE.findall(test["source"]))


@pytest.mark.parametrize("name", NAMES)
def test_every_test_that_runs_another_exercise_has_stand_ins_for_exactly_those(name):
    tmpl = template(name)
    want = {c["grade_id"]: reached(tmpl, c) for c in tmpl if c["kind"] == "test"}
    want = {gid: names for gid, names in want.items() if names}
    have = {gid: set(names) for gid, names in standins.STANDINS.get(name, {}).items()}
    assert have == want, f"{name}: the tests that run other exercises' functions, and which: {want}"


@pytest.mark.parametrize("name", [n for n in NAMES if n in standins.STANDINS])
def test_each_stand_in_takes_the_arguments_of_the_function_it_replaces(name):
    answers = definitions(template(name), ("answer",))
    for names in standins.STANDINS[name].values():
        for f in names:
            mine = ast.parse(answers[f][1]).body[0].args
            theirs = inspect.signature(getattr(standins, f))
            assert [a.arg for a in mine.args] == list(theirs.parameters), \
                f"{name}: {f}'s stand-in takes other arguments"


# inputs on which each replaced function is called: the stand-in must give another result
INPUTS = {
    "sample_noise": lambda g: (5, 3, g),
    "discriminator_loss": lambda g: (torch.randn(6, 1, generator=g), torch.randn(4, 1, generator=g)),
    "generator_loss_nonsaturating": lambda g: (torch.randn(6, 1, generator=g),),
    "one_hot": lambda g: (torch.tensor([0, 2, 1, 4]), 5),
    "lsgan_generator_loss": lambda g: (torch.randn(3, 1, 4, 4, generator=g),),
    "cycle_loss": lambda g: tuple(torch.randn(2, 1, 4, 4, generator=g) for _ in range(4)),
    "identity_loss": lambda g: (lambda x: 2 * x, lambda y: y + 1, torch.randn(2, 1, 4, 4, generator=g),
                                torch.randn(3, 1, 4, 4, generator=g)),
    "fade_in": lambda g: (0.3, torch.randn(2, 1, 4, 4, generator=g), torch.randn(2, 1, 4, 4, generator=g)),
    "project": lambda g: (torch.randn(2, 8, generator=g), torch.rand(2, 8, generator=g) - 0.5, 0.1),
}


@pytest.mark.parametrize("name", [n for n in NAMES if n in standins.STANDINS])
def test_no_stand_in_is_the_answer_it_replaces(name):
    answers = definitions(template(name), ("answer",))
    for f in {f for names in standins.STANDINS[name].values() for f in names}:
        scope = {"torch": torch, "F": torch.nn.functional, "nn": torch.nn, "math": math}
        exec(answers[f][1], scope)
        args = INPUTS[f](torch.Generator().manual_seed(0))
        answer = scope[f](*args)
        args = INPUTS[f](torch.Generator().manual_seed(0))
        stand_in = getattr(standins, f)(*args)
        assert stand_in.shape == answer.shape and stand_in.dtype == answer.dtype, \
            f"{name}: {f}'s stand-in breaks its contract"
        assert not torch.allclose(stand_in, answer, atol=1e-3), f"{name}: {f}'s stand-in gives the answer's result"


def test_a_rerun_runs_the_visible_and_hidden_parts_with_the_stand_ins_last():
    tmpl = template("01_toy_gan")
    found = {c["grade_id"]: (c["source"], "metadata") for c in tmpl if c["kind"] == "answer"}
    steps = plan.steps("01_toy_gan", tmpl, found, reference=False)
    reruns = [s for s in steps if s["role"] == "rerun"]
    assert [s["gid"] for s in reruns] == ["test_train_step"] and steps[-1] is reruns[0]
    visible = next(s for s in steps if s["role"] == "visible" and s["gid"] == "test_train_step")
    hidden = next(s for s in steps if s["role"] == "hidden" and s["gid"] == "test_train_step")
    assert reruns[0]["restore"] == visible["save"] is not None
    assert reruns[0]["code"] == visible["code"] + "\n" + hidden["code"]  # the hidden part blinded, as for a student
    scope = {}
    exec(plan.request(reruns[0])["standins"], scope)
    assert {"sample_noise", "discriminator_loss", "generator_loss_nonsaturating"} <= set(scope)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(standins.STANDINS))
def test_the_solution_graded_as_a_student_matches_its_own_reruns(name, tmp_path):
    """A student's rerun runs the hidden part blinded and the solution's runs it whole: both record the same."""
    import sandboxed
    from tools.grading import reference, sandbox, verdict
    from tools.grading.execute import execute

    tmpl = template(name)
    found = {c["grade_id"]: (c["source"], "metadata") for c in tmpl if c["kind"] == "answer"}
    limits = sandbox.Limits(timeout=120)
    ref = {(r["role"], r["gid"]): r["record"]
           for r in reference.records(name, tmpl, limits, sandboxed.shared_cache or tmp_path, sandboxed=False)}
    steps = plan.steps(name, tmpl, found, reference=False)
    reruns = [(s, r) for s, r in zip(steps, execute(steps, limits, sandboxed=False)) if s["role"] == "rerun"]
    assert {s["gid"] for s, _ in reruns} == set(standins.STANDINS[name])
    for step, reply in reruns:
        assert reply["error"] is None, f"{step['gid']}: {reply['error']}"
        assert verdict.first_disagreement(ref[("rerun", step["gid"])], reply["record"], rerun=True) is None, step["gid"]
