"""The part of the grader that runs outside the sandbox: judging records (blinding is in test_blind.py),
and keeping the solution's records in a cache."""
import base64
import json
import threading
import time

import numpy as np
import pytest
import torch

from course_lib import cells, checks
from tools.grading import reference, verdict


def encoded(x):
    x = np.asarray(x, dtype=np.float64)
    return {"shape": list(x.shape), "f64": base64.b64encode(x.tobytes()).decode()}


CLOSE = {"kind": "close", "expected": encoded(2.0), "atol": 1e-5, "rtol": 1e-4, "what": "the loss", "hint": "add"}


def test_a_check_given_hidden_records_what_it_got_and_never_fails():
    checks.record = []
    try:
        checks.close(torch.tensor([1.0, 2.0]), checks.HIDDEN, "x")
        checks.shape(torch.zeros(2, 3), checks.HIDDEN, "y")
        checks.that(False, "z", checks.HIDDEN, "no")
        checks.close("not a number", checks.HIDDEN, "w")
        with pytest.raises(checks.CheckFailed):
            checks.close(torch.tensor(1.0), 2.0, "visible checks still fail")
        kinds = [(e["kind"], e["expected"]) for e in checks.record]
    finally:
        checks.record = None
    assert kinds == [("close", None), ("shape", None), ("that", None), ("close", None), ("close", 2.0)]


@pytest.mark.parametrize("got, ok", [
    (encoded(2.0), True), (encoded(2.00001), True), (encoded(2.1), False), (encoded([2.0]), True),
    (encoded([2.0, 2.0]), False), (None, False), ("2.0", False), (2.0, True), (True, False),
    ({"shape": [3], "f64": "AAAA"}, False), ({"shape": [], "f64": "not base64!"}, False), (encoded(np.nan), False),
])
def test_a_close_entry_agrees_by_the_checks_own_rule(got, ok):
    assert verdict.agrees(CLOSE, {"kind": "close", "got": got}) is ok


def test_shape_and_that_entries():
    assert verdict.agrees({"kind": "shape", "expected": [1, 7]}, {"kind": "shape", "got": [1, 7]})
    assert not verdict.agrees({"kind": "shape", "expected": [1, 7]}, {"kind": "shape", "got": [7, 1]})
    assert verdict.agrees({"kind": "that"}, {"kind": "that", "got": True})
    assert not verdict.agrees({"kind": "that"}, {"kind": "that", "got": 1})
    assert not verdict.agrees({"kind": "that"}, {"kind": "close", "got": True})
    assert not verdict.agrees({"kind": "that"}, "anything")


def test_first_disagreement_counts_missing_and_extra_entries():
    ref = [CLOSE, {"kind": "that"}]
    good = [{"kind": "close", "got": encoded(2.0)}, {"kind": "that", "got": True}]
    assert verdict.first_disagreement(ref, good) is None
    assert verdict.first_disagreement(ref, good[:1]) == 1
    assert verdict.first_disagreement(ref, good + good) == 2
    assert verdict.first_disagreement(ref, [good[1], good[0]]) == 0


def test_a_rerun_with_stand_ins_matches_what_the_reference_recorded_not_what_it_expected():
    ref = [{**CLOSE, "got": encoded(3.0)}, {"kind": "that", "got": False}, {"kind": "shape", "got": None},
           {"kind": "close", "got": None, "atol": 1e-5, "rtol": 1e-4}]
    same = [{"kind": "close", "got": encoded(3.00001)}, {"kind": "that", "got": False}, {"kind": "shape", "got": None},
            {"kind": "close", "got": None}]
    assert verdict.first_disagreement(ref, same, rerun=True) is None
    assert verdict.first_disagreement(ref, same) == 0  # by the check's own rule the 3 fails: 2 was expected
    for at, other in ((0, encoded(2.0)), (1, True), (2, [1, 7]), (3, encoded(0.0)), (0, encoded(np.nan))):
        changed = [dict(e) for e in same]
        changed[at]["got"] = other
        assert verdict.first_disagreement(ref, changed, rerun=True) == at, (at, other)
    assert verdict.first_disagreement(ref, same[:3], rerun=True) == 3


def test_the_message_is_written_from_the_reference():
    text = verdict.message(CLOSE, {"kind": "close", "got": encoded(3.0)})
    assert text.splitlines() == ["Check failed: the loss", "  expected: 2", "  got:      3", "  likely bug: add"]
    assert "did not run" in verdict.message(CLOSE, None)


def test_public_cells_carry_no_answer_and_no_hidden_test():
    template = [{"kind": "answer", "grade_id": "f", "points": 0, "functions": ["f"], "source": "def f(): return 42"},
                {"kind": "test", "grade_id": "t", "points": 1, "functions": [],
                 "source": "checks.close(f(), 42, 'x')\n### BEGIN HIDDEN TESTS\nchecks.close(f(), 42, 'y')\n"
                           "### END HIDDEN TESTS"}]
    text = json.dumps(cells.public(template))
    assert "return 42" not in text and "HIDDEN" not in text and "'y'" not in text and "'x'" in text


def test_graders_that_share_a_cache_record_each_solution_once(tmp_path, monkeypatch):
    """Two graders ask for the same records at once (threads here; flock locks each open file apart):
    one records them, the other waits and reads what it wrote."""
    recorded = []

    def record(path, name, template, limits, sandboxed):
        recorded.append(name)
        time.sleep(0.5)  # the other grader asks meanwhile
        with open(path, "w") as f:
            json.dump([{"gid": "g", "record": name}], f)
        return [{"gid": "g", "record": name}]

    monkeypatch.setattr(reference, "fingerprint", lambda name: "key")
    monkeypatch.setattr(reference, "_record", record)
    got = []
    graders = [threading.Thread(target=lambda: got.append(reference.records("01", [], None, str(tmp_path))))
               for _ in range(2)]
    for grader in graders:
        grader.start()
    for grader in graders:
        grader.join()
    assert recorded == ["01"] and got == [[{"gid": "g", "record": "01"}]] * 2


@pytest.mark.parametrize("rerun, score, replaced, standins", [
    (True, 3.0, ("noise", "loss"), "simple stand-ins for noise and loss"),
    (True, 3.0, ("loss",), "a simple stand-in for loss"),
    (False, 0.0, ("noise", "loss"), None), (None, 0.0, ("noise", "loss"), None)])
def test_an_exercise_that_fails_only_through_another_one_scores_by_its_rerun(rerun, score, replaced, standins):
    from tools.grading.judge import judge

    def test(gid, points, name):
        code = f'with checks.exercise("{name}"):\n    pass'
        return {"kind": "test", "grade_id": gid, "points": points, "source": code}

    template = [{"kind": "answer", "grade_id": "a", "source": ""}, test("t_loss", 2, "loss"),
                {"kind": "answer", "grade_id": "b", "source": ""}, test("t_step", 3, "step")]
    failing = {"error": "Check failed: x", "record": [{"kind": "that", "got": False}]}
    plan = [{"role": "answer", "gid": "a"}, {"role": "visible", "gid": "t_loss"},
            {"role": "answer", "gid": "b"}, {"role": "visible", "gid": "t_step"}]
    replies = [{"error": None, "record": []}, failing, {"error": None, "record": []},
               {**failing, "error": "Check failed: the step"}]
    ref = [{"kind": "that", "what": "x", "expected": "x"}]
    reference = [{"role": "visible", "gid": gid, "record": ref} for gid in ("t_loss", "t_step")]
    if rerun is not None:
        plan.append({"role": "rerun", "gid": "t_step", "replaced": replaced})
        replies.append({"error": None, "record": [{"kind": "that", "got": rerun}]})
        reference.append({"role": "rerun", "gid": "t_step", "record": [{"kind": "that", "got": True}]})
    loss, step = judge(template, plan, replies, reference, {"a": ("", "metadata"), "b": ("", "metadata")})
    assert loss["score"] == 0.0
    assert step["score"] == score and step["status"] == ("passed" if score else "failed")
    if score:
        assert step["message"].startswith("Full marks on its own: its test also runs your loss, whose own test "
                                          f"failed. Rerun with {standins}, it did what the solution does")
        assert step["message"].endswith("\nCheck failed: the step")
    else:
        assert step["message"] == "Check failed: the step"
