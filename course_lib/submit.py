"""Before you submit: read your notebook the way the grader will, and run its checks afresh.

In the last cell of a notebook::

    from course_lib import submit
    submit.check()            # finds this notebook in JupyterLab, Jupyter, VS Code and Colab

or from a terminal, on a downloaded file::

    python -m course_lib.submit "Copy of 01_toy_gan.ipynb"

It checks that every graded cell is there with its nbgrader metadata (which Colab loses when a
cell is retyped), runs the notebook top to bottom in a fresh kernel with training skipped, as
the grader does, reports each visible check, and says how to submit. ``assignments.json``,
written by ``tools/release.py``, lists the graded cells of every notebook.
"""
import ast
import json
import os
import sys
import tempfile

from . import guard, runtime

MANIFEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assignments.json")
HOW_TO_SUBMIT = """How to submit: save the notebook, then hand in the .ipynb file as your course asks
  (Colab: File > Download > Download .ipynb; JupyterLab: File > Download).
  Keep the graded cells where they are, and do not clear their metadata."""


def functions(code):
    """Names of the functions a piece of code defines at top level (empty if it does not parse)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def graded_cells(nb):
    """[{grade_id, kind, points, functions}] for the graded cells of an nbgrader source notebook."""
    cells = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") or meta.get("grade"):
            cells.append({"grade_id": meta["grade_id"], "kind": "answer" if meta.get("solution") else "test",
                          "points": meta.get("points", 0), "functions": sorted(functions(cell["source"]))})
    return cells


def _this_notebook():
    """The notebook that runs this kernel, as a dict, or None if it cannot be found."""
    try:
        from google.colab import _message  # Colab keeps the notebook in the browser, not on disk

        return _message.blocking_request("get_ipynb", timeout_sec=30)["ipynb"]
    except ImportError:
        pass
    try:
        from IPython import get_ipython

        ns = get_ipython().user_ns if get_ipython() is not None else {}
    except ImportError:
        ns = {}
    path = ns.get("__session__") or ns.get("__vsc_ipynb_file__") or os.environ.get("JPY_SESSION_NAME")
    if path and path.endswith(".ipynb") and os.path.isfile(path):
        print(f"Checking {path} as last saved: save the notebook first (Ctrl+S) if you changed it since.")
        return _read(path)
    return None


def _read(path):
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path} is not a notebook file (invalid JSON: {err})") from None


def _identify(nb, manifest):
    ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.get("cells", [])}
    overlap = {name: len(ids & {c["grade_id"] for c in cells}) for name, cells in manifest.items()}
    best = max(overlap, key=overlap.get, default=None)
    return best if best and overlap[best] else None


def inspect(nb, manifest):
    """{grade_id: status} for the graded cells of the notebook ``nb`` (a dict) names in ``manifest``.

    status: "ok"; "retyped" (no metadata, but a code cell defines the same functions: the
    grader matches it, plain nbgrader would not); "missing".
    """
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    tagged = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in code}
    status = {}
    for cell in manifest:
        if cell["grade_id"] in tagged:
            status[cell["grade_id"]] = "ok"
        elif cell["kind"] == "answer" and cell["functions"] and any(
                set(cell["functions"]) <= functions("".join(c["source"])) for c in code):
            status[cell["grade_id"]] = "retyped"
        else:
            status[cell["grade_id"]] = "missing"
    return status


def run_checks(nb, timeout=120):
    """Run a notebook (a dict) in a fresh kernel with training skipped; {test grade_id: error or None}."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.reads(json.dumps(nb), as_version=4)  # source as strings, whatever the file held
    saved = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "validate"  # the fresh kernel inherits it: no training
    try:
        with tempfile.TemporaryDirectory() as tmp:
            NotebookClient(nb, timeout=timeout, allow_errors=True, resources={"metadata": {"path": tmp}}).execute()
    finally:
        os.environ.pop("NBGRADER_EXECUTION") if saved is None else os.environ.__setitem__("NBGRADER_EXECUTION", saved)
    results = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            results[meta["grade_id"]] = (errors[0]["evalue"] or errors[0]["ename"]) if errors else None
    return results


def check(path=None, run=True):
    """Check a notebook before it is submitted; print a report and return True if all is well.

    path: the .ipynb file; None finds the notebook this kernel runs (JupyterLab, Jupyter, VS Code,
          Colab). run: also run the notebook in a fresh kernel and report each visible check.
    """
    if runtime.grading():
        print("submit.check: skipped while grading")
        return True
    if path is not None and not (isinstance(path, str) and path.endswith(".ipynb")):
        raise ValueError(f"path must name an .ipynb file, got {guard.describe(path)}")
    nb = _read(path) if path else _this_notebook()
    if nb is None:
        print('Could not find this notebook\'s file. Give its path: submit.check("01_toy_gan.ipynb")')
        return False
    with open(MANIFEST, encoding="utf-8") as f:
        manifest = json.load(f)
    name = _identify(nb, manifest)
    if name is None:
        print("This notebook has no graded cell of any course notebook: is it the right file? "
              "Start again from a fresh copy of the released notebook.")
        return False
    status = inspect(nb, manifest[name])
    results = run_checks(nb) if run else {}
    ok = True
    print(f"{name}: graded cells")
    for cell in manifest[name]:
        gid, state = cell["grade_id"], status[cell["grade_id"]]
        if state == "missing":
            line = "MISSING: restore it from a fresh copy of the released notebook"
        elif state == "retyped":
            line = (f"lost its nbgrader metadata; found by the function(s) {', '.join(cell['functions'])}. "
                    "Paste your code into the original cell of a fresh copy to be safe")
        elif cell["kind"] == "test" and run:
            error = results.get(gid)
            line = f"check passed ({cell['points']} pt)" if error is None else f"check FAILED: {error}"
            ok &= error is None
        else:
            line = "present"
        ok &= state == "ok"
        first, *rest = line.splitlines()  # a failed check's message: what, expected, got, likely bug
        print(f"  {'✓' if state == 'ok' and 'FAILED' not in line else '✗'} {gid:<36} {first}")
        for more in rest:
            print(f"      {more}")
    print("All graded cells are in place" + (" and every check passes." if run else ".") if ok else
          "Fix the items marked ✗ before you submit.")
    print(HOW_TO_SUBMIT)
    return ok


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m course_lib.submit NOTEBOOK.ipynb")
    sys.exit(0 if check(sys.argv[1]) else 1)
