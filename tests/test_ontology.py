"""The ontology: it parses, is closed under OWL-RL without inconsistency, declares every term it uses, passes
its SHACL shapes, holds every fact of the source text (asked by SPARQL, with the sentence it comes from), and
each shape rejects a bad example."""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

from kg.ontology import ontology_dir, ontology_files, shapes_file
from kg.vocab import ONTOLOGY_GRAPH

PO = rdflib.Namespace("http://w3id.org/product-org/ontology#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
UNIVERSAL = {PO.identifier, PO.searchKey, PO.sourceRow}
SOURCE = ontology_dir() / "sources" / "product_org_roles.txt"
PREFIXES = """PREFIX po: <http://w3id.org/product-org/ontology#>
PREFIX pok: <http://w3id.org/product-org/knowledge#>
PREFIX src: <http://w3id.org/product-org/source/product-org-roles#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(shapes_file(), format="turtle")


def ask(graph: rdflib.Graph, sparql: str) -> bool:
    return bool(graph.query(PREFIXES + sparql).askAnswer)


# -- structure ---------------------------------------------------------------------------------------------


def test_ontology_files_parse_and_hold_the_knowledge(onto: rdflib.Graph) -> None:
    names = [p.name for p in ontology_files()]
    assert names[0] == "product_org.ttl" and "product_org_knowledge.ttl" in names
    assert "shapes.ttl" not in names
    assert len(onto) > 1500


def test_existing_core_iris_are_kept(onto: rdflib.Graph) -> None:
    for name in ["solidLineReportsTo", "dottedLineReportsTo", "reportsToTransitively", "hasDirectReport",
                 "identifier", "jobTitle", "hasRole", "searchKey", "postStatus", "hasProduct", "ownedBy"]:
        assert (PO[name], RDF.type, None) in onto, name
    for name in ["VacantPost", "PostGroup", "Portfolio", "Product"]:
        assert (PO[name], RDF.type, OWL.Class) in onto, name
    for name in ["ChiefProductOfficer", "HeadOfProduct", "ProductOwner", "ProductManager", "VPOfProduct",
                 "ProductDirector", "PortfolioOwner", "ChiefTechnologyOfficer", "HeadOfProcurement"]:
        assert (PO[name], RDF.type, ORG.Role) in onto, name


def test_external_terms_exist_in_their_vocabularies(onto: rdflib.Graph) -> None:
    """No term of ORG, SKOS, PROV, Dublin Core, OWL, RDF(S), FOAF, XSD or schema.org is used that the
    vocabulary does not define (catches typos such as the published ORG file's org:subOrganzationOf)."""
    vocabularies = [ORG, SKOS, PROV, DCTERMS, OWL, RDFS, RDF, FOAF, XSD, SDO]
    used = {t for triple in onto for t in triple if isinstance(t, rdflib.URIRef)}
    unknown = []
    for term in used:
        for vocab in vocabularies:
            base = str(vocab._NS)
            if str(term).startswith(base) and str(term) != base and term not in vocab:
                unknown.append(str(term))
    assert unknown == []


def test_every_own_term_used_is_declared(onto: rdflib.Graph) -> None:
    used = {t for triple in onto for t in triple
            if isinstance(t, rdflib.URIRef) and str(t).startswith("http://w3id.org/product-org/")}
    undeclared = sorted(str(t) for t in used if (t, RDF.type, None) not in onto)
    assert undeclared == []


def test_classes_and_properties_have_label_definition_domain_range(onto: rdflib.Graph) -> None:
    problems = []
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in onto.subjects(RDF.type, kind):
            if not str(term).startswith(str(PO)):
                continue
            if onto.value(term, RDFS.label) is None or onto.value(term, SKOS.definition) is None:
                problems.append(f"{term}: label/definition")
            if kind != OWL.Class:
                # identifiers, search keys and source rows describe anything a source gives: no domain
                has_domain = onto.value(term, RDFS.domain) is not None or term in UNIVERSAL
                if onto.value(term, RDFS.range) is None or not has_domain:
                    problems.append(f"{term}: domain/range")
    assert problems == []


def test_pref_labels_are_unique_so_names_resolve(onto: rdflib.Graph) -> None:
    seen: dict[str, rdflib.term.Node] = {}
    clashes = []
    for concept, label in onto.subject_objects(SKOS.prefLabel):
        if not str(concept).startswith("http://w3id.org/product-org/"):
            continue  # external codes (ISCO, O*NET) may share names
        key = str(label).casefold()
        if key in seen and seen[key] != concept:
            clashes.append(str(label))
        seen[key] = concept
    assert clashes == []


def test_owl_rl_closure_adds_no_inconsistency(onto: rdflib.Graph) -> None:
    import owlrl

    closed = rdflib.Graph()
    for triple in onto:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    assert len(closed) > len(onto)
    errors = [o for _s, p, o in closed if str(p).endswith("#error") or "owlrl" in str(p).lower()]
    assert errors == []
    assert list(closed.subjects(RDF.type, OWL.Nothing)) == []
    # inference works as designed: a solid line is a transitive reporting line, symmetric collaboration
    assert (PO.solidLineReportsTo, RDFS.subPropertyOf, PO.reportsToTransitively) in closed
    assert (PO.ChiefProductSecurityOfficer, PO.collaboratesWith, PO.ChiefProductOfficer) in closed
    assert (PO.ChiefProductOfficer, PO.typicallyManages, PO.HeadOfProduct) in closed


def test_close_matches_are_to_real_occupation_codes_never_identity(onto: rdflib.Graph) -> None:
    assert ask(onto, "ASK { po:ChiefTechnologyOfficer skos:closeMatch "
                     "<http://data.europa.eu/esco/isco/C1330> }")
    assert ask(onto, """ASK { po:HeadOfProcurement skos:closeMatch
                              <https://www.onetonline.org/link/summary/11-3061.00>,
                              <http://data.europa.eu/esco/isco/C1324> }""")
    assert ask(onto, """ASK { <http://data.europa.eu/esco/isco/C1330> skos:notation "1330" ;
                              skos:prefLabel ?l }""")
    assert not ask(onto, "ASK { ?a owl:sameAs ?b }")
    assert not ask(onto, "ASK { ?a skos:exactMatch ?b }")


# -- provenance ------------------------------------------------------------------------------------------


def _sentences(onto: rdflib.Graph) -> list[tuple[int, str]]:
    rows = onto.query(PREFIXES + "SELECT ?n ?q WHERE { ?s a po:SourceSentence ; po:sentenceNumber ?n ; "
                                 "po:quote ?q ; dcterms:isPartOf src:doc }")
    return sorted((int(n), str(q)) for n, q in rows)


def test_the_sentences_are_the_whole_source_text_verbatim(onto: rdflib.Graph) -> None:
    text = SOURCE.read_text(encoding="utf-8")
    lines = [re.sub(r"^- ", "", line.strip()) for line in text.splitlines() if line.strip()]
    sentences = _sentences(onto)
    assert [n for n, _ in sentences] == list(range(1, 40))
    assert " ".join(q for _, q in sentences) == " ".join(lines)
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert ask(onto, f'ASK {{ src:doc a po:SourceDocument ; po:sha256 "{digest}" ; dcterms:title ?t }}')


def test_every_sentence_gives_a_fact_or_says_why_not(onto: rdflib.Graph) -> None:
    rows = onto.query(PREFIXES + """SELECT ?n WHERE { ?s a po:SourceSentence ; po:sentenceNumber ?n .
        FILTER NOT EXISTS { ?f prov:wasDerivedFrom ?s } FILTER NOT EXISTS { ?s po:noDomainFact ?why } }""")
    assert [int(r[0]) for r in rows] == []
    no_fact = onto.query(PREFIXES + "SELECT ?n WHERE { ?s po:noDomainFact ?w ; po:sentenceNumber ?n }")
    assert sorted(int(r[0]) for r in no_fact) == [26, 27]  # the two advertisements


def test_every_sourced_statement_describes_an_asserted_triple(onto: rdflib.Graph) -> None:
    assert ask(onto, "ASK { ?st a po:SourcedStatement }")
    assert not ask(onto, """ASK { ?st a po:SourcedStatement ; rdf:subject ?s ; rdf:predicate ?p ;
                                  rdf:object ?o FILTER NOT EXISTS { ?s ?p ?o } }""")
    assert not ask(onto, """ASK { ?st a po:SourcedStatement FILTER NOT EXISTS {
                                  ?st prov:wasDerivedFrom/po:quote ?q } }""")


def _stmt(s: str, p: str, o: str, sentence: int, extra: str = "") -> str:
    """ASK: the triple is asserted AND a sourced statement derives it from the sentence."""
    return (f"ASK {{ {s} {p} {o} . ?st a po:SourcedStatement ; rdf:subject {s} ; rdf:predicate {p} ; "
            f"rdf:object {o} ; prov:wasDerivedFrom src:s{sentence:02d} . {extra} }}")


CPO, HOP = "po:ChiefProductOfficer", "po:HeadOfProduct"
# (sentence, fact in words, SPARQL ASK): every fact of the source text, with the sentence it comes from.
FACTS = [
    (1, "some employers expect a master's or doctorate in IT or marketing of a CPO",
     """ASK { po:ChiefProductOfficer po:hasRequirement ?r . ?r po:educationLevel po:MastersDegree,
        po:DoctoralDegree ; po:fieldOfStudy po:InformationTechnologyStudies, po:MarketingStudies ;
        po:context ?c ; prov:wasDerivedFrom src:s01 . FILTER(CONTAINS(STR(?c), "some employers")) }"""),
    (2, "a CPO makes sure product promotion and sales are on point",
     _stmt(CPO, "po:hasResponsibility", "po:ProductPromotionAndSales", 2)),
    (3, "promotion and sales aim at meeting the right customers, appeal, conversion, loyalty",
     """ASK { VALUES ?o { po:ReachingRightCustomers po:CustomerAppeal po:CustomerConversion
                          po:CustomerLoyalty }
        po:ProductPromotionAndSales po:aimsAt ?o . ?st rdf:subject po:ProductPromotionAndSales ;
        rdf:predicate po:aimsAt ; rdf:object ?o ; prov:wasDerivedFrom src:s03 }"""),
    (4, "the CPO sits at the top of the product hierarchy",
     _stmt(CPO, "po:mostSeniorRoleIn", "po:ProductLeadership", 4)),
    (4, "the CPO oversees the entire product organization",
     _stmt(CPO, "po:hasResponsibility", "po:OverseeingProductOrganization", 4)),
    (4, "the CPO sets the long-term strategic vision",
     _stmt(CPO, "po:hasResponsibility", "po:StrategicVision", 4)),
    (4, "CPO abbreviates Chief Product Officer", _stmt(CPO, "skos:altLabel", '"CPO"@en', 4)),
    (5, "the CPO mentors the other product management personnel",
     _stmt(CPO, "po:mentors", "po:ProductManagementFamily", 5)),
    (5, "mentoring product staff is a CPO responsibility",
     _stmt(CPO, "po:hasResponsibility", "po:MentoringProductStaff", 5)),
    (6, "product development is also known as new product management",
     _stmt("po:ProductDevelopment", "skos:altLabel", '"new product management"@en', 6)),
    (6, "product development is conceptualization, design, development and marketing of goods or services",
     """ASK { VALUES ?a { po:Conceptualization po:DesignOfGoods po:DevelopmentOfGoods po:MarketingOfGoods }
        po:ProductDevelopment po:includesActivity ?a ; skos:definition ?d .
        ?st rdf:subject po:ProductDevelopment ; rdf:predicate po:includesActivity ; rdf:object ?a ;
        prov:wasDerivedFrom src:s06 }"""),
    (7, "people management (Head of Product)", _stmt(HOP, "po:hasResponsibility", "po:PeopleManagement", 7)),
    (7, "decisions from product metrics, customer feedback and market trends",
     _stmt(HOP, "po:hasResponsibility", "po:DataDrivenDecisions", 7,
           "po:DataDrivenDecisions po:basedOn po:ProductPerformanceMetrics, po:CustomerFeedback, "
           "po:MarketTrends .")),
    (8, "knowing how each product fits in the portfolio",
     _stmt(HOP, "po:hasResponsibility", "po:PortfolioFit", 8)),
    (8, "defining critical outcomes for each PM",
     _stmt(HOP, "po:hasResponsibility", "po:DefiningCriticalOutcomes", 8)),
    (9, "Vice President of Product is a role (heading)",
     _stmt("po:VPOfProduct", "rdf:type", "org:Role", 9)),
    (10, "customer needs and expectations evolve with time, influence and other products",
     """ASK { po:CustomerNeeds po:evolvesWith "time"@en, "influence"@en, "other products"@en .
        ?st rdf:subject po:CustomerNeeds ; rdf:predicate po:evolvesWith ; prov:wasDerivedFrom src:s10 }"""),
    (11, "a competent profile handles evolving customer needs to progress product development",
     _stmt(CPO, "po:hasResponsibility", "po:HandlingEvolvingCustomerNeeds", 11)),
    (12, "the CPO is another C-level executive", _stmt(CPO, "skos:broader", "po:ExecutiveFamily", 12)),
    (12, "the CPO facilitates business growth via products",
     _stmt(CPO, "po:hasResponsibility", "po:BusinessGrowthViaProducts", 12)),
    (13, "a CPO differs from a CTO", _stmt(CPO, "po:differsFrom", "po:ChiefTechnologyOfficer", 13)),
    (13, "a CPO differs from a VP in the product department",
     _stmt(CPO, "po:differsFrom", "po:VPOfProduct", 13)),
    (14, "Head of Product is a role with key responsibilities (heading)",
     _stmt(HOP, "rdf:type", "org:Role", 14)),
    (15, "procurement risks: supply chain disruption, price volatility, compliance issues",
     """ASK { po:Procurement po:hasRisk po:SupplyChainDisruption, po:PriceVolatility, po:ComplianceIssues .
        ?st rdf:subject po:Procurement ; rdf:predicate po:hasRisk ; prov:wasDerivedFrom src:s15 }"""),
    (16, "the head of procurement manages risk proactively: identifies risks, develops mitigations",
     _stmt("po:HeadOfProcurement", "po:hasResponsibility", "po:ProcurementRiskManagement", 16,
           "po:ProcurementRiskManagement po:includesActivity po:RiskIdentification, "
           "po:MitigationStrategyDevelopment .")),
    (17, "due diligence, supplier diversification and contingency planning keep business continuity",
     """ASK { VALUES ?r { po:DueDiligence po:SupplierDiversification po:ContingencyPlanning }
        po:HeadOfProcurement po:hasResponsibility ?r . ?r po:contributesTo po:BusinessContinuity .
        ?st rdf:subject po:HeadOfProcurement ; rdf:predicate po:hasResponsibility ; rdf:object ?r ;
        prov:wasDerivedFrom src:s17 }"""),
    (18, "Microsoft Office is a product portfolio of Office products",
     _stmt("pok:MicrosoftOffice", "po:exampleProduct", "pok:OfficeProduct", 18,
           "pok:MicrosoftOffice a po:ExamplePortfolio . po:ExamplePortfolio rdfs:subClassOf po:Portfolio .")),
    (19, "each Office product has its product owner",
     _stmt("pok:OfficeProduct", "po:hasOwnerRole", "po:ProductOwner", 19)),
    (19, "a portfolio owner owns the full Office", _stmt("pok:MicrosoftOffice", "po:hasOwnerRole",
                                                        "po:PortfolioOwner", 19)),
    (19, "the portfolio owner maximizes the value of the portfolio",
     _stmt("po:PortfolioOwner", "po:hasResponsibility", "po:MaximizingPortfolioValue", 19)),
    (20, "Product Manager progresses to Head of Product",
     _stmt("po:ProductManager", "po:progressesTo", HOP, 20)),
    (21, "in some organizations the position occupies the director of engineering seat",
     _stmt(CPO, "po:mayOccupySeatOf", "po:DirectorOfEngineering", 21,
           '?st po:context "in some organizations"@en .')),
    (22, "procurement: identifying, sourcing, purchasing and managing goods, services, resources",
     """ASK { VALUES ?a { po:IdentifyingNeeds po:Sourcing po:Purchasing po:ManagingResources }
        po:Procurement po:includesActivity ?a ; skos:definition ?d .
        ?st rdf:subject po:Procurement ; rdf:predicate po:includesActivity ; rdf:object ?a ;
        prov:wasDerivedFrom src:s22 }"""),
    (23, "procurement encompasses supplier selection, contract negotiation, order processing, SRM",
     """ASK { VALUES ?a { po:SupplierSelection po:ContractNegotiation po:OrderProcessing
                          po:SupplierRelationshipManagement }
        po:Procurement po:includesActivity ?a .
        ?st rdf:subject po:Procurement ; rdf:predicate po:includesActivity ; rdf:object ?a ;
        prov:wasDerivedFrom src:s23 }"""),
    (24, "importance of Vice Presidents of Product (heading)",
     _stmt("po:VPOfProduct", "rdf:type", "org:Role", 24)),
    (25, "the Head of Product supports and unblocks the PMs",
     _stmt(HOP, "po:supports", "po:ProductManager", 25)),
    (25, "unblocking PMs rather than driving the product",
     _stmt(HOP, "po:hasResponsibility", "po:UnblockingProductManagers", 25)),
    (28, "Head of Product total pay in the US is $352,585 per year (Glassdoor)",
     """ASK { ?f a po:PayFact ; po:payForRole po:HeadOfProduct ; po:amount ?a ; po:currency "USD" ;
        po:payPeriod "P1Y"^^xsd:duration ; po:region "US" ; po:statistic "estimated total pay"@en ;
        po:dataProvider/foaf:name "Glassdoor" ; prov:wasDerivedFrom src:s28 . FILTER(?a = 352585) }"""),
    (29, "a CPO knows their customers best",
     _stmt(CPO, "po:requiresKnowledgeOf", "po:KnowingCustomers", 29)),
    (29, "a CPO knows the company's vision, needs, expectations and problems",
     _stmt(CPO, "po:requiresKnowledgeOf", "po:CompanyVisionAndNeeds", 29)),
    (30, "in large organizations product directors report to the head of product",
     _stmt("po:ProductDirector", "po:typicallyReportsTo", HOP, 30,
           '?st po:context "in large organizations"@en .')),
    (31, "job ads ask 10 years of experience, 3-5 in a leading role such as Head of Product",
     """ASK { po:ChiefProductOfficer po:hasRequirement ?r . ?r po:minYearsOfExperience 10 ;
        po:minYearsInLeadingRole 3 ; po:maxYearsInLeadingRole 5 ; po:leadingRoleExample po:HeadOfProduct ;
        po:context "most current job ads"@en ; prov:wasDerivedFrom src:s31 }"""),
    (32, "the CPO understands customer behavior",
     _stmt(CPO, "po:requiresKnowledgeOf", "po:CustomerBehavior", 32)),
    (32, "the CPO understands how customers make decisions",
     _stmt(CPO, "po:requiresKnowledgeOf", "po:CustomerDecisionMaking", 32)),
    (33, "a product owner is a role, not a job title (Joshua Partogi)",
     _stmt("po:ProductOwner", "po:usedAsJobTitle", "false", 33,
           '?st prov:wasAttributedTo/foaf:name "Joshua Partogi" .')),
    (34, "product management was historically shared between marketing, engineering and design",
     """ASK { po:ProductManagementDiscipline po:historicallySharedBy po:MarketingFamily, po:EngineeringFamily,
        po:DesignFamily ; skos:historyNote ?h .
        ?st rdf:subject po:ProductManagementDiscipline ; rdf:predicate po:historicallySharedBy ;
        prov:wasDerivedFrom src:s34 }"""),
    (35, "CPOs usually held a Head of Product job", _stmt(HOP, "po:progressesTo", CPO, 35)),
    (35, "CPOs have ten or more years in product management or development and leadership",
     """ASK { po:ChiefProductOfficer po:hasRequirement ?r . ?r po:priorRole po:HeadOfProduct ;
        po:minYearsOfExperience 10 ; po:experienceIn po:ProductManagementDiscipline, po:ProductDevelopment,
        po:Leadership ; prov:wasDerivedFrom src:s35 }"""),
    (36, "recommended knowledge: strategy, initiatives, roadmapping, analysis, marketing, PM, collaboration",
     """ASK { FILTER(?n = 7) {
        SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE { po:ChiefProductOfficer po:requiresKnowledgeOf ?k .
          ?st rdf:subject po:ChiefProductOfficer ; rdf:predicate po:requiresKnowledgeOf ; rdf:object ?k ;
              prov:wasDerivedFrom src:s36 ; po:context "recommended"@en .
          VALUES ?k { po:ProductStrategyDevelopment po:ProductInitiativeDevelopment po:HighLevelRoadmapping
                      po:ProductAnalysis po:ProductMarketing po:ProjectManagement
                      po:CrossTeamCollaboration } } } }"""),
    (37, "the CPO is the most senior position of the product management hierarchy",
     _stmt(CPO, "po:mostSeniorRoleIn", "po:ProductManagementFamily", 37)),
    (38, "the CPO manages the other department leads", _stmt(HOP, "po:typicallyReportsTo", CPO, 38)),
    (38, "the CPO ensures the best products are engineered for customers",
     _stmt(CPO, "po:hasResponsibility", "po:EnsuringBestProducts", 38)),
    (39, "the CPO works with the chief product security officer",
     _stmt(CPO, "po:collaboratesWith", "po:ChiefProductSecurityOfficer", 39)),
    (39, "the CPO works with the other chief officers",
     _stmt(CPO, "po:collaboratesWith", "po:ExecutiveFamily", 39)),
    (39, "so that products are developed as intended",
     _stmt(CPO, "po:hasResponsibility", "po:EnsuringProductsDevelopedAsIntended", 39)),
]


@pytest.mark.parametrize(("sentence", "fact", "sparql"), FACTS,
                         ids=[f"s{s:02d}-{f[:40]}" for s, f, _ in FACTS])
def test_fact_of_the_source_is_in_the_graph(onto: rdflib.Graph, sentence: int, fact: str,
                                            sparql: str) -> None:
    assert ask(onto, sparql), f"sentence {sentence}: {fact}"


def test_the_fact_table_covers_every_sentence_with_a_fact(onto: rdflib.Graph) -> None:
    with_facts = {n for n, _ in _sentences(onto)} - {26, 27}
    assert {s for s, _f, _q in FACTS} == with_facts


def test_a_wrong_fact_is_not_in_the_graph(onto: rdflib.Graph) -> None:
    """The ASK table can fail: facts the source does not state are absent."""
    assert not ask(onto, _stmt(HOP, "po:typicallyReportsTo", "po:ProductDirector", 30))
    assert not ask(onto, _stmt(CPO, "po:progressesTo", HOP, 35))
    assert not ask(onto, "ASK { ?f po:payForRole po:ChiefProductOfficer }")


# -- SHACL ---------------------------------------------------------------------------------------------------


def _validate(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, set[str]]:
    import pyshacl

    conforms, results, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    failed = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        source = results.value(result, SH.sourceShape)
        owner = next(iter(shapes.subjects(SH.property, source)), source)
        failed.add(str(owner).rsplit("#", 1)[-1])
    return bool(conforms), failed


def test_the_ontology_conforms_to_its_shapes(onto: rdflib.Graph, shapes: rdflib.Graph) -> None:
    conforms, failed = _validate(onto, shapes)
    assert conforms, failed


def test_the_example_organization_conforms_to_the_shapes(example_store: Path, shapes: rdflib.Graph) -> None:
    import pyoxigraph as ox

    from kg.store import opened

    with opened(example_store) as store:
        triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
                              f"FILTER(?g != <{ONTOLOGY_GRAPH}>) }}", prefixes=False)
        data = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert (None, ORG.reportsTo, None) in data
    conforms, failed = _validate(data, shapes)
    assert conforms, failed


_HEAD = """@prefix po: <http://w3id.org/product-org/ontology#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
po:SourcedStatement rdfs:subClassOf po:SourcedFact . po:PayFact rdfs:subClassOf po:SourcedFact .
po:Requirement rdfs:subClassOf po:SourcedFact .
ex:doc a po:SourceDocument ; dcterms:title "doc" .
ex:s1 a po:SourceSentence ; po:quote "A sentence." ; po:sentenceNumber 1 ; dcterms:isPartOf ex:doc .
"""
# A role that meets every shape: track, level, definition, three responsibilities, one sourced statement.
_GOOD_ROLE = """po:ManagementTrack a po:Track . po:LevelSenior a po:CareerLevel .
ex:r a org:Role ; skos:prefLabel "R"@en ; skos:definition "d"@en ; po:track po:ManagementTrack ;
    po:level po:LevelSenior ; po:hasResponsibility ex:c1, ex:c2, ex:c3 .
[ a po:SourcedStatement ; rdf:subject ex:r ; rdf:predicate po:hasResponsibility ; rdf:object ex:c1 ;
  prov:wasDerivedFrom ex:s1 ] ."""
BAD_EXAMPLES = [
    ("RoleShape", 'ex:r a org:Role ; skos:prefLabel "Role"@en .'),
    ("RoleShape", 'ex:r a org:Role ; skos:definition "x"@en .'),
    ("ConceptShape", 'ex:c a po:Responsibility ; skos:prefLabel "A"@en, "B"@en ; skos:definition "d"@en .'),
    ("TermShape", "ex:P a owl:ObjectProperty ; rdfs:label \"p\"@en ."),
    ("SourcedFactShape", "ex:r a org:Role ; skos:prefLabel \"R\"@en ; skos:definition \"d\"@en ; "
                         "po:hasRequirement ex:req . ex:req a po:Requirement ."),
    ("SourcedFactShape", "ex:st a po:SourcedStatement ; rdf:subject ex:a ; rdf:predicate ex:p ; "
                         "rdf:object ex:b ; "
                         "prov:wasDerivedFrom ex:doc . ex:a ex:p ex:b ."),
    ("SourcedStatementShape", "ex:st a po:SourcedStatement ; rdf:subject ex:a, ex:c ; rdf:predicate ex:p ; "
                              "rdf:object ex:b ; prov:wasDerivedFrom ex:s1 . ex:a ex:p ex:b . "
                              "ex:c ex:p ex:b ."),
    ("AssertedStatementShape", "ex:st a po:SourcedStatement ; rdf:subject ex:a ; rdf:predicate ex:p ; "
                               "rdf:object ex:b ; prov:wasDerivedFrom ex:s1 ."),
    ("SourceSentenceShape", "ex:s2 a po:SourceSentence ; po:sentenceNumber 2 ; dcterms:isPartOf ex:doc ."),
    ("SourceDocumentShape", "ex:doc2 a po:SourceDocument ."),
    ("RequirementShape", "ex:req a po:Requirement ; prov:wasDerivedFrom ex:s1 ."),
    ("PayFactShape", "ex:r a org:Role ; skos:prefLabel \"R\"@en ; skos:definition \"d\"@en . "
                     "ex:pay a po:PayFact ; po:payForRole ex:r ; po:amount 1.0 ; po:currency \"dollars\" ; "
                     "po:payPeriod \"P1Y\"^^xsd:duration ; prov:wasDerivedFrom ex:s1 ."),
    ("RoleLadderShape", _GOOD_ROLE.replace("po:track po:ManagementTrack ;", "")),
    ("RoleLadderShape", _GOOD_ROLE.replace("po:level po:LevelSenior ;", "")),
    ("RoleLadderShape", _GOOD_ROLE.replace("po:hasResponsibility ex:c1, ex:c2, ex:c3", "po:hasResponsibility ex:c1")),
    ("RoleSourceShape", _GOOD_ROLE.replace("prov:wasDerivedFrom ex:s1", "skos:editorialNote \"none\"")),
    ("OneSolidLineManagerShape", "ex:p1 a org:Post ; org:reportsTo ex:p2, ex:p3 ."),
    ("OneSolidLineManagerShape", "ex:p1 a org:Post ; po:solidLineReportsTo ex:p2, ex:p3 ."),
    ("NoSelfReportShape", "ex:p1 a org:Post ; org:reportsTo ex:p1 ."),
    ("NoSelfReportShape", "ex:ann a foaf:Person ; po:solidLineReportsTo ex:ann ."),
    ("PersonNotOwnManagerShape", "ex:ann a foaf:Person . ex:p1 org:heldBy ex:ann ; org:reportsTo ex:p2 . "
                                 "ex:p2 org:heldBy ex:ann ."),
    ("VacancyShape", "ex:p1 a po:VacantPost ; org:heldBy ex:ann ."),
    ("VacantStatusShape", "ex:p1 a org:Post ; po:postStatus po:Vacant . ex:ann org:holds ex:p1 ."),
    # real HR files: groups of posts (UK junior rows), FTE, pay bands, statuses
    ("PostGroupShape", "ex:g1 a po:PostGroup ; org:reportsTo ex:p1 ."),
    ("PostGroupShape", "ex:g1 a po:PostGroup ; po:headcount 2.5 ; org:heldBy ex:ann ."),
    ("FteShape", 'ex:p1 a org:Post ; po:headcount "1e999"^^xsd:double .'),
    ("FteShape", "ex:p1 a org:Post ; po:headcount -1.0 ."),
    ("PayBandShape", 'ex:p1 a org:Post ; po:payBandMinimum "N/D" .'),
    ("PostStatusShape", "ex:p1 a org:Post ; po:postStatus po:Undisclosed ; org:heldBy ex:ann ."),
    ("PostStatusShape", "ex:p1 a org:Post ; po:postStatus ex:Whatever ."),
]


@pytest.mark.parametrize(("shape", "bad"), BAD_EXAMPLES,
                         ids=[f"{s}-{i}" for i, (s, _b) in enumerate(BAD_EXAMPLES)])
def test_each_shape_rejects_a_bad_example(shapes: rdflib.Graph, shape: str, bad: str) -> None:
    data = rdflib.Graph().parse(data=_HEAD + bad, format="turtle")
    conforms, failed = _validate(data, shapes)
    assert not conforms
    assert shape in failed


def test_the_bad_examples_base_is_good(shapes: rdflib.Graph) -> None:
    good = rdflib.Graph().parse(data=_HEAD, format="turtle")
    assert _validate(good, shapes) == (True, set())
    good_role = rdflib.Graph().parse(data=_HEAD + _GOOD_ROLE, format="turtle")
    assert _validate(good_role, shapes) == (True, set())


def test_every_shape_has_a_bad_example(shapes: rdflib.Graph) -> None:
    names = {str(s).rsplit("#", 1)[-1] for s in shapes.subjects(RDF.type, SH.NodeShape)}
    assert names == {shape for shape, _bad in BAD_EXAMPLES}


# -- documentation -------------------------------------------------------------------------------------------


def _docs_module():  # type: ignore[no-untyped-def]
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "ontology_docs.py"
    spec = importlib.util.spec_from_file_location("ontology_docs", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["ontology_docs"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_generated_docs_are_current_escaped_and_offline(tmp_path: Path) -> None:
    page, md = _docs_module().build(tmp_path)
    committed = Path(__file__).resolve().parent.parent / "docs"
    for fresh in (page, md):
        assert fresh.read_text(encoding="utf-8") == (committed / fresh.name).read_text(encoding="utf-8"), (
            f"docs/{fresh.name} is stale: run `python scripts/ontology_docs.py`")
    text = page.read_text(encoding="utf-8")
    assert "Chief Product &amp; Technology Officer" in text and "Product & Technology" not in text
    assert "<script" not in text and 'rel="stylesheet"' not in text and "src=" not in text
    assert "<code>po:solidLineReportsTo</code>" in text
    markdown = md.read_text(encoding="utf-8")
    assert "| Product leadership | Management | 9 Chief officer | Chief Product Officer |" in markdown
    assert "| po:typicallyReportsTo | typically reports to |" in markdown


def test_enrichment_from_a_career_framework_carries_its_own_source_and_licence(onto: rdflib.Graph) -> None:
    rows = onto.query(PREFIXES + """SELECT ?label WHERE {
        po:ProductManager po:requiresKnowledgeOf ?k . ?k skos:prefLabel ?label .
        ?st rdf:subject po:ProductManager ; rdf:predicate po:requiresKnowledgeOf ; rdf:object ?k ;
            prov:wasDerivedFrom/dcterms:isPartOf ?doc .
        ?doc dcterms:license <https://opensource.org/licenses/MIT> ;
             dcterms:identifier "monzo/progression-framework@689e622:frameworks/product.md" }""")
    assert sorted(str(r[0]) for r in rows) == [
        "Communication and feedback", "Data skills", "Domain knowledge", "Execution", "Problem solving",
        "User-centricity", "Working through others"]
    # nothing from the framework is attributed to the seed text, and the reverse
    assert not ask(onto, """ASK { ?st prov:wasDerivedFrom ?a, ?b . ?a dcterms:isPartOf src:doc .
                                  ?b dcterms:isPartOf ?other FILTER(?other != src:doc) }""")


# -- role ladders: facts from public career frameworks, each with its source -------------------------------

LADDER_FACTS = [  # (subject, predicate, object, what the source document's identifier contains, its licence)
    ("ProductOwner", "hasResponsibility", "ProductBacklogManagement", "Scrum Guide", "by-sa/4.0"),
    ("ProductOwner", "hasResponsibility", "MaximizingProductValue", "Scrum Guide", "by-sa/4.0"),
    ("ProductOwner", "hasResponsibility", "CommunicatingProductGoal", "Scrum Guide", "by-sa/4.0"),
    ("ProductManager", "hasResponsibility", "UnderstandingUserProblems", "product/product-manager.md", "by-sa/4.0"),
    ("ProductManager", "hasResponsibility", "EnsuringBusinessViability", "product/product-manager.md",
     "by-sa/4.0"),
    ("SeniorProductManager", "hasResponsibility", "MentoringProductStaff", "product/product-manager.md",
     "by-sa/4.0"),
    ("ProductDirector", "typicallyReportsTo", "VPOfProduct", "product-management-leadership.md", "by-sa/4.0"),
    ("ChiefProductOfficer", "typicallyReportsTo", "ChiefExecutiveOfficer", "chief-product-officer.md",
     "by-sa/4.0"),
    ("TechLead", "differsFrom", "EngineeringManager", "TechLead-EngineeringManager.md", "LICENSE-2.0"),
    ("TechLead", "hasResponsibility", "ArchitectureDirection", "TechLead-EngineeringManager.md", "LICENSE-2.0"),
    ("EngineeringManager", "hasResponsibility", "CareerCoaching", "TechLead-EngineeringManager.md",
     "LICENSE-2.0"),
    ("SoftwareEngineer", "hasResponsibility", "TechnicalDebtReduction", "Developer.md", "LICENSE-2.0"),
    ("SoftwareEngineer", "progressesTo", "SeniorSoftwareEngineer", "engineering.yml", "MIT"),
    ("VPOfEngineering", "typicallyReportsTo", "ChiefTechnologyOfficer", "engineering-management.md",
     "by-sa/4.0"),
    ("ChiefInformationSecurityOfficer", "typicallyReportsTo", "ChiefExecutiveOfficer",
     "chief-information-security-officer.md", "by-sa/4.0"),
    ("UXResearcher", "hasResponsibility", "UserResearch", "ux-researcher.md", "by-sa/4.0"),
    ("ProductMarketingManager", "hasResponsibility", "SalesEnablement", "product-marketing-manager.md",
     "by-sa/4.0"),
    ("ChiefExecutiveOfficer", "hasResponsibility", "CompanyStrategy", "chief-executive-officer", "by-sa/4.0"),
    ("ProductManager", "requiresKnowledgeOf", "UserCentricity", "frameworks/product.md", "MIT"),
]


@pytest.mark.parametrize(("s", "p", "o", "doc", "licence"), LADDER_FACTS,
                         ids=[f"{s}-{p}-{o}" for s, p, o, _d, _l in LADDER_FACTS])
def test_ladder_fact_is_asserted_and_sourced(onto: rdflib.Graph, s: str, p: str, o: str, doc: str,
                                             licence: str) -> None:
    fact = {"s": PO[s], "p": PO[p], "o": PO[o]}
    assert (fact["s"], fact["p"], fact["o"]) in onto
    rows = onto.query(PREFIXES + """SELECT ?quote ?n ?id ?licence ?url ?date WHERE {
        ?st a po:SourcedStatement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
            prov:wasDerivedFrom ?sent .
        ?sent po:quote ?quote ; po:sentenceNumber ?n ; dcterms:isPartOf ?d .
        ?d dcterms:identifier ?id ; dcterms:license ?licence ; dcterms:source ?url ; po:retrievedOn ?date }""",
                      initBindings=fact)
    found = [r for r in rows if doc in str(r.id)]
    assert found, f"no source from {doc}"
    assert all(licence in str(r.licence) and str(r.quote) and int(r.n) > 0 and str(r.date) for r in found)


def test_quotes_from_the_shared_ladders_are_verbatim_lines_of_their_files(onto: rdflib.Graph) -> None:
    """Every quote taken from a career ladder kept in the real-data folder is on the line its number names."""
    ladders = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "ladders"
    if not ladders.is_dir():
        pytest.skip("../shared/realdata is not beside this checkout")
    files = {"monzo/progression-framework@689e622:frameworks/": ladders / "monzo",
             "jorgef/engineeringladders@6055355:": ladders / "jorgef-engineeringladders",
             "Financial-Times/engineering-progression@d54616e:data/job-families/":
                 ladders / "ft-engineering-progression"}
    rows = onto.query(PREFIXES + """SELECT ?quote ?n ?id WHERE {
        ?sent po:quote ?quote ; po:sentenceNumber ?n ; dcterms:isPartOf/dcterms:identifier ?id }""")
    checked = 0
    for quote, n, ident in rows:
        for prefix, folder in files.items():
            if str(ident).startswith(prefix):
                lines = (folder / str(ident)[len(prefix):]).read_text(encoding="utf-8").splitlines()
                assert str(quote) in lines[int(n) - 1], (ident, n, quote)
                checked += 1
    assert checked >= 20


def test_every_role_is_on_a_ladder_and_the_ladders_are_ordered(onto: rdflib.Graph) -> None:
    rows = onto.query(PREFIXES + """SELECT ?r ?track ?rank WHERE { ?r a org:Role ; po:track ?track ;
                                     po:level/po:rank ?rank }""")
    rank = {str(r).rsplit("#", 1)[1]: int(k) for r, _t, k in rows}
    roles = {str(r).rsplit("#", 1)[1] for r in onto.subjects(RDF.type, ORG.Role)}
    assert roles == set(rank), roles ^ set(rank)
    for ladder in (["AssociateProductManager", "ProductManager", "SeniorProductManager", "PrincipalProductManager"],
                   ["GroupProductManager", "ProductDirector", "HeadOfProduct", "VPOfProduct",
                    "ChiefProductOfficer", "ChiefExecutiveOfficer"],
                   ["SoftwareEngineer", "SeniorSoftwareEngineer", "StaffEngineer", "PrincipalEngineer"],
                   ["EngineeringManager", "DirectorOfEngineering", "HeadOfEngineering", "VPOfEngineering",
                    "ChiefTechnologyOfficer"],
                   ["Buyer", "ProcurementManager", "HeadOfProcurement"]):
        ranks = [rank[r] for r in ladder]
        assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks), ladder
    # every career step (po:progressesTo) goes up or stays level, never down
    for a, b in onto.subject_objects(PO.progressesTo):
        assert rank[str(a).rsplit("#", 1)[1]] <= rank[str(b).rsplit("#", 1)[1]], (a, b)
    issue_roles = {"AssociateProductManager", "ProductManager", "SeniorProductManager", "PrincipalProductManager",
                   "GroupProductManager", "ProductDirector", "HeadOfProduct", "VPOfProduct", "ChiefProductOfficer",
                   "ProductOwner", "PortfolioOwner", "TechnicalProductManager", "ProductOperationsManager",
                   "ProductAnalyst", "SoftwareEngineer", "SeniorSoftwareEngineer", "StaffEngineer",
                   "PrincipalEngineer", "TechLead", "EngineeringManager", "DirectorOfEngineering", "VPOfEngineering",
                   "ChiefTechnologyOfficer", "ProductDesigner", "UXResearcher", "HeadOfDesign",
                   "ProductMarketingManager", "SecurityEngineer", "ChiefInformationSecurityOfficer",
                   "ChiefProductSecurityOfficer", "Buyer", "ProcurementManager", "HeadOfProcurement",
                   "ChiefExecutiveOfficer"}
    assert issue_roles <= roles
    for role in issue_roles:  # at least three responsibilities each
        assert len(set(onto.objects(PO[role], PO.hasResponsibility))) >= 3, role


def test_requirements_from_job_families_say_what_their_line_says(onto: rdflib.Graph) -> None:
    rows = list(onto.query(PREFIXES + """SELECT ?role ?req ?years ?quote ?licence WHERE {
        ?role po:hasRequirement ?req . ?req a po:Requirement ; prov:wasDerivedFrom ?sent .
        ?sent po:quote ?quote ; dcterms:isPartOf/dcterms:license ?licence .
        OPTIONAL { ?req po:minYearsOfExperience ?years }
        FILTER(STRSTARTS(STR(?req), "http://w3id.org/product-org/source/ladders#")) }"""))
    assert len({r.role for r in rows}) >= 10
    for row in rows:
        assert "by-sa" in str(row.licence)
        if row.years is not None:  # the years are the number the quoted line starts with ("3+ years", "3-4 years")
            assert int(row.years) == int(re.match(r"\d+", str(row.quote)).group()), row.quote
    analyst = [r for r in rows if r.role == PO.ProductAnalyst]
    assert [int(r.years) for r in analyst] == [3]
