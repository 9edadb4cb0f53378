"""A CSV load stores ``po:searchKey`` only where a name's key is not its plain lower case; every reader still finds
the same people: the chart index, and SPARQL (what ``--endpoint`` and a store without a current index use)."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.ingest.load import load_files
from kg.names import FILLED, derived_key, fold, post_status
from kg.reading import SparqlReads
from kg.store import Store, opened
from kg.vocab import ORG, PO

FILES = ["uk-organograms/300913-HMRC-Organogram-Final-senior.csv",
         "uk-organograms/300913-Natural-England-Organogram-senior.csv",
         "uk-organogram-snapshots/ministry_of_justice-2011-03-31-senior.csv",
         "chinook/Employee.csv"]


def _names(path: Path) -> list[str]:
    """The names of the people a file's rows hold (the Name column, or FirstName LastName)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    names = [(r.get("Name") or f"{r.get('FirstName', '')} {r.get('LastName', '')}").strip() for r in rows]
    return [n for n in names if post_status(n) == FILLED]


def _accented(source: Path, target: Path) -> Path:
    """A copy of a real file whose names carry accents (every other person's vowels)."""
    with source.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    column = rows[0].index("Name")
    accents = str.maketrans("aeiouAE", "áéïöúÄÉ")
    for i, row in enumerate(rows[1:]):
        if i % 2 and post_status(row[column].strip()) == FILLED:
            row[column] = row[column].translate(accents)
    with target.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return target


def _load(tmp_path: Path, path: Path) -> Path:
    store_path = tmp_path / "store"
    with opened(store_path, write=True) as store:
        load_files(store, [path])
    return store_path


def _stored_keys(store: Store) -> dict[str, str]:
    graph = ox.NamedNode(store.sources()[0].graph)
    return {q.subject.value: q.object.value
            for q in store.db.quads_for_pattern(None, ox.NamedNode(PO.searchKey), None, graph)}


def _check_readers_agree(store: Store, names: list[str]) -> None:
    keys = store.name_keys()  # from the chart index
    assert keys == SparqlReads.name_keys(store)
    assert set(keys) == {fold(n) for n in names}
    for key in keys:
        assert store.find("key", key) == SparqlReads.find(store, "key", key) != []
    for name in names:
        for word in {w for w in name.split() if fold(w)}:
            assert store.find("words", fold(word)) == SparqlReads.find(store, "words", word) != []


@pytest.mark.parametrize("relative", FILES)
def test_only_names_that_need_a_key_store_one_and_every_reader_finds_everyone(real: Path, tmp_path: Path,
                                                                             relative: str) -> None:
    path = real / relative
    names = _names(path)
    assert names
    with opened(_load(tmp_path, path)) as store:
        stored = _stored_keys(store)
        needing = [n for n in names if not n.isascii() or "_" in n]  # what SPARQL cannot fold
        assert sorted(stored.values()) == sorted(fold(n) for n in needing)
        held = sum(1 for _ in store.db.quads_for_pattern(None, ox.NamedNode(ORG.heldBy), None, None))
        assert held == len(names)  # every person is still there: the key is what is left out
        _check_readers_agree(store, names)


def test_accented_names_keep_their_key_and_are_found_with_or_without_accents(real: Path, tmp_path: Path) -> None:
    path = _accented(real / "uk-organograms" / "300913-HMRC-Organogram-Final-senior.csv", tmp_path / "accented.csv")
    names = _names(path)
    accented = [n for n in names if not n.isascii()]
    assert accented and len(accented) < len(names)
    with opened(_load(tmp_path, path)) as store:
        assert set(_stored_keys(store).values()) >= {fold(n) for n in accented}
        _check_readers_agree(store, names)
        for name in accented:
            plain = fold(name)
            assert plain.isascii() and store.find("key", plain) == SparqlReads.find(store, "key", plain) != []
            assert SparqlReads.find(store, "words", name) == SparqlReads.find(store, "words", plain) != []


def test_rdf_loads_follow_the_same_rule(real: Path, tmp_path: Path) -> None:
    """The HEFCE organogram in RDF/XML: keys are stored where readers cannot derive them, and SPARQL finds
    every person the chart index finds."""
    path = real / "uk-organogram-hefce" / "HEFCE_organogram_31032011.rdf"
    with opened(_load(tmp_path, path)) as store:
        keys = store.name_keys()
        assert keys and keys == SparqlReads.name_keys(store)
        for key in keys:
            assert store.find("key", key) == SparqlReads.find(store, "key", key) != []
        stored = _stored_keys(store)
        names: dict[str, list[str]] = {}
        for r in store.select("SELECT ?n ?name WHERE { ?n org:heldBy/foaf:name ?name }"):
            names.setdefault(r["n"], []).append(r["name"])
        assert len(stored) < len(names)  # most keys are left out
        for post, held in names.items():  # ...and only those readers derive
            needed = len(held) > 1 or derived_key(held[0]) is None
            assert (post in stored) is needed, (post, held)
