"""The one rule for reading a submitted notebook, shared by ``submit.check()`` and the grader.

A notebook is graded as the course's own cells with the student's answers in place: each answer
cell is taken whole, as the student wrote it, from the cell with the same nbgrader ``grade_id``,
or, when a retyped cell lost its metadata, from the last cell that defines the same functions.
Everything else (provided code, checks, their order) comes from the course, so editing,
re-tagging or reordering cells changes nothing, and code in cells of the student's own is not run.

A template is the list of code cells of a released notebook, each a dict with ``kind``
("provided", "answer" or "test"), ``grade_id``, ``points``, ``functions`` and ``source``.
"""
import ast


def meta(cell):
    """The nbgrader metadata of a cell (a dict, empty when it has none or it is not a dict)."""
    metadata = cell.get("metadata")
    found = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return found if isinstance(found, dict) else {}


def source(cell):
    """A cell's source as one string (notebook files may store it as a list of lines; "" when it is
    neither)."""
    text = cell.get("source", "")
    if isinstance(text, list) and all(isinstance(line, str) for line in text):
        return "".join(text)
    return text if isinstance(text, str) else ""


def functions(code):
    """Names of the functions a piece of code defines at top level (empty if it does not parse)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):  # ValueError: a null byte in the code
        return set()
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def template(nb):
    """The template of a notebook (a dict or NotebookNode): one entry per code cell, in order."""
    cells = []
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        m, code = meta(cell), source(cell)
        kind = "answer" if m.get("solution") else "test" if m.get("grade") else "provided"
        cells.append({"kind": kind, "grade_id": m.get("grade_id"),
                      "points": m.get("points", 0) if kind == "test" else 0,
                      "functions": sorted(functions(code)) if kind == "answer" else [], "source": code})
    return cells


BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"


def split(test):
    """A test cell's (visible, hidden) code; hidden is "" when it has none."""
    visible, _, rest = test.partition(BEGIN_HIDDEN)
    return visible, rest.replace(END_HIDDEN, "")


def public(cells):
    """A template students may have: no answers (the student's own replace them), no hidden tests."""
    return [dict(c, source="" if c["kind"] == "answer" else split(c["source"])[0] if c["kind"] == "test"
                 else c["source"]) for c in cells]


def graded(cells):
    """The answer and test cells of a template."""
    return [c for c in cells if c["kind"] != "provided"]


def identify(nb, templates, filename=""):
    """The assignment a submitted notebook belongs to, or None.

    By its graded cell ids first, then by the file name ("Copy of 02_dcgan.ipynb"), then by the
    answer functions it defines (every cell retyped).
    """
    ids = {meta(c).get("grade_id") for c in nb.get("cells", [])} - {None}
    by_ids = {name: len(ids & {c["grade_id"] for c in graded(cells)}) for name, cells in templates.items()}
    best = max(by_ids, key=by_ids.get, default=None)
    if best is not None and by_ids[best]:
        return best
    named = [name for name in templates if name in filename]
    if named:
        return named[0]
    defined = set().union(*(functions(source(c)) for c in nb.get("cells", []) if c.get("cell_type") == "code"))
    by_functions = {name: len(defined & {f for c in cells for f in c["functions"]})
                    for name, cells in templates.items()}
    best = max(by_functions, key=by_functions.get, default=None)
    return best if best is not None and by_functions[best] else None


def answers(nb, cells):
    """{grade_id: (code, how)} for each answer cell of the template ``cells``.

    how: "metadata" (found by its grade_id), "retyped" (no metadata, found by the functions it
    defines) or "missing" (code is then "").
    """
    code_cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    found = {}
    for cell in cells:
        if cell["kind"] != "answer":
            continue
        tagged = [c for c in code_cells if meta(c).get("grade_id") == cell["grade_id"]]
        wanted = set(cell["functions"])
        retyped = [c for c in code_cells if wanted and not meta(c).get("grade") and wanted <= functions(source(c))]
        if tagged:
            found[cell["grade_id"]] = (source(tagged[0]), "metadata")
        elif retyped:
            found[cell["grade_id"]] = (source(retyped[-1]), "retyped")
        else:
            found[cell["grade_id"]] = ("", "missing")
    return found


def assemble(cells, found):
    """The cells that run, in order: the template with each answer replaced by the student's.

    Returns a list of (kind, grade_id, code).
    """
    return [(c["kind"], c["grade_id"], found[c["grade_id"]][0] if c["kind"] == "answer" else c["source"])
            for c in cells]
