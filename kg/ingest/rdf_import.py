"""RDF importer: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML (and N3), parsed by Oxigraph.

Published data is stored as-is. Beside it, the importer writes kg's normalized view so that the lookups work
on any W3C ORG data: ``po:identifier`` (from skos:notation, dcterms:identifier or the IRI's last segment),
``po:jobTitle`` (from a post's label), ``org:heldBy`` (from org:holds, gov:heldBy, gov:holdsPost),
``foaf:name`` (from schema:name), ``org:reportsTo`` (from po:solidLineReportsTo) and ``po:searchKey``.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError
from kg.forest import Rows
from kg.ingest.checks import LoadReport
from kg.ingest.csv_import import FTE_LIMIT, parse_number
from kg.ingest.titles import TitleMatcher
from kg.names import fold
from kg.reading import sparql_forest_rows
from kg.store import graph_select
from kg.vocab import DCTERMS, FOAF, GOV, ORG, ORGANOGRAM, PO, RDF, RDFS, SCHEMA, SKOS, XSD

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
        _check_xml_depth(path, data)
    elif fmt == ox.RdfFormat.JSON_LD:
        _check_json(path, data)
    else:
        depth = _bracket_depth(data)
        if depth > MAX_BRACKET_DEPTH:
            raise InputError(f"{path}: nested {depth} levels deep (limit {MAX_BRACKET_DEPTH}); refused")


class _TooDeep(Exception):
    pass


def _check_xml_depth(path: Path, data: bytes) -> None:
    """Refuse XML nested deeper than MAX_BRACKET_DEPTH elements, read by expat (a real XML parser, in C)
    before the RDF parser: a deeply nested file would otherwise hold the writer lock for minutes."""
    from xml.parsers import expat

    if data.count(b"<") < MAX_BRACKET_DEPTH:
        return
    parser = expat.ParserCreate()
    depth = 0

    def start(_name: str, _attrs: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_BRACKET_DEPTH:
            raise _TooDeep

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(data, True)
    except _TooDeep:
        raise InputError(f"{path}: XML nested more than {MAX_BRACKET_DEPTH} elements deep (line "
                         f"{parser.CurrentLineNumber}); refused") from None
    except expat.ExpatError:
        return  # not well-formed: the RDF parser reports it with its own position


_TURTLE_TOKEN = re.compile(
    rb"""\#[^\r\n]*
      |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
      |"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*'
      |<[^<>"{}|^`\\\x00-\x20]*>
      |[\[\](){}]""",
    re.VERBOSE | re.DOTALL,
)


def _bracket_depth(data: bytes) -> int:
    r"""Deepest nesting of ``[ ] ( ) { }`` outside comments, strings and IRIs (Turtle, TriG, N-Triples, N3).

    Comments end at a line end and strings honour escapes and triple quotes, so an apostrophe in a comment
    or an escaped quote cannot hide brackets from the count. Files with fewer brackets than the limit are
    not scanned.

    >>> _bracket_depth(b"# it's a comment\n" + b"[ :p " * 600 + b"'a\\'b'" + b" ]" * 600)
    600
    """
    if data.count(b"[") + data.count(b"(") + data.count(b"{") < MAX_BRACKET_DEPTH:
        return 0
    depth = best = 0
    for match in _TURTLE_TOKEN.finditer(data):
        token = match.group()
        if token in (b"[", b"(", b"{"):
            depth += 1
            best = max(best, depth)
        elif token in (b"]", b")", b"}"):
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
               matcher: TitleMatcher | None = None) -> tuple[LoadReport, Rows]:
    """Parse ``path`` into ``graph`` of ``db`` (a staging graph), add the normalized view.

    Returns the load report and the reporting forest's rows (for the chart index).
    """
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
    report = LoadReport(source=path.name, path=str(path.resolve()), format=fmt.name.lower())
    return report, _complete(db, graph, matcher, report)


def _pairs(db: ox.Store, graph: ox.NamedNode, predicate: str) -> list[tuple[Any, Any]]:
    """(subject, object) of every triple with ``predicate`` in ``graph`` (an index scan, no join)."""
    return [(q.subject, q.object) for q in db.quads_for_pattern(None, ox.NamedNode(predicate), None, graph)]


def _first(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    """Subject -> its smallest object (deterministic when a subject has several)."""
    out: dict[Any, Any] = {}
    for subject, obj in pairs:
        if subject not in out or str(obj) < str(out[subject]):
            out[subject] = obj
    return out


def _typed(db: ox.Store, graph: ox.NamedNode, cls: str) -> set[Any]:
    kind = ox.NamedNode(RDF.type)
    return {q.subject for q in db.quads_for_pattern(None, kind, ox.NamedNode(cls), graph)}


_LOCAL_NAME = re.compile(r"^.*[/#:]")


def _organogram_groups(db: ox.Store, graph: ox.NamedNode, report: LoadReport) -> list[ox.Quad]:
    """kg's view of the junior posts a published UK organogram gives (``organogram:reportingTo`` a senior
    post, ``organogram:fullTimeEquivalent``, job, grade, profession and unit as coded values): each is a group of
    posts (``po:PostGroup``) under its senior post with its FTE (``po:headcount``), as the CSV importer makes
    of a junior file's row. An FTE that is not a number in range is a defect of the report, not stored."""
    groups = _first(_pairs(db, graph, ORGANOGRAM.reportingTo))
    tenures = _first(_pairs(db, graph, GOV.post))  # a senior post's FTE is on its holders' tenures
    if not groups and not tenures:
        return []
    label = _first(_pairs(db, graph, SKOS.prefLabel)) | _first(_pairs(db, graph, RDFS.label))

    def text(term: Any) -> ox.Literal | None:
        value = label.get(term) if not isinstance(term, ox.Literal) else term
        return ox.Literal(value.value) if value is not None else None

    quad = ox.Quad
    added: list[ox.Quad] = []
    kind, post, group = ox.NamedNode(RDF.type), ox.NamedNode(ORG.Post), ox.NamedNode(PO.PostGroup)
    for node, manager in groups.items():
        if not isinstance(manager, ox.NamedNode):
            continue
        added += [quad(node, kind, post, graph), quad(node, kind, group, graph),
                  quad(node, ox.NamedNode(ORG.reportsTo), manager, graph),
                  quad(node, ox.NamedNode(PO.solidLineReportsTo), manager, graph)]
    for predicate, target in ((ORGANOGRAM.job, PO.jobTitle), (ORGANOGRAM.grade, PO.grade),
                              (ORGANOGRAM.profession, PO.profession)):
        for node, value in _first(_pairs(db, graph, predicate)).items():
            literal = text(value)
            if node in groups and literal is not None:
                added.append(quad(node, ox.NamedNode(target), literal, graph))
    for node, unit in _first(_pairs(db, graph, ORGANOGRAM.unit)).items():
        if node in groups and isinstance(unit, ox.NamedNode):
            added.append(quad(node, ox.NamedNode(ORG.postIn), unit, graph))
    fte: dict[Any, Decimal] = {}
    for predicate, owners in ((ORGANOGRAM.fullTimeEquivalent, {g: g for g in groups}),
                              (GOV.fullTimeEquivalent, tenures)):
        for node, value in _first(_pairs(db, graph, predicate)).items():
            owner = owners.get(node)
            if owner is None:
                continue
            number = parse_number(value.value, FTE_LIMIT) if isinstance(value, ox.Literal) else None
            if number is None:
                report.defects.append({"id": getattr(node, "value", str(node)), "column": predicate,
                                       "value": str(getattr(value, "value", value))[:40],
                                       "problem": f"not a number between 0 and {FTE_LIMIT:,}"})
            else:
                fte[owner] = fte.get(owner, Decimal(0)) + number  # a job share: two tenures of one post
    stated = {s for s, _ in _pairs(db, graph, PO.headcount)}
    added += [quad(node, ox.NamedNode(PO.headcount), ox.Literal(format(value, "f"), datatype=ox.NamedNode(XSD.decimal)),
                   graph) for node, value in fte.items() if node not in stated]
    report.groups = len(groups)
    if fte:
        report.fte = float(sum(fte.values()))
    return added


def _complete(db: ox.Store, graph: ox.NamedNode, matcher: TitleMatcher | None,
              report: LoadReport) -> Rows:
    """Add kg's normalized view to ``graph`` and fill ``report``; return the reporting forest's rows.

    Index scans per predicate joined in Python: linear in the data (SPARQL joins over a large graph cost an
    index lookup per row).
    """
    quad = ox.Quad
    db.bulk_extend(_organogram_groups(db, graph, report))
    added: list[ox.Quad] = []
    reports = _pairs(db, graph, ORG.reportsTo)
    present = set(reports)
    for pair in _pairs(db, graph, PO.solidLineReportsTo):
        if pair not in present:
            present.add(pair)
            reports.append(pair)
            added.append(quad(pair[0], ox.NamedNode(ORG.reportsTo), pair[1], graph))

    held = _pairs(db, graph, ORG.heldBy)
    known_holds = set(held)
    for pair in (_pairs(db, graph, GOV.heldBy) + [(p, h) for h, p in _pairs(db, graph, ORG.holds)]
                 + [(p, h) for h, p in _pairs(db, graph, GOV.holdsPost)]):
        if pair not in known_holds:
            known_holds.add(pair)
            held.append(pair)
            added.append(quad(pair[0], ox.NamedNode(ORG.heldBy), pair[1], graph))
    holder = _first(held)

    names = _first(_pairs(db, graph, FOAF.name))
    for subject, name in _pairs(db, graph, SCHEMA.name):
        if subject not in names:
            names[subject] = name
            added.append(quad(subject, ox.NamedNode(FOAF.name), name, graph))

    persons = _typed(db, graph, FOAF.Person)
    typed_posts = _typed(db, graph, ORG.Post)
    holders = set(holder.values())
    in_chart = {t for pair in reports for t in pair if isinstance(t, ox.NamedNode)}
    nodes = in_chart | {n for n in typed_posts if isinstance(n, ox.NamedNode)} | {
        p for p in persons - holders if isinstance(p, ox.NamedNode)}

    ids = _first(_pairs(db, graph, PO.identifier))
    given: dict[Any, Any] = {}
    for predicate in (SCHEMA.identifier, DCTERMS.identifier, SKOS.notation):
        given.update(_first(_pairs(db, graph, predicate)))
    titles = _first(_pairs(db, graph, PO.jobTitle))
    labels = _first(_pairs(db, graph, SKOS.prefLabel)) | _first(_pairs(db, graph, RDFS.label))
    schema_titles = _first(_pairs(db, graph, SCHEMA.jobTitle))
    described = set(ids) | set(names) | set(titles) | set(labels) | persons | typed_posts | set(holder) | {
        a for a, _ in reports}
    roles = {s for s, _ in _pairs(db, graph, PO.hasRole)}
    p_ident, p_title, p_key = ox.NamedNode(PO.identifier), ox.NamedNode(PO.jobTitle), ox.NamedNode(PO.searchKey)
    p_role = ox.NamedNode(PO.hasRole)
    for node in nodes:
        if node not in ids:
            ident = given.get(node)
            ids[node] = ox.Literal(ident.value if ident is not None else _LOCAL_NAME.sub("", node.value))
            added.append(quad(node, p_ident, ids[node], graph))
        if node not in titles:
            title = schema_titles.get(node) or (labels.get(node) if node not in persons else None)
            if title is not None:
                titles[node] = ox.Literal(title.value)
                added.append(quad(node, p_title, titles[node], graph))
        name = names.get(holder[node]) if node in holder else names.get(node)
        if name is not None and fold(name.value):
            added.append(quad(node, p_key, ox.Literal(fold(name.value)), graph))
        if matcher is not None and node in titles and node not in roles:
            role = matcher.match(titles[node].value)
            if role:
                added.append(quad(node, p_role, ox.NamedNode(role), graph))
    db.bulk_extend(added)

    def label(term: Any) -> str:
        ident = ids.get(term)
        return ident.value if ident is not None else getattr(term, "value", str(term))

    report.units = len(_typed(db, graph, ORG.OrganizationalUnit) | _typed(db, graph, ORG.Organization))
    report.dotted = len(_pairs(db, graph, PO.dottedLineReportsTo))
    report.dangling = [{"id": label(a), "manager": label(b)} for a, b in reports
                       if isinstance(b, ox.NamedNode) and b not in described]
    rows = sparql_forest_rows(graph_select(db, graph))
    forest = rows.forest()
    counts = forest.counts()
    report.posts, report.groups, report.named_people = counts["posts"], counts["groups"], counts["named_people"]
    report.edges = forest.edge_count
    ids = {r[0]: r[1] or r[0] for r in rows.nodes}
    report.roots = [ids[r] for r in forest.roots()]
    report.cycles = [[ids[i] for i in cycle] for cycle in forest.cycles]
    report.bad_managers = [{"id": ids.get(a, a), "manager": m} for a, m in rows.bad_managers]
    report.triples = int(next(iter(db.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=graph)))["n"].value)
    report.rows = report.triples
    return rows
