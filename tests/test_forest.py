"""The reporting forest (kg/forest.py): every operation equals the networkx computation on the same graph after
the forest's documented cuts (several managers: the smallest manager IRI stays; self-loops are roots; dangling
lines are dropped; each cycle is cut at its smallest member), on random graphs with duplicate ids, self-loops,
cycles and dangling managers."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.forest import GROUP, VACANT, Forest, Rows, node

# Random data: nodes n0..nK (ids drawn from a few values, so they repeat), edges between any of them and a few
# managers that are not nodes (dangling).
graphs = st.integers(min_value=1, max_value=25).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n + 2)), max_size=3 * n),
    st.lists(st.sampled_from(["1", "2", "3", None]), min_size=n, max_size=n),
    st.lists(st.sampled_from(["Ann", "bob", "Cy", None]), min_size=n, max_size=n),
))


def _iri(i: int) -> str:
    return f"http://e/p{i:02d}"


def _build(data: tuple[int, list[tuple[int, int]], list[str | None], list[str | None]]) -> tuple[Forest, nx.DiGraph,
                                                                                                   list[list[str]]]:
    n, pairs, ids, names = data
    nodes = [node(_iri(i), id=ids[i], name=names[i]) for i in range(n)]
    edges = [(_iri(a), _iri(b)) for a, b in pairs]
    f = Forest(nodes, edges)
    # The documented cuts, computed apart with networkx.
    managers: dict[str, set[str]] = {}
    for a, b in edges:
        if a != b and int(b[-2:]) < n:  # self-loops and dangling lines are out
            managers.setdefault(a, set()).add(b)
    chosen = {a: min(ms) for a, ms in managers.items()}
    functional = nx.DiGraph(list(chosen.items()))
    rings = [list(c) for c in nx.simple_cycles(functional)]
    for ring in rings:
        del chosen[min(ring)]
    T = nx.DiGraph()
    T.add_nodes_from(_iri(i) for i in range(n))
    T.add_edges_from((m, r) for r, m in chosen.items())
    return f, T, rings


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_every_operation_equals_networkx_after_the_cuts(data) -> None:  # type: ignore[no-untyped-def]
    f, T, rings = _build(data)
    assert nx.is_forest(T)
    assert sorted(f.edges()) == sorted((r, m) for m, r in T.edges())
    assert set(f.roots()) == {x for x in T if T.in_degree(x) == 0}
    assert sorted(map(sorted, f.cycles)) == sorted(map(sorted, rings))
    for ring in f.cycles:  # each listed from the member cut, then its manager, and so on
        assert ring[0] == min(ring)
    several = {a: sorted(ms) for a, ms in _managers(data).items() if len(ms) > 1}
    assert f.several_managers == several
    depth = f.depths()
    for x in T:
        top = next(r for r in T if T.in_degree(r) == 0 and (r == x or nx.has_path(T, r, x)))
        up = nx.shortest_path(T, top, x)[::-1][1:]
        assert f.chain(x) == up
        assert depth[x] == len(up)
        below = nx.single_source_shortest_path_length(T, x)
        assert dict(f.descendants(x)) == {y: d for y, d in below.items() if y != x}
        assert dict(f.descendants(x, depth=1)) == {y: 1 for y in T.successors(x)}
        assert f.headcount(x) == len(nx.descendants(T, x))
        assert set(f.direct_reports(x)) == set(T.successors(x))
        boss = next(iter(T.predecessors(x)), None)
        assert f.manager(x) == boss
        assert set(f.peers(x)) == (set(T.successors(boss)) - {x} if boss else set())
        assert sorted(f.subtree(x)) == sorted(nx.descendants(T, x) | {x})
    counts = [0] * (max(depth.values()) + 1)
    for d in depth.values():
        counts[d] += 1
    assert f.layers() == counts
    G = f.to_networkx()
    assert set(G.edges()) == set(T.edges()) and set(G) == set(T)


def _managers(data) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    n, pairs, _, _ = data
    out: dict[str, set[str]] = {}
    for a, b in pairs:
        if a != b and b < n:
            out.setdefault(_iri(a), set()).add(_iri(b))
    return out


@settings(max_examples=150, deadline=None)
@given(graphs, st.data())
def test_common_manager_and_path_equal_networkx(data, pick) -> None:  # type: ignore[no-untyped-def]
    f, T, _ = _build(data)
    nodes = sorted(T)
    a, b = pick.draw(st.sampled_from(nodes)), pick.draw(st.sampled_from(nodes))
    tree = nx.Graph(T)
    if nx.has_path(tree, a, b):
        lca = nx.lowest_common_ancestor(T, a, b)
        assert f.common_manager(a, b) == lca
        assert f.path(a, b) == nx.shortest_path(tree, a, b)
    else:
        assert f.common_manager(a, b) is None and f.path(a, b) is None


def test_direct_reports_are_ordered_by_name_then_id() -> None:
    f = Forest([node("m"), node("x", name="bob", id="2"), node("y", name="Ann", id="9"), node("z", id="1"),
                node("w", name="Bob", id="1")], [(c, "m") for c in "xyzw"])
    assert f.direct_reports("m") == ["y", "w", "x", "z"]  # Ann, Bob (id 1), bob (id 2), unnamed last


def test_dangling_and_self_loops_are_recorded() -> None:
    f = Forest([node("a"), node("b")], [("a", "a"), ("b", "nobody"), ("b", "a")])
    assert f.self_loops == ["a"] and f.dangling == [("b", "nobody")] and f.manager("b") == "a"
    assert f.counts()["reporting_edges"] == 1


def test_the_same_node_from_two_sources_is_one_node() -> None:
    f = Rows([node("a", name="Ann"), node("a", title="CEO"), node("b")], [("b", "a"), ("b", "a")]).forest()
    assert len(f) == 2 and f.record("a").name == "Ann" and f.record("a").title == "CEO"
    assert f.several_managers == {}


def test_counts_and_fte_below() -> None:
    f = Forest([node("a", name="Ann"), node("v", status=VACANT), node("g", kind=GROUP, fte=12.5),
                node("u")], [("v", "a"), ("g", "a"), ("u", "v")])
    counts = f.counts()
    assert (counts["posts"], counts["groups"], counts["named_people"], counts["vacancies"]) == (3, 1, 1, 1)
    assert f.fte_below("a") == 12.5 + 0 + 1  # the group's FTE, the vacant post's 0, the unnamed post's 1
    assert counts["fte"] == 1 + 0 + 12.5 + 1


def test_to_networkx_is_the_graph_networkx_builds_itself() -> None:
    """The graph built whole (networkx's own dicts) equals the one add_nodes_from/add_edges_from builds in the
    placed order (breadth first, each manager's reports in order), on a real organogram's rows, and behaves as
    any DiGraph afterwards."""
    from pathlib import Path

    from kg.forest import NODE_FIELDS
    from kg.ingest.csv_import import CsvOptions, import_csv

    real = Path(__file__).resolve().parent / "data" / "realdata" / "uk-organograms"
    rows = Rows()
    for name in ("300913-HMRC-Organogram-Final-senior.csv", "300913-HMRC-Organogram-Final-junior.csv"):
        _, chunks = import_csv(real / name, CsvOptions(), None, None, rows)
        b"".join(chunks)
    f = rows.forest()
    for attributes in (True, False):
        G = f.to_networkx(attributes)
        H = nx.DiGraph(direction="manager -> report")
        order = [p[6] for p in f.placed()]
        H.add_nodes_from((x, dict(zip(NODE_FIELDS[1:], f.row(x)[1:], strict=True)) if attributes else {})
                         for x in order)
        H.add_edges_from((m, r) for m in order for r in f.direct_reports(m))
        assert nx.utils.graphs_equal(G, H) and list(G) == list(H) and list(G.edges()) == list(H.edges())
        assert dict(G.nodes(data=True)) == dict(H.nodes(data=True)) and len(G) == len(f.rows()) > 1000
    G.add_edge("x", f.roots()[0])
    assert G.in_degree(f.roots()[0]) == 1 and "x" in G.nodes and G.has_successor("x", f.roots()[0])
