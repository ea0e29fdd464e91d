"""What of a hidden test enters the student's sandbox: only its student calls, their inputs and what the checks record.

The unit tests show each pattern a reference computation takes in a hidden test. The last tests read
every hidden test of the nine notebooks and check the code sent to the sandbox by a rule of their own,
written independently of ``tools.grading.blind``: the rule named in the README's "What the grader
guarantees".
"""
import ast

import nbformat
import pytest

from course_lib import cells, protocol
from tools import course
from tools.grading import blind

MODULES = {"torch", "F", "nn", "math", "checks", "copy"}


def sent(code):
    return blind.blind(code, MODULES)


def test_a_check_keeps_only_what_it_records():
    out = sent("checks.close(f(r), want, f'near {want:.3f}', hint=f'{want}', atol=tol)\n"
               "checks.shape(f(r), (1, 7), 'its shape')\n"
               "checks.that(g(r) == 3, 'a count', 3, g(r), hint='x')\n"
               "checks.close(f(r), expected=4.0, what='keyword')")
    assert out.splitlines() == ["checks.close(f(r), checks.HIDDEN, '')", "checks.shape(f(r), checks.HIDDEN, '')",
                                "checks.that(g(r) == 3, '', checks.HIDDEN, None)",
                                "checks.close(f(r), checks.HIDDEN, '')"]


@pytest.mark.parametrize("reference", [
    "want = F.softplus(-r).mean()\nalso = want * 2",  # a chain of names
    "a, want = 1.0, F.softplus(-r).mean()",  # a tuple assignment
    "want = 0.0\nfor v in r.tolist():\n    want += math.log1p(math.exp(-v))",  # a loop that sums into a name
    "h = r\nfor layer in (nn.Tanh(), nn.ReLU()):\n    h = layer(h)\nwant = h",  # a name that feeds itself
    "want = torch.zeros(3)\nwant.add_(r.sum())\nwant[0] = 1.0",  # changed in place
    "def by_hand(x):\n    return 2 * x\nwant = by_hand(r)",  # a reference written as a function
    "if r.sum() > 0:\n    want = 1.0\nelse:\n    want = 2.0",  # in a branch
    "with torch.no_grad():\n    want = F.softplus(-r)",  # under a context manager
])
def test_a_reference_computation_never_enters(reference):
    code = f"gen = torch.Generator().manual_seed(11)\nr = torch.randn(5, generator=gen)\n{reference}\n" \
           "checks.close(f(r), want, 'random logits')"
    assert sent(code).splitlines() == ["gen = torch.Generator().manual_seed(11)", "r = torch.randn(5, generator=gen)",
                                       "checks.close(f(r), checks.HIDDEN, '')"]


@pytest.mark.parametrize("reads", ["all(p > 0 for p in r.tolist())", "all(map(lambda p: p > 0, r.tolist()))",
                                   "[p for p in r.tolist() if p > 0] == [q for q in r.tolist() if q > 0]"])
def test_a_name_that_a_comprehension_or_a_lambda_binds_reads_nothing_of_the_test(reads):
    code = f"r = torch.randn(5)\np = torch.sigmoid(r)\nchecks.close(f(r), p.sum(), 'a sum')\n" \
           f"checks.that({reads}, 'all positive', True, None)"
    assert sent(code).splitlines() == ["r = torch.randn(5)", "checks.close(f(r), checks.HIDDEN, '')",
                                       f"checks.that({ast.unparse(ast.parse(reads))}, '', checks.HIDDEN, None)"]


def test_what_the_student_calls_and_records_stays_with_every_input():
    code = """torch.manual_seed(3)
block = make_block(3, 5)
conv = block[0]
x = torch.randn(2, 3)
x.requires_grad_(True)
with torch.no_grad():
    conv.weight.fill_(1.0)
loss = block(x).sum()
loss.backward()
total = 0
for i in range(3):
    total += i
    out = step(G, total)
ref = copy.deepcopy(G)
checks.close(x.grad, ref.weight, 'the gradient')
checks.that(out is not None, 'a result', 'a dict', out)"""
    out = sent(code)
    assert "ref" not in out and "deepcopy" not in out
    for kept in ("torch.manual_seed(3)", "conv = block[0]", "x.requires_grad_(True)", "conv.weight.fill_(1.0)",
                 "loss.backward()", "total += i", "out = step(G, total)"):
        assert kept in out, f"{kept!r} was dropped:\n{out}"


def test_a_loop_keeps_what_a_later_round_reads():
    out = sent("h = x\nfor _ in range(3):\n    checks.close(f(h), want, 'w')\n    h = h * 2")
    assert "h = h * 2" in out and "h = x" in out


def test_a_swap_is_not_split():
    out = sent("a, b = x, y\na, b = b, a\nchecks.close(f(a), 1.0, 'w')")
    assert "a, b = (b, a)" in out


# --------------------------------------------------------------------------- every hidden test of the course


def hidden_tests():
    for name in course.assignments():
        template = cells.template(nbformat.read(course.source(name), as_version=4))
        for c in template:
            if c["kind"] == "test" and cells.split(c["source"])[1].strip():
                yield name, c["grade_id"], cells.split(c["source"])[1], blind.modules(template)


HIDDEN = list(hidden_tests())


def checks_kind(node):
    f = node.func if isinstance(node, ast.Call) else None
    return f.attr if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "checks" \
        and f.attr in ("close", "shape", "that") else None


def names(node, ctx=ast.Load):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def statements(tree):
    """Every simple statement, and every compound one's header as an expression."""
    for n in ast.walk(tree):
        if isinstance(n, ast.stmt) and not hasattr(n, "body"):
            yield n
        elif isinstance(n, (ast.For, ast.While, ast.If)):  # a header: what decides how the kept body runs
            yield ast.copy_location(ast.Expr(ast.Tuple(elts=[getattr(n, "iter", None) or n.test], ctx=ast.Load())), n)


def bound_here(stmt):
    """The names a statement binds or changes in place (a.x = ..., a[i] += ..., a.add_(...))."""
    out = names(stmt, ast.Store)
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] \
        if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) else []
    for t in targets:
        while isinstance(t, (ast.Attribute, ast.Subscript)):
            t = t.value
        if isinstance(t, ast.Name):
            out.add(t.id)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute):
        t = stmt.value.func.value
        while isinstance(t, (ast.Attribute, ast.Subscript, ast.Call)):
            t = t.func if isinstance(t, ast.Call) else t.value
        if isinstance(t, ast.Name):
            out.add(t.id)
    return out


@pytest.mark.parametrize("name, gid, code, modules", HIDDEN, ids=[f"{n}-{g}" for n, g, _, _ in HIDDEN])
def test_every_check_is_called_as_the_slicer_reads_it(name, gid, code, modules):
    """The slicer knows a check by its spelling, ``checks.close(...)``: a check reached another way
    (``from course_lib.checks import close``, ``c = checks``, ``checks.close`` passed on as a value)
    would keep its expected value, so no hidden test may reach one so."""
    tree = ast.parse(code)
    parent = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call) and checks_kind(n)}
    other = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id == "checks":
            up = parent.get(id(n))
            if not isinstance(up, ast.Attribute) or up.attr in protocol.KINDS and id(up) not in called:
                other.append(ast.unparse(up if isinstance(up, ast.Attribute) else n))
        elif isinstance(n, (ast.Import, ast.ImportFrom)) and "checks" in ast.unparse(n):
            other.append(ast.unparse(n))
    assert not other, f"{name} {gid}: a check reached otherwise than by a call checks.<kind>(...): {other}"


@pytest.mark.parametrize("name, gid, code, modules", HIDDEN, ids=[f"{n}-{g}" for n, g, _, _ in HIDDEN])
def test_the_sandbox_gets_no_expected_value(name, gid, code, modules):
    """Every check in the code sent keeps only what it records, with HIDDEN in place of the expected value."""
    tree = ast.parse(blind.blind(code, modules))
    found = [n for n in ast.walk(tree) if checks_kind(n)]
    assert found, f"{name} {gid}: no check left in the hidden test"
    for call in found:
        hidden = [a for a in call.args if ast.unparse(a) == "checks.HIDDEN"]
        others = [a for a in call.args[1:]
                  if a not in hidden and not (isinstance(a, ast.Constant) and a.value in ("", None))]
        assert len(hidden) == 1 and not others and not call.keywords, \
            f"{name} {gid}: a check sends more than what it records: {ast.unparse(call)}"


@pytest.mark.parametrize("name, gid, code, modules", HIDDEN, ids=[f"{n}-{g}" for n, g, _, _ in HIDDEN])
def test_the_sandbox_computes_only_what_a_record_or_an_effect_reads(name, gid, code, modules):
    """Each statement sent binds a name that a recorded value, or a call made for its effect, reads.

    The rule, in its own words: a recorded value is a check's first argument; a call made for its
    effect is a statement that binds none of the test's names (``clip_weights_(net)``,
    ``torch.manual_seed(1)``) or runs ``backward``. Whatever else the code sent binds or changes must
    reach one of them by a chain of reads, and a name of the original test that only expected values
    read must not be bound at all.
    """
    tree = ast.parse(blind.blind(code, modules))
    made_here = names(tree, ast.Store) | {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}

    def effect(s):
        return not bound_here(s) & made_here or any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "backward"
            for n in ast.walk(s))

    needed = set()
    for s in statements(tree):
        needed |= {x for n in ast.walk(s) if checks_kind(n) for x in names(n.args[0])}
        if effect(s) and not any(checks_kind(n) for n in ast.walk(s)):
            needed |= names(s)
    while True:  # what the needed names were computed from
        more = {x for s in statements(tree) if bound_here(s) & needed for x in names(s)} - needed
        if not more:
            break
        needed |= more
    for s in statements(tree):
        assert effect(s) or bound_here(s) & needed, \
            f"{name} {gid}: the sandbox computes {ast.unparse(s)!r}, which nothing recorded reads"

    original = ast.parse(code)
    expected_only = set()
    for n in ast.walk(original):
        if checks_kind(n):
            at = {"close": 1, "shape": 1, "that": 2}[checks_kind(n)]
            if len(n.args) > at:  # less the names its own comprehensions bind
                expected_only |= names(n.args[at]) - names(n.args[at], ast.Store)
    read_elsewhere = set()
    for s in statements(original):
        uses = names(s)
        for n in ast.walk(s):
            if checks_kind(n):
                uses -= set().union(*(names(a) for a in n.args[1:]), *(names(k.value) for k in n.keywords))
                uses |= names(n.args[0])
        read_elsewhere |= uses - bound_here(s)
    assert not (expected_only - read_elsewhere) & made_here, \
        f"{name} {gid}: names that only expected values read are still computed in the sandbox: " \
        f"{sorted((expected_only - read_elsewhere) & made_here)}"


def test_names_are_read_from_the_notebook():
    magic = "%pip install -q x\nimport torch.nn.functional as F\nfrom a import b as c"
    template = [{"kind": "provided", "source": magic},
                {"kind": "answer", "source": "import numpy as np"}]
    assert blind.modules(template) == {"F", "c"}
