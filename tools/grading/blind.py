"""What of a hidden test may enter the student's process: the backward slice of what its checks record.

A hidden test computes three kinds of things: inputs for the student's functions, the values its
checks record as ``got``, and expected values with the reference computations behind them. Only
the first two may run in the sandbox, because everything that runs there can be read by the
student's code (from its callers' frames, from ``globals()``, through ``gc.get_objects()``).

``blind`` keeps exactly the statements that the recorded values depend on:

- every ``checks.close/shape/that`` call is cut down to what it records (``got``, or the condition
  of ``that``), with ``checks.HIDDEN`` for the expected value and nothing else;
- a statement with an effect beyond the test's own names is kept: a call of the student's code for
  what it does (``clip_weights_(net, 0.05)``), ``torch.manual_seed(3)``, ``loss.backward()``;
- every other statement is kept only if it binds, or changes in place, a name that a kept
  statement later reads: a backward liveness pass over the test's code, loops and branches
  included, with ``a, b = x, y`` split into its parts.

Everything else (``want = ...``, ``want += ...``, ``h = f(h)`` feeding only an expected value,
``def by_hand(...)``, a student call whose result nothing recorded reads) runs only in the
instructor's reference run. A statement that computes an input and a reference value at once is
kept whole, so hidden tests keep the two apart; tests/test_blind.py holds every hidden test of the
course to that, and the grading round trip shows that each sliced test records what the full one does.
"""
import ast
import copy

from course_lib.protocol import KINDS

ALWAYS = {"backward"}  # methods that write into objects they are not called on (autograd's leaves)
CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp)


def blind(code, modules=()):
    """The hidden part of a test cell as it may enter the student's process (see the module's docstring).

    modules: the names the notebook binds to modules (``modules(template)``). A name the test binds
    only to what their functions make (``want = torch.zeros(3)``) is a new object, so changing it in
    place (``want.add_(x)``) changes nothing else; a name bound to a part of another object
    (``conv = block[0]``) may be changed only with that object, and such a change is always kept.
    """
    tree = ast.parse(code)
    tree.body = _split_tuples(tree.body)
    body, _ = _Slicer(_fresh(tree, set(modules))).block(tree.body, set())
    return ast.unparse(ast.fix_missing_locations(ast.Module(body=body, type_ignores=[])))


COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def _loaded(node, local=frozenset()):
    """The names the code reads from the test's scope: not those that a comprehension or a lambda
    inside it binds for itself (``[p.grad for p in net.parameters()]`` reads no ``p`` of the test)."""
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Load) and node.id not in local else set()
    if isinstance(node, COMPREHENSIONS):
        found, inner = set(), set(local)
        for k, g in enumerate(node.generators):  # the first iterable runs in the enclosing scope
            found |= _loaded(g.iter, inner if k else local)
            inner |= {n.id for n in ast.walk(g.target) if isinstance(n, ast.Name)}
            found |= set().union(*(_loaded(c, inner) for c in g.ifs))
        parts = (node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,)
        return found | set().union(*(_loaded(p, inner) for p in parts))
    if isinstance(node, ast.Lambda):
        bound = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        defaults = node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
        return set().union(*(_loaded(d, local) for d in defaults)) | _loaded(node.body, local | bound)
    return set().union(*(_loaded(child, local) for child in ast.iter_child_nodes(node)))


def _bound(tree):
    """Every name the code binds: assigned, looped over, defined, imported, caught."""
    names = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in n.names}
        elif isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
        elif isinstance(n, ast.arg):
            names.add(n.arg)
    return names


def _new(value, modules):
    """Is the value of this expression a new object, shared with nothing else?"""
    if isinstance(value, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.Compare)):
        return True
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return all(_new(e, modules) for e in value.elts)
    if isinstance(value, ast.Dict):
        return all(_new(e, modules) for e in value.values)
    return isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute)) \
        and _root(value.func) in modules


def _fresh(tree, modules):
    """(names bound only to new objects, names bound only to new containers): see ``_new``.

    A container made by a literal or a comprehension is new even where its items are not: appending
    to it changes nothing else, changing an item in place might. A name bound by a loop, a ``with``
    or a walrus is neither.
    """
    new, containers, shared = set(), set(), set()
    for n in ast.walk(tree):
        if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None:
            for t in n.targets if isinstance(n, ast.Assign) else [n.target]:
                names = {x.id for x in ast.walk(t) if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Store)}
                if isinstance(t, (ast.Name, ast.Tuple)) and _new(n.value, modules):
                    new |= names
                elif isinstance(t, ast.Name) and isinstance(n.value, CONTAINERS):
                    containers |= names
                else:
                    shared |= names
        elif isinstance(n, (ast.For, ast.AsyncFor, ast.comprehension, ast.NamedExpr)):
            shared.update(x.id for x in ast.walk(n.target) if isinstance(x, ast.Name))
        elif isinstance(n, ast.withitem) and n.optional_vars is not None:
            shared.update(x.id for x in ast.walk(n.optional_vars) if isinstance(x, ast.Name))
    return new - containers - shared, (new | containers) - shared


def _root(node):
    """The name an expression such as ``a.b[0].c`` or ``a.b()(x)`` starts from, or None."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _split_tuples(body):
    """``a, b = x, y`` as ``a = x`` and ``b = y`` where that means the same, so that each part is judged alone."""
    out = []
    for s in body:
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(s, field, None), list):
                setattr(s, field, _split_tuples(getattr(s, field)))
        for h in getattr(s, "handlers", []):
            h.body = _split_tuples(h.body)
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Tuple) \
                and isinstance(s.value, ast.Tuple) and len(s.targets[0].elts) == len(s.value.elts) \
                and not any(isinstance(e, ast.Starred) for e in s.targets[0].elts + s.value.elts):
            names = {n.id for n in ast.walk(s.targets[0]) if isinstance(n, ast.Name)}
            if not names & _loaded(s.value):
                out += [ast.copy_location(ast.Assign(targets=[t], value=v), s)
                        for t, v in zip(s.targets[0].elts, s.value.elts)]
                continue
        out.append(s)
    return out


class _Slicer:
    def __init__(self, fresh):
        self.new, self.containers = fresh  # see _fresh

    def _contained(self, target):
        """Does changing ``target`` in place (``a.append``, ``a[i] = v``, ``a[0].add_``) change only the test's a?"""
        root = _root(target)
        direct = isinstance(target, ast.Name) or isinstance(target, (ast.Attribute, ast.Subscript)) \
            and isinstance(target.value, ast.Name)
        return root in self.new or direct and root in self.containers

    # ------------------------------------------------------------------ what a statement records, calls, changes

    def _check(self, call):
        """The kind of a ``checks.<kind>(...)`` call, or None."""
        f = call.func
        if isinstance(f, ast.Attribute) and f.attr in KINDS and isinstance(f.value, ast.Name) \
                and f.value.id == "checks":
            return f.attr
        return None

    def _records(self, stmt):
        """The statement with every check cut down to what it records; None if it has no check."""
        found = []

        class Cut(ast.NodeTransformer):
            def visit_Call(inner, node):  # noqa: N805 (the slicer is the outer self)
                inner.generic_visit(node)
                kind = self._check(node)
                if kind is None:
                    return node
                found.append(kind)
                return ast.copy_location(ast.Call(func=node.func, args=_recording(kind, node), keywords=[]), node)

        cut = Cut().visit(stmt)
        return cut if found else None

    def _effect(self, node):
        """Does the code call a method that writes beyond its object (``loss.backward()``)?"""
        return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ALWAYS
                   for n in ast.walk(node))

    def _changed(self, stmt):
        """(names a simple statement binds or changes, the names it binds whole, whether it changes more).

        ``want = ...`` binds want whole; ``want += x``, ``want[0] = x`` and ``want.add_(x)`` change it
        in place where want is the test's own new object, and change more than the test's names where
        it is not (``conv = block[0]; conv.weight.fill_(1.0)`` changes block).
        """
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names = {n.id for t in targets for n in ast.walk(t)
                     if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            whole, changed = set(names), [t for t in targets if isinstance(t, (ast.Attribute, ast.Subscript))]
            if isinstance(stmt, ast.AugAssign):  # in place for tensors and lists
                whole, changed = set(), targets
            names |= {_root(t) for t in changed} - {None}
            return names, whole, not all(self._contained(t) for t in changed)
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr not in ALWAYS \
                and self._contained(call.func.value):
            return {_root(call.func)}, set(), False  # want.add_(x): a change of want alone
        if isinstance(stmt, (ast.Pass, ast.Assert)):
            return set(), set(), False
        return set(), set(), True  # torch.manual_seed(1), print(...), del, raise, return: effects beyond the test

    # ------------------------------------------------------------------ the backward pass

    def block(self, body, live):
        """(the statements of body that are kept, the names live before it), given the names live after it."""
        kept = []
        for stmt in reversed(body):
            out, live = self.stmt(stmt, live)
            if out is not None:
                kept.insert(0, out)
        return kept, live

    def stmt(self, s, live):
        if isinstance(s, (ast.If, ast.While)):
            return self._loop_or_branch(s, live)
        if isinstance(s, (ast.For, ast.AsyncFor)):
            return self._loop_or_branch(s, live)
        if isinstance(s, (ast.With, ast.AsyncWith)):
            body, inner = self.block(s.body, live)
            header = ast.Module(body=[ast.Expr(i.context_expr) for i in s.items], type_ignores=[])
            if not body and not self._effect(header):
                return None, live
            bound = {n.id for i in s.items if i.optional_vars is not None for n in ast.walk(i.optional_vars)
                     if isinstance(n, ast.Name)}
            s.body = body or [ast.Pass()]
            return s, (inner - bound) | _loaded(header)
        if isinstance(s, ast.Try):
            body, inner = self.block(s.body, live)
            handlers, more = [], set(inner)
            for h in s.handlers:
                hb, hl = self.block(h.body, live)
                h.body = hb or [ast.Pass()]
                handlers.append(h)
                more |= hl | (_loaded(h.type) if h.type is not None else set())
            orelse, ol = self.block(s.orelse, live)
            final, fl = self.block(s.finalbody, live)
            if not (body or orelse or final or any(not isinstance(h.body[0], ast.Pass) for h in handlers)):
                return None, live
            s.body, s.handlers, s.orelse, s.finalbody = body or [ast.Pass()], handlers, orelse, final
            return s, more | ol | fl | live
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if s.name not in live and not self._effect(ast.Module(body=s.decorator_list and
                                                                         [ast.Expr(d) for d in s.decorator_list],
                                                                         type_ignores=[])):
                return None, live
            return s, (live - {s.name}) | _loaded(s)
        cut = self._records(s)
        names, whole, outside = self._changed(s)
        if cut is None and not outside and not self._effect(s) and not names & live:
            return None, live
        s = cut or s
        return s, (live - whole) | _loaded(s) | (names - whole)

    def _loop_or_branch(self, s, live):
        """if, while and for: the body's liveness to a fixed point (a loop's body also runs after itself)."""
        loop = not isinstance(s, ast.If)
        header = s.test if not isinstance(s, (ast.For, ast.AsyncFor)) else s.iter
        target = {n.id for n in ast.walk(s.target) if isinstance(n, ast.Name)} \
            if isinstance(s, (ast.For, ast.AsyncFor)) else set()
        after = set(live)
        while True:
            body, inner = self.block(copy.deepcopy(s.body), after)  # sliced afresh each round
            orelse, outer = self.block(copy.deepcopy(s.orelse), live)
            needed = (inner - target) | outer | live | _loaded(header)
            if not loop or needed <= after:
                break
            after |= needed
        if not body and not orelse and not self._effect(header):
            return None, live
        s.body, s.orelse = body or [ast.Pass()], orelse
        return s, needed | _loaded(header)



def _recording(kind, call):
    """The arguments of a ``checks.<kind>`` call cut down to what it records: the recorded argument
    as written, ``checks.HIDDEN`` for the expected value, an empty text for ``what``, None for the
    other required parameters."""
    spec = KINDS[kind]
    given = dict(zip(spec.params, call.args)) | {k.arg: k.value for k in call.keywords if k.arg in spec.params}
    hidden = ast.Attribute(value=ast.Name(id="checks", ctx=ast.Load()), attr="HIDDEN", ctx=ast.Load())
    cut = {spec.got: given.get(spec.got, ast.Constant(None)), spec.expected: hidden, "what": ast.Constant("")}
    return [cut.get(p, ast.Constant(None)) for p in spec.params[:spec.required]]


def modules(template):
    """The names that the course's own cells of a notebook bind to modules (``import torch.nn as nn``...)."""
    from IPython.core.inputtransformer2 import TransformerManager  # the cells may hold %magics

    names, python = set(), TransformerManager()
    for c in template:
        if c["kind"] == "provided":
            for n in ast.walk(ast.parse(python.transform_cell(c["source"]))):
                if isinstance(n, (ast.Import, ast.ImportFrom)):
                    names |= {(a.asname or a.name).split(".")[0] for a in n.names}
    return names
