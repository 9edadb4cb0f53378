"""Validating what is loaded: SHACL shapes (ontology/shapes.ttl, run by pySHACL) plus graph checks.

The graph checks work on the solid reporting line (``org:reportsTo``) over everything visible in the store:
reporting cycles (each listed), self-reports, dangling manager references, duplicate ids, posts or people
with more than one solid-line manager, several roots, people with no post, posts with no title.
Findings are grouped by severity: ``violation`` (the data is wrong), ``warning`` (probably wrong), ``info``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from kg.errors import KGError
from kg.store import Store
from kg.vocab import PO_ID

SEVERITIES = ("violation", "warning", "info")
_SH = "http://www.w3.org/ns/shacl#"


@dataclass
class Finding:
    """One kind of problem and every node (or cycle) showing it."""

    severity: str
    check: str
    message: str
    items: list[Any] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "check": self.check, "message": self.message,
                "count": len(self.items), "items": self.items}


@dataclass
class ValidationReport:
    """All findings; ``ok`` when there is no violation."""

    findings: list[Finding] = field(default_factory=list)
    shapes: str | None = None  # the shapes file used, None when SHACL was skipped
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(len(f.items) for f in self.findings if f.severity == s) for s in SEVERITIES}

    @property
    def ok(self) -> bool:
        return self.counts["violation"] == 0

    def by_severity(self) -> dict[str, list[Finding]]:
        return {s: [f for f in self.findings if f.severity == s] for s in SEVERITIES}

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "counts": self.counts, "shapes": self.shapes, "notes": self.notes,
                "findings": [f.to_dict() for f in self.findings]}


def validate(store: Store, *, shacl: bool = True, shapes: Path | None = None) -> ValidationReport:
    """Run the graph checks and (when ``shacl`` and the shapes file exists) the SHACL shapes.

    ``shapes`` overrides the shapes file (default: ``ontology/shapes.ttl``).
    """
    report = ValidationReport()
    labels = _Labels(store)
    for finding in graph_checks(store, labels):
        if finding.items:
            report.findings.append(finding)
    if shacl:
        _run_shacl(store, labels, report, shapes)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    report.findings.sort(key=lambda f: order[f.severity])
    return report


# -- graph checks --------------------------------------------------------------------------------------------


class _Labels:
    """Short names for nodes in reports: their po:identifier (with the IRI when the id is not unique)."""

    def __init__(self, store: Store) -> None:
        self._ids: dict[str, str] = {}
        for row in store.select("SELECT ?n ?id WHERE { ?n po:identifier ?id }"):
            if row["n"] and row["id"] is not None:
                self._ids.setdefault(row["n"], row["id"])

    def __call__(self, node: str) -> str:
        found = self._ids.get(node)
        if found:
            return found
        if node.startswith(str(PO_ID)):  # a minted IRI nothing describes: its last segment is the id
            return unquote(node.rsplit("/", 1)[-1])
        return node

    def ident(self, node: str) -> str | None:
        return self._ids.get(node)


def graph_checks(store: Store, labels: _Labels | None = None) -> list[Finding]:
    """The structural checks over the solid reporting line (every finding, possibly with no items)."""
    label = labels or _Labels(store)
    edges = [(r["x"] or "", r["m"] or "") for r in store.select(
        "SELECT DISTINCT ?x ?m WHERE { ?x org:reportsTo ?m }")]
    described = {r["n"] for r in store.select(
        """SELECT DISTINCT ?n WHERE { { ?x org:reportsTo ?n } UNION { ?n org:reportsTo ?x }
             ?n ?p ?o . FILTER(?p NOT IN (org:reportsTo, po:solidLineReportsTo)) }""")}
    posts = {r["p"] for r in store.select("SELECT DISTINCT ?p WHERE { ?p a org:Post }")}
    return [
        Finding("violation", "cycles", "reporting cycles (each listed, following the solid line)",
                [[label(n) for n in cycle] for cycle in reporting_cycles(edges)]),
        Finding("violation", "self_reports", "posts or people reporting to themselves",
                sorted({label(a) for a, b in edges if a == b})),
        Finding("violation", "dangling_managers",
                "manager references to a post or person that does not exist",
                sorted({f"{label(a)} -> {label(b)}" for a, b in edges if b not in described and a != b})),
        Finding("violation", "duplicate_ids", "ids shared by more than one post or person",
                _duplicate_ids(store)),
        Finding("violation", "several_managers", "posts with more than one solid-line manager",
                _several(edges, label)),
        Finding("warning", "people_several_managers",
                "people whose posts give them more than one solid-line manager",
                _people_several(store, label)),
        Finding("warning", "several_roots", "more than one top of the chart (no manager)",
                _roots(edges, posts, described, label)),
        Finding("warning", "people_without_post", "people who hold no post and are not on the chart",
                sorted(label(r["p"]) for r in store.select(
                    """SELECT DISTINCT ?p WHERE { ?p a foaf:Person .
                         FILTER NOT EXISTS { ?post org:heldBy ?p } FILTER NOT EXISTS { ?p org:holds ?x }
                         FILTER NOT EXISTS { ?p org:reportsTo ?m }
                         FILTER NOT EXISTS { ?r org:reportsTo ?p } }"""
                ) if r["p"])),
        Finding("warning", "posts_without_title", "posts with no job title",
                sorted(label(r["p"]) for r in store.select(
                    """SELECT DISTINCT ?p WHERE { ?p a org:Post .
                         FILTER NOT EXISTS { ?p po:jobTitle ?t } FILTER NOT EXISTS { ?p rdfs:label ?l } }"""
                ) if r["p"])),
    ]


def reporting_cycles(edges: list[tuple[str, str]]) -> list[list[str]]:
    """Every cycle of the reporting graph (one per strongly connected group), in reporting order; iterative.

    >>> reporting_cycles([("a", "b"), ("b", "c"), ("c", "a"), ("d", "a"), ("e", "e"), ("f", "g")])
    [['a', 'b', 'c']]
    """
    succ: dict[str, list[str]] = {}
    for a, b in edges:
        if a != b:  # self-reports are their own finding
            succ.setdefault(a, []).append(b)
    cycles: list[list[str]] = []
    for group in _strongly_connected(succ):
        if len(group) > 1:
            cycles.append(_cycle_through(group, succ))
    return sorted(cycles)


def _strongly_connected(succ: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm without recursion (a 100,000-deep chain must not overflow the stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(succ):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            nexts = succ.get(node, [])
            if i < len(nexts):
                work.append((node, i + 1))
                child = nexts[i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    group.append(top)
                    if top == node:
                        break
                groups.append(group)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups


def _cycle_through(group: list[str], succ: dict[str, list[str]]) -> list[str]:
    """One cycle inside a strongly connected group, starting at its smallest node."""
    members = set(group)
    start = min(group)
    path, seen, node = [start], {start}, start
    while True:
        node = min(n for n in succ[node] if n in members)
        if node in seen:
            return path[path.index(node):]
        seen.add(node)
        path.append(node)


def _duplicate_ids(store: Store) -> list[str]:
    rows = store.select(
        """SELECT ?id (COUNT(DISTINCT ?n) AS ?c) WHERE {
             ?n po:identifier ?id .
             { ?n a org:Post } UNION { ?n org:reportsTo ?m FILTER NOT EXISTS { ?n a org:Post } }
           } GROUP BY ?id HAVING (COUNT(DISTINCT ?n) > 1) ORDER BY ?id""")
    ids = {r["id"] for r in rows if r["id"] is not None}
    # The CSV importer keeps a later duplicate row as its own post (IRI ending in ~rowN): report those too.
    for row in store.select("SELECT ?id WHERE { ?n a org:Post ; po:identifier ?id . "
                            "FILTER(CONTAINS(STR(?n), CONCAT(ENCODE_FOR_URI(?id), '~row'))) }"):
        if row["id"] is not None:
            ids.add(row["id"])
    return sorted(ids)


def _several(edges: list[tuple[str, str]], label: Any) -> list[str]:
    managers: dict[str, set[str]] = {}
    for a, b in edges:
        managers.setdefault(a, set()).add(b)
    return sorted(f"{label(a)} -> {', '.join(sorted(label(m) for m in ms))}"
                  for a, ms in managers.items() if len(ms) > 1)


def _people_several(store: Store, label: Any) -> list[str]:
    rows = store.select(
        """SELECT ?person (GROUP_CONCAT(DISTINCT STR(?m); separator=" ") AS ?ms) WHERE {
             ?post org:heldBy ?person ; org:reportsTo ?m } GROUP BY ?person
           HAVING (COUNT(DISTINCT ?m) > 1)""")
    out = []
    for r in rows:
        if r["person"]:
            name = store.select("SELECT ?name WHERE { ?p foaf:name ?name } LIMIT 1",
                                p=_named(r["person"]))
            who = (name[0]["name"] if name else None) or r["person"]
            out.append(f"{who} -> {', '.join(sorted(label(m) for m in (r['ms'] or '').split()))}")
    return sorted(out)


def _roots(edges: list[tuple[str, str]], posts: set[str], described: set[str], label: Any) -> list[str]:
    reporters = {a for a, _ in edges}
    chart = (posts | {b for _, b in edges if b in described}) - reporters
    roots = sorted(label(n) for n in chart)
    return roots if len(roots) > 1 else []


def _named(iri: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(iri)


# -- SHACL ---------------------------------------------------------------------------------------------------


def _run_shacl(store: Store, labels: _Labels, report: ValidationReport, shapes_path: Path | None) -> None:
    from kg.ontology import shapes_file

    if shapes_path is None:
        try:
            shapes_path = shapes_file()
        except KGError:
            shapes_path = None
    if shapes_path is None or not shapes_path.is_file():
        report.notes.append(f"SHACL skipped: {shapes_path or 'ontology/shapes.ttl'} not found")
        return
    import pyoxigraph as ox
    import pyshacl
    import rdflib

    data = rdflib.Graph()
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", prefixes=False)
    data.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    shapes = rdflib.Graph()
    try:
        shapes.parse(shapes_path, format="turtle")
    except Exception as exc:  # a broken shapes file is our bug, but say which file
        raise KGError(f"{shapes_path}: cannot read the SHACL shapes: {exc}") from exc
    _conforms, results, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                                 advanced=True, allow_warnings=True)
    report.shapes = str(shapes_path)
    sh = rdflib.Namespace(_SH)
    grouped: dict[tuple[str, str], set[str]] = {}
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        severity = str(results.value(result, sh.resultSeverity) or sh.Violation).removeprefix(_SH).lower()
        severity = severity if severity in SEVERITIES else "violation"
        message = results.value(result, sh.resultMessage)
        path = results.value(result, sh.resultPath)
        text = str(message) if message is not None else "SHACL constraint not met"
        if path is not None and not isinstance(path, rdflib.BNode):
            text = f"{text} (path {_short(str(path))})"
        focus = results.value(result, sh.focusNode)
        grouped.setdefault((severity, text), set()).add(labels(str(focus)) if focus is not None else "?")
    for (severity, text), items in sorted(grouped.items()):
        report.findings.append(Finding(severity, "shacl", text, sorted(items)))


def _short(iri: str) -> str:
    from kg.vocab import PREFIXES

    for prefix, base in PREFIXES.items():
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base):]}"
    return iri
