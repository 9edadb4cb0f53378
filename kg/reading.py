"""What every reader of kg's data needs from a store, declared once (:class:`Reader`), and the SPARQL form of
the reporting forest's rows that any SPARQL store can answer.

The embedded store (:mod:`kg.store`) serves forest rows from its chart index; a remote store
(:mod:`kg.remote`) from :func:`sparql_forest_rows`. Lookups, analytics, validation and exports take a
:class:`Reader` and never ask which kind of store it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from kg.forest import (
    GROUP,
    PERSON,
    PLACED_FIELDS,
    PLACED_INTS,
    POST,
    Below,
    Columns,
    Edge,
    Forest,
    NodeRow,
    Placed,
    Rows,
    status_of,
)
from kg.names import FILLED, KEY_OF_NAME
from kg.vocab import FOAF, PO


class Reader(Protocol):
    """A store as readers see it: run SPARQL with bound terms, list sources, give the forest's rows."""

    def query(self, sparql: str, *, prefixes: bool = True, **bindings: Any) -> Any:
        """Run SPARQL over the visible data; ``bindings`` become bound RDF terms, never query text."""
        ...

    def select(self, sparql: str, **bindings: Any) -> list[dict[str, str | None]]:
        """Rows of a SELECT query as plain strings (None when unbound)."""
        ...

    def sources(self) -> list[Any]:
        """The loaded sources."""
        ...

    def forest_rows(self, *, above: str | None = None, below: str | None = None) -> Rows:
        """The rows of the reporting forest: all of them, or (at least) those an answer about the nodes
        ``above`` (its chain) or ``below`` (everyone under it) a node needs."""
        ...

    def find(self, column: str, value: str) -> list[str]:
        """Chart nodes whose ``id`` equals ``value``, whose ``key`` (folded name) equals it, or (``words``)
        whose folded name holds every word of the folded ``value``; sorted by IRI."""
        ...

    def node_records(self, iris: list[str]) -> list[NodeRow]:
        """The node rows of those ``iris`` that are on the chart."""
        ...

    def dotted_lines(self, report: str | None = None) -> list[Edge]:
        """Every (report, manager) dotted line between IRIs (only those of ``report`` when given), sorted (the
        embedded store keeps them in its chart index)."""
        ...

    def name_keys(self) -> list[str]:
        """Every folded name on the chart."""
        ...

    def placed_below(self, iri: str, depth: int | None = None, *, with_iri: bool = True) -> Iterator[Below]:
        """Everyone below ``iri`` as :meth:`kg.forest.Forest.below_people` gives them (the embedded store reads
        them from its stored placed table with one range scan, as they are written out); ``with_iri=False``: the
        caller shows no IRI, which a store may then leave out (None)."""
        ...

    def placed_span(self, top: int | None = None) -> list[Placed]:
        """The managers as :meth:`kg.forest.Forest.span_rows` ranks them."""
        ...

    def forest_summary(self) -> dict[str, Any]:
        """:meth:`kg.forest.Forest.summary` of the whole forest (the embedded store stores it at load time)."""
        ...

    def data_counts(self) -> dict[str, Any]:
        """:func:`sparql_data_counts` of the visible data (the embedded store stores them at load time)."""
        ...

    def placed_top(self, ranking: str, top: int | None = None) -> list[Placed]:
        """The first ``top`` rows of a ranking of :meth:`kg.forest.Forest.ranked`."""
        ...

    def placed_columns(self, names: Sequence[str]) -> list[Any]:
        """Integer columns of :meth:`kg.forest.Forest.placed` (of :data:`kg.forest.PLACED_INTS`), each a numpy
        int64 array in position order."""
        ...

    def placed_rows(self, positions: Sequence[int]) -> list[Placed]:
        """The rows of :meth:`kg.forest.Forest.placed` at ``positions``, in position order."""
        ...

    def forest_columns(self, attributes: bool = True) -> Columns:
        """The whole forest as :meth:`kg.forest.Forest.columns` gives it (the embedded store reads it from its
        placed table without building the forest)."""
        ...

    def placed_node(self, iri: str) -> list[Placed]:
        """The :meth:`kg.forest.Forest.placed` row of ``iri`` (none when it is not on the chart)."""
        ...

    def placed_reports(self, iri: str) -> list[Placed]:
        """The :meth:`kg.forest.Forest.placed` rows of the direct reports of ``iri``, in the forest's order (the
        embedded store reads them with one index lookup)."""
        ...

    def placed_subtree(self, iri: str, depth: int | None = None) -> list[Placed]:
        """The :meth:`kg.forest.Forest.placed` rows of ``iri`` and everyone below it (``depth`` levels), in
        position order (none when ``iri`` is not on the chart)."""
        ...

    def solid_lines(self, iris: list[str]) -> list[Edge]:
        """Every solid-line (report, manager) pair of the forest's rows whose report is one of ``iris``."""
        ...

    def search_rows(self, folded: str, casefolded: str) -> Iterator[list[NodeRow]]:
        """Node rows that include every node :func:`kg.org.search` may find for ``folded`` (folded text) and
        ``casefolded`` (casefolded text), in chunks by IRI: every IRI of a chunk sorts before the next chunk's,
        and each node's rows are in one chunk (the embedded store narrows them in SQL; others give every row in
        one chunk)."""
        ...


def forest(reader: Reader, *, above: str | None = None, below: str | None = None) -> Forest:
    """The reporting forest of what ``reader`` holds (see :meth:`Reader.forest_rows`)."""
    return reader.forest_rows(above=above, below=below).forest()


def chains(reader: Reader, iris: Sequence[str]) -> Forest:
    """The forest of the chains above ``iris`` (each node and its managers up to its root): what the common
    manager of some nodes, or the one reporting path between two, needs (the embedded store reads only those
    rows)."""
    rows = Rows()
    for iri in dict.fromkeys(iris):
        rows = rows.merged(reader.forest_rows(above=iri))
    return rows.forest()


# The solid lines (IRI to IRI) and the literal managers (defects), in a query of their own: in one UNION with
# FOREST_QUERY's node group, Virtuoso 7.2 dropped ?status of posts that have no po:headcount (9 posts of the MoJ
# organogram of 2011-03-31), while the same group alone returns it (tests/test_remote.py compares every row).
LINES_QUERY = """SELECT ?n ?m ?bad WHERE {
  { ?n org:reportsTo ?m FILTER(isIRI(?n) && isIRI(?m)) }
  UNION
  { ?n org:reportsTo ?bad FILTER(isIRI(?n) && !isIRI(?bad)) }
}"""
# Every chart node with its fields. Chart nodes: whatever reports to someone, every post, and every manager
# described by some triple (a manager nothing describes is a dangling reference, as in the chart index).
FOREST_QUERY = """
SELECT ?n ?id ?name ?own ?title ?status ?unit ?fte ?grade ?row ?type WHERE {
  { SELECT DISTINCT ?n WHERE {
      { ?n org:reportsTo ?x } UNION { ?n a org:Post }
      UNION { ?x org:reportsTo ?n FILTER EXISTS { ?n ?p ?o } }
      FILTER(isIRI(?n)) } }
  OPTIONAL { ?n po:identifier ?id }
  OPTIONAL { ?n org:heldBy ?h . ?h foaf:name ?name }
  OPTIONAL { ?n foaf:name ?own }
  OPTIONAL { ?n po:jobTitle ?title }
  OPTIONAL { ?n po:postStatus ?status }
  OPTIONAL { ?n org:postIn ?u . ?u skos:prefLabel|rdfs:label ?unit }
  OPTIONAL { ?n po:headcount ?fte }
  OPTIONAL { ?n po:grade ?grade }
  OPTIONAL { ?n po:sourceRow ?row }
  OPTIONAL { ?n a ?type FILTER(?type IN (foaf:Person, po:PostGroup)) }
}"""
# A chart node's role labels and holders, in a query of their own (two more OPTIONALs in FOREST_QUERY make
# Virtuoso drop other optional values).
ROLE_HOLDER_QUERY = """SELECT ?n ?role ?holder WHERE {
  { ?n po:hasRole ?r . ?r skos:prefLabel ?role } UNION { ?n org:heldBy ?holder FILTER(isIRI(?holder)) }
}"""

# The dotted lines between IRIs (kept beside the forest: ``kg who``, the projection's ``dotted_lines``).
DOTTED_LINES_QUERY = """SELECT ?n ?m WHERE { ?n po:dottedLineReportsTo ?m FILTER(isIRI(?n) && isIRI(?m)) }"""


def sparql_dotted(select: Callable[..., list[dict[str, str | None]]], report: str | None = None) -> list[Edge]:
    """The (report, manager) dotted lines between IRIs, sorted; only those of ``report`` when given (a bound
    term, never query text)."""
    rows = select(DOTTED_LINES_QUERY, n=_iri(report)) if report is not None else select(DOTTED_LINES_QUERY)
    return sorted({(r["n"], r["m"]) for r in rows if r["n"] and r["m"]})

# Counts of the visible data beyond the forest (kg stats, kg health): dotted lines, posts matched to a role, and
# job titles of the posts not matched, with how many posts hold each.
DOTTED_QUERY = "SELECT (COUNT(*) AS ?c) WHERE { ?a po:dottedLineReportsTo ?b }"
MATCHED_QUERY = "SELECT (COUNT(DISTINCT ?p) AS ?c) WHERE { ?p po:hasRole ?r }"
# MINUS, not FILTER NOT EXISTS: the same answer, ~9x faster on Oxigraph (a join, not a probe per post)
UNMATCHED_QUERY = "SELECT ?t (COUNT(?p) AS ?c) WHERE { ?p po:jobTitle ?t MINUS { ?p po:hasRole ?r } } GROUP BY ?t"


def sparql_data_counts(select: Callable[[str], list[dict[str, str | None]]]) -> dict[str, Any]:
    """``dotted_lines``, ``titles_matched_to_roles`` (posts with a role) and ``unmatched_titles`` (job title:
    posts without a role that hold it, most first, then by title) from three queries run by ``select``."""
    dotted = select(DOTTED_QUERY)[0]["c"]
    matched = select(MATCHED_QUERY)[0]["c"]
    titles = select(UNMATCHED_QUERY)
    return {
        "dotted_lines": int(dotted or 0),
        "titles_matched_to_roles": int(matched or 0),
        # Sorted here, not by ORDER BY: stores collate non-ASCII strings differently (Virtuoso does).
        "unmatched_titles": dict(sorted(((r["t"], int(r["c"] or 0)) for r in titles if r["t"]),
                                        key=lambda tc: (-tc[1], tc[0]))),
    }


# Managers given as a literal (or blank node) where a post or person belongs: data defects, kept off the chart.
BAD_MANAGERS_QUERY = "SELECT ?n ?bad WHERE { ?n org:reportsTo ?bad FILTER(!isIRI(?bad)) }"


def bad_managers(reader: Reader) -> list[tuple[str, str]]:
    """Every (report, value) whose manager is not an IRI (see :data:`BAD_MANAGERS_QUERY`)."""
    return sorted((r["n"] or "", r["bad"] or "") for r in reader.select(BAD_MANAGERS_QUERY))


_KIND = {FOAF.Person: PERSON, PO.PostGroup: GROUP}


def _number(text: str | None, kind: type) -> Any:
    try:
        return kind(text) if text is not None else None
    except ValueError:
        return None


def sparql_forest_rows(select: Callable[[str], list[dict[str, str | None]]]) -> Rows:
    """The forest's rows from :data:`LINES_QUERY`, :data:`FOREST_QUERY` and :data:`ROLE_HOLDER_QUERY` run by
    ``select`` (each node's fields by :func:`node_row`)."""
    found: dict[str, dict[str, set[str]]] = {}
    rows = Rows()
    for r in select(LINES_QUERY):
        if r["n"] is not None and r["m"] is not None:
            rows.edges.append((r["n"], r["m"]))
        elif r["n"] is not None and r["bad"] is not None:
            rows.bad_managers.append((r["n"], r["bad"]))
    for r in select(FOREST_QUERY):
        n = r["n"]
        if n is None:
            continue
        values = found.setdefault(n, {})
        for var in NODE_VARIABLES:
            if r.get(var) is not None:
                values.setdefault(var, set()).add(r[var])
    for r in select(ROLE_HOLDER_QUERY):
        values = found.get(r["n"] or "")
        if values is not None:
            for var in ("role", "holder"):
                if r[var] is not None:
                    values.setdefault(var, set()).add(r[var])
    rows.nodes = [node_row(n, {var: list(v) for var, v in values.items()}) for n, values in found.items()]
    rows.edges = sorted(set(rows.edges))
    rows.bad_managers.sort()
    return rows


# The variables of FOREST_QUERY (and ROLE_HOLDER_QUERY) that describe a node (``name``: its holders' names,
# ``own``: its own name).
NODE_VARIABLES = ("id", "name", "own", "title", "status", "unit", "fte", "grade", "row", "type", "role", "holder")


def node_row(n: str, values: Mapping[str, Sequence[str]]) -> NodeRow:
    """A chart node's row from the values :data:`FOREST_QUERY` binds for it, variable by variable: each field
    is the smallest value (so every store gives the same row); the name is a holder's, else the node's own; a
    post held by a named person with no status term is filled; the role is the smallest label of its roles, the
    holder the smallest IRI. The importers that build rows themselves give the same values, so their rows
    equal this function's over the stored graph.

    >>> node_row("http://e/p", {"id": ["P2", "P1"], "name": ["Ann"], "fte": ["0.5"], "row": ["x"],
    ...                         "role": ["PM", "Lead"]})
    ('http://e/p', 'P1', 'Ann', None, 'filled', None, 0.5, 'post', None, None, 'Lead', None, None)
    """
    get = values.get
    names, owns, statuses = get("name") or (None,), get("own") or (None,), get("status") or (None,)
    # The SPARQL rows are the product of the node's optional values: name and status read the holder's name.
    name = _least([h or o for h in names for o in owns])
    status = _least([status_of(s) or (FILLED if h else None) for h in names for s in statuses])
    fte, row, kind = get("fte"), get("row"), get("type")
    return (n, _least(get("id")), name, _least(get("title")), status, _least(get("unit")),
            _least([_number(v, float) for v in fte]) if fte else None,
            (_least([_KIND.get(v) for v in kind]) if kind else None) or POST, _least(get("grade")),
            _least([_number(v, int) for v in row]) if row else None, _least(get("role")), _least(get("holder")),
            None)


def _least(values: Sequence[Any] | None) -> Any:
    """The smallest value that is not None (None if there is none).

    >>> _least(["b", None, "a"]), _least([None]), _least(None)
    ('a', None, None)
    """
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    best = None
    for value in values:
        if value is not None and (best is None or value < best):
            best = value
    return best


# A node's search key: its po:searchKey, else the one derived from its holder's name (the key of most names is not
# stored: see kg.names.stored_key). KEY_QUERY finds the nodes of one key (bound as ?v); KEYS_QUERY lists them all.
KEY_QUERY = """SELECT DISTINCT ?n WHERE {
  { ?n po:searchKey ?v }
  UNION
  { ?n org:heldBy ?h . ?h foaf:name ?name FILTER NOT EXISTS { ?n po:searchKey ?stored } BIND(KEY_OF_NAME AS ?v) }
}""".replace("KEY_OF_NAME", KEY_OF_NAME)
KEYS_QUERY = """SELECT DISTINCT ?n ?k ?name WHERE {
  { ?n po:searchKey ?k } UNION { ?n org:heldBy ?h . ?h foaf:name ?name FILTER NOT EXISTS { ?n po:searchKey ?stored } }
}"""


def sparql_keys(select: Callable[..., list[dict[str, str | None]]]) -> Iterator[tuple[str, str]]:
    """(node, search key) of every node with one, from :data:`KEYS_QUERY` run by ``select``."""
    from kg.names import derived_key

    for r in select(KEYS_QUERY):
        key = r["k"] if r["k"] is not None else derived_key(r["name"] or "")
        if r["n"] and key:
            yield r["n"], key


def sparql_find(select: Callable[..., list[dict[str, str | None]]], column: str, value: str) -> list[str]:
    """:meth:`Reader.find` in SPARQL (the value is a bound term, never query text)."""
    from kg.names import fold

    if column == "id":
        found = [r["n"] for r in select("SELECT DISTINCT ?n WHERE { ?n po:identifier ?v }", v=_literal(value))]
    elif column == "key":
        found = [r["n"] for r in select(KEY_QUERY, v=_literal(value))]
    else:
        words = [f" {w} " for w in fold(value).split()]
        if not words:
            return []
        found = [n for n, k in sparql_keys(select) if all(w in f" {k} " for w in words)]
    return sorted({n for n in found if n and not n.startswith("_:")})


def _literal(value: str) -> Any:
    import pyoxigraph as ox

    return ox.Literal(value)


def _iri(value: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(value)


class SparqlReads:
    """:class:`Reader`'s forest methods answered by SPARQL alone (any store with a ``select``)."""

    def select(self, sparql: str, **bindings: Any) -> list[dict[str, str | None]]:
        raise NotImplementedError

    def forest_rows(self, *, above: str | None = None, below: str | None = None) -> Rows:
        """All the forest's rows, from one query (whatever part is asked for)."""
        return sparql_forest_rows(self.select)

    def find(self, column: str, value: str) -> list[str]:
        return sparql_find(self.select, column, value)

    def node_records(self, iris: list[str]) -> list[NodeRow]:
        wanted = set(iris)
        return [r for r in self.forest_rows().nodes if r[0] in wanted]

    def dotted_lines(self, report: str | None = None) -> list[Edge]:
        return sparql_dotted(self.select, report)

    def placed_below(self, iri: str, depth: int | None = None, *, with_iri: bool = True) -> Iterator[Below]:
        return self.forest_rows(below=iri).forest().below_people(iri, depth)

    _whole: tuple[tuple[str, ...], Forest] | None = None

    def _whole_forest(self) -> Forest:
        """The whole forest, built once while the graphs read stay the same: a command asks for several
        answers of it (``kg health``: the summary and two rankings)."""
        key = tuple(str(g) for g in self.graphs())  # type: ignore[attr-defined]  # CatalogReader's
        if self._whole is None or self._whole[0] != key:
            self._whole = (key, self.forest_rows().forest())
        return self._whole[1]

    def placed_span(self, top: int | None = None) -> list[Placed]:
        return self._whole_forest().span_rows(top)

    def forest_summary(self) -> dict[str, Any]:
        return self._whole_forest().summary()

    def data_counts(self) -> dict[str, Any]:
        return sparql_data_counts(self.select)

    def placed_top(self, ranking: str, top: int | None = None) -> list[Placed]:
        return self._whole_forest().ranked(ranking, top)

    def placed_columns(self, names: Sequence[str]) -> list[Any]:
        import numpy as np

        unknown = [n for n in names if n not in PLACED_INTS]
        if unknown:
            raise ValueError(f"no integer placed column {unknown}; choose from {', '.join(PLACED_INTS)}")
        rows = list(self._whole_forest().placed())
        return [np.fromiter((r[PLACED_FIELDS.index(n)] for r in rows), dtype=np.int64, count=len(rows))
                for n in names]

    def placed_rows(self, positions: Sequence[int]) -> list[Placed]:
        wanted = set(positions)
        return [r for r in self._whole_forest().placed() if r[0] in wanted]

    def forest_columns(self, attributes: bool = True) -> Columns:
        return self._whole_forest().columns(attributes)

    def placed_node(self, iri: str) -> list[Placed]:
        return self._whole_forest().placed_subtree(iri, 0)

    def placed_reports(self, iri: str) -> list[Placed]:
        return self._whole_forest().placed_subtree(iri, 1)[1:]

    def search_rows(self, folded: str, casefolded: str) -> Iterator[list[NodeRow]]:
        yield self.forest_rows().nodes

    def placed_subtree(self, iri: str, depth: int | None = None) -> list[Placed]:
        return self._whole_forest().placed_subtree(iri, depth)

    def solid_lines(self, iris: list[str]) -> list[Edge]:
        wanted = set(iris)
        return [e for e in self.forest_rows().edges if e[0] in wanted]

    def name_keys(self) -> list[str]:
        return sorted({k for _, k in sparql_keys(self.select)})
