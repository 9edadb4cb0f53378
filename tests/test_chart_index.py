"""The chart index is the stored form of the forest's rows, with a schema version; a literal where a manager IRI
belongs breaks no command and is reported as a data defect."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from kg import org
from kg.chart_index import SCHEMA_VERSION, is_current
from kg.ingest.load import load_files
from kg.reading import SparqlReads, forest
from kg.store import opened

ROOT = Path(__file__).resolve().parent.parent
CHINOOK = ROOT / "tests" / "data" / "realdata" / "chinook" / "Employee.csv"


def _old_shape(path: Path) -> None:
    """Replace the index by one of the shape kg wrote before the forest (no meta table, five columns)."""
    path.unlink()
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE node (graph TEXT NOT NULL, iri TEXT NOT NULL, id TEXT, name TEXT, "
                     "title TEXT, manager TEXT);")
    db.close()


def test_an_index_of_an_older_shape_is_read_around_then_rebuilt(tmp_path: Path) -> None:
    store_path = tmp_path / "s"
    with opened(store_path, write=True) as store:
        load_files(store, [CHINOOK])
    with opened(store_path) as store:
        before = forest(store)
    index = store_path / "chart.sqlite"
    assert is_current(index)
    _old_shape(index)
    assert not is_current(index)
    with opened(store_path) as store:  # a reader answers from SPARQL, the same forest
        assert store.chart is None
        again = forest(store)
        assert sorted(again.edges()) == sorted(before.edges()) and again.roots() == before.roots()
    with opened(store_path, write=True) as store:  # a writer rebuilds it from the triples
        assert store.chart is not None and store.chart.rebuilt
    assert is_current(index)
    with opened(store_path) as store:
        assert store.chart is not None
        rebuilt = forest(store)
        assert sorted(rebuilt.edges()) == sorted(before.edges()) and len(rebuilt) == len(before)
    db = sqlite3.connect(index)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (SCHEMA_VERSION,)
    db.close()


LITERAL = """@prefix org: <http://www.w3.org/ns/org#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix ex: <http://example.org/> .
ex:boss a org:Post ; foaf:name "Boss Person" .
ex:a a org:Post ; foaf:name "Ann" ; org:reportsTo "Boss Person" .
ex:b a org:Post ; foaf:name "Bob" ; org:reportsTo ex:boss .
ex:c a org:Post ; foaf:name "Cy" ;
  org:reportsTo "http://e/x> } SERVICE <http://127.0.0.1:9/x> { ?a ?b ?c } VALUES ?z { <http://e/y" .
"""


def _kg(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "--store", str(store),
                           *args], capture_output=True, text=True, timeout=120)


def test_a_literal_manager_breaks_no_command(tmp_path: Path) -> None:
    data = tmp_path / "lit.ttl"
    data.write_text(LITERAL)
    store = tmp_path / "s"
    loaded = _kg(store, "load", str(data))
    assert loaded.returncode == 0 and "managers given as text" in loaded.stdout and "Boss Person" in loaded.stdout
    for command in (["who", "Ann"], ["chain", "Ann"], ["stats"], ["span"], ["health"], ["layers"],
                    ["reports", "Boss Person", "--all"], ["peers", "Bob"], ["centrality"],
                    ["export", "--format", "turtle", "-o", str(tmp_path / "x.ttl")],
                    ["export", "--format", "d3-csv", "-o", str(tmp_path / "x.csv")]):
        done = _kg(store, *command)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (command, done.stderr)
    checked = _kg(store, "validate", "--no-shacl", "--format", "json")
    assert checked.returncode == 1
    found = {f["check"]: f for f in json.loads(checked.stdout)["findings"]}
    assert found["literal_managers"]["count"] == 2
    with opened(store) as s:
        f = forest(s)
        assert f.manager("http://example.org/b") == "http://example.org/boss"
        assert f.manager("http://example.org/a") is None  # the text is no manager
        assert sorted(SparqlReads.forest_rows(s).bad_managers)[0] == ("http://example.org/a", "Boss Person")
        assert org.stats(s)["reporting_edges"] == 1


def test_every_iri_is_stored_once_and_rows_hold_numbers(tmp_path: Path) -> None:
    """Schema 6: IRIs live in the term table once each (namespace number + rest); node, edge and placed rows
    hold integers, and reading them back gives the forest the SPARQL reading gives (two real organogram files,
    the junior file's groups pointing at senior posts)."""
    hmrc = ROOT / "tests" / "data" / "realdata" / "uk-organograms"
    files = [hmrc / "300913-HMRC-Organogram-Final-senior.csv", hmrc / "300913-HMRC-Organogram-Final-junior.csv"]
    with opened(tmp_path / "s", write=True) as store:
        load_files(store, files)
    with opened(tmp_path / "s") as store:
        rows = store.forest_rows()
        by_sparql = SparqlReads.forest_rows(store)
        holders = {r[11] for r in rows.nodes if r[11]}
        iris = {r[0] for r in rows.nodes} | {x for e in rows.edges for x in e}
    assert sorted(r[:-1] for r in rows.nodes) == sorted(r[:-1] for r in by_sparql.nodes)
    assert sorted(rows.edges) == sorted(by_sparql.edges) and len(rows.edges) > 100
    db = sqlite3.connect(tmp_path / "s" / "chart.sqlite")
    try:
        assert db.execute("SELECT count(*) FROM term").fetchone() == (len(iris),)  # holders are not terms
        assert db.execute("SELECT count(DISTINCT s.text || t.local) FROM term t JOIN ns s ON s.n = t.ns"
                          ).fetchone() == (len(iris),)
        for table, column in (("node", "iri"), ("edge", "report"), ("edge", "manager"), ("placed", "iri")):
            assert db.execute(f"SELECT DISTINCT typeof({column}) FROM {table}").fetchall() == [("integer",)]
        assert db.execute("SELECT count(*) FROM node WHERE holder IS NOT NULL").fetchone()[0] >= len(holders) > 0
        # the words (titles, units ...) once each
        (words,) = db.execute("SELECT count(*) FROM word").fetchone()
        assert words == db.execute("SELECT count(DISTINCT text) FROM word").fetchone()[0]
        assert words < len(rows.nodes)
    finally:
        db.close()


def test_rankings_with_ties_equal_the_forests(tmp_path: Path) -> None:
    """The placed table's rankings (first rows found on integer columns, ties broken by IRI) equal
    Forest.ranked on a real organogram, whose many equal spans and team sizes make ties at every cut."""
    hmrc = ROOT / "tests" / "data" / "realdata" / "uk-organograms"
    with opened(tmp_path / "s", write=True) as store:
        load_files(store, [hmrc / "300913-HMRC-Organogram-Final-senior.csv"])
    with opened(tmp_path / "s") as store:
        f = forest(store)
        assert store.chart is not None
        for ranking in ("span", "teams", "single"):
            whole = f.ranked(ranking, None)
            assert len(whole) > 10
            for top in (0, 1, 3, 10, 17, len(whole), None):
                assert store.chart.placed_top(ranking, top) == f.ranked(ranking, top), (ranking, top)
