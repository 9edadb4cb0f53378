"""Projections from a real store to networkx: the reporting forest, the organization and concept graphs."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from kg import analytics as A
from kg import projection as P
from kg.errors import KGError
from kg.ingest.load import load_files
from kg.store import opened
from kg.vocab import PO, SKOS

POST = "http://w3id.org/product-org/id/example-product-org/post/"


def test_reporting_forest_is_the_solid_line_manager_to_report(example_store: Path) -> None:
    with opened(example_store) as store:
        G = P.reporting_forest(store)
    assert G.graph["direction"] == "manager -> report"
    assert len(G) == 52 and G.number_of_edges() == 51
    assert A.roots(G) == [POST + "P01"]
    assert set(G.successors(POST + "P13")) >= {POST + "P17", POST + "P18"}
    shown = ("kind", "id", "name", "unit", "title", "role")
    assert {k: G.nodes[POST + "P19"][k] for k in shown} == {
        "kind": "post", "id": "P19", "name": "Isabel Costa", "unit": "Product",
        "title": "Product Owner, Docs", "role": "Product Owner"}
    # the vacant post is on the chart without a name; dotted lines are kept apart
    assert G.nodes[POST + "P18"]["id"] == "P18" and G.nodes[POST + "P18"]["name"] is None
    assert (POST + "P28", POST + "P09") in G.graph["dotted_lines"]
    assert not G.has_edge(POST + "P09", POST + "P28") and not G.has_edge(POST + "P28", POST + "P09")
    assert nx.is_forest(G) and A.is_forest(G)


def test_reporting_forest_keeps_one_manager_and_reports_loops(tmp_path: Path) -> None:
    data = tmp_path / "odd.ttl"
    data.write_text("""@prefix org: <http://www.w3.org/ns/org#> . @prefix ex: <http://example.org/> .
ex:a org:reportsTo ex:root . ex:a org:reportsTo ex:other . ex:b org:reportsTo ex:a . ex:c org:reportsTo ex:c .
ex:x org:reportsTo ex:y . ex:y org:reportsTo ex:x .
""")
    with opened(tmp_path / "store", write=True) as store:
        load_files(store, [data])
    with opened(tmp_path / "store") as store:
        G = P.reporting_forest(store, attributes=False)
    ex = "http://example.org/"
    assert G.graph["dropped"] == [(ex + "a", ex + "root")]  # two solid managers: the first by IRI stays
    assert list(G.predecessors(ex + "a")) == [ex + "other"]
    assert G.graph["self_loops"] == [ex + "c"] and ex + "c" in G and not G.has_edge(ex + "c", ex + "c")
    # The ring x <-> y is cut at x (the smaller IRI): recorded, and x heads it.
    assert G.graph["cycles"] == [[ex + "x", ex + "y"]] and G.graph["cut"] == [(ex + "x", ex + "y")]
    assert A.depths(G)[ex + "y"] == 1


def test_org_graph_labels_each_relation(example_store: Path) -> None:
    with opened(example_store) as store:
        G = P.org_graph(store, attributes=True)
        only_reporting = P.org_graph(store, ["reporting"])
    product = "http://w3id.org/product-org/id/example-product-org/product-docs"
    assert G.edges[POST + "P19", POST + "P14"]["relation"] == "reports to"
    assert G.edges[POST + "P28", POST + "P09"]["relation"] == "reports to (dotted line)"
    assert G.edges[product, POST + "P19"] == {"relation": "owned by", "inverse": "owns", "group": "ownership"}
    assert G.nodes[product]["kind"] == "product" and G.nodes[product]["label"] == "Docs"
    assert A.hop_relation(G, POST + "P19", product) == "owns"
    assert only_reporting.number_of_edges() == 51 and product not in only_reporting
    with pytest.raises(KGError, match="unknown relation group"):
        P.org_graph(store, ["gossip"])


def test_concept_graph_links_concepts_only(example_store: Path) -> None:
    with opened(example_store) as store:
        G = P.concept_graph(store)
        narrow = P.concept_graph(store, [P.Relation(SKOS.broader, "is a kind of", "includes")], derived=False)
    kinds = {G.nodes[n]["kind"] for n in G}
    assert {"role", "role family", "portfolio", "product", "unit"} <= kinds
    assert "post" not in kinds and "person" not in kinds
    assert not any(n.startswith(POST) for n in G)
    assert all(not str(n).startswith(("_:", '"')) for n in G)  # no blank nodes, no literals
    predicates = {d.get("predicate") for _, _, d in G.edges(data=True)}
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" not in predicates
    assert G.edges[PO.ProductOwner, PO.ProductManagementFamily]["relation"] == "is a kind of"
    portfolio = "http://w3id.org/product-org/id/example-product-org/portfolio-workplace"
    assert G.edges[portfolio, PO.PortfolioOwner]["relation"] == "owned by a"  # derived from the owner's post
    assert {d["predicate"] for _, _, d in narrow.edges(data=True)} == {SKOS.broader}


def test_describe_names_people_and_concepts(example_store: Path) -> None:
    with opened(example_store) as store:
        info = P.describe(store, [POST + "P02", PO.ChiefProductOfficer, "http://example.org/nothing"])
    assert info[POST + "P02"]["label"] == "Daniel Reyes" and info[POST + "P02"]["kind"] == "post"
    assert info[PO.ChiefProductOfficer]["label"] == "Chief Product Officer"
    assert info[PO.ChiefProductOfficer]["kind"] == "role"
    assert info["http://example.org/nothing"]["label"] == "nothing"


def test_analytics_never_mutate_the_projection(example_store: Path) -> None:
    with opened(example_store) as store:
        G = P.org_graph(store, attributes=True)
    before = (nx.to_dict_of_dicts(G), dict(G.nodes(data=True)), dict(G.graph))
    for metric in A.METRICS:
        A.centrality(G, metric)
    A.communities(G)
    A.shortest_paths(G, POST + "P19", POST + "P05", k=3)
    assert before == (nx.to_dict_of_dicts(G), dict(G.nodes(data=True)), dict(G.graph))


def test_collaboration_links_people_only(example_store: Path, tmp_path: Path) -> None:
    extra = tmp_path / "collab.ttl"
    extra.write_text(f"<{POST}P19> <{PO.collaboratesWith}> <{POST}P34> .\n")
    with opened(example_store, write=True) as store:
        load_files(store, [extra])
    with opened(example_store) as store:
        G = P.org_graph(store, ["collaboration"])
        paths = A.shortest_paths(P.org_graph(store), POST + "P34", POST + "P19")
    assert G.edges[POST + "P19", POST + "P34"]["relation"] == "collaborates with"
    assert PO.ChiefProductOfficer not in G  # role-level collaboration stays in the concept graph
    assert [h["relation"] for h in paths[0]] == ["collaborates with"]
