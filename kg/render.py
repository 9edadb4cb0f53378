"""Rendering rows as text tables, JSON or spreadsheet-safe CSV (used by the CLI and the exports)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will show as text, never run as a formula.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-1+2"), safe_cell(-3), safe_cell(None)
    ('\\'=HYPERLINK("http://x")', "'-1+2", '-3', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str], delimiter: str = ",") -> str:
    """Rows as CSV with a header, every cell formula-safe; a row with a line break in a cell has it quoted.

    >>> to_csv([{"id": "E1", "note": "one\\rtwo"}, {"id": "E2", "note": "=1+1"}], ["id", "note"]).split("\\n")
    ['id,note', '"E1","one\\rtwo"', "E2,'=1+1", '']
    """
    out = io.StringIO()
    writers = _csv_writers(out, delimiter)
    writers[0].writerow(columns)
    _write_rows(writers, ([safe_cell(_flat(row.get(c))) for c in columns] for row in rows))
    return out.getvalue()


def _csv_writers(out: io.StringIO, delimiter: str = ",") -> tuple[Any, Any]:
    """Two csv writers onto ``out`` with ``\\n`` line ends: the usual one (a cell quoted when it needs it) and
    one that quotes every cell, for :func:`_write_rows`."""
    return (csv.writer(out, delimiter=delimiter, lineterminator="\n"),
            csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL))


def _write_rows(writers: tuple[Any, Any], rows: Iterable[Sequence[str]]) -> None:
    """Rows of text cells, each row with every cell quoted when one holds a carriage return: the csv module
    quotes a cell only for the characters of its line terminator (``\\n`` here), and an unquoted ``\\r`` ends
    the row for spreadsheets and CSV readers, which would start a new row, perhaps with a formula, where the
    cell's text goes on."""
    usual, quoted = writers
    for cells in rows:
        (quoted if any("\r" in c for c in cells) else usual).writerow(cells)


def to_json(data: Any) -> str:
    """JSON text; indented for people, except long arrays (json's fast C encoder does not indent)."""
    big = isinstance(data, list) and len(data) > 1000
    return json.dumps(data, ensure_ascii=False, indent=None if big else 2, default=str) + "\n"


def _flat(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("name") or value.get("id") or value.get("iri")
    if isinstance(value, list):
        return "; ".join(str(_flat(v)) for v in value)
    return value


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
               for c in text)


def terminal_safe(value: Any) -> str:
    """Text that cannot drive a terminal: control characters (ESC, BEL, newlines...), bidi and other format
    characters (U+202E...) become spaces, unpaired surrogates (a file name that is not UTF-8) become U+FFFD.

    Used for every line of text kg prints from data (tables, messages, summaries); JSON and CSV output keep
    the data exact (JSON escapes control characters itself).

    >>> terminal_safe("a\\x1b]0;pwned\\x07b\\u202ec\\udcff")
    'a ]0;pwned b c\ufffd'
    """
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else "\ufffd" if "\ud800" <= c <= "\udfff" else " " for c in text)


def _clean(value: Any) -> str:
    return terminal_safe(None if value is None else _flat(value))


def to_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], max_width: int = 60) -> str:
    """An aligned plain-text table.

    >>> print(to_table([{"id": "1", "name": "Ada"}], ["id", "name"]), end="")
    id  name
    --  ----
    1   Ada
    """
    cells = [[_clean(r.get(c)) for c in columns] for r in rows]
    cells = [[c if _width(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([_width(col)] + [_width(row[i]) for row in cells]) for i, col in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(list(columns)), line(["-" * w for w in widths])] + [line(r) for r in cells]
    return "\n".join(out) + "\n"


def render(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str) -> str:
    """Rows in the chosen format: table, json (the rows themselves) or csv."""
    if fmt == "json":
        return to_json(list(rows))
    if fmt == "csv":
        return to_csv(rows, columns)
    return to_table(rows, columns)


_CHUNK = 1000
_NOT_PLAIN = ("True", "False", "{", "[")  # what a bool, dict or list cell looks like when the csv module writes it


def _csv_needs_care(text: str) -> bool:
    """False only when no cell of ``text`` (CSV the csv module wrote, ``\\n`` line ends) starts with a formula
    character, none holds a carriage return, and none looks like a value :func:`safe_cell` writes otherwise (a
    bool, dict or list): then the
    text is exactly what safe cells give. True may be wrong (the cells are then made safe one by one), False
    never is; the check runs at the speed of ``str.__contains__``, not a Python step per cell.

    >>> _csv_needs_care('a,b\\nSmith-Jones,-1\\n'), _csv_needs_care('a,"x, y"\\n"=1,2",b\\n')
    (True, True)
    >>> _csv_needs_care('id,name\\nE1,Ana Lima-Silva\\nE2,"Lee, Bo"\\n')
    False
    """
    if "\r" in text:  # a cell holds a carriage return, which the csv module left unquoted
        return True
    quoted = '"' in text
    for ch in _FORMULA_START:
        if ch not in text:
            continue
        # a cell starts the text or follows a delimiter or a line end; quoted when it holds a comma, a quote or
        # a line end (the csv module always quotes a cell with a newline: an unquoted one cannot start with it)
        if (text.startswith((ch, '"' + ch)) or (ch != "\n" and ("," + ch in text or "\n" + ch in text))
                or (quoted and (',"' + ch in text or '\n"' + ch in text))):
            return True
    return any(s in text for s in _NOT_PLAIN)


def render_stream(rows: Iterable[Sequence[Any]], fields: Sequence[str], fmt: str,
                  columns: Sequence[str] | None = None) -> Iterator[str]:
    """:func:`render` of rows given as sequences in the order of ``fields`` (``columns``, some of them, are
    what a table or CSV shows: all by default), as pieces of text written as the rows come (the same text in
    the end): CSV and long JSON arrays never hold the rows in a list; a table needs every row for its widths.

    >>> rows = [("1", "=x", "http://e/1")]
    >>> "".join(render_stream(iter(rows), ["id", "n", "iri"], "csv", ["id", "n"])) == render(
    ...     [{"id": "1", "n": "=x", "iri": "http://e/1"}], ["id", "n"], "csv")
    True
    """
    rows = iter(rows)
    shown = list(columns if columns is not None else fields)
    if fmt == "csv":
        pick = itemgetter(*[list(fields).index(c) for c in shown])
        out = io.StringIO()
        writers = _csv_writers(out)
        writer = writers[0]
        writer.writerow(shown)
        starts = frozenset(_FORMULA_START)
        while True:
            batch = list(map(pick, islice(rows, _CHUNK))) if len(shown) > 1 else [
                (pick(r),) for r in islice(rows, _CHUNK)]
            mark = out.tell()
            writer.writerows(batch)  # as the csv module writes the cells; checked below, else written again
            if _csv_needs_care(out.getvalue()[mark:]):  # one cell may start like a formula (or be no plain value)
                out.seek(mark)
                out.truncate()
                _write_rows(writers, ([c if c.__class__ is str and c[:1] not in starts else safe_cell(_flat(c))
                                       for c in r] for r in batch))
            yield out.getvalue()
            if not batch:
                return
            out.seek(0)
            out.truncate()
    first = [dict(zip(fields, r, strict=True)) for r in islice(rows, _CHUNK + 1)]
    if fmt != "json" or len(first) <= _CHUNK:
        yield render(first + [dict(zip(fields, r, strict=True)) for r in rows], shown, fmt)
        return
    # what json.dumps writes for a long list (to_json does not indent it), one batch at a time
    dump = json.JSONEncoder(ensure_ascii=False, default=str).encode
    yield "[" + ", ".join(map(dump, first))
    while batch := list(islice(rows, _CHUNK)):
        yield ", " + ", ".join(dump(dict(zip(fields, r, strict=True))) for r in batch)
    yield "]\n"
