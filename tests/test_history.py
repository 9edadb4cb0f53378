"""Snapshots of one organization over time: the MoJ senior and junior organograms six months apart."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.history import current
from kg.store import opened

# The MoJ files (OGL) are committed under tests/data/realdata, unchanged copies of ../shared/realdata's.
SNAPSHOTS = Path(__file__).resolve().parent / "data" / "realdata" / "uk-organogram-snapshots"
OLD, NEW = "2011-03-31", "2011-09-30"


def moj(when: str, kind: str) -> Path:
    return SNAPSHOTS / f"ministry_of_justice-{when}-{kind}.csv"


def senior_rows(when: str) -> list[dict[str, str]]:
    with moj(when, "senior").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def kg(store: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--store", str(store), *args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def _series_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("series") / "store"
    for when in (NEW, OLD):  # loaded newest first: the order of loads must not matter
        code, out = kg(store, "load", "--series", "moj", str(moj(when, "senior")), str(moj(when, "junior")))
        assert code == 0, out
    return store


@pytest.fixture
def series_store(_series_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store"
    shutil.copytree(_series_template, path)
    return path


def test_dates_read_from_file_names_and_shown_by_sources(series_store: Path) -> None:
    code, out = kg(series_store, "sources", "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    assert {(r["series"], r["as_of"]) for r in rows} == {("moj", OLD), ("moj", NEW)}
    assert {r["name"] for r in rows if r["visible"]} == {moj(NEW, "senior").name, moj(NEW, "junior").name}


def test_every_read_sees_the_latest_snapshot_by_default(series_store: Path) -> None:
    with opened(series_store) as store:
        assert {s.as_of for s in store.visible_sources()} == {NEW}
        posts = store.select("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p po:identifier ?id ; a org:Post }")
    newest = {r["Post Unique Reference"] for r in senior_rows(NEW)}
    assert int(posts[0]["n"]) >= len(newest)  # senior posts of September plus its junior groups
    code, out = kg(series_store, "query", "-e", "SELECT ?id WHERE { ?p po:identifier ?id } ", "--format", "csv")
    ids = set(out.split()[1:])
    gone = {r["Post Unique Reference"] for r in senior_rows(OLD)} - newest
    assert gone and not (gone & ids), "posts that left by September are not seen"


def test_as_of_a_date_between_answers_from_the_older_snapshot(series_store: Path) -> None:
    old = {r["Post Unique Reference"]: r for r in senior_rows(OLD)}
    new = {r["Post Unique Reference"] for r in senior_rows(NEW)}
    left = sorted(set(old) - new, key=int)[0]
    code, out = kg(series_store, "who", left)
    assert code == 1 and "no person matches" in out
    code, out = kg(series_store, "--as-of", "2011-06-30", "who", left, "--format", "json")
    assert code == 0, out
    assert json.loads(out)["title"] == old[left]["Job Title"].strip()
    code, out = kg(series_store, "--as-of", "2010-01-01", "stats", "--format", "json")
    assert code == 1 and "holds no data" in out or json.loads(out)["posts"] == 0


def test_named_graphs_hold_every_snapshot_for_questions_across_time(series_store: Path) -> None:
    code, out = kg(series_store, "query", "--format", "json", "-e",
                   "SELECT ?d (COUNT(DISTINCT ?id) AS ?n) WHERE { GRAPH ?g { ?s a po:Snapshot ; po:asOf ?d . "
                   "?p po:identifier ?id ; org:reportsTo ?m } } GROUP BY ?d ORDER BY ?d")
    assert code == 0, out
    counts = {b["d"]["value"]: int(b["n"]["value"]) for b in json.loads(out)["results"]["bindings"]}
    assert list(counts) == [OLD, NEW]
    for when in (OLD, NEW):  # every senior post with a manager in the file, at least
        with_manager = {r["Post Unique Reference"] for r in senior_rows(when)
                        if r["Reports to Senior Post"].strip() not in ("", "XX", "xx")}
        assert counts[when] >= len(with_manager)


def test_a_snapshot_needs_a_date(tmp_path: Path) -> None:
    plain = tmp_path / "export.csv"
    plain.write_text("id,name,manager\n1,Ann,\n2,Bob,1\n")
    code, out = kg(tmp_path / "s", "load", "--series", "hr", str(plain))
    assert code == 1 and "--as-of" in out and out.count("\n") == 1
    code, out = kg(tmp_path / "s", "load", "--series", "hr", "--as-of", "31 Jan", str(plain))
    assert code == 1 and "YYYY-MM-DD" in out
    code, out = kg(tmp_path / "s", "load", "--series", "hr", "--as-of", "2024-01-31", str(plain))
    assert code == 0, out
    code, out = kg(tmp_path / "s", "load", "--series", "hr", "--as-of", "2024-02-29", str(plain))
    assert code == 0, out
    with opened(tmp_path / "s") as store:
        assert sorted(s.name for s in store.sources()) == ["export.csv@2024-01-31", "export.csv@2024-02-29"]
        assert [s.name for s in current(store.sources())] == ["export.csv@2024-02-29"]
    code, out = kg(tmp_path / "s", "--as-of", "soon", "stats")
    assert code == 1 and "YYYY-MM-DD" in out and "Traceback" not in out


def test_a_date_column_dates_the_snapshot(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("id,name,manager,As of\n1,Ann,,2024-03-31\n2,Bob,1,2024-03-31\n")
    code, out = kg(tmp_path / "s", "load", "--series", "hr", str(export))
    assert code == 0, out
    with opened(tmp_path / "s") as store:
        assert [(s.name, s.as_of) for s in store.sources()] == [("export.csv@2024-03-31", "2024-03-31")]
    export.write_text("id,name,manager,As of\n1,Ann,,2024-03-31\n2,Bob,1,2024-04-30\n")
    code, out = kg(tmp_path / "s", "load", "--series", "hr", str(export))
    assert code == 1 and "several dates" in out and out.count("\n") == 1


def test_junior_rows_attach_only_to_their_own_snapshot(series_store: Path) -> None:
    """September's junior file names senior posts; a post that exists only in March must not adopt them."""
    with opened(series_store) as store:
        for info in store.sources():
            if info.series == "moj" and "junior" in info.name:
                assert info.summary.get("dangling_count", 0) == _dangling_juniors(info.as_of)


def _dangling_juniors(when: str) -> int:
    seniors = {r["Post Unique Reference"].strip() for r in senior_rows(when)}
    with moj(when, "junior").open(newline="", encoding="utf-8") as f:
        return sum(1 for r in csv.DictReader(f) if r["Reporting Senior Post"].strip() not in seniors)


# -- kg diff ---------------------------------------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _holder(name: str) -> str:
    from kg.names import PLACEHOLDER_NAMES, fold

    return "" if not name.strip() or fold(name) in PLACEHOLDER_NAMES else _norm(name)


def _expected_changes() -> dict[str, int]:
    """The diff of the two senior files, computed here from the CSV rows."""
    old = {r["Post Unique Reference"].strip(): r for r in senior_rows(OLD)}
    new = {r["Post Unique Reference"].strip(): r for r in senior_rows(NEW)}

    def manager(rows: dict[str, dict[str, str]], post: str) -> str | None:
        boss = rows[post]["Reports to Senior Post"].strip()
        return boss if boss in rows and boss != post else None  # a top marker or a dangling id: no manager

    both = set(old) & set(new)
    return {
        "joined": len(set(new) - set(old)),
        "left": len(set(old) - set(new)),
        "moved": sum(1 for p in both if manager(old, p) != manager(new, p)),
        "retitled": sum(1 for p in both if _norm(old[p]["Job Title"]) != _norm(new[p]["Job Title"])),
        "holder_changed": sum(1 for p in both if _holder(old[p]["Name"]) != _holder(new[p]["Name"])),
        "regraded": sum(1 for p in both if _norm(old[p]["Grade (or equivalent)"])
                        != _norm(new[p]["Grade (or equivalent)"])),
    }


def test_diff_counts_equal_those_computed_from_the_files(series_store: Path, tmp_path: Path) -> None:
    code, out = kg(series_store, "diff", f"moj@{OLD}", f"moj@{NEW}", "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    expected = _expected_changes()
    assert {k: data["summary"][k] for k in expected} == expected
    assert all(len(data[k]) == n for k, n in expected.items())
    assert expected["joined"] and expected["left"] and expected["moved"]  # the files do change
    new_rows = {r["Post Unique Reference"].strip(): r for r in senior_rows(NEW)}
    code, out = kg(series_store, "who", "2", "--format", "json")
    assert json.loads(out)["grade"] == new_rows["2"]["Grade (or equivalent)"]  # the grade column is read
    old = {r["Post Unique Reference"].strip(): r for r in senior_rows(OLD)}
    for item in data["moved"]:  # each move names the managers of the two files
        boss = old[item["id"]]["Reports to Senior Post"].strip()
        assert (item["from"] or {}).get("id") == (boss if boss in old else None)
    assert data["before"]["posts"] == len(old) and data["after"]["posts"] == len(senior_rows(NEW))
    assert data["old"]["as_of"] == OLD and data["new"]["as_of"] == NEW
    # A source name stands for its whole snapshot; CSV gives one row per change.
    code, out = kg(series_store, "diff", moj(OLD, "junior").name, "moj", "--format", "csv")
    assert code == 0, out
    rows = list(csv.DictReader(out.splitlines()))
    assert len(rows) == sum(expected.values())
    assert {r["change"] for r in rows} == {k for k, n in expected.items() if n}


def test_diff_chart_marks_joined_moved_and_left_posts(series_store: Path, tmp_path: Path) -> None:
    chart = tmp_path / "diff.html"
    code, out = kg(series_store, "diff", f"moj@{OLD}", f"moj@{NEW}", "--chart", str(chart))
    assert code == 0, out
    page = chart.read_text()
    expected = _expected_changes()
    data = json.loads(page.split('<script type="application/json" id="kg-data">', 1)[1].split("</script>", 1)[0])
    legend = [row[0] for row in data["legend"]]
    marked = {label: data["cards"]["c"].count(i) for i, label in enumerate(legend)}
    assert {k: marked.get(k, 0) for k in ("joined", "left", "moved")} == \
        {k: expected[k] for k in ("joined", "left", "moved")}
    assert len(data["cards"]["p"]) == len(senior_rows(NEW)) + expected["left"] + _groups(NEW)


def _groups(when: str) -> int:
    with moj(when, "junior").open(newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.DictReader(f))


def test_diff_by_name_and_unknown_snapshots(series_store: Path) -> None:
    code, out = kg(series_store, "diff", f"moj@{OLD}", f"moj@{NEW}", "--match", "name", "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    from collections import Counter

    from kg.names import fold

    def once(when: str) -> set[str]:  # holders named exactly once in the file (the keys a name match can use)
        counts = Counter(fold(r["Name"]) for r in senior_rows(when) if _holder(r["Name"]))
        return {k for k, n in counts.items() if n == 1}

    assert data["summary"]["left"] == len(once(OLD) - once(NEW))
    assert data["summary"]["joined"] == len(once(NEW) - once(OLD))
    assert data["summary"]["holder_changed"] == 0  # matched by holder, a post cannot change holder
    code, out = kg(series_store, "diff", "moj@2011-06-30", "moj")
    assert code == 1 and "2011-03-31, 2011-09-30" in out


# -- kg whatif -------------------------------------------------------------------------------------------------


def _nx_shape(G) -> dict[str, object]:  # noqa: ANN001
    import networkx as nx

    spans = [d for _, d in G.out_degree() if d]
    depth = 0
    for root in (n for n, d in G.in_degree() if d == 0):
        depth = max(depth, max(nx.single_source_shortest_path_length(G, root).values()))
    return {"layers": depth + 1, "managers": len(spans), "span_max": max(spans),
            "span_mean": round(sum(spans) / len(spans), 2), "single_report_managers": spans.count(1)}


def test_whatif_move_changes_exactly_what_networkx_says(series_store: Path) -> None:
    from kg.reading import forest

    with opened(series_store) as store:
        f = forest(store)
    by_id = {f.record(i).id: i for i in f if f.record(i).kind != "group"}
    # move a manager with a team under someone in another branch, deep down
    post = max((i for i in by_id.values() if f.manager(i)), key=lambda i: (f.headcount(i), i))
    target = max((i for i in by_id.values() if i not in {post, *(x for x, _ in f.descendants(post))}
                  and f.manager(i) != post and i != f.manager(post)), key=lambda i: (len(f.chain(i)), i))
    G = f.to_networkx()
    G.remove_edge(f.manager(post), post)
    G.add_edge(target, post)
    code, out = kg(series_store, "whatif", "--move", f.record(post).id, "--under", f.record(target).id,
                   "--format", "json")
    assert code == 0, out
    result = json.loads(out)
    after = {k: result["after"][k] for k in ("layers", "managers", "span_max", "span_mean", "single_report_managers")}
    assert after == _nx_shape(G)
    assert {k: result["before"][k] for k in after} == _nx_shape(f.to_networkx())
    assert [m["id"] for m in result["moved"]] == [f.record(post).id]
    code, again = kg(series_store, "stats", "--format", "json")  # the loaded data did not change
    assert json.loads(again)["reporting_edges"] == f.counts()["reporting_edges"]


def test_whatif_remove_merge_csv_and_save(series_store: Path, tmp_path: Path) -> None:
    from kg.reading import forest

    with opened(series_store) as store:
        f = forest(store)
    top = f.roots()[0]
    a, b = sorted(f.direct_reports(top), key=lambda i: -f.headcount(i))[:2]
    moves = tmp_path / "moves.csv"
    moves.write_text(f"action,post,under\nmerge,{f.record(b).id},{f.record(a).id}\n")
    code, out = kg(series_store, "whatif", "--moves", str(moves), "--save", "plan", "--format", "json")
    assert code == 0, out
    result = json.loads(out)
    assert result["after"]["posts"] == result["before"]["posts"] - 1
    assert result["saved"] == f"plan@{NEW}"
    code, out = kg(series_store, "stats", "--format", "json")
    assert json.loads(out)["posts"] == f.counts()["posts"], "a saved scenario is not mixed into reads"
    code, out = kg(series_store, "--snapshot", "plan", "reports", f.record(a).id, "--format", "json")
    assert code == 0, out
    assert {p["iri"] for p in json.loads(out)} == set(f.direct_reports(a)) | set(f.direct_reports(b))
    code, out = kg(series_store, "diff", "moj", "plan", "--format", "json")
    data = json.loads(out)
    assert data["summary"]["left"] == 1 and data["left"][0]["iri"] == b
    assert data["summary"]["moved"] == sum(1 for x in f.direct_reports(b) if f.record(x).kind != "group")
    code, out = kg(series_store, "query", "--format", "csv", "-e",
                   "SELECT ?c WHERE { GRAPH ?g { ?e a po:Reorganization ; po:change ?c ; prov:used ?u } }")
    assert code == 0  # scenarios are not in the named graphs of ordinary reads
    assert out.strip() == "c"
    code, out = kg(series_store, "--snapshot", "plan", "query", "--format", "csv", "-e",
                   "SELECT ?c WHERE { ?e a po:Reorganization ; po:change ?c ; prov:used ?u }")
    assert code == 0 and "merge the team of" in out
    code, out = kg(series_store, "whatif", "--remove", "no-such-post")
    assert code == 1 and out.count("\n") == 1


def test_named_queries_for_change_agree_with_the_files(series_store: Path) -> None:
    expected = _expected_changes()
    for name, key in (("joiners", "joined"), ("leavers", "left"), ("moves", "moved")):
        code, out = kg(series_store, "query", name, "--param", f"old={OLD}", "--param", f"new={NEW}",
                       "--format", "csv")
        assert code == 0, out
        rows = list(csv.DictReader(out.splitlines()))
        assert len(rows) == expected[key], name
        assert {r["series"] for r in rows} == {"moj"}
    code, out = kg(series_store, "--as-of", "2011-06-30", "query", "joiners", "--param", f"old={OLD}",
                   "--param", f"new={NEW}", "--format", "csv")
    assert code == 0 and out.strip().count("\n") == 0, "as of June the September snapshot does not exist yet"
