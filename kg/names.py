"""Folding names and titles for matching: case-, accent- and punctuation-insensitive."""

from __future__ import annotations

import functools
import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
# Letters that Unicode does not decompose into a base letter plus accents.
_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d",
                                "þ": "th", "ı": "i", "ŀ": "l"})

# The status of a post and its holder, as the source file means it (one vocabulary across kg: the load report,
# the chart index rows, stats, who, health, headcount-by-unit, charts and exports). None means "not known".
FILLED = "filled"  # a named person holds the post
VACANT = "vacant"  # an explicit vacancy marker: nobody holds the post
NOT_DISCLOSED = "not_disclosed"  # filled, the holder's name is withheld (N/D in UK organograms)
NOT_NAMED = "not_named"  # filled as far as the file says, but no name is given (a blank name cell)
ELIMINATED = "eliminated"  # the post has been removed from the structure: reported apart
STATUSES = (FILLED, VACANT, NOT_DISCLOSED, NOT_NAMED, ELIMINATED)
# The ontology's po:PostStatus concept of each status (FILLED has none: a post with org:heldBy is filled).
STATUS_CONCEPTS: dict[str, str] = {VACANT: "Vacant", NOT_DISCLOSED: "Undisclosed", NOT_NAMED: "NotNamed",
                                   ELIMINATED: "Eliminated"}

# Name cells (folded) that stand for "no named person holds this post", and the status each means.
PLACEHOLDER_NAMES: dict[str, str] = {
    **dict.fromkeys(("n d", "nd", "not disclosed", "undisclosed", "withheld", "name withheld", "redacted",
                     "confidential"), NOT_DISCLOSED),
    **dict.fromkeys(("vacant", "vacancy", "vacant post", "post vacant", "not in post", "unfilled",
                     "to be hired", "open position", "position open"), VACANT),
    **dict.fromkeys(("n a", "na", "none", "unknown", "not named", "unnamed", "tbc", "tbd", "to be confirmed"),
                    NOT_NAMED),
    **dict.fromkeys(("eliminated", "post eliminated", "eliminated post", "abolished"), ELIMINATED),
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


def derived_key(name: str) -> str | None:
    """The search key of a name the store keeps no ``po:searchKey`` for, as SPARQL derives it (:data:`KEY_OF_NAME`):
    for a plain ASCII name without ``_``, its :func:`fold` (what a regex and ``LCASE`` give), else None.

    >>> derived_key("Ann Y. Lee"), derived_key("O'Brien"), derived_key("José"), derived_key("a_b"), derived_key("?")
    ('ann y lee', 'o brien', None, None, None)
    """
    if not name.isascii() or "_" in name:
        return None
    return fold(name) or None


# SPARQL for derived_key of ?name: runs of characters other than ASCII letters and digits become one space, a
# space at either end goes, lower case (for the ASCII names it applies to, exactly what fold does).
KEY_OF_NAME = 'LCASE(REPLACE(REPLACE(STR(?name), "[^A-Za-z0-9]+", " "), "^ | $", ""))'


def stored_key(name: str) -> str | None:
    """The ``po:searchKey`` to store for a holder's name: its fold, or None when readers derive it from the name
    (:func:`derived_key`): names of ASCII letters, digits and punctuation, which keeps a triple per person out of
    the store.

    >>> stored_key("Ann Lee"), stored_key("O'Brien-Smith"), stored_key("Zoë Ærø"), stored_key("a_b")
    (None, None, 'zoe aero', 'a b')
    """
    if name.isascii() and "_" not in name and has_word(name):  # derived_key(name) is not None, without folding
        return None
    return fold(name)


def has_word(text: str) -> bool:
    """True when :func:`fold` of ``text`` is not empty (it has a letter or digit), without folding ASCII texts.

    >>> has_word("Ann"), has_word(" - "), has_word("José"), has_word("__"), has_word("")
    (True, False, True, False, False)
    """
    if text.isascii():  # fold keeps exactly the ASCII letters and digits of such a text
        return _ASCII_ALNUM.search(text) is not None
    return bool(fold(text))


def clean_cell(text: str | None) -> str:
    """A cell without surrounding spaces or stray quotes.

    >>> clean_cell(' "Vacant" ')
    'Vacant'
    """
    if text is None:
        return ""
    return text.strip().strip("\"'\u201c\u201d\u2018\u2019").strip()


@functools.lru_cache(maxsize=4096)
def post_status(name: str) -> str:
    """What a name cell says about its post: ``filled`` for a real name, else the placeholder's status.

    A blank name is ``not_named`` (UK files publish no names below the senior grades), never a vacancy:
    only an explicit marker (Vacant, Vacancy, Not in post...) is ``vacant``.

    >>> post_status("'N/D'"), post_status("VACANT"), post_status(""), post_status("Ada Lovelace")
    ('not_disclosed', 'vacant', 'not_named', 'filled')
    >>> post_status(" Eliminated ")
    'eliminated'
    """
    folded = fold(clean_cell(name))
    if not folded:
        return NOT_NAMED
    return PLACEHOLDER_NAMES.get(folded, FILLED)
