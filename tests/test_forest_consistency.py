"""One reporting forest, read the same way everywhere: on every real file, the load summary, `kg stats`,
`kg health`, `kg layers`, `kg span`, `kg validate` and the d3 export agree on posts, named people, roots,
reporting edges and cycles; the SPARQL path (what a remote store answers) gives the same forest as the chart
index; a d3 CSV export loaded back gives the same forest."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kg import org, org_reports
from kg.export import d3_rows, org_chart
from kg.ingest.load import load_files
from kg.reading import SparqlReads, forest
from kg.store import opened
from kg.validate import validate

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "tests" / "data" / "realdata"
SHARED = ROOT.parent / "shared" / "realdata"


def _find(relative: str) -> Path | None:
    for base in (COMMITTED, SHARED):
        if (base / relative).is_file():
            return base / relative
    return None


# Files loaded together (a senior organogram with its junior file is one organization).
DATASETS = {
    "hmrc": ["uk-organograms/300913-HMRC-Organogram-Final-senior.csv",
             "uk-organograms/300913-HMRC-Organogram-Final-junior.csv"],
    "natural-england": ["uk-organograms/300913-Natural-England-Organogram-senior.csv",
                        "uk-organograms/300913-Natural-England-Organogram-junior.csv"],
    "hefce-csv": ["uk-organogram-hefce/HEFCE_organogram_senior_data_31032011.csv",
                  "uk-organogram-hefce/HEFCE_organogram_junior_data_31032011.csv"],
    "hefce-rdf": ["uk-organogram-hefce/HEFCE_organogram_31032011.rdf"],
    "hefce-nt": ["uk-organogram-hefce/HEFCE_organogram_31032011.nt"],
    "chinook": ["chinook/Employee.csv"],
    "d3-sample": ["d3-org-chart-sample/org.csv"],
    "d3-oracle": ["d3-org-chart-sample/data-oracle.csv"],
    "moj-2011-03": ["uk-organogram-snapshots/ministry_of_justice-2011-03-31-senior.csv",
                    "uk-organogram-snapshots/ministry_of_justice-2011-03-31-junior.csv"],
    "moj-2011-09": ["uk-organogram-snapshots/ministry_of_justice-2011-09-30-senior.csv",
                    "uk-organogram-snapshots/ministry_of_justice-2011-09-30-junior.csv"],
    "csvw-test034": ["w3c-csvw-test034/result.ttl"],
}


def _files(name: str) -> list[Path]:
    found = [_find(f) for f in DATASETS[name]]
    if any(f is None for f in found):
        pytest.skip(f"{name}: real files not available here")
    return [f for f in found if f is not None]


def _data_rows(path: Path) -> int:
    from kg.ingest.csv_import import read_text

    text, _ = read_text(path)
    return sum(1 for row in csv.reader(text.splitlines()[1:]) if any(c.strip() for c in row))


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list]]:
    return {}


def _loaded(name: str, stores: dict, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    if name not in stores:
        files = _files(name)
        path = tmp_path_factory.mktemp(name) / "store"
        with opened(path, write=True) as store:
            reports = load_files(store, files)
        stores[name] = (path, reports)
    return stores[name]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_command_counts_the_same_forest(name: str, stores: dict,
                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    path, reports = _loaded(name, stores, tmp_path_factory)
    with opened(path) as store:
        f = forest(store)
        stats = org.stats(store)
        health = org_reports.health_report(store)
        layers = org_reports.layers_report(store)
        span = org.span(store, top=None)
        found = {x.check: x.items for x in validate(store, shacl=False).findings}
        chart = org_chart(store)
        d3, changes = d3_rows(chart)
        sparql = SparqlReads.forest_rows(store).forest()  # the remote path: rows from SPARQL alone
    counts = f.counts()
    assert counts["posts"] + counts["groups"] == len(f) > 0
    # The load summary (per file, summed) says what stats and health say.
    assert sum(r.posts for r in reports) == stats["posts"] == health["posts"] == counts["posts"]
    assert sum(r.groups for r in reports) == stats["groups"] == health["groups"]
    assert sum(r.named_people for r in reports) == stats["named_people"] == health["named_people"]
    assert sum(r.edges for r in reports) == stats["reporting_edges"] == health["reporting_edges"]
    assert sum(len(r.roots) for r in reports) == stats["roots"] == health["roots"] == len(f.roots())
    assert sum(len(r.cycles) for r in reports) == stats["cycles"] == health["cycles"] == len(found.get("cycles", []))
    # Layers, span and the chart describe the same tree.
    assert sum(x["posts"] for x in layers) == len(f) and layers[0]["posts"] == stats["roots"]
    assert len(layers) == health["layers"]
    tree_edges = len(f) - stats["roots"]
    assert sum(s["direct_reports"] for s in span) == tree_edges
    assert len(found.get("several_roots", [])) == (stats["roots"] if stats["roots"] > 1 else 0)
    # The d3 export: one row per post, and one synthetic root above several trees (d3 needs one root).
    top = changes["root"]
    assert len(chart.nodes) == len(d3) - (1 if top else 0) == len(f)
    assert sum(1 for r in d3 if r["parentId"] == top) == stats["roots"] and bool(top) == (stats["roots"] > 1)
    # The SPARQL path gives the same forest as the chart index.
    assert sorted(sparql) == sorted(f) and sorted(sparql.edges()) == sorted(f.edges())
    assert sparql.cycles == f.cycles and sorted(sparql.roots()) == sorted(f.roots())
    fields = ("iri", "id", "name", "title", "status", "unit", "fte", "kind", "grade", "row")  # not the source
    assert sorted(tuple(getattr(n, k) for k in fields) for n in sparql.records()) == sorted(
        tuple(getattr(n, k) for k in fields) for n in f.records())
    # CSV files: every data row is a post or a junior group.
    csvs = [p for p in _files(name) if p.suffix == ".csv"]
    if csvs and len(csvs) == len(DATASETS[name]):
        assert sum(_data_rows(p) for p in csvs) == len(f)


@pytest.mark.parametrize("name", ["chinook", "d3-sample", "hefce-csv", "natural-england", "hefce-rdf"])
def test_d3_export_loads_back_as_the_same_forest(name: str, stores: dict, tmp_path: Path,
                                                 tmp_path_factory: pytest.TempPathFactory) -> None:
    from kg.export import export

    path, _ = _loaded(name, stores, tmp_path_factory)
    out = tmp_path / "org.csv"
    with opened(path) as store:
        before = forest(store)
        export(store, "d3-csv", out)
    with opened(tmp_path / "again", write=True) as store:
        [report] = load_files(store, [out])
    with opened(tmp_path / "again") as store:
        after = forest(store)
    # One synthetic root is added above several trees: the same forest below it.
    extra = 1 if len(before.roots()) > 1 else 0
    assert len(after) == len(before) + extra and report.posts + report.groups == len(after)
    assert after.layers() == [1] * extra + before.layers()
    assert len(after.roots()) == 1 and after.cycles == []
    sizes = sorted(after.headcounts().values())
    assert sizes[:len(before)] == sorted(before.headcounts().values())


def test_json_names_are_the_readme_counts(stores: dict, tmp_path_factory: pytest.TempPathFactory) -> None:
    path, _ = _loaded("chinook", stores, tmp_path_factory)
    with opened(path) as store:
        stats, health = org.stats(store), org_reports.health_report(store)
    readme = (ROOT / "README.md").read_text()
    for key in ("posts", "named_people", "vacancies", "roots", "reporting_edges"):
        assert key in stats and key in health and f"`{key}`" in readme
    assert "people" not in stats and "people" not in health
    assert json.dumps(stats)  # plain data


@pytest.mark.parametrize("name", ["hmrc", "moj-2011-03", "hefce-rdf", "chinook"])
def test_lookups_of_big_managers_read_the_placed_table_as_the_forest_answers(
        name: str, stores: dict, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`kg who`, `kg reports`, `kg peers`, `kg search` and `kg path` of the managers with the most people below
    (whose answers once built the whole forest) equal what the whole forest says, on real files."""
    from kg.org_reports import path_report

    path, _ = _loaded(name, stores, tmp_path_factory)
    with opened(path) as store:
        f = forest(store)
        biggest = sorted(f, key=lambda x: (-f.headcount(x), x))[:4]
        leaf = max(x for x in f if not f.headcount(x) and f.manager(x))
        assert f.headcount(biggest[0]) >= 5  # managers whose answers are worth comparing
        for iri in biggest + [leaf]:
            who = org.who(store, iri)
            assert (who["direct_reports"], who["headcount"], who["fte_below"]) == (
                len(f.direct_reports(iri)), f.headcount(iri), f.fte_below(iri))
            assert org.reports(store, iri) == [f.record(x).public() for x in f.direct_reports(iri)]
            assert org.peers(store, iri) == [f.record(x).public() for x in f.peers(iri)]
        # the one reporting path between the leaf and each big manager, hop by hop
        for iri in biggest:
            hops = path_report(store, leaf, iri)["paths"]
            walked = [hops[0]["hops"][0]["from"]["iri"]] + [h["to"]["iri"] for h in hops[0]["hops"]] if hops else []
            assert walked == (f.path(leaf, iri) or [])
        # searches by part of a name, an id and part of a title: the rule applied to every record of the forest
        named = next(f.record(x) for x in sorted(f) if f.record(x).name and len(f.record(x).name) > 3)
        titled = next(f.record(x) for x in sorted(f) if f.record(x).title)
        for text in (named.name[1:4], named.id or named.name, titled.title.split()[0], "e"):
            folded, raw = org.fold(text), text.strip().casefold()
            expected = sorted((n for n in f.records() if (n.name and folded in org.fold(n.name))
                               or (n.id and n.id.casefold() == raw) or (n.title and raw in n.title.casefold())),
                              key=lambda n: n.iri)[:50]
            assert org.search(store, text) == sorted(
                (n.public() for n in expected),
                key=lambda p: (p["name"] is None, (p["name"] or "").casefold(), p["id"] or "")), text


@pytest.mark.parametrize("name", ["hmrc", "moj-2011-03", "hefce-rdf"])
def test_chart_of_a_subtree_is_the_whole_chart_cut_down(name: str, stores: dict,
                                                        tmp_path_factory: pytest.TempPathFactory) -> None:
    """`kg export --root X --depth D` (and `kg viz`) read only X's part of the organization; the chart equals the
    whole organization's chart restricted to X and the people below it, with the whole organization's numbers
    (headcount, reports, betweenness, the top's manager) and levels counted from X."""
    path, _ = _loaded(name, stores, tmp_path_factory)
    with opened(path) as store:
        whole = org_chart(store)
        f = forest(store)
        iri_of = {n["key"]: n["iri"] or n["key"] for n in whole.nodes}
        by_iri = {iri_of[n["key"]]: n for n in whole.nodes}
        biggest = sorted(f, key=lambda x: (-f.headcount(x), x))[:2]
        middle = next(x for x in sorted(f) if 0 < f.headcount(x) < 20 and f.manager(x))
        for top, depth in [(biggest[0], 1), (biggest[1], 2), (middle, None), (biggest[0], None)]:
            part = org_chart(store, top, depth)
            below = {x: d for x, d in f.descendants(top, depth)} | {top: 0}
            part_iri = {n["key"]: n["iri"] for n in part.nodes}
            assert sorted(part_iri.values()) == sorted(below)  # no blank nodes among these tops' reports
            for n in part.nodes:
                expected = dict(by_iri[n["iri"]])
                expected_parent = None if n["iri"] == top else iri_of[expected["parent"]]
                assert (part_iri[n["parent"]] if n["parent"] else None) == expected_parent
                assert n["level"] == below[n["iri"]]
                for field in ("key", "parent", "level"):
                    expected.pop(field), n.pop(field)
                assert n == expected
            assert sorted((part_iri[e["from"]], part_iri[e["to"]], e["kind"]) for e in part.edges) == sorted(
                (iri_of[e["from"]], iri_of[e["to"]], e["kind"]) for e in whole.edges
                if iri_of[e["from"]] in below and iri_of[e["to"]] in below)
