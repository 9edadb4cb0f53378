"""kg path, centrality, layers, health, communities on the example organization, in table, JSON and CSV."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main


def run(store: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, ["--store", str(store), *args])
    assert result.exit_code == code, result.output
    return result.output


def test_path_hop_by_hop(example_store: Path) -> None:
    out = run(example_store, "path", "P19", "Lars Nilsson")
    lines = out.splitlines()
    assert lines[0] == "7 hops" and lines[1].strip() == "Isabel Costa [P19]"
    assert lines[2].strip() == "reports to Yuki Tanaka [P14]"
    assert lines[-1].strip() == "manages Lars Nilsson [P05]"
    data = json.loads(run(example_store, "path", "P19", "P05", "--format", "json"))
    [path] = data["paths"]
    assert data["from"]["id"] == "P19" and data["to"]["id"] == "P05" and path["length"] == 7
    assert [h["relation"] for h in path["hops"]] == ["reports to"] * 6 + ["manages"]
    assert all(a["to"] == b["from"] for a, b in zip(path["hops"], path["hops"][1:], strict=False))


def test_path_through_products_and_alternatives(example_store: Path) -> None:
    data = json.loads(run(example_store, "path", "Docs", "Sheets", "--relations", "all", "--k", "3",
                          "--format", "json"))
    lengths = [p["length"] for p in data["paths"]]
    assert len(lengths) == 3 and lengths == sorted(lengths)
    first = data["paths"][0]["hops"]
    assert [h["relation"] for h in first] == ["is in portfolio", "has product"]  # both in Workplace Suite
    assert first[0]["to"]["name"] == "Workplace Suite"
    csv_out = run(example_store, "path", "Docs", "Sheets", "--relations", "all", "--format", "csv")
    assert csv_out.splitlines()[0] == "path,step,from_id,from,relation,to_id,to"
    # a product is not on the reporting line: the error says what to do
    err = run(example_store, "path", "Docs", "P05", code=1)
    assert "error: 'Docs' is not on this graph; try --relations all" in err
    assert "no person matches" in run(example_store, "path", "Nobody Atall", "P05", code=1)


def test_centrality_table_and_json(example_store: Path) -> None:
    out = run(example_store, "centrality", "--top", "3")
    lines = out.splitlines()
    assert lines[0].split() == ["rank", "id", "name", "title", "kind", "score"]
    assert lines[2].split()[:2] == ["1", "P02"]  # the CPO links product to the rest of the company
    data = json.loads(run(example_store, "centrality", "--metric", "closeness", "--format", "json",
                          "--top", "52"))
    assert len(data) == 52 and data[0]["id"] == "P02" and set(data[0]) == {
        "rank", "id", "name", "title", "kind", "iri", "score"}
    assert [r["score"] for r in data] == sorted((r["score"] for r in data), reverse=True)
    concepts = json.loads(run(example_store, "centrality", "--graph", "concepts", "--metric", "pagerank",
                              "--format", "json"))
    assert len(concepts) == 10 and all(r["kind"] != "post" for r in concepts)
    sampled = run(example_store, "centrality", "--graph", "org", "--sample", "10", "--format", "json")
    assert sampled == run(example_store, "centrality", "--graph", "org", "--sample", "10", "--format", "json")
    assert "Usage" in run(example_store, "centrality", "--metric", "fame", code=2)


def test_layers_and_health(example_store: Path) -> None:
    out = run(example_store, "layers")
    assert out.splitlines()[2].split() == ["1", "1", "1"] and out.splitlines()[-1] == "7 layers"
    data = json.loads(run(example_store, "layers", "--format", "json"))
    assert sum(row["posts"] for row in data) == 52 and len(data) == 7
    health = json.loads(run(example_store, "health", "--format", "json"))
    assert (health["posts"], health["roots"], health["layers"], health["dotted_lines"]) == (52, 1, 7, 3)
    assert health["largest_teams"][0]["id"] == "P01" and health["largest_teams"][0]["headcount"] == 51
    assert sum(health["span"]["distribution"].values()) == health["managers"]
    assert health["headcount_by_unit"]["Product"] >= 20
    assert health["single_report_managers"]["count"] == health["span"]["distribution"]["1"] == 6
    table = run(example_store, "health")
    assert "Largest teams" in table and "Amara Okafor" in table and "Headcount per unit" in table
    assert run(example_store, "health", "--format", "csv").startswith("posts,named_people,vacancies,")


def test_communities_are_reproducible(example_store: Path) -> None:
    data = json.loads(run(example_store, "communities", "--format", "json"))
    assert sum(c["size"] for c in data) >= 52 and data[0]["size"] >= data[-1]["size"]
    assert data == json.loads(run(example_store, "communities", "--format", "json"))
    out = run(example_store, "communities", "--graph", "concepts", "--members", "2")
    assert out.splitlines()[0].split() == ["community", "size", "members"]


def test_a_reporting_cycle_is_cut_and_answered(tmp_path: Path) -> None:
    data = tmp_path / "loop.ttl"
    data.write_text("@prefix org: <http://www.w3.org/ns/org#> . @prefix ex: <http://example.org/> .\n"
                    "ex:a org:reportsTo ex:b . ex:b org:reportsTo ex:a . ex:c org:reportsTo ex:a .\n")
    store = tmp_path / "store"
    run(store, "load", str(data))
    # The forest cuts the ring at ex:a (the smallest IRI): a on top, b and c below it.
    layers = json.loads(run(store, "layers", "--format", "json"))
    assert [(r["layer"], r["posts"]) for r in layers] == [(1, 1), (2, 2)]
    health = json.loads(run(store, "health", "--format", "json"))
    assert health["cycles"] == 1 and health["cycles_cut"] == [["a", "b"]]
    assert json.loads(run(store, "centrality", "--format", "json"))[0]["score"] >= 0
