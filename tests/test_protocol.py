"""`kg serve` against the W3C SPARQL 1.1 Protocol test manifest (w3c/rdf-tests,
sparql/sparql11/protocol/manifest.ttl), as it applies to a read-only endpoint, plus the dataset cases over the
example organization's graphs.

Each test names the manifest entries it covers. The manifest's dataset tests use graphs at kasei.us that kg
does not hold (kg serves only its own graphs; any other IRI is an empty graph), so they are rewritten here over
the example organization's source graphs: the portfolio graph (products owned by posts) and the people graph
(posts with identifiers), whose join needs both graphs in the dataset. The manifest's positive update tests
(update_*) do not apply: kg serve is read-only, and every update is refused with a 403.
"""

from __future__ import annotations

import csv
import http.client
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest
from serving import serving

from kg.store import opened
from kg.vocab import CATALOG_GRAPH, ONTOLOGY_GRAPH

EXAMPLE = Path(__file__).parents[1] / "kg" / "data"
PO = "http://w3id.org/product-org/ontology#"
HIDDEN = "http://hidden.example/graph"  # in the database, but not a graph kg shows
ELSEWHERE = "http://kasei.us/2009/09/sparql/data/data1.rdf"  # the manifest's graph: not held by kg
TABULAR = {"application/sparql-results+xml", "application/sparql-results+json", "text/csv",
           "text/tab-separated-values"}
BOOLEAN = {"application/sparql-results+xml", "application/sparql-results+json"}
RDF = {"application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json"}
# products joined with the identifier of the post that owns them: needs the portfolio and the people graph
OWNED = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{PO}Product> ; <{PO}ownedBy> ?post . " \
        f"?post <{PO}identifier> ?id }}"
OWNED_NAMED = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g1 {{ ?x a <{PO}Product> ; " \
              f"<{PO}ownedBy> ?post }} GRAPH ?g2 {{ ?post <{PO}identifier> ?id }} }}"


@dataclass
class Served:
    port: int
    people: str  # graph IRIs of the example's two sources
    portfolio: str

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """One raw HTTP request (no header added but Host and, with a body, Content-Length)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body.encode() if isinstance(body, str) else body, headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def get(self, fields: list[tuple[str, str]], accept: str = "application/sparql-results+json",
            path: str = "/sparql/"):
        return self.request("GET", path + "?" + urlencode(fields, quote_via=quote), headers={"Accept": accept})

    def post_direct(self, query: str, fields: list[tuple[str, str]] | None = None,
                    accept: str = "application/sparql-results+json"):
        path = "/sparql/" + ("?" + urlencode(fields) if fields else "")
        return self.request("POST", path, query, {"Content-Type": "application/sparql-query", "Accept": accept})

    def post_form(self, fields: list[tuple[str, str]], path: str = "/sparql/",
                  accept: str = "application/sparql-results+json"):
        return self.request("POST", path, urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})


@pytest.fixture(scope="module")
def served(_example_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    store = tmp_path_factory.mktemp("protocol") / "store"
    shutil.copytree(_example_template, store)
    with opened(store, write=True) as kg_store:  # a graph in the database that no catalog entry names
        kg_store.db.add(ox.Quad(ox.NamedNode("http://hidden.example/s"), ox.NamedNode(PO + "identifier"),
                                ox.Literal("hidden"), ox.NamedNode(HIDDEN)))
        graphs = {s.name: s.graph for s in kg_store.sources()}
    with serving(store, "--workers", "2") as running:
        yield Served(running.port, graphs["example_org.csv"], graphs["example_portfolios.ttl"])


def boolean(answer: tuple[int, dict[str, str], bytes]) -> bool:
    status, headers, body = answer
    assert status == 200, body
    assert headers["content-type"].split(";")[0] in BOOLEAN
    return json.loads(body)["boolean"]


def number(answer: tuple[int, dict[str, str], bytes]) -> int:
    status, _, body = answer
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def column(answer: tuple[int, dict[str, str], bytes], name: str) -> list[str]:
    status, _, body = answer
    assert status == 200, body
    return sorted(b[name]["value"] for b in json.loads(body)["results"]["bindings"] if name in b)


def refused(answer: tuple[int, dict[str, str], bytes], *statuses: int) -> str:
    """The one-line plain-text message of a 4XX answer with one of ``statuses``."""
    status, headers, body = answer
    assert status in statuses, (status, body)
    assert headers["content-type"] == "text/plain; charset=utf-8"
    text = body.decode()
    assert text.endswith("\n") and text.count("\n") == 1 and len(text) < 400 and "<" not in text[:1]
    return text


@pytest.fixture(scope="module")
def example() -> dict[str, int]:
    """What the example's files hold, read from the files themselves."""
    triples = list(ox.parse(path=str(EXAMPLE / "example_portfolios.ttl"), format=ox.RdfFormat.TURTLE))
    products = {t.subject for t in triples if t.predicate.value.endswith("#type")
                and t.object == ox.NamedNode(PO + "Product")}
    owned = {t.subject for t in triples if t.subject in products and t.predicate == ox.NamedNode(PO + "ownedBy")}
    with (EXAMPLE / "example_org.csv").open(newline="", encoding="utf-8") as handle:
        ids = {row["employee_id"] for row in csv.DictReader(handle)}
    owners = {t.object.value.rsplit("/", 1)[-1] for t in triples if t.subject in owned
              and t.predicate == ox.NamedNode(PO + "ownedBy")}
    assert owners <= ids  # every owner is a post of the people file: the join finds each owned product
    return {"portfolio_triples": len(triples), "products": len(products), "owned": len(owned)}


# -- queries (manifest: query_get, query_post_form, query_post_direct) -------------------------------------


def test_query_get_post_form_and_post_direct(served: Served) -> None:
    # query_get: GET with a default-graph-uri kg does not hold (an empty graph): ASK {} is still true
    assert boolean(served.get([("query", "ASK {}"), ("default-graph-uri", ELSEWHERE)]))
    # query_post_form: url-encoded POST, the dataset in the URL's query string
    path = "/sparql/?" + urlencode({"default-graph-uri": ELSEWHERE})
    assert boolean(served.post_form([("query", "ASK {}")], path=path))
    # query_post_direct
    assert boolean(served.post_direct("ASK {}"))
    assert boolean(served.post_direct("ASK { ?s ?p ?o }"))  # the default dataset: kg's graphs


# -- the dataset (manifest: query_dataset_*, query_multiple_dataset) ----------------------------------------


def test_default_graph_uri_merges_the_graphs_given(served: Served, example: dict[str, int]) -> None:
    both = [("default-graph-uri", served.portfolio), ("default-graph-uri", served.people)]
    # query_dataset_default_graphs_get
    assert number(served.get([("query", OWNED), *both])) == example["owned"]
    # query_dataset_default_graphs_post
    assert number(served.post_direct(OWNED, both)) == example["owned"]
    assert number(served.post_form([("query", OWNED), *both])) == example["owned"]
    # one graph alone cannot answer the join: the default graph is exactly what was given
    assert number(served.get([("query", OWNED), ("default-graph-uri", served.portfolio)])) == 0
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert number(served.get([("query", count), ("default-graph-uri", served.portfolio)])) \
        == example["portfolio_triples"]
    # with default-graph-uri alone there are no named graphs
    assert column(served.get([("query", "SELECT ?g WHERE { GRAPH ?g { } }"),
                              ("default-graph-uri", served.portfolio)]), "g") == []


def test_named_graph_uri_names_exactly_the_graphs_given(served: Served, example: dict[str, int]) -> None:
    both = [("named-graph-uri", served.portfolio), ("named-graph-uri", served.people)]
    # query_dataset_named_graphs_post and query_dataset_named_graphs_get
    assert number(served.post_direct(OWNED_NAMED, both)) == example["owned"]
    assert number(served.get([("query", OWNED_NAMED), *both])) == example["owned"]
    assert column(served.get([("query", "SELECT ?g WHERE { GRAPH ?g { } }"), *both]), "g") \
        == sorted([served.portfolio, served.people])
    # with named-graph-uri alone the default graph is empty
    assert not boolean(served.get([("query", "ASK { ?s ?p ?o }"), *both]))
    assert number(served.get([("query", OWNED_NAMED), ("named-graph-uri", served.portfolio)])) == 0


def test_full_dataset(served: Served, example: dict[str, int]) -> None:
    # query_dataset_full: the ontology as the default graph, the two sources as named graphs
    query = f"ASK {{ ?c a <http://www.w3.org/2002/07/owl#Class> {OWNED_NAMED[OWNED_NAMED.index('GRAPH'):-1]} }}"
    fields = [("default-graph-uri", ONTOLOGY_GRAPH), ("named-graph-uri", served.portfolio),
              ("named-graph-uri", served.people)]
    assert boolean(served.post_direct(query, fields))
    assert not boolean(served.post_direct(query, fields[1:]))  # no ontology in the default graph


def test_protocol_dataset_overrides_from(served: Served, example: dict[str, int]) -> None:
    # query_multiple_dataset: FROM in the query and named-graph-uri in the protocol: the protocol's wins
    # (the manifest percent-encodes its second named-graph-uri into the first; here they are two parameters)
    query = f"ASK FROM <{ONTOLOGY_GRAPH}> {OWNED_NAMED[OWNED_NAMED.index('{'):]}"
    query = query.replace("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE", "")
    fields = [("named-graph-uri", served.portfolio), ("named-graph-uri", served.people)]
    assert boolean(served.post_direct(query, fields))
    count = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert number(served.get([("query", count), ("default-graph-uri", served.portfolio)])) \
        == example["portfolio_triples"]


def test_from_and_from_named_choose_among_kg_graphs(served: Served, example: dict[str, int]) -> None:
    count = f"PREFIX g: <{served.portfolio.rsplit('/', 1)[0]}/> SELECT (COUNT(*) AS ?n) " \
            f"FROM g:{served.portfolio.rsplit('/', 1)[1]} WHERE {{ ?s ?p ?o }}"
    assert number(served.get([("query", count)])) == example["portfolio_triples"]
    named = f"SELECT ?g FROM NAMED <{served.people}> WHERE {{ GRAPH ?g {{ }} }}"
    assert column(served.get([("query", named)]), "g") == [served.people]
    # without FROM, the default dataset: every source and the ontology, merged and named
    assert number(served.get([("query", OWNED)])) == example["owned"]
    assert column(served.get([("query", "SELECT ?g WHERE { GRAPH ?g { } }")]), "g") \
        == sorted([ONTOLOGY_GRAPH, served.people, served.portfolio])


@pytest.mark.parametrize("iri", [HIDDEN, ELSEWHERE, CATALOG_GRAPH + "-not"])
def test_graphs_kg_does_not_show_are_empty(served: Served, iri: str) -> None:
    ask = "ASK { ?s ?p ?o }"
    assert not boolean(served.get([("query", ask), ("default-graph-uri", iri)]))
    assert not boolean(served.get([("query", f"ASK FROM <{iri}> {{ ?s ?p ?o }}")]))
    assert column(served.get([("query", "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"),
                              ("named-graph-uri", iri)]), "g") == []
    assert column(served.get([("query", f"SELECT ?g FROM NAMED <{iri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")]),
                  "g") == []
    assert not boolean(served.get([("query", 'ASK { ?s ?p "hidden" }')]))  # nor in the default dataset


def test_the_catalog_is_readable_when_chosen(served: Served) -> None:
    # kg's own client reads the catalog this way (kg --endpoint ... sources)
    query = "SELECT ?g WHERE { ?s <http://w3id.org/product-org/kg#graph> ?g }"
    assert column(served.get([("query", query), ("default-graph-uri", CATALOG_GRAPH)]), "g") \
        == sorted([served.people, served.portfolio])
    assert column(served.get([("query", query)]), "g") == []  # not part of the default dataset


def test_dataset_iris_must_be_iris(served: Served) -> None:
    text = refused(served.get([("query", "ASK {}"), ("default-graph-uri", "not an iri")]), 400)
    assert "default-graph-uri" in text


# -- content types (manifest: query_content_type_*) ---------------------------------------------------------


@pytest.mark.parametrize("query, types", [
    ("SELECT (1 AS ?value) {}", TABULAR),  # query_content_type_select
    ("ASK {}", BOOLEAN),  # query_content_type_ask
    ("DESCRIBE <http://example.org/>", RDF),  # query_content_type_describe
    ("CONSTRUCT { <http://example.org/s> <http://example.org/p> 1 } WHERE {}", RDF),  # ..._construct
])
def test_content_types(served: Served, query: str, types: set[str]) -> None:
    for accept in ["*/*", *sorted(types)]:
        status, headers, _ = served.post_direct(query, [("default-graph-uri", ELSEWHERE)], accept=accept)
        assert status == 200
        assert headers["content-type"].split(";")[0] in types
        if accept != "*/*":
            assert headers["content-type"].split(";")[0] == accept


# -- refusals: each a 4XX with a one-line plain-text body ---------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "PROPFIND"])
def test_other_methods_get_405_with_allow(served: Served, method: str) -> None:
    # bad_query_method
    answer = served.request(method, "/sparql/?" + urlencode({"query": "ASK {}"}), b"",
                            {"Content-Type": "application/x-www-form-urlencoded"})
    assert "not allowed" in refused(answer, 405)
    assert answer[1]["allow"] == "GET, HEAD, POST"
    status, headers, body = served.request("OPTIONS", "/sparql")
    assert (status, headers["allow"], body) == (204, "GET, HEAD, POST", b"")


def test_more_than_one_query(served: Served) -> None:
    # bad_multiple_queries
    assert "exactly one" in refused(served.get([("query", "ASK {}"), ("query", "SELECT * {}")]), 400)
    assert "exactly one" in refused(served.post_direct("ASK {}", [("query", "ASK {}")]), 400)
    assert "exactly one" in refused(served.get([("query", "")]), 400)


@pytest.mark.parametrize("body, content_type, status", [
    ("ASK {}", "text/plain", 415),  # bad_query_wrong_media_type
    ("query=ASK%20%7B%7D", None, 415),  # bad_query_missing_form_type
    ("ASK {}", None, 415),  # bad_query_missing_direct_type
    ("query=ASK%20%7B%7D", "application/sparql-query", 400),  # a url-encoded body labelled as a query
    ("ASK {}", "application/x-www-form-urlencoded", 400),  # a query labelled url-encoded: no query field
])
def test_wrong_or_missing_media_types(served: Served, body: str, content_type: str | None, status: int) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    refused(served.request("POST", "/sparql/", body, headers), status)


def test_bodies_that_are_not_utf8(served: Served) -> None:
    # bad_query_non_utf8: UTF-16 with a BOM, declared
    utf16 = "ASK {}".encode("utf-16")
    assert "UTF-8" in refused(served.request("POST", "/sparql/", utf16, {
        "Content-Type": "application/sparql-query; charset=UTF-16"}), 415)
    # the same bytes undeclared, Latin-1 bytes, and a form field percent-encoding Latin-1
    assert "UTF-8" in refused(served.request("POST", "/sparql/", utf16, {
        "Content-Type": "application/sparql-query"}), 400)
    latin1 = 'ASK { ?s ?p "café" }'.encode("latin-1")
    assert "UTF-8" in refused(served.request("POST", "/sparql/", latin1, {
        "Content-Type": "application/sparql-query"}), 400)
    assert "UTF-8" in refused(served.request("POST", "/sparql/", "query=ASK%20%7B%22caf%E9%22%7D", {
        "Content-Type": "application/x-www-form-urlencoded"}), 400)
    assert "UTF-8" in refused(served.request("GET", "/sparql/?query=ASK%20%7B%22caf%E9%22%7D"), 400)


def test_invalid_syntax(served: Served) -> None:
    # bad_query_syntax
    assert "syntax" in refused(served.request("GET", "/sparql/?query=ASK%20%7B"), 400)


@pytest.mark.parametrize("method, body, content_type", [
    ("GET", None, None),  # bad_update_get
    # bad_multiple_updates
    ("POST", "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", "application/x-www-form-urlencoded"),
    ("POST", "update=CLEAR%20XYZ", "application/x-www-form-urlencoded"),  # bad_update_syntax
    ("POST", "update=CLEAR+ALL", "application/x-www-form-urlencoded"),  # update_post_form (read-only: refused)
    ("POST", "CLEAR ALL", "application/sparql-update"),  # update_post_direct (read-only: refused)
    ("POST", "WITH <http://example/addresses> DELETE { ?p ?x 'Bill' } INSERT { ?p ?x 'William' } "
             "WHERE { ?p ?x 'Bill' }", "application/sparql-update"),  # bad_update_dataset_conflict
    ("POST", "query=CLEAR%20ALL", "application/x-www-form-urlencoded"),  # an update sent as a query
])
def test_updates_are_refused(served: Served, method: str, body: str | None, content_type: str | None,
                             example: dict[str, int]) -> None:
    path = "/sparql/?update=CLEAR%20ALL" if method == "GET" else "/sparql/"
    headers = {"Content-Type": content_type} if content_type else {}
    refused(served.request(method, path, body, headers), 403)
    assert number(served.get([("query", OWNED)])) == example["owned"]  # nothing changed


@pytest.mark.parametrize("body, content_type", [
    ("CLEAR NAMED", "text/plain"),  # bad_update_wrong_media_type
    ("update=CLEAR%20NAMED", None),  # bad_update_missing_form_type
])
def test_updates_with_wrong_media_types(served: Served, body: str, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    refused(served.request("POST", "/sparql/", body, headers), 415)
    # bad_update_non_utf8
    refused(served.request("POST", "/sparql/", "CLEAR NAMED".encode("utf-16"),
                           {"Content-Type": "application/sparql-update; charset=UTF-16"}), 415)


def test_http_errors_are_plain_text(served: Served) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        conn.putrequest("GET", "/sparql?" + "q" * 70_000, skip_host=True)
        conn.endheaders()
        response = conn.getresponse()
        assert response.status == 414 and response.getheader("Content-Type").startswith("text/plain")
        assert b"<" not in response.read()
    finally:
        conn.close()
    assert "not allowed" in refused(served.request("BREW", "/"), 405)


# -- the service description --------------------------------------------------------------------------------


def test_service_description_says_what_is_supported(served: Served) -> None:
    status, headers, body = served.request("GET", "/sparql/", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    found = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"

    def objects(predicate: str) -> set[str]:
        return {str(t.object.value) for t in found if t.predicate.value == sd + predicate}

    assert objects("supportedLanguage") == {sd + "SPARQL11Query"}  # queries only: no update
    assert sd + "UnionDefaultGraph" in objects("feature")
    assert objects("name") == {ONTOLOGY_GRAPH, served.people, served.portfolio, CATALOG_GRAPH}
    description = next(t.object.value for t in found if t.predicate.value.endswith("/description"))
    assert "default-graph-uri" in description and "named-graph-uri" in description
