"""Network analytics of an organization: plain functions of networkx graphs (they never print or mutate).

Graphs come from :mod:`kg.projection` (or are built by hand). Reporting functions take a *reporting graph*:
a DiGraph with edges manager -> report; they read it as the reporting forest (:func:`as_forest`: several
managers and cycles cut by the forest's rules), so they answer on any graph.

Centrality is computed on the **undirected reading** of any graph (``G.to_undirected()``): a broker links
its team to the rest of the organization whatever the direction of the arrows. On forests (the reporting
line) betweenness and closeness are exact in linear time from subtree sizes, equal to
``nx.betweenness_centrality(G.to_undirected(), normalized=True)`` and ``nx.closeness_centrality(
G.to_undirected())`` (Wasserman-Faust scaling per component, as networkx does). Other graphs use networkx,
with ``k`` sampled pivots (seeded) for betweenness on big ones.

Functions that take a store and label results for the command line are in :mod:`kg.org_reports`.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Hashable
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from kg.choices import METRICS
from kg.errors import KGError, NotFoundError
from kg.forest import Forest, Placed

if TYPE_CHECKING:
    import networkx as nx

Node = Hashable


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
    through = _through(forest.parent, forest.size, forest.comp_size)
    return dict(zip(forest.nodes, (through * _scale(len(forest.nodes), normalized)).tolist(), strict=True))


def _scale(n: int, normalized: bool) -> float:
    return 0.0 if n <= 2 else 1 / ((n - 1) * (n - 2)) if normalized else 0.5


def _through(parent: Any, size: Any, comp_size: Any) -> Any:
    """Ordered pairs (s, t), s != v != t, whose path runs through each v of a forest, as networkx counts
    them (numpy int64 arrays: parent -1 at a root, subtree size, size of the node's tree)."""
    import numpy as np

    n = len(parent)
    child_squares = np.zeros(n + 1, dtype=np.int64)
    np.add.at(child_squares, np.where(parent < 0, n, parent), size * size)
    up, others = comp_size - size, comp_size - 1
    return others * others - child_squares[:n] - up * up


def placed_betweenness(manager_pos: Any, below: Any, normalized: bool = True) -> Any:
    """Betweenness (``normalized`` or pairs) of every node of a placed forest (:meth:`kg.forest.Forest.placed`:
    columns in position order, so every manager comes before its reports), as a numpy array; the same numbers as
    :func:`tree_betweenness` of the forest's graph, without building one.

    >>> from kg.forest import Forest, node
    >>> f = Forest([node(x) for x in "abcd"], [("b", "a"), ("c", "a"), ("d", "b")])
    >>> cols = list(zip(*f.placed(), strict=True))
    >>> placed_betweenness(cols[11], cols[2]).tolist(), [tree_betweenness(f.to_networkx())[x] for x in cols[6]]
    ([0.6666666666666666, 0.6666666666666666, 0.0, 0.0], [0.6666666666666666, 0.6666666666666666, 0.0, 0.0])
    """
    import numpy as np

    parent = np.asarray(manager_pos, dtype=np.int64)
    size = np.asarray(below, dtype=np.int64) + 1
    n = len(parent)
    top = np.where(parent < 0, np.arange(n), parent)  # each node's root, by pointer jumping
    while True:
        higher = top[top]
        if np.array_equal(higher, top):
            break
        top = higher
    return _through(parent, size, size[top]) * _scale(n, normalized)


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


# -- the reporting structure: the forest's answers on a graph ------------------------------------------------


def as_forest(G: nx.DiGraph) -> Forest:
    """The reporting forest (:class:`kg.forest.Forest`) of a graph whose edges go manager -> report, its node
    attributes ``id``, ``name``, ``title``, ``unit``... as records. Several managers and cycles are cut by the
    forest's rules, so every function below answers on any graph (never a refusal, never a hang).

    >>> import networkx as nx
    >>> as_forest(nx.DiGraph([("a", "b"), ("b", "a")])).cycles
    [['a', 'b']]
    """
    from kg.forest import NODE_FIELDS

    def row(n: Node, data: dict[str, Any]) -> tuple[Any, ...]:
        return (n, *(data.get(f, "post" if f == "kind" else None) for f in NODE_FIELDS[1:]))

    return Forest([row(n, d) for n, d in G.nodes(data=True)], [(v, u) for u, v in G.edges()])


def roots(G: nx.DiGraph) -> list[Node]:
    """People with no manager (the top of each tree of the forest).

    >>> import networkx as nx
    >>> roots(nx.DiGraph([("a", "b"), ("x", "y")]))
    ['a', 'x']
    """
    return as_forest(G).roots()


def depths(G: nx.DiGraph) -> dict[Node, int]:
    """Depth of each person: 0 at the top, 1 for direct reports of the top, ...

    >>> import networkx as nx
    >>> depths(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]))
    {'ceo': 0, 'cpo': 1, 'pm': 2, 'cto': 1}
    """
    return as_forest(G).depths()


def layer_table(f: Forest) -> list[dict[str, int]]:
    """Posts per layer of a forest (layer 1 is the top) and how many of them manage someone.

    >>> from kg.forest import node
    >>> layer_table(Forest([node("a"), node("b"), node("c")], [("b", "a"), ("c", "b")]))
    [{'layer': 1, 'posts': 1, 'managers': 1}, {'layer': 2, 'posts': 1, 'managers': 1}, \
{'layer': 3, 'posts': 1, 'managers': 0}]
    """
    return f.layer_table()


def layers(G: nx.DiGraph) -> list[dict[str, int]]:
    """:func:`layer_table` of a graph.

    >>> import networkx as nx
    >>> layers(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]))
    [{'layer': 1, 'posts': 1, 'managers': 1}, {'layer': 2, 'posts': 2, 'managers': 1}, \
{'layer': 3, 'posts': 1, 'managers': 0}]
    """
    return layer_table(as_forest(G))


def headcounts(G: nx.DiGraph) -> dict[Node, int]:
    """Number of people below each person (all levels), in linear time.

    >>> import networkx as nx
    >>> headcounts(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]))
    {'ceo': 3, 'cpo': 1, 'pm': 0, 'cto': 0}
    """
    return as_forest(G).headcounts()


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
    return as_forest(G).common_manager(a, b)


def forest_health(f: Forest, n: int = 10) -> dict[str, Any]:
    """Organization health of a forest: the counts (README names), layers, span of control, single-report
    managers, largest teams (by headcount below), cycles cut and several-manager posts.

    >>> from kg.forest import node
    >>> h = forest_health(Forest([node(x) for x in "abcd"], [("b", "a"), ("c", "b"), ("d", "a")]))
    >>> h["posts"], h["layers"], h["span"]["mean"], h["single_report_managers"]
    (4, 3, 1.5, ['b'])
    """
    return health_numbers(f.summary(), [r[6] for r in f.ranked("single")], f.ranked("teams", n),
                          [list(c) for c in f.cycles])


def health_numbers(summary: dict[str, Any], singles: list[Any], teams: list[Placed],
                   cycles: list[list[Any]]) -> dict[str, Any]:
    """:func:`forest_health` from a forest's :meth:`~kg.forest.Forest.summary` (its counts, layers and span
    distribution), its single-report managers, the placed rows of its largest teams and its cycles: one
    computation for a forest in memory and for the placed table a store keeps.

    >>> from kg.forest import Forest, node
    >>> f = Forest([node(x) for x in "abc"], [("b", "a"), ("c", "a")])
    >>> health_numbers(f.summary(), [], f.ranked("teams"), [])["span"]
    {'mean': 2.0, 'median': 2, 'max': 2, 'distribution': {2: 1}}
    """
    spans = [(int(d), int(c)) for d, c in summary["span"]]  # (direct reports, managers), fewest first
    managers = sum(c for _, c in spans)

    def nth(k: int) -> int:  # the k-th smallest span (from 0)
        for d, c in spans:
            if k < c:
                return d
            k -= c
        raise IndexError(k)

    mid = managers // 2
    median = (nth(mid) if managers % 2 else (nth(mid - 1) + nth(mid)) / 2) if managers else 0
    return {
        **summary["counts"],
        "layers": len(summary["layers"]),
        "managers": managers,
        "span": {"mean": round(sum(d * c for d, c in spans) / managers, 2) if managers else 0.0, "median": median,
                 "max": spans[-1][0] if spans else 0, "distribution": dict(spans)},
        "single_report_managers": singles,
        "largest_teams": [{"manager": r[6], "headcount": r[2], "direct_reports": r[4]} for r in teams],
        "cycles_cut": cycles,
        "several_managers": summary["several_managers"],
    }


def health(G: nx.DiGraph, n: int = 10) -> dict[str, Any]:
    """:func:`forest_health` of a graph.

    >>> import networkx as nx
    >>> h = health(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]))
    >>> h["posts"], h["layers"], h["span"]["mean"], h["single_report_managers"]
    (4, 3, 1.5, ['cpo'])
    """
    return forest_health(as_forest(G), n)


def span_distribution(G: nx.DiGraph) -> dict[int, int]:
    """How many managers have each number of direct reports.

    >>> import networkx as nx
    >>> span_distribution(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]))
    {1: 1, 2: 1}
    """
    return health(G)["span"]["distribution"]


def single_report_managers(G: nx.DiGraph) -> list[Node]:
    """Managers with exactly one direct report (a layer that may not be needed).

    >>> import networkx as nx
    >>> single_report_managers(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]))
    ['cpo']
    """
    return health(G)["single_report_managers"]


def largest_teams(G: nx.DiGraph, n: int = 10) -> list[dict[str, Any]]:
    """Managers with the most people below them: ``{"manager", "headcount", "direct_reports"}``.

    >>> import networkx as nx
    >>> largest_teams(nx.DiGraph([("ceo", "cpo"), ("cpo", "pm"), ("ceo", "cto")]), 1)
    [{'manager': 'ceo', 'headcount': 3, 'direct_reports': 2}]
    """
    return health(G, n)["largest_teams"]


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
