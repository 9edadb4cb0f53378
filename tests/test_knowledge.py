"""Role-level questions: kg roles, kg role, kg explain (CLI and library), role name resolution, title matching
with the ontology's labels."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import knowledge
from kg.cli import main
from kg.errors import AmbiguousError, NotFoundError
from kg.ingest.load import title_matcher
from kg.store import opened
from kg.vocab import PO


def kg(store: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--store", str(store), *args])
    return result.exit_code, result.stdout, result.stderr


def test_kg_role_head_of_product_prints_sections_with_quotes(example_store: Path) -> None:
    code, out, _err = kg(example_store, "role", "Head of Product")
    assert code == 0
    assert out.startswith("Head of Product  <http://w3id.org/product-org/ontology#HeadOfProduct>")
    assert ("career path: Associate Product Manager -> Product Manager -> Head of Product -> "
            "Chief Product Officer") in out
    manages = out.split("\nTypically manages\n")[1].split("\n\n")[0]
    assert "Product Director  [in large organizations]" in manages
    assert '"In large organizations that have product directors who report to the head of product." ' \
           "(Product organization roles (seed text), sentence 30)" in manages
    reports_to = out.split("\nTypically reports to\n")[1].split("\n\n")[0]
    assert "Chief Product Officer" in reports_to and "(Product organization roles (seed text), sentence 38)" \
        in reports_to
    responsibilities = out.split("\nResponsibilities\n")[1].split("\n\n")[0]
    assert "Supporting and unblocking product managers" in responsibilities
    assert ("Making decisions from product data; is based on: Customer feedback, Market trends, "
            "Product performance metrics") in responsibilities
    assert "seed text), sentence 25)" in responsibilities
    pay = out.split("\nPay\n")[1].split("\n\n")[0]
    assert "USD 352,585 per year, estimated total pay, region US, data: Glassdoor" in pay
    assert "seed text), sentence 28)" in pay


def test_kg_role_json_gives_the_same_facts_as_data(example_store: Path) -> None:
    code, out, _err = kg(example_store, "role", "head of product", "--format", "json")
    assert code == 0
    profile = json.loads(out)
    assert profile["iri"] == PO.HeadOfProduct and profile["label"] == "Head of Product"
    assert "Head of Product Management" in profile["alt_labels"]
    assert profile["families"] == ["Product leadership"]
    assert [f["target"] for f in profile["reports_to"]] == ["Chief Product Officer"]
    director = next(f for f in profile["manages"] if f["target"] == "Product Director")
    assert (director["target"], director["context"]) == ("Product Director", "in large organizations")
    assert [s["sentence"] for s in director["sources"]] == [30]
    assert director["sources"][0]["document"] == "Product organization roles (seed text)"
    targets = {f["target_iri"] for f in profile["responsibilities"]}
    assert {PO.PeopleManagement, PO.DataDrivenDecisions, PO.PortfolioFit, PO.DefiningCriticalOutcomes,
            PO.UnblockingProductManagers} == targets
    assert all(f["sources"] for f in profile["responsibilities"])
    decisions = next(f for f in profile["responsibilities"] if f["target_iri"] == PO.DataDrivenDecisions)
    assert [(d["relation"], d["target"], d["sources"][0]["sentence"]) for d in decisions["details"]] == [
        ("is based on", "Customer feedback", 7), ("is based on", "Market trends", 7),
        ("is based on", "Product performance metrics", 7)]
    (pay,) = profile["pay"]
    assert (pay["amount"], pay["currency"], pay["period"], pay["region"], pay["data_provider"]) == (
        352585, "USD", "P1Y", "US", "Glassdoor")
    assert pay["sources"][0]["sentence"] == 28 and "$352,585" in pay["sources"][0]["quote"]
    assert profile["career_path"] == ["Associate Product Manager", "Product Manager", "Head of Product",
                                      "Chief Product Officer"]
    assert [f["target"] for f in profile["career_previous"]] == ["Product Manager"]
    assert [f["target"] for f in profile["career_next"]] == ["Chief Product Officer"]


def test_cpo_profile_requirements_knowledge_collaborators(example_store: Path) -> None:
    with opened(example_store) as store:
        cpo = knowledge.role_profile(store, "CPO")
    reqs = {r["label"]: r for r in cpo["requirements"]}
    education = reqs["Education (some employers)"]
    assert education["education_levels"] == ["Doctoral degree", "Master's degree"]
    assert education["fields_of_study"] == ["Information technology (field of study)",
                                            "Marketing (field of study)"]
    ads = reqs["Experience (most current job ads)"]
    assert (ads["min_years_of_experience"], ads["min_years_in_leading_role"],
            ads["max_years_in_leading_role"], ads["leading_role_examples"]) == (10, 3, 5, ["Head of Product"])
    assert ads["sources"][0]["sentence"] == 31
    assert len(cpo["knowledge"]) == 11
    collaborators = {f["target"]: f for f in cpo["collaborators"]}
    assert set(collaborators) == {"Chief Product Security Officer", "Executive", "Chief Executive Officer"}
    assert collaborators["Chief Product Security Officer"]["sources"][0]["sentence"] == 39
    seat = next(f for f in cpo["reporting_notes"] if f["relation"] == "may occupy the seat of")
    assert (seat["target"], seat["context"]) == ("Director of Engineering", "in some organizations")
    assert {f["target"] for f in cpo["mentoring"]} == {"Product management"}


def test_product_owner_is_a_role_not_a_job_title_with_attribution(example_store: Path) -> None:
    with opened(example_store) as store:
        owner = knowledge.role_profile(store, "product owner")
    fact = next(f for f in owner["distinctions"] if f["relation"] == "used as a job title")
    assert fact["target"] == "false" and fact["attributed_to"] == "Joshua Partogi"
    assert [(s["document"], s["sentence"]) for s in fact["sources"]] == [
        ("Product organization roles (seed text)", 33),
        ("The Scrum Guide (November 2020), Ken Schwaber and Jeff Sutherland", 7)]
    assert [f["target"] for f in owner["owns"]] == ["an Office product (example product)"]


def test_every_role_has_a_profile_with_a_definition(example_store: Path) -> None:
    with opened(example_store) as store:
        roles = [n for family in knowledge.role_tree(store) for n in family["children"]]
        for role in {r["iri"]: r for r in roles}.values():
            profile = knowledge.role_profile(store, role["label"])
            assert profile["iri"] == role["iri"] and profile["definition"], role["label"]


def test_kg_explain_product_owner_to_chief_product_officer(example_store: Path) -> None:
    code, out, _err = kg(example_store, "explain", "Product Owner", "Chief Product Officer",
                         "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["connected"]
    path = [result["hops"][0]["from"]["label"]] + [h["to"]["label"] for h in result["hops"]]
    assert path == ["Product Owner", "Product management", "Chief Product Officer"]
    first, second = result["hops"]
    assert [(r["relation"], r["direction"]) for r in first["relations"]] == [("is in the family", "forward")]
    relations = {r["relation"]: r for r in second["relations"]}
    assert relations["is the most senior role in"]["direction"] == "inverse"
    assert relations["is the most senior role in"]["sources"][0]["sentence"] == 37
    assert relations["mentors"]["sources"][0]["sentence"] == 5

    code, text, _err = kg(example_store, "explain", "Product Owner", "Chief Product Officer")
    assert code == 0
    lines = text.splitlines()
    assert lines[0] == "Product Owner"
    assert lines[1] == "  1. --is in the family--> Product management"
    assert "  2. <--is the most senior role in-- Chief Product Officer" in lines
    assert any("The CPO is the most senior position within the product management hierarchy." in line
               for line in lines)


def test_explain_walks_responsibilities_and_says_when_not_connected(example_store: Path) -> None:
    with opened(example_store) as store:
        path = knowledge.explain(store, "Head of procurement", "business continuity")
        apart = knowledge.explain(store, "Product Owner", "Procurement process")
    assert [h["to"]["label"] for h in path["hops"]][-1] == "Business continuity"
    assert len(path["hops"]) == 2 and path["hops"][0]["relations"][0]["relation"] == "has responsibility"
    assert apart["connected"] is False and apart["hops"] == []
    code, out, _err = kg(example_store, "explain", "Product Owner", "Procurement process")
    assert code == 0 and out == "Product Owner and Procurement process are not connected\n"


def test_kg_roles_prints_the_taxonomy_tree_and_json(example_store: Path) -> None:
    code, out, _err = kg(example_store, "roles", "--tree")
    assert code == 0
    lines = out.splitlines()
    leadership = lines.index("Product leadership")
    assert "├── Chief Product Officer" in lines[leadership + 1:leadership + 6]
    assert "Executive" in lines and "Procurement" in lines
    code, out, _err = kg(example_store, "roles", "--tree", "--format", "json")
    tree = json.loads(out)
    families = {f["label"]: [c["label"] for c in f["children"]] for f in tree}
    assert all(f["kind"] == "family" for f in tree)
    assert "Chief Product Officer" in families["Product leadership"]
    assert "Chief Product Officer" in families["Executive"]  # two families: listed under both
    assert {"Product Owner", "Product Manager"} <= set(families["Product management"])


def test_role_names_resolve_by_label_and_alt_label(example_store: Path) -> None:
    with opened(example_store) as store:
        assert knowledge.resolve(store, "cpo", roles_only=True) == PO.ChiefProductOfficer
        assert knowledge.resolve(store, "VP, Product", roles_only=True) == PO.VPOfProduct
        assert knowledge.resolve(store, "HEAD OF PRODUCT MANAGEMENT") == PO.HeadOfProduct
        assert knowledge.resolve(store, "po:ProductOwner") == PO.ProductOwner
        with pytest.raises(NotFoundError, match="did you mean: Head of Product"):
            knowledge.resolve(store, "Head of Prodct", roles_only=True)
        with pytest.raises(NotFoundError, match="no role matches 'Strategic vision'"):
            knowledge.resolve(store, "Strategic vision", roles_only=True)
        assert knowledge.resolve(store, "Strategic vision") == PO.StrategicVision


def test_unknown_role_exits_1_with_one_line(example_store: Path) -> None:
    code, out, err = kg(example_store, "role", "Gardener")
    assert code == 1 and out == ""
    assert err.startswith("error: no role matches 'Gardener'") and err.count("\n") == 1
    code, _out, err = kg(example_store, "explain", "Gardener", "CPO")
    assert code == 1 and "no concept matches 'Gardener'" in err


def test_ambiguous_name_is_an_error(example_store: Path) -> None:
    """External codes may share a name (ISCO 2512 and O*NET 15-1252.00 are both 'Software developers')."""
    with opened(example_store) as store:
        with pytest.raises(AmbiguousError, match="names several concepts") as raised:
            knowledge.resolve(store, "Software developers")
        assert "<http://data.europa.eu/esco/isco/C2512>" in str(raised.value)
        assert knowledge.resolve(store, "http://data.europa.eu/esco/isco/C2512").endswith("C2512")


@pytest.mark.parametrize(("title", "role"), [
    ("Sr. Product Manager", "SeniorProductManager"),
    ("VP, Product", "VPOfProduct"),
    ("Head of Product Management", "HeadOfProduct"),
    ("CPO", "ChiefProductOfficer"),
    ("Chief Product & Technology Officer", "ChiefProductOfficer"),
    ("Senior Vice President of Product", "VPOfProduct"),
    ("Director, Product Management", "ProductDirector"),
    ("Principal PM", "PrincipalProductManager"),
    ("Engineering Manager, PM tools", "EngineeringManager"),
    ("Procurement Specialist", "Buyer"),
    ("Gardener", None),
])
def test_titles_map_to_roles_with_the_ontology_labels(example_store: Path, title: str,
                                                      role: str | None) -> None:
    with opened(example_store) as store:
        matcher = title_matcher(store)
    assert matcher.match(title) == (PO[role] if role else None)


def test_example_titles_map_to_roles(example_store: Path) -> None:
    from kg import org

    with opened(example_store) as store:
        stats = org.stats(store)
        assert org.who(store, "P52")["role"] == "Head of Product"
        assert org.who(store, "P07")["role"] == "VP of Product"
    # an assistant holds no role; the head of product marketing is no role of the taxonomy (not a Head of
    # Product, nor a Product Marketing Manager)
    assert stats["unmatched_titles"] == {"Executive Assistant": 1, "Head of Product Marketing": 1}


# -- title matching: precision first, measured on real titles ---------------------------------------------------

LABELLED = Path(__file__).parent / "data" / "titles_labelled.csv"


def test_labelled_real_titles_precision_and_recall(example_store: Path) -> None:
    """tests/data/titles_labelled.csv: every job title of the licensed organograms (UK senior and junior files,
    HEFCE, MoJ), the Chinook and Oracle HR sample databases, and titles of public job families and career
    ladders, each labelled by hand with its role (empty: no role of the taxonomy)."""
    import csv

    rows = list(csv.DictReader(LABELLED.open(encoding="utf-8")))
    assert len(rows) >= 400 and len({r["title"] for r in rows}) == len(rows)
    with opened(example_store) as store:
        matcher = title_matcher(store)
        roles = {r["r"] for r in store.select("SELECT ?r WHERE { ?r a org:Role }")}
    assert {PO[r["role"]] for r in rows if r["role"]} <= roles  # every label is a role of the ontology
    right = wrong = missed = 0
    for row in rows:
        got, want = matcher.match(row["title"]), PO[row["role"]] if row["role"] else None
        right += got is not None and got == want
        wrong += got is not None and got != want
        missed += want is not None and got != want
    precision, recall = right / (right + wrong), right / (right + missed)
    assert precision >= 0.98, (precision, right, wrong)
    assert recall >= 0.92, (recall, right, missed)


def test_labelled_organogram_titles_are_real(real: Path) -> None:
    """The organogram titles of the labelled set occur in the committed real files they are said to come from."""
    import csv

    rows = [r for r in csv.DictReader(LABELLED.open(encoding="utf-8")) if "HMRC" in r["source"]
            or "Natural England" in r["source"] or "HEFCE" in r["source"] or "Chinook" in r["source"]]
    seen: set[str] = set()
    for path in list((real / "uk-organograms").glob("*.csv")) + list((real / "uk-organogram-hefce").glob("*.csv")) \
            + [real / "chinook" / "Employee.csv"]:
        raw = path.read_bytes()
        text = raw.decode("utf-8") if not raw.startswith(b"\xff") and _utf8(raw) else raw.decode("cp1252")
        for record in csv.DictReader(text.splitlines()):
            for column in ("Job Title", "Generic Job Title", "Title"):
                if record.get(column):
                    seen.add(" ".join(record[column].split()))
    assert rows and all(r["title"] in seen for r in rows), [r["title"] for r in rows if r["title"] not in seen][:5]


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize(("title", "role"), [
    ("VP Engineering", "VPOfEngineering"), ("Head of Engineering", "HeadOfEngineering"),
    ("Director of Engineering", "DirectorOfEngineering"), ("Staff Engineer", "StaffEngineer"),
    ("Principal Engineer", "PrincipalEngineer"), ("Tech Lead", "TechLead"),
    ("Senior Developer", "SeniorSoftwareEngineer"), ("Senior Software Engineer, Payments", "SeniorSoftwareEngineer"),
    ("Associate Product Manager", "AssociateProductManager"), ("Principal PM", "PrincipalProductManager"),
    ("Group Product Manager", "GroupProductManager"), ("Technical Product Manager", "TechnicalProductManager"),
    ("Product Owner, Checkout", "ProductOwner"), ("CISO", "ChiefInformationSecurityOfficer"),
    ("Buyer", "Buyer"), ("UX Researcher", "UXResearcher"), ("Head of Design", "HeadOfDesign"),
    # look-alikes, assistants and deputies, owners of other things: no role
    ("Commander 8 Engineer Brigade", None), ("Civil Engineer", None), ("Structural Engineer", None),
    ("Network Engineer", None), ("Head of Product Safety", None), ("Head of Production", None),
    ("PA to Head of Product", None), ("Assistant to the Chief Product Officer", None),
    ("Deputy Head of Product", None), ("Private Secretary to the CTO", None), ("Business Owner", None),
    ("Data Owner", None), ("Risk Owner", None), ("Head of Product Marketing", None), ("Marketing Manager", None),
    ("Technical Program Manager", None), ("Lead Product Manager", None), ("Chief of Staff, Product", None),
    ("Executive Assistant to the CEO", None), ("Senior Network Engineer", None), ("Information Asset Owner", None),
    ("Head of Trading and Property Income Tax and Capital - TAPICA (Product Owner)", None),
])
def test_issue_titles_match_their_level_or_no_role(example_store: Path, title: str, role: str | None) -> None:
    with opened(example_store) as store:
        matcher = title_matcher(store)
    assert matcher.match(title) == (PO[role] if role else None), matcher.explain(title).why


def test_kg_titles_from_stdin_in_input_order_as_json(example_store: Path) -> None:
    titles = ["Sr. Security Engineer", "PA to the CPO", "VP, Product (Payments)", "Gardener", "Sr. Security Engineer"]
    result = CliRunner().invoke(main, ["--store", str(example_store), "titles", "--from", "-", "--format", "json"],
                                input="\n".join(titles) + "\n")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["title"] for d in data] == titles and set(data[0]) == {"title", "role", "level", "why"}
    assert data[0]["role"] == {"iri": PO.SecurityEngineer, "label": "Security Engineer"}
    assert data[0]["level"] == "Senior" and "senior" in data[0]["why"]
    assert data[1]["role"] is None and "assistant" in data[1]["why"]
    assert data[2]["role"]["label"] == "VP of Product" and data[2]["level"] == "Vice president"
    assert data[3] == {"title": "Gardener", "role": None, "level": None,
                       "why": "no role label matches the title or one of its parts"}


def test_kg_titles_lists_the_loaded_titles_with_counts(example_store: Path) -> None:
    import csv

    code, out, _err = kg(example_store, "titles", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    from kg.ontology import data_file

    expected = Counter(r["job_title"] for r in csv.DictReader(data_file("example_org.csv").open(encoding="utf-8")))
    assert {r["title"]: r["count"] for r in rows} == dict(expected)
    counts = [r["count"] for r in rows]
    assert counts == sorted(counts, reverse=True)
    by_title = {r["title"]: r for r in rows}
    assert by_title["Executive Assistant"]["role"] is None
    assert by_title["Staff Engineer"]["role"]["label"] == "Staff Engineer"
    code, table, _err = kg(example_store, "titles")
    assert code == 0 and "Executive Assistant" in table and "why" in table.splitlines()[0]


def test_kg_load_titles_map_overrides_the_matcher(tmp_path: Path) -> None:
    org = tmp_path / "org.csv"
    org.write_text("id,name,title,manager\n1,Ann,Head of Delivery,\n2,Bob,Product Manager,1\n3,Cy,Gardener,1\n",
                   encoding="utf-8")
    mapping = tmp_path / "map.csv"
    mapping.write_text("title,role\nHead of Delivery,Head of Product\nProduct Manager,\n", encoding="utf-8")
    store = tmp_path / "store"
    code, _out, err = kg(store, "load", str(org), "--titles", str(mapping))
    assert code == 0, err
    code, out, _err = kg(store, "titles", "--format", "json")
    rows = {r["title"]: r for r in json.loads(out)}
    assert rows["Head of Delivery"]["role"]["iri"] == PO.HeadOfProduct
    assert "title map" in rows["Head of Delivery"]["why"]
    assert rows["Product Manager"]["role"] is None and rows["Gardener"]["role"] is None
    bad = tmp_path / "bad.csv"
    bad.write_text("title,role\nHead of Delivery,Chief Gardening Officer\n", encoding="utf-8")
    code, _out, err = kg(tmp_path / "store2", "load", str(org), "--titles", str(bad))
    assert code == 1 and "bad.csv row 2" in err and "Chief Gardening Officer" in err and len(err.splitlines()) == 1


# -- ladders and comparisons ------------------------------------------------------------------------------------


def test_kg_roles_shows_ladders_by_family_track_and_level(example_store: Path) -> None:
    code, out, _err = kg(example_store, "roles", "--format", "json")
    assert code == 0
    data = json.loads(out)
    engineering = next(f for f in data if f["family"] == "Engineering")
    tracks = {t["track"]: [r["label"] for r in t["roles"]] for t in engineering["tracks"]}
    assert [t["track"] for t in engineering["tracks"]] == ["Individual contributor", "Management"]
    ic = tracks["Individual contributor"]
    assert ic.index("Software Engineer") < ic.index("Senior Software Engineer") < ic.index("Staff Engineer") \
        < ic.index("Principal Engineer")
    assert tracks["Management"][-1] == "Chief Technology Officer"
    for family in data:
        for track in family["tracks"]:
            ranks = [r["rank"] for r in track["roles"]]
            assert ranks == sorted(ranks) and None not in ranks
    code, text, _err = kg(example_store, "roles")
    assert code == 0 and "Engineering\n  Individual contributor\n" in text
    assert " 3 Senior" in text and "Senior Software Engineer" in text


def test_kg_compare_product_owner_and_product_manager_from_the_sources(example_store: Path) -> None:
    code, out, _err = kg(example_store, "compare", "Product Owner", "Product Manager", "--format", "json")
    assert code == 0
    c = json.loads(out)
    with opened(example_store) as store:
        def resp(role: str) -> set[str]:
            return {r["o"] for r in store.select("SELECT ?o WHERE { ?r po:hasResponsibility ?o }",
                                                 r=ox.NamedNode(PO[role]))}
        po_only, pm_only = resp("ProductOwner") - resp("ProductManager"), resp("ProductManager") - resp("ProductOwner")
    assert {f["target_iri"] for f in c["only_a"]} == po_only and PO.ProductBacklogManagement in po_only
    assert {f["target_iri"] for f in c["only_b"]} == pm_only and PO.UnderstandingUserProblems in pm_only
    backlog = next(f for f in c["only_a"] if f["target_iri"] == PO.ProductBacklogManagement)
    assert any("Scrum Guide" in (s["document"] or "") and "Product Backlog" in s["quote"] for s in backlog["sources"])
    users = next(f for f in c["only_b"] if f["target_iri"] == PO.UnderstandingUserProblems)
    assert any("GitLab" in (s["document"] or "") for s in users["sources"])
    assert (c["a"]["track"], c["b"]["track"]) == ("Individual contributor", "Individual contributor")
    code, text, _err = kg(example_store, "compare", "Product Owner", "Product Manager")
    assert code == 0 and "Responsibilities only Product Owner has" in text
    assert "(The Scrum Guide (November 2020), Ken Schwaber and Jeff Sutherland, sentence" in text
    code, out, _err = kg(example_store, "compare", "Software Engineer", "Principal Engineer", "--format", "json")
    steps = json.loads(out)
    assert steps["career_steps"] == ["Software Engineer", "Senior Software Engineer", "Staff Engineer",
                                     "Principal Engineer"]
    assert steps["level_difference"] == 3
    code, out, _err = kg(example_store, "compare", "Tech Lead", "Engineering Manager", "--format", "json")
    relation = json.loads(out)["relations"]
    assert any(r["relation"] == "differs from" and r["sources"] for r in relation)


def test_kg_validate_reports_a_role_off_the_ladders(example_store: Path, tmp_path: Path) -> None:
    role = tmp_path / "roles.ttl"
    role.write_text('@prefix org: <http://www.w3.org/ns/org#> .\n'
                    '@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
                    '<http://example.org/ChiefGardener> a org:Role ; skos:prefLabel "Chief Gardener"@en ;\n'
                    '    skos:definition "Tends the gardens."@en .\n', encoding="utf-8")
    code, _out, err = kg(example_store, "load", str(role))
    assert code == 0, err
    code, out, _err = kg(example_store, "validate", "--format", "json")
    report = json.loads(out)
    about = {f["message"].split(" (path")[0] for f in report["findings"]
             if "http://example.org/ChiefGardener" in f["items"]}
    assert about == {"a role needs one po:track (individual contributor or management)",
                     "a role needs one po:level of the career scale",
                     "a role needs at least three responsibilities (po:hasResponsibility)",
                     "a role needs at least one fact from a source (po:SourcedStatement, po:Requirement or "
                     "po:PayFact)"}
    assert code == 1
    # the ontology's own roles meet the shapes: no finding names one of them
    with opened(example_store) as store:
        roles = {r["r"] for r in store.select("SELECT ?r WHERE { GRAPH ?g { ?r a org:Role } "
                                              "FILTER(?r != <http://example.org/ChiefGardener>) }")}
    assert not any(item in roles for f in report["findings"] for item in f["items"])
