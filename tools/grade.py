"""Grade a folder or zip of submissions: grades.csv plus one feedback file per student.

    python tools/grade.py SUBMISSIONS [--out grades] [--jobs 2]

SUBMISSIONS holds one folder per student (as LMS downloads give), or flat files named
``<student>_<anything>.ipynb``. A notebook is recognised by its graded cells, so Colab's
"Copy of 01_toy_gan.ipynb" and other renamings are fine, and a student may hand in several.

How a notebook is graded, and why:
- Only the student's answer cells are taken, matched by their nbgrader id, or, when a retyped
  cell lost its metadata, by the functions it defines. Everything else (test cells, their
  inputs, the provided code, the order of cells) comes from the source in solutions/, so
  editing, re-tagging, reordering or adding cells changes nothing.
- An answer keeps only definitions: imports, functions, classes and constant assignments.
  Other top-level statements (patching a helper, registering an IPython hook) are dropped
  and reported, so an answer cannot change the machinery before the tests run.
- Each test cell runs in two parts, the visible check and the hidden tests. The feedback shows
  the visible check's message and never the hidden tests' source or message.
- The notebook runs in a fresh temporary folder with training skipped (NBGRADER_EXECUTION).
  A cell that raises, loops past the timeout, exits, kills the kernel or exceeds the memory
  limit fails alone: the kernel is restarted, the definitions are replayed, grading goes on.
"""
import argparse
import ast
import csv
import os
import re
import secrets
import sys
import tempfile
import threading
import zipfile
from concurrent.futures import ProcessPoolExecutor

import nbformat
import psutil
from nbclient import NotebookClient
from traitlets.config import PyFileConfigLoader

from course_lib.submit import functions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from release import ROOT, assignments  # noqa: E402

HIDDEN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
# The same harmless-warning pattern that nbgrader's IgnorePattern uses, read from nbgrader_config.py.
IGNORABLE_STDERR = re.compile(PyFileConfigLoader("nbgrader_config.py", path=ROOT).load_config().IgnorePattern.pattern)


def meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


# --------------------------------------------------------------------------- what was handed in


def discover(folder):
    """(student, path) for every notebook under folder: one sub-folder per student, or flat files."""
    found = []
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if os.path.isdir(path):
            for parent, _, files in sorted(os.walk(path)):
                found += [(entry, os.path.join(parent, f)) for f in sorted(files) if f.endswith(".ipynb")
                          and ".ipynb_checkpoints" not in parent]
        elif entry.endswith(".ipynb"):
            found.append((entry.split("_", 1)[0] if "_" in entry else entry[:-6], path))
    return found


def identify(nb, path, sources):
    """The assignment a submitted notebook belongs to: by its graded cell ids, else its name."""
    ids = {meta(c).get("grade_id") for c in nb.cells} - {None}
    overlap = {name: len(ids & {meta(c).get("grade_id") for c in src.cells}) for name, src in sources.items()}
    best = max(overlap, key=overlap.get)
    if overlap[best]:
        return best
    stem = os.path.basename(path)
    named = [name for name in sources if name in stem]
    if named:
        return named[0]
    defined = set().union(*(functions(c.source) for c in nb.cells if c.cell_type == "code"))
    by_functions = {name: len(defined & set().union(*(functions(c.source) for c in src.cells if meta(c).get("solution"))))
                    for name, src in sources.items()}
    best = max(by_functions, key=by_functions.get)
    return best if by_functions[best] else None


def answers(source, nb):
    """{grade_id: (code, how)} for each answer cell of the source; how is metadata, content or missing."""
    found = {}
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for cell in source.cells:
        if not meta(cell).get("solution"):
            continue
        gid = meta(cell)["grade_id"]
        tagged = [c for c in code_cells if meta(c).get("grade_id") == gid]
        if tagged:
            found[gid] = (tagged[0].source, "metadata")
            continue
        wanted = functions(cell.source)
        retyped = [c for c in code_cells if wanted and wanted <= functions(c.source) and not meta(c).get("grade")]
        found[gid] = (retyped[-1].source, "content") if retyped else ("", "missing")
    return found




def _literal(node):
    try:
        ast.literal_eval(node)
        return True
    except ValueError:
        return False


def sanitize(code):
    """Keep only definitions from an answer; returns (code, notes about what was dropped)."""
    try:
        tree = ast.parse(code)
    except SyntaxError as err:
        return "", [f"the cell does not parse (line {err.lineno}: {err.msg}), so nothing in it was defined"]
    kept, notes = [], []
    for node in tree.body:
        ok = isinstance(node, (ast.Import, ast.ImportFrom))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            ok = not node.decorator_list and all(_literal(d) for d in _defaults(node))
            if isinstance(node, ast.ClassDef):
                ok = ok and not node.keywords and all(_literal(b) or isinstance(b, (ast.Name, ast.Attribute))
                                                      for b in node.bases)
        elif isinstance(node, ast.Assign):
            ok = all(isinstance(t, ast.Name) for t in node.targets) and _literal(node.value)
        elif isinstance(node, ast.Expr):
            ok = isinstance(node.value, ast.Constant)  # a docstring or a bare string
        if ok:
            kept.append(node)
        else:
            notes.append(f"line {node.lineno}: a top-level `{ast.unparse(node).splitlines()[0][:60]}` was not run; "
                         "graded cells may only define functions, classes, imports and constants")
    return "\n\n".join(ast.unparse(n) for n in kept), notes


def _defaults(node):
    if isinstance(node, ast.ClassDef):
        return [d for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                for d in _defaults(item)]
    return [d for d in node.args.defaults + node.args.kw_defaults if d is not None]


# --------------------------------------------------------------------------- the notebook that runs

# Run once before any answer: remembers which objects the tests rely on (the checks helpers,
# torch, builtins, the notebook's imported names, IPython's hooks). After each test part the
# verify cell fails if any of them was replaced while the student's code ran.
GUARD = """
def {name}():
    import builtins, math, sys, torch, torch.nn.functional
    import torch._dynamo  # it wraps torch.manual_seed when first imported: let that happen first
    from IPython import get_ipython
    from course_lib import checks
    ip = get_ipython()
    modules = (builtins, math, torch, torch.Tensor, torch.nn.functional, checks)
    legit = {{("builtins", "input"), ("builtins", "getpass")}}  # ipykernel rebinds these for each cell
    seen = {{(m.__name__, k): id(v) for m in modules for k, v in vars(m).items()
             if callable(v) and (m.__name__, k) not in legit}}
    seen.update({{("ns", k): id(v) for k, v in ip.user_ns.items() if not k.startswith("_") and k not in ("In", "Out")
                  and (callable(v) or type(v).__name__ == "module")}})
    def foreign(f):  # defined in the notebook, or a bare builtin such as print
        return getattr(f, "__module__", None) in (None, "__main__", "builtins")
    hooks = lambda: (sorted(e for e, cbs in ip.events.callbacks.items() if any(map(foreign, cbs))),
                     any(map(foreign, ip.input_transformers_post)), foreign(sys.excepthook),
                     id(type(ip).run_cell), id(type(ip).showtraceback), ip.__dict__.keys() & {{"run_cell", "showtraceback"}})
    before = hooks()

    def verify():
        now = {{(m.__name__, k): id(v) for m in modules for k, v in vars(m).items() if callable(v)}}
        now.update({{("ns", k): id(v) for k, v in ip.user_ns.items() if ("ns", k) in seen}})
        changed = sorted(".".join(k) for k, v in seen.items() if now.get(k) != v)
        changed += [f"IPython hook {{i}}" for i, (a, b) in enumerate(zip(before, hooks())) if a != b]
        if changed:
            raise RuntimeError("grading helpers were changed: " + ", ".join(changed[:5]))
    return verify
{name} = {name}()
"""


def build(source, found):
    """The source notebook with the student's answers in place and each test split in two parts.

    Returns (cells, roles): roles[i] is ("answer", gid), ("visible", gid), ("hidden", gid),
    ("verify", gid) after each test part, ("provided", None) or ("guard", None).
    """
    name = "_grader_" + secrets.token_hex(8)  # not guessable in advance
    guard = GUARD.format(name=name)
    cells, roles = [], []
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        m = meta(cell)
        if m.get("solution"):
            code, _ = found[m["grade_id"]]
            cells.append(nbformat.v4.new_code_cell(sanitize(code)[0]))
            roles.append(("answer", m["grade_id"]))
        elif m.get("grade"):
            visible, _, rest = cell.source.partition(HIDDEN)
            parts = [("visible", visible)] + ([("hidden", rest.replace(HIDDEN_END, ""))] if rest else [])
            for role, code in parts:
                cells += [nbformat.v4.new_code_cell(code), nbformat.v4.new_code_cell(f"{name}()")]
                roles += [(role, m["grade_id"]), ("verify", m["grade_id"])]
        else:
            cells.append(nbformat.v4.new_code_cell(cell.source))
            roles.append(("provided", None))
            if len(cells) == 1:  # after the set-up cell's imports, before any answer
                cells.append(nbformat.v4.new_code_cell(guard))
                roles.append(("guard", None))
    return cells, roles


def _watch_memory(client, limit_bytes, stop):
    """Kill the kernel when its memory passes the limit; nbclient then reports a dead kernel."""
    while not stop.wait(0.2):
        try:
            proc = psutil.Process(client.km.provisioner.process.pid)
            if proc.memory_info().rss > limit_bytes:
                proc.kill()
        except (AttributeError, psutil.Error):
            pass


def outcome(cell):
    """None if the cell ran cleanly, else a short reason."""
    for out in cell.outputs:
        if out.output_type == "error" and out.ename == "KeyboardInterrupt":  # nbclient interrupts at the timeout
            return "the cell ran past the time limit and was stopped: an infinite loop?"
        if out.output_type == "error":
            return f"{out.ename}: {out.evalue}"
        if out.output_type == "stream" and out.name == "stderr" and not IGNORABLE_STDERR.search(out.text):
            return "wrote to stderr: " + out.text.strip()[:300]
    return None


def execute(cells, roles, timeout, memory_mb):
    """Run the cells one by one; returns one result per cell (None for success, else a reason)."""
    results = [None] * len(cells)
    killers = set()  # cells that took the kernel down: never replayed
    i = 0
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, NBGRADER_EXECUTION="autograde", GAN_COURSE_MODE="smoke", MPLBACKEND="Agg",
                   HOME=work, IPYTHONDIR=os.path.join(work, ".ipython"))
        nb = nbformat.v4.new_notebook(cells=cells)
        while i < len(cells):
            client = NotebookClient(nb, timeout=timeout, allow_errors=True,
                                    interrupt_on_timeout=True, kernel_name="python3",
                                    resources={"metadata": {"path": work}})
            stop = threading.Event()
            try:
                with client.setup_kernel(env=env, cwd=work):
                    threading.Thread(target=_watch_memory, args=(client, memory_mb << 20, stop), daemon=True).start()
                    for j in range(i):  # after a restart: the definitions and provided code again
                        if roles[j][0] in ("answer", "provided", "guard") and j not in killers:
                            client.execute_cell(cells[j], j)
                    while i < len(cells):
                        role, gid = roles[i]
                        if role == "hidden" and (results[i - 2] or results[i - 1]):  # visible part failed
                            results[i] = "skipped"
                            i += 1
                            continue
                        client.execute_cell(cells[i], i)
                        results[i] = outcome(cells[i])
                        i += 1
                        if role == "verify" and results[i - 1]:
                            break  # tampered with: the next tests get a clean kernel
            except Exception as err:  # the kernel died (os._exit, a crash, memory) or stopped answering
                results[i] = f"the kernel stopped while running this cell ({type(err).__name__}): " \
                             "a crash, os._exit, sys.exit in a thread, or the memory limit"
                killers.add(i)
                i += 1
            finally:
                stop.set()
    return results


# --------------------------------------------------------------------------- grading


def grade(student, path, name, timeout=60, memory_mb=3000):
    """Grade one notebook; returns a dict with per-exercise scores and the feedback lines."""
    source = nbformat.read(os.path.join(ROOT, "solutions", name, name + ".ipynb"), as_version=4)
    tests = [(meta(c)["grade_id"], meta(c)["points"]) for c in source.cells if meta(c).get("grade")]
    record = {"student": student, "notebook": name, "file": os.path.basename(path), "scores": {}, "feedback": []}
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:
        record["scores"] = {gid: (0, pts) for gid, pts in tests}
        record["feedback"].append(f"The file could not be read as a notebook ({type(err).__name__}); "
                                  "it needs manual grading.")
        record["manual"] = True
        return record
    found = answers(source, nb)
    for gid, (code, how) in found.items():
        if how == "content":
            record["feedback"].append(f"`{gid}`: the cell had lost its nbgrader metadata (retyped?); "
                                      "it was found by the functions it defines and graded.")
        elif how == "missing":
            record["feedback"].append(f"`{gid}`: no answer cell was found; this needs manual grading.")
            record["manual"] = True
        for note in sanitize(code)[1]:
            record["feedback"].append(f"`{gid}`, {note}.")
    cells, roles = build(source, found)
    results = execute(cells, roles, timeout, memory_mb)
    failed = {}
    for (role, gid), result in zip(roles, results):
        if role in ("visible", "hidden", "verify") and result and gid not in failed:
            failed[gid] = {"visible": result, "hidden": "a hidden test failed (new shapes or seeds)",
                           "verify": "the grading helpers were changed while this test ran"}[role]
    for gid, pts in tests:
        record["scores"][gid] = (0 if gid in failed else pts, pts)
        record["feedback"].append(f"`{gid}`: {0 if gid in failed else pts}/{pts}"
                                  + (f"\n\n```\n{failed[gid]}\n```" if gid in failed else ""))
    return record


def _grade_job(job):
    return grade(*job)


def write_outputs(records, out):
    """grades.csv (one row per student, notebook and exercise) and feedback/<student>.md."""
    os.makedirs(os.path.join(out, "feedback"), exist_ok=True)
    with open(os.path.join(out, "grades.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "notebook", "exercise", "score", "max_score", "file", "needs_manual_grading"])
        for r in records:
            for gid, (score, pts) in r["scores"].items():
                w.writerow([r["student"], r["notebook"], gid, score, pts, r["file"], int(r.get("manual", False))])
    by_student = {}
    for r in records:
        by_student.setdefault(r["student"], []).append(r)
    for student, rs in by_student.items():
        lines = [f"# Feedback for {student}", ""]
        for r in rs:
            got = sum(s for s, _ in r["scores"].values())
            total = sum(p for _, p in r["scores"].values())
            lines += [f"## {r['notebook']} ({r['file']}): {got}/{total}", ""] + [f"- {x}" for x in r["feedback"]] + [""]
        with open(os.path.join(out, "feedback", f"{student}.md"), "w") as f:
            f.write("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", help="a folder or a .zip of submissions")
    parser.add_argument("--out", default="grades", help="where grades.csv and feedback/ go (default: grades)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks graded in parallel")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per cell")
    parser.add_argument("--memory-mb", type=int, default=3000, help="memory limit of each kernel")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.submissions
        if zipfile.is_zipfile(folder):
            with zipfile.ZipFile(folder) as z:
                z.extractall(tmp)
            folder = tmp
        elif not os.path.isdir(folder):
            parser.error(f"{folder} is neither a folder nor a zip file")
        sources = {n: nbformat.read(os.path.join(ROOT, "solutions", n, n + ".ipynb"), as_version=4)
                   for n in assignments()}
        jobs, skipped = [], []
        for student, path in discover(folder):
            try:
                name = identify(nbformat.read(path, as_version=4), path, sources)
            except Exception:
                name = next((n for n in sources if n in os.path.basename(path)), None)
            if name is None:
                skipped.append(path)
            else:
                jobs.append((student, path, name, args.timeout, args.memory_mb))
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            records = list(pool.map(_grade_job, jobs))
        write_outputs(records, args.out)
    for path in skipped:
        print(f"not graded (no assignment recognised): {path}")
    print(f"graded {len(records)} notebooks of {len({r['student'] for r in records})} students -> "
          f"{os.path.join(args.out, 'grades.csv')}")
    return records


if __name__ == "__main__":
    main()
