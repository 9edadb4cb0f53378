"""Generate the ontology's documentation from its Turtle files: docs/ontology.html (self-contained, works
offline) and docs/ontology.md (classes, properties, roles, knowledge concepts, sources, shapes).

    python scripts/ontology_docs.py            # writes docs/ontology.html and docs/ontology.md
    python scripts/ontology_docs.py --out DIR  # elsewhere

The output is deterministic (sorted), so the committed files can be compared with a fresh run.
"""

from __future__ import annotations

import argparse
import html
import sys
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parent.parent
PO = rdflib.Namespace("http://w3id.org/product-org/ontology#")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
ONTOLOGY_IRI = rdflib.URIRef("http://w3id.org/product-org/ontology")
PREFIXES = {
    "po": str(PO), "pok": "http://w3id.org/product-org/knowledge#",
    "src": "http://w3id.org/product-org/source/product-org-roles#",
    "pos": "http://w3id.org/product-org/shapes#", "org": str(ORG), "skos": str(SKOS),
    "foaf": "http://xmlns.com/foaf/0.1/", "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#", "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL),
    "xsd": "http://www.w3.org/2001/XMLSchema#", "dcterms": str(DCTERMS),
    "isco": "http://data.europa.eu/esco/isco/", "onet": "https://www.onetonline.org/link/summary/",
}
PROV = rdflib.Namespace(PREFIXES["prov"])
KNOWLEDGE_CLASSES = [("Responsibilities", PO.Responsibility), ("Knowledge areas", PO.KnowledgeArea),
                     ("Activities", PO.Activity), ("Risks", PO.Risk), ("Outcomes", PO.Outcome),
                     ("Education levels", PO.EducationLevel), ("Fields of study", PO.FieldOfStudy)]


def short(term: rdflib.term.Node) -> str:
    text = str(term)
    for prefix, base in PREFIXES.items():
        if text.startswith(base) and len(text) > len(base):
            return f"{prefix}:{text[len(base):]}"
    return text if isinstance(term, rdflib.URIRef) else "(anonymous)"


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    intro: str = ""


def _text(graph: rdflib.Graph, node: rdflib.term.Node, *predicates: rdflib.URIRef) -> str:
    for predicate in predicates:
        values = sorted(str(v) for v in graph.objects(node, predicate))
        if values:
            return values[0]
    return ""


def _terms(graph: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef) -> str:
    out = []
    for value in graph.objects(node, predicate):
        union = graph.value(value, OWL.unionOf) if isinstance(value, rdflib.BNode) else None
        members = list(graph.items(union)) if union is not None else []
        out.append(" or ".join(short(m) for m in members) if members else short(value))
    return ", ".join(sorted(out))


def _own(graph: rdflib.Graph, kind: rdflib.URIRef) -> list[rdflib.URIRef]:
    return sorted((t for t in set(graph.subjects(RDF.type, kind))
                   if isinstance(t, rdflib.URIRef) and str(t).startswith(str(PO))), key=str)


def collect(graph: rdflib.Graph, shapes: rdflib.Graph) -> list[Table]:
    """The documentation's tables, in order."""
    classes = Table("Classes", ["class", "label", "definition", "subclass of"])
    for term in _own(graph, OWL.Class):
        classes.rows.append([short(term), _text(graph, term, RDFS.label),
                             _text(graph, term, SKOS.definition), _terms(graph, term, RDFS.subClassOf)])
    props = Table("Object properties",
                  ["property", "label", "definition", "domain", "range", "characteristics"])
    for term in _own(graph, OWL.ObjectProperty):
        kinds = sorted(short(k).removeprefix("owl:") for k in graph.objects(term, RDF.type)
                       if k != OWL.ObjectProperty)
        extra = [f"inverse of {short(i)}" for i in graph.objects(term, OWL.inverseOf)]
        extra += [f"sub-property of {short(s)}" for s in sorted(graph.objects(term, RDFS.subPropertyOf))]
        props.rows.append([short(term), _text(graph, term, RDFS.label), _text(graph, term, SKOS.definition),
                           _terms(graph, term, RDFS.domain), _terms(graph, term, RDFS.range),
                           "; ".join(kinds + extra)])
    data = Table("Datatype properties", ["property", "label", "definition", "domain", "range"])
    for term in _own(graph, OWL.DatatypeProperty):
        data.rows.append([short(term), _text(graph, term, RDFS.label), _text(graph, term, SKOS.definition),
                          _terms(graph, term, RDFS.domain), _terms(graph, term, RDFS.range)])
    roles = Table("Roles", ["family", "track", "level", "role", "also called", "definition", "close matches"],
                  intro="The role ladders (org:Role SKOS concepts, skos:broader their family; po:track and "
                        "po:level place them): by family, track, then level from the lowest up. `kg roles` "
                        "prints them; `kg role NAME` gives a role's sourced profile, `kg compare A B` two.")
    families = sorted(graph.subjects(RDF.type, PO.RoleFamily), key=lambda f: _text(graph, f, SKOS.prefLabel))

    def place(role: rdflib.term.Node) -> tuple[str, int, str]:
        level = graph.value(role, PO.level)
        rank = graph.value(level, PO.rank) if level is not None else None
        return (_text(graph, graph.value(role, PO.track), SKOS.prefLabel) if graph.value(role, PO.track) else "",
                int(rank) if rank is not None else 0, _text(graph, role, SKOS.prefLabel))

    for family in families:
        members = [r for r in graph.subjects(SKOS.broader, family) if (r, RDF.type, ORG.Role) in graph]
        for role in sorted(members, key=place):
            matches = sorted(f"{_text(graph, m, SKOS.notation)} {_text(graph, m, SKOS.prefLabel)}".strip()
                             for m in graph.objects(role, SKOS.closeMatch))
            track, rank, label = place(role)
            level = graph.value(role, PO.level)
            roles.rows.append([_text(graph, family, SKOS.prefLabel), track,
                               f"{rank} {_text(graph, level, SKOS.prefLabel)}" if level is not None else "",
                               label, ", ".join(sorted(str(a) for a in graph.objects(role, SKOS.altLabel))),
                               _text(graph, role, SKOS.definition), "; ".join(matches)])
    tables = [classes, props, data, roles]
    for title, cls in KNOWLEDGE_CLASSES:
        table = Table(title, ["concept", "label", "definition"])
        for concept in sorted(graph.subjects(RDF.type, cls), key=lambda c: _text(graph, c, SKOS.prefLabel)):
            table.rows.append([short(concept), _text(graph, concept, SKOS.prefLabel),
                               _text(graph, concept, SKOS.definition)])
        tables.append(table)
    sources = Table("Sources", ["source", "title", "file", "licence", "retrieved", "sentences", "sourced facts"],
                    intro="Every sourced fact (po:SourcedStatement, po:Requirement, po:PayFact) is "
                          "prov:wasDerivedFrom a po:SourceSentence, whose po:quote is the verbatim text.")
    for doc in sorted(graph.subjects(RDF.type, PO.SourceDocument), key=str):
        sentences = set(graph.subjects(DCTERMS.isPartOf, doc))
        facts = {f for s in sentences for f in graph.subjects(PROV.wasDerivedFrom, s)}
        sources.rows.append([short(doc), _text(graph, doc, DCTERMS.title),
                             _text(graph, doc, DCTERMS.identifier), _terms(graph, doc, DCTERMS.license),
                             _text(graph, doc, PO.retrievedOn), str(len(sentences)), str(len(facts))])
    tables.append(sources)
    shape_table = Table("SHACL shapes (ontology/shapes.ttl)", ["shape", "targets", "checks"])
    for shape in sorted(shapes.subjects(RDF.type, SH.NodeShape), key=str):
        targets = [short(t) for p in (SH.targetClass, SH.targetSubjectsOf) for t in shapes.objects(shape, p)]
        targets += ["(SPARQL target)" for _t in shapes.objects(shape, SH.target)]
        shape_table.rows.append([short(shape), ", ".join(sorted(targets)),
                                 _text(shapes, shape, RDFS.comment)])
    tables.append(shape_table)
    return tables


def _header(graph: rdflib.Graph) -> tuple[str, list[tuple[str, str]]]:
    title = _text(graph, ONTOLOGY_IRI, DCTERMS.title, RDFS.label) or "Product Organization ontology"
    facts = [("IRI", str(ONTOLOGY_IRI)), ("namespace", str(PO)), ("prefix", "po:"),
             ("version", _text(graph, ONTOLOGY_IRI, OWL.versionInfo)),
             ("licence", _text(graph, ONTOLOGY_IRI, DCTERMS.license)),
             ("description", _text(graph, ONTOLOGY_IRI, DCTERMS.description)),
             ("triples", f"{len(graph):,}")]
    return title, facts


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(graph: rdflib.Graph, tables: list[Table]) -> str:
    title, facts = _header(graph)
    lines = [f"# {title}", "", "Generated from `ontology/*.ttl` by `python scripts/ontology_docs.py`; "
             "do not edit by hand.", ""]
    lines += [f"- **{k}**: {_md_cell(v)}" for k, v in facts] + [""]
    lines += ["Contents: " + " · ".join(f"{t.title} ({len(t.rows)})" for t in tables), ""]
    for table in tables:
        lines += [f"## {table.title}", ""]
        if table.intro:
            lines += [table.intro, ""]
        lines += ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
        lines.append("")
    return "\n".join(lines)


_CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;
color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 2rem}th,td{border:1px solid #ccc;padding:4px 6px;
vertical-align:top;text-align:left}th{background:#f3f3f3;position:sticky;top:0}code{font-size:12px}
tr:nth-child(even) td{background:#fafafa}nav a{margin-right:1rem}dt{font-weight:600}"""


def to_html(graph: rdflib.Graph, tables: list[Table]) -> str:
    e = html.escape
    title, facts = _header(graph)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{e(title)}</title><style>{_CSS}</style></head><body>", f"<h1>{e(title)}</h1>",
             "<p>Generated from <code>ontology/*.ttl</code> by "
             "<code>python scripts/ontology_docs.py</code>.</p>",
             "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts) + "</dl>", "<nav>"]
    parts += [f'<a href="#t{i}">{e(t.title)} ({len(t.rows)})</a>' for i, t in enumerate(tables)]
    parts.append("</nav>")
    for i, table in enumerate(tables):
        parts.append(f'<h2 id="t{i}">{e(table.title)}</h2>')
        if table.intro:
            parts.append(f"<p>{e(table.intro)}</p>")
        parts.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in table.columns)
                     + "</tr></thead><tbody>")
        for row in table.rows:
            cells = "".join(f"<td><code>{e(c)}</code></td>" if j == 0 else f"<td>{e(c)}</td>"
                            for j, c in enumerate(row))
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def build(out_dir: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from kg.ontology import ontology_files, shapes_file

    graph = rdflib.Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    shapes = rdflib.Graph().parse(shapes_file(), format="turtle")
    tables = collect(graph, shapes)
    out_dir.mkdir(parents=True, exist_ok=True)
    md, page = out_dir / "ontology.md", out_dir / "ontology.html"
    md.write_text(to_markdown(graph, tables), encoding="utf-8")
    page.write_text(to_html(graph, tables), encoding="utf-8")
    return [page, md]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="output folder (default: docs/)")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
