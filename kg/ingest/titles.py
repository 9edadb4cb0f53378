"""Matching verbatim job titles to roles of the taxonomy (skos:prefLabel / skos:altLabel of org:Role)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kg.names import fold

# Abbreviations and spellings that job titles use for the words of role labels.
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
# Words that qualify a title without changing its role.
_NOISE = {"interim", "acting", "deputy", "global", "regional", "associate", "junior", "i", "ii", "iii", "iv"}


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


class TitleMatcher:
    """Maps job titles to role IRIs: an exact label first, then the longest label found inside the title.

    >>> m = TitleMatcher([("urn:pm", "Product Manager"), ("urn:spm", "Senior Product Manager"),
    ...                   ("urn:cpo", "CPO"), ("urn:cpo", "Chief Product Officer"),
    ...                   ("urn:cpo", "Chief Product & Technology Officer"), ("urn:vp", "VP of Product"),
    ...                   ("urn:hop", "Head of Product"), ("urn:hop", "Head of Product Management")])
    >>> m.match("Sr. Product Manager"), m.match("CPO"), m.match("Product Manager, Payments")
    ('urn:spm', 'urn:cpo', 'urn:pm')
    >>> m.match("VP, Product"), m.match("Head of Product Management")
    ('urn:vp', 'urn:hop')
    >>> m.match("Chief Product & Technology Officer")
    'urn:cpo'
    >>> m.match("CPTO"), m.match("Senior Vice President, Product"), m.match("Sr PM (Payments)")
    ('urn:cpo', 'urn:vp', 'urn:spm')
    >>> m.match("Head of Product, Product Manager tools")
    'urn:hop'
    >>> m.match("Gardener") is None
    True
    """

    def __init__(self, labels: Iterable[tuple[str, str]]) -> None:
        self._exact: dict[str, str] = {}
        for role, label in labels:
            key = normalize_title(label)
            if key:
                self._exact.setdefault(key, role)
        # Longest labels first, so "senior product manager" wins over "product manager".
        self._by_length = sorted(self._exact.items(), key=lambda kv: -len(kv[0].split()))
        self._cache: dict[str, str | None] = {}

    def match(self, title: str) -> str | None:
        if title in self._cache:
            return self._cache[title]
        key = normalize_title(title)
        role = self._exact.get(key)
        if role is None:
            stripped = " ".join(w for w in key.split() if w not in _NOISE)
            role = self._exact.get(stripped)
            if role is None and stripped:
                role = self._contained(f" {stripped} ")
        self._cache[title] = role
        return role

    def _contained(self, padded: str) -> str | None:
        """The role of the longest label inside the title; of equally long ones, the one said first
        ("Engineering Manager, PM tools" is an engineering manager)."""
        best: tuple[int, int, str] | None = None
        for label, candidate in self._by_length:
            words = len(label.split())
            if best is not None and words < best[0]:
                break
            at = padded.find(f" {label} ")
            if len(label) > 3 and at >= 0 and (best is None or at < -best[1]):
                best = (words, -at, candidate)
        return best[2] if best else None

    def __len__(self) -> int:
        return len(self._exact)
