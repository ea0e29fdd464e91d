"""The check protocol has one home (course_lib.protocol), and the kernel and the grader keep to it.

A check that passes in the student's kernel must agree in the grader, and one that fails must
read the same in both: the grader judges the entry the kernel sent, by the protocol's rule.
"""
import ast
import inspect
import json
import math

import pytest
import torch

from course_lib import checks, protocol
from tools.grading import blind, runner, verdict


@pytest.mark.parametrize("kind", protocol.KINDS)
def test_each_kind_is_a_check_with_the_protocols_parameters(kind):
    spec = protocol.KINDS[kind]
    params = inspect.signature(getattr(checks, kind)).parameters.values()
    assert tuple(p.name for p in params) == spec.params
    assert sum(p.default is inspect.Parameter.empty for p in params) == spec.required
    assert {spec.got, spec.expected, "what"} <= set(spec.params[:spec.required])


@pytest.mark.parametrize("kind", protocol.KINDS)
def test_the_blinded_call_of_each_kind_records_and_never_fails(kind):
    """blind cuts a check, written with every parameter named, to what it records; that call runs."""
    spec = protocol.KINDS[kind]
    values = {"got": "torch.ones(2)", "condition": "False", "expected": "torch.zeros(2)", "what": "'the secret'",
              "hint": "'the answer is 0'", "atol": "0.5", "rtol": "0.5"}
    call = f"checks.{kind}({', '.join(f'{p}={values[p]}' for p in spec.params)})"
    cut = blind.blind(call)
    assert "secret" not in cut and "answer" not in cut and "zeros" not in cut, cut
    checks.record = []
    try:
        exec(compile(ast.parse(cut), "<hidden>", "exec"), {"checks": checks, "torch": torch})
        [entry] = checks.record
    finally:
        checks.record = None
    assert entry["kind"] == kind and entry["expected"] is None
    assert entry["got"] is False if kind == "that" else entry["got"] is not None


def wire(entry, reference):
    """An entry as it leaves the sandbox and arrives at the grader."""
    return json.loads(json.dumps(runner.entry(entry, reference)))


CASES = [  # (kind, arguments): passing and failing checks of every kind, with and without values that trick
    ("close", (2.0, 2.0, "equal numbers")),
    ("close", (2.00001, 2.0, "within rtol")),
    ("close", (2.1, 2.0, "off by 0.1")),
    ("close", (torch.tensor(2.0, requires_grad=True) * 1, 2.0, "a tensor that needs a gradient")),
    ("close", (torch.tensor([2.0]), 2.0, "a one-element tensor against a number")),
    ("close", (torch.ones(3), torch.ones(3), "equal vectors")),
    ("close", (torch.ones(2), torch.ones(3), "vectors of different lengths")),
    ("close", (torch.full((4, 4), 0.5), torch.zeros(4, 4), "a matrix off everywhere")),
    ("close", (torch.tensor(float("nan")), 1.0, "NaN")),
    ("close", (torch.tensor(float("nan")), float("nan"), "NaN against NaN")),
    ("close", (3, 3.0, "an int")),
    ("close", (True, 1.0, "a bool, which is no number")),
    ("close", ("2.0", 2.0, "a string, which is no number")),
    ("close", (torch.tensor(1.0, dtype=torch.float64) + 1e-9, 1.0, "tolerances as given", None, 0.0, 0.0)),
    ("close", (math.pi, 3.14, "a loose tolerance", "the hint", 0.01)),
    ("shape", (torch.zeros(2, 3), (2, 3), "the right shape")),
    ("shape", (torch.zeros(3, 2), (2, 3), "the shape transposed", "swap them")),
    ("shape", (torch.zeros(2, 3), torch.Size([2, 3]), "a torch.Size")),
    ("shape", ([[0.0] * 3] * 2, (2, 3), "a list, which is no tensor")),
    ("that", (True, "holds", "true", "true")),
    ("that", (False, "does not hold", 14, 13, "n_out = (n_in - 1) s - 2p + k")),
    ("that", (torch.ones(2), "a condition of two values", "one boolean", "a tensor")),
]


@pytest.mark.parametrize("kind, args", CASES, ids=[args[2] for _, args in CASES])
def test_the_grader_judges_a_visible_check_as_the_kernel_did(kind, args):
    checks.record = []
    try:
        getattr(checks, kind)(*args)
        failed = None
    except checks.CheckFailed as err:
        failed = str(err)
    finally:
        [entry], checks.record = checks.record, None
    ref, got = wire(entry, reference=True), wire(entry, reference=False)
    assert set(got) == set(protocol.SENT) and set(ref) == set(protocol.REFERENCE)
    assert verdict.agrees(ref, got) is (failed is None)
    if failed is not None and kind != "that" and "which is not a number" not in failed and "a tensor of" not in failed:
        assert verdict.message(ref, got) == failed  # the same message, from the reference's own text


def test_a_stub_is_reported_as_not_written():
    def generator_loss(fake_logits):
        raise NotImplementedError()

    with pytest.raises(checks.NotWritten, match="^generator_loss is not written yet"):
        with checks.exercise("generator_loss"):
            generator_loss(torch.zeros(2))
