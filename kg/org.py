"""Reporting lookups: who a person is, their manager, chain, reports, peers, common manager, span of control.

The nodes of the org chart are whatever ``org:reportsTo`` links: posts (CSV imports, UK organograms) or people
(W3C ORG data that links people directly). "Person" below means such a node; its name is the name of the
person holding the post. ``org:reportsTo`` is the solid line (see the ontology); dotted lines are apart.
Every function takes an open :class:`kg.store.Store` and returns plain data (dicts and lists).
"""

from __future__ import annotations

import difflib
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.errors import AmbiguousError, KGError, NotFoundError
from kg.names import fold
from kg.store import Store
from kg.vocab import PREFIXES

Person = dict[str, Any]
_BATCH = 2000

_RECORD = """
SELECT ?n ?id ?name ?own ?title ?status WHERE {
  VALUES ?n { %s }
  OPTIONAL { ?n po:identifier ?id }
  OPTIONAL { ?n org:heldBy ?h . ?h foaf:name ?name }
  OPTIONAL { ?n foaf:name ?own }
  OPTIONAL { ?n po:jobTitle ?title }
  OPTIONAL { ?n po:postStatus/skos:prefLabel ?status }
}"""


def _iri(node: str) -> str:
    return node if node.startswith("_:") else f"<{node}>"


def _person(iri: str, ident: str | None, name: str | None, title: str | None) -> Person:
    return {"id": ident, "name": name, "title": title, "iri": None if iri.startswith("_:") else iri}


def records(store: Store, iris: list[str]) -> dict[str, Person]:
    """Person objects (id, name, title, iri, status) for the given nodes, keyed by IRI."""
    out: dict[str, Person] = {}
    unique = list(dict.fromkeys(iris))
    if len(unique) > _MANY:
        return _records_by_scan(store, unique)
    for start in range(0, len(unique), _BATCH):
        batch = unique[start:start + _BATCH]
        for row in store.select(_RECORD % " ".join(_iri(i) for i in batch if not i.startswith("_:"))):
            node = row["n"] or ""
            rec = out.get(node)
            if rec is None:
                rec = out[node] = _person(node, row["id"], row["name"] or row["own"], row["title"])
                rec["status"] = row["status"]
            else:
                for key, value in (("id", row["id"]), ("name", row["name"] or row["own"]), ("title", row["title"])):
                    if rec[key] is None and value is not None:
                        rec[key] = value
    for iri in unique:
        out.setdefault(iri, _person(iri, None, None, None) | {"status": None})
    return out


_MANY = 20_000  # above this, a few whole-store scans beat batches of VALUES (a 100,000-deep chain: 3x faster)
_FIELDS = {"id": "?n po:identifier ?v", "name": "?n org:heldBy ?h . ?h foaf:name ?v", "own": "?n foaf:name ?v",
           "title": "?n po:jobTitle ?v", "status": "?n po:postStatus ?s . ?s skos:prefLabel ?v"}


def _records_by_scan(store: Store, unique: list[str]) -> dict[str, Person]:
    wanted = set(unique)
    found: dict[str, dict[str, str]] = {key: {} for key in _FIELDS}
    for key, pattern in _FIELDS.items():
        column = found[key]
        for row in store.select(f"SELECT ?n ?v WHERE {{ {pattern} }}"):
            node = row["n"] or ""
            if node in wanted and node not in column and row["v"] is not None:
                column[node] = row["v"]
    out: dict[str, Person] = {}
    for iri in unique:
        name = found["name"].get(iri) or found["own"].get(iri)
        out[iri] = _person(iri, found["id"].get(iri), name, found["title"].get(iri))
        out[iri]["status"] = found["status"].get(iri)
    return out


def public(rec: Person) -> Person:
    """The JSON contract of a person: exactly id, name, title, iri."""
    return {k: rec.get(k) for k in ("id", "name", "title", "iri")}


# -- resolving PERSON arguments -------------------------------------------------------------------------------

_PREFIXED = re.compile(r"^([A-Za-z][\w-]*):(\S+)$")


def resolve(store: Store, ref: str) -> str:
    """The IRI of the person or post ``ref`` names: an IRI, a prefixed name, an id, or a name.

    Raises NotFoundError (with the closest names) or AmbiguousError (with the candidates).
    """
    text = ref.strip()
    if not text:
        raise NotFoundError("an empty name matches nobody; give an id or a name")
    ref = _printable(ref)  # echoed in one-line messages
    iri = None
    if text.startswith("<") and text.endswith(">"):
        iri = text[1:-1]
    elif text.startswith(("http://", "https://", "urn:")):
        iri = text
    else:
        m = _PREFIXED.match(text)
        if m and m.group(1) in PREFIXES:
            iri = PREFIXES[m.group(1)] + m.group(2)
    if iri is not None:
        try:
            node = ox.NamedNode(iri)
        except ValueError as exc:
            raise NotFoundError(f"'{ref}' is not a valid IRI ({_printable(str(exc))}); give an id, a name or "
                                "a full IRI") from exc
        if store.query("ASK { ?n ?p ?o }", n=node):
            return _chart_node(store, iri)
        raise NotFoundError(f"no person or post has the IRI <{iri}>")

    candidates = _column(store, "SELECT DISTINCT ?n WHERE { ?n po:identifier ?v }", text)
    if not candidates:
        candidates = _column(store, "SELECT DISTINCT ?n WHERE { ?n po:searchKey ?v }", fold(text))
    if not candidates:
        candidates = _by_words(store, fold(text))
    nodes = list(dict.fromkeys(_chart_node(store, c) for c in candidates))
    if len(nodes) == 1:
        return nodes[0]
    if len(nodes) > 1:
        recs = records(store, nodes)
        listed = [public(recs[n]) for n in sorted(nodes, key=lambda n: (recs[n]["id"] or "", n))]
        shown = "; ".join(_describe(r) for r in listed[:8])
        more = f" and {len(listed) - 8} more" if len(listed) > 8 else ""
        raise AmbiguousError(f"'{ref}' matches {len(listed)} people: {shown}{more}; give an id", listed)
    close = closest_names(store, text)
    hint = f"; closest names: {', '.join(close)}" if close else ""
    raise NotFoundError(f"no person matches '{ref}'{hint}")


def _by_words(store: Store, folded: str) -> list[str]:
    """Nodes whose name contains every word of ``folded`` ("alan langlands" finds "Sir Alan Langlands")."""
    words = folded.split()
    if not words:
        return []
    tests = " && ".join(f"CONTAINS(CONCAT(' ', ?k, ' '), {_sparql_literal(' ' + w + ' ')})" for w in words)
    rows = store.select(f"SELECT DISTINCT ?n WHERE {{ ?n po:searchKey ?k . FILTER({tests}) }} LIMIT 50")
    return [r["n"] for r in rows if r["n"]]


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text)


def _describe(rec: Person) -> str:
    parts = [rec["id"] or rec["iri"] or "?", rec["name"] or "(no name)"]
    if rec["title"]:
        parts.append(f"({rec['title']})")
    return " ".join(parts)


def _column(store: Store, sparql: str, value: str) -> list[str]:
    return [r["n"] for r in store.select(sparql, v=ox.Literal(value)) if r["n"]]


def _chart_node(store: Store, iri: str) -> str:
    """A person who holds a post is found on the chart at that post."""
    rows = store.select("SELECT ?post WHERE { ?post org:heldBy ?n } ORDER BY ?post LIMIT 1", n=ox.NamedNode(iri))
    if rows and rows[0]["post"]:
        return rows[0]["post"]
    return iri


def closest_names(store: Store, text: str, limit: int = 5) -> list[str]:
    """Names in the store closest to ``text`` (for "did you mean" hints)."""
    rows = store.select("SELECT DISTINCT ?k WHERE { ?n po:searchKey ?k }")
    keys = [r["k"] for r in rows if r["k"]]
    folded = fold(text)
    matches = difflib.get_close_matches(folded, keys, n=limit, cutoff=0.6)
    matches += [k for k in keys if folded and folded in k and k not in matches][: limit - len(matches)]
    if not matches:
        return []
    keys_sparql = " ".join(_sparql_literal(k) for k in matches)
    names = store.select(
        f"SELECT DISTINCT ?k ?name WHERE {{ VALUES ?k {{ {keys_sparql} }} ?n po:searchKey ?k . "
        "{ ?n org:heldBy/foaf:name ?name } UNION { ?n foaf:name ?name } }"
    )
    by_key = {r["k"]: r["name"] for r in names}
    return [by_key.get(k) or k for k in matches]


def _sparql_literal(text: str) -> str:
    from kg.store import sparql_string

    return sparql_string(text)


# -- lookups --------------------------------------------------------------------------------------------------


def _managers_of(store: Store, iri: str) -> list[str]:
    rows = store.select("SELECT ?m WHERE { ?n org:reportsTo ?m } ORDER BY ?m", n=ox.NamedNode(iri))
    return [r["m"] for r in rows if r["m"]]


def manager(store: Store, ref: str) -> Person | None:
    """The solid-line manager of ``ref``, or None at the top."""
    iri = resolve(store, ref)
    found = _managers_of(store, iri)
    return public(records(store, found[:1])[found[0]]) if found else None


@dataclass
class Chain:
    """Managers from the nearest up to the top; ``cycle_at`` names the person where the chain repeats."""

    people: list[Person] = field(default_factory=list)
    cycle_at: Person | None = None


def _parent_map(store: Store, iri: str) -> dict[str, str]:
    """Each ancestor of ``iri`` (and itself) mapped to its first manager: from the chart index when the
    store has one (a point lookup per level), else in one SPARQL query."""
    chart = getattr(store, "chart", None)
    if chart is not None:
        parents: dict[str, str] = {}
        node = iri
        while node not in parents:
            row = chart.node(node)
            if row is None or row[4] is None:
                break
            parents[node] = row[4]
            node = row[4]
        return parents
    # The start is written as a constant (NamedNode validates the IRI, so its text is safe): some stores
    # (Virtuoso) do not start a path from a VALUES binding and walk the whole graph instead.
    start = ox.NamedNode(iri)
    rows = store.select(f"SELECT ?x ?m WHERE {{ {start} org:reportsTo* ?x . ?x org:reportsTo ?m }}")
    parents = {}
    for r in rows:
        x, m = r["x"] or "", r["m"] or ""
        if x not in parents or m < parents[x]:
            parents[x] = m
    return parents


def _walk_up(parents: dict[str, str], start: str) -> tuple[list[str], str | None]:
    seen = {start}
    path: list[str] = []
    node = parents.get(start)
    while node is not None:
        if node in seen:
            return path, node
        seen.add(node)
        path.append(node)
        node = parents.get(node)
    return path, None


def chain(store: Store, ref: str) -> Chain:
    """The management chain of ``ref``: nearest manager first, the top last. Stops where a cycle repeats."""
    iri = resolve(store, ref)
    path, repeat = _walk_up(_parent_map(store, iri), iri)
    recs = records(store, path + ([repeat] if repeat else []))
    return Chain([public(recs[p]) for p in path], public(recs[repeat]) if repeat else None)


def reports(store: Store, ref: str, *, all_levels: bool = False, depth: int | None = None) -> list[Person]:
    """Direct reports of ``ref``; with ``all_levels`` everyone below (breadth first, with ``depth``)."""
    iri = resolve(store, ref)
    chart = getattr(store, "chart", None)
    if chart is not None and (all_levels or (depth is not None and depth > 1)):
        below = chart.descendants(iri, depth)
        managers = {r[0]: r[1] for r, _ in below} | {iri: records(store, [iri])[iri]["id"]}
        return [{"id": r[1], "name": r[2], "title": r[3], "iri": r[0], "depth": d,
                 "manager_id": managers.get(r[4] or "")} for r, d in below]
    if not all_levels and (depth is None or depth <= 1):
        rows = store.select(
            "SELECT DISTINCT ?x WHERE { ?x org:reportsTo ?n FILTER(?x != ?n) }", n=ox.NamedNode(iri)
        )  # a self-report (bad data, flagged by `kg validate`) is not one's own report
        recs = records(store, [r["x"] for r in rows if r["x"]])
        return sorted((public(r) for r in recs.values()), key=_sort_key)
    rows = store.select(
        """SELECT ?x ?m ?id ?name ?own ?title WHERE {
             ?x org:reportsTo+ ?n . ?x org:reportsTo ?m .
             OPTIONAL { ?x po:identifier ?id } OPTIONAL { ?x org:heldBy/foaf:name ?name }
             OPTIONAL { ?x foaf:name ?own } OPTIONAL { ?x po:jobTitle ?title } }""",
        n=ox.NamedNode(iri),
    )
    children: dict[str, list[str]] = {}
    recs: dict[str, Person] = {}
    for r in rows:
        x, m = r["x"] or "", r["m"] or ""
        children.setdefault(m, []).append(x)
        if x not in recs:
            recs[x] = _person(x, r["id"], r["name"] or r["own"], r["title"])
    recs.setdefault(iri, public(records(store, [iri])[iri]))
    out: list[Person] = []
    seen = {iri}
    level = deque([(iri, 0)])
    limit = depth if depth is not None else None
    while level:
        node, d = level.popleft()
        if limit is not None and d >= limit:
            continue
        kids = sorted(set(children.get(node, [])) - seen, key=lambda k: _sort_key(recs[k]))
        for kid in kids:
            seen.add(kid)
            out.append(recs[kid] | {"depth": d + 1, "manager_id": recs[node]["id"]})
            level.append((kid, d + 1))
    return out


def _sort_key(rec: Person) -> tuple[str, str]:
    return ((rec.get("name") or "~").casefold(), rec.get("id") or "")


def peers(store: Store, ref: str) -> list[Person]:
    """People with the same solid-line manager as ``ref`` (not ``ref`` itself)."""
    iri = resolve(store, ref)
    rows = store.select(
        "SELECT DISTINCT ?x WHERE { ?n org:reportsTo ?m . ?x org:reportsTo ?m . FILTER(?x != ?n) }",
        n=ox.NamedNode(iri),
    )
    recs = records(store, [r["x"] for r in rows if r["x"]])
    return sorted((public(r) for r in recs.values()), key=_sort_key)


def common_manager(store: Store, a: str, b: str) -> Person | None:
    """The lowest person both ``a`` and ``b`` report to (one of them if one manages the other)."""
    ia, ib = resolve(store, a), resolve(store, b)
    path_a, _ = _walk_up(_parent_map(store, ia), ia)
    path_b, _ = _walk_up(_parent_map(store, ib), ib)
    above_b = set([ib] + path_b)
    for node in [ia] + path_a:
        if node in above_b:
            return public(records(store, [node])[node])
    return None


def subtree_sizes(edges: list[tuple[str, str]]) -> dict[str, int]:
    """Number of people below each manager (first manager of each person only; cycles never loop).

    >>> sorted(subtree_sizes([("b", "a"), ("c", "a"), ("d", "b")]).items())
    [('a', 3), ('b', 1), ('c', 0), ('d', 0)]
    """
    parent: dict[str, str] = {}
    for child, boss in edges:
        if child not in parent or boss < parent[child]:
            parent[child] = boss
    nodes = set(parent) | set(parent.values())
    pending = {n: 0 for n in nodes}
    for child in parent:
        pending[parent[child]] += 1
    size = {n: 0 for n in nodes}
    ready = [n for n in nodes if pending[n] == 0]
    while ready:
        node = ready.pop()
        boss = parent.get(node)
        if boss is not None:
            size[boss] += size[node] + 1
            pending[boss] -= 1
            if pending[boss] == 0:
                ready.append(boss)
    return size


def _all_edges(store: Store) -> list[tuple[str, str]]:
    chart = getattr(store, "chart", None)
    if chart is not None:
        return chart.edges()
    return [(r["x"] or "", r["m"] or "") for r in store.select("SELECT ?x ?m WHERE { ?x org:reportsTo ?m }")]


def span(store: Store, top: int | None = 20) -> list[Person]:
    """Managers by number of direct reports, with total headcount below each."""
    edges = _all_edges(store)
    direct: dict[str, int] = {}
    for _child, boss in set(edges):
        direct[boss] = direct.get(boss, 0) + 1
    sizes = subtree_sizes(edges)
    ranked = sorted(direct, key=lambda m: (-direct[m], -sizes.get(m, 0), m))
    if top is not None:
        ranked = ranked[:top]
    recs = records(store, ranked)
    return [public(recs[m]) | {"direct_reports": direct[m], "headcount": sizes.get(m, 0)} for m in ranked]


def who(store: Store, ref: str) -> Person:
    """A person's profile: id, name, title, iri, role, unit, status, manager, direct reports, headcount."""
    iri = resolve(store, ref)
    rec = records(store, [iri])[iri]
    node = ox.NamedNode(iri)
    extra = store.select(
        """SELECT ?role ?unit ?holder ?fte WHERE {
             OPTIONAL { ?n po:hasRole/skos:prefLabel ?role }
             OPTIONAL { ?n org:postIn/(skos:prefLabel|rdfs:label) ?unit }
             OPTIONAL { ?n org:heldBy ?holder }
             OPTIONAL { ?n po:headcount ?fte } } LIMIT 1""",
        n=node,
    )[0]
    mgrs = _managers_of(store, iri)
    dotted = [r["m"] for r in store.select(
        "SELECT ?m WHERE { ?n po:dottedLineReportsTo ?m } ORDER BY ?m", n=node) if r["m"]]
    direct = store.select("SELECT (COUNT(DISTINCT ?x) AS ?c) WHERE { ?x org:reportsTo ?n }", n=node)[0]["c"]
    chart = getattr(store, "chart", None)
    if chart is not None:
        below: str | int | None = len(chart.descendants(iri))
    else:
        below = store.select("SELECT (COUNT(DISTINCT ?x) AS ?c) WHERE { ?x org:reportsTo+ ?n }", n=node)[0]["c"]
    linked = records(store, mgrs[:1] + dotted)
    return public(rec) | {
        "role": extra["role"],
        "unit": extra["unit"],
        "status": rec.get("status"),
        "person_iri": extra["holder"],
        "fte": float(extra["fte"]) if extra["fte"] else None,
        "manager": public(linked[mgrs[0]]) if mgrs else None,
        "dotted_line_managers": [public(linked[d]) for d in dotted],
        "direct_reports": int(direct or 0),
        "headcount": int(below or 0),
    }


def search(store: Store, text: str, limit: int = 50) -> list[Person]:
    """People whose name, id or title contains ``text`` (case- and accent-insensitive)."""
    folded = fold(text)
    if not folded:
        raise KGError("search needs some letters or digits")
    # Literals are escaped with sparql_string (FILTERs in inner groups cannot see VALUES bindings).
    q, raw = _sparql_literal(folded), _sparql_literal(text.strip().casefold())
    rows = store.select(
        f"""SELECT DISTINCT ?n WHERE {{
             {{ ?n po:searchKey ?k . FILTER(CONTAINS(?k, {q})) }}
             UNION {{ ?n po:identifier ?i . FILTER(LCASE(?i) = {raw}) }}
             UNION {{ ?n po:jobTitle ?t . FILTER(CONTAINS(LCASE(?t), {raw})) }}
           }} ORDER BY ?n LIMIT {int(limit)}"""
    )
    recs = records(store, [r["n"] for r in rows if r["n"]])
    return sorted((public(r) for r in recs.values()), key=_sort_key)


def stats(store: Store) -> dict[str, Any]:
    """Counts over everything loaded: sources, people, posts, edges, roots, vacancies, unmatched titles."""
    row = store.select(
        """SELECT
             (COUNT(DISTINCT ?person) AS ?people) (COUNT(DISTINCT ?post) AS ?posts) WHERE {
             { ?person a foaf:Person } UNION { ?post a org:Post } }"""
    )[0]
    edges = _all_edges(store)
    reporters = {c for c, _ in edges}
    roots = sorted({b for _, b in edges if b not in reporters})
    counts = store.select(
        """SELECT (COUNT(*) AS ?dotted) WHERE { ?a po:dottedLineReportsTo ?b }"""
    )[0]
    vacant = store.select("SELECT (COUNT(DISTINCT ?p) AS ?c) WHERE { ?p po:postStatus po:Vacant }")[0]["c"]
    titles = store.select(
        """SELECT ?t (COUNT(?p) AS ?c) WHERE { ?p po:jobTitle ?t . FILTER NOT EXISTS { ?p po:hasRole ?r } }
           GROUP BY ?t ORDER BY DESC(?c) ?t"""
    )
    matched = store.select("SELECT (COUNT(DISTINCT ?p) AS ?c) WHERE { ?p po:hasRole ?r }")[0]["c"]
    root_recs = records(store, roots[:10])
    return {
        "sources": len(store.sources()),
        "people": int(row["people"] or 0),
        "posts": int(row["posts"] or 0),
        "reporting_edges": len(set(edges)),
        "dotted_lines": int(counts["dotted"] or 0),
        "roots": len(roots),
        "root_people": [public(root_recs[r]) for r in roots[:10]],
        "vacant_posts": int(vacant or 0),
        "titles_matched_to_roles": int(matched or 0),
        # Sorted here, not by ORDER BY: stores collate non-ASCII strings differently (Virtuoso does).
        "unmatched_titles": dict(sorted(((r["t"], int(r["c"] or 0)) for r in titles if r["t"]),
                                        key=lambda tc: (-tc[1], tc[0]))),
    }
