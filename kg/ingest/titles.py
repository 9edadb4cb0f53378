"""Matching verbatim job titles to roles of the taxonomy (skos:prefLabel / skos:altLabel of org:Role).

Precision first: no role is better than a wrong one. A title matches a role only when the whole title, or one
part of it (the parts are split at commas, dashes, brackets, colons, slashes and "&"), IS a label of the role,
possibly after a seniority word ("Senior", "Staff", "Principal", "Associate"...) that either picks the role of
that level on the ladder ("Senior" + "Software Engineer" -> Senior Software Engineer) or keeps the role (a
"Senior Security Engineer" is a Security Engineer). A label merely found inside a longer phrase is not enough
("Head of Product Safety" is not a Head of Product). Before that, titles of assistants and deputies ("PA to",
"Assistant to", "Deputy", "Private Secretary"), owners that are not product owners ("Business Owner", "Data
Owner", "Risk Owner") and look-alikes (product safety, production, civil or network engineers, military units)
are turned away, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kg.names import fold

PO_NS = "http://w3id.org/product-org/ontology#"

# Abbreviations and spellings that job titles use for the words of role labels (on folded text).
_SYNONYMS = [
    (r"\bsr\b", "senior"),
    (r"\bsnr\b", "senior"),
    (r"\bjr\b", "junior"),
    (r"\bassoc\b", "associate"),
    (r"\bmgr\b", "manager"),
    (r"\bmngr\b", "manager"),
    (r"\bdir\b", "director"),
    (r"\beng\b", "engineering"),
    (r"\bengg\b", "engineering"),
    (r"\bprod\b", "product"),
    (r"\bmgmt\b", "management"),
    (r"\bmgt\b", "management"),
    (r"\bapm\b", "associate product manager"),
    (r"\bgpm\b", "group product manager"),
    (r"\bspm\b", "senior product manager"),
    (r"\bpm\b", "product manager"),
    (r"\bcpto\b", "chief product technology officer"),
    (r"\bsvp\b", "vp"),
    (r"\bevp\b", "vp"),
    (r"\bvice president\b", "vp"),
    (r"\band\b", " "),
    (r"\bof\b", " "),
    (r"\bthe\b", " "),
]
# Qualifiers that do not change the role or the level.
_NOISE = {"interim", "acting", "global", "regional", "temporary", "intermediate", "i", "ii", "iii", "iv", "v",
          "1", "2", "3", "4", "5", "6", "7", "8", "9"}
# Seniority words at the start of a title: the level they name.
SENIORITY = {"junior": "Entry", "associate": "Entry", "graduate": "Entry", "trainee": "Entry",
             "senior": "Senior", "staff": "Staff / lead", "lead": "Staff / lead", "principal": "Principal",
             "group": "Staff / lead", "distinguished": "Principal"}
# Where a seniority word leads to another role of the same ladder (role local name, word) -> role local name.
# A role listed here takes only these words; any other seniority word gives no role (precision).
_LADDER = {
    ("SoftwareEngineer", "senior"): "SeniorSoftwareEngineer",
    ("SoftwareEngineer", "staff"): "StaffEngineer",
    ("SoftwareEngineer", "principal"): "PrincipalEngineer",
    ("SoftwareEngineer", "distinguished"): "PrincipalEngineer",
    ("SoftwareEngineer", "lead"): "TechLead",
    ("SoftwareEngineer", "junior"): "SoftwareEngineer",
    ("SoftwareEngineer", "associate"): "SoftwareEngineer",
    ("SoftwareEngineer", "graduate"): "SoftwareEngineer",
    ("SoftwareEngineer", "trainee"): "SoftwareEngineer",
    ("ProductManager", "associate"): "AssociateProductManager",
    ("ProductManager", "junior"): "AssociateProductManager",
    ("ProductManager", "senior"): "SeniorProductManager",
    ("ProductManager", "principal"): "PrincipalProductManager",
    ("ProductManager", "staff"): "PrincipalProductManager",
    ("ProductManager", "group"): "GroupProductManager",
    ("SeniorProductManager", "senior"): "SeniorProductManager",
    ("PrincipalProductManager", "senior"): "PrincipalProductManager",
    ("EngineeringManager", "senior"): "EngineeringManager",
    ("DirectorOfEngineering", "senior"): "DirectorOfEngineering",
    ("ProductDirector", "senior"): "ProductDirector",
    ("StaffEngineer", "senior"): "StaffEngineer",
    ("PrincipalEngineer", "senior"): "PrincipalEngineer",
}
_LADDER_ROLES = {role for role, _word in _LADDER}

# (matched on normalized titles, where "of", "and", "the" are gone: "chief of staff" reads "chief staff")
_ASSISTANT = re.compile(r"\b(pa|ea|personal assistant|executive assistant|assistant|private secretary|"
                        r"personal secretary|diary secretary|secretary to|diary manager|deputy|depute|"
                        r"chief staff|office manager|private office|support to)\b|^secretary$")
_OWNER = re.compile(r"\b(business|data|risk|process|service|asset|information asset|system|budget|operations|"
                    r"ops|control|benefits|policy) owner\b")
_LOOKALIKE = re.compile(r"\b(product safety|production|productivity|civil|structural|network|electrical|"
                        r"mechanical|chemical|nuclear|marine|aeronautical|mining|commander|brigade|regiment|"
                        r"battalion|squadron|corps|royal|sapper|army|naval|maintenance)\b")
_PEOPLE_MANAGER = re.compile(r"\bpeople manager\b")
_ENGINEERS = {"SoftwareEngineer", "SeniorSoftwareEngineer", "StaffEngineer"}
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SPLIT = re.compile(r"\s*(?:,|;|\(|\)|\[|\]|:|/|\||\s[-–—]\s|\s&\s|\sand\s)\s*")


def normalize_title(title: str) -> str:
    """A folded title with abbreviations expanded and filler words dropped.

    >>> normalize_title("Sr. Product Mgr")
    'senior product manager'
    >>> normalize_title("VP, Product")
    'vp product'
    >>> normalize_title("Head of Product & Design")
    'head product design'
    >>> normalize_title("Principal PM"), normalize_title("Product Mgmt Director"), normalize_title("CPTO")
    ('principal product manager', 'product management director', 'chief product technology officer')
    """
    text = fold(title.replace("&", " and "))
    for pattern, replacement in _SYNONYMS:
        text = re.sub(pattern, replacement, text)
    return " ".join(text.split())


@dataclass(frozen=True)
class TitleMatch:
    """The role a title matched (None: no role), the level its seniority word names (None: the role's own
    level) and why, in words."""

    role: str | None
    seniority: str | None
    why: str


class TitleMatcher:
    """Maps job titles to role IRIs (see the module's docstring for the rules).

    >>> m = TitleMatcher([(PO_NS + "ProductManager", "Product Manager"), (PO_NS + "ProductManager", "PM"),
    ...                   (PO_NS + "SeniorProductManager", "Senior Product Manager"),
    ...                   (PO_NS + "AssociateProductManager", "Associate Product Manager"),
    ...                   (PO_NS + "ChiefProductOfficer", "CPO"),
    ...                   (PO_NS + "ChiefProductOfficer", "Chief Product & Technology Officer"),
    ...                   (PO_NS + "VPOfProduct", "VP of Product"), (PO_NS + "HeadOfProduct", "Head of Product"),
    ...                   (PO_NS + "SoftwareEngineer", "Software Engineer"),
    ...                   (PO_NS + "StaffEngineer", "Staff Engineer"),
    ...                   (PO_NS + "SecurityEngineer", "Security Engineer"),
    ...                   (PO_NS + "ProductOwner", "Product Owner")])
    >>> short = lambda title: (m.match(title) or "-").removeprefix(PO_NS)
    >>> short("Sr. Product Manager"), short("CPO"), short("Product Manager, Payments")
    ('SeniorProductManager', 'ChiefProductOfficer', 'ProductManager')
    >>> short("VP, Product"), short("CPTO"), short("Senior Vice President, Product"), short("Sr PM (Payments)")
    ('VPOfProduct', 'ChiefProductOfficer', 'VPOfProduct', 'SeniorProductManager')
    >>> short("Associate PM"), short("Staff Software Engineer"), short("Senior Security Engineer")
    ('AssociateProductManager', 'StaffEngineer', 'SecurityEngineer')
    >>> short("Head of Product Safety"), short("PA to Head of Product"), short("Deputy Head of Product")
    ('-', '-', '-')
    >>> short("Civil Engineer"), short("Commander 8 Engineer Brigade"), short("Business Owner")
    ('-', '-', '-')
    >>> short("Lead Product Manager"), short("Gardener")
    ('-', '-')
    >>> m.explain("Senior Security Engineer").why
    "'Security Engineer' with the seniority word 'senior'"
    >>> m.explain("Data Owner").why
    "'data owner' is an owner of something else, not a product owner"
    """

    def __init__(self, labels: Iterable[tuple[str, str]], overrides: dict[str, str | None] | None = None,
                 pref_labels: Iterable[tuple[str, str]] = ()) -> None:
        # the ontology's skos:prefLabel of each thing (a role's label on the chart: kg.reading.node_row's rule)
        self.pref_labels: dict[str, list[str]] = {}
        for thing, label in pref_labels:
            self.pref_labels.setdefault(thing, []).append(label)
        self._exact: dict[str, tuple[str, str]] = {}  # normalized label -> (role, label)
        for role, label in labels:
            key = normalize_title(label)
            if key and role:
                self._exact.setdefault(key, (role, label))
        self._overrides = {normalize_title(t): r for t, r in (overrides or {}).items()}
        self._cache: dict[str, TitleMatch] = {}

    def match(self, title: str) -> str | None:
        """The role IRI the title matches, or None."""
        return self.explain(title).role

    def role_label(self, role: str | None) -> str | None:
        """The smallest ontology prefLabel of ``role`` (how the chart names a role), or None.

        >>> TitleMatcher([], pref_labels=[("r", "PM"), ("r", "Lead")]).role_label("r")
        'Lead'
        """
        labels = self.pref_labels.get(role or "")
        return min(labels) if labels else None

    def explain(self, title: str) -> TitleMatch:
        """The role, the seniority and the reason."""
        if title not in self._cache:
            self._cache[title] = self._explain(title)
        return self._cache[title]

    def _explain(self, title: str) -> TitleMatch:
        key = normalize_title(title)
        if not key:
            return TitleMatch(None, None, "empty title")
        if key in self._overrides:
            role = self._overrides[key]
            return TitleMatch(role, None, "set by the organization's title map" if role
                              else "no role, by the organization's title map")
        if found := _ASSISTANT.search(key):
            return TitleMatch(None, None, f"'{found.group(0)}': an assistant, secretary or deputy does not hold "
                                          "the role of the post they support")
        if found := _OWNER.search(key):
            return TitleMatch(None, None, f"'{found.group(0)}' is an owner of something else, not a product owner")
        if found := _LOOKALIKE.search(key):
            return TitleMatch(None, None, f"'{found.group(1)}' marks a look-alike outside the product "
                                          "organization")
        whole = self._segment(key)
        if whole is not None:
            return whole
        hit = self._parts(title)
        if hit.role is not None and _PEOPLE_MANAGER.search(key) and hit.role.removeprefix(PO_NS) in _ENGINEERS:
            return TitleMatch(PO_NS + "EngineeringManager", None, f"{hit.why}, on the people-manager track")
        return hit

    def _parts(self, title: str) -> TitleMatch:
        # words in brackets qualify a title ("(Product Owner)" after a tax regime, "(Payments)"): never its role
        outside = _BRACKETS.sub(" , ", title)
        parts = [p for p in (normalize_title(p) for p in _SPLIT.split(outside)) if p]
        for i in range(len(parts)):
            for j in range(min(len(parts), i + 3), i, -1):  # up to three neighbouring parts ("VP, Product")
                part = " ".join(parts[i:j])
                hit = self._segment(part)
                if hit is not None and hit.role is not None:
                    return TitleMatch(hit.role, hit.seniority, f"{hit.why}, in the part '{part}' of the title")
        return TitleMatch(None, None, "no role label matches the title or one of its parts")

    def _segment(self, key: str) -> TitleMatch | None:
        """A match of one whole (normalized) title or part: exact label, label without noise, or seniority word
        plus label."""
        if key in self._exact:
            role, label = self._exact[key]
            return TitleMatch(role, None, f"the label '{label}'")
        words = [w for w in key.split() if w not in _NOISE]
        stripped = " ".join(words)
        if stripped in self._exact:
            role, label = self._exact[stripped]
            return TitleMatch(role, None, f"the label '{label}'")
        if len(words) > 1 and words[0] in SENIORITY:
            base = " ".join(words[1:])
            if base in self._exact:
                role, label = self._exact[base]
                local = role.removeprefix(PO_NS)
                if local in _LADDER_ROLES:
                    target = _LADDER.get((local, words[0]))
                    if target is None:
                        return None
                    iri = PO_NS + target
                    if iri == role:
                        return TitleMatch(role, SENIORITY[words[0]],
                                          f"'{label}' with the seniority word '{words[0]}'")
                    return TitleMatch(iri, None, f"'{label}' one step up or down its ladder: '{words[0]}'")
                return TitleMatch(role, SENIORITY[words[0]], f"'{label}' with the seniority word '{words[0]}'")
        return None

    def __len__(self) -> int:
        return len(self._exact)
