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

SNAPSHOTS = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "uk-organogram-snapshots"
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
    assert SNAPSHOTS.is_dir(), "../shared/realdata must be beside this checkout (as in CI)"
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
