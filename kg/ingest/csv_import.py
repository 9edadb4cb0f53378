"""CSV importer: HR-system and org-chart-tool exports with a manager column, in the shapes real files come in.

Every data row becomes an ``org:Post`` (the position), held by a ``foaf:Person`` when the row names a real
person; placeholder names (N/D, Vacant, Eliminated) make a post with a status and no holder. Reporting lines
go between posts. Junior rows of UK organograms (headcount per grade, no id) become ``po:PostGroup`` posts
attached to their senior post.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from kg.errors import InputError
from kg.forest import GROUP, POST, Forest, NodeRow, Rows, node
from kg.ingest.checks import LoadReport
from kg.ingest.photos import WEB, photo_uri
from kg.ingest.titles import TitleMatcher
from kg.names import FILLED, STATUS_CONCEPTS, VACANT, clean_cell, fold, has_word, post_status, stored_key
from kg.vocab import FOAF, ORG, PO, PO_ID, RDF, RDFS, SCHEMA, SKOS, XSD

FIELDS = ("id", "manager", "name", "first_name", "last_name", "title", "unit", "fte", "dotted", "grade", "org",
          "profession", "pay_min", "pay_max", "photo")

# Header names (folded, spaces removed) that identify each field, most specific first.
_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("postuniquereference", "employeeid", "employeeno", "employeenumber", "empid", "empno", "staffid",
           "personid", "workerid", "positionid", "postid", "uniqueid", "userid", "nodeid", "id", "key"),
    "manager": ("reportstoseniorpost", "reportingseniorpost", "parentid", "pid", "managerid", "reportstoid",
                "reportsto", "supervisorid", "linemanagerid", "bossid", "managerempid", "manageremployeeid",
                "manager", "linemanager", "supervisor", "managername", "reportstoname", "parent", "boss"),
    "name": ("name", "fullname", "employeename", "displayname", "personname", "employee"),
    "first_name": ("firstname", "givenname", "forename"),
    "last_name": ("lastname", "surname", "familyname"),
    "title": ("jobtitle", "title", "positionname", "position", "positiontitle", "generic job title",
              "genericjobtitle", "designation", "role", "jobname"),
    "unit": ("unit", "department", "departmentname", "dept", "team", "division", "businessunit", "area",
             "orgunit", "group"),
    "fte": ("numberofpostsinfte", "numberofpostsfte", "fte", "headcount"),
    "dotted": ("dottedlinemanagerid", "dottedlinemanager", "dottedline", "dottedlinereportsto",
               "matrixmanagerid", "matrixmanager", "secondarymanagerid", "secondarymanager"),
    "grade": ("grade", "gradeorequivalent", "level", "band", "paygrade"),
    "org": ("organisation", "organization", "organizationreference", "company"),
    "profession": ("professionaloccupationalgroup", "profession", "professionalgroup", "occupationalgroup"),
    "pay_min": ("payscaleminimum", "actualpayfloor", "payfloor", "payminimum", "salaryminimum", "minpay"),
    "pay_max": ("payscalemaximum", "actualpayceiling", "payceiling", "paymaximum", "salarymaximum", "maxpay"),
    "photo": ("photo", "image", "imageurl", "avatar", "picture", "photourl", "avatarurl"),
}
# Manager cells that mean "no manager" (the top of a tree), unless some row has that id: then it is a reference.
TOP_MARKERS = frozenset({"", "xx", "none", "null", "n/a", "na", "-", "--", "root", "top", "#n/a", "0"})
FTE_LIMIT = Decimal(1_000_000)  # one row (a junior group) never stands for more FTE than this
PAY_LIMIT = Decimal(1_000_000_000)  # a pay band bound, in the file's currency
_PLACEHOLDER_UNITS = {"", "n/a", "na", "-", "none"}


@dataclass
class CsvOptions:
    """How to read a CSV file; everything is detected unless given."""

    mapping: dict[str, str] = field(default_factory=dict)  # field -> column header (overrides detection)
    normalize_ids: bool = False
    org: str | None = None  # namespace of the minted IRIs (defaults to the Organisation column or file name)
    encoding: str | None = None
    delimiter: str | None = None


@dataclass(slots=True)  # a million of them at once: slots keep each row ~0.4 KB smaller
class _Row:
    number: int  # 1-based data row
    id: str
    manager: str
    dotted: str
    name: str
    title: str
    unit: str
    fte: str
    grade: str
    profession: str
    pay_min: str
    pay_max: str
    photo: str
    extras: list[tuple[int, str]]


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding used: UTF-8 (BOM or not), else Windows-1252, else Latin-1."""
    try:
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a folder, not a file") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    if not data.strip():
        raise InputError(f"{path}: the file is empty; export the data again with a header row and rows")
    utf16 = not encoding and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in data[:65536] and not utf16 and not (encoding or "").lower().startswith("utf-16"):
        raise InputError(f"{path}: looks like a binary file, not CSV text; export it as CSV (UTF-8)")
    candidates = [encoding] if encoding else (["utf-16"] if utf16 else ["utf-8-sig", "cp1252", "latin-1"])
    for enc in candidates:
        try:
            return data.decode(enc), ("utf-8" if enc == "utf-8-sig" else enc)
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError(f"{path}: cannot decode the file as {encoding}; check --encoding")


def _detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header_key(name: str) -> str:
    return fold(name).replace(" ", "")


def detect_columns(headers: list[str], overrides: dict[str, str] | None = None) -> dict[str, int]:
    """Map each known field to a column index, from the header names (``overrides``: field -> header).

    >>> cols = detect_columns(["EmployeeId", "LastName", "FirstName", "Title", "ReportsTo"])
    >>> cols["id"], cols["manager"], cols["first_name"], cols["title"]
    (0, 4, 2, 3)
    >>> detect_columns(["id", "pid", "name"])["manager"]
    1
    """
    keys = [_header_key(h) for h in headers]
    found: dict[str, int] = {}
    for fld, column in (overrides or {}).items():
        if fld not in FIELDS:
            raise InputError(f"--map {fld}=...: unknown field '{fld}'; fields are: {', '.join(FIELDS)}")
        if column in headers:
            found[fld] = headers.index(column)
        elif _header_key(column) in keys:
            found[fld] = keys.index(_header_key(column))
        else:
            raise InputError(f"--map {fld}={column}: no column '{column}'; columns are: {', '.join(headers)}")
    taken = set(found.values())
    for fld in FIELDS:
        if fld in found:
            continue
        for alias in _HEADER_ALIASES[fld]:
            alias_key = alias.replace(" ", "")
            if alias_key in keys and keys.index(alias_key) not in taken:
                found[fld] = keys.index(alias_key)
                taken.add(found[fld])
                break
    return found


def _parse_rows(path: Path, text: str, delimiter: str | None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows (with the line each starts on) of a CSV text.

    Python's csv module lets an unbalanced quote swallow the rows after it into one cell (and at the end of
    the text, without a final newline, it silently closes the quote): every record that spans several lines,
    and the last record, are re-read by :func:`quote_problem`, so a broken quote is an error naming its row
    whatever it swallowed.
    """
    delim = delimiter or _detect_delimiter(_first_line(text))
    record: list[list[str]] = [[]]  # the physical lines of the record being read (csv pulls no more)

    def feed() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            record[0].append(line)
            yield line

    reader = csv.reader(feed(), delimiter=delim)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    previous_line = 0
    last: tuple[int, list[str]] = (0, [])
    try:
        for cells in reader:
            start_line = previous_line + 1
            previous_line = reader.line_num
            raw, record[0] = record[0], []
            last = (start_line, raw)
            if len(raw) > 1:
                problem = quote_problem("".join(raw), delim, len(header) if header else len(cells), False)
                if problem:
                    _refuse_quote(path, len(rows) + 1 if header else 0, start_line, problem)
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = cells
                continue
            rows.append((start_line, cells))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise InputError(
                f"{path}: line {reader.line_num}: a cell is longer than {csv.field_size_limit():,} "
                "characters; kg refuses cells that long (an unclosed quote, or a column holding a document?)"
            ) from exc
        raise InputError(f"{path}: line {reader.line_num}: malformed CSV ({exc}); fix the quoting") from exc
    if header is None:
        raise InputError(f"{path}: the file is empty; export the data again with a header row and rows")
    problem = quote_problem("".join(last[1]), delim, len(header), True)
    if problem:
        _refuse_quote(path, len(rows), last[0], problem)
    return header, rows


def _first_line(text: str) -> str:
    """The first line of ``text`` that is not blank (lines as ``str.splitlines`` cuts them), without cutting
    the whole text into lines (a million-row file would hold a million line strings at once).

    >>> _first_line("\\n  \\nid,name\\n1,Ann\\n"), _first_line(""), _first_line("a;b")
    ('id,name', '', 'a;b')
    """
    size = 1 << 16
    while True:
        lines = text[:size].splitlines()
        if size < len(text):
            lines = lines[:-1]  # the last line may be cut here
        found = next((ln for ln in lines if ln.strip()), None)
        if found is not None or size >= len(text):
            return found or ""
        size *= 4


def _refuse_quote(path: Path, row: int, line: int, problem: str) -> None:
    where = f"row {row} (line {line})" if row else f"the header (line {line})"
    raise InputError(f"{path}: {where}: {problem}; fix the quote and load again")


def quote_problem(raw: str, delim: str, width: int, at_end: bool) -> str | None:
    r"""Why the quoting of one CSV record (its raw text) is broken, or None when it is sound.

    Broken: a quote still open at the end of the text (``at_end``: the record is the file's last); a quoted
    cell spanning lines whose closing quote is followed by more text (the quote that closed it belonged to a
    later row); a quoted cell spanning lines that holds a whole row (a line with the header's number of
    cells, and at least ``_ROW_SHAPED`` + 1, so that text with a few commas over lines is not taken for rows).
    Quotes inside unquoted cells are text, as the csv module reads them.

    >>> quote_problem('2,"Bob,CTO,1\n3,Cy,Engineer,1', ",", 4, True)
    'a quote is never closed, so the next 1 line(s) were read as one cell'
    >>> quote_problem('2,"Bob\nStone",CTO,1\n', ",", 4, False) is None
    True
    >>> quote_problem('2,"Bob,1\n3,Cy,1\n4,"Di",1\n', ",", 3, False)
    'a quote is never closed, so the next 2 line(s) were read as one cell'
    """
    n = len(raw)
    i = 0
    while i <= n:
        if i < n and raw[i] == '"':  # a quoted cell: find its closing quote ("" is an escaped quote)
            j = i + 1
            while True:
                j = raw.find('"', j)
                if j == -1:
                    if not at_end:
                        return None  # the csv module read further: only the last record can end open
                    return _swallowed(raw[i:])
                if j + 1 < n and raw[j + 1] == '"':
                    j += 2
                    continue
                break
            cell = raw[i + 1:j]
            after = raw[j + 1:j + 2]
            if ("\n" in cell or "\r" in cell) and (
                    after not in ("", delim, "\n", "\r")
                    or any(line.count(delim) >= max(width - 1, _ROW_SHAPED) for line in cell.splitlines()[1:])):
                return _swallowed(cell)
            i = j + 1
        # skip to the next cell (text up to the delimiter; a newline outside quotes ends the record)
        k = raw.find(delim, i)
        if k == -1:
            return None
        i = k + 1
    return None


_ROW_SHAPED = 5  # delimiters a line inside a quoted cell needs (at least) to be read as a swallowed row


def _swallowed(text: str) -> str:
    count = text.count("\n") or text.count("\r")
    return f"a quote is never closed, so the next {count} line(s) were read as one cell"


def _norm_id(value: str, normalize: bool) -> str:
    if not normalize:
        return value
    stripped = value.lstrip("0") or ("0" if value else "")
    return stripped.casefold()


class _Minter:
    """IRIs for the posts, people and units of one organization."""

    def __init__(self, org_slug: str) -> None:
        self.base = f"{PO_ID}{quote(org_slug, safe='')}/"

    def post(self, ident: str) -> str:
        return f"{self.base}post/{quote(ident, safe='')}"

    def person(self, ident: str) -> str:
        return f"{self.base}person/{quote(ident, safe='')}"

    def person_of(self, post: str) -> str:
        """The IRI of the person holding the post minted as ``post`` (the same local id).

        >>> m = _Minter("acme")
        >>> m.person_of(m.post("E 1")) == m.person("E 1")
        True
        """
        return f"{self.base}person/{post[len(self.base) + 5:]}"

    def unit(self, name: str) -> str:
        return f"{self.base}unit/{quote(fold(name).replace(' ', '-') or 'unit', safe='')}"

    def column(self, header: str) -> str:
        return f"{self.base}column/{quote(fold(header).replace(' ', '-') or 'column', safe='')}"


def slug(text: str) -> str:
    """A readable IRI segment.

    >>> slug("Higher Education Funding Council for England")
    'higher-education-funding-council-for-england'
    """
    return fold(text).replace(" ", "-") or "org"


def import_csv(
    path: Path,
    options: CsvOptions,
    matcher: TitleMatcher | None,
    known_posts: Callable[[list[str]], set[str]] | None = None,
    chart: Rows | None = None,
) -> tuple[LoadReport, Iterator[bytes]]:
    """Read and check a CSV file; return its load report and its triples as N-Triples chunks.

    ``known_posts`` answers which post IRIs already exist in the store (references to other sources, such as
    a junior organogram file pointing at senior posts, are not dangling). When ``chart`` is given, the
    reporting forest's rows (:class:`kg.forest.Rows`) are added to it for the chart index.
    """
    text, encoding = read_text(path, options.encoding)
    header, raw_rows = _parse_rows(path, text, options.delimiter)
    del text  # the rows hold what is needed: at a million rows, the text is ~0.1 GB more at the peak
    headers = [h.strip() or f"column_{i + 1}" for i, h in enumerate(header)]
    cols = detect_columns(headers, options.mapping)
    if "manager" not in cols:
        raise InputError(
            f"{path}: no manager column found among: {', '.join(headers)}; "
            "name it with --map manager=COLUMN"
        )
    if not raw_rows:
        raise InputError(f"{path}: has a header but no data rows")
    has_ids = "id" in cols
    if not has_ids and "name" not in cols and "title" not in cols and "first_name" not in cols:
        raise InputError(
            f"{path}: no id, name or title column found among: {', '.join(headers)}; "
            "name them with --map id=COLUMN --map name=COLUMN"
        )

    def cell(cells: list[str], fld: str) -> str:
        i = cols.get(fld)
        return clean_cell(cells[i]) if i is not None and i < len(cells) else ""

    # the columns of _Row's fields manager, dotted, then title to photo
    at = [cols.get(fld) for fld in ("manager", "dotted", "title", "unit", "fte", "grade", "profession", "pay_min",
                                    "pay_max", "photo")]
    used = set(cols.values())
    extra_cols = [i for i in range(len(headers)) if i not in used]
    rows: list[_Row] = []
    for number, (_line, cells) in enumerate(raw_rows, start=1):
        name = cell(cells, "name")
        if not name and ("first_name" in cols or "last_name" in cols):
            name = " ".join(p for p in (cell(cells, "first_name"), cell(cells, "last_name")) if p)
        ident = cell(cells, "id")
        if not has_ids:
            ident = f"row-{number}"  # the file's rows have no ids: its row number (IRIs add the file name)
        elif not ident:
            raise InputError(
                f"{path}: row {number}: the id column '{headers[cols['id']]}' is empty; "
                "give every row an id (or --map id=COLUMN)"
            )
        extras = [(i, cells[i].strip()) for i in extra_cols if i < len(cells) and cells[i].strip()]
        extras += [(len(headers) + j, c.strip()) for j, c in enumerate(cells[len(headers):]) if c.strip()]
        width = len(cells)
        values = [clean_cell(cells[i]) if i is not None and i < width else "" for i in at]  # what cell() gives
        rows.append(_Row(number, ident, values[0], values[1], name, *values[2:], extras))
    extra_headers = headers + [f"column_{i + 1}" for i in range(len(headers), max(
        [len(c) for _, c in raw_rows] + [len(headers)]))]

    org_slug = options.org or (slug(cell(raw_rows[0][1], "org")) if cell(raw_rows[0][1], "org") else None)
    del raw_rows  # now in ``rows``
    minter = _Minter(org_slug or slug(path.stem))
    report = LoadReport(source=path.name, path=str(path.resolve()), format="csv", encoding=encoding,
                        rows=len(rows), columns={f: headers[i] for f, i in sorted(cols.items(), key=lambda x: x[1])})

    # Ids: exact strings unless --normalize-ids. Duplicates keep the first row's IRI; later rows get their own.
    norm = options.normalize_ids
    first_row: dict[str, _Row] = {}
    post_iri: dict[int, str] = {}
    for row in rows:
        key = _norm_id(row.id, norm)
        if key in first_row:
            report.duplicate_ids.append(row.id)
            local = f"{row.id}~row{row.number}"
        else:
            first_row[key] = row
            local = key if norm else row.id
        if not has_ids:
            local = f"{slug(path.stem)}-{local}"
        post_iri[row.number] = minter.post(local)

    # A manager column holding names (Visio-style) instead of ids.
    # Made only when needed (a marker, or references that are not all ids): folding every name costs ~1 s and
    # ~0.2 GB at a million rows.
    @functools.cache
    def by_name() -> dict[str, list[_Row]]:
        out: dict[str, list[_Row]] = {}
        for row in rows:
            if row.name:
                out.setdefault(fold(row.name), []).append(row)
        return out

    @functools.cache
    def named(folded: str) -> bool:
        """Whether a row's name folds to ``folded``."""
        if not folded:  # a blank marker: only a name without letters or digits folds to nothing
            return any(not has_word(r.name) for r in rows if r.name)
        return folded in by_name()

    def top_marker(ref: str) -> bool:
        """A manager cell that means "no manager": a marker (XX, root, 0, blank...) that no row has as id."""
        return ref.lower() in TOP_MARKERS and _norm_id(ref, norm) not in first_row and not named(fold(ref))

    refs = [r.manager for r in rows if r.manager and not top_marker(r.manager)]
    id_hits = sum(1 for r in refs if _norm_id(r, norm) in first_row)
    # names can outnumber ids only when some references are not ids
    name_hits = sum(1 for r in refs if fold(r) in by_name()) if id_hits < len(refs) else 0
    manager_by_name = name_hits > id_hits and name_hits >= 0.5 * max(1, len(refs))
    report.manager_by_name = manager_by_name
    # Rows without ids whose manager column holds post ids of another file: UK organogram junior staff.
    junior = not has_ids and not manager_by_name
    report.groups = len(rows) if junior else 0

    def resolve(ref: str, row: _Row) -> tuple[str | None, str | None]:
        """(manager post IRI, problem) for a manager reference; (None, None) for a top marker."""
        if top_marker(ref):
            return None, None
        if manager_by_name:
            hits = by_name().get(fold(ref), [])
            if len(hits) == 1:
                target = hits[0]
                return (None, None) if target is row else (post_iri[target.number], None)
            return None, ("ambiguous" if hits else "dangling")
        key = _norm_id(ref, norm)
        if key in first_row:
            target = first_row[key]
            if target is row or (key == _norm_id(row.id, norm) and not junior):
                return None, None  # reports to itself: the top of the tree
            return post_iri[target.number], None
        return minter.post(key if norm else ref), "dangling"

    managers: dict[int, str | None] = {}
    dotted: dict[int, str] = {}
    dangling: list[tuple[int, str, str]] = []
    markers: Counter[str] = Counter()
    for row in rows:
        target, problem = resolve(row.manager, row)
        managers[row.number] = target
        if problem:
            dangling.append((row.number, row.id, row.manager))
        elif target is None and top_marker(row.manager):
            markers[row.manager] += 1
        if row.dotted:
            d_target, d_problem = resolve(row.dotted, row)
            if d_target and not d_problem:
                dotted[row.number] = d_target
            elif d_problem:
                report.warnings.append(f"row {row.number}: dotted-line manager '{row.dotted}' not found")
    report.top_markers = dict(markers.most_common())

    # References to posts that other loaded sources define are not dangling.
    if dangling and known_posts and not manager_by_name:
        present = known_posts([managers[n] or minter.post(_norm_id(ref, norm) if norm else ref)
                               for n, _, ref in dangling])
        dangling = [d for d in dangling
                    if minter.post(_norm_id(d[2], norm) if norm else d[2]) not in present]
    dangling_rows = {n for n, _, _ in dangling}
    for n in dangling_rows:
        if manager_by_name:
            managers[n] = None
    report.dangling = [{"row": n, "id": i, "manager": ref} for n, i, ref in dangling]
    if dangling and not norm:
        folded = {_norm_id(k, True) for k in first_row}
        fixable = sum(1 for _, _, ref in dangling if _norm_id(ref, True) in folded)
        if fixable:
            report.warnings.append(
                f"{fixable} of {len(dangling)} dangling manager references would resolve with "
                "--normalize-ids (ids differing only by leading zeros or letter case)"
            )

    # What each row says: its status (None for a group: not a person, not a vacancy) and its FTE.
    statuses = {r.number: None if junior else post_status(r.name) for r in rows}
    report.statuses = dict(sorted(Counter(s for s in statuses.values() if s is not None).items()))
    fte = _numbers(rows, "fte", FTE_LIMIT, headers[cols["fte"]] if "fte" in cols else "", report)
    if fte:
        report.fte = float(sum(fte.values()))
    photos = _photos(rows, path.parent, headers[cols["photo"]] if "photo" in cols else "", report)

    # Structure: roots, cycles and lines of the file's own forest (posts of other sources it names count).
    rows_out = chart if chart is not None else Rows()
    rows_out.nodes.extend(_forest_row(r, post_iri[r.number], statuses[r.number], fte.get(r.number), junior,
                                      path.name, matcher, minter) for r in rows)
    rows_out.edges.extend((post_iri[n], m) for n, m in managers.items() if m is not None)
    rows_out.dotted.extend((post_iri[n], m) for n, m in dotted.items())
    own = {post_iri[r.number] for r in rows}
    external = {m for n, m in managers.items() if m is not None and m not in own and n not in dangling_rows}
    forest = Forest(rows_out.nodes + [node(m) for m in external], rows_out.edges)
    ids = {post_iri[r.number]: r.id for r in rows}
    report.roots = [ids[i] for i in forest.roots() if i in ids]
    report.cycles = [[ids.get(i, i) for i in cycle] for cycle in forest.cycles]
    report.edges = forest.edge_count
    own_counts = Forest(rows_out.nodes, []).counts()
    report.posts, report.groups, report.named_people = (own_counts["posts"], own_counts["groups"],
                                                        own_counts["named_people"])
    report.dotted = len(dotted)

    chunks = _triples(rows, post_iri, managers, dotted, minter, matcher, junior, extra_headers,
                      statuses, fte, photos, report)
    return report, chunks


_NUMBER = re.compile(r"\+?(?:\d{1,15}(?:\.\d{0,15})?|\.\d{1,15})(?:[eE][+-]?\d{1,2})?")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def parse_number(text: str, limit: Decimal) -> Decimal | None:
    """A number between 0 and ``limit`` from a cell (thousands commas or a decimal comma allowed), else None.

    Checked by its shape before Python reads it, so a cell such as ``1e999999999`` costs nothing.

    >>> parse_number("0.64", FTE_LIMIT), parse_number("1,967.54", FTE_LIMIT), parse_number("0,5", FTE_LIMIT)
    (Decimal('0.64'), Decimal('1967.54'), Decimal('0.5'))
    >>> [parse_number(t, FTE_LIMIT) for t in ("1e999999999", "-1", "N/D", "2000000", "nan", "")]
    [None, None, None, None, None, None]
    """
    cell = text.strip()
    if _THOUSANDS.fullmatch(cell):
        cell = cell.replace(",", "")
    elif cell.count(",") == 1 and "." not in cell:
        cell = cell.replace(",", ".")
    if len(cell) > 40 or not _NUMBER.fullmatch(cell):
        return None
    value = Decimal(cell)
    return value if 0 <= value <= limit else None


def _numbers(rows: list[_Row], fld: str, limit: Decimal, column: str, report: LoadReport) -> dict[int, Decimal]:
    """The numbers of one field by row; a cell that is not such a number is a defect reported with its row."""
    out: dict[int, Decimal] = {}
    for row in rows:
        text = getattr(row, fld)
        if not text:
            continue
        value = parse_number(text, limit)
        if value is None:
            report.defects.append({"row": row.number, "id": row.id, "column": column,
                                   "value": text if len(text) <= 40 else text[:37] + "...",
                                   "problem": f"not a number between 0 and {limit:,}"})
        else:
            out[row.number] = value
    return out


def _photos(rows: list[_Row], folder: Path, column: str, report: LoadReport) -> dict[int, str]:
    """The photos of the rows as data URIs; web addresses are counted (never fetched), bad cells are defects."""
    out: dict[int, str] = {}
    for row in rows:
        if not row.photo:
            continue
        uri, problem = photo_uri(row.photo, folder)
        if uri is not None:
            out[row.number] = uri
        elif problem == WEB:
            report.photos_not_embedded += 1
        else:
            report.defects.append({"row": row.number, "id": row.id, "column": column,
                                   "value": row.photo if len(row.photo) <= 40 else row.photo[:37] + "...",
                                   "problem": problem})
    report.photos = len(out)
    return out


def _forest_row(row: _Row, iri: str, status: str | None, fte: Decimal | None, junior: bool,
                source: str, matcher: TitleMatcher | None, minter: _Minter) -> NodeRow:
    """The forest's node row of a data row (see :class:`kg.forest.Node`; the values
    :func:`kg.reading.node_row` reads from the triples :func:`_triples` writes)."""
    unit = row.unit if row.unit.lower() not in _PLACEHOLDER_UNITS else None
    role = matcher.role_label(matcher.match(row.title)) if matcher is not None and row.title else None
    return (iri, row.id, row.name if status == FILLED else None, row.title or None, status, unit,
            float(fte) if fte is not None else None, GROUP if junior else POST, row.grade or None, row.number,
            role, minter.person_of(iri) if status == FILLED else None, source)


def _lit(value: str) -> str:
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
    return f'"{escaped}"'


def _decimal(value: Decimal) -> str:
    """An xsd:decimal literal (values come from :func:`parse_number`: bounded, so formatting is cheap)."""
    return f'"{format(value, "f")}"^^<{XSD.decimal}>'


def _triples(rows: list[_Row], post_iri: dict[int, str], managers: dict[int, str | None],
             dotted: dict[int, str], minter: _Minter, matcher: TitleMatcher | None, junior: bool,
             headers: list[str], statuses: dict[int, str | None], fte: dict[int, Decimal],
             photos: dict[int, str], report: LoadReport) -> Iterator[bytes]:
    """N-Triples for the rows, yielded in chunks (the report's counters are filled as rows are written)."""
    a, label = f"<{RDF.type}>", f"<{RDFS.label}>"
    p_ident, p_title, p_role = f"<{PO.identifier}>", f"<{PO.jobTitle}>", f"<{PO.hasRole}>"
    p_reports = f"<{ORG.reportsTo}>"  # the solid line (po:solidLineReportsTo is not repeated: see the ontology)
    p_dotted, p_postin = f"<{PO.dottedLineReportsTo}>", f"<{ORG.postIn}>"
    p_held, p_name = f"<{ORG.heldBy}>", f"<{FOAF.name}>"
    p_key, p_row, p_status = f"<{PO.searchKey}>", f"<{PO.sourceRow}>", f"<{PO.postStatus}>"
    p_fte, p_grade, p_prof = f"<{PO.headcount}>", f"<{PO.grade}>", f"<{PO.profession}>"
    p_pay = {"pay_min": f"<{PO.payBandMinimum}>", "pay_max": f"<{PO.payBandMaximum}>"}
    c_post, c_person = f"<{ORG.Post}>", f"<{FOAF.Person}>"
    c_unit = f"<{ORG.OrganizationalUnit}>"
    status_iri = {s: f"<{PO[c]}>" for s, c in STATUS_CONCEPTS.items()}
    units_done: set[str] = set()
    unit_iri: dict[str, str] = {}
    columns_done: set[int] = set()
    unmatched: Counter[str] = Counter()
    out: list[str] = []

    def extra(post: str, i: int, value: str) -> None:
        column = minter.column(headers[i])
        out.append(f"{post} <{column}> {_lit(value)} .\n")
        if i not in columns_done:
            columns_done.add(i)
            out.append(f"<{column}> {label} {_lit(headers[i])} .\n")

    pay_columns = {fld: headers.index(report.columns[fld]) for fld in p_pay if fld in report.columns}
    rows.reverse()  # taken from the end, in file order: each row is freed once written (the writers use the memory)
    while rows:
        row = rows.pop()
        post = f"<{post_iri[row.number]}>"
        out.append(f"{post} {a} {c_post} .\n{post} {p_ident} {_lit(row.id)} .\n{post} {p_row} "
                   f'"{row.number}"^^<{XSD.integer}> .\n')
        if junior:
            out.append(f"{post} {a} <{PO.PostGroup}> .\n")
        if row.title:
            out.append(f"{post} {p_title} {_lit(row.title)} .\n")
            role = matcher.match(row.title) if matcher else None
            if role:
                out.append(f"{post} {p_role} <{role}> .\n")
            else:
                unmatched[row.title] += 1
        manager = managers[row.number]
        if manager:
            out.append(f"{post} {p_reports} <{manager}> .\n")
        if row.number in dotted:
            out.append(f"{post} {p_dotted} <{dotted[row.number]}> .\n")
        if row.unit and row.unit.lower() not in _PLACEHOLDER_UNITS:
            unit = unit_iri.get(row.unit)
            if unit is None:  # a unit's IRI is minted once per spelling, not once per row
                unit = unit_iri[row.unit] = minter.unit(row.unit)
            out.append(f"{post} {p_postin} <{unit}> .\n")
            if unit not in units_done:
                units_done.add(unit)
                out.append(f"<{unit}> {a} {c_unit} .\n<{unit}> <{SKOS.prefLabel}> {_lit(row.unit)} .\n")
        if row.number in fte:
            out.append(f"{post} {p_fte} {_decimal(fte[row.number])} .\n")
        if row.grade:
            out.append(f"{post} {p_grade} {_lit(row.grade)} .\n")
        if row.profession:
            out.append(f"{post} {p_prof} {_lit(row.profession)} .\n")
        if row.number in photos:
            out.append(f"{post} <{SCHEMA.image}> {_lit(photos[row.number])} .\n")
        for fld, column_index in pay_columns.items():
            text = getattr(row, fld)
            pay = parse_number(text, PAY_LIMIT) if text else None
            if pay is not None:
                out.append(f"{post} {p_pay[fld]} {_decimal(pay)} .\n")
            elif text:  # "N/D" and the like: kept verbatim under the file's own column
                extra(post, column_index, text)
        for i, value in row.extras:
            extra(post, i, value)
        status = statuses[row.number]
        if status == FILLED:
            person = f"<{minter.person_of(post_iri[row.number])}>"
            out.append(f"{person} {a} {c_person} .\n{person} {p_name} {_lit(row.name)} .\n"
                       f"{post} {p_held} {person} .\n")
            key = stored_key(row.name)  # most names' key is their lower case: readers derive it
            if key is not None:
                out.append(f"{post} {p_key} {_lit(key)} .\n")
        elif status is not None:
            out.append(f"{post} {p_status} {status_iri[status]} .\n")
            if status == VACANT:
                out.append(f"{post} {a} <{PO.VacantPost}> .\n")
        if len(out) >= 4000:
            yield "".join(out).encode()
            out.clear()
    report.units = len(units_done)
    report.unmatched_titles = dict(unmatched.most_common())
    if out:
        yield "".join(out).encode()
