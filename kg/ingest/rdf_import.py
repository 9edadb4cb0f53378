"""RDF importer: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML (and N3), parsed by Oxigraph.

Published data is stored as-is. Beside it, the importer writes kg's normalized view so that the lookups work
on any W3C ORG data: ``po:identifier`` (from skos:notation, dcterms:identifier or the IRI's last segment),
``po:jobTitle`` (from a post's label), ``org:heldBy`` (from org:holds, gov:heldBy, gov:holdsPost),
``foaf:name`` (from schema:name), ``org:reportsTo`` (from po:solidLineReportsTo) and ``po:searchKey`` (where
readers cannot derive it from the holder's name: see :func:`kg.names.stored_key`).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from kg.errors import InputError
from kg.forest import Rows, gc_paused
from kg.ingest.checks import LoadReport
from kg.ingest.csv_import import FTE_LIMIT, parse_number
from kg.ingest.titles import TitleMatcher
from kg.names import fold, stored_key
from kg.reading import node_row
from kg.store import term_value
from kg.vocab import DCTERMS, FOAF, GOV, ORG, ORGANOGRAM, PO, RDF, RDFS, SCHEMA, SKOS, XSD

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "n-triples": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "n-quads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "rdf/xml": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}
EXTENSIONS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}
MAX_JSON_DEPTH = 200
MAX_BRACKET_DEPTH = 500


def rdf_format(path: Path, name: str | None) -> ox.RdfFormat | None:
    """The RDF format for a ``--format`` name or the file's extension; None when it is not RDF."""
    if name:
        return FORMATS.get(name.lower())
    return EXTENSIONS.get(path.suffix.lower())


def guard(path: Path, data: bytes, fmt: ox.RdfFormat) -> None:
    """Refuse inputs that would make a parser fetch, read local files, explode or crash."""
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    if fmt == ox.RdfFormat.RDF_XML:
        # The whole file: a long comment before the DOCTYPE must not hide it from the check.
        if re.search(rb"<!ENTITY", data, re.IGNORECASE) or re.search(rb"<!DOCTYPE[^>]*\[", data, re.IGNORECASE):
            raise InputError(
                f"{path}: RDF/XML with a DOCTYPE declaring entities is refused (entities can read local "
                "files or expand without bound); remove the DOCTYPE and load again"
            )
        _check_xml_depth(path, data)
    elif fmt == ox.RdfFormat.JSON_LD:
        _check_json(path, data)
    else:
        depth = _bracket_depth(data)
        if depth > MAX_BRACKET_DEPTH:
            raise InputError(f"{path}: nested {depth} levels deep (limit {MAX_BRACKET_DEPTH}); refused")


class _TooDeep(Exception):
    pass


def _check_xml_depth(path: Path, data: bytes) -> None:
    """Refuse XML nested deeper than MAX_BRACKET_DEPTH elements, read by expat (a real XML parser, in C)
    before the RDF parser: a deeply nested file would otherwise hold the writer lock for minutes."""
    from xml.parsers import expat

    if data.count(b"<") < MAX_BRACKET_DEPTH:
        return
    parser = expat.ParserCreate()
    depth = 0

    def start(_name: str, _attrs: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_BRACKET_DEPTH:
            raise _TooDeep

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(data, True)
    except _TooDeep:
        raise InputError(f"{path}: XML nested more than {MAX_BRACKET_DEPTH} elements deep (line "
                         f"{parser.CurrentLineNumber}); refused") from None
    except expat.ExpatError:
        return  # not well-formed: the RDF parser reports it with its own position


_TURTLE_TOKEN = re.compile(
    rb"""\#[^\r\n]*
      |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
      |"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*'
      |<[^<>"{}|^`\\\x00-\x20]*>
      |[\[\](){}]""",
    re.VERBOSE | re.DOTALL,
)


def _bracket_depth(data: bytes) -> int:
    r"""Deepest nesting of ``[ ] ( ) { }`` outside comments, strings and IRIs (Turtle, TriG, N-Triples, N3).

    Comments end at a line end and strings honour escapes and triple quotes, so an apostrophe in a comment
    or an escaped quote cannot hide brackets from the count. Files with fewer brackets than the limit are
    not scanned.

    >>> _bracket_depth(b"# it's a comment\n" + b"[ :p " * 600 + b"'a\\'b'" + b" ]" * 600)
    600
    """
    if data.count(b"[") + data.count(b"(") + data.count(b"{") < MAX_BRACKET_DEPTH:
        return 0
    depth = best = 0
    for match in _TURTLE_TOKEN.finditer(data):
        token = match.group()
        if token in (b"[", b"(", b"{"):
            depth += 1
            best = max(best, depth)
        elif token in (b"]", b")", b"}"):
            depth -= 1
    return best


def _check_json(path: Path, data: bytes) -> None:
    depth = 0
    best = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > best:
                best = depth
                if best > MAX_JSON_DEPTH:
                    raise InputError(
                        f"{path}: JSON nested more than {MAX_JSON_DEPTH} levels deep; refused"
                    )
        elif byte in (0x5D, 0x7D):
            depth -= 1
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise InputError(f"{path}: invalid JSON: {exc}") from exc
    for ctx in _contexts(doc):
        if isinstance(ctx, str):
            raise InputError(
                f"{path}: the JSON-LD @context '{ctx}' is remote; kg never downloads it. Replace it with "
                "the context's content inline and load again"
            )


def _contexts(node: object) -> list[object]:
    found: list[object] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "@context":
                    found.extend(value if isinstance(value, list) else [value])
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


# The predicates whose triples the completion reads, kept in memory while the file streams past.
_READ = (ORG.reportsTo, PO.solidLineReportsTo, PO.dottedLineReportsTo, ORG.heldBy, GOV.heldBy, ORG.holds,
         GOV.holdsPost, FOAF.name, SCHEMA.name, RDF.type, PO.identifier, SCHEMA.identifier, DCTERMS.identifier,
         SKOS.notation, PO.jobTitle, SCHEMA.jobTitle, SKOS.prefLabel, RDFS.label, PO.hasRole, PO.postStatus,
         ORG.postIn, PO.headcount, PO.grade, PO.sourceRow, ORGANOGRAM.reportingTo, ORGANOGRAM.job,
         ORGANOGRAM.grade, ORGANOGRAM.profession, ORGANOGRAM.unit, ORGANOGRAM.fullTimeEquivalent, GOV.post,
         GOV.fullTimeEquivalent)
# N-Triples and N-Quads hold one statement a line (nothing nests): they are parsed from the file as a stream.
LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
SPOOL_BATCH = 50_000  # triples serialized at a time into the spool
CHUNK_BYTES = 8 << 20  # N-Triples read back from the spool at a time


def import_rdf(path: Path, fmt: ox.RdfFormat,
               matcher: TitleMatcher | None = None) -> tuple[LoadReport, Rows, Iterator[bytes]]:
    """Parse ``path``, add kg's normalized view; touch no store.

    Returns the load report, the reporting forest's rows (for the chart index) and the source graph's triples
    (the file's, then the view's) as N-Triples chunks for :func:`kg.ingest.load.bulk_load`; quads of any graph
    all become triples of the source's graph. The chunks are read when asked for: an N-Triples file from
    itself, other formats from anonymous temporary files written while parsing. Oxigraph names the blank
    nodes of each load call afresh, so the lines that name a blank node come in one chunk, last: a chunk must
    never be split across loads. The report's ``triples`` is left for the loader to count.
    """
    spool = _Spool(path if fmt == ox.RdfFormat.N_TRIPLES else None)
    try:
        with gc_paused():  # millions of terms, tuples and lists, none in a cycle: nothing for it to collect
            read = _Read()
            count = _parse(path, fmt, read, spool)
            if not count:
                raise InputError(f"{path}: holds no triples (only prefixes or comments?); nothing to load")
            read.terms.clear()  # the lists hold each term once already
            report = LoadReport(source=path.name, path=str(path.resolve()), format=fmt.name.lower())
            rows = _forest_rows(read, _complete(read, matcher, report, spool), matcher)
            del read
            _summarize(rows, report)
    except BaseException:
        spool.close()
        raise
    return report, rows, spool.chunks()


def _parse(path: Path, fmt: ox.RdfFormat, read: _Read, spool: _Spool) -> int:
    """Parse the file into ``spool``, keeping the triples the completion reads in ``read``; the triple count."""
    base = path.resolve().as_uri()
    try:
        with path.open("rb") as f:
            if fmt in LINE_FORMATS:  # a stream: the file is never held in memory
                if not f.read(1 << 16).strip() and not f.read(1):
                    raise InputError(f"{path}: the file is empty")
                f.seek(0)
                # An N-Triples file's own lines are what the loader reads: its blank nodes keep their labels.
                parsed = ox.parse(f, fmt, base_iri=base, rename_blank_nodes=spool.original is None)
                return _spool_all((q.triple for q in parsed) if fmt.supports_datasets else parsed, read, spool)
            data = f.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    except SyntaxError as exc:
        raise _syntax_error(path, exc) from exc
    guard(path, data, fmt)
    try:
        parsed = ox.parse(data, fmt, base_iri=base, rename_blank_nodes=True)
        return _spool_all((q.triple for q in parsed) if fmt.supports_datasets else parsed, read, spool)
    except SyntaxError as exc:
        raise _syntax_error(path, exc) from exc
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from exc


def _syntax_error(path: Path, exc: SyntaxError) -> InputError:
    message = str(exc).splitlines()[0]
    if "LoadDocumentCallback" in message:
        message = "a remote JSON-LD @context is never downloaded; inline it and load again"
    return InputError(f"{path}: {message}")


def _spool_all(triples: Iterable[ox.Triple], read: _Read, spool: _Spool) -> int:
    """Write ``triples`` to ``spool`` in batches (unless it reads the file itself), keeping those ``read``
    wants; their count."""
    wanted, terms = read.triples, read.terms
    batch: list[ox.Triple] = []
    count = 0
    copy = spool.original is None
    for t in triples:
        count += 1
        kept = wanted.get(t.predicate.value)
        if kept is not None:
            s, o = t.subject, t.object
            kept[0].append(terms.setdefault(s, s))
            kept[1].append(terms.setdefault(o, o))
        if copy:
            batch.append(t)
            if len(batch) == SPOOL_BATCH:
                spool.write(batch)
                batch = []
    spool.write(batch)
    return count


class _Read:
    """The triples of the predicates in :data:`_READ`, as the completion reads them: per predicate, its
    subjects and objects in two lists (each distinct term one object)."""

    def __init__(self) -> None:
        self.triples: dict[str, tuple[list[Any], list[Any]]] = {p: ([], []) for p in _READ}
        self.terms: dict[Any, Any] = {}

    def pairs(self, predicate: str) -> list[tuple[Any, Any]]:
        """(subject, object) of every distinct triple with ``predicate``, in the file's order."""
        subjects, objects = self.triples[predicate]
        return list(dict.fromkeys(zip(subjects, objects, strict=True)))

    def typed(self, cls: str) -> set[Any]:
        """The subjects of type ``cls``."""
        subjects, objects = self.triples[RDF.type]
        target = ox.NamedNode(cls)
        return {s for s, o in zip(subjects, objects, strict=True) if o == target}

    def add(self, triples: list[ox.Triple]) -> None:
        """Read added triples as if the file held them."""
        for t in triples:
            kept = self.triples.get(t.predicate.value)
            if kept is not None:
                kept[0].append(t.subject)
                kept[1].append(t.object)


class _Spool:
    """The source graph's triples until the bulk loader reads them: an N-Triples file itself (``original``)
    and N-Triples in anonymous temporary files. Lines of IRIs and literals come back in chunks of whole lines;
    lines naming a blank node (or that might: they hold ``_:``) come back together as one last chunk."""

    def __init__(self, original: Path | None = None) -> None:
        self.original = original
        self.files = (tempfile.TemporaryFile(prefix="kg-load-"), tempfile.TemporaryFile(prefix="kg-load-"))

    def write(self, triples: list[ox.Triple]) -> None:
        if triples:
            self.files[0].write(_divert(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), self.files[1]))

    def chunks(self) -> Iterator[bytes]:
        closed, blank = self.files
        try:
            blank.seek(0, 2)
            if self.original is not None:
                with self.original.open("rb") as f:
                    yield from _whole_lines(f, blank)
            closed.seek(0)
            yield from _whole_lines(closed, blank)
            blank.seek(0)
            if last := blank.read():
                yield last
        finally:
            self.close()

    def close(self) -> None:
        for f in self.files:
            f.close()


def _whole_lines(f: BinaryIO, blank: BinaryIO) -> Iterator[bytes]:
    """The lines of ``f`` in chunks of about :data:`CHUNK_BYTES`, each ending with a line break; those that
    hold ``_:`` go to ``blank`` instead."""
    rest = b""
    while block := f.read(CHUNK_BYTES):
        cut = block.rfind(b"\n") + 1
        if not cut:
            rest += block
            continue
        chunk, rest = _divert(rest + block[:cut], blank), block[cut:]
        if chunk:
            yield chunk
    if rest and (chunk := _divert(rest + b"\n", blank)):
        yield chunk


def _divert(text: bytes, blank: BinaryIO) -> bytes:
    r"""The lines of N-Triples ``text`` (ending with a line break) that do not hold ``_:``; the others are
    written to ``blank``.

    >>> import io
    >>> blank = io.BytesIO()
    >>> _divert(b'<a:s> <a:p> "x" .\n_:b <a:p> "y" .\r\n', blank), blank.getvalue()
    (b'<a:s> <a:p> "x" .\n', b'_:b <a:p> "y" .\r\n')
    """
    if b"_:" not in text:
        return text
    lines = text.splitlines(keepends=True)
    blank.write(b"".join(line for line in lines if b"_:" in line))
    return b"".join(line for line in lines if b"_:" not in line)


_LOCAL_NAME = re.compile(r"^.*[/#:]")


def _first(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    """Subject -> its smallest object (deterministic when a subject has several)."""
    out: dict[Any, Any] = {}
    for subject, obj in pairs:
        if subject not in out or str(obj) < str(out[subject]):
            out[subject] = obj
    return out


def _organogram_groups(read: _Read, report: LoadReport) -> list[ox.Triple]:
    """kg's view of the junior posts a published UK organogram gives (``organogram:reportingTo`` a senior
    post, ``organogram:fullTimeEquivalent``, job, grade, profession and unit as coded values): each is a group of
    posts (``po:PostGroup``) under its senior post with its FTE (``po:headcount``), as the CSV importer makes
    of a junior file's row. An FTE that is not a number in range is a defect of the report, not stored."""
    groups = _first(read.pairs(ORGANOGRAM.reportingTo))
    tenures = _first(read.pairs(GOV.post))  # a senior post's FTE is on its holders' tenures
    if not groups and not tenures:
        return []
    label = _first(read.pairs(SKOS.prefLabel)) | _first(read.pairs(RDFS.label))

    def text(term: Any) -> ox.Literal | None:
        value = label.get(term) if not isinstance(term, ox.Literal) else term
        return ox.Literal(value.value) if value is not None else None

    triple = ox.Triple
    added: list[ox.Triple] = []
    kind, post, group = ox.NamedNode(RDF.type), ox.NamedNode(ORG.Post), ox.NamedNode(PO.PostGroup)
    for node, manager in groups.items():
        if not isinstance(manager, ox.NamedNode):
            continue
        added += [triple(node, kind, post), triple(node, kind, group),
                  triple(node, ox.NamedNode(ORG.reportsTo), manager),
                  triple(node, ox.NamedNode(PO.solidLineReportsTo), manager)]
    for predicate, target in ((ORGANOGRAM.job, PO.jobTitle), (ORGANOGRAM.grade, PO.grade),
                              (ORGANOGRAM.profession, PO.profession)):
        for node, value in _first(read.pairs(predicate)).items():
            literal = text(value)
            if node in groups and literal is not None:
                added.append(triple(node, ox.NamedNode(target), literal))
    for node, unit in _first(read.pairs(ORGANOGRAM.unit)).items():
        if node in groups and isinstance(unit, ox.NamedNode):
            added.append(triple(node, ox.NamedNode(ORG.postIn), unit))
    fte: dict[Any, Decimal] = {}
    for predicate, owners in ((ORGANOGRAM.fullTimeEquivalent, {g: g for g in groups}),
                              (GOV.fullTimeEquivalent, tenures)):
        for node, value in _first(read.pairs(predicate)).items():
            owner = owners.get(node)
            if owner is None:
                continue
            number = parse_number(value.value, FTE_LIMIT) if isinstance(value, ox.Literal) else None
            if number is None:
                report.defects.append({"id": getattr(node, "value", str(node)), "column": predicate,
                                       "value": str(getattr(value, "value", value))[:40],
                                       "problem": f"not a number between 0 and {FTE_LIMIT:,}"})
            else:
                fte[owner] = fte.get(owner, Decimal(0)) + number  # a job share: two tenures of one post
    stated = {s for s, _ in read.pairs(PO.headcount)}
    decimal = ox.NamedNode(XSD.decimal)
    added += [triple(node, ox.NamedNode(PO.headcount), ox.Literal(format(value, "f"), datatype=decimal))
              for node, value in fte.items() if node not in stated]
    report.groups = len(groups)
    if fte:
        report.fte = float(sum(fte.values()))
    return added


def _complete(read: _Read, matcher: TitleMatcher | None, report: LoadReport, spool: _Spool) -> set[Any]:
    """Add kg's normalized view to ``read`` and ``spool``, fill ``report`` with what the forest does not say;
    return the chart's nodes.

    The kept triples joined in Python: linear in the data.
    """
    triple = ox.Triple
    grouped = _organogram_groups(read, report)
    read.add(grouped)
    spool.write(grouped)
    added: list[ox.Triple] = []
    reports = read.pairs(ORG.reportsTo)
    present = set(reports)
    for pair in read.pairs(PO.solidLineReportsTo):
        if pair not in present:
            present.add(pair)
            reports.append(pair)
            added.append(triple(pair[0], ox.NamedNode(ORG.reportsTo), pair[1]))

    held = read.pairs(ORG.heldBy)
    known_holds = set(held)
    for pair in (read.pairs(GOV.heldBy) + [(p, h) for h, p in read.pairs(ORG.holds)]
                 + [(p, h) for h, p in read.pairs(GOV.holdsPost)]):
        if pair not in known_holds:
            known_holds.add(pair)
            held.append(pair)
            added.append(triple(pair[0], ox.NamedNode(ORG.heldBy), pair[1]))
    holder = _first(held)
    holds = Counter(p for p, _ in held)

    names = _first(read.pairs(FOAF.name))
    named = Counter(s for s, _ in read.pairs(FOAF.name))
    for subject, name in read.pairs(SCHEMA.name):
        if subject not in names:
            names[subject] = name
            added.append(triple(subject, ox.NamedNode(FOAF.name), name))

    persons = read.typed(FOAF.Person)
    typed_posts = read.typed(ORG.Post)
    holders = set(holder.values())
    in_chart = {t for pair in reports for t in pair if isinstance(t, ox.NamedNode)}
    nodes = in_chart | {n for n in typed_posts if isinstance(n, ox.NamedNode)} | {
        p for p in persons - holders if isinstance(p, ox.NamedNode)}

    ids = _first(read.pairs(PO.identifier))
    given: dict[Any, Any] = {}
    for predicate in (SCHEMA.identifier, DCTERMS.identifier, SKOS.notation):
        given.update(_first(read.pairs(predicate)))
    titles = _first(read.pairs(PO.jobTitle))
    labels = _first(read.pairs(SKOS.prefLabel)) | _first(read.pairs(RDFS.label))
    schema_titles = _first(read.pairs(SCHEMA.jobTitle))
    described = set(ids) | set(names) | set(titles) | set(labels) | persons | typed_posts | set(holder) | {
        a for a, _ in reports}
    roles = {s for s, _ in read.pairs(PO.hasRole)}
    p_ident, p_title, p_key = ox.NamedNode(PO.identifier), ox.NamedNode(PO.jobTitle), ox.NamedNode(PO.searchKey)
    p_role = ox.NamedNode(PO.hasRole)
    for node in nodes:
        if node not in ids:
            ident = given.get(node)
            ids[node] = ox.Literal(ident.value if ident is not None else _LOCAL_NAME.sub("", node.value))
            added.append(triple(node, p_ident, ids[node]))
        if node not in titles:
            title = schema_titles.get(node) or (labels.get(node) if node not in persons else None)
            if title is not None:
                titles[node] = ox.Literal(title.value)
                added.append(triple(node, p_title, titles[node]))
        name = names.get(holder[node]) if node in holder else names.get(node)
        if name is not None and fold(name.value):
            # one holder with one name: its key is left out when readers derive it (kg.names.stored_key)
            alone = node in holder and holds[node] == 1 and named.get(holder[node], 1) == 1
            key = stored_key(name.value) if alone else fold(name.value)
            if key is not None:
                added.append(triple(node, p_key, ox.Literal(key)))
        if matcher is not None and node in titles and node not in roles:
            role = matcher.match(titles[node].value)
            if role:
                added.append(triple(node, p_role, ox.NamedNode(role)))
    read.add(added)
    spool.write(added)

    def label(term: Any) -> str:
        ident = ids.get(term)
        return ident.value if ident is not None else getattr(term, "value", str(term))

    report.units = len(read.typed(ORG.OrganizationalUnit) | read.typed(ORG.Organization))
    report.dotted = len(read.pairs(PO.dottedLineReportsTo))
    report.dangling = [{"id": label(a), "manager": label(b)} for a, b in reports
                       if isinstance(b, ox.NamedNode) and b not in described]
    return in_chart | {n for n in typed_posts if isinstance(n, ox.NamedNode)}


def _summarize(rows: Rows, report: LoadReport) -> None:
    """Fill ``report`` with what the forest of ``rows`` says (posts, people, edges, roots, cycles)."""
    forest = rows.forest()
    counts = forest.counts()
    report.posts, report.groups, report.named_people = counts["posts"], counts["groups"], counts["named_people"]
    report.edges = forest.edge_count
    shown = {r[0]: r[1] or r[0] for r in rows.nodes}
    report.roots = [shown[r] for r in forest.roots()]
    report.cycles = [[shown[i] for i in cycle] for cycle in forest.cycles]
    report.bad_managers = [{"id": shown.get(a, a), "manager": m} for a, m in rows.bad_managers]


# FOREST_QUERY's variables of a node, by the predicate that gives them.
_NODE_VALUES = {PO.identifier: "id", FOAF.name: "own", PO.jobTitle: "title", PO.postStatus: "status",
                PO.headcount: "fte", PO.grade: "grade", PO.sourceRow: "row"}
_KINDS = (FOAF.Person, PO.PostGroup)


def _forest_rows(read: _Read, chart: set[Any], matcher: TitleMatcher | None = None) -> Rows:
    """The rows :func:`kg.reading.sparql_forest_rows` (and :func:`kg.reading.sparql_dotted`) read from the
    completed graph and the ontology (the role labels ``matcher`` holds), built from the kept triples: chart
    nodes (``chart``: every IRI that reports or is reported to, every post), with their values
    (:func:`kg.reading.node_row`), solid lines between IRIs, managers that are not IRIs, dotted lines."""
    rows = Rows()
    values: dict[Any, dict[str, list[str]]] = {n: {} for n in chart}
    blank = ox.BlankNode

    def keep(var: str, subjects: Iterable[Any], objects: Iterable[Any]) -> None:
        for subject, obj in zip(subjects, objects, strict=True):
            found = values.get(subject)
            if found is not None:
                value = obj.value if type(obj) is not blank else term_value(obj)
                if var in found:
                    found[var].append(value)
                else:
                    found[var] = [value]

    for predicate, var in _NODE_VALUES.items():
        keep(var, *read.triples[predicate])
    kinds = {ox.NamedNode(k) for k in _KINDS}
    typed = [(s, o) for s, o in zip(*read.triples[RDF.type], strict=True) if o in kinds]
    keep("type", [s for s, _ in typed], [o for _, o in typed])
    keep("name", *_through(read.triples[ORG.heldBy], [read.triples[FOAF.name]]))
    keep("unit", *_through(read.triples[ORG.postIn], [read.triples[SKOS.prefLabel], read.triples[RDFS.label]]))
    ontology: tuple[list[Any], list[Any]] = ([], [])
    for thing, labels in (matcher.pref_labels.items() if matcher is not None else ()):
        ontology[0].extend([ox.NamedNode(thing)] * len(labels))
        ontology[1].extend(ox.Literal(label) for label in labels)
    keep("role", *_through(read.triples[PO.hasRole], [read.triples[SKOS.prefLabel], ontology]))
    held = [(s, o) for s, o in zip(*read.triples[ORG.heldBy], strict=True) if isinstance(o, ox.NamedNode)]
    keep("holder", [s for s, _ in held], [o for _, o in held])
    rows.dotted = sorted({(s.value, o.value) for s, o in zip(*read.triples[PO.dottedLineReportsTo], strict=True)
                          if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode)})
    edges: set[tuple[str, str]] = set()
    for report, manager in zip(*read.triples[ORG.reportsTo], strict=True):
        if isinstance(report, ox.NamedNode):
            if isinstance(manager, ox.NamedNode):
                edges.add((report.value, manager.value))
            else:
                rows.bad_managers.append((report.value, term_value(manager) or ""))
    rows.nodes = sorted(node_row(n.value, found) for n, found in values.items())
    rows.edges = sorted(edges)
    rows.bad_managers = sorted(set(rows.bad_managers))
    return rows


def _through(links: tuple[list[Any], list[Any]],
             hops: list[tuple[list[Any], list[Any]]]) -> tuple[list[Any], list[Any]]:
    """(a, c) for every a -> b of ``links`` and b -> c of any of ``hops``: a two-step path, as parallel lists."""
    ends: dict[Any, list[Any]] = {}
    for subjects, objects in hops:
        for b, c in zip(subjects, objects, strict=True):
            ends.setdefault(b, []).append(c)
    starts: list[Any] = []
    out: list[Any] = []
    for a, b in zip(*links, strict=True):
        for c in ends.get(b, ()):
            starts.append(a)
            out.append(c)
    return starts, out
