"""Analytics of a loaded organization for the command line: project, compute, label.

Each function takes a :class:`kg.reading.Reader` (the embedded store or a remote one) and returns plain data.
The reporting structure (layers, health, centrality on the reporting line) comes from the reporting forest;
the algorithms are the pure functions of :mod:`kg.analytics`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kg import analytics as A
from kg.choices import GRAPHS, RELATIONS
from kg.errors import KGError, NotFoundError
from kg.reading import Reader
from kg.render import terminal_safe, to_table

if TYPE_CHECKING:
    import networkx as nx

Node = A.Node


def project(reader: Reader, graph: str = "reporting", relations: Sequence[str] | None = None) -> nx.DiGraph:
    """The projection named ``graph`` (reporting, org or concepts), structure only (no node attributes)."""
    from kg import projection

    if graph == "reporting":
        return projection.reporting_forest(reader, attributes=False, dotted=False)
    if graph == "org":
        return projection.org_graph(reader, relations or projection.DEFAULT_ORG_RELATIONS)
    if graph == "concepts":
        return projection.concept_graph(reader)
    raise KGError(f"unknown graph '{graph}'; choose from {', '.join(GRAPHS)}")


def _entities(reader: Reader, nodes: Sequence[Node]) -> dict[Node, dict[str, Any]]:
    """Each node as the command line shows it: id, name (a person's name or a concept's label), title,
    kind, iri."""
    from kg.projection import describe

    info = describe(reader, [str(n) for n in nodes])
    return {n: {"id": info[str(n)]["id"], "name": info[str(n)]["label"], "title": info[str(n)]["title"],
                "kind": info[str(n)]["kind"], "iri": str(n)} for n in nodes}


def centrality_report(reader: Reader, metric: str = "betweenness", graph: str = "reporting", n: int = 10,
                      sample: int | None = None, seed: int = 0) -> list[dict[str, Any]]:
    """The ``n`` most central nodes of a projection: rank, id, name, title, kind, iri, score. Betweenness on
    the reporting forest comes from the placed table's columns (:func:`kg.analytics.placed_betweenness`, exact,
    no graph built); the rest from the networkx projection."""
    if metric == "betweenness" and graph == "reporting":
        ranked = _placed_betweenness_top(reader, n)
    else:
        ranked = A.top(A.centrality(project(reader, graph), metric, k=sample, seed=seed), n)
    people = _entities(reader, [node for node, _ in ranked])
    return [{"rank": i} | people[node] | {"score": score} for i, (node, score) in enumerate(ranked, 1)]


def _placed_betweenness_top(reader: Reader, n: int) -> list[tuple[str, float]]:
    """:func:`kg.analytics.top` of the reporting forest's betweenness, read in columns: the IRIs of the
    nodes that can make the top ``n`` (every node tied with the ``n``-th score) are the only ones read."""
    import numpy as np

    manager_pos, below = reader.placed_columns(("manager_pos", "below"))
    scores = A.placed_betweenness(manager_pos, below)
    if not len(scores):
        return []
    k = min(n, len(scores))
    nth = np.partition(scores, len(scores) - k)[len(scores) - k]
    maybe = np.flatnonzero(scores >= nth).tolist()
    found = [(r[6], float(scores[r[0]])) for r in reader.placed_rows(maybe)]
    return A.top(dict(found), n)


def resolve_node(reader: Reader, G: nx.Graph, ref: str, hint: str = "") -> str:
    """The node of ``G`` that ``ref`` names: a person (id, name, IRI) or a concept (its label)."""
    import pyoxigraph as ox

    from kg import org
    from kg.errors import AmbiguousError

    try:
        node = org.resolve(reader, ref)
    except NotFoundError as missing:
        rows = reader.select(
            """SELECT DISTINCT ?n WHERE { ?n skos:prefLabel|rdfs:label|skos:altLabel ?l
               FILTER(isIRI(?n) && LCASE(STR(?l)) = ?q) }""", q=ox.Literal(ref.strip().lower()))
        found = sorted({r["n"] for r in rows if r["n"] in G}) or sorted({r["n"] for r in rows if r["n"]})
        if not found:
            raise missing
        if len(found) > 1:
            raise AmbiguousError(f"'{ref}' names {len(found)} things: {', '.join(found[:5])}; give an IRI",
                                 found) from None
        node = found[0]
    if node not in G:
        raise NotFoundError(f"'{ref}' is not on this graph" + (f"; {hint}" if hint else ""))
    return node


def path_report(reader: Reader, a: str, b: str, relations: str = "reporting", k: int = 1) -> dict[str, Any]:
    """The ``k`` shortest paths between two people or concepts, hop by hop with the relation of each hop.

    ``relations``: "reporting" (the reporting forest's lines only) or "all" (dotted lines, collaboration and
    ownership of products and portfolios too).
    """
    from kg.projection import DEFAULT_ORG_RELATIONS

    if relations not in RELATIONS:
        raise KGError(f"unknown relations '{relations}'; choose reporting or all")
    G = None
    if relations == "reporting":  # a tree: the one path runs through the chains above both ends
        from kg import org

        try:
            ends = [org.resolve(reader, a), org.resolve(reader, b)]
        except NotFoundError:  # a concept's label, or nobody: resolved against the whole graph below
            ends = []
        if ends:
            from kg.projection import org_graph

            G = org_graph(reader, ("reporting",), around=ends)
    if G is None:
        G = project(reader, "org", ("reporting",) if relations == "reporting" else DEFAULT_ORG_RELATIONS)
    hint = ("try --relations all" if relations == "reporting"
            else "it links people, products and portfolios; for roles see `kg explain`")
    start, end = resolve_node(reader, G, a, hint), resolve_node(reader, G, b, hint)
    paths = A.shortest_paths(G, start, end, k)
    walked = {start, end} | {hop[x] for p in paths for hop in p for x in ("from", "to")}
    labels = _entities(reader, sorted(walked))
    return {
        "from": labels[start], "to": labels[end],
        "paths": [{"length": len(p), "hops": [{"from": labels[h["from"]], "relation": h["relation"],
                                               "to": labels[h["to"]]} for h in p]} for p in paths],
    }


def layers_report(reader: Reader) -> list[dict[str, int]]:
    """Posts and managers per layer of the reporting forest (layer 1 is the top)."""
    return reader.forest_summary()["layers"]


def health_report(reader: Reader, n: int = 10) -> dict[str, Any]:
    """:func:`kg.analytics.forest_health` of the reporting forest with people named, plus headcount (and FTE)
    per unit and the number of dotted lines: from the forest's summary, two rankings of its placed rows and the
    data counts, which the embedded store keeps (no forest is built)."""
    from kg.org import _placed

    summary = reader.forest_summary()
    singles = reader.placed_top("single", n)
    teams = reader.placed_top("teams", n)
    out = A.health_numbers(summary, [], teams, summary["cycles_cut"])
    out["single_report_managers"] = {"count": dict(out["span"]["distribution"]).get(1, 0),
                                     "first": [_placed(r) for r in singles]}
    out["largest_teams"] = [_placed(r) | {"headcount": r[2], "direct_reports": r[4], "fte_below": r[5]}
                            for r in teams]
    out["headcount_by_unit"] = dict(summary["units"])
    out["dotted_lines"] = reader.data_counts()["dotted_lines"]
    return out


def communities_report(reader: Reader, graph: str = "org", seed: int = 0, resolution: float = 1.0,
                       members: int = 8) -> list[dict[str, Any]]:
    """Louvain communities of a projection, largest first: size and the best-connected members."""
    G = project(reader, graph)
    found = A.communities(G, seed=seed, resolution=resolution)
    degree = dict(G.degree())
    shown = [sorted(c, key=lambda x: (-degree[x], str(x)))[:members] for c in found]
    labels = _entities(reader, [x for group in shown for x in group])
    return [{"community": i, "size": len(c), "members": [labels[x] for x in group]}
            for i, (c, group) in enumerate(zip(found, shown, strict=True), 1)]


def health_summary(data: dict[str, Any]) -> dict[str, Any]:
    """The counts of :func:`health_report` as one row (``kg health --format csv``)."""
    span = data["span"]
    return {"posts": data["posts"], "named_people": data["named_people"], "vacancies": data["vacancies"],
            "fte": data["fte"], "roots": data["roots"], "cycles": data["cycles"], "layers": data["layers"],
            "managers": data["managers"], "span_mean": span["mean"], "span_median": span["median"],
            "span_max": span["max"], "single_report_managers": data["single_report_managers"]["count"],
            "dotted_lines": data["dotted_lines"]}


def health_text(data: dict[str, Any], top_n: int = 10) -> str:
    """:func:`health_report` as ``kg health`` prints it: the counts, then span, largest teams, single-report
    managers and the ``top_n`` units as tables."""
    out = [f"{key.replace('_', ' '):>24}  {value:,}\n" if isinstance(value, int) else
           f"{key.replace('_', ' '):>24}  {value}\n" for key, value in health_summary(data).items()]
    out += ["\nSpan of control (direct reports: managers)\n",
            to_table([{"direct_reports": k, "managers": v} for k, v in data["span"]["distribution"].items()],
                     ["direct_reports", "managers"]),
            "\nLargest teams (posts below)\n",
            to_table(data["largest_teams"], ["id", "name", "title", "headcount", "fte_below", "direct_reports"])]
    singles = data["single_report_managers"]["first"]
    if singles:
        out += ["\nManagers with a single report\n", to_table(singles, ["id", "name", "title"])]
    out += ["\nHeadcount per unit\n",
            to_table([{"unit": k, "posts": v} for k, v in list(data["headcount_by_unit"].items())[:top_n]],
                     ["unit", "posts"])]
    return "".join(out)


def entity_label(e: dict[str, Any]) -> str:
    """A person or concept of a report as one line of text: its name (or IRI) and id, safe for a terminal.

    >>> entity_label({"name": "Ada", "id": "7"}), entity_label({"iri": "http://x/p"})
    ('Ada [7]', 'http://x/p')
    """
    name = terminal_safe(e.get("name") or e.get("iri") or "?")
    return f"{name} [{e['id']}]" if e.get("id") else name


def path_text(result: dict[str, Any], *, numbered: bool = False) -> str:
    """The paths of :func:`path_report` as ``kg path`` prints them, hop by hop (``numbered``: several paths)."""
    out = []
    for i, p in enumerate(result["paths"], 1):
        hops = f"{p['length']} hop{'s' if p['length'] != 1 else ''}"
        out.append(f"path {i}: {hops}" if numbered else hops)
        out.append(f"  {entity_label(result['from'])}")
        out += [f"    {hop['relation']} {entity_label(hop['to'])}" for hop in p["hops"]]
    return "".join(line + "\n" for line in out)
