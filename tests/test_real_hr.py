"""Real HR files mean what their publishers meant: statuses, FTE groups, top markers, broken quotes, numbers.

Every expected number is counted from the file itself with the csv module (tests/data/realdata, see its
NOTICE.md), never typed in.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.ingest.csv_import import _parse_rows
from kg.ingest.load import load_files
from kg.store import opened
from kg.vocab import PO

UK = {  # senior file, junior file (or None), encoding
    "hmrc": ("uk-organograms/300913-HMRC-Organogram-Final-senior.csv",
             "uk-organograms/300913-HMRC-Organogram-Final-junior.csv", "utf-8-sig"),
    "natural-england": ("uk-organograms/300913-Natural-England-Organogram-senior.csv",
                        "uk-organograms/300913-Natural-England-Organogram-junior.csv", "utf-8-sig"),
    "hefce": ("uk-organogram-hefce/HEFCE_organogram_senior_data_31032011.csv",
              "uk-organogram-hefce/HEFCE_organogram_junior_data_31032011.csv", "cp1252"),
    "moj-2011-03": ("uk-organogram-snapshots/ministry_of_justice-2011-03-31-senior.csv",
                    "uk-organogram-snapshots/ministry_of_justice-2011-03-31-junior.csv", "utf-8-sig"),
    "moj-2011-09": ("uk-organogram-snapshots/ministry_of_justice-2011-09-30-senior.csv",
                    "uk-organogram-snapshots/ministry_of_justice-2011-09-30-junior.csv", "utf-8-sig"),
}
# The name cells UK organograms use, as their guidance writes them (anything else is a person's name).
MARKERS = {"": "not_named", "N/D": "not_disclosed", "Vacant": "vacant", "Eliminated": "eliminated"}


def read(path: Path, encoding: str) -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def column(rows: list[dict[str, str]], *starts: str) -> str:
    return next(h for h in rows[0] if h and h.startswith(starts))


def load(store_path: Path, *files: Path):  # type: ignore[no-untyped-def]
    with opened(store_path, write=True) as store:
        return load_files(store, list(files))


def count(store_path: Path, sparql: str, **bindings: object) -> str:
    with opened(store_path) as store:
        return store.select(sparql, **bindings)[0]["c"] or "0"


@pytest.mark.parametrize("org", list(UK))
def test_statuses_fte_groups_and_tops_equal_the_files(store_path: Path, real: Path, org: str) -> None:
    senior_file, junior_file, encoding = UK[org]
    senior_rows = read(real / senior_file, encoding)
    junior_rows = read(real / junior_file, encoding)
    senior, junior = load(store_path, real / senior_file, real / junior_file)

    # Statuses: vacant only for "Vacant"; N/D and blank names are posts filled by someone unnamed.
    names = [r["Name"].strip() for r in senior_rows]
    expected = Counter(MARKERS.get(n, "filled") for n in names)
    assert senior.statuses == dict(expected)
    assert senior.named_people == expected["filled"]
    for status, concept in (("vacant", "Vacant"), ("not_disclosed", "Undisclosed"), ("not_named", "NotNamed"),
                            ("eliminated", "Eliminated")):
        assert count(store_path, "SELECT (COUNT(DISTINCT ?p) AS ?c) WHERE { ?p po:postStatus ?s }",
                     s=ox.NamedNode(PO[concept])) == str(expected[status])
    assert count(store_path, "SELECT (COUNT(DISTINCT ?p) AS ?c) WHERE { ?p a po:VacantPost }") == str(
        expected["vacant"])

    # Junior rows are groups of FTE under their senior post: not people, not vacancies.
    assert junior.groups == len(junior_rows) and junior.statuses == {} and junior.named_people == 0
    assert count(store_path, "SELECT (COUNT(DISTINCT ?g) AS ?c) WHERE { ?g a po:PostGroup ; org:reportsTo ?m . "
                             "FILTER NOT EXISTS { ?g org:heldBy ?h } FILTER NOT EXISTS { ?g po:postStatus ?s } }"
                 ) == str(len(junior_rows))

    # FTE totals are the columns' sums, in the load report and in the store.
    senior_fte = column(senior_rows, "FTE")
    junior_fte = column(junior_rows, "Number of Posts")
    senior_sum = sum(Decimal(r[senior_fte]) for r in senior_rows if r[senior_fte].strip())
    junior_sum = sum(Decimal(r[junior_fte]) for r in junior_rows if r[junior_fte].strip())
    assert senior.fte == pytest.approx(float(senior_sum)) and junior.fte == pytest.approx(float(junior_sum))
    with opened(store_path) as store:
        total = store.select("SELECT (SUM(?f) AS ?c) WHERE { ?p po:headcount ?f }")[0]["c"]
    assert Decimal(total) == senior_sum + junior_sum

    # Top markers: the manager cells naming no row are read as "no manager", and said so.
    ids = {r["Post Unique Reference"] for r in senior_rows}
    manager = column(senior_rows, "Reports to")
    markers = Counter(r[manager] for r in senior_rows if r[manager] not in ids and r[manager].lower() == "xx")
    assert senior.top_markers == dict(markers)
    tops = {r["Post Unique Reference"] for r in senior_rows
            if r[manager] in markers or r[manager] == r["Post Unique Reference"]}
    dangling = {r["Post Unique Reference"] for r in senior_rows if r[manager] not in ids | set(markers)}
    assert sorted(senior.roots) == sorted(tops | dangling)  # the README's roots: tops, self-reports, dangling
    assert sorted(d["id"] for d in senior.dangling) == sorted(dangling)
    assert junior.roots == [] and junior.dangling == []


def _renamed(rows: list[dict[str, str]], old: str, new: str) -> list[dict[str, str]]:
    manager = column(rows, "Reports to")
    return [r | {"Post Unique Reference": new if r["Post Unique Reference"] == old else r["Post Unique Reference"],
                 manager: new if r[manager] == old else r[manager]} for r in rows]


@pytest.mark.parametrize("marker", ["root", "XX", "0"])
def test_a_top_marker_that_is_also_an_id_is_a_reference(store_path: Path, real: Path, tmp_path: Path,
                                                         marker: str) -> None:
    """The Natural England tree with its top post renamed to a marker: one tree, not a split one."""
    rows = read(real / UK["natural-england"][0], "utf-8-sig")
    manager = column(rows, "Reports to")
    [top] = [r for r in rows if r[manager] == "XX"]
    renamed = _renamed(rows, top["Post Unique Reference"], marker)
    if marker == "XX":  # the top itself then has no marker of its own: make it blank
        renamed = [r | {manager: ""} if r["Post Unique Reference"] == "XX" and r is renamed[rows.index(top)]
                   else r for r in renamed]
    path = tmp_path / "tree.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(renamed)
    [report] = load(store_path, path)
    assert report.roots == [marker]
    assert report.dangling == [] and report.cycles == []
    assert report.edges == len(rows) - 1
    below_top = sum(1 for r in renamed if r[manager] == marker)
    assert below_top == sum(1 for r in rows if r[manager] == top["Post Unique Reference"]) > 1
    assert count(store_path, "SELECT (COUNT(?x) AS ?c) WHERE { ?x org:reportsTo ?t . ?t po:identifier ?id }",
                 id=ox.Literal(marker)) == str(below_top)


# -- issue 18 item 5: an unclosed quote is found whatever it swallows -------------------------------------------

UNCLOSED = {
    "issue repro: last row, no final newline": 'id,name,title,manager\n1,Ann,CEO,\n2,"Bob,CTO,1\n3,Cy,Engineer,1',
    "one line swallowed, final newline": 'id,name,title,manager\n1,Ann,CEO,\n2,"Bob,CTO,1\n3,Cy,Engineer,1\n',
    "in the last column of the last row": 'id,name,title,manager\n1,Ann,CEO,\n2,Bob,CTO,"1',
    "closed by a later row's quote": 'id,name,title,manager\n1,Ann,CEO,\n2,"Bob,CTO,1\n3,"Cy",Engineer,1\n',
    "many rows swallowed": 'id,name,title,manager\n1,Ann,CEO,\n2,"Bob,CTO,1\n'
                           + "".join(f"{i},P{i},Dev,1\n" for i in range(3, 40)),
}


@pytest.mark.parametrize("text", list(UNCLOSED.values()), ids=list(UNCLOSED))
def test_unclosed_quote_is_an_error_naming_its_row(store_path: Path, tmp_path: Path, text: str) -> None:
    path = tmp_path / "q.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"q\.csv: row 2 \(line 3\): a quote is never closed"):
        load(store_path, path)
    assert not (store_path / "chart.sqlite").exists() or count(
        store_path, "SELECT (COUNT(*) AS ?c) WHERE { ?p a org:Post }") == "0"


def test_real_multiline_cells_are_not_unclosed_quotes(store_path: Path, real: Path) -> None:
    path = real / UK["natural-england"][0]
    rows = read(path, "utf-8-sig")
    assert any("\n" in v for r in rows for v in r.values() if v)  # the file has quoted cells over lines
    [report] = load(store_path, path)
    assert report.rows == len(rows)


# -- issue 18 item 6: numbers with limits --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e999999999", "1e99999999999", "-3", "N/D", "12abc", "9" * 5000])
def test_an_impossible_fte_is_a_defect_reported_with_its_row(store_path: Path, tmp_path: Path, value: str) -> None:
    path = tmp_path / "fte.csv"
    path.write_text(f"id,name,manager,fte\n1,Ann,,1\n2,Bob,1,{value}\n3,Cy,1,0.5\n", encoding="utf-8")
    [report] = load(store_path, path)
    assert [(d["row"], d["id"], d["column"]) for d in report.defects] == [(2, "2", "fte")]
    assert len(report.defects[0]["value"]) <= 40
    assert report.fte == pytest.approx(1.5)
    with opened(store_path) as store:
        stored = sorted(r["f"] for r in store.select("SELECT ?f WHERE { ?p po:headcount ?f }"))
    assert stored == ["0.5", "1"]


def test_fte_and_headcount_columns_of_other_hr_exports(store_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    rows = [("E1", "Ann", "", "1"), ("E2", "Bob", "E1", "0.5"), ("E3", "Cy", "E1", "0,8"), ("E4", "Di", "E2", "")]
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("Employee ID", "Name", "Manager ID", "Headcount"), *rows])
    [report] = load(store_path, path)
    assert report.columns["fte"] == "Headcount"
    assert report.fte == pytest.approx(1 + 0.5 + 0.8) and report.defects == []
    assert report.top_markers == {"": 1} and report.statuses == {"filled": 4}


def test_headcount_by_unit_counts_statuses_groups_and_fte_of_the_files(store_path: Path, real: Path) -> None:
    from kg.queries import run

    senior_file, junior_file, encoding = UK["hmrc"]
    senior_rows, junior_rows = read(real / senior_file, encoding), read(real / junior_file, encoding)
    load(store_path, real / senior_file, real / junior_file)
    expected: dict[str, Counter[str]] = {}
    fte: dict[str, Decimal] = {}
    for r in senior_rows:
        if r["Unit"].strip():
            expected.setdefault(r["Unit"].strip(), Counter())["posts"] += 1
            expected[r["Unit"].strip()][MARKERS.get(r["Name"].strip(), "filled")] += 1
            fte[r["Unit"].strip()] = fte.get(r["Unit"].strip(), Decimal(0)) + Decimal(r["FTE"])
    for r in junior_rows:
        expected.setdefault(r["Unit"].strip(), Counter())["groups"] += 1
        fte[r["Unit"].strip()] = fte.get(r["Unit"].strip(), Decimal(0)) + Decimal(r["Number of Posts in FTE"])
    with opened(store_path) as store:
        result = run(store, "headcount-by-unit")
    got = {r["unit"]: r for r in result.rows}
    assert set(got) == set(expected)
    for unit, counts in expected.items():
        row = got[unit]
        assert [int(row[k]) for k in ("posts", "filled", "vacant", "not_disclosed", "not_named", "eliminated",
                                      "groups")] == [counts[k] for k in ("posts", "filled", "vacant",
                                                                         "not_disclosed", "not_named",
                                                                         "eliminated", "groups")], unit
        assert Decimal(str(row["fte"])) == fte[unit], unit


def test_groups_fte_and_statuses_of_real_files_conform_to_the_shapes(store_path: Path, real: Path) -> None:
    from kg.validate import validate

    senior_file, junior_file, _encoding = UK["natural-england"]
    load(store_path, real / senior_file, real / junior_file)
    with opened(store_path) as store:
        report = validate(store)
    assert report.shapes is not None
    messages = [f.message for f in report.findings]
    ours = ("post group", "po:headcount", "po:postStatus", "a post with a status", "payBand")
    assert [m for m in messages if any(o in m for o in ours)] == []


_TEXT = st.text(alphabet=st.sampled_from('ab ,"\n\r\'é'), max_size=12).filter(
    lambda t: all(line.count(",") < 5 for line in t.replace("\r", "\n").split("\n")))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT, _TEXT), min_size=1, max_size=6), st.booleans())
def test_well_formed_csv_is_never_taken_for_a_broken_quote(cells: list[tuple[str, str, str]], final: bool) -> None:
    """Whatever the cells hold (quotes, commas, line breaks), a file csv.writer wrote is read as the csv module
    reads it, with or without a final newline: no broken quote is reported."""
    out = io.StringIO()
    writer = csv.writer(out)  # lines end with CRLF; cells holding CR or LF are quoted
    writer.writerow(["id", "name", "manager"])
    for i, (a, b, c) in enumerate(cells):
        writer.writerow([f"{i}{a}", b, c])
    text = out.getvalue() if final else out.getvalue()[:-2]
    header, rows = _parse_rows(Path("w.csv"), text, ",")
    assert header == ["id", "name", "manager"]
    expected = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert [r for _line, r in rows] == [e for e in expected if any(x.strip() for x in e)]
    assert len(rows) == sum(1 for a, b, c in cells if (f"0{a}" + b + c).strip())


def test_commands_report_the_files_statuses_and_fte(store_path: Path, real: Path) -> None:
    """stats, who, span and headcount-by-unit on HMRC senior + junior: numbers counted from the files."""
    import json

    from click.testing import CliRunner

    from kg.cli import main

    senior_file, junior_file, encoding = UK["hmrc"]
    senior_rows, junior_rows = read(real / senior_file, encoding), read(real / junior_file, encoding)
    load(store_path, real / senior_file, real / junior_file)
    names = Counter(MARKERS.get(r["Name"].strip(), "filled") for r in senior_rows)
    total = (sum(Decimal(r["FTE"]) for r in senior_rows)
             + sum(Decimal(r["Number of Posts in FTE"]) for r in junior_rows))

    def kg(*args: str) -> dict:  # type: ignore[type-arg]
        result = CliRunner().invoke(main, ["--store", str(store_path), *args, "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    stats = kg("stats")
    assert stats["posts"] == len(senior_rows) and stats["groups"] == len(junior_rows)
    assert stats["named_people"] == names["filled"] and stats["vacancies"] == names["vacant"]
    assert stats["fte"] == pytest.approx(float(total))
    [top] = [r for r in senior_rows if r["Reports to Senior Post"] == "XX"]
    who = kg("who", top["Post Unique Reference"])
    assert who["fte"] == pytest.approx(float(top["FTE"]))
    assert who["fte_below"] == pytest.approx(float(total - Decimal(top["FTE"])))
    assert who["headcount"] == len(senior_rows) - 1 + len(junior_rows)
    span = {r["id"]: r for r in kg("span", "--top", "400")}
    manager = top["Post Unique Reference"]
    below = [r for r in senior_rows if r["Reports to Senior Post"] == manager]
    groups = [r for r in junior_rows if r["Reporting Senior Post"] == manager]
    assert span[manager]["direct_reports"] == len(below) + len(groups)


def test_published_organogram_rdf_and_its_csv_agree_on_groups_and_fte(tmp_path: Path, real: Path) -> None:
    """HEFCE's junior posts as published RDF (organogram:reportingTo, fullTimeEquivalent) are the same groups
    of FTE as the junior CSV's rows."""
    import json

    from click.testing import CliRunner

    from kg.cli import main

    senior_file, junior_file, encoding = UK["hefce"]
    senior_rows, junior_rows = read(real / senior_file, encoding), read(real / junior_file, encoding)
    csv_store, rdf_store = tmp_path / "csv", tmp_path / "rdf"
    load(csv_store, real / senior_file, real / junior_file)
    [report] = load(rdf_store, real / "uk-organogram-hefce/HEFCE_organogram_31032011.nt")
    assert report.groups == len(junior_rows)
    junior_fte = sum(Decimal(r["Number of Posts in FTE"]) for r in junior_rows)
    senior_fte = sum(Decimal(r["FTE"]) for r in senior_rows)
    assert report.fte == pytest.approx(float(junior_fte + senior_fte))
    [top] = [r for r in senior_rows if r["Reports to Senior Post"].lower() == "xx"]

    def who(store: Path) -> dict:  # type: ignore[type-arg]
        result = CliRunner().invoke(main, ["--store", str(store), "who", top["Post Unique Reference"],
                                           "--format", "json"])
        assert result.exit_code == 0, result.output
        return {k: v for k, v in json.loads(result.output).items() if k in ("headcount", "fte", "fte_below")}

    assert who(rdf_store) == who(csv_store)
    assert who(rdf_store)["headcount"] == len(senior_rows) - 1 + len(junior_rows)
    assert who(rdf_store)["fte_below"] == pytest.approx(float(junior_fte + senior_fte - Decimal(top["FTE"])))
