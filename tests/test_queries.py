"""kg query and the named-query library on the example organization; the W3C result formats."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import queries
from kg.cli import main
from kg.errors import NotFoundError, QueryError
from kg.ingest.load import load_files
from kg.queries import QueryRefused, Result, check, run
from kg.store import opened
from kg.vocab import PO, XSD

EXAMPLE_CSV = Path(queries.__file__).parent / "data" / "example_org.csv"
by_iri_base = "http://w3id.org/product-org/id/example-product-org/post/"


def example_rows() -> list[dict[str, str]]:
    with EXAMPLE_CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def cols(result: Result, *names: str) -> list[tuple]:
    return [tuple(row[n] for n in names) for row in result.rows]


def kg(store: Path, *args: str, input: str | None = None):  # noqa: A002
    return CliRunner().invoke(main, ["--store", str(store), *args], input=input)


# -- the named queries, each on the example organization -----------------------------------------------------


def test_every_named_query_has_a_header_and_runs(example_store: Path) -> None:
    found = queries.named_queries()
    assert len(found) >= 15
    values = {"person": "P13", "role": "Product Owner", "responsibility": "product",
              "from": "Product Manager", "to": "Chief Product Officer", "old": "2011-03-31", "new": "2011-09-30"}
    with opened(example_store) as store:
        for nq in found:
            assert nq.title and nq.title != nq.name, nq.name
            assert len(nq.description) > 30, nq.name
            for param, doc in nq.params.items():
                assert f"?{param}" in nq.text and doc, (nq.name, param)
            result = run(store, nq.name, {p: values[p] for p in nq.params})
            assert result.kind == "select"


def test_manager_chain(example_store: Path) -> None:
    expected = [(1, "P14"), (2, "P09"), (3, "P08"), (4, "P06"), (5, "P02"), (6, "P01")]
    with opened(example_store) as store:
        assert cols(run(store, "manager-chain", {"person": "P19"}), "level", "id") == expected
        by_name = run(store, "manager-chain", {"person": "Isabel Costa"})
        assert cols(by_name, "level", "id") == expected
        assert by_name.rows[0]["name"] == "Yuki Tanaka"
        by_iri = run(store, "manager-chain", {"person": "poid:example-product-org/post/P19"})
        assert cols(by_iri, "level", "id") == expected
        assert len(run(store, "manager-chain", {"person": "P01"})) == 0


def test_all_reports(example_store: Path) -> None:
    with opened(example_store) as store:
        result = run(store, "all-reports", {"person": "P13"})
    assert cols(result, "id", "depth", "manager_id") == [
        ("P17", 1, "P13"), ("P18", 1, "P13"), ("P23", 1, "P13"), ("P24", 1, "P13"), ("P50", 1, "P13"),
        ("P22", 2, "P17")]
    with opened(example_store) as store:
        iri = f"<{by_iri_base}P13>"
        assert run(store, "all-reports", {"person": iri}).column("id") == result.column("id")


def _span_from_csv() -> list[tuple[str, int, int]]:
    """The span of control computed from the CSV directly, independently of SPARQL."""
    boss = {r["employee_id"]: r["manager_id"] for r in example_rows() if r["manager_id"]}
    direct = Counter(boss.values())
    below: Counter[str] = Counter()
    for person in boss:
        up = boss.get(person)
        while up:
            below[up] += 1
            up = boss.get(up)
    return sorted(((m, direct[m], below[m]) for m in direct), key=lambda t: (-t[1], -t[2], t[0]))


def test_span_of_control(example_store: Path) -> None:
    with opened(example_store) as store:
        result = run(store, "span-of-control")
    assert cols(result, "id", "direct_reports", "headcount") == _span_from_csv()
    assert result.rows[0] | {"manager": None} == {"id": "P01", "name": "Amara Okafor",
                                                  "title": "Chief Executive Officer", "direct_reports": 5,
                                                  "headcount": 51, "manager": None}


def test_vacancies_roots_and_dotted_lines(example_store: Path) -> None:
    with opened(example_store) as store:
        vacancies = run(store, "vacancies")
        roots = run(store, "roots")
        dotted = run(store, "dotted-lines")
    assert cols(vacancies, "id", "title", "status", "unit", "manager_id", "manager_name") == [
        ("P18", "Product Manager, Billing", "vacant", "Product", "P13", "Chloe Martin")]
    assert cols(roots, "id", "name", "direct_reports") == [("P01", "Amara Okafor", 5)]
    assert cols(dotted, "id", "dotted_id", "dotted_name", "solid_manager_id") == [
        ("P28", "P09", "Hannah Weber", "P27"), ("P29", "P13", "Chloe Martin", "P27"),
        ("P30", "P02", "Daniel Reyes", "P03")]


def test_headcount_by_unit_matches_the_csv(example_store: Path) -> None:
    rows = example_rows()
    posts = Counter(r["department"] for r in rows)
    vacant = Counter(r["department"] for r in rows if r["name"] == "Vacant")
    with opened(example_store) as store:
        result = run(store, "headcount-by-unit")
    got = {r["unit"]: (r["posts"], r["filled"], r["vacant"], r["groups"], float(r["fte"])) for r in result.rows}
    # no FTE column: each post that is not vacant stands for one FTE
    assert got == {d: (n, n - vacant[d], vacant[d], 0, n - vacant[d]) for d, n in posts.items()}
    assert result.rows[0]["unit"] == "Product" and result.rows[0]["posts"] == 23


def test_portfolios_and_products(example_store: Path) -> None:
    with opened(example_store) as store:
        products = run(store, "portfolio-products")
        unowned = run(store, "products-without-owner")
    assert cols(products, "portfolio", "portfolio_owner", "product", "owner_id") == [
        ("Payments Platform", "Ahmed Karim", "Billing", "P23"),
        ("Payments Platform", "Ahmed Karim", "Checkout", "P22"),
        ("Payments Platform", "Ahmed Karim", "Fraud Shield", "P24"),
        ("Payments Platform", "Ahmed Karim", "Payouts", None),
        ("Workplace Suite", "Sofia Rossi", "Docs", "P19"),
        ("Workplace Suite", "Sofia Rossi", "Sheets", "P20"),
        ("Workplace Suite", "Sofia Rossi", "Slides", "P21")]
    assert cols(unowned, "product", "portfolio", "reason") == [("Payouts", "Payments Platform", "no owner")]


def test_who_holds_a_role_by_label_iri_or_family(example_store: Path) -> None:
    owners = ["P19", "P20", "P21", "P22", "P23", "P24"]
    with opened(example_store) as store:
        by_label = run(store, "who-holds-role", {"role": "product owner"})
        by_iri = run(store, "who-holds-role", {"role": "po:ProductOwner"})
        family = run(store, "who-holds-role", {"role": f"<{PO.ProductManagementFamily}>"})
    assert by_label.column("id") == owners == by_iri.column("id")
    assert set(by_label.column("held_role")) == {"Product Owner"}
    assert set(owners) | {"P13", "P14", "P15", "P16", "P17", "P18"} <= set(family.column("id"))
    assert "P02" not in family.column("id") and "P36" not in family.column("id")


def test_roles_and_their_responsibilities_with_sources(example_store: Path) -> None:
    with opened(example_store) as store:
        result = run(store, "roles-responsibilities")
    cpo = {r["responsibility"]: r for r in result.rows if r["role"] == "Chief Product Officer"}
    assert {"Setting the long-term strategic vision", "Mentoring product management staff",
            "Product promotion and sales"} <= set(cpo)
    assert cpo["Product promotion and sales"]["kind"] == "responsibility"
    assert "product promotion and sales are on point" in cpo["Product promotion and sales"]["source"]
    assert cpo["High-level product roadmapping"]["kind"] == "knowledge area"
    procurement = {r["responsibility"] for r in result.rows if r["role"] == "Head of Procurement"}
    assert {"Due diligence", "Contingency planning"} <= procurement
    ceo = [r for r in result.rows if r["role"] == "Chief Executive Officer"]
    assert len(ceo) >= 1 and {"Product Owner", "Software Engineer"} <= set(result.column("role"))


def test_roles_with_a_responsibility(example_store: Path) -> None:
    with opened(example_store) as store:
        roadmap = run(store, "roles-with-responsibility", {"responsibility": "ROADMAP"})
        vision = run(store, "roles-with-responsibility", {"responsibility": "strategic vision"})  # altLabel
        people = run(store, "roles-with-responsibility", {"responsibility": "po:PeopleManagement"})
    found = cols(roadmap, "role", "concept_label", "kind")
    assert ("Chief Product Officer", "High-level product roadmapping", "knowledge area") in found
    assert ("Product Director", "Turning the product vision into a roadmap", "responsibility") in found
    # every concept found says "roadmap" in its label, an alternative label or its definition
    with opened(example_store) as store:
        for concept in set(roadmap.column("concept")):
            texts = store.select("SELECT ?t WHERE { ?c skos:prefLabel|skos:altLabel|skos:definition ?t }",
                                 c=ox.NamedNode(concept))
            assert any("roadmap" in (t["t"] or "").lower() for t in texts), concept
        backlog = run(store, "roles-with-responsibility", {"responsibility": "backlog"})
    assert "Product Owner" in backlog.column("role")
    assert "Chief Product Officer" in vision.column("role")
    assert {"Chief Product Officer", "Head of Product"} <= set(people.column("role"))
    assert set(people.column("concept_label")) == {"People management"}


def test_career_path(example_store: Path) -> None:
    with opened(example_store) as store:
        path = run(store, "career-path", {"from": "product manager", "to": "Chief Product Officer"})
        short = run(store, "career-path", {"from": "po:ProductManager", "to": "po:HeadOfProduct"})
        backwards = run(store, "career-path", {"from": "Chief Product Officer", "to": "Product Manager"})
    assert cols(path, "step", "role") == [(0, "Product Manager"), (1, "Head of Product"),
                                          (2, "Chief Product Officer")]
    assert short.column("role") == ["Product Manager", "Head of Product"]
    assert backwards.rows == []


def test_data_errors_are_found(tmp_path: Path) -> None:
    """Dangling managers and cycles are absent from the example, so a small broken chart shows them."""
    chart = tmp_path / "broken.csv"
    chart.write_text("employee_id,name,job_title,manager_id\nA1,Ann Lee,CEO,\nA2,Bob Roy,VP,A1\n"
                     "A3,Cy Ng,Product Manager,A9\nC1,Dee Fox,Analyst,C2\nC2,Eve Poe,Analyst,C1\n")
    with opened(tmp_path / "store", write=True) as store:
        load_files(store, [chart])
    with opened(tmp_path / "store") as store:
        dangling = run(store, "dangling-managers")
        cycles = run(store, "reporting-cycles")
        roots = run(store, "roots")
    assert cols(dangling, "id", "name") == [("A3", "Cy Ng")]
    assert dangling.rows[0]["missing_manager"].endswith("/post/A9")
    assert cols(cycles, "id", "manager_id") == [("C1", "C2"), ("C2", "C1")]
    assert cols(roots, "id", "direct_reports") == [("A1", 1)]


def test_example_has_no_dangling_managers_or_cycles(example_store: Path) -> None:
    with opened(example_store) as store:
        assert run(store, "dangling-managers").rows == []
        assert run(store, "reporting-cycles").rows == []


def test_named_query_errors(example_store: Path) -> None:
    with opened(example_store) as store:
        with pytest.raises(QueryError, match=r"needs --param person=\.\.\."):
            run(store, "manager-chain")
        with pytest.raises(NotFoundError, match="did you mean manager-chain"):
            run(store, "manager-chian")
        copied = queries.named_query("who-holds-role").text  # a library query copied to a file
        with pytest.raises(QueryError, match=r"^the query needs --param role=\.\.\. \(a role by label"):
            run(store, copied)
        with pytest.raises(QueryError, match=r"has no variable \?nobody"):
            run(store, "SELECT ?x WHERE { ?x a org:Post }", {"nobody": "x"})


# -- parameters, prefixes, checks ----------------------------------------------------------------------------


def test_params_are_bound_as_terms_never_as_text(example_store: Path) -> None:
    sneaky = 'P19" } ?x ?y ?z . { "'
    with opened(example_store) as store:
        with pytest.raises(NotFoundError, match="no person matches"):  # resolved as `kg who` does (issue 12)
            run(store, "manager-chain", {"person": sneaky})
        echoed = run(store, "SELECT ?v WHERE { BIND(?v AS ?w) }", {"v": sneaky})
        assert echoed.rows == [{"v": sneaky}]
        typed = run(store, "SELECT ?n WHERE { FILTER(?n > 3) }", {"n": '"5"^^xsd:integer'})
        assert typed.rows == [{"n": 5}]
        iri = run(store, "SELECT ?id WHERE { ?p po:identifier ?id }", {"p": f"<{PO.nobody}>"})
        assert iri.rows == []
        with pytest.raises(QueryError, match="not a valid IRI"):
            run(store, "SELECT ?id WHERE { ?p po:identifier ?id }", {"p": "<relative>"})


def test_any_string_binds_as_itself(example_store: Path) -> None:
    with opened(example_store) as store:

        @settings(max_examples=80, deadline=None)
        @given(value=_TEXT)
        def echo(value: str) -> None:
            got = run(store, "SELECT ?v ?n WHERE { BIND(STRLEN(?v) AS ?n) }", {"v": ox.Literal(value)})
            assert got.rows == [{"v": value, "n": len(value)}]

        echo()


def test_params_parse() -> None:
    assert queries.parse_param("?role=po:ProductOwner") == ("role", ox.NamedNode(PO.ProductOwner))
    assert queries.parse_param("x=a=b")[1] == ox.Literal("a=b")
    assert queries.parse_param('l="Produkt"@de')[1] == ox.Literal("Produkt", language="de")
    assert queries.parse_param("u=unknownprefix:x")[1] == ox.Literal("unknownprefix:x")
    for bad in ("novalue", "1x=3", "=3"):
        with pytest.raises(QueryError, match="expected NAME=VALUE"):
            queries.parse_param(bad)


def test_predeclared_prefixes_and_the_querys_own_win(example_store: Path) -> None:
    with opened(example_store) as store:
        assert run(store, 'ASK { ?p po:identifier "P19" }').boolean is True
        own = 'PREFIX po: <http://example.org/not-ours#> ASK { ?p po:identifier "P19" }'
        assert run(store, own).boolean is False


@pytest.mark.parametrize("query", [
    "DROP ALL", "INSERT DATA { <http://a> <http://b> <http://c> }", "LOAD <http://x/y.ttl>",
    "DELETE WHERE { ?s ?p ?o }", "CLEAR DEFAULT",
])
def test_updates_are_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="update"):
        check(query)


def test_service_refused_unless_allowed_and_keywords_in_text_are_fine() -> None:
    federated = "SELECT * WHERE {\n  SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    check(federated, allow_service=True)
    with pytest.raises(QueryRefused, match=r"line 2, column 3"):
        check(federated)
    with pytest.raises(QueryRefused):
        check("select * { service silent <http://x/> { ?s ?p ?o } }", allow_service=False)
    harmless = ('SELECT ?drop ?service WHERE { ?service <http://x/delete#insert> "LOAD; DROP ALL" . '
                "?drop rdfs:label '''SERVICE''' } # INSERT SERVICE")
    check(harmless, allow_service=False)


def test_syntax_errors_give_line_and_column(example_store: Path) -> None:
    with opened(example_store) as store:
        with pytest.raises(QueryError, match=r"^SPARQL syntax error at line 3, column \d+: expected"):
            run(store, "SELECT ?x WHERE {\n  ?x a org:Post .\n  FILTER( }")
        with pytest.raises(QueryError, match=r"unknown prefix 'ex:' at line 1, column 22"):
            run(store, "SELECT ?x WHERE { ?x ex:p ?y }")


def test_limit_marks_truncation(example_store: Path) -> None:
    with opened(example_store) as store:
        cut = run(store, "SELECT ?id WHERE { ?p po:identifier ?id } ORDER BY ?id", limit=3)
        whole = run(store, "SELECT ?id WHERE { ?p po:identifier ?id } ORDER BY ?id", limit=52)
    assert cut.column("id") == ["P01", "P02", "P03"] and cut.truncated
    assert len(whole) == 52 and not whole.truncated


def test_timeout_stops_a_runaway_query(example_store: Path) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with opened(example_store) as store:
        started = time.monotonic()
        with pytest.raises(QueryError, match="longer than 0.5 s"):
            run(store, slow, timeout=0.5)
        assert time.monotonic() - started < 30  # stopped: unstopped it would run for hours (generous: busy CI)
        fast = run(store, "manager-chain", {"person": "P19"}, timeout=20)
    assert fast.column("id")[0] == "P14"


def test_timeouts_work_from_a_plain_script(example_store: Path, tmp_path: Path) -> None:
    """A script without an ``if __name__ == "__main__"`` guard (multiprocessing's spawn would re-run it)."""
    script = tmp_path / "report.py"
    script.write_text("from kg import queries\nfrom kg.store import opened\n"
                      f"with opened({str(example_store)!r}) as store:\n"
                      "    print(queries.run(store, 'roots', timeout=20).column('id'))\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "['P01']\n"), done.stderr


def test_dataframe(example_store: Path) -> None:
    pytest.importorskip("pandas")
    with opened(example_store) as store:
        frame = run(store, "span-of-control").to_dataframe()
    assert list(frame.columns[:5]) == ["id", "name", "title", "direct_reports", "headcount"]
    assert frame["direct_reports"].dtype.kind == "i" and frame.iloc[0]["id"] == "P01"


# -- result formats (W3C SPARQL 1.1 Query Results) -----------------------------------------------------------

_X = ox.NamedNode("http://example.org/a,b")
_TERMS = [
    {"s": _X, "o": ox.Literal('say "hi",\nbye\ttab')},
    {"s": ox.BlankNode("b1"), "o": ox.Literal("chat", language="fr")},
    {"s": _X, "o": ox.Literal("42", datatype=ox.NamedNode(XSD.integer))},
    {"s": _X, "o": None},
    {"s": _X, "o": ox.Literal("2.5e3", datatype=ox.NamedNode(XSD.double))},
    {"s": _X, "o": ox.Literal("x", datatype=ox.NamedNode("http://example.org/dt"))},
]
SAMPLE = Result("select", variables=["s", "o"], terms=_TERMS)


def test_csv_is_the_w3c_format() -> None:
    text = SAMPLE.serialize("csv")
    assert text.split("\r\n")[0] == "s,o"
    assert text.startswith('s,o\r\n"http://example.org/a,b","say ""hi"",\nbye\ttab"\r\n_:b1,chat\r\n')
    assert '"http://example.org/a,b",42\r\n"http://example.org/a,b",\r\n' in text
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[1:] == [["http://example.org/a,b", 'say "hi",\nbye\ttab'], ["_:b1", "chat"],
                          ["http://example.org/a,b", "42"], ["http://example.org/a,b", ""],
                          ["http://example.org/a,b", "2.5e3"], ["http://example.org/a,b", "x"]]


def test_safe_csv_for_spreadsheets() -> None:
    minus_three = ox.Literal("-3", datatype=ox.NamedNode(XSD.integer))
    risky = Result("select", variables=["v", "n"], terms=[
        {"v": ox.Literal('=HYPERLINK("http://x")'), "n": minus_three},
        {"v": ox.Literal("+1"), "n": ox.Literal("@x")}])
    assert risky.serialize("csv").splitlines()[1] == '"=HYPERLINK(""http://x"")",-3'
    assert risky.serialize("csv", safe_csv=True).splitlines()[1:] == ['"\'=HYPERLINK(""http://x"")",-3',
                                                                     "'+1,'@x"]
    assert risky.serialize("tsv").splitlines()[2] == '"+1"\t"@x"'


@pytest.mark.parametrize("fmt, ox_format", [("tsv", ox.QueryResultsFormat.TSV),
                                            ("json", ox.QueryResultsFormat.JSON),
                                            ("xml", ox.QueryResultsFormat.XML)])
def test_typed_formats_round_trip_through_a_conforming_parser(fmt: str, ox_format) -> None:
    parsed = ox.parse_query_results(SAMPLE.serialize(fmt).encode(), format=ox_format)
    assert [v.value for v in parsed.variables] == ["s", "o"]
    assert [{"s": r["s"], "o": r["o"]} for r in parsed] == _TERMS


# Any text a literal can hold, except what XML 1.0 cannot carry (the XML writer replaces those with U+FFFD).
_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"))
_XML_SAFE = st.text(st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n\r"))


@settings(max_examples=150, deadline=None)
@given(value=_TEXT, lang=st.sampled_from([None, "en", "pt-BR"]))
def test_any_literal_round_trips_through_tsv_and_json(value: str, lang: str | None) -> None:
    term = ox.Literal(value, language=lang) if lang else ox.Literal(value)
    result = Result("select", variables=["v"], terms=[{"v": term}])
    for fmt, ox_format in (("tsv", ox.QueryResultsFormat.TSV), ("json", ox.QueryResultsFormat.JSON)):
        parsed = list(ox.parse_query_results(result.serialize(fmt).encode(), format=ox_format))
        assert parsed[0]["v"] == term, fmt
    rows = list(csv.reader(io.StringIO(result.serialize("csv"), newline="")))
    assert rows == [["v"], [value]]


@settings(max_examples=150, deadline=None)
@given(value=_XML_SAFE)
def test_any_literal_round_trips_through_xml(value: str) -> None:
    result = Result("select", variables=["v"], terms=[{"v": ox.Literal(value)}])
    parsed = list(ox.parse_query_results(result.serialize("xml").encode(), format=ox.QueryResultsFormat.XML))
    assert parsed[0]["v"] == ox.Literal(value)


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_check_accepts_or_refuses_any_text_with_a_query_error(text: str) -> None:
    try:
        check(text, allow_service=False)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)


def test_tsv_json_xml_details() -> None:
    tsv = SAMPLE.serialize("tsv").split("\n")
    assert tsv[0] == "?s\t?o"
    assert tsv[3] == "<http://example.org/a,b>\t42" and tsv[4] == "<http://example.org/a,b>\t"
    data = json.loads(SAMPLE.serialize("json"))
    assert data["head"] == {"vars": ["s", "o"]}
    assert data["results"]["bindings"][1] == {"s": {"type": "bnode", "value": "b1"},
                                              "o": {"type": "literal", "value": "chat", "xml:lang": "fr"}}
    assert data["results"]["bindings"][3] == {"s": {"type": "uri", "value": "http://example.org/a,b"}}
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(SAMPLE.serialize("xml"))
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["s", "o"]
    literal = root.findall("r:results/r:result", ns)[2].find("r:binding[@name='o']/r:literal", ns)
    assert literal.text == "42" and literal.get("datatype") == XSD.integer


def test_ask_and_graph_formats(example_store: Path) -> None:
    with opened(example_store) as store:
        yes = run(store, 'ASK { ?p po:identifier "P19" }')
        graph = run(store, 'CONSTRUCT { ?p po:identifier ?id } WHERE { ?p po:identifier ?id } ORDER BY ?id',
                    limit=2)
    assert yes.serialize("table") == "true\n"
    assert json.loads(yes.serialize("json")) == {"head": {}, "boolean": True}
    assert bool(ox.parse_query_results(yes.serialize("xml").encode(), format=ox.QueryResultsFormat.XML))
    assert graph.truncated and len(graph) == 2
    turtle = graph.serialize("turtle")
    assert "@prefix po:" in turtle and "po:identifier" in turtle
    assert len(list(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))) == 2
    assert len(json.loads(graph.serialize("json-ld"))) == 2
    assert graph.serialize("ntriples").count(" .\n") == 2
    with pytest.raises(QueryError, match="CONSTRUCT or DESCRIBE"):
        SAMPLE.serialize("turtle")


# -- the command line ----------------------------------------------------------------------------------------


def test_cli_query_file_expression_name_and_stdin(example_store: Path, tmp_path: Path) -> None:
    rq = tmp_path / "chain.rq"
    rq.write_text(queries.named_query("manager-chain").text)
    by_file = kg(example_store, "query", str(rq), "--param", "person=P19", "--format", "csv")
    by_name = kg(example_store, "query", "manager-chain", "--param", "person=P19", "--format", "csv")
    assert by_file.exit_code == 0, by_file.output
    assert by_file.output == by_name.output
    assert by_file.output.splitlines()[:2] == ["level,id,name,title,manager",
                                               "1,P14,Yuki Tanaka,\"Sr. Product Manager, Docs\","
                                               "http://w3id.org/product-org/id/example-product-org/post/P14"]
    expr = kg(example_store, "query", "-e", 'SELECT ?name WHERE { ?p po:identifier "P19" ; '
              "org:heldBy/foaf:name ?name }")
    assert expr.exit_code == 0 and expr.output.splitlines()[::2] == ["name", "Isabel Costa"]
    stdin = kg(example_store, "query", "-", "--format", "json", input="SELECT (1 AS ?one) {}")
    assert json.loads(stdin.output)["results"]["bindings"][0]["one"]["value"] == "1"


def test_cli_ask_check_and_errors(example_store: Path) -> None:
    assert kg(example_store, "query", "-e", 'ASK { ?p po:identifier "P19" }', "--check").exit_code == 0
    missing = kg(example_store, "query", "-e", 'ASK { ?p po:identifier "P99" }', "--check")
    assert (missing.exit_code, missing.output) == (1, "false\n")
    bad = kg(example_store, "query", "-e", "SELECT ?x WHERE {\n ?x ?y")
    assert bad.exit_code == 1 and "line 2, column" in bad.output and "Traceback" not in bad.output
    assert kg(example_store, "query").exit_code == 2
    assert kg(example_store, "query", "vacancies", "--format", "turtle").exit_code == 1
    limited = kg(example_store, "query", "span-of-control", "--limit", "2", "--format", "tsv")
    assert limited.exit_code == 0 and len(limited.stdout.splitlines()) == 3
    assert "only the first 2" in limited.stderr


def test_cli_queries_lists_and_shows(example_store: Path) -> None:
    listed = kg(example_store, "queries")
    assert listed.exit_code == 0
    assert "manager-chain" in listed.output and "person=" in listed.output
    shown = kg(example_store, "queries", "who-holds-role")
    assert shown.output.startswith("# title: Who holds a given role")
    data = json.loads(kg(example_store, "queries", "--format", "json").output)
    assert {q["name"] for q in data} >= {"manager-chain", "span-of-control", "career-path"}


def test_cli_csv_is_spreadsheet_safe_unless_exact(example_store: Path) -> None:
    expr = "SELECT ?v WHERE { VALUES ?v { \"=1+1\" \"@SUM(A1)\" \"plain\" } } ORDER BY ?v"
    safe = kg(example_store, "query", "-e", expr, "--format", "csv")
    exact = kg(example_store, "query", "-e", expr, "--format", "csv", "--exact-csv")
    assert safe.exit_code == 0 and exact.exit_code == 0
    assert safe.stdout.splitlines() == ["v", "'=1+1", "'@SUM(A1)", "plain"]
    assert exact.stdout.splitlines() == ["v", "=1+1", "@SUM(A1)", "plain"]


def test_cli_query_refuses_service_unless_allowed(example_store: Path) -> None:
    federated = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    refused = kg(example_store, "query", "-e", federated)
    assert refused.exit_code == 1 and "--allow-service" in refused.stderr
