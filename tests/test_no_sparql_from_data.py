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
}

# Still to convert to bound terms (issue 18): each entry must disappear when its code is fixed; the test
# fails both on a new offender and on an entry that no longer offends, so this list only shrinks.
TODO: set[tuple[str, str]] = {
    ('export.py', 'to_rdf'),
    ('ingest/load.py', 'known_posts'),
    ('knowledge.py', '_details'),
    ('knowledge.py', '_node_sources'),
    ('knowledge.py', '_onto'),
    ('knowledge.py', '_requirements'),
    ('knowledge.py', 'explain'),
    ('knowledge.py', 'label_of'),
    ('org.py', '_by_words'),
    ('org.py', '_parent_map'),
    ('org.py', '_records_by_scan'),
    ('org.py', 'closest_names'),
    ('org.py', 'search'),
    ('projection.py', 'concept_graph'),
    ('projection.py', 'org_graph'),
    ('projection.py', 'set_chart_attributes'),
    ('remote.py', '_insert'),
    ('store.py', '_ensure_ontology'),
    ('store.py', 'commit'),
    ('store.py', 'unload'),
}


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
            data = [v.value for v in node.values if isinstance(v, ast.FormattedValue) and not _constant(v.value)]
            iri = any(isinstance(a, ast.Constant) and str(a.value).endswith("<") and isinstance(b, ast.FormattedValue)
                      for a, b in zip(node.values, node.values[1:], strict=False))
            if data and (_is_sparql(literal) or (iri and KEYWORD.search(literal))):
                found.append((function, node.lineno, ast.unparse(data[0])))
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
    assert not fixed, f"no longer offending, remove from TODO: {sorted(fixed)}"


def test_the_detector_finds_what_it_should() -> None:
    sample = KG.parent / "tests" / "data" / "__never__.py"
    bad = ('def f(name):\n    return f"SELECT ?p WHERE {{ ?p foaf:name \\"{name}\\" }}"\n'
           'def g(iri):\n    return f"DROP GRAPH <{iri}>"\n'
           'def h(x):\n    return "SELECT ?s WHERE { ?s ?p %s }" % x\n')
    good = ('def k():\n    return f"SELECT ?p WHERE {{ ?p <{ORG.reportsTo}> ?m }}"\n'
            'def m(n):\n    return f"the query has no variable ?{n}: SELECT it"\n')
    try:
        sample.write_text(bad + good, encoding="utf-8")
        assert [f for f, _, _ in _offences(sample)] == ["f", "g", "h"]
    finally:
        sample.unlink(missing_ok=True)
