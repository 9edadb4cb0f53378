#!/usr/bin/env python3
"""The obvious way, for comparison: parse the N-Triples file with rdflib in memory, then run the same SPARQL.

    python benchmarks/baseline_rdflib.py parse org.nt
    python benchmarks/baseline_rdflib.py who org.nt E000123      # also: chain, reports-all, span

Each call is one whole process, as a user's script would be; the answer goes to stdout as JSON.
"""

from __future__ import annotations

import json
import sys
from typing import Any

PREFIXES = """PREFIX po: <http://w3id.org/product-org/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

RESOLVE = PREFIXES + "SELECT ?n WHERE { ?n po:identifier ?id ; a org:Post }"
WHO = PREFIXES + """SELECT ?name ?title ?role ?unit ?m ?mid ?mname WHERE {
  OPTIONAL { ?n org:heldBy/foaf:name ?name } OPTIONAL { ?n po:jobTitle ?title }
  OPTIONAL { ?n po:hasRole/skos:prefLabel ?role } OPTIONAL { ?n org:postIn/skos:prefLabel ?unit }
  OPTIONAL { ?n org:reportsTo ?m . OPTIONAL { ?m po:identifier ?mid }
             OPTIONAL { ?m org:heldBy/foaf:name ?mname } }
}"""
DIRECT = PREFIXES + "SELECT (COUNT(DISTINCT ?x) AS ?c) WHERE { ?x org:reportsTo ?n }"
BELOW = PREFIXES + "SELECT (COUNT(DISTINCT ?x) AS ?c) WHERE { ?x org:reportsTo+ ?n }"
ANCESTORS = PREFIXES + "SELECT ?x ?m WHERE { ?n org:reportsTo* ?x . ?x org:reportsTo ?m }"
RECORD = PREFIXES + """SELECT ?id ?name ?title WHERE {
  OPTIONAL { ?n po:identifier ?id } OPTIONAL { ?n org:heldBy/foaf:name ?name }
  OPTIONAL { ?n po:jobTitle ?title }
}"""
REPORTS_ALL = PREFIXES + """SELECT ?x ?m ?id ?name ?title WHERE {
  ?x org:reportsTo+ ?n . ?x org:reportsTo ?m .
  OPTIONAL { ?x po:identifier ?id } OPTIONAL { ?x org:heldBy/foaf:name ?name }
  OPTIONAL { ?x po:jobTitle ?title }
}"""
SPAN = PREFIXES + """SELECT ?n (COUNT(DISTINCT ?x) AS ?direct) WHERE { ?x org:reportsTo ?n }
GROUP BY ?n ORDER BY DESC(?direct) ?n LIMIT 10"""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _record(graph: Any, node: Any) -> dict[str, Any]:
    row = next(iter(graph.query(RECORD, initBindings={"n": node})))
    return {"id": _text(row.id), "name": _text(row.name), "title": _text(row.title), "iri": str(node)}


def _resolve(graph: Any, ident: str) -> Any:
    from rdflib import Literal

    rows = list(graph.query(RESOLVE, initBindings={"id": Literal(ident)}))
    if not rows:
        raise SystemExit(f"no post has the id {ident}")
    return rows[0].n


def who(graph: Any, ident: str) -> Any:
    node = _resolve(graph, ident)
    row = next(iter(graph.query(WHO, initBindings={"n": node})))
    direct = next(iter(graph.query(DIRECT, initBindings={"n": node}))).c
    below = next(iter(graph.query(BELOW, initBindings={"n": node}))).c
    return {"id": ident, "name": _text(row.name), "title": _text(row.title), "role": _text(row.role),
            "unit": _text(row.unit), "manager": {"id": _text(row.mid), "name": _text(row.mname)},
            "direct_reports": int(direct), "headcount": int(below)}


def chain(graph: Any, ident: str) -> Any:
    node = _resolve(graph, ident)
    parents = {row.x: row.m for row in graph.query(ANCESTORS, initBindings={"n": node})}
    path, seen, current = [], {node}, parents.get(node)
    while current is not None and current not in seen:
        seen.add(current)
        path.append(current)
        current = parents.get(current)
    return [_record(graph, p) for p in path]


def reports_all(graph: Any, ident: str) -> Any:
    node = _resolve(graph, ident)
    out = [{"id": _text(r.id), "name": _text(r.name), "title": _text(r.title), "manager": str(r.m)}
           for r in graph.query(REPORTS_ALL, initBindings={"n": node})]
    return sorted(out, key=lambda r: (r["name"] or "", r["id"] or ""))


def span(graph: Any, _arg: str = "") -> Any:
    out = []
    for row in graph.query(SPAN):
        below = next(iter(graph.query(BELOW, initBindings={"n": row.n}))).c
        out.append(_record(graph, row.n) | {"direct_reports": int(row.direct), "headcount": int(below)})
    return out


LOOKUPS = {"who": who, "chain": chain, "reports-all": reports_all, "span": span}


def main(argv: list[str]) -> int:
    from rdflib import Graph

    kind, path = argv[0], argv[1]
    graph = Graph()
    graph.parse(path, format="nt")
    if kind == "parse":
        print(json.dumps({"triples": len(graph)}))
        return 0
    print(json.dumps(LOOKUPS[kind](graph, argv[2] if len(argv) > 2 else "")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
