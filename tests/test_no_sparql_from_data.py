"""Grep-proof (by syntax tree): no f-string, ``%`` or ``.format`` builds SPARQL text from data anywhere in kg/.

A string counts as SPARQL when its literal parts hold an upper-case SPARQL keyword and a group ``{``, a
variable or an interpolated ``<IRI>``. An interpolated value is data unless it is a constant (an ALL_CAPS name
or a namespace attribute such as ``ORG.reportsTo``). Values reach SPARQL as RDF terms through
:func:`kg.store.bind_values` (pyoxigraph writes each term, escaped) or bound variables, never as text.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

KG = Path(__file__).resolve().parent.parent / "kg"
KEYWORD = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE|DROP|CLEAR|LOAD|VALUES|FILTER|GRAPH|WHERE|"
                     r"BIND|PREFIX|OPTIONAL|SERVICE)\b")
SHAPE = re.compile(r"[{}]|\?[A-Za-z_]")

# The one place that turns values into SPARQL text: each value is an RDF term written by pyoxigraph (escaped,
# checked), and the query text around it is kg's own; and the predeclared PREFIX lines (constants).
ALLOWED = {
    ("store.py", "bind_values"): "terms written by pyoxigraph into a VALUES block (the sanctioned binding)",
    ("vocab.py", "sparql_prefixes"): "PREFIX lines from the PREFIXES constant",
    ("remote.py", "with_prefixes"): "PREFIX lines from the PREFIXES constant",
    ("remote.py", "_insert"): "`kg push`: N-Triples lines and the graph's name, all written by pyoxigraph",
    ("knowledge.py", "_onto"): "wraps a pattern its callers build in the ontology graph (each checked here)",
}

# Still to convert to bound terms (issue 18): each entry is removed when its code is fixed (the test prints the
# entries that no longer offend); a new offender anywhere else fails the test.
TODO: set[tuple[str, str]] = set()  # the forest rewrite (issue 11) converted the last ones


TERM_CALLS = {"NamedNode", "Literal", "BlankNode", "Triple", "Quad", "serialize"}


def _constant(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.Attribute):
        base = node.value
        while isinstance(base, ast.Attribute):
            base = base.value
        return isinstance(base, ast.Name) and base.id.isupper()
    if isinstance(node, ast.Subscript):
        return _constant(node.value) and isinstance(node.slice, ast.Constant)
    return False


def _safe(node: ast.AST) -> bool:
    """A constant, or an RDF term written by pyoxigraph (``ox.NamedNode(x)`` checks the IRI, ``ox.Literal(x)``
    escapes), or kg's own fragments put together (``TEMPLATE.format(v="?c")``, a join of terms)."""
    if _constant(node):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(_safe(v.value) for v in node.values if isinstance(v, ast.FormattedValue))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return all(_safe(part) for part in _concat(node))
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    args = [*node.args, *(k.value for k in node.keywords)]
    if name in TERM_CALLS:
        return True
    if name == "decode" and isinstance(func, ast.Attribute):
        return _safe(func.value)
    if name == "str" and len(node.args) == 1:
        return _safe(node.args[0])
    if name == "format" and isinstance(func, ast.Attribute):
        return _constant(func.value) and all(_constant(a) for a in args)
    if name == "join" and isinstance(func, ast.Attribute) and len(node.args) == 1:
        arg = node.args[0]
        return isinstance(arg, (ast.GeneratorExp, ast.ListComp)) and _safe(arg.elt)
    if isinstance(func, ast.Name) and func.id.startswith("_") and func.id.islower():
        return all(_safe(a) for a in args)  # a kg helper composing checked fragments
    return False


def _concat(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _concat(node.left) + _concat(node.right)
    return [node]


def _is_sparql(text: str) -> bool:
    return bool(KEYWORD.search(text) and SHAPE.search(text))


def _offences(path: Path) -> list[tuple[str, int, str]]:
    """(function, line, what) for each string built from data that reads as SPARQL."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        if isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            data = [v.value for v in node.values if isinstance(v, ast.FormattedValue) and not _safe(v.value)]
            iri = any(isinstance(a, ast.Constant) and str(a.value).endswith("<") and isinstance(b, ast.FormattedValue)
                      for a, b in zip(node.values, node.values[1:], strict=False))
            if data and (_is_sparql(literal) or (iri and KEYWORD.search(literal))):
                found.append((function, node.lineno, ast.unparse(data[0])))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            parts = _concat(node)
            literal = "".join(p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str))
            data = [p for p in parts if not _safe(p)]
            if data and _is_sparql(literal):
                found.append((function, node.lineno, "+ " + ast.unparse(data[0])))
            for part in parts:  # the operands themselves (f-strings, calls), not the chain again
                visit(part, function)
            return
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
                and isinstance(node.left.value, str) and _is_sparql(node.left.value):
            found.append((function, node.lineno, "% formatting"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
                and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str) \
                and _is_sparql(node.func.value.value) and not all(_constant(k.value) for k in node.keywords):
            found.append((function, node.lineno, ".format"))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "<module>")
    return found


def test_no_sparql_text_is_built_from_data() -> None:
    offenders: dict[tuple[str, str], list[str]] = {}
    for path in sorted(KG.rglob("*.py")):
        relative = path.relative_to(KG).as_posix()
        for function, line, what in _offences(path):
            if (relative, function) not in ALLOWED:
                offenders.setdefault((relative, function), []).append(f"{relative}:{line} {what}")
    new = {k: v for k, v in offenders.items() if k not in TODO}
    assert not new, "SPARQL built from data (bind values as terms instead):\n" + "\n".join(
        line for lines in new.values() for line in lines)
    fixed = TODO - set(offenders)
    if fixed:
        print(f"no longer offending, remove from TODO: {sorted(fixed)}")


def test_the_detector_finds_what_it_should() -> None:
    sample = KG.parent / "tests" / "data" / "__never__.py"
    bad = ('def f(name):\n    return f"SELECT ?p WHERE {{ ?p foaf:name \\"{name}\\" }}"\n'
           'def g(iri):\n    return f"DROP GRAPH <{iri}>"\n'
           'def h(x):\n    return "SELECT ?s WHERE { ?s ?p %s }" % x\n')
    bad += 'def i(name):\n    return "SELECT ?p WHERE { ?p foaf:name " + name + " }"\n'
    good = ('def k():\n    return f"SELECT ?p WHERE {{ ?p <{ORG.reportsTo}> ?m }}"\n'
            'def m(n):\n    return f"the query has no variable ?{n}: SELECT it"\n'
            'def n(x):\n    return f"SELECT ?p WHERE {{ ?p ?q {ox.NamedNode(x)} }}"\n')
    try:
        sample.write_text(bad + good, encoding="utf-8")
        assert [f for f, _, _ in _offences(sample)] == ["f", "g", "h", "i"]
    finally:
        sample.unlink(missing_ok=True)
