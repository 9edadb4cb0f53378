"""What the resource page of `kg serve` shows about one IRI: labels, types, links out and in, for a person or
post the lookups of :mod:`kg.org` (profile, manager chain, direct reports, peers), and for a role its profile
from :mod:`kg.knowledge` (what `kg role` shows: responsibilities with their sources, career path). Plain data."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg import knowledge, org
from kg.errors import KGError, QueryError
from kg.store import Store

MAX_LINKS = 500  # links shown each way (the queries ask for one more, to tell when there are more)

LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "http://xmlns.com/foaf/0.1/name")
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# Links with a label for the IRI at the other end (one sample, when it has several).
_OUT = """SELECT ?p ?o (SAMPLE(?l) AS ?label) WHERE {
  ?s ?p ?o OPTIONAL { ?o rdfs:label|skos:prefLabel|foaf:name|po:jobTitle ?l } }
GROUP BY ?p ?o ORDER BY ?p ?o LIMIT 501"""
_IN = """SELECT ?s ?p (SAMPLE(?l) AS ?label) WHERE {
  ?s ?p ?o OPTIONAL { ?s rdfs:label|skos:prefLabel|foaf:name|po:jobTitle ?l } }
GROUP BY ?s ?p ORDER BY ?p ?s LIMIT 501"""
_UNIT = "SELECT DISTINCT ?p WHERE { ?p org:postIn ?u } LIMIT 500"


def _term(term: Any) -> dict[str, str]:
    """A term as SPARQL JSON results write it (type, value, and datatype or language for literals)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _links(store: Store, query: str, other: str, **binding: ox.NamedNode) -> tuple[list[dict[str, Any]], bool]:
    rows = []
    for solution in store.query(query, **binding):
        label = solution["label"]
        rows.append({"predicate": solution["p"].value, other: _term(solution[other]),
                     "label": label.value if label is not None else None})
    return rows[:MAX_LINKS], len(rows) > MAX_LINKS


def describe(store: Store, iri: str) -> dict[str, Any]:
    """The resource page's data for ``iri``. QueryError when it is not an IRI."""
    try:
        node = ox.NamedNode(iri)
    except ValueError as exc:
        raise QueryError(f"not an IRI: {exc}") from exc
    out, more_out = _links(store, _OUT, "o", s=node)
    into, more_in = _links(store, _IN, "s", o=node)
    labels = sorted({r["o"]["value"] for r in out if r["predicate"] in LABELS and r["o"]["type"] == "literal"})
    types = [r for r in out if r["predicate"] == TYPE]
    return {"iri": iri, "labels": labels, "types": types, "out": out, "in": into,
            "out_truncated": more_out, "in_truncated": more_in,
            "person": _person(store, iri) if out or into else None,
            "role": _role(store, iri) if out else None,
            "unit_people": _unit_people(store, node) if into else []}


def _unit_people(store: Store, unit: ox.NamedNode) -> list[dict[str, Any]]:
    """The posts of a unit (``org:postIn``), as the lookups show people, sorted by name (at most MAX_LINKS)."""
    rows = store.select(_UNIT, u=unit)
    people = org.records(store, [r["p"] for r in rows if r["p"]])
    return sorted((org.public(p) for p in people.values()), key=lambda p: ((p["name"] or "~").casefold(),
                                                                          p["id"] or ""))


def _role(store: Store, iri: str) -> dict[str, Any] | None:
    """The role profile of ``iri`` (None when it is not a role of the ontology)."""
    try:
        return knowledge.role_profile(store, iri)
    except KGError:
        return None


def _person(store: Store, iri: str) -> dict[str, Any] | None:
    """The reporting lookups of a person or post: a node of the reporting forest, or a person holding a post
    (None for anything else)."""
    try:
        node = org.resolve(store, iri)
    except KGError:
        return None
    if not store.node_records([node]):
        return None
    profile = org.who(store, node)
    return {"profile": profile, "chain": org.chain(store, profile["iri"]).people,
            "reports": org.reports(store, profile["iri"]), "peers": org.peers(store, profile["iri"])}

