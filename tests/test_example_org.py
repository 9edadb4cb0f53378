"""The example organization: every role used, portfolios, a dotted line, a vacancy; CSV and Turtle agree."""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.compare import isomorphic

from kg import org
from kg.ingest.load import load_files
from kg.ontology import data_file
from kg.store import opened


def test_every_role_of_the_core_taxonomy_is_held(example_store: Path) -> None:
    # the roles of product_org.ttl (the seed text's taxonomy); the ladders (product_org_ladders.ttl) add more
    # roles than this 52-person example holds
    from kg.ontology import ontology_dir

    core = rdflib.Graph().parse(ontology_dir() / "product_org.ttl")
    roles = {str(r) for r in core.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/org#Role"))}
    with opened(example_store) as store:
        held = {r["role"] for r in store.select("SELECT DISTINCT ?role WHERE { ?p po:hasRole ?role }")}
        assert roles and roles <= held, sorted(roles - held)
        roles = store.select("SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?p po:hasRole ?r }")
        assert int(roles[0]["n"]) >= 15


def test_portfolios_products_dotted_line_vacancy(example_store: Path) -> None:
    with opened(example_store) as store:
        owned = store.select("SELECT ?pf ?owner WHERE { ?pf a po:Portfolio ; po:ownedBy/po:identifier ?owner }")
        assert sorted(r["owner"] for r in owned) == ["P11", "P12"]
        products = store.select("SELECT ?p ?owner WHERE { ?pf po:hasProduct ?p . "
                                "OPTIONAL { ?p po:ownedBy/org:heldBy/foaf:name ?owner } }")
        assert len(products) == 7 and sum(1 for r in products if r["owner"]) == 6
        assert org.who(store, "P28")["dotted_line_managers"][0]["id"] == "P09"
        assert org.who(store, "P18")["status"] == "vacant"
        assert len(store.sources()) == 2


def _source_graph(store_path: Path) -> rdflib.Graph:
    import pyoxigraph as ox

    graph = rdflib.Graph()
    with opened(store_path) as store:
        for source in store.sources():
            graph.parse(data=store.db.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(source.graph)),
                        format="nt")
    return graph


def test_turtle_form_is_current_and_loads_to_the_same_graph(example_store: Path, tmp_path: Path) -> None:
    shipped = rdflib.Graph().parse(data_file("example_org.ttl"))
    assert isomorphic(shipped, _source_graph(example_store)), "run scripts/build_example_ttl.py"
    with opened(tmp_path / "ttl", write=True) as store:
        load_files(store, [data_file("example_org.ttl")])
    assert isomorphic(_source_graph(tmp_path / "ttl"), shipped)  # the RDF importer adds nothing
    with opened(tmp_path / "ttl") as store:
        assert [p["id"] for p in org.chain(store, "Isabel Costa").people] == ["P14", "P09", "P08", "P06", "P02",
                                                                              "P01"]
        assert org.span(store, 1)[0] | {"fte_below": None} == {
            "fte_below": None, "id": "P01", "name": "Amara Okafor", "title": "Chief Executive Officer",
                                             "iri": org.span(store, 1)[0]["iri"], "direct_reports": 5,
                                             "headcount": 51}
