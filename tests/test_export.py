"""Exports: the chart data, Graphviz drawings, GraphML, Mermaid, d3 flat format (round trip), CSV, RDF."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.export import (
    chain_keys,
    concept_map,
    d3_rows,
    export,
    find_key,
    org_chart,
    path,
    render,
    render_image,
    to_graphml,
    to_mermaid,
    write_atomic,
)
from kg.ingest.load import load_files
from kg.render import to_csv
from kg.store import opened

HAS_DOT = shutil.which("dot") is not None
TRICKY = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3", "@SUM(A1)", "Back\\slash \"q\" <b>&amp;</b>",
          "Zoë Ærø"]


def _tricky_store(tmp_path: Path) -> Path:
    """A store whose names and titles are formulas, quotes, backslashes and markup."""
    source = tmp_path / "tricky.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "title", "manager"])
        writer.writerows([f"T{i}", name, name, "" if i == 0 else "T0"] for i, name in enumerate(TRICKY))
    path_ = tmp_path / "tricky-store"
    with opened(path_, write=True) as store:
        load_files(store, [source])
    return path_


def _ids(chart_rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(r["id"], r["parentId"]) for r in chart_rows if r["parentId"]}


def test_chart_data_matches_the_lookups(example_store: Path) -> None:
    with opened(example_store) as store:
        chart = org_chart(store)
        by_id = {n["id"]: n for n in chart.nodes}
        assert len(chart.nodes) == 52
        assert sum(e["kind"] == "dotted" for e in chart.edges) == 3
        assert by_id["P01"]["headcount"] == 51 and by_id["P01"]["level"] == 0
        assert by_id["P18"]["status"] == "vacant" and by_id["P18"]["name"] is None
        assert by_id["P19"]["manager"] == "Yuki Tanaka"  # P14
        tree = nx.DiGraph((n["parent"], n["key"]) for n in chart.nodes if n["parent"])
        exact = nx.betweenness_centrality(tree.to_undirected(), normalized=False)
        assert all(n["betweenness"] == round(exact[n["key"]]) for n in chart.nodes)
        sub = org_chart(store, "P08", 1)
        assert sorted(n["id"] for n in sub.nodes) == ["P08", "P09", "P10"]
        assert [n["level"] for n in sub.nodes if n["id"] == "P08"] == [0]
        p19, p22 = find_key(store, chart, "P19"), find_key(store, chart, "P22")
        route = path(chart, p19, p22)
        assert route[0] == p19 and route[-1] == p22 and by_id["P02"]["key"] in route
        assert chain_keys(chart, p19)[-1] == by_id["P01"]["key"]
        concepts = concept_map(store)
        kinds = {n["kind"] for n in concepts.nodes}
        assert kinds == {"family", "role", "portfolio", "product"}
        assert {e["kind"] for e in concepts.edges} == {"broader", "has product", "owned by"}


def test_graphml_parses_with_networkx_and_keeps_labels(example_store: Path, tmp_path: Path) -> None:
    with opened(example_store) as store:
        done = export(store, "graphml", tmp_path / "org.graphml")
    assert done["people"] == 52
    graph = nx.read_graphml(tmp_path / "org.graphml")
    people = [n for n, d in graph.nodes(data=True) if "name" in d]
    groups = {d["label"] for n, d in graph.nodes(data=True) if "name" not in d}
    assert len(people) == 52 and graph.number_of_edges() == done["edges"]
    assert groups == {d["unit"] for n, d in graph.nodes(data=True) if d.get("unit")}  # units as groups
    import xml.etree.ElementTree as ET

    y = "{http://www.yworks.com/xml/graphml}"
    boxes = [tuple(float(g.get(k)) for k in ("x", "y", "width", "height"))
             for g in ET.parse(tmp_path / "org.graphml").iter(f"{y}ShapeNode") for g in g.iter(f"{y}Geometry")]
    assert len(boxes) == 52 and len({(b[0], b[1]) for b in boxes}) == 52  # laid out, not piled at 0,0
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]]
    labels = {d["name"]: d["label"] for _, d in graph.nodes(data=True) if "name" in d}
    assert labels["Isabel Costa"] == "Isabel Costa\nProduct Owner, Docs"
    text = (tmp_path / "org.graphml").read_text()
    assert ">Isabel Costa\nProduct Owner, Docs</y:NodeLabel>" in text  # what yEd shows
    kinds = nx.get_edge_attributes(graph, "kind")
    assert sorted(set(kinds.values())) == ["dotted", "solid"]


def test_csv_exports_are_formula_safe(tmp_path: Path) -> None:
    with opened(_tricky_store(tmp_path)) as store:
        chart = org_chart(store)
        people = render(store, chart, "csv")
        d3 = to_csv(d3_rows(chart)[0], ["id", "parentId", "name", "title"])
    assert isinstance(people, str) and isinstance(d3, str)
    for text in (people, d3):
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
        assert "'=HYPERLINK(\"http://x\",\"y\")" in cells and "'@SUM(A1)" in cells


def test_d3_flat_csv_round_trips_the_reporting_edges(example_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "d3.csv"
    with opened(example_store) as store:
        export(store, "d3-csv", out)
        export(store, "d3-json", tmp_path / "d3.json")
        before = {(r["x"], r["m"]) for r in store.select(
            "SELECT ?x ?m WHERE { ?a org:reportsTo ?b . ?a po:identifier ?x . ?b po:identifier ?m }")}
    assert next(csv.reader(out.open())) == ["id", "parentId", "name", "title"]
    rows = json.loads((tmp_path / "d3.json").read_text())
    assert _ids(rows) == before and [r["parentId"] for r in rows if r["id"] == "P01"] == [None]
    with opened(tmp_path / "again", write=True) as store:
        load_files(store, [out])
    with opened(tmp_path / "again") as store:
        after = {(r["x"], r["m"]) for r in store.select(
            "SELECT ?x ?m WHERE { ?a org:reportsTo ?b . ?a po:identifier ?x . ?b po:identifier ?m }")}
        names = {r["n"] for r in store.select("SELECT ?n WHERE { ?p org:heldBy/foaf:name ?n }")}
    assert after == before and len(after) == 51
    assert "José Álvarez" in names


def test_mermaid_and_dot_keep_hostile_text_inside_labels(tmp_path: Path) -> None:
    with opened(_tricky_store(tmp_path)) as store:
        chart = org_chart(store)
        dot = render(store, chart, "dot")
    mermaid = to_mermaid(chart)
    assert '"' not in "".join(line.split('["', 1)[1][:-2] for line in mermaid.splitlines() if '["' in line)
    assert "<b>" not in mermaid and "#60;b#62;" in mermaid
    assert isinstance(dot, str) and 'label="Back\\\\slash \\"q\\" <b>&amp;</b>' in dot
    if HAS_DOT:
        svg = render_image(chart, "svg")
        assert b"Back\\slash &quot;q&quot; &lt;b&gt;&amp;amp;&lt;/b&gt;" in svg and b"<b>" not in svg


@pytest.mark.skipif(not HAS_DOT, reason="needs Graphviz (dot)")
def test_svg_png_pdf_are_drawn(example_store: Path, tmp_path: Path) -> None:
    with opened(example_store) as store:
        for fmt in ("svg", "png", "pdf"):
            export(store, fmt, tmp_path / f"org.{fmt}")
        export(store, "svg", tmp_path / "sub.svg", root="P08", depth=1)
    svg = (tmp_path / "org.svg").read_text()
    assert svg.count("<rect") >= 52 and "Isabel Costa" in svg and "Amara Okafor" in svg
    assert (tmp_path / "org.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = (tmp_path / "org.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-" and pdf.rstrip().endswith(b"%%EOF")
    sub = (tmp_path / "sub.svg").read_text()
    assert "Hannah Weber" in sub and "Isabel Costa" not in sub


def test_rdf_of_a_subtree(example_store: Path, tmp_path: Path) -> None:
    with opened(example_store) as store:
        export(store, "turtle", tmp_path / "sub.ttl", root="P08", depth=1)
        export(store, "json-ld", tmp_path / "sub.jsonld", root="P08", depth=1)
    post = "http://w3id.org/product-org/id/example-product-org/post/"
    for name, fmt in (("sub.ttl", ox.RdfFormat.TURTLE), ("sub.jsonld", ox.RdfFormat.JSON_LD)):
        triples = list(ox.parse(path=str(tmp_path / name), format=fmt))
        subjects = {t.subject.value for t in triples}
        assert {post + "P08", post + "P09", post + "P10"} <= subjects
        assert post + "P19" not in subjects
        names = {t.object.value for t in triples if t.predicate.value.endswith("/name")}
        assert "Hannah Weber" in names


def test_cli_export_and_errors(example_store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "chart.mmd"
    result = runner.invoke(main, ["--store", str(example_store), "export", "--format", "mermaid",
                                  "-o", str(out), "--root", "P02", "--depth", "1"])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("flowchart TD") and "Daniel Reyes" in out.read_text()
    missing = runner.invoke(main, ["--store", str(example_store), "export", "--format", "csv", "-o",
                                   str(tmp_path / "x.csv"), "--root", "Nobody Atall"])
    assert missing.exit_code == 1 and "no person matches" in missing.output
    assert not (tmp_path / "x.csv").exists()
    bad = runner.invoke(main, ["--store", str(example_store), "export", "--format", "xls", "-o", "x"])
    assert bad.exit_code == 2
    nowhere = runner.invoke(main, ["--store", str(example_store), "export", "--format", "csv", "-o",
                                   str(tmp_path / "no" / "such" / "x.csv")])
    assert nowhere.exit_code == 1 and "does not exist" in nowhere.output


def test_write_atomic_replaces_whole_files_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    write_atomic(target, "new")
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_graphml_drops_characters_xml_cannot_hold() -> None:
    from kg.export import Chart

    chart = Chart([{"key": "n0", "name": "Bell\x07 <&>", "title": None, "parent": None, "level": 0}], [])
    graph = nx.parse_graphml(to_graphml(chart))
    assert graph.nodes["n0"]["label"] == "Bell <&>"
