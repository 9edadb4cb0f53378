"""What a SPARQL query may do, decided from a real parser's reading of it (never from a hand-made tokenizer).

kg runs queries on pyoxigraph, which executes ``SERVICE`` (a network request to any address) in native code.
Before a query reaches the engine, :func:`read_query` reads it with rdflib's SPARQL 1.1 grammar and refuses:

- text nested deeper than :data:`MAX_NESTING` (``{``, ``(``, ``[``): pyoxigraph's parser overflows its stack
  (the process dies) on ~3,000 levels; checked on the raw characters before any parser runs;
- updates (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``...): text that rdflib parses as an update;
- ``SERVICE`` (unless allowed): a ``ServiceGraphPattern`` anywhere in rdflib's parse tree, *and also* the word
  ``SERVICE`` followed by an IRI, a variable, a prefixed name or ``SILENT`` anywhere in the text, strings and
  comments included, so that a query the two parsers might read differently is refused rather than run;
- anything rdflib cannot parse (a syntax error, or a form rdflib does not accept): the engine never sees it;
- ``\\u``/``\\U`` escapes are expanded once by kg (4 and 8 hex digits, as the SPARQL grammar says) and line ends
  normalized to LF; that text is what both rdflib and the engine read; an escape that expands to another escape
  is refused.

rdflib is imported only when a query is checked (``kg query``, ``kg serve``), never by lookups.

>>> read_query("SELECT ?x WHERE { ?x ?p 1 }").variables == {"x", "p"}
True
>>> read_query("SELECT * { ?s ?p <http://x/\\\\u0041> . \\\\u0053ERVICE <http://127.0.0.1:1/> { ?a ?b ?c } }")
Traceback (most recent call last):
kg.errors.QueryRefused: SERVICE (federated query) is refused (line 1, column 33): ...
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, QueryRefused
from kg.vocab import PREFIXES

PARSER_LOCK = threading.Lock()
"""Held around every use of rdflib's SPARQL parser: pyparsing's parsers keep state, and kg serve has threads."""

MAX_NESTING = 32
"""Deepest nesting of ``{``, ``(`` and ``[`` a query may have (counted on the raw characters)."""

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_GAP = r"(?:\s|\#[^\r\n]*)*"  # whitespace and comments, which a parser skips between tokens
_SERVICE = re.compile(
    r"(?<![\w?$:.\-])SERVICE" + _GAP + r"(?:SILENT\b|[<?$:]|[^\s<>\"'{}()\[\],;]*:)",
    re.IGNORECASE,
)
_SERVICE_WORD = re.compile(r"(?<![\w?$:.\-])SERVICE(?![\w:])", re.IGNORECASE)
_UPDATE_NAMES = {"Load": "LOAD", "Clear": "CLEAR", "Drop": "DROP", "Create": "CREATE", "Add": "ADD",
                 "Move": "MOVE", "Copy": "COPY", "InsertData": "INSERT DATA", "DeleteData": "DELETE DATA",
                 "DeleteWhere": "DELETE WHERE", "Modify": "INSERT/DELETE"}


@dataclass
class Reading:
    """What the parser read: the query text the engine must run (escapes expanded) and its variables."""

    text: str
    variables: set[str] = field(default_factory=set)


def position(text: str, offset: int) -> str:
    """``line L, column C`` (1-based) of a character offset.

    >>> position("a\\nbc", 3)
    'line 2, column 2'
    """
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def expand_escapes(query: str) -> str:
    """The query with ``\\uXXXX`` and ``\\UXXXXXXXX`` expanded, as SPARQL does before parsing.

    >>> expand_escapes("<http://x/\\\\u0041>")
    '<http://x/A>'
    """

    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"invalid escape {match.group()} at {position(query, match.start())}")
        return chr(code)

    # Line ends normalized too: a comment ends at CR for one parser and only at LF for another.
    expanded = _ESCAPE.sub(one, query).replace("\r\n", "\n").replace("\r", "\n")
    again = _ESCAPE.search(expanded)
    if again:
        raise QueryRefused(f"an escape expands to another escape ({again.group()}): kg does not run text that "
                           "parsers could read differently; write the character itself")
    return expanded


def nesting(query: str) -> tuple[int, int]:
    """The deepest nesting of brackets in the raw text and the offset where it is reached.

    Every ``{ ( [`` counts, even inside strings (this bound is conservative on purpose).

    >>> nesting("SELECT * { { ?s ?p ?o } }")
    (2, 11)
    """
    depth = deepest = where = 0
    for i, char in enumerate(query):
        if char in "{([":
            depth += 1
            if depth > deepest:
                deepest, where = depth, i
        elif char in "})]" and depth > 0:
            depth -= 1
    return deepest, where


def read_query(query: str, *, allow_service: bool = False, prefixes: dict[str, str] | None = None,
               known_prefixes_only: bool = True) -> Reading:
    """Read a query with a real SPARQL parser and refuse what a read-only query must not do (see above).

    Raises QueryRefused (an update, federation, escapes that parsers could read differently) or QueryError
    (too deep, a syntax error with its line and column, an undeclared prefix). ``prefixes`` are the
    predeclared ones (kg's by default); ``known_prefixes_only=False`` lets an external store's own
    predeclared prefixes through.
    """
    deepest, where = nesting(query)
    if deepest > MAX_NESTING:
        raise QueryError(f"the query nests {{, ( or [ {deepest} deep (at {position(query, where)}); kg runs "
                         f"queries nested at most {MAX_NESTING} deep")
    text = expand_escapes(query)
    with PARSER_LOCK:
        tree = _parse(text)
        names = _walk(tree)
    service = next((v for v in names["nodes"] if v.name == "ServiceGraphPattern"), None)
    shaped = _SERVICE.search(text)
    if not allow_service and (service is not None or shaped):
        at = shaped or _SERVICE_WORD.search(text)
        where_text = f" ({position(text, at.start())})" if at else ""
        what = "" if service is not None else " (the word SERVICE before an IRI or a variable, here in a " \
                                               "string or comment: kg refuses text two parsers could read differently)"
        raise QueryRefused(f"SERVICE (federated query) is refused{where_text}{what}: kg makes no network request "
                           "unless asked; `kg query --allow-service` allows it, the endpoint never does")
    for iri in names["iris"]:  # the engine checks IRIs (RFC 3987) where rdflib does not: refuse them here
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise QueryError(f"invalid IRI <{iri[:200]}>: {exc}") from None
    known = set(PREFIXES if prefixes is None else prefixes) | names["declared"]
    unknown = [p for p in names["used"] if p not in known]
    if unknown and known_prefixes_only:
        prefix = unknown[0]
        found = re.search(r"(?<![\w.\-:])" + re.escape(prefix) + ":", text)
        at = f" at {position(text, found.start())}" if found else ""
        raise QueryError(f"unknown prefix '{prefix}:'{at}: declare it with PREFIX {prefix}: <...> "
                         f"(predeclared: {', '.join(sorted(PREFIXES))})")
    return Reading(text, names["variables"])


def _parse(text: str) -> Any:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import parser

    deep = ("the query is nested too deeply for kg's query checker; kg runs queries nested at most "
            f"{MAX_NESTING} deep")
    try:
        return parser.Query.parse_string(text, parse_all=True)
    except RecursionError:
        raise QueryError(deep) from None
    except ParseBaseException as exc:
        error = exc
    try:
        update = parser.UpdateUnit.parse_string(text, parse_all=True)
    except RecursionError:
        raise QueryError(deep) from None
    except ParseBaseException:
        update = None
    if update is not None:
        requests = update[0].get("request", []) if len(update) else []
        ops = [_UPDATE_NAMES.get(getattr(op, "name", ""), "an update") for op in requests]
        first = ops[0] if ops else "the text"
        raise QueryRefused(f"{first} is an update: only read-only queries are allowed "
                           "(SELECT, ASK, CONSTRUCT, DESCRIBE)")
    expected = str(error.msg or "").removeprefix("Expected ").strip() or "something else"
    found = error.found if hasattr(error, "found") else ""
    detail = f"expected {expected}" + (f", found {found}" if found else "")
    if len(detail) > 160:
        detail = detail[:160].rsplit(" ", 1)[0] + " ..."
    raise QueryError(f"SPARQL syntax error at line {error.lineno}, column {error.col}: {detail}")


def _children(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        yield from value.values()
    elif isinstance(value, (list, tuple)) or type(value).__name__ == "ParseResults":
        yield from value


def _walk(tree: Any) -> dict[str, Any]:
    """Parse-tree facts: every named node, the prefixes used and declared, the variables (iteratively)."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef, Variable

    out: dict[str, Any] = {"nodes": [], "used": [], "declared": set(), "variables": set(), "iris": set()}
    stack = [tree]
    while stack:
        value = stack.pop()
        if isinstance(value, Variable):
            out["variables"].add(str(value))
            continue
        if isinstance(value, URIRef):
            out["iris"].add(str(value))
            continue
        if isinstance(value, CompValue):
            out["nodes"].append(value)
            if value.name == "pname" and value.get("prefix") is not None:
                out["used"].append(str(value.get("prefix")))
            elif value.name == "PrefixDecl":
                out["declared"].add(str(value.get("prefix") or ""))
        if not isinstance(value, str):
            stack.extend(reversed(list(_children(value))))
    return out
