"""Importers on real, public org-chart files (tests/data/realdata, see its NOTICE.md)."""

from __future__ import annotations

from pathlib import Path

from kg import org
from kg.ingest.load import load_files
from kg.store import opened

HEFCE_POST = "http://reference.data.gov.uk/id/public-body/higher-education-funding-council-for-england/post/"


def load(store_path: Path, *files: Path, **kwargs):  # type: ignore[no-untyped-def]
    with opened(store_path, write=True) as store:
        return load_files(store, list(files), **kwargs)


def ids(people: list[dict]) -> list[str]:
    return [p["id"] for p in people]


def test_chinook_chain_and_reports(store_path: Path, real: Path) -> None:
    [report] = load(store_path, real / "chinook/Employee.csv")
    assert (report.rows, report.named_people, report.edges, report.roots) == (8, 8, 7, ["1"])
    with opened(store_path) as store:
        assert ids(org.chain(store, "7").people) == ["6", "1"]
        assert sorted(ids(org.reports(store, "2"))) == ["3", "4", "5"]
        assert org.who(store, "Andrew Adams")["title"] == "General Manager"
        assert org.manager(store, "1") is None


def _edges(store_path: Path) -> set[tuple[str, str]]:
    """Reporting edges between senior posts, as (report id, manager id)."""
    with opened(store_path) as store:
        rows = store.select(
            "SELECT ?a ?b WHERE { ?x org:reportsTo ?y . ?x po:identifier ?a . ?y po:identifier ?b . "
            "FILTER NOT EXISTS { ?x a po:PostGroup } }"
        )
    return {(r["a"], r["b"]) for r in rows}


def test_hefce_csv_and_published_rdf_agree(tmp_path: Path, real: Path) -> None:
    folder = real / "uk-organogram-hefce"
    csv_store, rdf_store = tmp_path / "csv", tmp_path / "rdf"
    senior, junior = load(csv_store, folder / "HEFCE_organogram_senior_data_31032011.csv",
                          folder / "HEFCE_organogram_junior_data_31032011.csv")
    assert senior.encoding == "cp1252"
    assert senior.roots == ["90334"]
    assert junior.dangling == []  # junior rows point at senior posts of the other file
    load(rdf_store, folder / "HEFCE_organogram_31032011.rdf")
    expected = {("90115", "90334"), ("90250", "90334"), ("90284", "90334")}
    assert _edges(csv_store) == expected
    assert _edges(rdf_store) == expected
    with opened(rdf_store) as store:
        assert org.who(store, "90334")["name"] == "Sir Alan Langlands"
        assert org.who(store, HEFCE_POST + "90334")["direct_reports"] == 3
        assert ids(org.chain(store, "Heather Fry").people) == ["90334"]


def test_hefce_junior_rows_attach_to_senior_posts(store_path: Path, real: Path) -> None:
    folder = real / "uk-organogram-hefce"
    load(store_path, folder / "HEFCE_organogram_senior_data_31032011.csv",
         folder / "HEFCE_organogram_junior_data_31032011.csv")
    with opened(store_path) as store:
        below_egan = org.reports(store, "90115")
        assert below_egan and all(p["id"].startswith("row-") for p in below_egan)
        titles = {p["title"] for p in below_egan}
        assert "Administrator" in titles
        profile = org.who(store, "90334")
        assert profile["direct_reports"] == 3
        assert profile["headcount"] == 3 + 82  # senior reports plus every junior group below them


def test_w3c_test034(store_path: Path, real: Path) -> None:
    folder = real / "w3c-csvw-test034"
    senior, junior = load(store_path, folder / "senior-roles.csv", folder / "junior-roles.csv")
    assert senior.roots == ["90334"] and senior.edges == 1
    assert junior.rows == 2 and junior.edges == 2 and junior.dangling == []
    with opened(store_path) as store:
        everyone = org.reports(store, "90334", all_levels=True)
        assert [p["depth"] for p in everyone] == [1, 2, 2]
        assert everyone[0]["name"] == "Steve Egan"


def test_natural_england(store_path: Path, real: Path) -> None:
    folder = real / "uk-organograms"
    senior, junior = load(store_path, folder / "300913-Natural-England-Organogram-senior.csv",
                          folder / "300913-Natural-England-Organogram-junior.csv")
    assert senior.rows == 25 and senior.roots == ["1"]
    assert senior.statuses == {"filled": 23, "eliminated": 2}
    assert senior.named_people == 23
    assert junior.rows == 178 and junior.dangling == []
    with opened(store_path) as store:
        assert org.who(store, "1")["name"] == "Dave Webster"
        assert org.who(store, "Jim Smyllie")["manager"]["id"] == "1"
        # Extra and unnamed columns are kept as data.
        phone = store.select("SELECT ?v WHERE { ?p po:identifier '1' ; ?col ?v . "
                             "?col rdfs:label 'Contact Phone' }")
        assert phone and phone[0]["v"].startswith("0845")


def test_hmrc_placeholders_are_posts_not_one_person(store_path: Path, real: Path) -> None:
    folder = real / "uk-organograms"
    [senior] = load(store_path, folder / "300913-HMRC-Organogram-Final-senior.csv")
    assert senior.rows == 353
    assert senior.roots == ["OD101"]
    assert senior.statuses == {"not_disclosed": 268, "eliminated": 22, "vacant": 13, "filled": 50}
    assert senior.named_people == 50
    assert senior.duplicate_ids == ["0"] * 5
    with opened(store_path) as store:
        named = store.select("SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE { ?p foaf:name ?n . "
                             "FILTER(LCASE(?n) IN ('n/d', 'vacant', 'eliminated')) }")
        assert named[0]["c"] == "0"
        people = store.select("SELECT (COUNT(DISTINCT ?x) AS ?c) WHERE { ?x a foaf:Person }")
        assert people[0]["c"] == str(senior.named_people)
        undisclosed = store.select("SELECT (COUNT(?p) AS ?c) WHERE { ?p po:postStatus po:Undisclosed }")
        assert undisclosed[0]["c"] == "268"


def test_hmrc_junior_file_loads_against_senior(store_path: Path, real: Path) -> None:
    folder = real / "uk-organograms"
    senior, junior = load(store_path, folder / "300913-HMRC-Organogram-Final-senior.csv",
                          folder / "300913-HMRC-Organogram-Final-junior.csv")
    assert junior.rows == 5107
    assert junior.dangling == []
    with opened(store_path) as store:
        # Everyone but the top, junior groups included.
        assert org.who(store, "OD101")["headcount"] == senior.rows - 1 + junior.rows
