"""The placed table (the chart index's numbered forest, written at load time) answers "everyone below" and
the span of control exactly as the forest computes them, on real files; it follows loads and unloads, and a
reader that sees other graphs than it was written for computes from the forest instead."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import org
from kg.chart_index import ChartIndex
from kg.cli import main
from kg.ingest.load import load_files
from kg.reading import SparqlReads, forest
from kg.store import opened

REAL = Path(__file__).resolve().parent / "data" / "realdata"
DATASETS = {
    "natural-england": ["uk-organograms/300913-Natural-England-Organogram-senior.csv",
                        "uk-organograms/300913-Natural-England-Organogram-junior.csv"],
    "hefce": ["uk-organogram-hefce/HEFCE_organogram_senior_data_31032011.csv",
              "uk-organogram-hefce/HEFCE_organogram_junior_data_31032011.csv"],
    "moj": ["uk-organogram-snapshots/ministry_of_justice-2011-03-31-senior.csv",
            "uk-organogram-snapshots/ministry_of_justice-2011-03-31-junior.csv"],
    "chinook": ["chinook/Employee.csv"],
}


def _computed(store, top: int | None = None) -> tuple[dict, list]:  # type: ignore[no-untyped-def]
    """Everyone below each manager and the span ranking, computed from the forest (not the placed table)."""
    f = forest(store)
    managers = [m for m in f if f.headcount(m)]
    below = {m: list(f.below_people(m)) for m in managers}
    return below, f.span_rows(top)


def _assert_placed_answers(store) -> None:  # type: ignore[no-untyped-def]
    assert store.chart.placed_current()
    below, span = _computed(store)
    assert below  # a comparison worth making
    for m, people in below.items():
        stored = store.chart.placed_below(m)
        assert stored is not None
        assert list(stored) == people, m
        assert list(store.placed_below(m, 1)) == [p for p in people if p[4] == 1]
    assert store.placed_span(None) == span
    assert store.placed_span(3) == span[:3]
    # kg stats's forest part, stored with the table, is the forest's own summary
    assert store.chart.placed_summary() == forest(store).summary()
    assert store.forest_summary()["counts"]["posts"] + store.forest_summary()["counts"]["groups"] == len(
        forest(store))
    # the projection's columns, read from the placed table, are the forest's own (order, managers, fields, lines)
    for attributes in (True, False):
        stored = store.chart.placed_forest(attributes)
        assert stored is not None and stored == forest(store).columns(attributes)
        assert store.forest_columns(attributes) == stored


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_placed_table_answers_as_the_forest(name: str, tmp_path: Path) -> None:
    with opened(tmp_path / "s", write=True) as store:
        load_files(store, [REAL / f for f in DATASETS[name]])
    with opened(tmp_path / "s") as store:
        _assert_placed_answers(store)
        # The SPARQL path (what a remote store answers) ranks the same managers the same way.
        assert SparqlReads.placed_span(store, 5) == store.placed_span(5)


def test_placed_table_follows_unload_and_readers_of_other_graphs(tmp_path: Path) -> None:
    senior, junior = (REAL / f for f in DATASETS["natural-england"])
    with opened(tmp_path / "s", write=True) as store:
        load_files(store, [senior])
        load_files(store, [junior])
        _assert_placed_answers(store)
        both = store.placed_span(None)
        store.unload(next(s.name for s in store.sources() if "junior" in s.name))
        _assert_placed_answers(store)
        assert store.placed_span(None) != both  # the junior groups no longer count
        graphs = [s.graph for s in store.visible_sources()]
    # An index read with other graphs visible (a snapshot seen --as-of) is not used: the forest answers.
    index = ChartIndex(tmp_path / "s" / "chart.sqlite", graphs + ["urn:other"], writable=False)
    try:
        assert not index.placed_current() and index.placed_below("x") is None and index.placed_span(3) is None
        assert index.placed_summary() is None
    finally:
        index.close()


def test_reports_all_csv_streams_everyone_below_the_top(tmp_path: Path) -> None:
    senior = REAL / DATASETS["natural-england"][0]
    with senior.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    top = next(r["Post Unique Reference"] for r in rows if r["Reports to Senior Post"] == "XX")
    store = str(tmp_path / "s")
    runner = CliRunner()
    assert runner.invoke(main, ["--store", store, "load", str(senior)]).exit_code == 0
    done = runner.invoke(main, ["--store", store, "reports", top, "--all", "--format", "csv"])
    assert done.exit_code == 0, done.output
    got = list(csv.DictReader(done.stdout.splitlines()))
    assert list(got[0]) == ["id", "name", "title", "depth", "manager_id"]
    # Everyone of the file but the top, breadth first (depths never decrease), each under a manager listed
    # before them.
    assert len(got) == len(rows) - 1
    assert [int(r["depth"]) for r in got] == sorted(int(r["depth"]) for r in got)
    seen = {top}
    for r in got:
        assert r["manager_id"] in seen
        seen.add(r["id"])
    # The list form (library and JSON) holds the same people.
    with opened(tmp_path / "s") as s:
        assert [p["id"] for p in org.reports(s, top, all_levels=True)] == [r["id"] for r in got]
    as_json = runner.invoke(main, ["--store", store, "reports", top, "--all", "--format", "json"])
    assert as_json.exit_code == 0 and '"iri"' in as_json.stdout


def test_placed_columns_keep_the_forest_rules_and_merge_duplicates(tmp_path: Path) -> None:
    """Lines the forest cuts or drops (several managers, a cycle, a self-loop) are stored with the placed table
    and come back with its columns; a node described by two sources is one merged row of the forest, so the
    columns then come from the forest itself."""
    odd = tmp_path / "odd.ttl"
    odd.write_text("""@prefix org: <http://www.w3.org/ns/org#> . @prefix ex: <http://example.org/> .
ex:a org:reportsTo ex:root . ex:a org:reportsTo ex:other . ex:b org:reportsTo ex:a . ex:c org:reportsTo ex:c .
ex:x org:reportsTo ex:y . ex:y org:reportsTo ex:x .
""")
    with opened(tmp_path / "s", write=True) as store:
        load_files(store, [REAL / DATASETS["chinook"][0], odd])
    with opened(tmp_path / "s") as store:
        f = forest(store)
        assert f.cycles and f.self_loops and f.several_managers  # the file's defects, as the forest rules them
        stored = store.chart.placed_forest(True)
        assert stored is not None and stored == f.columns(True)
        assert (stored.cut, stored.self_loops, stored.cycles) == (f.cut, f.self_loops, f.cycles)
    twice = tmp_path / "twice.ttl"  # a node of the first file described again
    twice.write_text("""@prefix org: <http://www.w3.org/ns/org#> . @prefix ex: <http://example.org/> .
ex:b org:reportsTo ex:a . ex:b org:holds ex:z .
""")
    with opened(tmp_path / "s", write=True) as store:
        load_files(store, [twice])
    with opened(tmp_path / "s") as store:
        assert store.chart.placed_current() and store.chart.placed_forest(True) is None
        assert store.forest_columns(True) == forest(store).columns(True)
