"""Namespaces used by kg, as plain IRI strings.

The lookup commands must start fast, so this module does not import rdflib (importing it costs ~150 ms).
The strings equal rdflib's ``rdflib.namespace.ORG``, ``SKOS``, ``PROV``, ``FOAF``... (a test checks it);
use ``kg.vocab.rdflib_namespaces()`` when rdflib objects are wanted.
"""

from __future__ import annotations


class Namespace:
    """An IRI prefix; attribute or item access gives the full IRI string (any local name, even ``format``).

    >>> ORG.reportsTo
    'http://www.w3.org/ns/org#reportsTo'
    >>> PO["solidLineReportsTo"], KG.format
    ('http://w3id.org/product-org/ontology#solidLineReportsTo', 'http://w3id.org/product-org/kg#format')
    >>> f"{ORG}"
    'http://www.w3.org/ns/org#'
    """

    __slots__ = ("_base",)

    def __init__(self, base: str) -> None:
        object.__setattr__(self, "_base", base)

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._base + name

    def __getitem__(self, name: str) -> str:
        return self._base + name

    def __str__(self) -> str:
        return self._base

    def __repr__(self) -> str:
        return f"Namespace({self._base!r})"


# Our own namespaces (stable http IRIs).
PO = Namespace("http://w3id.org/product-org/ontology#")  # ontology terms
PO_ID = Namespace("http://w3id.org/product-org/id/")  # organization data minted by the importers
KG = Namespace("http://w3id.org/product-org/kg#")  # the store's own bookkeeping (catalog)
KG_GRAPH = Namespace("http://w3id.org/product-org/kg/graph/")  # named graphs

# Standard vocabularies.
ORG = Namespace("http://www.w3.org/ns/org#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SH = Namespace("http://www.w3.org/ns/shacl#")
# UK central-government vocabulary used by published organograms (gov:heldBy, gov:holdsPost).
GOV = Namespace("http://reference.data.gov.uk/def/central-government/")
# UK organogram vocabulary: junior posts published as groups of FTE (organogram:reportingTo, fullTimeEquivalent).
ORGANOGRAM = Namespace("http://reference.data.gov.uk/def/organogram/")

PREFIXES: dict[str, str] = {
    "po": str(PO),
    "poid": str(PO_ID),
    "kg": str(KG),
    "org": str(ORG),
    "skos": str(SKOS),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "dcterms": str(DCTERMS),
    "sh": str(SH),
    "gov": str(GOV),
}

# Graphs of the store.
ONTOLOGY_GRAPH = KG_GRAPH.ontology
CATALOG_GRAPH = KG_GRAPH.catalog


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above.

    >>> 'PREFIX org: <http://www.w3.org/ns/org#>' in sparql_prefixes()
    True
    """
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def rdflib_namespaces() -> dict[str, object]:
    """The same namespaces as rdflib Namespace objects (imports rdflib: not for the fast paths)."""
    from rdflib import Namespace as RdflibNamespace

    return {p: RdflibNamespace(iri) for p, iri in PREFIXES.items()}
