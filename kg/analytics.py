"""Network analytics of an organization: plain functions of networkx graphs (they never print or mutate).

Graphs come from :mod:`kg.projection` (or are built by hand). Reporting functions take a *reporting graph*:
a DiGraph with edges manager -> report, at most one manager per node (several roots allowed: a forest). They
raise :class:`CycleError`, naming the cycle, instead of looping.

Centrality is computed on the **undirected reading** of any graph (``G.to_undirected()``): a broker links
its team to the rest of the organization whatever the direction of the arrows. On forests (the reporting
line) betweenness and closeness are exact in linear time from subtree sizes, equal to
``nx.betweenness_centrality(G.to_undirected(), normalized=True)`` and ``nx.closeness_centrality(
G.to_undirected())`` (Wasserman-Faust scaling per component, as networkx does). Other graphs use networkx,
with ``k`` sampled pivots (seeded) for betweenness on big ones.

The functions at the end (``*_report``) take a store: they project, compute and label the results for the
command line.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Hashable, Sequence
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from kg.errors import KGError, NotFoundError

if TYPE_CHECKING:
    import networkx as nx

    from kg.store import Store

Node = Hashable
METRICS = ("degree", "betweenness", "closeness", "pagerank", "eigenvector")


class CycleError(KGError):
    """The reporting line loops back on itself."""


class NoPathError(KGError):
    """Two nodes are not connected."""


def _nx() -> Any:
    import networkx as nx

    return nx


def _name(G: nx.Graph, node: Node) -> str:
    data = G.nodes[node] if node in G else {}
    return str(data.get("id") or data.get("label") or data.get("name") or node)


# -- forests in linear time ----------------------------------------------------------------------------------


class _Forest:
    """A forest read undirected, as arrays over ``nodes``: parent (-1 at a root), subtree size, size of the
    node's tree, depth, and the nodes level by level (breadth-first from each tree's first node)."""

    def __init__(self, nodes: list[Node], parent: Any, size: Any, comp_size: Any, depth: Any,
                 levels: list[Any]) -> None:
        self.nodes, self.parent, self.size, self.comp_size = nodes, parent, size, comp_size
        self.depth, self.levels = depth, levels


def _as_forest(G: nx.Graph) -> _Forest | None:
    """The undirected forest behind ``G``, or None when ``G`` has a cycle, a self-loop or parallel edges.

    Everything runs in numpy/scipy (C loops): a million nodes take a couple of seconds.
    """
    import numpy as np
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    if G.is_multigraph():
        return None
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _Forest([], empty, empty, empty, empty, [])
    index = {node: i for i, node in enumerate(nodes)}
    ends = np.fromiter(map(index.__getitem__, chain.from_iterable(G.edges())), dtype=np.int64)
    src, dst = ends[0::2], ends[1::2]
    if (src == dst).any():
        return None
    keys = np.sort(np.minimum(src, dst) * n + np.maximum(src, dst))
    if len(keys) > 1:  # u -> v and v -> u are one undirected edge, as in G.to_undirected()
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    lo, hi = keys // n, keys % n
    pairs = csr_array((np.ones(len(keys), dtype=np.int8), (lo, hi)), shape=(n, n))
    count, label = connected_components(pairs, directed=False)
    if len(keys) != n - count:  # a forest of `count` trees has exactly n - count edges
        return None
    # One breadth-first search from a virtual node linked to the first node of every tree.
    _, firsts = np.unique(label, return_index=True)
    rows = np.concatenate([lo, hi, np.full(count, n)])
    cols = np.concatenate([hi, lo, firsts])
    graph = csr_array((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n + 1, n + 1))
    order, pred = breadth_first_order(graph, n, directed=True, return_predecessors=True)
    order = order[1:]
    parent = np.where(pred[:n] == n, -1, pred[:n])
    # Breadth-first order lists the nodes level by level, and the positions of their parents never decrease:
    # the level after the one ending at `end` ends where parents stop being before `end`.
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    parent_position = np.where(parent[order] < 0, -1, position[parent[order]])
    depth = np.zeros(n, dtype=np.int64)
    levels: list[Any] = []
    start, end = 0, count
    while start < n:
        levels.append(order[start:end])
        depth[order[start:end]] = len(levels) - 1
        start, end = end, int(np.searchsorted(parent_position, end, side="left"))
    size = np.ones(n + 1, dtype=np.int64)
    safe_parent = np.where(parent < 0, n, parent)
    for level in reversed(levels[1:]):
        np.add.at(size, safe_parent[level], size[level])
    comp_size = np.bincount(label, minlength=count)[label]
    return _Forest(nodes, parent, size[:n], comp_size, depth, levels)


def is_forest(G: nx.Graph) -> bool:
    """True when the undirected reading of ``G`` has no cycle.

    >>> import networkx as nx
    >>> is_forest(nx.DiGraph([("a", "b"), ("a", "c"), ("x", "y")])), is_forest(nx.cycle_graph(3))
    (True, False)
    """
    return _as_forest(G) is not None


def tree_betweenness(G: nx.Graph, normalized: bool = True) -> dict[Node, float]:
    """Exact betweenness of a forest in linear time (raises KGError if ``G`` is not a forest).

    On a tree every pair of nodes has one path; it passes through ``v`` when the two ends lie in different
    parts of the tree cut at ``v``. Equals ``nx.betweenness_centrality(G.to_undirected(), normalized)``.

    >>> import networkx as nx
    >>> star = nx.DiGraph([("boss", "a"), ("boss", "b"), ("boss", "c")])
    >>> tree_betweenness(star)
    {'boss': 1.0, 'a': 0.0, 'b': 0.0, 'c': 0.0}
    >>> tree_betweenness(nx.path_graph(3), normalized=False), tree_betweenness(nx.Graph())
    ({0: 0.0, 1: 1.0, 2: 0.0}, {})
    """
    forest = _as_forest(G)
    if forest is None:
        raise KGError("tree_betweenness needs a forest: the graph has a cycle; use centrality() instead")
    return _forest_betweenness(forest, normalized)


def _forest_betweenness(forest: _Forest, normalized: bool) -> dict[Node, float]:
    import numpy as np

    n = len(forest.nodes)
    size, comp_size = forest.size, forest.comp_size
    child_squares = np.zeros(n + 1, dtype=np.int64)
    np.add.at(child_squares, np.where(forest.parent < 0, n, forest.parent), size * size)
    # Ordered pairs (s, t), s != v != t, whose path runs through v, as networkx counts them; then its scale.
    up, others = comp_size - size, comp_size - 1
    through = others * others - child_squares[:n] - up * up
    scale = 0.0 if n <= 2 else 1 / ((n - 1) * (n - 2)) if normalized else 0.5
    return dict(zip(forest.nodes, (through * scale).tolist(), strict=True))


def tree_closeness(G: nx.Graph) -> dict[Node, float]:
    """Exact closeness of a forest in linear time (raises KGError if ``G`` is not a forest).

    Sums of distances come from one pass down each tree (moving from a parent to a child brings the child's
    subtree one step closer and the rest one step further). Equals ``nx.closeness_centrality(
    G.to_undirected())``, including its Wasserman-Faust scaling for graphs of several components.

    >>> import networkx as nx
    >>> tree_closeness(nx.path_graph(3))
    {0: 0.6666666666666666, 1: 1.0, 2: 0.6666666666666666}
    >>> tree_closeness(nx.empty_graph(2))
    {0: 0.0, 1: 0.0}
    """
    forest = _as_forest(G)
    if forest is None:
        raise KGError("tree_closeness needs a forest: the graph has a cycle; use centrality() instead")
    return _forest_closeness(forest)


def _forest_closeness(forest: _Forest) -> dict[Node, float]:
    import numpy as np

    if not forest.nodes:
        return {}
    n = len(forest.nodes)
    parent, size, comp_size, levels = forest.parent, forest.size, forest.comp_size, forest.levels
    roots = levels[0]
    tree_of = np.empty(n, dtype=np.int64)  # each node's root, level by level
    tree_of[roots] = roots
    for level in levels[1:]:
        tree_of[level] = tree_of[parent[level]]
    total = np.zeros(n, dtype=np.int64)  # sum of distances to the others of the tree
    total[roots] = np.bincount(tree_of, weights=forest.depth, minlength=n)[roots].astype(np.int64)
    for level in levels[1:]:
        total[level] = total[parent[level]] + comp_size[level] - 2 * size[level]
    reach = comp_size - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (reach / total) * (reach / (n - 1)) if n > 1 else np.zeros(n)
    value = np.where(total > 0, value, 0.0)
    return dict(zip(forest.nodes, value.tolist(), strict=True))


# -- centrality on any graph ---------------------------------------------------------------------------------


def centrality(G: nx.Graph, metric: str = "betweenness", *, k: int | None = None,
               seed: int = 0) -> dict[Node, float]:
    """One centrality measure for every node, on the undirected reading of ``G`` (normalized as networkx).

    ``metric``: degree, betweenness, closeness, pagerank or eigenvector. Betweenness and closeness of a
    forest are exact and linear; on other graphs ``k`` samples that many pivots for betweenness (seeded).
    PageRank uses a tolerance scaled to the graph size (networkx's default stops too early on big graphs).

    >>> import networkx as nx
    >>> G = nx.DiGraph([("ceo", "cpo"), ("ceo", "cto"), ("cpo", "pm")])
    >>> centrality(G, "degree")["ceo"]
    0.6666666666666666
    >>> centrality(G, "betweenness")
    {'ceo': 0.6666666666666666, 'cpo': 0.6666666666666666, 'cto': 0.0, 'pm': 0.0}
    >>> round(sum(centrality(G, "pagerank").values()), 6)
    1.0
    """
    nx = _nx()
    if metric not in METRICS:
        raise KGError(f"unknown centrality metric '{metric}'; choose from {', '.join(METRICS)}")
    n = len(G)
    if n == 0:
        return {}
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    if metric == "degree":
        return nx.degree_centrality(U) if n > 1 else {node: 1.0 for node in U}
    forest = _as_forest(G) if metric in ("betweenness", "closeness") else None
    if forest is not None:
        return _forest_betweenness(forest, True) if metric == "betweenness" else _forest_closeness(forest)
    if metric == "betweenness":
        pivots = k if k is not None and k < n else None
        return nx.betweenness_centrality(U, k=pivots, seed=seed if pivots else None, normalized=True)
    if metric == "closeness":
        return nx.closeness_centrality(U)
    if metric == "pagerank":
        return nx.pagerank(U, tol=min(1e-6, 1e-6 / n), max_iter=1000)
    return _eigenvector(U)


def _eigenvector(U: nx.Graph) -> dict[Node, float]:
    """networkx's eigenvector centrality: its power iteration on small graphs; on big ones the same vector
    from ARPACK (scipy), on the largest component when there are several (where power iteration ends up)."""
    nx = _nx()
    try:
        if len(U) <= 5000:
            return nx.eigenvector_centrality(U, max_iter=1000, tol=1e-8)
        if nx.is_connected(U):
            return nx.eigenvector_centrality_numpy(U)
        largest = max(nx.connected_components(U), key=len)
        scores = nx.eigenvector_centrality_numpy(U.subgraph(largest))
        return {node: scores.get(node, 0.0) for node in U}
    except (nx.PowerIterationFailedConvergence, nx.NetworkXException) as exc:
        raise KGError(f"eigenvector centrality did not converge on this graph ({exc}); try pagerank") from exc


def top(scores: dict[Node, float], n: int | None = 10) -> list[tuple[Node, float]]:
    """The ``n`` highest scores, highest first (ties by node, so results are stable).

    >>> top({"a": 0.5, "b": 0.9, "c": 0.5}, 2)
    [('b', 0.9), ('a', 0.5)]
    """
    key = lambda item: (-item[1], str(item[0]))  # noqa: E731
    return sorted(scores.items(), key=key) if n is None else heapq.nsmallest(n, scores.items(), key=key)


# -- paths ---------------------------------------------------------------------------------------------------


def hop_relation(G: nx.Graph, u: Node, v: Node) -> str:
    """How the step from ``u`` to ``v`` reads: the edge's ``relation`` forwards, its ``inverse`` backwards.

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_edge("pm", "cpo", relation="reports to", inverse="manages")
    >>> hop_relation(G, "pm", "cpo"), hop_relation(G, "cpo", "pm")
    ('reports to', 'manages')
    """
    if G.has_edge(u, v):
        return str(G.edges[u, v].get("relation") or G.graph.get("relation") or "is linked to")
    if G.is_directed() and G.has_edge(v, u):
        return str(G.edges[v, u].get("inverse") or G.graph.get("inverse") or "is linked from")
    raise NoPathError(f"{_name(G, u)} and {_name(G, v)} are not linked")


def explain(G: nx.Graph, path: list[Node]) -> list[dict[str, Any]]:
    """A path as hops: ``{"from", "relation", "to"}`` for each step, in the order walked.

    >>> import networkx as nx
    >>> G = nx.DiGraph(relation="manages", inverse="reports to")
    >>> G.add_edges_from([("ceo", "cpo"), ("cpo", "pm")])
    >>> explain(G, ["pm", "cpo", "ceo"])
    [{'from': 'pm', 'relation': 'reports to', 'to': 'cpo'}, \
{'from': 'cpo', 'relation': 'reports to', 'to': 'ceo'}]
    """
    return [{"from": u, "relation": hop_relation(G, u, v), "to": v}
            for u, v in zip(path, path[1:], strict=False)]


def shortest_paths(G: nx.Graph, a: Node, b: Node, k: int = 1) -> list[list[dict[str, Any]]]:
    """The ``k`` shortest simple paths from ``a`` to ``b`` (arrows ignored), each explained hop by hop.

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_edge("pm", "cpo", relation="reports to", inverse="manages")
    >>> G.add_edge("pm", "docs", relation="owns", inverse="owned by")
    >>> G.add_edge("cpo", "docs", relation="sponsors", inverse="sponsored by")
    >>> [[hop["relation"] for hop in p] for p in shortest_paths(G, "docs", "cpo", k=2)]
    [['sponsored by'], ['owned by', 'reports to']]
    """
    nx = _nx()
    for node in (a, b):
        if node not in G:
            raise NotFoundError(f"{node} is not in the graph")
    if a == b:
        return [[]]
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    try:
        if k <= 1:
            paths = [nx.shortest_path(U, a, b)]
        else:
            paths = list(islice(nx.shortest_simple_paths(U, a, b), k))
    except nx.NetworkXNoPath:
        raise NoPathError(f"no path links {_name(G, a)} and {_name(G, b)} in this graph") from None
    return [explain(G, p) for p in paths]


# -- the reporting structure ---------------------------------------------------------------------------------


def roots(G: nx.DiGraph) -> list[Node]:
    """People with no manager (the top of each tree of the forest).

    >>> import networkx as nx
    >>> roots(nx.DiGraph([("a", "b"), ("x", "y")]))
    ['a', 'x']
    """
    return [node for node, d in G.in_degree() if d == 0]


def _find_cycle(G: nx.DiGraph, start: Node) -> list[Node]:
    path: list[Node] = []
    where: dict[Node, int] = {}
    node = start
    while node not in where:
        where[node] = len(path)
        path.append(node)
        node = next(iter(G.predecessors(node)))
    return path[where[node]:] + [node]


def _cycle_error(G: nx.DiGraph, start: Node) -> CycleError:
    cycle = " -> ".join(_name(G, node) for node in _find_cycle(G, start))
    return CycleError(f"reporting cycle: {cycle} (each reports to the next); fix these reporting lines")


def depths(G: nx.DiGraph) -> dict[Node, int]:
    """Depth of each person: 0 at the top, 1 for direct reports of the top, ...

    Raises CycleError naming the people of a reporting cycle, KGError for someone with several managers.

    >>> import networkx as nx
    >>> depths(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]))
    {'ceo': 0, 'cpo': 1, 'cto': 1, 'pm': 2}
    """
    for node, d in G.in_degree():
        if d > 1:
            managers = ", ".join(sorted(_name(G, m) for m in G.predecessors(node)))
            raise KGError(f"{_name(G, node)} has {d} managers ({managers}): not a reporting forest")
    out: dict[Node, int] = {}
    level = roots(G)
    d = 0
    while level:
        nxt = []
        for node in level:
            out[node] = d
            nxt.extend(G.successors(node))
        level, d = nxt, d + 1
    if len(out) < len(G):
        start = next(node for node in G if node not in out)
        raise _cycle_error(G, start)
    return out


def layers(G: nx.DiGraph) -> list[dict[str, int]]:
    """People per layer (layer 1 is the top) and how many of them manage someone.

    >>> import networkx as nx
    >>> layers(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]))
    [{'layer': 1, 'people': 1, 'managers': 1}, {'layer': 2, 'people': 2, 'managers': 1}, \
{'layer': 3, 'people': 1, 'managers': 0}]
    """
    people: Counter[int] = Counter()
    managers: Counter[int] = Counter()
    for node, d in depths(G).items():
        people[d] += 1
        if G.out_degree(node):
            managers[d] += 1
    return [{"layer": d + 1, "people": people[d], "managers": managers[d]} for d in sorted(people)]


def headcounts(G: nx.DiGraph) -> dict[Node, int]:
    """Number of people below each person (all levels), in linear time.

    >>> import networkx as nx
    >>> headcounts(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]))
    {'ceo': 3, 'cpo': 1, 'pm': 0, 'cto': 0}
    """
    depth = depths(G)
    below = dict.fromkeys(depth, 0)
    for node in sorted(depth, key=depth.__getitem__, reverse=True):
        for boss in G.predecessors(node):
            below[boss] += below[node] + 1
    return {node: below[node] for node in G}


def span_distribution(G: nx.DiGraph) -> dict[int, int]:
    """How many managers have each number of direct reports.

    >>> import networkx as nx
    >>> span_distribution(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]))
    {1: 1, 2: 1}
    """
    counts = Counter(d for _, d in G.out_degree() if d > 0)
    return dict(sorted(counts.items()))


def single_report_managers(G: nx.DiGraph) -> list[Node]:
    """Managers with exactly one direct report (a layer that may not be needed).

    >>> import networkx as nx
    >>> single_report_managers(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]))
    ['cpo']
    """
    return [node for node, d in G.out_degree() if d == 1]


def largest_teams(G: nx.DiGraph, n: int = 10) -> list[dict[str, Any]]:
    """Managers with the most people below them: ``{"manager", "headcount", "direct_reports"}``.

    >>> import networkx as nx
    >>> largest_teams(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]), 1)
    [{'manager': 'ceo', 'headcount': 3, 'direct_reports': 2}]
    """
    below = headcounts(G)
    managers = [m for m in G if G.out_degree(m)]
    ranked = sorted(managers, key=lambda m: (-below[m], -G.out_degree(m), str(m)))[:n]
    return [{"manager": m, "headcount": below[m], "direct_reports": G.out_degree(m)} for m in ranked]


def headcount_by(G: nx.Graph, attribute: str = "unit") -> dict[str, int]:
    """People per value of a node attribute (e.g. unit), largest first; missing values count as "(none)".

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_nodes_from([("a", {"unit": "Product"}), ("b", {"unit": "Product"}), ("c", {})])
    >>> headcount_by(G)
    {'Product': 2, '(none)': 1}
    """
    counts = Counter(str(data.get(attribute) or "(none)") for _, data in G.nodes(data=True))
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def lowest_common_manager(G: nx.DiGraph, a: Node, b: Node) -> Node | None:
    """The lowest person both ``a`` and ``b`` report to, directly or not (one of them if one manages the
    other); None in different trees. Same answer as ``nx.lowest_common_ancestor`` on a forest.

    >>> import networkx as nx
    >>> G = nx.DiGraph([("ceo", "cpo"), ("cpo", "pm1"), ("cpo", "pm2"), ("ceo", "cto")])
    >>> lowest_common_manager(G, "pm1", "pm2"), lowest_common_manager(G, "pm1", "cto")
    ('cpo', 'ceo')
    """
    for node in (a, b):
        if node not in G:
            raise NotFoundError(f"{node} is not in the reporting graph")
    above_a = _chain(G, a)
    seen = set(above_a)
    for node in _chain(G, b):
        if node in seen:
            return node
    return None


def _chain(G: nx.DiGraph, node: Node) -> list[Node]:
    """``node`` and its managers up to the top."""
    out = [node]
    seen = {node}
    while True:
        managers = list(G.predecessors(node))
        if not managers:
            return out
        if len(managers) > 1:
            raise KGError(f"{_name(G, node)} has {len(managers)} managers: not a reporting forest")
        node = managers[0]
        if node in seen:
            raise _cycle_error(G, node)
        seen.add(node)
        out.append(node)


def health(G: nx.DiGraph, n: int = 10) -> dict[str, Any]:
    """Organization health: size, roots, layers, span of control, single-report managers, largest teams.

    >>> import networkx as nx
    >>> h = health(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]))
    >>> h["people"], h["layers"], h["span"]["mean"], h["single_report_managers"]
    (4, 3, 1.5, ['cpo'])
    """
    depth = depths(G)
    spans = [d for _, d in G.out_degree() if d > 0]
    spans.sort()
    mid = len(spans) // 2
    median = (spans[mid] if len(spans) % 2 else (spans[mid - 1] + spans[mid]) / 2) if spans else 0
    return {
        "people": len(G),
        "roots": len(roots(G)),
        "layers": max(depth.values()) + 1 if depth else 0,
        "managers": len(spans),
        "span": {"mean": round(sum(spans) / len(spans), 2) if spans else 0.0, "median": median,
                 "max": spans[-1] if spans else 0, "distribution": span_distribution(G)},
        "single_report_managers": single_report_managers(G),
        "largest_teams": largest_teams(G, n),
    }


def communities(G: nx.Graph, *, seed: int = 0, resolution: float = 1.0) -> list[set[Node]]:
    """Louvain communities of the undirected reading of ``G`` (seeded: the same every run), largest first.

    >>> import networkx as nx
    >>> G = nx.barbell_graph(4, 0)
    >>> [sorted(c) for c in communities(G)]
    [[0, 1, 2, 3], [4, 5, 6, 7]]
    """
    nx = _nx()
    U = nx.Graph(G)  # a copy: Louvain reads weights, and the caller's graph stays as it was
    found = nx.community.louvain_communities(U, seed=seed, resolution=resolution)
    return sorted(found, key=lambda c: (-len(c), min(str(x) for x in c)))


# -- entry points taking a store (used by the command line) --------------------------------------------------

GRAPHS = ("reporting", "org", "concepts")


def project(store: Store, graph: str = "reporting", relations: Sequence[str] | None = None) -> nx.DiGraph:
    """The projection named ``graph`` (reporting, org or concepts), structure only (no node attributes)."""
    from kg import projection

    if graph == "reporting":
        return projection.reporting_forest(store, attributes=False, dotted=False)
    if graph == "org":
        return projection.org_graph(store, relations or projection.DEFAULT_ORG_RELATIONS)
    if graph == "concepts":
        return projection.concept_graph(store)
    raise KGError(f"unknown graph '{graph}'; choose from {', '.join(GRAPHS)}")


def _entities(store: Store, nodes: Sequence[Node]) -> dict[Node, dict[str, Any]]:
    """Each node as the command line shows it: id, name (a person's name or a concept's label), title,
    kind, iri."""
    from kg.projection import describe

    info = describe(store, [str(n) for n in nodes])
    return {n: {"id": info[str(n)]["id"], "name": info[str(n)]["label"], "title": info[str(n)]["title"],
                "kind": info[str(n)]["kind"], "iri": str(n)} for n in nodes}


def centrality_report(store: Store, metric: str = "betweenness", graph: str = "reporting", n: int = 10,
                      sample: int | None = None, seed: int = 0) -> list[dict[str, Any]]:
    """The ``n`` most central nodes of a projection: rank, id, name, title, kind, iri, score."""
    G = project(store, graph)
    ranked = top(centrality(G, metric, k=sample, seed=seed), n)
    people = _entities(store, [node for node, _ in ranked])
    return [{"rank": i} | people[node] | {"score": score} for i, (node, score) in enumerate(ranked, 1)]


def resolve_node(store: Store, G: nx.Graph, ref: str, hint: str = "") -> str:
    """The node of ``G`` that ``ref`` names: a person (id, name, IRI) or a concept (its label)."""
    import pyoxigraph as ox

    from kg import org
    from kg.errors import AmbiguousError

    try:
        node = org.resolve(store, ref)
    except NotFoundError as missing:
        rows = store.select(
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


def path_report(store: Store, a: str, b: str, relations: str = "reporting", k: int = 1) -> dict[str, Any]:
    """The ``k`` shortest paths between two people or concepts, hop by hop with the relation of each hop.

    ``relations``: "reporting" (the solid line only) or "all" (dotted lines, collaboration and ownership
    of products and portfolios too).
    """
    from kg.projection import DEFAULT_ORG_RELATIONS

    if relations not in ("reporting", "all"):
        raise KGError(f"unknown relations '{relations}'; choose reporting or all")
    G = project(store, "org", ("reporting",) if relations == "reporting" else DEFAULT_ORG_RELATIONS)
    hint = ("try --relations all" if relations == "reporting"
            else "it links people, products and portfolios; for roles see `kg explain`")
    start, end = resolve_node(store, G, a, hint), resolve_node(store, G, b, hint)
    paths = shortest_paths(G, start, end, k)
    walked = {start, end} | {hop[x] for p in paths for hop in p for x in ("from", "to")}
    labels = _entities(store, sorted(walked))
    return {
        "from": labels[start], "to": labels[end],
        "paths": [{"length": len(p), "hops": [{"from": labels[h["from"]], "relation": h["relation"],
                                               "to": labels[h["to"]]} for h in p]} for p in paths],
    }


def layers_report(store: Store) -> list[dict[str, int]]:
    """People and managers per layer of the reporting forest (layer 1 is the top)."""
    return layers(project(store, "reporting"))


def health_report(store: Store, n: int = 10) -> dict[str, Any]:
    """:func:`health` of the reporting forest with people named, plus headcount per unit and dotted lines."""
    from kg.projection import reporting_forest, set_chart_attributes

    G = reporting_forest(store, attributes=False)
    out = health(G, n)
    set_chart_attributes(store, G, ("unit",))
    singles = out["single_report_managers"]
    named = _entities(store, singles[:n] + [t["manager"] for t in out["largest_teams"]])
    out["single_report_managers"] = {"count": len(singles), "first": [named[m] for m in singles[:n]]}
    out["largest_teams"] = [named[t["manager"]] | {"headcount": t["headcount"],
                                                    "direct_reports": t["direct_reports"]}
                            for t in out["largest_teams"]]
    out["headcount_by_unit"] = headcount_by(G, "unit")
    out["dotted_lines"] = len(G.graph["dotted_lines"])
    return out


def communities_report(store: Store, graph: str = "org", seed: int = 0, resolution: float = 1.0,
                       members: int = 8) -> list[dict[str, Any]]:
    """Louvain communities of a projection, largest first: size and the best-connected members."""
    G = project(store, graph)
    found = communities(G, seed=seed, resolution=resolution)
    degree = dict(G.degree())
    shown = [sorted(c, key=lambda x: (-degree[x], str(x)))[:members] for c in found]
    labels = _entities(store, [x for group in shown for x in group])
    return [{"community": i, "size": len(c), "members": [labels[x] for x in group]}
            for i, (c, group) in enumerate(zip(found, shown, strict=True), 1)]
