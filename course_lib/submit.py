"""Before you submit: read your notebook the way the grader will, and run its checks afresh.

In the last cell of a notebook::

    from course_lib import submit
    submit.check()            # finds this notebook in JupyterLab, Jupyter, VS Code and Colab

or from a terminal, on a downloaded file::

    python -m course_lib.submit "Copy of 01_toy_gan.ipynb"

It finds each answer cell by the rule the grader uses (``course_lib.cells``): by its nbgrader
metadata, which Colab loses when a cell is retyped, or else by the functions it defines. Then it
runs what the grader runs, the course's own cells with those answers in place, in a fresh kernel
with training skipped, reports each visible check, and says how to submit. Code in cells of your
own is not graded, and neither are edits to the provided cells. ``assignments.json``, written by
``tools/release.py``, holds every notebook's cells as released (no answers, no hidden tests).
"""
import json
import os
import sys
import tempfile

from . import cells, guard, runtime

MANIFEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assignments.json")
HOW_TO_SUBMIT = """How to submit: save the notebook, then hand in the .ipynb file as your course asks
  (Colab: File > Download > Download .ipynb; JupyterLab: File > Download).
  Keep the graded cells where they are, and do not clear their metadata."""


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


def _path_hint():
    """The call to type, with a notebook of the kernel's folder (where Jupyter starts it) as the path."""
    here = sorted(f for f in os.listdir() if f.endswith(".ipynb"))
    example = here[0] if len(here) == 1 else "NAME.ipynb"
    hint = f'submit.check("{example}")'
    return hint + (f" (notebooks in this folder: {', '.join(here)})" if len(here) > 1 else "")


def _read(path):
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path} is not a notebook file (invalid JSON: {err})") from None


def run_checks(template, found, timeout=120):
    """Run the course's cells with the answers ``found`` in place, in a fresh kernel with training
    skipped; {test grade_id: error message or None}."""
    import nbformat
    from nbclient import NotebookClient

    graded = cells.assemble(template, found)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for _, _, code in graded])
    saved = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "validate"  # the fresh kernel inherits it: no training
    try:
        with tempfile.TemporaryDirectory() as tmp:
            NotebookClient(nb, timeout=timeout, allow_errors=True, resources={"metadata": {"path": tmp}}).execute()
    finally:
        os.environ.pop("NBGRADER_EXECUTION") if saved is None else os.environ.__setitem__("NBGRADER_EXECUTION", saved)
    results = {}
    for (kind, gid, _), cell in zip(graded, nb.cells):
        if kind == "test":
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            results[gid] = (errors[0]["evalue"] or errors[0]["ename"]) if errors else None
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
        print(f"Could not find this notebook's file. Give its path: {_path_hint()}")
        return False
    with open(MANIFEST, encoding="utf-8") as f:
        templates = json.load(f)
    name = cells.identify(nb, templates, os.path.basename(path or ""))
    if name is None:
        print("This notebook has no graded cell of any course notebook: is it the right file? "
              "Start again from a fresh copy of the released notebook.")
        return False
    template = templates[name]
    found = cells.answers(nb, template)
    results = run_checks(template, found) if run else {}
    ok = True
    print(f"{name}: graded cells")
    for cell in cells.graded(template):
        gid = cell["grade_id"]
        state = found[gid][1] if cell["kind"] == "answer" else "test"
        if state == "missing":
            line = "MISSING: restore it from a fresh copy of the released notebook"
        elif state == "retyped":
            line = (f"lost its nbgrader metadata; found by the function(s) {', '.join(cell['functions'])}. "
                    "Paste your code into the original cell of a fresh copy to be safe")
        elif state == "test" and run:
            error = results.get(gid)
            line = f"check passed ({cell['points']} pt)" if error is None else f"check FAILED: {error}"
            ok &= error is None
        else:
            line = "present" if state == "metadata" else "the course's check"
        ok &= state in ("metadata", "test")
        first, *rest = line.splitlines()  # a failed check's message: what, expected, got, likely bug
        print(f"  {'✓' if state in ('metadata', 'test') and 'FAILED' not in line else '✗'} {gid:<36} {first}")
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
