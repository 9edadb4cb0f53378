"""Projections of the store into networkx graphs: the only bridge from RDF to networkx.

Three projections, each built by a few SPARQL queries over the visible graphs (``store.graphs()``):

- :func:`reporting_forest`: the reporting forest (:mod:`kg.forest`: one solid-line manager per node, cycles
  cut, as every command reads it). **Edges point from the manager to the report** (``G.successors(m)`` are
  m's direct reports; roots have no predecessor); dropped lines, cycles, self-loops and the dotted lines (a
  separate edge set, never mixed into the tree) are in ``G.graph``.
- :func:`org_graph`: chart nodes (posts, or people where the data links people) plus the chosen relations
  (reporting, dotted lines, collaboration, ownership, roles, units), for path questions.
- :func:`concept_graph`: roles, role families, responsibilities, portfolios, products and units linked by a
  configurable set of predicates: no ``rdf:type``, no literals, no schema noise.

Edges of ``org_graph`` and ``concept_graph`` follow the RDF direction (subject -> object). Every edge carries
``relation`` (how it reads from source to target, e.g. "reports to") and ``inverse`` (how it reads backwards,
e.g. "manages"); in the reporting forest, where every edge is the same relation, they are graph attributes.
Node keys are IRIs. Node attributes: ``kind`` and, when asked for, ``id``, ``name``, ``title``, ``role``,
``unit`` (chart nodes) or ``label`` (concepts). Fetching attributes for every node of a big organization costs
a few seconds; :func:`describe` labels only the nodes a result needs.

Graphs returned are new objects: analytics never mutate them (they copy or use views).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.forest import gc_paused
from kg.reading import Reader, chains, forest
from kg.store import bind_values
from kg.vocab import FOAF, ORG, PO, PREFIXES, SKOS

if TYPE_CHECKING:
    import networkx as nx

_BATCH = 2000


@dataclass(frozen=True)
class Relation:
    """An RDF predicate as an edge type: its label read forwards (subject -> object) and backwards."""

    predicate: str
    label: str
    inverse: str
    people_only: bool = False  # both ends must be posts or people (e.g. collaboration, also said of roles)


REPORTS_TO = Relation(ORG.reportsTo, "reports to", "manages")
DOTTED = Relation(PO.dottedLineReportsTo, "reports to (dotted line)", "has a dotted-line report")

# Relation groups of the organization graph (``org_graph(relations=...)``).
ORG_RELATIONS: dict[str, tuple[Relation, ...]] = {
    "reporting": (REPORTS_TO,),
    "dotted": (DOTTED,),
    "collaboration": (Relation(PO.collaboratesWith, "collaborates with", "collaborates with", True),),
    "ownership": (Relation(PO.ownedBy, "owned by", "owns"),
                  Relation(PO.hasProduct, "has product", "is in portfolio")),
    "roles": (Relation(PO.hasRole, "has role", "is the role of"),),
    "units": (Relation(ORG.postIn, "is in unit", "has post"),),
}
ALL_ORG_RELATIONS = tuple(ORG_RELATIONS)
# The people-level relations: the default organization graph (roles and units are hubs that shortcut paths).
DEFAULT_ORG_RELATIONS = ("reporting", "dotted", "collaboration", "ownership")

# Default predicates of the concept graph; po: object properties between concepts are added automatically.
CONCEPT_RELATIONS: tuple[Relation, ...] = (
    Relation(SKOS.broader, "is a kind of", "includes"),
    Relation(SKOS.related, "is related to", "is related to"),
    Relation(PO.hasProduct, "has product", "is in portfolio"),
    Relation(ORG.subOrganizationOf, "is part of", "has part"),
    Relation(ORG.unitOf, "is a unit of", "has unit"),
)
# Predicates that link posts and people, or bookkeeping: never concept-graph edges.
_NOT_CONCEPT_PREDICATES = {
    ORG.reportsTo, PO.solidLineReportsTo, PO.dottedLineReportsTo, PO.reportsToTransitively,
    PO.hasDirectReport, PO.hasDottedLineReport, PO.hasRole, PO.ownedBy, PO.postStatus,
    ORG.heldBy, ORG.holds, ORG.postIn, ORG.memberOf, ORG.headOf, PO.payForRole, PO.dataProvider,
}
_KINDS = {
    ORG.Role: "role", PO.RoleFamily: "role family", PO.Portfolio: "portfolio", PO.Product: "product",
    ORG.OrganizationalUnit: "unit", ORG.Organization: "organization", ORG.Post: "post", FOAF.Person: "person",
}
_RANK = ["post", "person", "role", "role family", "portfolio", "product", "unit", "organization"]


def _nx() -> Any:
    import networkx as nx

    return nx


_PEOPLE_ONLY = """FILTER EXISTS { { ?s a org:Post } UNION { ?s a foaf:Person } }
                  FILTER EXISTS { { ?o a org:Post } UNION { ?o a foaf:Person } }"""


def _pairs(store: Reader, sparql: str, **bindings: Any) -> list[tuple[str, str]]:
    """Two-column results as tuples of strings, with as little Python per row as possible (``bindings``:
    bound RDF terms, as for :meth:`kg.reading.Reader.query`)."""
    return [(_text(row[0]), _text(row[1])) for row in store.query(sparql, **bindings)]


# Pairs linked by one predicate ?p (always bound as a term, never written into the text).
_BY_PREDICATE = "SELECT ?s ?o WHERE { ?s ?p ?o }"
_BY_PREDICATE_IRIS = "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isIRI(?s) && isIRI(?o)) }"
_BY_PREDICATE_PEOPLE = "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isIRI(?o)) " + _PEOPLE_ONLY + "}"


def _predicate(name: str) -> ox.NamedNode:
    """A prefixed name (``org:heldBy``) or an IRI as a term."""
    prefix, _, local = name.partition(":")
    return ox.NamedNode(PREFIXES[prefix] + local if prefix in PREFIXES else name)


def _text(term: Any) -> str:
    """An IRI or literal value; blank nodes as ``_:id`` so they never collide with IRIs."""
    return term.value if type(term) is not ox.BlankNode else "_:" + term.value


def _terms(iris: Iterable[str]) -> list[ox.NamedNode]:
    """The IRIs as terms (each checked by pyoxigraph; blank nodes and invalid IRIs left out)."""
    out = []
    for i in iris:
        if not i.startswith("_:"):
            try:
                out.append(ox.NamedNode(i))
            except ValueError:
                continue
    return out


# -- the reporting forest ------------------------------------------------------------------------------------


def reporting_forest(store: Reader, *, attributes: bool = True, dotted: bool = True) -> nx.DiGraph:
    """The reporting forest (:class:`kg.forest.Forest`) as a DiGraph, edges manager -> report.

    Every edge reads "manages" (``G.graph["relation"]``; backwards ``G.graph["inverse"]``, "reports to").
    Nodes carry their record's fields (id, name, title, status, unit, fte, kind, grade, role, holder...) and come
    breadth first from the roots, each manager's reports together (:meth:`kg.forest.Forest.placed`'s order).
    ``G.graph`` also holds ``direction`` ("manager -> report"), ``dotted_lines`` (a list of (report, manager)
    pairs, kept apart from the tree), ``dropped`` (the other solid-line managers of a post with several), ``cut``
    (the lines where cycles were cut), ``cycles`` and ``self_loops``. Everything comes from the reader's
    :meth:`kg.reading.Reader.forest_columns` and dotted lines (the embedded store reads its chart index's placed
    table: no SPARQL, no forest rebuilt); ``attributes=False`` leaves the nodes' fields out (a bare graph,
    faster to build).
    """
    with gc_paused():  # a million records and node dicts: nothing to collect, much to walk
        columns = store.forest_columns(attributes)
        G = columns.to_networkx()
    G.graph.update(relation=REPORTS_TO.inverse, inverse=REPORTS_TO.label, dropped=columns.dropped, cut=columns.cut,
                   self_loops=columns.self_loops, cycles=columns.cycles)
    G.graph["dotted_lines"] = store.dotted_lines() if dotted else []
    return G


def set_chart_attributes(store: Reader, G: nx.Graph,
                         which: Sequence[str] = ("id", "name", "title", "role", "unit")) -> None:
    """Give every node of ``G`` the attributes ``which`` (one query per attribute), and a kind if it has
    none."""
    data = dict(G.nodes(data=True))  # each node's own attribute dict, looked up without a view per node
    blank = dict.fromkeys(which)
    for attrs in data.values():
        attrs.setdefault("kind", "post")
        attrs.update(blank)
    # Single-pattern queries joined here: Oxigraph joins of 100,000 rows cost far more than a dict lookup.
    direct = {"id": ["po:identifier"], "title": ["po:jobTitle"]}
    linked = {"name": ("org:heldBy", ["foaf:name"]), "role": ("po:hasRole", ["skos:prefLabel"]),
              "unit": ("org:postIn", ["skos:prefLabel", "rdfs:label"])}
    for key in which:
        values: dict[str, str] = {}
        if key in linked:
            link, label_predicates = linked[key]
            labels: dict[str, str] = {}
            for predicate in label_predicates:
                for thing, label in _pairs(store, _BY_PREDICATE, p=_predicate(predicate)):
                    labels.setdefault(thing, label)
            for node, thing in _pairs(store, _BY_PREDICATE, p=_predicate(link)):
                if thing in labels:
                    values.setdefault(node, labels[thing])
            if key == "name":  # people on the chart themselves (W3C ORG data) have their own name
                values.update((node, labels[node]) for node in data if node in labels and node not in values)
        for predicate in direct.get(key, []):
            for node, value in _pairs(store, _BY_PREDICATE, p=_predicate(predicate)):
                values.setdefault(node, value)
        for node, value in values.items():
            attrs = data.get(node)
            if attrs is not None:
                attrs[key] = value
    if "id" not in which or "name" not in which:
        return
    # Nodes without an id and a name are people (W3C ORG data) or other things: name them by their label.
    missing = [n for n, attrs in data.items() if attrs["id"] is None and attrs["name"] is None]
    for node, info in describe(store, missing).items():
        data[node].update({k: v for k, v in info.items() if v is not None})


# -- the organization graph ----------------------------------------------------------------------------------


def org_graph(store: Reader, relations: Sequence[str] = DEFAULT_ORG_RELATIONS, *,
              attributes: bool = False, around: Sequence[str] = ()) -> nx.DiGraph:
    """Chart nodes plus the chosen relation groups (keys of ``ORG_RELATIONS``), edges subject -> object.

    When two nodes are linked by several relations, the first group listed wins (reporting first). With
    ``around`` (chart nodes), the reporting group holds only the lines above them: their chains, where the one
    reporting path between two of them runs (read from the chart index, not the whole forest).
    """
    from kg.errors import KGError

    nx = _nx()
    unknown = [r for r in relations if r not in ORG_RELATIONS]
    if unknown:
        raise KGError(f"unknown relation group {', '.join(unknown)}; choose from {', '.join(ORG_RELATIONS)}")
    G = nx.DiGraph(direction="subject -> object", relations=list(relations))
    for group in relations:
        if group == "reporting":  # the forest's lines (several managers and cycles cut by its rules)
            for report, boss in (chains(store, around) if around else forest(store)).edges():
                if not G.has_edge(report, boss) and not G.has_edge(boss, report):
                    G.add_edge(report, boss, relation=REPORTS_TO.label, inverse=REPORTS_TO.inverse, group=group)
            continue
        for rel in ORG_RELATIONS[group]:
            rows = _pairs(store, _BY_PREDICATE_PEOPLE if rel.people_only else _BY_PREDICATE_IRIS,
                          p=ox.NamedNode(rel.predicate))
            for s, o in rows:
                if s != o and not G.has_edge(s, o) and not G.has_edge(o, s):
                    G.add_edge(s, o, relation=rel.label, inverse=rel.inverse, group=group)
    if attributes:
        for node, info in describe(store, list(G)).items():
            G.nodes[node].update(info)
    return G


# -- the concept graph ---------------------------------------------------------------------------------------


def concept_predicates(store: Reader) -> list[Relation]:
    """The default predicate set: CONCEPT_RELATIONS plus the ontology's own po: object properties that link
    concepts (not posts or people), each labelled by its rdfs:label."""
    rels = {r.predicate: r for r in CONCEPT_RELATIONS}
    rows = store.select(
        """SELECT ?p ?label WHERE { ?p a owl:ObjectProperty FILTER(STRSTARTS(STR(?p), STR(po:)))
           OPTIONAL { ?p rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") } }"""
    )
    for row in rows:
        p = row["p"] or ""
        if p and p not in rels and p not in _NOT_CONCEPT_PREDICATES:
            label = row["label"] or _local_name(p)
            rels[p] = Relation(p, label, f"{label} (inverse)")
    return list(rels.values())


def concept_graph(store: Reader, predicates: Sequence[Relation] | None = None, *,
                  derived: bool = True) -> nx.DiGraph:
    """Concepts linked by ``predicates`` (default :func:`concept_predicates`), edges subject -> object.

    Only IRIs that are not posts or people become nodes. With ``derived``, two summaries of the chart are
    added: a portfolio or product is "owned by a" role (the role of its owner's post), and a role "has posts
    in" a unit (with ``weight``, the number of posts). Nodes get ``kind`` and ``label``.
    """
    nx = _nx()
    rels = list(predicates) if predicates is not None else concept_predicates(store)
    chart = {_text(r[0]) for r in store.query(
        "SELECT DISTINCT ?n WHERE { { ?n a org:Post } UNION { ?n a foaf:Person } }")}
    G = nx.DiGraph(direction="subject -> object", predicates=[r.predicate for r in rels])
    for rel in rels:
        for s, o in _pairs(store, _BY_PREDICATE_IRIS, p=ox.NamedNode(rel.predicate)):
            if s != o and s not in chart and o not in chart and not G.has_edge(s, o):
                G.add_edge(s, o, relation=rel.label, inverse=rel.inverse, predicate=rel.predicate)
    if derived:
        owned = store.select("SELECT DISTINCT ?x ?r WHERE { ?x po:ownedBy ?p . ?p po:hasRole ?r }")
        for row in owned:
            if row["x"] and row["r"] and not G.has_edge(row["x"], row["r"]):
                G.add_edge(row["x"], row["r"], relation="owned by a", inverse="owns")
        staffed = store.select(
            "SELECT ?r ?u (COUNT(?p) AS ?c) WHERE { ?p po:hasRole ?r ; org:postIn ?u } GROUP BY ?r ?u")
        for row in staffed:
            if row["r"] and row["u"] and not G.has_edge(row["r"], row["u"]):
                G.add_edge(row["r"], row["u"], relation="has posts in", inverse="has posts of",
                           weight=int(row["c"] or 1))
    for node, info in describe(store, list(G)).items():
        G.nodes[node].update({"kind": info["kind"], "label": info["label"]})
    return G


# -- labelling nodes -----------------------------------------------------------------------------------------


_DESCRIBE = """SELECT ?n ?id ?name ?own ?title ?label ?type WHERE {
  OPTIONAL { ?n po:identifier ?id }
  OPTIONAL { ?n org:heldBy ?h . ?h foaf:name ?name }
  OPTIONAL { ?n foaf:name ?own }
  OPTIONAL { ?n po:jobTitle ?title }
  OPTIONAL { ?n skos:prefLabel|rdfs:label ?label }
  OPTIONAL { ?n a ?type }
}"""


def describe(store: Reader, iris: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``kind``, ``id``, ``name``, ``title`` and ``label`` of each node (``label`` is the name of a person,
    the label of a concept, else the IRI's last part). Batched; for a few hundred nodes at a time."""
    out: dict[str, dict[str, Any]] = {}
    unique = list(dict.fromkeys(iris))
    for start in range(0, len(unique), _BATCH):
        batch = unique[start:start + _BATCH]
        terms = _terms(batch)
        rows = store.query(bind_values(_DESCRIBE, {"n": terms})) if terms else []
        for row in rows:
            node = _text(row[0])
            rec = out.setdefault(node, {"kind": None, "id": None, "name": None, "title": None,
                                        "label": None})
            cells = {"id": row[1], "name": row[2] or row[3], "title": row[4], "label": row[5]}
            for key, term in cells.items():
                if rec[key] is None and term is not None:
                    rec[key] = term.value
            kind = _KINDS.get(row[6].value) if row[6] is not None else None
            if kind and (rec["kind"] is None or _RANK.index(kind) < _RANK.index(rec["kind"])):
                rec["kind"] = kind
    for node in unique:
        rec = out.setdefault(node, {"kind": None, "id": None, "name": None, "title": None, "label": None})
        if rec["kind"] is None:
            rec["kind"] = "post" if rec["id"] is not None else "concept"
        rec["label"] = rec["name"] or rec["label"] or rec["id"] or _local_name(node)
    return out


def _local_name(iri: str) -> str:
    for sep in ("#", "/", ":"):
        if sep in iri.rstrip(sep):
            return iri.rstrip(sep).rsplit(sep, 1)[1]
    return iri

