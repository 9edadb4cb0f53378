"""Role-level questions: kg roles, kg role, kg explain (CLI and library), role name resolution, title matching
with the ontology's labels."""

from __future__ import annotations

import json
from pathlib import Path

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
           "(sentence 30)" in manages
    reports_to = out.split("\nTypically reports to\n")[1].split("\n\n")[0]
    assert "Chief Product Officer" in reports_to and "(sentence 38)" in reports_to
    responsibilities = out.split("\nResponsibilities\n")[1].split("\n\n")[0]
    assert "Supporting and unblocking product managers" in responsibilities
    assert ("Making decisions from product data; is based on: Customer feedback, Market trends, "
            "Product performance metrics") in responsibilities
    assert "(sentence 25)" in responsibilities
    pay = out.split("\nPay\n")[1].split("\n\n")[0]
    assert "USD 352,585 per year, estimated total pay, region US, data: Glassdoor" in pay
    assert "(sentence 28)" in pay


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
    code, out, _err = kg(example_store, "roles")
    assert code == 0
    lines = out.splitlines()
    leadership = lines.index("Product leadership")
    assert "├── Chief Product Officer" in lines[leadership + 1:leadership + 6]
    assert "Executive" in lines and "Procurement" in lines
    code, out, _err = kg(example_store, "roles", "--format", "json")
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
