"""`kg who` from the chart index alone: each chart node's role label, holder and dotted-line managers are stored
at load time (CSV and RDF importers alike) and equal what SPARQL answers over the stored triples; the SPARQL
reading (a remote store's) gives the same rows; and `who` never opens the Oxigraph database."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import org, reading
from kg.ingest.load import load_files
from kg.store import opened

REAL = Path(__file__).resolve().parent / "data" / "realdata"
MOJ = REAL / "uk-organogram-snapshots" / "ministry_of_justice-2011-03-31-senior.csv"
DATASETS = {
    "hefce-csv": ["uk-organogram-hefce/HEFCE_organogram_senior_data_31032011.csv",
                  "uk-organogram-hefce/HEFCE_organogram_junior_data_31032011.csv"],
    "hefce-rdf": ["uk-organogram-hefce/HEFCE_organogram_31032011.rdf"],
    "csvw": ["w3c-csvw-test034/result.ttl"],
    "natural-england": ["uk-organograms/300913-Natural-England-Organogram-senior.csv"],
}


def _with_dotted(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The MoJ senior file with a dotted-line column: each post's dotted-line manager is its manager's manager
    (computed from the file), so the expected dotted lines come from the file itself."""
    with MOJ.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    boss = {r["Post Unique Reference"]: r["Reports to Senior Post"] for r in rows}
    dotted = {p: boss[m] for p, m in boss.items() if m in boss and boss[m] in boss and boss[m] != p}
    out = io.StringIO()
    writer = csv.DictWriter(out, [*rows[0].keys(), "Dotted Line Manager"])
    writer.writeheader()
    for r in rows:
        writer.writerow(r | {"Dotted Line Manager": dotted.get(r["Post Unique Reference"], "")})
    path = tmp_path / "moj-dotted.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, dotted


def _sparql_who(store: object, iri: str) -> tuple[str | None, str | None, list[str]]:
    """Role label, holder and dotted-line managers as SPARQL answers them over the visible triples."""
    node = ox.NamedNode(iri)
    roles = [r["role"] for r in store.select(  # type: ignore[attr-defined]
        "SELECT ?role WHERE { ?n po:hasRole/skos:prefLabel ?role }", n=node) if r["role"]]
    holders = [r["h"] for r in store.select(  # type: ignore[attr-defined]
        "SELECT ?h WHERE { ?n org:heldBy ?h FILTER(isIRI(?h)) }", n=node) if r["h"]]
    dotted = sorted(r["m"] for r in store.select(  # type: ignore[attr-defined]
        "SELECT ?m WHERE { ?n po:dottedLineReportsTo ?m FILTER(isIRI(?m)) }", n=node) if r["m"])
    return min(roles, default=None), min(holders, default=None), dotted


def _check_store(path: Path) -> tuple[int, int, int]:
    """Every chart node's stored role, holder and dotted lines equal SPARQL's; the SPARQL reading (what a remote
    store runs) gives the same rows and dotted lines. Returns how many nodes have a role, a holder, a dotted line."""
    with opened(path) as store:
        stored = {r[0]: r for r in store.forest_rows().nodes}
        dotted = store.dotted_lines()
        assert store.chart is not None
        by_sparql = {r[0]: r for r in reading.sparql_forest_rows(store.select).nodes}
        assert {i: r[:-1] for i, r in stored.items()} == {i: r[:-1] for i, r in by_sparql.items()}
        assert dotted == reading.sparql_dotted(store.select)
        counts = [0, 0, 0]
        for iri, row in stored.items():
            if iri.startswith("_:"):
                continue
            role, holder, managers = _sparql_who(store, iri)
            assert (row[10], row[11]) == (role, holder), iri
            assert [m for _, m in store.dotted_lines(iri)] == managers, iri
            counts[0] += role is not None
            counts[1] += holder is not None
            counts[2] += bool(managers)
    return counts[0], counts[1], counts[2]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_stored_role_holder_dotted_equal_sparql_on_real_files(name: str, tmp_path: Path) -> None:
    with opened(tmp_path / "s", write=True) as store:
        load_files(store, [REAL / f for f in DATASETS[name]])
    roles, holders, _ = _check_store(tmp_path / "s")
    with opened(tmp_path / "s") as store:
        named = sum(1 for r in store.forest_rows().nodes if r[2] and r[7] == "post")
    assert holders == named or name == "csvw"  # a named post's holder is on the chart (csvw names no holders)


def test_dotted_lines_of_a_real_file_are_stored(tmp_path: Path) -> None:
    path, dotted = _with_dotted(tmp_path)
    with opened(tmp_path / "s", write=True) as store:
        load_files(store, [path])
    _, holders, with_dotted = _check_store(tmp_path / "s")
    assert with_dotted == len(dotted) > 0 and holders > 0
    with opened(tmp_path / "s") as store:
        post = sorted(dotted)[0]
        profile = org.who(store, post)
    assert [m["id"] for m in profile["dotted_line_managers"]] == [dotted[post]]


def test_example_org_roles_and_dotted_lines(example_store: Path) -> None:
    roles, holders, dotted = _check_store(example_store)
    assert roles > 0 and holders > 0 and dotted > 0


class _NoStore:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("the Oxigraph database was opened")

    @classmethod
    def read_only(cls, *args: object, **kwargs: object) -> None:
        raise AssertionError("the Oxigraph database was opened")


def test_who_opens_no_oxigraph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, dotted = _with_dotted(tmp_path)
    with opened(tmp_path / "s", write=True) as store:
        load_files(store, [path])
    post = sorted(dotted)[-1]
    with opened(tmp_path / "s") as store:
        expected = org.who(store, post)
        iri = expected["iri"]
        role, holder, managers = _sparql_who(store, iri)
    assert (expected["role"], expected["person_iri"]) == (role, holder)
    assert [m["iri"] for m in expected["dotted_line_managers"]] == managers
    monkeypatch.setattr(ox, "Store", _NoStore)
    with opened(tmp_path / "s") as store:
        assert org.who(store, post) == expected
        with pytest.raises(AssertionError, match="Oxigraph database was opened"):
            store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")  # the patch does catch an opening
