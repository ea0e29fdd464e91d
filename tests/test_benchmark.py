"""The benchmark's environment: a measurement runs nothing cut short, and leaves the caller's environment as it was."""
import os

from tools.bench import benchmark


def test_environ_sets_and_unsets_for_the_run_and_puts_everything_back(monkeypatch):
    monkeypatch.setenv("GAN_COURSE_STEPS", "16")
    monkeypatch.delenv("GAN_COURSE_EVALUATION", raising=False)
    monkeypatch.delenv("GAN_COURSE_SEED", raising=False)
    with benchmark.environ({"GAN_COURSE_STEPS": None, "GAN_COURSE_EVALUATION": None, "GAN_COURSE_SEED": "3"}):
        assert "GAN_COURSE_STEPS" not in os.environ and "GAN_COURSE_EVALUATION" not in os.environ
        assert os.environ["GAN_COURSE_SEED"] == "3"
    assert os.environ["GAN_COURSE_STEPS"] == "16"
    assert "GAN_COURSE_EVALUATION" not in os.environ and "GAN_COURSE_SEED" not in os.environ
