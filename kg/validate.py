"""Validating what is loaded: SHACL shapes (ontology/shapes.ttl, run by pySHACL) plus graph checks.

The graph checks work on the solid reporting line (``org:reportsTo``) over everything visible in the store:
reporting cycles (each listed), self-reports, dangling manager references, duplicate ids, posts or people
with more than one solid-line manager, several roots, people with no post, posts with no title.
Findings are grouped by severity: ``violation`` (the data is wrong), ``warning`` (probably wrong), ``info``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from kg.errors import KGError
from kg.store import Store, term_value
from kg.vocab import FOAF, ONTOLOGY_GRAPH, ORG, PO, PO_ID, RDF

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


def validate(store: Store, *, shacl: bool = True, shapes: Path | None = None,
             progress: Callable[[str], None] | None = None) -> ValidationReport:
    """Run the graph checks and (when ``shacl`` and the shapes file exists) the SHACL shapes.

    ``shapes`` overrides the shapes file (default: ``ontology/shapes.ttl``); ``progress`` hears of each step.
    """
    say = progress or (lambda _message: None)
    say("checking the reporting lines ...")
    report = ValidationReport()
    facts = _Facts(store)
    for finding in graph_checks(store, facts):
        if finding.items:
            report.findings.append(finding)
    if shacl:
        _run_shacl(store, facts.label, report, shapes, say)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    report.findings.sort(key=lambda f: order[f.severity])
    return report


# -- graph checks --------------------------------------------------------------------------------------------


class _Facts:
    """The triples the checks need, read with plain pattern scans (fast on 100,000-node charts)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.graphs = [g for g in store.graphs() if g.value != ONTOLOGY_GRAPH]  # the data, not the ontology
        self.edges = sorted(set(self.pairs(ORG.reportsTo)))
        self.ids: dict[str, str] = {}
        for node, ident in self.pairs(PO.identifier):
            self.ids.setdefault(node, ident)
        self.posts = {n for n, _ in self.pairs(RDF.type, ORG.Post)}
        self.people = {n for n, _ in self.pairs(RDF.type, FOAF.Person)}
        self.titled = {n for n, _ in self.pairs(PO.jobTitle)}  # importers derive it from labels too
        self.held = self.pairs(ORG.heldBy)  # importers derive it from org:holds too

    def pairs(self, predicate: str, value: str | None = None) -> list[tuple[str, str]]:
        """(subject, object) values of every data triple with ``predicate`` (and object ``value``)."""
        import pyoxigraph as ox

        p, o = ox.NamedNode(predicate), ox.NamedNode(value) if value else None
        return [(term_value(q.subject) or "", term_value(q.object) or "") for g in self.graphs
                for q in self.store.db.quads_for_pattern(None, p, o, g)]

    def name(self, node: str) -> str | None:
        import pyoxigraph as ox

        subject = ox.NamedNode(node) if not node.startswith("_:") else ox.BlankNode(node[2:])
        for g in self.graphs:
            for q in self.store.db.quads_for_pattern(subject, ox.NamedNode(FOAF.name), None, g):
                return q.object.value
        return None

    def described(self, node: str) -> bool:
        """True when ``node`` is a subject of some triple other than a reporting line."""
        import pyoxigraph as ox

        if node in self.ids or node in self.posts or node in self.people or node.startswith("_:"):
            return True
        skip = {ORG.reportsTo, PO.solidLineReportsTo}
        subject = ox.NamedNode(node)
        return any(q.predicate.value not in skip for g in self.graphs
                   for q in self.store.db.quads_for_pattern(subject, None, None, g))

    def label(self, node: str) -> str:
        """A short name: the node's po:identifier, else a minted IRI's last segment, else the IRI."""
        found = self.ids.get(node)
        if found:
            return found
        if node.startswith(str(PO_ID)):
            return unquote(node.rsplit("/", 1)[-1])
        return node


def graph_checks(store: Store, facts: _Facts | None = None) -> list[Finding]:
    """The structural checks over the solid reporting line (every finding, possibly with no items)."""
    f = facts or _Facts(store)
    label, edges = f.label, f.edges
    on_chart = {a for a, _ in edges} | {b for _, b in edges}
    holders = {person for _, person in f.held}
    return [
        Finding("violation", "cycles", "reporting cycles (each listed, following the solid line)",
                [[label(n) for n in cycle] for cycle in reporting_cycles(edges)]),
        Finding("violation", "self_reports", "posts or people reporting to themselves",
                sorted({label(a) for a, b in edges if a == b})),
        Finding("violation", "dangling_managers",
                "manager references to a post or person that does not exist",
                sorted({f"{label(a)} -> {label(b)}" for a, b in edges if a != b and not f.described(b)})),
        Finding("violation", "duplicate_ids", "ids shared by more than one post or person",
                _duplicate_ids(f, on_chart)),
        Finding("violation", "several_managers", "posts with more than one solid-line manager",
                _several(edges, label)),
        Finding("warning", "people_several_managers",
                "people whose posts give them more than one solid-line manager", _people_several(f)),
        Finding("warning", "several_roots", "more than one top of the chart (no manager)", _roots(f)),
        Finding("warning", "people_without_post", "people who hold no post and are not on the chart",
                sorted(label(p) for p in f.people - holders - on_chart)),
        Finding("warning", "posts_without_title", "posts with no job title",
                sorted(label(p) for p in f.posts - f.titled)),
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


def _duplicate_ids(f: _Facts, on_chart: set[str]) -> list[str]:
    holders: dict[str, set[str]] = {}
    for node in f.posts | on_chart:
        if node in f.ids:
            holders.setdefault(f.ids[node], set()).add(node)
    dupes = {ident for ident, nodes in holders.items() if len(nodes) > 1}
    # The CSV importer keeps a later duplicate row as its own post (IRI ending in ~rowN): report those too.
    dupes |= {f.ids[p] for p in f.posts if p in f.ids and f"{quote(f.ids[p], safe='')}~row" in p}
    return sorted(dupes)


def _several(edges: list[tuple[str, str]], label: Any) -> list[str]:
    managers: dict[str, set[str]] = {}
    for a, b in edges:
        managers.setdefault(a, set()).add(b)
    return sorted(f"{label(a)} -> {', '.join(sorted(label(m) for m in ms))}"
                  for a, ms in managers.items() if len(ms) > 1)


def _people_several(f: _Facts) -> list[str]:
    boss: dict[str, set[str]] = {}
    for a, b in f.edges:
        boss.setdefault(a, set()).add(b)
    posts_of: dict[str, set[str]] = {}
    for post, person in f.held:
        posts_of.setdefault(person, set()).add(post)
    out = []
    for person, posts in posts_of.items():
        managers = set().union(*(boss.get(p, set()) for p in posts))
        if len(managers) > 1:
            who = f.name(person) or f.label(person)
            out.append(f"{who} -> {', '.join(sorted(f.label(m) for m in managers))}")
    return sorted(out)


def _roots(f: _Facts) -> list[str]:
    reporters = {a for a, _ in f.edges}
    chart = (f.posts | {b for _, b in f.edges if f.described(b)}) - reporters
    roots = sorted(f.label(n) for n in chart)
    return roots if len(roots) > 1 else []


# -- SHACL ---------------------------------------------------------------------------------------------------


def _run_shacl(store: Store, labels: Callable[[str], str], report: ValidationReport,
               shapes_path: Path | None, say: Callable[[str], None]) -> None:
    from kg.ontology import shapes_file

    if shapes_path is None:
        try:
            shapes_path = shapes_file()
        except KGError:
            shapes_path = None
    if shapes_path is None or not shapes_path.is_file():
        report.notes.append(f"SHACL skipped: {shapes_path or 'ontology/shapes.ttl'} not found")
        return
    import pyshacl
    import rdflib

    data = rdflib.Graph()
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", prefixes=False)
    cut = _to_rdflib(triples, data)
    if cut:
        report.notes.append(f"SHACL checked {cut:,} literal{'s' if cut != 1 else ''} longer than "
                            f"{MAX_SHACL_LITERAL:,} characters on their first {MAX_SHACL_LITERAL:,} characters")
    say(f"running the SHACL shapes of {shapes_path.name} over {len(data):,} triples "
        "(about a second per 1,000 people; --no-shacl skips it) ...")
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


MAX_SHACL_LITERAL = 100_000
"""Longest literal text the SHACL shapes see; longer ones are cut there (and the report says how many), so
pattern and length constraints stay bounded whatever a file holds."""


def _to_rdflib(triples: Any, graph: Any) -> int:
    """Add pyoxigraph triples to an rdflib graph term by term (no N-Triples text: rdflib's line reader is
    quadratic in a literal's length); the number of literals cut at MAX_SHACL_LITERAL."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    plain = {"http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
    cut = 0

    def term(t: Any) -> Any:
        nonlocal cut
        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if isinstance(t, ox.Literal):
            value = t.value
            if len(value) > MAX_SHACL_LITERAL:
                value, cut = value[:MAX_SHACL_LITERAL], cut + 1
            if t.language:
                return Literal(value, lang=t.language)
            datatype = t.datatype.value
            return Literal(value) if datatype in plain else Literal(value, datatype=URIRef(datatype))
        return Literal(str(t))  # an RDF-star triple term: SHACL has no constraint on it here

    add = graph.add
    for triple in triples:
        add((term(triple.subject), term(triple.predicate), term(triple.object)))
    return cut


def _short(iri: str) -> str:
    from kg.vocab import PREFIXES

    for prefix, base in PREFIXES.items():
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base):]}"
    return iri
