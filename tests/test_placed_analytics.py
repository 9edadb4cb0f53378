"""Whole-organization analytics from what the chart index stores (issue 15): `kg stats`, `kg health` and the
reporting line's betweenness read the placed table's columns and summary, and give the numbers the forest and
networkx give, on real files (several roots, junior FTE groups, a cut cycle) and the example organization; the
remote path (SPARQL, no placed table) gives the same answers; the stored counts follow loads and unloads; an
index of the older shape is rebuilt."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg import org, org_reports
from kg.chart_index import SCHEMA_VERSION, is_current
from kg.cli import main
from kg.demo import EXAMPLE_FILES
from kg.ingest.load import load_files
from kg.ontology import data_file
from kg.reading import SparqlReads, forest, sparql_data_counts
from kg.store import opened

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "realdata"
SHARED = ROOT.parent / "shared" / "realdata"
DATASETS = {
    "natural-england": ["uk-organograms/300913-Natural-England-Organogram-senior.csv",
                        "uk-organograms/300913-Natural-England-Organogram-junior.csv"],
    "hefce-rdf": ["uk-organogram-hefce/HEFCE_organogram_31032011.rdf"],
    "moj": ["uk-organogram-snapshots/ministry_of_justice-2011-03-31-senior.csv",
            "uk-organogram-snapshots/ministry_of_justice-2011-03-31-junior.csv"],
    "chinook": ["chinook/Employee.csv"],
}
SHARED_ONLY = {"d3-oracle": ["d3-org-chart-sample/data-oracle.csv"]}


def _chinook_with_a_cycle(tmp_path: Path) -> Path:
    """Chinook's employees, with the top reporting to one of the people below them: a ring to cut, and the
    people without a manager in the file elsewhere (several roots once it is cut)."""
    with (REAL / "chinook" / "Employee.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    top = next(r for r in rows if not r["ReportsTo"])
    below = next(r for r in rows if r["ReportsTo"] == top["EmployeeId"])
    top["ReportsTo"] = below["EmployeeId"]
    rows.append(dict(top, EmployeeId="900", LastName="Solo", FirstName="Sam", ReportsTo=""))  # a second root
    out = tmp_path / "chinook-cycle.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def _files(name: str, tmp_path: Path) -> list[Path]:
    if name == "example":
        return [data_file(n) for n in EXAMPLE_FILES]
    if name == "chinook-cycle":
        return [_chinook_with_a_cycle(tmp_path)]
    if name in SHARED_ONLY:
        found = [SHARED / f for f in SHARED_ONLY[name]]
        if not all(f.is_file() for f in found):
            pytest.skip(f"{name}: ../shared/realdata not here")
        return found
    return [REAL / f for f in DATASETS[name]]


ALL = [*sorted(DATASETS), *sorted(SHARED_ONLY), "chinook-cycle", "example"]


def _oracle_betweenness(store) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    """networkx's betweenness of the reporting forest (undirected, normalized), by score then IRI."""
    f = forest(store)
    G = nx.Graph()
    G.add_nodes_from(f)
    G.add_edges_from(f.edges())
    scores = nx.betweenness_centrality(G, normalized=True)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _expected_health(store, n: int) -> dict:  # type: ignore[no-untyped-def]
    """`kg health`'s numbers computed here from the forest, one node at a time."""
    f = forest(store)
    direct = {m: len(f.direct_reports(m)) for m in f if f.direct_reports(m)}
    spans = sorted(direct.values())
    units = Counter(r.unit or "(none)" for r in f.records())
    singles = sorted(m for m, d in direct.items() if d == 1)
    teams = sorted(direct, key=lambda m: (-f.headcount(m), -direct[m], m))[:n]
    dotted = store.select("SELECT (COUNT(*) AS ?c) WHERE { ?a po:dottedLineReportsTo ?b }")[0]["c"]
    return {
        "managers": len(spans), "layers": max(f.depths().values(), default=-1) + 1,
        "span_distribution": dict(sorted(Counter(spans).items())), "span_max": max(spans, default=0),
        "single_count": len(singles), "singles": [f.record(m).public() for m in singles[:n]],
        "teams": [f.record(m).public() | {"headcount": f.headcount(m), "direct_reports": direct[m],
                                          "fte_below": f.fte_below(m)} for m in teams],
        "units": dict(sorted(units.items(), key=lambda uc: (-uc[1], uc[0]))),
        "cycles": [[f.record(x).id or x for x in ring] for ring in f.cycles],
        "dotted": int(dotted or 0),
    }


@pytest.mark.parametrize("name", ALL)
def test_health_stats_and_betweenness_from_the_placed_table(name: str, tmp_path: Path) -> None:
    with opened(tmp_path / "s", write=True) as store:
        load_files(store, _files(name, tmp_path))
    with opened(tmp_path / "s") as store:
        assert store.chart is not None and store.chart.placed_current()
        n = 4
        expected = _expected_health(store, n)
        health = org_reports.health_report(store, n)
        assert health["managers"] == expected["managers"] > 0
        assert health["layers"] == expected["layers"]
        assert health["span"]["distribution"] == expected["span_distribution"]
        assert health["span"]["max"] == expected["span_max"]
        assert health["single_report_managers"] == {"count": expected["single_count"], "first": expected["singles"]}
        assert health["largest_teams"] == expected["teams"]
        assert health["headcount_by_unit"] == expected["units"]
        assert health["cycles_cut"] == expected["cycles"]
        assert health["dotted_lines"] == expected["dotted"]
        # What a remote store answers (SPARQL and the forest, no placed table) is the same, key for key.
        remote = {m: getattr(SparqlReads, m).__get__(store) for m in
                  ("forest_summary", "data_counts", "placed_top", "placed_columns", "placed_rows")}
        assert list(health.items()) == list(org_reports.health_report(_Remote(store, remote), n).items())
        # kg stats's counts beyond the forest were stored at load time: the same as the queries now.
        assert store.data_counts() == sparql_data_counts(store.select)
        assert org.stats(store) == org.stats(_Remote(store, remote))
        # Betweenness of the reporting line: networkx's numbers, same ranking (ties by IRI).
        ranked = _oracle_betweenness(store)
        # everyone (ties among the people who broker nobody) on the small charts
        for top in (1, 5, 30) if len(ranked) > 200 else (1, 5, len(ranked) + 3):
            oracle = ranked[:top]
            rows = org_reports.centrality_report(store, "betweenness", "reporting", top)
            assert [r["iri"] or "" for r in rows] == [x if not x.startswith("_:") else "" for x, _ in oracle]
            assert [r["score"] for r in rows] == pytest.approx([s for _, s in oracle], abs=1e-12)
            assert rows == org_reports.centrality_report(_Remote(store, remote), "betweenness", "reporting", top)


class _Remote:
    """A store read as a remote one is: the given methods answer from SPARQL and the forest."""

    def __init__(self, store, methods: dict) -> None:  # type: ignore[no-untyped-def]
        self._store, self._methods = store, methods

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return self._methods.get(name) or getattr(self._store, name)


def test_stored_counts_follow_loads_and_unloads(tmp_path: Path) -> None:
    example = [data_file(n) for n in EXAMPLE_FILES]
    chinook = REAL / "chinook" / "Employee.csv"
    with opened(tmp_path / "s", write=True) as store:
        load_files(store, [chinook])
        alone = store.data_counts()
        assert alone == sparql_data_counts(store.select)
        load_files(store, example)
        both = store.data_counts()
        assert both == sparql_data_counts(store.select)
        assert both["dotted_lines"] > alone["dotted_lines"] and both != alone  # the example has dotted lines
        store.unload(next(s.name for s in store.sources() if s.name.startswith("example_org")))
        assert store.data_counts() == sparql_data_counts(store.select)
        assert store.chart.placed_current()


def test_an_index_of_the_older_shape_is_rebuilt_with_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with opened(path, write=True) as store:
        load_files(store, [REAL / "chinook" / "Employee.csv"])
    index = path / "chart.sqlite"
    db = sqlite3.connect(index)
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")  # as the version before manager_pos wrote it
    db.execute("DELETE FROM meta WHERE key = 'placed_counts'")
    db.commit()
    db.close()
    assert not is_current(index)
    runner = CliRunner()
    # A reader reads around it (SPARQL), and answers the same.
    before = runner.invoke(main, ["--store", str(path), "health", "--format", "json"])
    assert before.exit_code == 0, before.output
    done = runner.invoke(main, ["--store", str(path), "doctor", "--format", "json"])
    assert done.exit_code == 0, done.output
    said = {c["check"]: c for c in json.loads(done.stdout)}["chart index"]
    assert said["status"] == "repaired" and f"had schema 2; this kg reads schema {SCHEMA_VERSION}" in said["detail"]
    assert is_current(index)
    db = sqlite3.connect(index)
    try:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (SCHEMA_VERSION,)
        assert db.execute("SELECT count(*) FROM placed WHERE manager_pos = -1").fetchone() == (1,)
        assert db.execute("SELECT value FROM meta WHERE key = 'placed_counts'").fetchone() is not None
    finally:
        db.close()
    after = runner.invoke(main, ["--store", str(path), "health", "--format", "json"])
    assert after.stdout == before.stdout
