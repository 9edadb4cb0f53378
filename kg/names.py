"""Folding names and titles for matching: case-, accent- and punctuation-insensitive."""

from __future__ import annotations

import functools
import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
# Letters that Unicode does not decompose into a base letter plus accents.
_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d",
                                "þ": "th", "ı": "i", "ŀ": "l"})

# Names that stand for "no named person holds this post". Values are post statuses (po:... local names).
PLACEHOLDER_NAMES: dict[str, str] = {
    "n d": "Undisclosed",
    "nd": "Undisclosed",
    "not disclosed": "Undisclosed",
    "withheld": "Undisclosed",
    "redacted": "Undisclosed",
    "vacant": "Vacant",
    "vacancy": "Vacant",
    "vacant post": "Vacant",
    "not in post": "Vacant",
    "tbc": "Vacant",
    "tbd": "Vacant",
    "to be hired": "Vacant",
    "open": "Vacant",
    "open position": "Vacant",
    "eliminated": "Eliminated",
}


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced words.

    >>> fold("  José  O'Brien-Smith ")
    'jose o brien smith'
    >>> fold("ÉMILE"), fold("Zoë Ærø")
    ('emile', 'zoe aero')
    """
    if text.isascii():
        return _NON_WORD.sub(" ", text.lower()).replace("_", " ").strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_TRANSLITERATE))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped.casefold()).replace("_", " ").strip()


def clean_cell(text: str | None) -> str:
    """A cell without surrounding spaces or stray quotes.

    >>> clean_cell(' "Vacant" ')
    'Vacant'
    """
    if text is None:
        return ""
    return text.strip().strip("\"'\u201c\u201d\u2018\u2019").strip()


@functools.lru_cache(maxsize=4096)
def placeholder_status(name: str) -> str | None:
    """The post status a placeholder name stands for, or None for a real name.

    >>> placeholder_status("'N/D'"), placeholder_status("VACANT"), placeholder_status("Ada Lovelace")
    ('Undisclosed', 'Vacant', None)
    """
    folded = fold(clean_cell(name))
    if not folded:
        return "Vacant"
    return PLACEHOLDER_NAMES.get(folded)
