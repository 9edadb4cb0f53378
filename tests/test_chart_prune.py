"""Unloading a source takes its IRIs, words and namespaces out of the chart index (in the same transaction as
its rows): the index holds exactly what the remaining rows name, lookups of the remaining source answer as in a
store that never held the other, and a number once given never names another IRI or word."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
UK = ROOT / "tests" / "data" / "realdata" / "uk-organograms"
KEPT = UK / "300913-Natural-England-Organogram-senior.csv"
GONE = UK / "300913-HMRC-Organogram-Final-senior.csv"
WORD_COLUMNS = ("title", "status", "unit", "kind", "grade", "role", "source")


def kg(store: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--store", str(store), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def kg_json(store: Path, *args: str):  # type: ignore[no-untyped-def]
    return json.loads(kg(store, *args, "--format", "json"))


def numbers(db: sqlite3.Connection, sql: str) -> set[int]:
    return {n for (n,) in db.execute(sql) if n is not None}


def referenced(db: sqlite3.Connection) -> dict[str, set[int]]:
    """The term, namespace and word numbers the rows of the index name, computed from its tables."""
    terms = numbers(db, "SELECT iri FROM node UNION SELECT report FROM edge UNION SELECT manager FROM edge "
                        "UNION SELECT report FROM dotted UNION SELECT manager FROM dotted UNION SELECT iri FROM placed")
    spaces = numbers(db, "SELECT holder_ns FROM node") | numbers(
        db, f"SELECT ns FROM term WHERE n IN ({','.join(map(str, terms)) or 'NULL'})")
    words = set().union(*(numbers(db, f"SELECT {c} FROM node") for c in WORD_COLUMNS))
    return {"term": terms, "ns": spaces, "word": words}


def held(db: sqlite3.Connection) -> dict[str, set[int]]:
    return {table: numbers(db, f"SELECT n FROM {table}") for table in ("term", "ns", "word")}


def answers(store: Path) -> dict[str, object]:
    """who and chain of every post of the kept file (by its id), everyone below each of its managers, the span
    ranking, and searches by its names and title words."""
    with KEPT.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    out: dict[str, object] = {}
    for ref in sorted({r["Post Unique Reference"] for r in rows}):
        out[f"who {ref}"] = kg_json(store, "who", ref)
        out[f"chain {ref}"] = kg_json(store, "chain", ref)
    out["span"] = kg_json(store, "span", "--top", str(len(rows)))
    for ref in sorted({r["Reports to Senior Post"] for r in rows} & {r["Post Unique Reference"] for r in rows}):
        out[f"reports {ref}"] = kg_json(store, "reports", "--all", ref)
    words = {w for r in rows for w in r["Job Title"].split() if w.isalpha() and len(w) > 3}
    for text in sorted(words | {r["Name"] for r in rows if r["Name"].strip()}):
        out[f"search {text}"] = kg_json(store, "search", text)
    return out


def test_unload_leaves_only_what_the_remaining_rows_name(tmp_path: Path) -> None:
    both, alone = tmp_path / "both", tmp_path / "alone"
    kg(both, "load", str(KEPT))
    kg(both, "load", str(GONE))
    kg(alone, "load", str(KEPT))
    index = both / "chart.sqlite"
    db = sqlite3.connect(index)
    before = held(db)
    assert before == referenced(db)
    top = {t: max(ns) for t, ns in before.items()}
    kg(both, "unload", GONE.name)
    after, named = held(db), referenced(db)
    assert after == named  # exactly the remaining rows' terms, namespaces and words
    for table in ("term", "word"):  # the unloaded file's own numbers are gone
        assert len(after[table]) < len(before[table])
    alone_db = sqlite3.connect(alone / "chart.sqlite")
    assert {t: len(ns) for t, ns in after.items()} == {t: len(ns) for t, ns in held(alone_db).items()}
    alone_db.close()
    assert answers(both) == answers(alone)

    # numbers are never given again: what the unloaded file had stays unused when it comes back
    kg(both, "load", str(GONE))
    again = held(db)
    for table in ("term", "word"):
        new = again[table] - after[table]
        assert new and min(new) > top[table]
    assert again == referenced(db)
    db.close()


def test_unloading_most_of_the_index_gives_its_disk_back(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("kg.chart_index.COMPACT_BYTES", 0)  # these files are small: compact at any size
    store = tmp_path / "s"
    kg(store, "load", str(KEPT))
    kg(store, "load", str(GONE))
    index = store / "chart.sqlite"
    full = index.stat().st_size
    kg(store, "unload", GONE.name)
    db = sqlite3.connect(index)
    assert db.execute("PRAGMA freelist_count").fetchone() == (0,)
    assert held(db) == referenced(db)
    db.close()
    assert index.stat().st_size * 2 < full
    kg(store, "unload", KEPT.name)  # the last source: nothing left
    db = sqlite3.connect(index)
    assert held(db) == {"term": set(), "ns": set(), "word": set()}
    db.close()
