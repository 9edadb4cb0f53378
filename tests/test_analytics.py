"""Analytics on networkx graphs: linear-time centrality equals networkx, reporting measures, paths."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import analytics as A
from kg.errors import KGError


def _forest(sizes: list[int], seed: int, reverse: bool = False) -> nx.DiGraph:
    """A random forest of trees of the given sizes, edges manager -> report (or report -> manager)."""
    rng = random.Random(seed)
    G = nx.DiGraph()
    start = 0
    for size in sizes:
        G.add_node(start)
        for i in range(start + 1, start + size):
            boss = rng.randrange(max(start, i - rng.choice([1, 3, 50])), i)
            G.add_edge(*((i, boss) if reverse else (boss, i)))
        start += size
    return G


sizes = st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=3)
big_sizes = st.lists(st.integers(min_value=1200, max_value=2000), min_size=1, max_size=1)
seeds = st.integers(min_value=0, max_value=10**6)
forests = st.builds(_forest, sizes, seeds, st.booleans())  # either direction: centrality ignores it
reporting_forests = st.builds(_forest, sizes, seeds)  # manager -> report


@settings(max_examples=30, deadline=None)
@given(forests)
def test_linear_betweenness_and_closeness_equal_networkx(G: nx.DiGraph) -> None:
    _check_against_networkx(G)


@pytest.mark.slow
@settings(max_examples=2, deadline=None)  # networkx takes seconds on each of these
@given(st.builds(_forest, big_sizes, seeds, st.booleans()))
def test_linear_centrality_equals_networkx_on_a_few_thousand_nodes(G: nx.DiGraph) -> None:
    _check_against_networkx(G)


def _check_against_networkx(G: nx.DiGraph) -> None:
    U = G.to_undirected()
    ours = A.tree_betweenness(G)
    theirs = nx.betweenness_centrality(U, normalized=True)
    assert ours.keys() == theirs.keys()
    assert all(abs(ours[v] - theirs[v]) <= 1e-9 for v in G)
    raw, n = A.tree_betweenness(G, normalized=False), len(G)
    assert all(abs(raw[v] * (2 / ((n - 1) * (n - 2)) if n > 2 else 0) - ours[v]) <= 1e-9 for v in G)
    ours_c = A.tree_closeness(G)
    sample = list(G)[:: max(1, len(G) // 40)]  # networkx per node: all nodes would be O(n^2)
    for v in sample:
        assert abs(ours_c[v] - nx.closeness_centrality(U, u=v)) <= 1e-9


@settings(max_examples=30, deadline=None)
@given(reporting_forests, st.data())
def test_lowest_common_manager_equals_networkx(G: nx.DiGraph, data: st.DataObject) -> None:
    nodes = sorted(G)
    for _ in range(5):
        a, b = data.draw(st.sampled_from(nodes)), data.draw(st.sampled_from(nodes))
        assert A.lowest_common_manager(G, a, b) == nx.lowest_common_ancestor(G, a, b)


@settings(max_examples=30, deadline=None)
@given(forests, st.data(), st.integers(min_value=1, max_value=4))
def test_every_path_is_a_real_path(G: nx.DiGraph, data: st.DataObject, k: int) -> None:
    H = G.copy()
    rng = random.Random(len(G))
    nodes = list(H)
    for _ in range(min(20, len(nodes))):  # extra links make alternatives
        u, v = rng.choice(nodes), rng.choice(nodes)
        if u != v:
            H.add_edge(u, v, relation="collaborates with", inverse="collaborates with")
    a, b = data.draw(st.sampled_from(nodes)), data.draw(st.sampled_from(nodes))
    try:
        paths = A.shortest_paths(H, a, b, k=k)
    except A.NoPathError:
        assert not nx.has_path(H.to_undirected(), a, b)
        return
    assert 1 <= len(paths) <= k
    assert len(paths[0]) == nx.shortest_path_length(H.to_undirected(), a, b)
    for hops in paths:
        walked = [a] + [hop["to"] for hop in hops]
        assert walked[-1] == b and len(set(walked)) == len(walked)
        for hop in hops:
            assert H.has_edge(hop["from"], hop["to"]) or H.has_edge(hop["to"], hop["from"])
    assert [len(p) for p in paths] == sorted(len(p) for p in paths)


# -- hand-checkable fixtures ---------------------------------------------------------------------------------

@pytest.fixture
def chart() -> nx.DiGraph:
    """ceo -> cpo -> (pm1, pm2 -> po), ceo -> cto -> eng; and a second tree x -> y."""
    G = nx.DiGraph(relation="manages", inverse="reports to")
    G.add_edges_from([("ceo", "cpo"), ("cpo", "pm1"), ("cpo", "pm2"), ("pm2", "po"), ("ceo", "cto"),
                      ("cto", "eng"), ("x", "y")])
    for node in G:
        G.nodes[node]["unit"] = "Product" if node in ("cpo", "pm1", "pm2", "po") else "Other"
    return G


def test_betweenness_by_hand(chart: nx.DiGraph) -> None:
    b = A.tree_betweenness(chart, normalized=False)
    # cpo separates {pm1}, {pm2, po} and {ceo, cto, eng}: 1*2 + 1*3 + 2*3 = 11 pairs
    assert b["cpo"] == 11 and b["ceo"] == 4 * 2 and b["pm2"] == 5 and b["po"] == 0 and b["y"] == 0
    n = len(chart)
    assert A.tree_betweenness(chart)["cpo"] == pytest.approx(11 * 2 / ((n - 1) * (n - 2)))


def test_closeness_by_hand(chart: nx.DiGraph) -> None:
    c = A.tree_closeness(chart)
    # ceo reaches 6 others at distances 1,1,2,2,2,3 (sum 11) in a graph of 9 nodes
    assert c["ceo"] == pytest.approx((6 / 11) * (6 / 8))
    assert c["x"] == pytest.approx(1 * (1 / 8))


def test_reporting_measures_by_hand(chart: nx.DiGraph) -> None:
    assert A.depths(chart)["po"] == 3
    assert [(x["layer"], x["posts"], x["managers"]) for x in A.layers(chart)] == [
        (1, 2, 2), (2, 3, 2), (3, 3, 1), (4, 1, 0)]
    assert A.headcounts(chart)["ceo"] == 6 and A.headcounts(chart)["x"] == 1
    assert A.span_distribution(chart) == {1: 3, 2: 2}
    assert sorted(A.single_report_managers(chart)) == ["cto", "pm2", "x"]
    assert A.largest_teams(chart, 2) == [{"manager": "ceo", "headcount": 6, "direct_reports": 2},
                                         {"manager": "cpo", "headcount": 3, "direct_reports": 2}]
    assert A.headcount_by(chart) == {"Other": 5, "Product": 4}
    assert A.lowest_common_manager(chart, "po", "pm1") == "cpo"
    assert A.lowest_common_manager(chart, "po", "cpo") == "cpo"
    assert A.lowest_common_manager(chart, "po", "y") is None
    h = A.health(chart)
    assert (h["posts"], h["roots"], h["layers"], h["managers"]) == (9, 2, 4, 5)
    assert h["span"] == {"mean": 1.4, "median": 1, "max": 2, "distribution": {1: 3, 2: 2}}


def test_paths_read_the_relation_of_each_hop(chart: nx.DiGraph) -> None:
    [hops] = A.shortest_paths(chart, "po", "eng")
    assert [(h["from"], h["relation"], h["to"]) for h in hops] == [
        ("po", "reports to", "pm2"), ("pm2", "reports to", "cpo"), ("cpo", "reports to", "ceo"),
        ("ceo", "manages", "cto"), ("cto", "manages", "eng")]
    with pytest.raises(A.NoPathError, match="no path links"):
        A.shortest_paths(chart, "po", "y")


def test_cycles_are_cut_not_followed() -> None:
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("root", "d")])
    # The forest cuts the ring at its smallest node: a heads it, b and c below (an answer, never a refusal).
    assert A.depths(G) == {"a": 0, "b": 1, "c": 2, "root": 0, "d": 1}
    assert A.as_forest(G).cycles == [["a", "c", "b"]]
    assert A.lowest_common_manager(G, "a", "d") is None and A.lowest_common_manager(G, "b", "c") == "b"
    assert not A.is_forest(G)
    # centrality falls back to networkx on graphs with cycles
    assert A.centrality(G, "betweenness") == pytest.approx(nx.betweenness_centrality(G.to_undirected()))


def test_centrality_metrics_and_sampling(chart: nx.DiGraph) -> None:
    before = nx.to_dict_of_dicts(chart), dict(chart.nodes(data=True)), dict(chart.graph)
    U = chart.to_undirected()
    for metric, expected in [("degree", nx.degree_centrality(U)), ("closeness", nx.closeness_centrality(U)),
                             ("pagerank", nx.pagerank(U, tol=1e-9, max_iter=1000)),
                             ("eigenvector", nx.eigenvector_centrality(U, max_iter=1000, tol=1e-8))]:
        got = A.centrality(chart, metric)
        assert got == pytest.approx(expected, abs=1e-5), metric
    assert before == (nx.to_dict_of_dicts(chart), dict(chart.nodes(data=True)), dict(chart.graph))
    G = nx.karate_club_graph()
    sampled = A.centrality(G, "betweenness", k=20, seed=1)
    assert sampled == A.centrality(G, "betweenness", k=20, seed=1)  # seeded: reproducible
    assert A.top(sampled, 1)[0][0] == A.top(nx.betweenness_centrality(G), 1)[0][0]
    with pytest.raises(KGError, match="unknown centrality metric"):
        A.centrality(G, "fame")


def test_communities_are_seeded_and_cover_the_graph() -> None:
    G = nx.karate_club_graph()
    found = A.communities(G, seed=3)
    assert found == A.communities(G, seed=3)
    assert set().union(*found) == set(G) and sum(len(c) for c in found) == len(G)
    assert len(found[0]) >= len(found[-1])
