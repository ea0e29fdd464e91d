import json

import pytest

from course_lib import results


@pytest.fixture
def results_file(tmp_path, monkeypatch):
    path = tmp_path / "results.jsonl"
    monkeypatch.setenv("GAN_COURSE_RESULTS", str(path))
    monkeypatch.delenv("GAN_COURSE_SEED", raising=False)
    return path


def _line(out, name):
    return next(line for line in out.splitlines() if line.strip().startswith(name))


def test_report_met(results_file, capsys):
    ok = results.report("01_toy_gan", {"KS statistic": 0.021, "modes": 8},
                        {"KS statistic": ("<=", 0.05), "modes": (">=", 8)})
    assert ok is True
    out = capsys.readouterr().out
    assert out.startswith("Result (smoke mode):")
    ks = _line(out, "KS statistic")
    assert "0.021" in ks and "target <= 0.05" in ks and ks.endswith("met") and "NOT met" not in ks
    assert _line(out, "modes").endswith("  met")


def test_report_not_met(results_file, capsys):
    ok = results.report("01_toy_gan", {"KS statistic": 0.2, "seconds": 3.5},
                        {"KS statistic": ("<=", 0.05)})
    assert ok is False
    out = capsys.readouterr().out
    assert _line(out, "KS statistic").endswith("NOT met")
    assert "target" not in _line(out, "seconds") and "3.5" in _line(out, "seconds")
    assert "smoke mode trains for a few steps only" in out


def test_report_appends_json_lines(results_file, monkeypatch, capsys):
    monkeypatch.setenv("GAN_COURSE_SEED", "3")
    results.report("01_toy_gan", {"KS statistic": 0.021}, {"KS statistic": ("<=", 0.05)})
    results.report("02_mnist", {"FID": 40.0}, {"FID": ("<=", 30.0)})
    records = [json.loads(line) for line in results_file.read_text().splitlines()]
    assert len(records) == 2
    a, b = records
    assert a["notebook"] == "01_toy_gan" and b["notebook"] == "02_mnist"
    assert a["mode"] == b["mode"] == "smoke"
    assert a["seed"] == b["seed"] == 3
    assert a["values"] == {"KS statistic": 0.021} and b["values"] == {"FID": 40.0}
    assert a["targets"] == {"KS statistic": ["<=", 0.05]}
    assert (a["met"], b["met"]) == (True, False)


def test_report_without_results_file_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GAN_COURSE_RESULTS", raising=False)
    monkeypatch.chdir(tmp_path)
    assert results.report("nb", {"x": 1.0}) is True
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("values, targets, match", [
    ({}, None, "values must be a non-empty dict"),
    ([("x", 1.0)], None, "values must be a non-empty dict"),
    ({"x": 1.0}, {"y": ("<=", 1)}, "target 'y' has no value"),
    ({"x": 1.0}, {"x": ("<", 1)}, "target 'x' must be"),
    ({"x": 1.0}, {"x": ["<=", 1]}, "target 'x' must be"),
    ({"x": 1.0}, {"x": ("<=", 1, 2)}, "target 'x' must be"),
])
def test_report_rejects(values, targets, match, results_file, capsys):
    with pytest.raises(ValueError, match=match):
        results.report("nb", values, targets)
    assert not results_file.exists()
    assert capsys.readouterr().out == ""
