"""Validating what is loaded: SHACL shapes (ontology/shapes.ttl, run by pySHACL) plus graph checks.

The graph checks read the reporting forest (:mod:`kg.forest`) of everything visible, through the read
interface (so they run on a remote store too): reporting cycles (each listed where the forest cut it),
self-reports, dangling manager references, managers given as text, duplicate ids, posts or people with more
than one solid-line manager, several roots, people with no post, posts with no title.
Findings are grouped by severity: ``violation`` (the data is wrong), ``warning`` (probably wrong), ``info``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from kg.errors import KGError
from kg.forest import PERSON, Forest, cycle_text
from kg.reading import Reader, bad_managers
from kg.render import terminal_safe
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

    def text(self) -> str:
        """The report as ``kg validate`` prints it: counts, each finding (20 items at most), notes, verdict."""
        counts = self.counts
        lines = [f"violations {counts['violation']:,}  warnings {counts['warning']:,}  info {counts['info']:,}"
                 + (f"  (shapes: {self.shapes})" if self.shapes else "")]
        for severity, findings in self.by_severity().items():
            for f in findings:
                items = [cycle_text(i) + f" -> {i[0]}" if isinstance(i, list) else str(i) for i in f.items[:20]]
                more = f" ... and {len(f.items) - 20:,} more" if len(f.items) > 20 else ""
                lines.append(f"{severity.upper():<9} {f.message} ({len(f.items):,}): "
                             + terminal_safe("; ".join(items)) + more)
        lines += [f"note: {n}" for n in self.notes]
        lines.append("OK: no violations" if self.ok else "FAILED: violations found")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "counts": self.counts, "shapes": self.shapes, "notes": self.notes,
                "findings": [f.to_dict() for f in self.findings]}


SHACL_LIMIT = 2_000_000
"""Triples of loaded data above which the SHACL shapes run only when asked (``shacl=True``, ``kg validate
--shacl``): pySHACL works on an rdflib copy of the data at about a second per 1,000 people, so 2 M triples
(~180,000 people) take ~3 min and ~2 GB, and a million people would take ~17 min and more memory than the
machine may have."""


def validate(store: Reader, *, shacl: bool | None = None, shapes: Path | None = None,
             progress: Callable[[str], None] | None = None) -> ValidationReport:
    """Run the graph checks and the SHACL shapes (when the shapes file exists): ``shacl`` True always, False
    never, None (the default) when the loaded data holds at most :data:`SHACL_LIMIT` triples, else a note
    says why they did not run.

    ``shapes`` overrides the shapes file (default: ``ontology/shapes.ttl``); ``progress`` hears of each step.
    """
    say = progress or (lambda _message: None)
    say("checking the reporting lines ...")
    report = ValidationReport()
    f = store.forest_rows().forest()
    findings, label = graph_checks(store, f, bad_managers(store))
    report.findings.extend(finding for finding in findings if finding.items)
    size = sum(source.triples for source in store.sources()) if shacl is None else 0
    if size > SHACL_LIMIT:
        report.notes.append(f"SHACL skipped: the loaded data holds {size:,} triples, more than {SHACL_LIMIT:,}; "
                            "pySHACL takes about a second per 1,000 people and a copy of the data in memory "
                            "(run kg validate --shacl to check them anyway)")
    elif shacl is not False:
        _run_shacl(store, label, report, shapes, say)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    report.findings.sort(key=lambda f: order[f.severity])
    return report


# -- graph checks --------------------------------------------------------------------------------------------


def _labeller(f: Forest) -> Callable[[str], str]:
    def label(node: str) -> str:
        """A short name: the node's id, else a minted IRI's last segment, else the IRI."""
        if node in f:
            ident = f.record(node).id
            if ident:
                return ident
        if node.startswith(str(PO_ID)):
            return unquote(node.rsplit("/", 1)[-1])
        return node
    return label


def graph_checks(store: Reader, f: Forest,
                 bad_managers: list[tuple[str, str]]) -> tuple[list[Finding], Callable[[str], str]]:
    """The structural checks of the reporting forest (every finding, possibly with no items), and the
    labeller they used. Cycles, several managers, self-reports and dangling references are those the forest
    recorded while building (see :mod:`kg.forest` for its rules)."""
    label = _labeller(f)
    # Only the people these checks may name come out of the store (a million holders stay in it).
    held_rows = store.select(_HELD_BY_SEVERAL)
    held = [(r["post"] or "", r["person"] or "") for r in held_rows]
    names = {r["person"]: r["name"] for r in held_rows if r["person"] and r["name"]}
    unheld = {r["p"]: r["id"] for r in store.select(_PEOPLE_WITHOUT_POST) if r["p"]}
    roots = f.roots()
    rows = f.rows()
    return [
        Finding("violation", "cycles", "reporting cycles (each listed from where the forest cuts it, "
                "following the solid line)", [[label(n) for n in cycle] for cycle in f.cycles]),
        Finding("violation", "self_reports", "posts or people reporting to themselves",
                sorted({label(a) for a in f.self_loops})),
        Finding("violation", "dangling_managers",
                "manager references to a post or person that does not exist",
                sorted({f"{label(a)} -> {label(b)}" for a, b in f.dangling})),
        Finding("violation", "literal_managers",
                "managers given as text where a post or person (an IRI) belongs; kept off the chart",
                sorted({f"{label(a)} -> {b!r}" for a, b in bad_managers})),
        Finding("violation", "duplicate_ids", "ids shared by more than one post or person", _duplicate_ids(f)),
        Finding("violation", "several_managers", "posts with more than one solid-line manager (the chart keeps "
                "the first by IRI)", sorted(f"{label(a)} -> {', '.join(sorted(label(m) for m in ms))}"
                                           for a, ms in f.several_managers.items())),
        Finding("warning", "people_several_managers",
                "people whose posts give them more than one solid-line manager",
                _people_several(f, held, lambda p: names.get(p) or label(p), label)),
        Finding("warning", "several_roots", "more than one top of the chart (no manager)",
                sorted(label(n) for n in roots) if len(roots) > 1 else []),
        Finding("warning", "people_without_post", "people who hold no post and are not on the chart",
                sorted(unheld[p] or label(p) for p in unheld if p not in f)),
        Finding("warning", "posts_without_title", "posts with no job title",
                sorted(label(r[0]) for r in rows if r[7] != PERSON and not r[3])),
    ], label


# The posts and names of the people who may have several solid-line managers: those holding two posts or more,
# and the holders of a post with two managers or more (kg.forest decides which of them do). Grouping first keeps
# Oxigraph's joins to those few (a join of every post's managers took 19 s at 1M people).
_HELD_BY_SEVERAL = """SELECT DISTINCT ?post ?person ?name WHERE {
  { { SELECT ?person WHERE { ?x org:heldBy ?person } GROUP BY ?person HAVING (COUNT(DISTINCT ?x) > 1) } }
  UNION
  { { SELECT ?y WHERE { ?y org:reportsTo ?m } GROUP BY ?y HAVING (COUNT(DISTINCT ?m) > 1) } ?y org:heldBy ?person }
  ?post org:heldBy ?person
  OPTIONAL { ?person foaf:name ?name }
}"""
# People who hold no post, with their ids (MINUS: a seventh of FILTER NOT EXISTS's time in Oxigraph at 1M).
_PEOPLE_WITHOUT_POST = """SELECT ?p ?id WHERE {
  ?p a foaf:Person MINUS { ?x org:heldBy ?p }
  OPTIONAL { ?p po:identifier ?id }
}"""


def _duplicate_ids(f: Forest) -> list[str]:
    holders: dict[str, int] = {}
    rows = f.rows()  # tuples (iri, id, ...): a million records need not become objects
    for r in rows:
        if r[1]:
            holders[r[1]] = holders.get(r[1], 0) + 1
    dupes = {ident for ident, count in holders.items() if count > 1}
    # The CSV importer keeps a later duplicate row as its own post (IRI ending in ~rowN): report those too.
    dupes |= {r[1] for r in rows if r[1] and "~row" in r[0] and f"{quote(r[1], safe='')}~row" in r[0]}
    return sorted(dupes)


def _people_several(f: Forest, held: list[tuple[str, str]], who: Callable[[str], str],
                    label: Callable[[str], str]) -> list[str]:
    posts_of: dict[str, set[str]] = {}
    for post, person in held:
        if post in f:
            posts_of.setdefault(person, set()).add(post)
    out = []
    for person, posts in posts_of.items():
        managers = {m for p in posts for m in f.several_managers.get(p, [f.manager(p)]) if m}
        if len(managers) > 1:
            out.append(f"{who(person)} -> {', '.join(sorted(label(m) for m in managers))}")
    return sorted(out)


# -- SHACL ---------------------------------------------------------------------------------------------------


def _run_shacl(store: Reader, labels: Callable[[str], str], report: ValidationReport,
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
