"""The grader against a bank of submissions of 01_toy_gan, honest and hostile, each with its exact score.

01_toy_gan has 9 points: sample_noise 1, discriminator_loss 2, optimal_discriminator 1,
generator_loss_saturating 1, generator_loss_nonsaturating 1, train_step 3 (which also calls
sample_noise, discriminator_loss and generator_loss_nonsaturating, and is also graded with stand-ins
for them: a bug in one of those costs train_step nothing).

Every submission is graded in one run, in a throwaway copy of the course, beside a correct peer
(alice). Each hostile one is written as a student who has read the grader would write it; it
knows where the course, the submissions and the output are on the instructor's machine. Beside
the notebooks, the bank holds files that are not notebook files (links, a pipe, a folder, files
too large): each is refused, scores 0 and is flagged, and the others are graded as usual. Two
more runs hand in a zip of the same kinds, and a student who stalls the grader on purpose.
"""
import csv
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time
import zipfile
from collections import namedtuple

import nbformat
import psutil
import pytest

from conftest import complete, edit, grade_id, read
from sandboxed import course_copy, grade, reference_cache, snapshot
from tools import course as layout
from tools.grading import sandbox
from tools.grading.judge import NOT_ATTEMPTED
from tools.grading.submissions import MAX_CODE, MAX_NOTEBOOK, MAX_VALUES

# the slow tier (make unit leaves it out): the grader on its bank of honest and hostile submissions,
# each in its own sandbox
pytestmark = pytest.mark.slow

NAME = "01_toy_gan"
EVERYTHING = {"test_sample_noise", "test_discriminator_loss", "test_optimal_discriminator",
              "test_generator_loss_saturating", "test_generator_loss_nonsaturating", "test_train_step"}
OPTIONS = ("--jobs", "2", "--timeout", "20", "--memory-mb", "2500")  # how the bank is graded
MARKER = "gan-grade-orphan-7f3a"  # in the command line of a process an answer tries to leave behind
STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"
# files that are not notebook files: {student: what the note in their feedback calls it}
STRAYS = {"linker": "it is a symbolic link", "flatlink": "it is a symbolic link", "zeroer": "it is a symbolic link",
          "piper": "it is a named pipe", "folderer": "it is a folder", "bloater": f"over the {MAX_NOTEBOOK >> 20} MB",
          "crowder": f"over {MAX_VALUES:,} JSON values", "coder": f"over {MAX_CODE >> 10} kB of code"}


def prepend(nb, gid, code):
    """The notebook with code added at the top of one answer cell (it runs when the cell is defined)."""
    return edit(nb, gid, "def ", code + "\n\ndef ")


def answered():
    """The student notebook, every answer as in the source: full marks."""
    return complete(read(layout.student(NAME)), read(layout.source(NAME)))


# ------------------------------------------------------------------------------------------ the bank
# One case per student: the notebook they hand in (made by a function of ``given``: {"solved",
# "student", "course", "submissions", "out", "port"}), their expected total, the exercises expected to
# score 0, and why. A new case is one entry of CASES.
Case = namedtuple("Case", "student total zeroed why make")

PATCH_CHECKS = "from course_lib import checks\nchecks.close = checks.that = checks.shape = lambda *a, **k: None"


def retyped(given):
    nb = nbformat.from_dict(given["solved"])
    cell = next(c for c in nb.cells if grade_id(c) == "train_step")
    cell.metadata, cell.id = {}, "retyped"
    return nb


def forged(given):
    nb = nbformat.from_dict(given["student"])
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade"):
            c.source = "pass"
            c.metadata["nbgrader"]["points"] = 100
    nb.cells.reverse()
    nb.cells.append(nbformat.v4.new_code_cell("from course_lib import checks\nchecks.close = print"))
    return nb


def forger(given):
    # answers that return plausible values without solving anything, so that the checks run
    fakes = {"sample_noise": "    return torch.zeros(n, z_dim)",
             "discriminator_loss": "    return torch.tensor(2 * math.log(2))",
             "optimal_discriminator": "    return torch.full_like(p_data, 0.5)",
             "train_step": '    return {"loss_D": 0.0, "loss_G": 0.0}'}
    nb = given["student"]
    for gid, body in fakes.items():
        nb = edit(nb, gid, STUB, body)
    return prepend(nb, "sample_noise", """import torch
from course_lib import checks, protocol

def _record(kind, got):
    if checks.record is not None:
        checks.record.append(protocol.entry(kind, got, None, "", None))

# every check 'passes' with the very value it expects, as the protocol records it; a hidden one gets a guess
checks.close = lambda got, expected, *a, **k: _record(
    "close", torch.zeros(()).numpy() if expected is checks.HIDDEN else checks._values(expected))
checks.shape = lambda got, expected, *a, **k: _record("shape", (1,) if expected is checks.HIDDEN else tuple(expected))
checks.that = lambda *a, **k: _record("that", True)""")


def finder(given):
    nb = prepend(given["student"], "sample_noise", f"""import glob, json, os, sys

def _solution_cells():
    # where the course might be: next to the Python that runs us, on the command lines of our
    # parents, or where the instructor keeps it
    roots = {{os.path.dirname(os.path.dirname(os.path.dirname(sys.executable))), {str(given['course'])!r}}}
    for pid in os.listdir("/proc"):
        try:
            roots.update(os.path.dirname(a) for a in open(f"/proc/{{pid}}/cmdline").read().split("\\0") if "/" in a)
        except OSError:
            pass
    for root in roots:
        for path in glob.glob(os.path.join(root, "**", "solutions", "{NAME}", "*.ipynb"), recursive=True):
            return [''.join(c["source"]) for c in json.load(open(path))["cells"]
                    if c.get("metadata", {{}}).get("nbgrader", {{}}).get("solution")]
    return []

for _code in _solution_cells():
    exec(_code.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""))""")
    return edit(nb, "sample_noise", STUB, "    raise NotImplementedError()")  # the stub stays last


def vandal(given):
    return prepend(given["solved"], "sample_noise", f"""import glob, os
for _root in {[str(given['submissions']), str(given['course']), str(given['out'])]!r}:
    for _path in glob.glob(os.path.join(_root, "**", "*"), recursive=True):
        try:
            if os.path.isfile(_path):
                open(_path, "w").write("{{}}")
        except OSError:
            pass
for _path in ({str(given['course'] / 'solutions' / 'pwned.txt')!r}, "/grader/runner.py",
              "/grader/lib/course_lib/checks.py", os.path.join(os.path.dirname(os.__file__), "os.py")):
    try:
        open(_path, "a").write("# changed")
    except OSError:
        pass""")


def caller(given):
    return prepend(given["solved"], "sample_noise", f"""import socket
try:
    socket.create_connection(("127.0.0.1", {given['port']}), timeout=2).sendall(b"grades, please")
except OSError:
    pass""")


def honest(given):
    nb = edit(given["solved"], "discriminator_loss", "def discriminator_loss", """import functools
import math

LOG2 = math.log(2)
EPS: float = 1e-12
SCALE = 2 * LOG2 / LOG2


@torch.no_grad()
def unused_helper(x):
    return x


@functools.lru_cache(maxsize=None)
def weight():
    return 1.0


def discriminator_loss""")
    return edit(nb, "discriminator_loss", "    return F.softplus(-real_logits).mean()",
                "    return weight() * SCALE / 2 * F.softplus(-real_logits).mean()")


def solved_with(gid, old, new):
    """The solution with one edit of one answer cell."""
    return lambda given: edit(given["solved"], gid, old, new)


def solved_after(gid, code):
    """The solution with code at the top of one answer cell."""
    return lambda given: prepend(given["solved"], gid, code)


def student_after(code):
    """The notebook as released with code at the top of its first answer cell."""
    return lambda given: prepend(given["student"], "sample_noise", code)


ORPHAN = f"""import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)  # {MARKER}"], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"""
FLOOD = """import os
for _ in range(100_000):
    print("x" * 1000)
with open("/scratch/flood", "wb") as _f:
    try:
        for _ in range(4096):
            _f.write(b"x" * (1 << 20))
    except OSError:
        pass"""
LEAK = """    import linecache
    if (n, z_dim) == (1, 7):  # only the hidden tests ask for this
        seen = [line for f in list(linecache.cache) for line in linecache.getlines(f)]
        raise RuntimeError("".join(seen) or "nothing cached")
    return torch.randn"""
DUMP = """    import inspect, linecache
    seen = [line for f in list(linecache.cache) for line in linecache.getlines(f)]
    raise ValueError(" | ".join(seen) + str([inspect.getsource(f.frame) for f in inspect.stack()]))
    generator_loss = generator_loss or"""
BOMB = """    import os
    while True:
        try:
            os.fork()
        except OSError:
            pass
    return torch.randn"""
STREAM = """import os, time
pipes = []
for fd in os.listdir("/proc/self/fd"):  # the pipe the runner sends its replies on (0 is the one it reads)
    try:
        if fd != "0" and os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
            pipes.append(int(fd))
    except OSError:
        pass
if os.fork() == 0:
    line = b"[" + b"0," * 32000 + b"0]\\n"  # valid JSON, and no reply: the grader reads and drops it
    end = time.monotonic() + 60
    try:
        while time.monotonic() < end:
            for fd in pipes:
                os.write(fd, line * 16)
    finally:
        os._exit(0)
time.sleep(60)"""
HOG = """    hog = []
    while True:
        hog.append(torch.ones(2 ** 24))
    return -F.softplus"""

CASES = [
    Case("alice", 9, set(), "the solution", lambda given: given["solved"]),
    Case("bob", 0, EVERYTHING, "the notebook as released", lambda given: given["student"]),
    Case("carol", 9, set(), "train_step's cell retyped in Colab, without its nbgrader metadata", retyped),
    Case("dave", 0, EVERYTHING, "stubs, every test cell emptied and given 100 points, the cells reversed", forged),
    Case("erin", 8, {"test_sample_noise"},
         "sample_noise kills its process: its exercise fails, the rest is graded after a restart, train_step with a "
         "stand-in for it",
         solved_with("sample_noise", "    return torch.randn",
                     "    import os\n    os._exit(3)\n    return torch.randn")),
    Case("frank", 7, {"test_discriminator_loss"}, "discriminator_loss loops for ever (train_step is right on its own)",
         solved_with("discriminator_loss", "    return F.softplus",
                     "    while True:\n        pass\n    return F.softplus")),
    Case("grace", 8, {"test_optimal_discriminator"}, "optimal_discriminator calls sys.exit",
         solved_with("optimal_discriminator", "    total =", "    import sys\n    sys.exit(1)\n    total =")),
    Case("heidi", 8, {"test_generator_loss_saturating"}, "a generator loss takes memory until the sandbox's limit",
         solved_with("generator_losses", "    return -F.softplus", HOG)),
    Case("ivan", 6, {"test_train_step"}, "train_step's cell kills its process as it runs",
         solved_after("train_step", "import os\nos._exit(1)")),
    Case("judy", 0, EVERYTHING, "the checks switched off, and every cell's result printed",
         student_after(PATCH_CHECKS + "\nget_ipython().events.register('post_run_cell', print)")),
    Case("mallory", 0, EVERYTHING, "the checks switched off from inside sample_noise",
         solved_with("sample_noise", "    return torch.randn",
                     "    " + PATCH_CHECKS.replace("\n", "\n    ") + "\n    return torch.randn")),
    Case("class_body", 0, EVERYTHING, "the checks switched off in a class body",
         student_after("class Sneaky:\n    " + PATCH_CHECKS.replace("\n", "\n    "))),
    Case("code_swap", 0, EVERYTHING, "the checks' code objects swapped for one that does nothing",
         student_after("from course_lib import checks\n"
                       "for _f in (checks.close, checks.that, checks.shape, checks.exercise):\n"
                       "    _f.__code__ = (lambda *a, **k: None).__code__")),
    Case("custom_exc", 0, EVERYTHING, "IPython told to swallow every exception",
         student_after("get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)")),
    Case("forger", 0, EVERYTHING, "checks that record the expected value as what they got", forger),
    Case("finder", 0, EVERYTHING, "runs the answers of any solution notebook it finds on the disk", finder),
    Case("vandal", 9, set(), "correct, and overwrites what it can of the submissions, the course and the grader",
         vandal),
    Case("leaker", 8, {"test_sample_noise"}, "raises what linecache holds, to read the hidden tests in its feedback",
         solved_with("sample_noise", "    return torch.randn", LEAK)),
    Case("dumper", 6, {"test_train_step"}, "raises the source of every frame, to read the tests in its feedback",
         solved_with("train_step", "    generator_loss = generator_loss or", DUMP)),
    Case("orphan", 9, set(), "correct, and leaves a process behind in a session of its own",
         solved_after("sample_noise", ORPHAN)),
    Case("caller", 9, set(), "correct, and connects to a port on the grader's machine", caller),
    Case("bomb", 8, {"test_sample_noise"}, "sample_noise forks for ever (train_step is right on its own)",
         solved_with("sample_noise", "    return torch.randn", BOMB)),
    Case("flood", 9, set(), "correct, and prints 100 MB and fills its scratch space",
         solved_after("sample_noise", FLOOD)),
    Case("streamer", 8, {"test_sample_noise"},
         "sample_noise's cell floods the pipe the grader reads replies from, then waits (train_step is right on its "
         "own)",
         solved_after("sample_noise", STREAM)),
    Case("imitator", 0, EVERYTHING, "prints what passing checks and a full score would print",
         student_after("print('✓ sample_noise: all checks passed')\nprint('9/9')")),
    Case("honest", 9, set(), "a correct answer with helpers, constants, decorators and annotations of its own",
         honest),
]


def oversized(solved, kind):
    """The solved notebook as JSON text, over a limit of the grader: "bytes" (one large picture among
    its outputs), "values" (notebook metadata of MAX_VALUES empty objects, 300 kB) or "code" (a
    cell of its own with more code than MAX_CODE, each line an assignment for ast to parse)."""
    nb = json.loads(nbformat.writes(solved))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    if kind == "bytes":
        code["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {"image/png": "A" * MAX_NOTEBOOK}}]
    elif kind == "values":
        nb["metadata"]["padding"] = [{}] * MAX_VALUES
    else:
        nb["cells"].append(dict(code, id="mine", metadata={}, source=["x = 1\n"] * (MAX_CODE // 6 + 1)))
    return json.dumps(nb)


def strays(folder, course, solved):
    """Hand in, beside the notebooks, what is not a notebook file (STRAYS, and a student folder that is a link).

    Followed or read, the links would score the instructor's solution 9/9 or read /dev/zero until
    memory runs out, the pipe would block the whole run, and the large files would take minutes
    and gigabytes to parse. Each is made only here, in the throwaway copy.
    """
    solution = course / "solutions" / NAME / f"{NAME}.ipynb"
    for student in ("linker", "zeroer", "piper", "bloater", "crowder", "coder"):
        (folder / student).mkdir()
    (folder / "linker" / f"Copy of {NAME}.ipynb").symlink_to(solution)
    (folder / f"flatlink_{NAME}.ipynb").symlink_to(solution)
    (folder / "zeroer" / f"{NAME}.ipynb").symlink_to("/dev/zero")
    os.mkfifo(folder / "piper" / f"{NAME}.ipynb")  # with no writer, opening it to read waits for ever
    (folder / "folderer" / f"{NAME}.ipynb").mkdir(parents=True)
    (folder / "bloater" / f"{NAME}.ipynb").write_text(oversized(solved, "bytes"))
    (folder / "crowder" / f"{NAME}.ipynb").write_text(oversized(solved, "values"))
    (folder / "coder" / f"{NAME}.ipynb").write_text(oversized(solved, "code"))
    (folder / "mirror").symlink_to(course / "solutions")  # the course's notebooks, as one student's folder


# notebooks that parse but hold what no notebook editor writes: {student: why}; each is graded as usual
ODD = {"shaper": "a cell's nbgrader metadata is a list and another cell's source a number",
       "byter": "the file's name is not UTF-8"}


def odd(folder, solved):
    """Hand in the ODD notebooks: once, the first stopped the whole run (no grades for anyone), and the
    second left grades.csv cut short and no feedback at all."""
    nb = json.loads(nbformat.writes(solved))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[0]["metadata"]["nbgrader"] = ["not", "a", "dict"]
    nb["cells"].append(dict(code[-1], id="number", metadata={}, source=5))
    (folder / "shaper").mkdir()
    (folder / "shaper" / f"{NAME}.ipynb").write_text(json.dumps(nb))
    (folder / "byter").mkdir()
    with open(os.path.join(os.fsencode(folder / "byter"), b"\xff\xfe_" + NAME.encode() + b".ipynb"), "w") as f:
        f.write(nbformat.writes(solved))


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """A throwaway copy of the course, for every run of this module: the reference records it caches
    beside it are computed once."""
    return course_copy(tmp_path_factory.mktemp("class"))


@pytest.fixture(scope="module")
def graded(copy):
    root, course = copy.parent, copy
    folder, out = root / "downloads", root / "grades"
    folder.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    calls = []

    def answer():  # records any connection that student code manages to make
        while not stop.is_set():
            try:
                calls.append(listener.accept())
            except OSError:
                pass

    stop = threading.Event()
    threading.Thread(target=answer, daemon=True).start()
    given = {"solved": answered(), "student": read(layout.student(NAME)), "course": course, "submissions": folder,
             "out": out, "port": listener.getsockname()[1]}
    for case in CASES:
        (folder / case.student).mkdir()
        nbformat.write(case.make(given), folder / case.student / f"Copy of {NAME}.ipynb")
    (folder / f"zoe_4411_Copy of {NAME}.ipynb").write_text("{ this is not a notebook")
    strays(folder, course, given["solved"])
    odd(folder, given["solved"])
    students = {case.student: case for case in CASES}
    students.update({student: Case(student, 9, set(), why, None) for student, why in ODD.items()})
    students.update({student: Case(student, 0, EVERYTHING, f"hands in what is not a notebook file: {why}", None)
                     for student, why in STRAYS.items()})
    before = snapshot(course, folder)
    done = grade(course, folder, out, *OPTIONS)
    stop.set()
    assert done.returncode == 0, done.stdout + done.stderr
    with open(out / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    return {"rows": rows, "students": students, "out": out, "before": before, "after": snapshot(course, folder),
            "calls": calls, "course": course, "folder": folder, "stdout": done.stdout}


def scores(rows, student):
    return {r["exercise"]: float(r["score"]) for r in rows if r["student"] == student}


@pytest.mark.parametrize("student", [case.student for case in CASES] + list(STRAYS) + list(ODD))
def test_exact_score(graded, student):
    case = graded["students"][student]
    got = scores(graded["rows"], student)
    assert set(got) == EVERYTHING
    assert {k for k, v in got.items() if v == 0} == case.zeroed, f"{student} ({case.why}): {got}"
    assert sum(got.values()) == case.total, f"{student} ({case.why}): {got}"


def test_nothing_outside_the_scratch_folder_changed(graded):
    assert graded["after"] == graded["before"]
    assert not (graded["course"] / "solutions" / "pwned.txt").exists()
    with open(os.path.join(os.path.dirname(os.__file__), "os.py")) as f:
        assert "# changed" not in f.read()


def test_no_process_outlives_grading(graded):
    left = [p for p in psutil.process_iter(["cmdline"]) if MARKER in " ".join(p.info["cmdline"] or [])]
    assert not left


def test_no_byte_reaches_the_network(graded):
    assert graded["calls"] == []


def test_an_unreadable_notebook_is_flagged_for_manual_grading(graded):
    zoe = [r for r in graded["rows"] if r["student"] == "zoe"]
    assert zoe and all(r["needs_manual_grading"] == "1" and r["score"] == "0.0" for r in zoe)
    assert "manual grading" in (graded["out"] / "feedback" / "zoe.md").read_text()


def test_a_file_that_is_not_a_notebook_file_is_refused_and_flagged(graded):
    for student, what in STRAYS.items():
        rows = [r for r in graded["rows"] if r["student"] == student]
        assert rows and all(r["needs_manual_grading"] == "1" for r in rows), student
        text = (graded["out"] / "feedback" / f"{student}.md").read_text()
        assert "This file was not graded: " in text and what in text.replace("\\", ""), (student, text)
    # a student folder that is a link is not entered: nothing of the solutions it points to is graded
    assert not [r for r in graded["rows"] if r["student"] == "mirror"]
    assert f"not graded: {graded['folder'] / 'mirror'} (it is a symbolic link" in graded["stdout"]


def classmate(folder):
    """The correct peer's notebook, written into folder/alice; returns its bytes."""
    (folder / "alice").mkdir(parents=True)
    nbformat.write(answered(), folder / "alice" / f"Copy of {NAME}.ipynb")
    return (folder / "alice" / f"Copy of {NAME}.ipynb").read_bytes()


def member(z, name, data, mode=stat.S_IFREG | 0o644):
    info = zipfile.ZipInfo(name)
    info.create_system, info.external_attr = 3, mode << 16  # a Unix zip, as zip and git archive write them
    z.writestr(info, data, zipfile.ZIP_DEFLATED)


def test_a_zip_unpacks_only_regular_notebooks_of_a_readable_size(copy, tmp_path):
    """The class as one zip: a link entry to the solution, a pipe entry, a member over the size limit
    and one whose header understates its size, beside the correct peer, who keeps full marks."""
    alice = classmate(tmp_path / "unzipped")
    solution = copy / "solutions" / NAME / f"{NAME}.ipynb"
    with zipfile.ZipFile(tmp_path / "class.zip", "w") as z:
        member(z, f"alice/Copy of {NAME}.ipynb", alice)
        member(z, f"linker/Copy of {NAME}.ipynb", str(solution), stat.S_IFLNK | 0o777)
        member(z, f"piper/{NAME}.ipynb", "", stat.S_IFIFO | 0o644)
        member(z, f"bloater/{NAME}.ipynb", oversized(read(solution), "bytes"))
        member(z, f"liar/{NAME}.ipynb", alice + b" " * MAX_NOTEBOOK)
    data = bytearray((tmp_path / "class.zip").read_bytes())
    at = data.rfind(b"PK\x01\x02")  # liar's entry in the central directory: it says 1000 bytes
    assert data[at + 46:at + 46 + len(f"liar/{NAME}.ipynb")] == f"liar/{NAME}.ipynb".encode()
    data[at + 24:at + 28] = (1000).to_bytes(4, "little")
    (tmp_path / "class.zip").write_bytes(bytes(data))

    done = grade(copy, tmp_path / "class.zip", tmp_path / "out", "--jobs", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = list(csv.DictReader(open(tmp_path / "out" / "grades.csv")))
    assert sum(scores(rows, "alice").values()) == 9
    assert not [r for r in rows if r["student"] == "alice" and r["needs_manual_grading"] == "1"]
    says = {"linker": "it is a symbolic link in the zip", "piper": "it is a named pipe in the zip",
            "bloater": f"in the zip, over the {MAX_NOTEBOOK >> 20} MB", "liar": "could not be unpacked from the zip"}
    for student, what in says.items():
        assert scores(rows, student) == dict.fromkeys(EVERYTHING, 0.0), student
        assert all(r["needs_manual_grading"] == "1" for r in rows if r["student"] == student)
        assert what in (tmp_path / "out" / "feedback" / f"{student}.md").read_text().replace("\\", ""), student


def staller(solved, sleep):
    """Every answer cell sleeps when it is defined, and every function it defines calls os._exit(1).

    Each test then kills its sandbox, and the next sandbox replays every answer cell before it, sleep
    included: without a budget, the notebook's grading time grows with the square of its cells.
    """
    nb = nbformat.from_dict(solved)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            assert "\n    return " in cell.source
            cell.source = f"import time\ntime.sleep({sleep})\n\n" + cell.source.replace(
                "\n    return ", "\n    import os\n    os._exit(1)\n    return ")
    return nb


def test_a_flood_on_the_reply_pipe_is_cut_at_the_size_limit():
    """Lines that are no reply, sent faster than the grader drops them, once held its clock back: a cell
    limited to 20 s ran for minutes while they came. Now what a cell sends back counts whole."""
    box = sandbox.Sandbox(sandbox.Limits(timeout=20, reply_mb=16))
    try:
        with pytest.raises(sandbox.Died, match="more than the size limit"):
            box.run({"code": STREAM}, 20)
    finally:
        box.close()


def test_the_budgets_bound_a_student_who_stalls_the_grader(copy, tmp_path):
    """Two stalling notebooks beside the correct peer, graded one at a time. The first runs out of its
    notebook budget, the second of what the student's budget has left; both score 0, flagged, each
    with a note that says which budget ran out; the peer keeps full marks. The budgets are set from
    the peer's own grading time on this machine, which they must leave room for; the cells keep the
    default time limit, so that a busy machine cannot make a correct cell run past it."""
    classmate(tmp_path / "peer")
    if not list(reference_cache(copy).glob(f"{NAME}-*.json")):  # sandboxed.grade's cache, still cold
        grade(copy, tmp_path / "peer", tmp_path / "first", "--jobs", "1")
    start = time.monotonic()
    alone = grade(copy, tmp_path / "peer", tmp_path / "peer-out", "--jobs", "1")
    peer = time.monotonic() - start
    assert alone.returncode == 0, alone.stdout + alone.stderr
    notebook_s = max(30, round(2 * peer))
    student_s = round(1.5 * notebook_s)

    folder = tmp_path / "class"
    classmate(folder)
    (folder / "stall").mkdir()
    for file in (f"{NAME}.ipynb", f"Copy of {NAME}.ipynb"):  # graded in this order
        nbformat.write(staller(answered(), 8), folder / "stall" / file)
    start = time.monotonic()
    done = grade(copy, folder, tmp_path / "out", "--jobs", "1",
                 "--notebook-budget", str(notebook_s), "--student-budget", str(student_s))
    elapsed = time.monotonic() - start
    assert done.returncode == 0, done.stdout + done.stderr
    rows = list(csv.DictReader(open(tmp_path / "out" / "grades.csv")))
    assert sum(scores(rows, "alice").values()) == 9
    assert {r["file"] for r in rows if r["student"] == "stall"} == {f"{NAME}.ipynb", f"Copy of {NAME}.ipynb"}
    assert [r for r in rows if r["student"] == "stall" and (r["score"] != "0.0" or r["needs_manual_grading"] != "1")] \
        == []
    text = (tmp_path / "out" / "feedback" / "stall.md").read_text()
    first, second = text.split("## 01")[1:]
    assert f"this notebook had used its {notebook_s} s of grading time" in first
    assert f"your notebooks together had used the {student_s} s of grading time" in second
    assert "not run: the time for grading this notebook ran out first" in second
    # the peer's time and the student's budget, and a little for the sandboxes' closing; without the
    # budgets, the two notebooks take over 400 s
    assert elapsed < peer + student_s + 30, (elapsed, peer, student_s)


def hidden_lines():
    source = read(layout.source(NAME))
    return [line.strip() for c in source.cells if "### BEGIN HIDDEN TESTS" in c.source
            for line in c.source.split("### BEGIN HIDDEN TESTS")[1].splitlines() if len(line.strip()) > 12]


def test_feedback_never_shows_hidden_tests(graded):
    lines = hidden_lines()
    assert len(lines) > 20
    for path in (graded["out"] / "feedback").iterdir():
        text = path.read_text()
        assert not [line for line in lines if line in text], path.name
        assert "HIDDEN" not in text and "want = " not in text


def test_feedback_names_the_bug(graded):
    feedback = graded["out"] / "feedback"
    assert "lost its nbgrader metadata" in (feedback / "carol.md").read_text()
    assert "os._exit" in (feedback / "erin.md").read_text()
    assert "time limit" in (feedback / "frank.md").read_text()
    assert "Full marks on its own: its test also runs your discriminator_loss, whose own test failed. Rerun with " \
           "simple stand-ins for sample_noise, discriminator_loss and generator_loss_nonsaturating" \
           in (feedback / "frank.md").read_text()
    bob = (feedback / "bob.md").read_text()
    assert "sample_noise is not written yet" in bob
    with open(graded["out"] / "records.jsonl") as f:  # the stubs are told apart from wrong answers
        checks_of_bob = {ex["check"] for r in map(json.loads, f) if r["student"] == "bob" for ex in r["exercises"]}
    assert checks_of_bob == {NOT_ATTEMPTED}
    # the forger's kernel reported no failure: its feedback comes from the verdict outside
    assert "hidden test failed" in (feedback / "forger.md").read_text()
    assert len((feedback / "dumper.md").read_text()) < 6000  # messages are cut to a fixed length


def test_shards_merged_give_the_same_grades_as_one_run(graded, tmp_path):
    """Three students of the class in two shards, merged: the rows the class's one run gave them."""
    folder, three = tmp_path / "three", ("alice", "bob", "erin")
    for student in three:
        shutil.copytree(graded["folder"] / student, folder / student)
    course = graded["course"]
    parts = [grade(course, folder, tmp_path / f"shard{k}", *OPTIONS, "--shard", f"{k}/2") for k in (1, 2)]
    assert all(p.returncode == 0 for p in parts), parts[0].stderr + parts[1].stderr
    merged = subprocess.run([sys.executable, "-m", "tools.grading.merge", str(tmp_path / "merged"),
                             str(tmp_path / "shard1"), str(tmp_path / "shard2")], cwd=course, capture_output=True,
                            text=True, env=dict(os.environ, PYTHONPATH=str(course)))
    assert merged.returncode == 0, merged.stderr
    header, *rows = (graded["out"] / "grades.csv").read_text().splitlines()
    whole = [header] + [row for row in rows if next(csv.reader([row]))[0] in three]
    assert (tmp_path / "merged" / "grades.csv").read_text().splitlines() == whole
    sizes = [len((tmp_path / f"shard{k}" / "grades.csv").read_text().splitlines()) for k in (1, 2)]
    assert min(sizes) > 1, "each shard graded someone"


def test_without_its_sandbox_the_grader_refuses_unless_told(graded, tmp_path):
    folder = tmp_path / "one"
    shutil.copytree(graded["folder"] / "alice", folder / "alice")
    env_path = os.environ["PATH"]
    try:
        os.environ["PATH"] = str(tmp_path)  # no bwrap on this PATH
        refused = grade(graded["course"], folder, tmp_path / "refused")
        unsafe = grade(graded["course"], folder, tmp_path / "unsafe", "--unsafe-no-sandbox")
    finally:
        os.environ["PATH"] = env_path
    assert refused.returncode != 0 and "--unsafe-no-sandbox" in refused.stderr
    assert not (tmp_path / "refused").exists()
    assert unsafe.returncode == 0, unsafe.stderr
    assert "runs as you" in unsafe.stderr
    rows = list(csv.DictReader(open(tmp_path / "unsafe" / "grades.csv")))
    assert sum(float(r["score"]) for r in rows) == 9
