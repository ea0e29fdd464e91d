import math

import pytest
import torch

from course_lib import checks
from course_lib.checks import CheckFailed


def test_close_passes_silently(capsys):
    checks.close(2 * math.log(2) + 1e-7, 2 * math.log(2), "loss")
    checks.close(torch.tensor([1.0, 2.0]), [1.0, 2.0], "vector")
    checks.close(torch.tensor([3.0]), 3, "one-element tensor against a number")
    checks.close(5, 5.0, "int")
    assert capsys.readouterr() == ("", "")


def test_close_fails_with_full_message():
    with pytest.raises(CheckFailed) as err:
        checks.close(1.5, 1.25, "the loss at logit 0", hint="sum the two terms")
    msg = str(err.value)
    assert "Check failed: the loss at logit 0" in msg
    assert "expected: 1.25" in msg
    assert "got:      1.5" in msg
    assert "likely bug: sum the two terms" in msg


def test_close_no_hint_line_without_hint():
    with pytest.raises(CheckFailed) as err:
        checks.close(1.0, 2.0, "x")
    assert "likely bug" not in str(err.value)


def test_close_shape_mismatch():
    with pytest.raises(CheckFailed, match=r"expected: shape \(3,\)\n  got:      shape \(2,\)"):
        checks.close(torch.zeros(2), [0.0, 0.0, 0.0], "vector")


def test_close_nan_fails():
    with pytest.raises(CheckFailed, match="got:      nan"):
        checks.close(torch.tensor(math.nan), 0.0, "x")


def test_close_tensor_requiring_grad():
    w = torch.tensor(1.5, requires_grad=True)
    checks.close(w * 2, 3.0, "scaled")
    with pytest.raises(CheckFailed, match="got:      4.5"):
        checks.close(w * 3, 3.0, "scaled")


@pytest.mark.parametrize("bad", ["0.5", None, True, [0.5]])
def test_close_non_number(bad):
    with pytest.raises(CheckFailed, match="not a number or a tensor") as err:
        checks.close(bad, 0.5, "value", hint="return the loss")
    assert "likely bug: return the loss" in str(err.value)


def test_shape():
    checks.shape(torch.zeros(4, 1), (4, 1), "D output")
    with pytest.raises(CheckFailed) as err:
        checks.shape(torch.zeros(4), (4, 1), "D output", hint="keep the last dim")
    msg = str(err.value)
    assert "expected: shape (4, 1)" in msg and "got:      shape (4,)" in msg
    assert "likely bug: keep the last dim" in msg
    with pytest.raises(CheckFailed, match=r"expected: a tensor of shape \(4, 1\)\n  got:      list"):
        checks.shape([0, 0, 0, 0], (4, 1), "D output")


def test_that():
    checks.that(True, "w", "e", "g")
    with pytest.raises(CheckFailed) as err:
        checks.that(False, "D is frozen", "no grad", "a grad of 0.3", hint="detach")
    assert str(err.value) == ("Check failed: D is frozen\n  expected: no grad\n"
                              "  got:      a grad of 0.3\n  likely bug: detach")


def test_check_failed_is_assertion_error():
    assert issubclass(CheckFailed, AssertionError)


def test_exercise_success_prints_one_line(capsys):
    with checks.exercise("generator_loss"):
        checks.close(1.0, 1.0, "x")
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == ["✓ generator_loss: all checks passed"]


def test_exercise_not_implemented(capsys):
    def generator_loss():
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match=r"^generator_loss is not written yet:") as err:
        with checks.exercise("generator_loss"):
            generator_loss()
    assert err.value.__cause__ is None and err.value.__suppress_context__
    assert capsys.readouterr() == ("", "")


def test_exercise_names_the_unwritten_function_it_calls():
    def sample_noise():
        raise NotImplementedError()

    def train_step():
        return sample_noise()

    with pytest.raises(CheckFailed, match=r"^sample_noise is not written yet \(it is called by train_step\)"):
        with checks.exercise("train_step"):
            train_step()


def test_exercise_hidden_tests_name_the_stub_alone():
    def train_step():
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match=r"^train_step is not written yet:"):
        with checks.exercise("train_step (hidden tests)"):
            train_step()


@pytest.mark.parametrize("exc", [KeyError("k"), RuntimeError("shape mismatch"), CheckFailed("x")])
def test_exercise_other_exceptions_unchanged(exc, capsys):
    with pytest.raises(type(exc)) as err:
        with checks.exercise("e"):
            raise exc
    assert err.value is exc
    assert "✓" not in capsys.readouterr().out


NOTEBOOK = """
def discriminator_loss(real, fake):
    return real - fake

def sample_noise(n):
    return n

def train_step(real, fake):
    return discriminator_loss(real, fake) + sample_noise(0)

def train_step_inline(real, fake):
    return real + fake

class Generator:
    def forward(self):
        return sample_noise(1)

class Critic:
    @staticmethod
    def score(x):
        return scaled(x)

def scaled(x):
    return 3 * x

class Boom:
    def __getattr__(self, name):
        raise RuntimeError("no attributes here")

class Odd:
    trap = Boom()
"""


@pytest.fixture(autouse=True)
def fresh_kernel(monkeypatch):
    """No exercise has failed yet in this kernel (``checks.failed`` is per process)."""
    monkeypatch.setattr(checks, "failed", set())


@pytest.fixture
def notebook():
    """A notebook's namespace."""
    namespace = {"__name__": "__main__", "checks": checks}
    exec(NOTEBOOK, namespace)
    return namespace


def check_cell(namespace, exercise, call, want):
    """Run a test cell of ``exercise`` in the notebook: one check that ``call`` gives ``want``."""
    code = f"with checks.exercise({exercise!r}):\n    checks.close({call}, {want}, 'the value of {call}', hint='h')"
    exec(compile(code, "<test cell>", "exec"), namespace)


def failure(namespace, exercise, call, want):
    with pytest.raises(CheckFailed) as err:
        check_cell(namespace, exercise, call, want)
    return str(err.value)


def test_a_failed_check_names_the_failed_exercise_it_runs(notebook, capsys):
    assert "but first" not in failure(notebook, "discriminator_loss", "discriminator_loss(1.0, 0.0)", 2.0)
    msg = failure(notebook, "train_step", "train_step(1.0, 0.0)", 5.0)
    assert msg.startswith("Check failed: the value of train_step(1.0, 0.0)\n  expected: 5\n  got:      1\n")
    assert msg.endswith("\n  likely bug: h\n  but first: this check also runs your discriminator_loss, whose own "
                        "check failed above; make that one pass, then run this cell again")
    check_cell(notebook, "sample_noise", "sample_noise(2)", 2.0)  # a passing exercise is never named
    assert "discriminator_loss" not in failure(notebook, "train_step_inline", "train_step_inline(1.0, 0.0)", 5.0)
    assert "✓ sample_noise" in capsys.readouterr().out


def test_attributes_are_not_names_of_the_notebook(notebook):
    failure(notebook, "sample_noise", "sample_noise(1.0)", 2.0)
    notebook["torch"] = torch
    assert "but first" not in failure(notebook, "scaled", "scaled(1.0) + len([torch.Generator])", 2.0)
    assert "sample_noise" in failure(notebook, "scaled", "scaled(1.0) + len([Generator])", 2.0)


def test_the_note_goes_once_the_exercise_passes_again(notebook):
    failure(notebook, "discriminator_loss", "discriminator_loss(1.0, 0.0)", 2.0)
    notebook["discriminator_loss"] = lambda real, fake: 2 * real - fake  # the student fixes it and runs its check
    check_cell(notebook, "discriminator_loss", "discriminator_loss(1.0, 0.0)", 2.0)
    assert "but first" not in failure(notebook, "train_step", "train_step(1.0, 0.0)", 5.0)


def test_the_note_follows_methods_of_the_notebooks_classes(notebook):
    failure(notebook, "scaled", "scaled(1.0)", 2.0)
    failure(notebook, "sample_noise", "sample_noise(1.0)", 2.0)
    msg = failure(notebook, "Critic", "Critic.score(1.0) + sample_noise(0)", 2.0)
    assert msg.endswith("but first: this check also runs your sample_noise and scaled, whose own checks failed "
                        "above; make those pass, then run this cell again")


def test_an_error_in_a_check_that_runs_a_failed_exercise_is_noted_and_kept(notebook):
    failure(notebook, "discriminator_loss", "discriminator_loss(1.0, 0.0)", 2.0)
    with pytest.raises(CheckFailed) as err:
        check_cell(notebook, "train_step", "train_step(1.0, None)", 5.0)
    assert str(err.value) == ("TypeError: unsupported operand type(s) for -: 'float' and 'NoneType'\n  but first: this "
                              "check also runs your discriminator_loss, whose own check failed above; make that one "
                              "pass, then run this cell again")
    assert isinstance(err.value.__cause__, TypeError)  # the notebook shows the error's own traceback first


def test_a_namespace_that_cannot_be_read_leaves_the_failure_as_it_is(notebook):
    failure(notebook, "scaled", "scaled(1.0)", 2.0)
    msg = failure(notebook, "Odd", "scaled(1.0) + len([Odd])", 2.0)
    assert msg == "Check failed: the value of scaled(1.0) + len([Odd])\n  expected: 2\n  got:      4\n  likely bug: h"


def test_record_steps():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    extra = torch.nn.Parameter(torch.zeros(2))  # never gets a gradient
    opt = torch.optim.SGD([*model.parameters(), extra], lr=0.1)
    records = checks.record_steps(opt)
    before = model.weight.detach().clone()
    grads = []
    for _ in range(3):
        opt.zero_grad()
        model(torch.randn(5, 3)).pow(2).mean().backward()
        grads.append(model.weight.grad.clone())
        opt.step()
    assert len(records) == 3
    assert all(len(r) == 3 and r[2] is None for r in records)
    for r, g in zip(records, grads):
        assert torch.equal(r[0], g)
        assert r[0] is not model.weight.grad
    model.weight.grad.add_(100.0)  # a clone: later changes to .grad do not reach the record
    assert torch.equal(records[-1][0], grads[-1])
    assert not torch.equal(model.weight.detach(), before)  # the optimiser still steps


def test_record_steps_rejects_non_optimizer():
    with pytest.raises(TypeError, match="optimizer must be a torch.optim.Optimizer"):
        checks.record_steps(torch.nn.Linear(1, 1))


def test_count_backward():
    G, D = torch.nn.Linear(2, 2), torch.nn.Linear(2, 1)
    count = checks.count_backward(G)
    assert count == [0]
    z = torch.randn(4, 2)
    D(G(z).detach()).sum().backward()
    assert count == [0]
    D(G(z)).sum().backward()
    assert count == [1]
    D(G(z)).sum().backward()
    assert count == [2]


def test_count_backward_needs_trainable_params():
    with pytest.raises(ValueError, match="no trainable parameters"):
        checks.count_backward(torch.nn.Linear(2, 2).requires_grad_(False))


def test_close_points_at_the_worst_entry_of_a_large_tensor():
    want = torch.zeros(4, 3)
    got = want.clone()
    got[2, 1] = 0.5
    with pytest.raises(CheckFailed) as err:
        checks.close(got, want, "a 4x3 result")
    assert "with 0 at index (2, 1)" in str(err.value)
    assert "with 0.5 there" in str(err.value)


def test_with_verdicts_off_every_check_records_and_none_fails(monkeypatch):
    """The grader's rerun with stand-ins: what each check got is recorded, whatever it was expected to be."""
    monkeypatch.setattr(checks, "verdicts", False)
    monkeypatch.setattr(checks, "record", [])
    checks.close(1.5, 1.25, "a wrong loss")
    checks.close("0.5", 0.5, "not a number")
    checks.shape(torch.zeros(2), (3,), "a wrong shape")
    checks.shape([1, 2], (2,), "not a tensor")
    checks.that(False, "a condition that does not hold", True, False)
    assert [(e["kind"], e["got"]) for e in checks.record][1:] == \
        [("close", None), ("shape", (2,)), ("shape", None), ("that", False)]
    assert checks.record[0]["got"] == pytest.approx(1.5)


def test_a_not_implemented_error_from_torch_is_no_stub():
    """A ModuleList called like a Sequential raises NotImplementedError inside torch: the student wrote
    the function, so the error stays what it is rather than "not written yet"."""
    layers = torch.nn.ModuleList([torch.nn.Linear(2, 2)])

    def mapping(z):
        return layers(z)

    with pytest.raises(NotImplementedError, match="forward") as err:
        with checks.exercise("mapping"):
            mapping(torch.zeros(1, 2))
    assert not isinstance(err.value, CheckFailed)


def test_a_not_implemented_error_from_torch_code_called_by_the_student_is_no_stub():
    def styles(w):
        return w.tolist()  # a tensor on the meta device has no values: torch raises NotImplementedError from C

    with pytest.raises(NotImplementedError, match="meta") as err:
        with checks.exercise("styles"):
            styles(torch.zeros(2, device="meta"))
    assert not isinstance(err.value, CheckFailed)


def test_unless_stub_raises_a_stub_again_and_returns_on_any_other_error():
    def sample_noise():
        raise NotImplementedError()

    def train_step():
        try:
            return sample_noise()
        except RuntimeError as err:  # what a test cell does to turn an error into a failed check
            checks.unless_stub(err)
            return "an error"

    with pytest.raises(CheckFailed, match=r"^sample_noise is not written yet \(it is called by train_step\)"):
        with checks.exercise("train_step"):
            train_step()
    assert checks.unless_stub(RuntimeError("shape mismatch")) is None
    assert checks.unless_stub(NotImplementedError("from torch")) is None  # never raised: no frame of the student's
