"""The shipped reference generators load into their notebook's own networks and score what they record.

For each notebook with a reference generator, a fresh kernel runs the solution notebook's cells up to
its training cell, in lite mode (the networks' lite sizes, the exercises' solutions), loads the
weights with ``pretrained.load`` into the notebook's ``Generator`` class and scores them with
``pretrained.evaluate``, as tools/train_reference.py did when it saved them.
"""
import json
import os

import nbformat
import pytest
import torch
from nbclient import NotebookClient

from course_lib import pretrained
from tools import course, train_reference
from tools.bench import benchmark

SCORE = """
import json
from course_lib import pretrained
G, record = pretrained.load({name!r}, Generator)
score = pretrained.evaluate({name!r}, G, record["arguments"]["z_dim"])
print(json.dumps({{"record": record, "score": score}}))
"""


@pytest.mark.slow  # a kernel runs the notebook's code up to its training, for each
@pytest.mark.parametrize("name", sorted(pretrained.SAMPLERS))
def test_reference_generator_scores_as_recorded(name, tmp_path):
    nb = nbformat.read(course.source(name), as_version=4)
    del nb.cells[train_reference.training_cell(nb):]
    nb.cells.append(nbformat.v4.new_code_cell(SCORE.format(name=name)))
    with benchmark.environ({**benchmark.UNCUT, "GAN_COURSE_MODE": "lite"}):
        NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(tmp_path)}}).execute()
    result = json.loads(nb.cells[-1].outputs[-1]["text"])
    record, score = result["record"], result["score"]
    assert record["notebook"] == name and record["mode"] == "lite"
    assert score["IS ratio"] == pytest.approx(record["IS ratio"], abs=0.01)
    assert score["FID"] == pytest.approx(record["FID"], abs=1.0)


def test_every_reference_generator_is_small_and_has_a_trainer():
    assert set(train_reference.ARGUMENTS) == set(pretrained.SAMPLERS)
    for name in pretrained.SAMPLERS:
        assert os.path.getsize(pretrained.path(name)) < 2 * 1024 ** 2, f"{name}'s reference weights are over 2 MB"


def test_load_names_the_parameters_that_differ():
    class Other(torch.nn.Module):
        def __init__(self, **arguments):
            super().__init__()
            self.layer = torch.nn.Linear(2, 2)

    with pytest.raises(ValueError, match=r"do not fit this Generator: missing \[.*unexpected \['layer.bias'"):
        pretrained.load("07_progan", Other)
    with pytest.raises(ValueError, match="no reference generator for '02_dcgan'"):
        pretrained.path("02_dcgan")


def test_caption_says_how_long_and_what_it_scored():
    record = {"steps": 10_500, "mode": "lite", "seconds": 696, "IS ratio": 0.823, "FID": 18.4}
    assert pretrained.caption(record) == "reference: 10,500 steps (lite mode, 12 min on a CPU)\nIS ratio 0.82, FID 18"


class Tiny(torch.nn.Module):
    def __init__(self, z_dim):
        super().__init__()
        self.layer = torch.nn.Linear(z_dim, 3)


class TinyWithScale(Tiny):
    """Also stores a constant as a buffer: a student's own choice, which the weights do not hold."""
    def __init__(self, z_dim):
        super().__init__(z_dim)
        self.register_buffer("scale", torch.tensor(0.5))


class TinyWithExtraLayer(Tiny):
    def __init__(self, z_dim):
        super().__init__(z_dim)
        self.extra = torch.nn.Linear(3, 3)


def test_load_keeps_a_buffer_of_the_class_own_and_refuses_an_extra_parameter(tmp_path, monkeypatch):
    saved = Tiny(4)
    record = {"notebook": "07_progan", "arguments": {"z_dim": 4}}
    torch.save({"record": record, "state_dict": saved.state_dict()}, tmp_path / "tiny.pt")
    monkeypatch.setattr(pretrained, "path", lambda notebook: tmp_path / "tiny.pt")
    G, got = pretrained.load("07_progan", TinyWithScale)
    assert got == record and not G.training
    assert torch.equal(G.layer.weight, saved.layer.weight) and G.scale.item() == 0.5
    with pytest.raises(ValueError, match=r"missing none, unexpected \['extra.bias', 'extra.weight'\]"):
        pretrained.load("07_progan", TinyWithExtraLayer)
