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
    """
    text = fold(title.replace("&", " and "))
    for pattern, replacement in _SYNONYMS:
        text = re.sub(pattern, replacement, text)
    return " ".join(text.split())


class TitleMatcher:
    """Maps job titles to role IRIs: an exact label first, then the longest label found inside the title.

    >>> m = TitleMatcher([("urn:pm", "Product Manager"), ("urn:spm", "Senior Product Manager"),
    ...                   ("urn:cpo", "CPO"), ("urn:cpo", "Chief Product Officer")])
    >>> m.match("Sr. Product Manager"), m.match("CPO"), m.match("Product Manager, Payments")
    ('urn:spm', 'urn:cpo', 'urn:pm')
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
                padded = f" {stripped} "
                for label, candidate in self._by_length:
                    if len(label) > 3 and f" {label} " in padded:
                        role = candidate
                        break
        self._cache[title] = role
        return role

    def __len__(self) -> int:
        return len(self._exact)
