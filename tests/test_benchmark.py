"""The benchmark: a measurement runs nothing cut short and leaves the environment as it was;
the GPU script runs every notebook."""
import os
import re

from tools import course
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


def test_the_gpu_script_runs_every_notebook_by_default_the_shortest_predicted_first():
    script = open(os.path.join(course.ROOT, "tools", "bench", "gpu_full_mode.sh")).read()
    default = re.search(r"local names=\$\{\*:-([^}]*)\}", script).group(1).split()
    results = open(os.path.join(course.ROOT, "RESULTS.md")).read()
    table = results.split("<!-- predicted/t4:begin -->")[1].split("<!-- predicted/t4:end -->")[0]
    minutes = {cells[1]: float(cells[-3]) for row in table.splitlines() if row.startswith("| 0")
               for cells in [[c.strip() for c in row.split("|")]]}
    assert sorted(default) == sorted(course.assignments()) == sorted(minutes)
    assert default == sorted(default, key=minutes.get), "order the default list by RESULTS.md's predicted totals"


def test_a_section_measured_on_another_machine_keeps_a_key_of_its_own():
    runs = [(100.0, {"seed": 0, "values": {"IS": 5.5}, "targets": {}, "met": True, "load": 2.0})]
    main, other = (benchmark.section("08_stylegan", "lite", runs, "cmd", m) for m in (None, "AMD EPYC"))
    assert main.startswith("<!-- 08_stylegan/lite:begin -->\n## 08_stylegan, lite mode\n")
    assert other.startswith("<!-- 08_stylegan/lite/AMD-EPYC:begin -->\n## 08_stylegan, lite mode, on an AMD EPYC\n")
    assert [m.group(1) for m in benchmark.BLOCK.finditer(main + "\n" + other)] == \
        ["08_stylegan/lite", "08_stylegan/lite/AMD-EPYC"]
