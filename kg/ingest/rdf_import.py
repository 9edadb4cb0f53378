"""RDF importer: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML (and N3), parsed by Oxigraph.

Published data is stored as-is. Beside it, the importer writes kg's normalized view so that the lookups work
on any W3C ORG data: ``po:identifier`` (from skos:notation, dcterms:identifier or the IRI's last segment),
``po:jobTitle`` (from a post's label), ``org:heldBy`` (from org:holds, gov:heldBy, gov:holdsPost),
``foaf:name`` (from schema:name), ``org:reportsTo`` (from po:solidLineReportsTo) and ``po:searchKey``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.ingest.checks import LoadReport, find_cycles
from kg.ingest.titles import TitleMatcher
from kg.names import fold
from kg.vocab import PO, PREFIXES

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "n-triples": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "n-quads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "rdf/xml": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}
EXTENSIONS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}
MAX_JSON_DEPTH = 200
MAX_BRACKET_DEPTH = 500


def rdf_format(path: Path, name: str | None) -> ox.RdfFormat | None:
    """The RDF format for a ``--format`` name or the file's extension; None when it is not RDF."""
    if name:
        return FORMATS.get(name.lower())
    return EXTENSIONS.get(path.suffix.lower())


def guard(path: Path, data: bytes, fmt: ox.RdfFormat) -> None:
    """Refuse inputs that would make a parser fetch, read local files, explode or crash."""
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    if fmt == ox.RdfFormat.RDF_XML:
        # The whole file: a long comment before the DOCTYPE must not hide it from the check.
        if re.search(rb"<!ENTITY", data, re.IGNORECASE) or re.search(rb"<!DOCTYPE[^>]*\[", data, re.IGNORECASE):
            raise InputError(
                f"{path}: RDF/XML with a DOCTYPE declaring entities is refused (entities can read local "
                "files or expand without bound); remove the DOCTYPE and load again"
            )
    elif fmt == ox.RdfFormat.JSON_LD:
        _check_json(path, data)
    else:
        depth = _bracket_depth(data)
        if depth > MAX_BRACKET_DEPTH:
            raise InputError(f"{path}: nested {depth} levels deep (limit {MAX_BRACKET_DEPTH}); refused")


def _bracket_depth(data: bytes) -> int:
    """Deepest nesting of [ ] and ( ) outside strings and IRIs (a cheap over-estimate is fine)."""
    if data.count(b"[") + data.count(b"(") < MAX_BRACKET_DEPTH:
        return 0
    depth = best = 0
    in_string = in_iri = False
    quote = 0
    for byte in data:
        if in_string:
            if byte == quote:
                in_string = False
        elif in_iri:
            if byte == 0x3E:  # >
                in_iri = False
        elif byte in (0x22, 0x27):
            in_string, quote = True, byte
        elif byte == 0x3C:  # <
            in_iri = True
        elif byte in (0x5B, 0x28):
            depth += 1
            best = max(best, depth)
        elif byte in (0x5D, 0x29):
            depth -= 1
    return best


def _check_json(path: Path, data: bytes) -> None:
    depth = 0
    best = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > best:
                best = depth
                if best > MAX_JSON_DEPTH:
                    raise InputError(
                        f"{path}: JSON nested more than {MAX_JSON_DEPTH} levels deep; refused"
                    )
        elif byte in (0x5D, 0x7D):
            depth -= 1
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise InputError(f"{path}: invalid JSON: {exc}") from exc
    for ctx in _contexts(doc):
        if isinstance(ctx, str):
            raise InputError(
                f"{path}: the JSON-LD @context '{ctx}' is remote; kg never downloads it. Replace it with "
                "the context's content inline and load again"
            )


def _contexts(node: object) -> list[object]:
    found: list[object] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "@context":
                    found.extend(value if isinstance(value, list) else [value])
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def import_rdf(path: Path, fmt: ox.RdfFormat, db: ox.Store, graph: ox.NamedNode,
               matcher: TitleMatcher | None = None) -> LoadReport:
    """Parse ``path`` into ``graph`` of ``db`` (a staging graph), add the normalized view, report."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    guard(path, data, fmt)
    try:
        if fmt.supports_datasets:  # quads of any graph all go into this source's graph
            quads = ox.parse(data, fmt, base_iri=path.resolve().as_uri(), rename_blank_nodes=True)
            db.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
        else:  # parsed natively, blank nodes renamed per load, straight into the graph
            db.bulk_load(data, fmt, base_iri=path.resolve().as_uri(), to_graph=graph)
    except SyntaxError as exc:
        message = str(exc).splitlines()[0]
        if "LoadDocumentCallback" in message:
            message = "a remote JSON-LD @context is never downloaded; inline it and load again"
        raise InputError(f"{path}: {message}") from exc
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from exc
    if next(iter(db.quads_for_pattern(None, None, None, graph)), None) is None:
        raise InputError(f"{path}: holds no triples (only prefixes or comments?); nothing to load")
    _add_normalized_view(db, graph, matcher)
    return _report(path, fmt, db, graph)


_NORMALIZE = """
CONSTRUCT {
  ?a org:reportsTo ?b .
  ?post org:heldBy ?holder .
  ?p foaf:name ?pname .
  ?n po:identifier ?ident .
  ?post po:jobTitle ?ptitle .
} WHERE {
  { ?a po:solidLineReportsTo ?b }
  UNION { { ?holder org:holds ?post } UNION { ?post gov:heldBy ?holder } UNION { ?holder gov:holdsPost ?post } }
  UNION { ?p schema:name ?pname . FILTER NOT EXISTS { ?p foaf:name ?x } }
  UNION {
    { ?n org:reportsTo ?m } UNION { ?m org:reportsTo ?n } UNION { ?n a org:Post }
    UNION { ?n a foaf:Person FILTER NOT EXISTS {  # people who hold a post are found at their post
      { ?x org:heldBy|gov:heldBy ?n } UNION { ?n org:holds|gov:holdsPost ?x } } }
    FILTER(isIRI(?n))
    FILTER NOT EXISTS { ?n po:identifier ?y }
    OPTIONAL { ?n skos:notation|dcterms:identifier|schema:identifier ?given }
    BIND(COALESCE(STR(?given), REPLACE(STR(?n), "^.*[/#:]", "")) AS ?ident)
  }
  UNION {
    { ?post a org:Post } UNION { ?post org:reportsTo ?q } UNION { ?q2 org:reportsTo ?post }
    ?post rdfs:label|skos:prefLabel ?ptitle .
    FILTER NOT EXISTS { ?post a foaf:Person }
    FILTER NOT EXISTS { ?post po:jobTitle ?z }
  }
  UNION { ?post schema:jobTitle ?ptitle . FILTER NOT EXISTS { ?post po:jobTitle ?z2 } }
}
"""

_NAMES = """
SELECT DISTINCT ?n ?name WHERE {
  { ?n org:reportsTo ?m } UNION { ?m org:reportsTo ?n } UNION { ?n a org:Post }
  UNION { ?n a foaf:Person FILTER NOT EXISTS { ?x org:heldBy ?n } }
  { ?n org:heldBy/foaf:name ?name } UNION { ?n foaf:name ?name }
}
"""


def _add_normalized_view(db: ox.Store, graph: ox.NamedNode, matcher: TitleMatcher | None) -> None:
    derived = list(db.query(_NORMALIZE, prefixes=PREFIXES, default_graph=graph))
    db.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in derived)
    key = ox.NamedNode(PO.searchKey)
    rows = db.query(_NAMES, prefixes=PREFIXES, default_graph=graph)
    db.bulk_extend(
        ox.Quad(r["n"], key, ox.Literal(fold(r["name"].value)), graph) for r in rows if fold(r["name"].value)
    )
    if matcher is not None:
        has_role = ox.NamedNode(PO.hasRole)
        titled = db.query("SELECT ?n ?t WHERE { ?n po:jobTitle ?t FILTER NOT EXISTS { ?n po:hasRole ?r } }",
                          prefixes=PREFIXES, default_graph=graph)
        matches = [(r["n"], matcher.match(r["t"].value)) for r in titled]
        db.bulk_extend(ox.Quad(n, has_role, ox.NamedNode(role), graph) for n, role in matches if role)


def chart_rows(db: ox.Store, graph: ox.NamedNode) -> list[tuple[str, str | None, str | None, str | None,
                                                                 str | None]]:
    """Org-chart rows (node IRI, id, name, title, first manager IRI) of a loaded graph, for the chart index."""
    rows = db.query(
        """SELECT ?n (MIN(?i) AS ?id) (MIN(?nm) AS ?name) (MIN(?t) AS ?title) (MIN(STR(?m)) AS ?manager) WHERE {
             { ?n org:reportsTo ?x } UNION { ?x org:reportsTo ?n }
             FILTER(isIRI(?n))
             OPTIONAL { ?n org:reportsTo ?m } OPTIONAL { ?n po:identifier ?i }
             OPTIONAL { { ?n org:heldBy/foaf:name ?nm } UNION { ?n foaf:name ?nm } }
             OPTIONAL { ?n po:jobTitle ?t }
           } GROUP BY ?n""",
        prefixes=PREFIXES, default_graph=graph)
    return [(r["n"].value, *(r[k].value if r[k] is not None else None for k in ("id", "name", "title", "manager")))
            for r in rows]


def _report(path: Path, fmt: ox.RdfFormat, db: ox.Store, graph: ox.NamedNode) -> LoadReport:
    report = LoadReport(source=path.name, path=str(path.resolve()), format=fmt.name.lower())

    def count(pattern: str) -> int:
        rows = db.query(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}", prefixes=PREFIXES,
                        default_graph=graph)
        return int(next(iter(rows))["n"].value)

    report.triples = int(next(iter(db.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=graph)))["n"].value)
    report.people = count("?x a foaf:Person")
    report.posts = count("{ ?x a org:Post } UNION { { ?x org:reportsTo ?y } UNION { ?y org:reportsTo ?x } "
                         "FILTER NOT EXISTS { ?x a foaf:Person } }")
    report.units = count("{ ?x a org:OrganizationalUnit } UNION { ?x a org:Organization }")
    edges = [(r["a"], r["b"]) for r in db.query(
        "SELECT ?a ?b WHERE { ?a org:reportsTo ?b }", prefixes=PREFIXES, default_graph=graph)]
    report.edges = len(edges)
    report.dotted = count("?x po:dottedLineReportsTo ?y")
    reporters = {a for a, _ in edges}
    ids = {r["n"]: r["i"].value for r in db.query(
        "SELECT ?n ?i WHERE { ?n po:identifier ?i }", prefixes=PREFIXES, default_graph=graph)}

    def label(term: object) -> str:
        return ids.get(term) or getattr(term, "value", str(term))

    report.roots = sorted({label(b) for _, b in edges if b not in reporters})
    described = {r["s"] for r in db.query(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o . FILTER(?p != org:reportsTo) }", prefixes=PREFIXES,
        default_graph=graph)}
    report.dangling = [{"id": label(a), "manager": label(b)} for a, b in edges if b not in described]
    parent: dict[str, str] = {}
    for a, b in edges:
        parent.setdefault(label(a), label(b))
    report.cycles = find_cycles(parent)
    report.rows = report.triples
    return report
