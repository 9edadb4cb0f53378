"""SPARQL for analysts: checked, parameterized queries, the named-query library, results in the W3C formats.

Everything runs through a store's ``query(sparql, **bindings)`` method (see :class:`kg.store.Store`), which
gives pyoxigraph-shaped results: solutions with ``.variables``, a boolean, or triples. A remote store class
with the same method plugs in unchanged. Queries needing a timeout run in a worker process that is killed
when time is up (pyoxigraph cannot cancel a running query).

>>> parse_param("person=P19")
('person', <Literal value=P19 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>)
>>> parse_param("role=po:ProductOwner")[1].value
'http://w3id.org/product-org/ontology#ProductOwner'
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.choices import GRAPH_FORMATS, SOLUTION_FORMATS
from kg.errors import InputError, NotFoundError, QueryError, QueryRefused, QueryTimeout
from kg.querytime import QueryClock
from kg.store import Store
from kg.vocab import PREFIXES, XSD

if TYPE_CHECKING:
    from kg.guard import Reading

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


__all__ = ["QueryRefused", "Result", "check", "run", "named_query", "named_queries", "serialize", "to_term"]

_NUMERIC = {XSD.integer: int, XSD.int: int, XSD.long: int, XSD.short: int, XSD.nonNegativeInteger: int,
            XSD.positiveInteger: int, XSD.decimal: float, XSD.double: float, XSD.float: float}


# -- results -------------------------------------------------------------------------------------------------


@dataclass
class Result:
    """The answer to a query: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE).

    ``rows`` gives solutions as dicts of plain Python values (IRIs as strings, numbers as numbers);
    ``terms`` keeps the RDF terms; ``truncated`` is True when a row limit cut the answer short.
    """

    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    terms: list[dict[str, Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [{v: plain(row.get(v)) for v in self.variables} for row in self.terms]

    def __len__(self) -> int:
        return len(self.triples) if self.kind == "graph" else len(self.terms)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def column(self, name: str) -> list[Any]:
        """The values of one variable, in row order."""
        return [row[name] for row in self.rows]

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame (needs the optional extra: ``pip install 'kg[pandas]'``)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise QueryError("to_dataframe() needs pandas: pip install 'kg[pandas]'") from exc
        if self.kind == "graph":
            return pd.DataFrame([{"subject": plain(t.subject), "predicate": plain(t.predicate),
                                  "object": plain(t.object)} for t in self.triples],
                                columns=["subject", "predicate", "object"])
        if self.kind == "ask":
            return pd.DataFrame([{"boolean": self.boolean}])
        return pd.DataFrame(self.rows, columns=self.variables)

    def serialize(self, fmt: str, *, safe_csv: bool = False) -> str:
        """The result as text: see :func:`serialize`."""
        return serialize(self, fmt, safe_csv=safe_csv)


def plain(term: Term | None) -> Any:
    """A Python value for a term: IRI string, ``_:id`` for blank nodes, numbers and booleans typed.

    >>> plain(ox.Literal("3", datatype=ox.NamedNode(XSD.integer))), plain(ox.NamedNode("http://x"))
    (3, 'http://x')
    """
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        kind = _NUMERIC.get(term.datatype.value)
        try:
            if kind is not None:
                return kind(term.value)
        except ValueError:
            return term.value
        if term.datatype.value == XSD.boolean:
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _collect(raw: Any, limit: int | None) -> Result:
    """A :class:`Result` from pyoxigraph-shaped results, cut at ``limit`` rows."""
    if hasattr(raw, "variables"):
        names = [v.value for v in raw.variables]
        taken = list(islice(raw, None if limit is None else limit + 1))
        truncated = limit is not None and len(taken) > limit
        terms = [{n: sol[n] for n in names} for sol in taken[:limit]]
        return Result("select", variables=names, terms=terms, truncated=truncated)
    if isinstance(raw, (bool, ox.QueryBoolean)):
        return Result("ask", boolean=bool(raw))
    triples = list(islice(raw, None if limit is None else limit + 1))
    truncated = limit is not None and len(triples) > limit
    return Result("graph", triples=triples[:limit], truncated=truncated)


# -- checking and binding ------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                   |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      |(?P<comment>\#[^\n]*)
      |(?P<var>[?$]\w+)
      |(?P<bnode>_:[\w.-]*)
      |(?P<name>[A-Za-z][\w.-]*(?::(?:[\w.%-]|\\.)*)?|:(?:[\w.%-]|\\.)*)
      |(?P<other>\s+|.)""",
    re.VERBOSE | re.DOTALL,
)


def _tokens(query: str) -> Iterator[re.Match[str]]:
    return _TOKEN.finditer(query)


def strip_comments(query: str) -> str:
    """The query without ``#`` comments (line numbers kept), never touching ``#`` inside IRIs or strings.

    >>> strip_comments('SELECT * { ?s <http://x#p> "#no" } # yes')
    'SELECT * { ?s <http://x#p> "#no" } '
    """
    return "".join("" if m.lastgroup == "comment" else m.group() for m in _tokens(query))


def check(query: str, *, allow_service: bool = False, prefixes: dict[str, str] | None = None,
          known_prefixes_only: bool = True) -> Reading:
    """Refuse what a read-only query must not do, before it reaches the engine (the one door of `kg query`
    and `kg serve`; see :mod:`kg.guard`: decided on rdflib's parse of the query, not on a tokenizer).

    Updates (``LOAD`` among them) are always refused; ``SERVICE`` (federation: the engine would call out
    over the network) is refused unless ``allow_service``; so is text nested too deep or that does not parse.
    Returns what the parser read: the text to run (escapes expanded) and its variables.
    Undeclared prefixes are reported with their position (unless ``known_prefixes_only`` is False: an
    external store may predeclare more).

    >>> check("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", allow_service=False)
    Traceback (most recent call last):
    kg.errors.QueryRefused: SERVICE (federated query) is refused (line 1, column 12): ...
    """
    from kg.guard import read_query

    return read_query(query, allow_service=allow_service, prefixes=prefixes,
                      known_prefixes_only=known_prefixes_only)


_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:([\w.%/#-]*)$")
_TYPED = re.compile(r'^"(.*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(\S+))$', re.DOTALL)
_VARNAME = re.compile(r"^[A-Za-z_]\w*$")


def to_term(value: str) -> ox.NamedNode | ox.Literal:
    """An RDF term for a parameter value: ``<iri>`` or a known prefixed name is an IRI; ``"text"@lang`` and
    ``"5"^^xsd:integer`` are typed literals; anything else is a plain string literal.

    >>> to_term("<http://x/y>"), to_term('"5"^^xsd:integer').datatype.value
    (<NamedNode value=http://x/y>, 'http://www.w3.org/2001/XMLSchema#integer')
    >>> to_term('Product Owner').value
    'Product Owner'
    """
    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        try:
            return ox.NamedNode(value[1:-1])
        except ValueError as exc:
            raise QueryError(f"{value} is not a valid IRI: {exc}") from exc
    match = _PREFIXED.match(value)
    if match and (match.group(1) or "") in PREFIXES:
        return ox.NamedNode(PREFIXES[match.group(1) or ""] + match.group(2))
    typed = _TYPED.match(value)
    if typed:
        text, lang, datatype = typed.groups()
        if lang:
            return ox.Literal(text, language=lang)
        dt = to_term(datatype)
        if not isinstance(dt, ox.NamedNode):
            raise QueryError(f"datatype {datatype} in {value} is not an IRI or a known prefixed name")
        return ox.Literal(text, datatype=dt)
    return ox.Literal(value)


def parse_param(text: str) -> tuple[str, ox.NamedNode | ox.Literal]:
    """``name=value`` (the form of ``--param``) as a variable name and an RDF term."""
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _VARNAME.match(name):
        raise QueryError(f"parameter '{text}': expected NAME=VALUE, e.g. person=P19")
    return name, to_term(value)


def _bindings(variables: set[str], params: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in (params or {}).items():
        if name not in variables:
            raise QueryError(f"parameter '{name}': the query has no variable ?{name}")
        is_term = isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode))
        out[name] = value if is_term else to_term(str(value))
    return out


# -- running -------------------------------------------------------------------------------------------------


def prepare(query: str, params: dict[str, Any] | None = None, *, allow_service: bool = False,
            local: bool = True) -> str:
    """The exact text the engine will run for ``query`` (SPARQL or a named query's name) and ``params``.

    The query is read and refused by :func:`check` (kg.guard); parameter values become escaped RDF terms in a
    VALUES block, and that final text is checked again, so what runs is always what was checked. ``local``:
    the embedded store (only its predeclared prefixes are accepted).
    """
    from kg.store import bind_values

    if _is_name(query):
        name, query = query.strip(), named_query(query.strip()).text
        _check_declared(query, params, name)
    else:
        _check_declared(query, params)
    reading = check(query, allow_service=allow_service, known_prefixes_only=local)
    bindings = _bindings(reading.variables, params)
    text = reading.text
    if bindings:
        text = bind_values(strip_comments(text), bindings)
        check(text, allow_service=allow_service, known_prefixes_only=local)
    return text


def run(store: Any, query: str, params: dict[str, Any] | None = None, *, limit: int | None = None,
        timeout: float | None = None, allow_service: bool = False) -> Result:
    """Run ``query`` (SPARQL text or a named query's name) on ``store``; ``params`` bind variables safely.

    Parameter values are RDF terms or strings (read as by :func:`to_term`). ``limit`` caps the rows kept
    (``Result.truncated`` tells). With ``timeout`` (seconds) the query runs in a worker process that is killed
    once it has used that much CPU time (see :mod:`kg.querytime`, the rule `kg serve` follows too), and
    :class:`QueryTimeout` is raised. On a remote store (``--endpoint``) kg cannot see the store's CPU time:
    ``timeout`` bounds the wait for its answer in wall-clock time instead.
    """
    from kg.org import resolve_params

    if params:  # a person parameter names a person as `kg who` does
        params = resolve_params(store, params)
    if not isinstance(store, Store):  # another process's store: only the wait for it can be bounded (wall clock)
        from kg.remote import RemoteStore

        text = prepare(query, params, allow_service=allow_service, local=False)
        bounded = timeout and isinstance(store, RemoteStore)
        with store.time_limit(timeout, TIMEOUT_ADVICE) if bounded else nullcontext():
            return run_prepared(store, text, limit)
    if timeout is None:
        return run_prepared(store, prepare(query, params, allow_service=allow_service, local=True), limit)
    worker = Worker()  # it starts while the query is checked here (two processes, two cores)
    try:
        text = prepare(query, params, allow_service=allow_service, local=True)
    except BaseException:
        worker.stop()
        raise
    return run_isolated(str(store.path), text, limit=limit, timeout=timeout, prepared=True, worker=worker)


def run_prepared(store: Any, text: str, limit: int | None = None) -> Result:
    """Run text that :func:`prepare` returned (and nothing else: it is not checked again)."""
    try:
        return _collect(store.query(text), limit)
    except QueryError as exc:
        raise QueryError(_readable(str(exc))) from exc
    except (OSError, ValueError, RuntimeError) as exc:  # evaluation errors of the engine
        raise QueryError(f"the query failed: {exc}") from exc


def read_query_file(path: Path) -> str:
    """The text of a ``.rq`` file: UTF-8 (a BOM is dropped) or UTF-16 with its BOM; anything else is refused
    with one line saying so (guessing Latin-1 could change what the query means)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not {encoding.removesuffix('-sig').upper()} text (byte {data[exc.start]:#04x} "
                         f"at offset {exc.start}): save the query as UTF-8 and run again") from None


def _is_name(query: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9][a-z0-9-]*", query.strip()))


def _readable(message: str) -> str:
    """'SPARQL syntax error: error at 3:12: expected ...' -> '... at line 3, column 12: expected ...'."""
    match = re.search(r"error at (\d+):(\d+):\s*", message)
    if not match:
        return message
    detail = " ".join(message[match.end():].split())
    if len(detail) > 160:  # the parser may list every character it would accept
        detail = detail[:160].rsplit(" ", 1)[0] + " ..."
    return f"SPARQL syntax error at line {match.group(1)}, column {match.group(2)}: {detail}"


# -- formats -------------------------------------------------------------------------------------------------


def serialize(result: Result, fmt: str, *, safe_csv: bool = False) -> str:
    """The result in format ``fmt``.

    Solutions: ``csv``, ``tsv``, ``json``, ``xml`` exactly as the W3C SPARQL 1.1 Query Results formats, or
    ``table`` (aligned text, IRIs shortened with the known prefixes). ASK: ``json``/``xml`` per the W3C
    formats, else ``true``/``false``. Triples: ``turtle`` (also for ``table``), ``ntriples``, ``json-ld``
    (also for ``json``), ``rdfxml``. ``safe_csv`` makes CSV cells that a spreadsheet would run as a formula
    start with ``'`` (a departure from the W3C format, for files opened in spreadsheets; TSV needs none: its
    strings are quoted).
    """
    if result.kind == "graph":
        name = {"table": "turtle", "json": "json-ld"}.get(fmt, fmt)
        if name not in GRAPH_FORMATS:
            raise QueryError("a CONSTRUCT or DESCRIBE result is RDF: use --format "
                             + ", ".join(GRAPH_FORMATS))
        rdf = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
               "json-ld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}[name]
        used = PREFIXES if name in ("turtle", "rdfxml") else None
        return ox.serialize(result.triples, format=rdf, prefixes=used).decode("utf-8")
    if fmt not in SOLUTION_FORMATS:
        raise QueryError(f"--format {fmt} is for CONSTRUCT or DESCRIBE; a SELECT or ASK result takes "
                         f"{', '.join(SOLUTION_FORMATS)}")
    if result.kind == "ask":
        value = "true" if result.boolean else "false"
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
        if fmt == "xml":
            return (f'<?xml version="1.0"?>\n<sparql xmlns="{_RESULTS_NS}">\n  <head/>\n'
                    f"  <boolean>{value}</boolean>\n</sparql>\n")
        return value + "\n"
    if fmt == "csv":
        return _csv(result, safe_csv)
    return {"tsv": _tsv, "json": _json, "xml": _xml, "table": _table}[fmt](result)


def _csv(result: Result, safe: bool = False) -> str:
    from kg.render import safe_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.terms:
        cells = ["" if row.get(v) is None else _csv_value(row[v]) for v in result.variables]
        writer.writerow([_safe_number(c, row.get(v), safe_cell) if safe else c
                         for c, v in zip(cells, result.variables, strict=True)])
    return out.getvalue()


def _safe_number(cell: str, term: Term | None, safe_cell: Any) -> str:
    """A formula-safe cell; numeric literals stay as they are (a spreadsheet reads them as numbers)."""
    if isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC:
        return cell
    return safe_cell(cell)


def _csv_value(term: Term) -> str:
    return "_:" + term.value if isinstance(term, ox.BlankNode) else str(term) if isinstance(term, ox.Triple) \
        else term.value


_TURTLE_NUMBER = {XSD.integer: r"[+-]?\d+", XSD.decimal: r"[+-]?\d*\.\d+",
                  XSD.double: r"[+-]?(\d+\.\d*|\.\d+|\d+)[eE][+-]?\d+", XSD.boolean: r"true|false"}


def _tsv_value(term: Term) -> str:
    """A term in Turtle/SPARQL syntax; integers, decimals, doubles and booleans in their short form."""
    if isinstance(term, ox.Literal):
        pattern = _TURTLE_NUMBER.get(term.datatype.value)
        if pattern and re.fullmatch(pattern, term.value):
            return term.value
        return str(term).replace("\t", "\\t")
    return str(term)


def _tsv(result: Result) -> str:
    lines = ["\t".join("?" + v for v in result.variables)]
    for row in result.terms:
        lines.append("\t".join("" if row.get(v) is None else _tsv_value(row[v]) for v in result.variables))
    return "\n".join(lines) + "\n"


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD.string:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _json(result: Result) -> str:
    bindings = [{v: _json_term(t) for v, t in row.items() if t is not None} for row in result.terms]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False) + "\n"


_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    from xml.sax.saxutils import escape

    # a raw CR would come back as LF (XML end-of-line handling): write it as a character reference
    return escape(_XML_BAD.sub("\ufffd", text), {'"': "&quot;", "\r": "&#13;"})


def _xml_literal(text: str) -> str:
    """Literal text, its leading and trailing whitespace as character references (some parsers trim it).

    >>> _xml_literal(" a <b> ")
    '&#32;a &lt;b&gt;&#32;'
    """
    core = text.strip(" \t\n\r")
    start = text.find(core) if core else len(text)
    head, tail = text[:start], text[start + len(core):]
    return _char_refs(head) + _xml_text(core) + _char_refs(tail)


def _char_refs(text: str) -> str:
    return "".join(f"&#{ord(c)};" for c in text)


def _xml(result: Result) -> str:
    out = ['<?xml version="1.0"?>', f'<sparql xmlns="{_RESULTS_NS}">', "  <head>"]
    out += [f'    <variable name="{_xml_text(v)}"/>' for v in result.variables]
    out += ["  </head>", "  <results>"]
    for row in result.terms:
        out.append("    <result>")
        for v, term in row.items():
            if term is None:
                continue
            if isinstance(term, ox.NamedNode):
                inner = f"<uri>{_xml_text(term.value)}</uri>"
            elif isinstance(term, ox.BlankNode):
                inner = f"<bnode>{_xml_text(term.value)}</bnode>"
            elif isinstance(term, ox.Literal):
                datatype = term.datatype.value
                attr = (f' xml:lang="{_xml_text(term.language)}"' if term.language else
                        "" if datatype == XSD.string else f' datatype="{_xml_text(datatype)}"')
                inner = f"<literal{attr}>{_xml_literal(term.value)}</literal>"
            else:
                inner = f"<literal>{_xml_text(str(term))}</literal>"
            out.append(f'      <binding name="{_xml_text(v)}">{inner}</binding>')
        out.append("    </result>")
    out += ["  </results>", "</sparql>"]
    return "\n".join(out) + "\n"


def compact(iri: str) -> str:
    """An IRI shortened with the predeclared prefixes, for display.

    >>> compact("http://w3id.org/product-org/ontology#ProductOwner")
    'po:ProductOwner'
    >>> compact("http://w3id.org/product-org/id/acme/post/P19")
    'poid:acme/post/P19'
    """
    for prefix, base in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if iri.startswith(base) and re.fullmatch(r"[\w./-]*", iri[len(base):]):
            return f"{prefix}:{iri[len(base):]}"
    return iri


def _table(result: Result) -> str:
    from kg.render import to_table

    if not result.terms:
        return "(no rows)\n"
    rows = [{v: compact(t.value) if isinstance(t, ox.NamedNode) else plain(t) for v, t in row.items()}
            for row in result.terms]
    return to_table(rows, result.variables)


# -- named queries -------------------------------------------------------------------------------------------


@dataclass
class NamedQuery:
    """A query shipped with kg: ``kg/named_queries/NAME.rq``, its header comment giving title and so on."""

    name: str
    title: str
    description: str
    params: dict[str, str]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": self.params, "query": self.text}


def _parse_named(name: str, text: str) -> NamedQuery:
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": []}
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        key, sep, value = body.partition(":")
        if sep and key.strip() in fields:
            last = key.strip()
            fields[last].append(value.strip())
        elif last and body and last != "param":
            fields[last][-1] += " " + body
    params = {}
    for item in fields["param"]:
        pname, _, doc = item.partition(" ")
        params[pname.lstrip("?")] = doc.strip(" -—")
    title = " ".join(fields["title"]) or name
    return NamedQuery(name, title, " ".join(fields["description"]), params, text)


def named_queries() -> list[NamedQuery]:
    """Every named query, sorted by name."""
    folder = resources.files("kg") / "named_queries"
    out = [_parse_named(f.name[:-3], f.read_text(encoding="utf-8"))
           for f in folder.iterdir() if f.name.endswith(".rq")]
    return sorted(out, key=lambda q: q.name)


def named_query(name: str) -> NamedQuery:
    """The named query ``name``; NotFoundError lists the closest names."""
    import difflib

    queries = {q.name: q for q in named_queries()}
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.4)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise NotFoundError(f"no named query '{name}': {hint}see `kg queries` for the list")


def _check_declared(query: str, params: dict[str, Any] | None, name: str = "") -> None:
    """A query whose header declares parameters (``# param: NAME ...``) runs only with all of them given."""
    declared = _parse_named(name, query).params
    missing = [p for p in declared if p not in (params or {})]
    if missing:
        needed = " ".join(f"--param {p}=..." for p in missing)
        what = f"named query '{name}'" if name else "the query"
        raise QueryError(f"{what} needs {needed} ({'; '.join(declared[p] for p in missing)})")


# -- isolated runs (timeouts) --------------------------------------------------------------------------------


_OPEN: dict[str, Store] = {}  # a worker's store, kept open between queries that follow closely
IDLE_CLOSE_SECONDS = 0.2
TIMEOUT_ADVICE = "raise --timeout, or add a LIMIT or narrow the query"


def _worker_store(path: str, wait: float) -> Store:
    """The store for a job: the one kept open, unless a writer waits (then it is reopened after the write)."""
    import time
    from pathlib import Path

    from kg.store import open_store, writer_waiting

    if writer_waiting(Path(path)):  # step aside, and stay aside until the write is done
        close_worker_stores()
        deadline = time.monotonic() + wait
        while writer_waiting(Path(path)) and time.monotonic() < deadline:
            time.sleep(0.02)
    store = _OPEN.get(path)
    if store is None:
        store = _OPEN[path] = open_store(path, wait=wait)
    return store


def close_worker_stores() -> None:
    """Close the stores a worker keeps open (releasing their read locks)."""
    while _OPEN:
        _OPEN.popitem()[1].close()


def execute_job(job: dict[str, Any]) -> dict[str, Any]:
    """Run one query job in this process (a worker); errors become data.

    The store stays open for the next job (``keep_open``) until the worker idles or a writer waits, so a
    stream of queries pays for opening it once, and `kg load` still gets its turn promptly.
    """
    from kg.errors import KGError

    try:
        store = _worker_store(job["store"], job.get("lock_wait", 30.0))
        dataset = job.get("dataset")  # (default graphs, named graphs): a SPARQL Protocol dataset
        try:
            with store.scoped(*dataset) if dataset else nullcontext(store):
                if "describe" in job:  # the resource page of kg serve
                    from kg.resource import describe

                    return {"ok": True, "body": json.dumps(describe(store, job["describe"])).encode()}
                if job.get("prepared"):  # the parent ran prepare(): no query checker needed here
                    result = run_prepared(store, job["query"], job.get("limit"))
                else:
                    result = run(store, job["query"], job.get("params"), limit=job.get("limit"),
                                 allow_service=job.get("allow_service", False))
        finally:
            if not job.get("keep_open"):
                close_worker_stores()
        reply: dict[str, Any] = {"ok": True, "kind": result.kind, "rows": len(result),
                                 "truncated": result.truncated}
        formats = job.get("formats")
        if formats:
            fmt = formats["graph" if result.kind == "graph" else "solutions"]
            reply["format"] = fmt
            reply["body"] = serialize(result, fmt).encode("utf-8")
        else:
            reply["result"] = result
        return reply
    except KGError as exc:
        return {"ok": False, "error": type(exc).__name__, "message": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a worker reports every failure instead of dying
        return {"ok": False, "error": "InternalError", "message": f"{type(exc).__name__}: {exc}"}


def worker_main(fd: int) -> None:
    """Entry point of a worker process: serve jobs over the socket ``fd`` until told to stop."""
    from multiprocessing.connection import Connection

    _worker_loop(Connection(fd))


def _worker_loop(conn: Any) -> None:
    import kg.store  # noqa: F401  (imported before "ready", so timeouts count query time only)

    while True:
        try:
            if _OPEN and not conn.poll(IDLE_CLOSE_SECONDS):
                close_worker_stores()  # idle: let writers in
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send("ready" if job == "ping" else execute_job(job))


class Worker:
    """A query process that can be killed: pyoxigraph offers no way to cancel a query in progress."""

    def __init__(self) -> None:
        import socket
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        # A fresh interpreter, not fork (RocksDB threads) nor multiprocessing's spawn (which re-runs the
        # caller's main script: a script without a __main__ guard would start workers without end).
        # -P: the current folder does not shadow the installed kg.
        ours, theirs = socket.socketpair()
        code = "import sys; from kg.queries import worker_main; worker_main(int(sys.argv[1]))"
        self.process = subprocess.Popen([sys.executable, "-P", "-c", code, str(theirs.fileno())],
                                        pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        theirs.close()
        self.conn = Connection(ours.detach())

    def ready(self, timeout: float = 60.0) -> bool:
        """Wait until the process has started and imported kg (so a timeout counts query time only)."""
        self.conn.send("ping")
        return self.conn.poll(timeout) and self.conn.recv() == "ready"

    def clock(self, timeout: float) -> QueryClock:
        """A clock of this process's query time, started now (see :mod:`kg.querytime`)."""
        return QueryClock(self.process.pid, timeout)

    def answer(self, clock: QueryClock, until: float | None = None) -> dict[str, Any] | None:
        """The reply to the job sent, if it comes before ``until`` seconds of query time (default: the whole
        limit) are used and before the clock's wall-clock limit; else None (the worker is still running)."""
        while not clock.over(until):
            if self.conn.poll(clock.step(until)):
                return self.conn.recv()
        return None

    def overran(self, clock: QueryClock, advice: str) -> QueryTimeout:
        """Kill the worker whose query overran ``clock``; the one-line error to raise, ending in ``advice``."""
        why = clock.stopped()  # before the kill: a process that is gone has no CPU time to read
        self.kill()
        return QueryTimeout(f"{why}; {advice}")

    def call(self, job: dict[str, Any], timeout: float, advice: str) -> dict[str, Any]:
        """The job's reply; :class:`QueryTimeout` (the worker killed) when the job overruns ``timeout`` seconds
        of query time (see :class:`kg.querytime.QueryClock`)."""
        try:
            self.conn.send(job)
            clock = self.clock(timeout)
            reply = self.answer(clock)
        except (EOFError, OSError):
            self.kill()
            return {"ok": False, "error": "InternalError", "message": "the query worker died; try again"}
        if reply is None:
            raise self.overran(clock, advice)
        return reply

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(5)
        self.conn.close()

    def stop(self) -> None:
        import subprocess

        try:
            self.conn.send(None)
            self.process.wait(2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


def raise_reply_error(reply: dict[str, Any]) -> None:
    """Re-raise a worker's error reply as the matching KGError."""
    from kg import errors

    cls = getattr(errors, reply.get("error", ""), None)
    if not (isinstance(cls, type) and issubclass(cls, errors.KGError)):
        cls = QueryError
    raise cls(reply["message"])


def run_isolated(store_path: str, query: str, params: dict[str, Any] | None = None, *,
                 limit: int | None = None, timeout: float = 30.0, allow_service: bool = False,
                 prepared: bool = False, worker: Worker | None = None) -> Result:
    """Run a query in a fresh worker process; :class:`QueryTimeout` when it takes longer than ``timeout``
    seconds of query time (the worker's CPU time, see :mod:`kg.querytime`), one line ending in what to do.

    ``prepared``: ``query`` is the text :func:`prepare` returned (then ``params`` must be None). ``worker``: one
    already started (it is stopped here)."""
    worker = worker or Worker()
    try:
        job = {"store": store_path, "query": query, "params": params, "limit": limit,
               "allow_service": allow_service, "lock_wait": timeout, "prepared": prepared}
        if not worker.ready():
            raise QueryError("the query worker process did not start")
        reply = worker.call(job, timeout, TIMEOUT_ADVICE)
    finally:
        worker.stop()
    if not reply["ok"]:
        raise_reply_error(reply)
    return reply["result"]

