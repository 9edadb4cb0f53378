"""External SPARQL stores: push the embedded store to a real Virtuoso and get the same answers from it."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import virtuoso
from click.testing import CliRunner, Result

from kg.cli import main
from kg.errors import QueryError
from kg.forest import NODE_FIELDS
from kg.ingest.load import load_files
from kg.ontology import data_file
from kg.remote import Endpoint, RemoteStore, open_remote
from kg.store import opened
from kg.vocab import ONTOLOGY_GRAPH

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not virtuoso.available(), reason="needs virtuoso-t (Debian virtuoso-opensource)"),
]

AUTH = {"KG_ENDPOINT_USER": virtuoso.USER, "KG_ENDPOINT_PASSWORD": virtuoso.PASSWORD}
NO_ENV = {"KG_ENDPOINT": None, "KG_UPDATE_ENDPOINT": None, "KG_GRAPH_STORE": None, "KG_STORE": None}
HEFCE = "uk-organogram-hefce/HEFCE_organogram_{}_data_31032011.csv"
HMRC = "uk-organograms/300913-HMRC-Organogram-Final-senior.csv"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[virtuoso.Virtuoso]:
    with virtuoso.running(tmp_path_factory.mktemp("virtuoso")) as running:
        yield running


def kg(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=NO_ENV | AUTH | (env or {}))


def push(server: virtuoso.Virtuoso, store: Path, *extra: str) -> dict:
    result = kg("--store", str(store), "--endpoint", server.sparql, "--update-endpoint", server.update,
                "push", "--summary", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def same_answers(server: virtuoso.Virtuoso, store: Path, commands: list[list[str]]) -> None:
    """Each command gives byte-identical JSON on the embedded store and on Virtuoso."""
    for command in commands:
        local = kg("--store", str(store), *command, "--format", "json")
        remote = kg("--endpoint", server.sparql, *command, "--format", "json")
        assert local.exit_code == 0, (command, local.output)
        assert remote.exit_code == 0, (command, remote.output)
        assert json.loads(local.stdout) not in (None, [], {}), command  # a comparison worth making
        assert remote.stdout == local.stdout, command


def test_example_organization_same_answers(server: virtuoso.Virtuoso, example_store: Path) -> None:
    summary = push(server, example_store)
    assert summary["graphs_sent"] == 4  # two sources, the ontology, the catalog
    same_answers(server, example_store, [
        ["who", "P19"], ["who", "Isabel Costa"], ["who", "P18"], ["who", "P28"],
        ["manager", "P19"], ["chain", "P19"], ["chain", "P52"],
        ["reports", "P08"], ["reports", "--all", "P02"], ["reports", "--all", "--depth", "2", "P01"],
        ["peers", "P13"], ["common-manager", "P19", "P22"], ["common-manager", "P19", "P02"],
        ["span", "--top", "50"], ["search", "product"], ["search", "costa"], ["stats"], ["sources"],
    ])


def test_real_organogram_same_answers(server: virtuoso.Virtuoso, real: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    with opened(store, write=True) as db:
        load_files(db, [real / HEFCE.format("senior"), real / HEFCE.format("junior"), real / HMRC])
    push(server, store, "--graph-store", server.graph_store)  # the fast way for ~10,000 triples
    everyone = json.loads(kg("--store", str(store), "reports", "--all", "OD101", "--format", "json").stdout)
    deepest = max(everyone, key=lambda p: p["depth"])["id"]
    same_answers(server, store, [
        ["who", "OD101"], ["who", deepest], ["chain", deepest], ["chain", "90115"],
        ["reports", "--all", "OD101"], ["reports", "--all", "90334"], ["peers", deepest],
        ["common-manager", deepest, everyone[-1]["id"]], ["span", "--top", "200"],
        ["search", "director"], ["search", "a", "--limit", "500"], ["stats"], ["sources"],
    ])


def test_push_replaces_graphs_and_drops_stale_ones(server: virtuoso.Virtuoso, example_store: Path) -> None:
    push(server, example_store)
    again = push(server, example_store)
    assert again["graphs_skipped"] == 2 and again["graphs_dropped"] == 0  # sources already there
    remote = open_remote(server.sparql)
    with opened(example_store) as local:
        old = {s.name: s.graph for s in local.sources()}
        for graph in [g.value for g in local.graphs()]:
            assert remote.triple_count(graph) == local.triple_count(graph) > 0
    reload = kg("--store", str(example_store), "load", str(data_file("example_org.csv")))
    assert reload.exit_code == 0, reload.output
    summary = push(server, example_store)
    assert summary["dropped"] == [old["example_org.csv"]]
    assert remote.triple_count(old["example_org.csv"]) == 0
    assert old["example_org.csv"] not in {s.graph for s in remote.sources()}
    same_answers(server, example_store, [["reports", "--all", "P01"], ["sources"]])


def test_push_with_graph_store_protocol(server: virtuoso.Virtuoso, example_store: Path) -> None:
    summary = push(server, example_store, "--graph-store", server.graph_store, "--force", "--batch", "100")
    assert summary["method"] == "graph-store" and summary["graphs_sent"] == 4
    remote = open_remote(server.sparql)
    with opened(example_store) as local:
        for graph in [g.value for g in local.graphs()]:
            assert remote.triple_count(graph) == local.triple_count(graph)
    same_answers(server, example_store, [["chain", "P19"], ["who", "P30"]])


@pytest.fixture
def remote(server: virtuoso.Virtuoso, example_store: Path) -> RemoteStore:
    push(server, example_store)
    return open_remote(server.sparql)


def test_query_api_matches_pyoxigraph_results(remote: RemoteStore) -> None:
    assert bool(remote.query("ASK { ?p po:identifier ?id }", id=ox.Literal("P19"))) is True
    assert bool(remote.query("ASK { ?p po:identifier ?id }", id=ox.Literal('P19" } ASK {'))) is False
    rows = remote.query("SELECT ?id ?title WHERE { ?p po:identifier ?id ; po:jobTitle ?title } ORDER BY ?id")
    assert [v.value for v in rows.variables] == ["id", "title"]
    first = next(iter(rows))
    assert first["id"] == ox.Literal("P01") and first["title"].value == "Chief Executive Officer"
    triples = list(remote.query("CONSTRUCT { ?p org:reportsTo ?m } WHERE { ?p org:reportsTo ?m }"))
    assert len(triples) == 51 and all(isinstance(t, ox.Triple) for t in triples)
    own = remote.select("PREFIX po: <urn:other#> SELECT ?x WHERE { ?x po:identifier ?y }")
    assert own == []  # the query's own prefix wins over the predeclared one
    assert any(g.value == ONTOLOGY_GRAPH for g in remote.graphs())


def test_updates_and_bad_queries_are_refused(remote: RemoteStore) -> None:
    with pytest.raises(QueryError, match="update"):
        remote.query("DROP ALL")
    with pytest.raises(QueryError, match="SELEC"):
        remote.select("SELEC ?x WHERE { ?x ?p ?o }")
    assert remote.has_data()


def test_user_errors_are_one_line(server: virtuoso.Virtuoso, example_store: Path) -> None:
    push(server, example_store)
    wrong = kg("--store", str(example_store), "--endpoint", server.sparql, "--update-endpoint", server.update,
               "push", env={"KG_ENDPOINT_PASSWORD": "wrong"})
    assert wrong.exit_code == 1 and "refused access" in wrong.stderr and "Traceback" not in wrong.output
    closed = kg("--endpoint", "http://127.0.0.1:9/sparql", "who", "P19")
    assert closed.exit_code == 1 and closed.stderr.startswith("error: cannot reach the SPARQL endpoint")
    no_endpoint = kg("--store", str(example_store), "push")
    assert no_endpoint.exit_code == 2
    read_only = kg("--store", str(example_store), "--endpoint", server.sparql, "push")
    assert read_only.exit_code == 1 and "--update-endpoint" in read_only.stderr
    remote_check = kg("--endpoint", server.sparql, "validate", "--no-shacl", "--format", "json")
    assert "Traceback" not in remote_check.output  # validate reads the forest through the read interface
    assert remote_check.exit_code in (0, 1) and json.loads(remote_check.stdout)["counts"]


def test_kg_query_runs_against_the_endpoint(server: virtuoso.Virtuoso, example_store: Path) -> None:
    push(server, example_store)
    cases = [
        ["vacancies"], ["dotted-lines"], ["headcount-by-unit"], ["portfolio-products"],
        ["who-holds-role", "--param", "role=Product Owner"],
        ["-e", "SELECT ?id ?t WHERE { ?p po:identifier ?id ; po:jobTitle ?t } ORDER BY ?id LIMIT 5"],
        ["-e", 'ASK { ?p po:identifier "P19" }'],
        ["-e", "SELECT ?t WHERE { ?p po:identifier ?id ; po:jobTitle ?t }", "--param", "id=P19"],
    ]
    for case in cases:
        for fmt in ("json", "csv"):
            local = kg("--store", str(example_store), "query", *case, "--format", fmt)
            remote = kg("--endpoint", server.sparql, "query", *case, "--format", fmt)
            assert local.exit_code == 0, (case, local.output)
            assert remote.stdout == local.stdout and local.stdout.strip() not in ("", "false"), (case, fmt)


def test_blank_nodes_keep_their_identity(server: virtuoso.Virtuoso, tmp_path: Path) -> None:
    data = tmp_path / "blank.ttl"
    data.write_text("""@prefix org: <http://www.w3.org/ns/org#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix po: <http://w3id.org/product-org/ontology#> . @prefix ex: <http://example.org/> .
ex:top a org:Post ; po:identifier "T1" ; po:jobTitle "Chief" ; org:heldBy [ foaf:name "Top Person" ] .
ex:post a org:Post ; po:identifier "X1" ; po:jobTitle "Analyst" ; org:reportsTo ex:top ;
    org:heldBy [ a foaf:Person ; foaf:name "Blank Holder" ] .
""")
    store = tmp_path / "store"
    assert kg("--store", str(store), "load", str(data)).exit_code == 0
    push(server, store, "--batch", "1")  # plain triples one by one; blank-node triples in one request
    for person, name in (("X1", "Blank Holder"), ("T1", "Top Person")):
        remote = json.loads(kg("--endpoint", server.sparql, "who", person, "--format", "json").stdout)
        local = json.loads(kg("--store", str(store), "who", person, "--format", "json").stdout)
        assert remote["name"] == local["name"] == name
    chain = kg("--endpoint", server.sparql, "chain", "X1", "--format", "json")
    assert [p["name"] for p in json.loads(chain.stdout)] == ["Top Person"]


def test_other_data_in_the_store_stays_out_of_sight(remote: RemoteStore, server: virtuoso.Virtuoso) -> None:
    writer = Endpoint(server.sparql, server.update, user=virtuoso.USER, password=virtuoso.PASSWORD)
    writer.update('INSERT DATA { GRAPH <http://example.org/not-kg> { <http://example.org/x> '
                           '<http://w3id.org/product-org/ontology#identifier> "P19" } }')
    seen = remote.select('SELECT ?n WHERE { ?n po:identifier "P19" }')
    assert [r["n"] for r in seen] == ["http://w3id.org/product-org/id/example-product-org/post/P19"]
    assert remote.triple_count("http://example.org/not-kg") == 1  # it is there, only not in kg's dataset
    who = kg("who", "P19", "--format", "json", env={"KG_ENDPOINT": server.sparql})  # set once for a shell
    assert who.exit_code == 0 and json.loads(who.stdout)["name"] == "Isabel Costa"


def test_snapshots_survive_push(server: virtuoso.Virtuoso, tmp_path: Path) -> None:
    """Two MoJ snapshots pushed to Virtuoso: --as-of and kg diff answer there as they do locally."""
    snapshots = Path(__file__).resolve().parent / "data" / "realdata" / "uk-organogram-snapshots"
    store = tmp_path / "store"
    for when in ("2011-03-31", "2011-09-30"):
        files = [str(snapshots / f"ministry_of_justice-{when}-{kind}.csv") for kind in ("senior", "junior")]
        assert kg("--store", str(store), "load", "--series", "moj", *files).exit_code == 0
    push(server, store)
    for command in (["sources"], ["--as-of", "2011-06-30", "stats"], ["--as-of", "2011-06-30", "span"],
                    ["diff", "moj@2011-03-31", "moj"], ["--snapshot", "moj@2011-03-31", "who", "1"]):
        local = kg("--store", str(store), *command, "--format", "json")
        remote = kg("--endpoint", server.sparql, *command, "--format", "json")
        assert local.exit_code == 0 and remote.exit_code == 0, (command, local.output, remote.output)
        if command == ["sources"]:  # paths and load times are the local store's own
            keep = ("name", "series", "as_of", "visible", "triples")
            assert [{k: r[k] for k in keep} for r in json.loads(remote.stdout)] == \
                [{k: r[k] for k in keep} for r in json.loads(local.stdout)]
        else:
            assert remote.stdout == local.stdout, command


def test_every_node_keeps_its_status_on_virtuoso(server: virtuoso.Virtuoso, real: Path, tmp_path: Path) -> None:
    """The MoJ organogram of 2011-03-31: every chart node's row (status included) is the same from Virtuoso
    as from the embedded store, also for the posts with no name and no FTE (Virtuoso 7.2 dropped their status
    when the forest's lines and nodes were one UNION query)."""
    folder = real / "uk-organogram-snapshots"
    files = [folder / f"ministry_of_justice-2011-03-31-{kind}.csv" for kind in ("senior", "junior")]
    store = tmp_path / "store"
    with opened(store, write=True) as db:
        load_files(db, files)
    push(server, store, "--graph-store", server.graph_store)
    with files[0].open(encoding="utf-8-sig", newline="") as f:
        unnamed = sorted(r["Post Unique Reference"] for r in csv.DictReader(f)
                         if not r["Name"].strip() and not r["FTE"].strip())
    assert unnamed  # the posts that lost their status
    with opened(store) as local:
        here = {r[0]: r[:-1] for r in local.forest_rows().nodes}  # the source name is the local index's own
    there = {r[0]: r[:-1] for r in open_remote(server.sparql).forest_rows().nodes}
    status = NODE_FIELDS.index("status")
    assert {n: r[status] for n, r in there.items()} == {n: r[status] for n, r in here.items()}
    assert there == here
    for post in unnamed:
        local_who = json.loads(kg("--store", str(store), "who", post, "--format", "json").stdout)
        remote_who = json.loads(kg("--endpoint", server.sparql, "who", post, "--format", "json").stdout)
        assert remote_who["status"] == local_who["status"] is not None
