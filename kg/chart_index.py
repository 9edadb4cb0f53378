"""The chart index: the stored form of the reporting forest's rows, kept beside the Oxigraph store
(``.kg/chart.sqlite``).

Oxigraph stays the source of truth; this index holds exactly what :class:`kg.forest.Forest` is built from, per
source graph: one ``node`` row per chart node (every field of :class:`kg.forest.Node`) and one ``edge`` row per
solid-line (report, manager) pair; beside the fields, ``key`` is the folded name (:func:`kg.names.fold`) that
people are looked up by. Rows are written for a source's new graph before the catalog switches to it
and are filtered by the catalog's current graphs when read, so the index follows the store's all-or-nothing
loads; rows of graphs the catalog no longer names are deleted by the next writer.

The index carries a schema version (``meta``); :func:`is_current` tells an index of an older shape, which the
store then rebuilds from its triples (a writer) or reads around (a reader).
"""

from __future__ import annotations

import errno
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kg.forest import PLACED_FIELDS, PLACED_INTS, Below, Columns, Edge, Forest, NodeRow, Placed
from kg.names import fold

SCHEMA_VERSION = "6"  # 3: the placed table has manager_pos; stored data counts (placed_counts)
# 4: node and edge rows name their graph by a number (table graph), no index on it: 0.3 GB less at 1M people
# 5: node rows have role and holder; the dotted lines (table dotted): `kg who` opens no Oxigraph
# 6: every IRI stored once (table term: a namespace number and the rest), rows and indexes hold its number;
#    repeated short strings (titles, statuses, units, kinds, grades, roles, sources) once (table word)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS graph (n INTEGER PRIMARY KEY AUTOINCREMENT, iri TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS ns (n INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS term (n INTEGER PRIMARY KEY, ns INTEGER NOT NULL, local TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS term_text ON term(local, ns);
CREATE TABLE IF NOT EXISTS word (n INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS node (graph INTEGER NOT NULL, iri INTEGER NOT NULL, id TEXT, name TEXT, title INTEGER,
  status INTEGER, unit INTEGER, fte REAL, kind INTEGER, grade INTEGER, "row" INTEGER, role INTEGER,
  holder_ns INTEGER, holder TEXT, source INTEGER, key TEXT);
CREATE TABLE IF NOT EXISTS edge (graph INTEGER NOT NULL, report INTEGER NOT NULL, manager INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dotted (graph INTEGER NOT NULL, report INTEGER NOT NULL, manager INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS node_iri ON node(iri);
CREATE INDEX IF NOT EXISTS node_id ON node(id);
CREATE INDEX IF NOT EXISTS node_key ON node(key);
CREATE INDEX IF NOT EXISTS edge_report ON edge(report);
CREATE INDEX IF NOT EXISTS edge_manager ON edge(manager);
CREATE INDEX IF NOT EXISTS dotted_report ON dotted(report);
CREATE TABLE IF NOT EXISTS placed (pos INTEGER PRIMARY KEY, pre INTEGER NOT NULL, below INTEGER NOT NULL,
  depth INTEGER NOT NULL, direct INTEGER NOT NULL, fte_below REAL NOT NULL, iri INTEGER NOT NULL, id TEXT,
  name TEXT, title TEXT, manager_id TEXT, manager_pos INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS placed_pre ON placed(pre);
CREATE INDEX IF NOT EXISTS placed_iri ON placed(iri);
CREATE INDEX IF NOT EXISTS placed_manager ON placed(manager_pos);
CREATE INDEX IF NOT EXISTS placed_span ON placed(direct DESC, below DESC) WHERE below > 0;
CREATE INDEX IF NOT EXISTS placed_teams ON placed(below DESC, direct DESC) WHERE below > 0;
"""
# An IRI's text from its number (a view of the connection: term and its namespace).
_IRI_VIEW = ("CREATE TEMP VIEW iri_of (n, text) AS SELECT t.n, s.text || t.local FROM term t "
             "JOIN ns s ON s.n = t.ns")
# A node row's fields as kg.forest.NODE_FIELDS orders them (n: the node table, i: its IRI, w*: its words).
_NODE_SELECT = ("SELECT i.text, n.id, n.name, wt.text, ws.text, wu.text, n.fte, wk.text, wg.text, n.\"row\", "
                "wr.text, hn.text || n.holder, wo.text FROM node n JOIN visible v ON n.graph = v.graph "
                "JOIN iri_of i ON i.n = n.iri " + " ".join(
                    f"LEFT JOIN word {w} ON {w}.n = n.{c}" for w, c in (
                        ("wt", "title"), ("ws", "status"), ("wu", "unit"), ("wk", "kind"), ("wg", "grade"),
                        ("wr", "role"), ("wo", "source"))) + " LEFT JOIN ns hn ON hn.n = n.holder_ns")
_WORDS = (3, 4, 5, 7, 8, 10, 12)  # the NodeRow fields stored as words: title, status, unit, kind, grade, role, source
_WORD_COLUMNS = ("title", "status", "unit", "kind", "grade", "role", "source")  # their node columns
_PLACED = "pos, pre, below, depth, direct, fte_below, i.text, id, name, title, manager_id, manager_pos"
_ROW_INDEXES = ("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('node', 'edge') "
                "AND sql IS NOT NULL")
_PLACED_INDEXES = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'placed' AND sql IS NOT NULL"
DEFER_INDEXES = 50_000  # rows of one graph from which its load builds the node and edge indexes at the end
_BATCH = 900  # below SQLite's limit on bound parameters
# The rankings of kg.forest.RANKINGS (Forest.ranked) as SQL: which rows, their integer columns in order (all
# descending, then the IRI): the first rows are found on the integers alone, their IRIs read for the ties.
_RANKED = {"span": ("below > 0", ("direct", "below")),
           "teams": ("below > 0", ("below", "direct")),
           "single": ("direct = 1", ())}
COMPACT_BYTES = 1 << 20  # free pages below this are left for the next load (see ChartIndex.compact)
_SEARCH_CHUNK = 500  # candidate nodes of a search read at a time, by IRI
PART_LIMIT = 5_000  # above this many nodes, reading every row is faster than following lines


def _next_number(table: str) -> str:
    """SQL of the next free number of ``table`` (term, ns or word): past its rows and past the highest number
    it ever gave (``meta`` keeps it when rows are pruned), so no number ever names a second IRI or word."""
    return (f"(SELECT max(coalesce(max(n), 0) + 1, coalesce((SELECT CAST(value AS INTEGER) FROM meta "
            f"WHERE key = 'next_{table}'), 1)) FROM {table})")


def _casefold(text: str | None) -> str | None:
    return None if text is None else text.casefold()


# The node rows' columns a projection reads row by row (words and namespaces as numbers, 0 for none), and the
# integer columns a second connection reads beside them, each as one string (see ChartIndex.placed_forest).
_NODE_ORDER = "FROM node n JOIN visible v ON n.graph = v.graph ORDER BY n.rowid"
_NODE_TEXTS = ('SELECT n.id, n.name, n.fte, n."row", n.holder, ifnull(n.title, 0), ifnull(n.status, 0), '
               f"ifnull(n.unit, 0), ifnull(n.kind, 0), ifnull(n.grade, 0), ifnull(n.source, 0) {_NODE_ORDER}")
_SIDE_NODE_INTS = ("n.iri", "ifnull(n.role, 0)", "ifnull(n.holder_ns, 0)")


def _int_column(db: sqlite3.Connection, select: str) -> Any:
    """The one column (named x) of ``select``, integers, as a numpy int64 array: read as one string."""
    import numpy as np

    text = db.execute(f"SELECT group_concat(x) FROM ({select})").fetchone()[0]
    return np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)


def _side_columns(path: Path, graphs: list[int], attributes: bool) -> tuple[list[str] | None, list[int],
                                                                           dict[str, Any]]:
    """What :meth:`ChartIndex.placed_forest` reads on its second connection: the placed IRIs (None if one holds a
    line break), the managers' positions and, with ``attributes``, the placed and node rows' integer columns."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    try:
        db.execute("CREATE TEMP TABLE visible (graph INTEGER PRIMARY KEY)")
        db.executemany("INSERT INTO visible VALUES (?)", ((g,) for g in graphs))
        managers = _int_column(db, "SELECT manager_pos AS x FROM placed ORDER BY pos").tolist()
        text = db.execute("SELECT group_concat(x, char(10)) FROM (SELECT s.text || t.local AS x FROM placed p "
                          "JOIN term t ON t.n = p.iri JOIN ns s ON s.n = t.ns ORDER BY p.pos)").fetchone()[0]
        iris: list[str] | None = text.split("\n") if text else []
        if iris is not None and len(iris) != len(managers):
            iris = None
        ints: dict[str, Any] = {}
        if attributes:
            ints["placed"] = _int_column(db, "SELECT iri AS x FROM placed ORDER BY pos")
            for column in _SIDE_NODE_INTS:
                ints[column] = _int_column(db, f"SELECT {column} AS x {_NODE_ORDER}")
        return iris, managers, ints
    finally:
        db.close()


def _numbered_texts(db: sqlite3.Connection, table: str) -> list[str | None]:
    """The texts of ``table`` (word or ns) by number; None at 0 and at numbers no longer used."""
    out: list[str | None] = [None] * db.execute(f"SELECT coalesce(max(n), 0) + 1 FROM {table}").fetchone()[0]
    for n, text in db.execute(f"SELECT n, text FROM {table}"):
        out[n] = text
    return out


def split_iri(iri: str) -> tuple[str, str]:
    """An IRI (or a blank node's ``_:label``) as its namespace (up to its last ``/``, ``#`` or ``:``) and the
    rest: the index stores each namespace once.

    >>> split_iri("http://e/org/post/E1"), split_iri("_:b0"), split_iri("urn:x:y")
    (('http://e/org/post/', 'E1'), ('_:', 'b0'), ('urn:x:', 'y'))
    """
    cut = max(iri.rfind("/"), iri.rfind("#"), iri.rfind(":")) + 1
    return iri[:cut], iri[cut:]


def schema_version(path: Path) -> str | None:
    """The schema version of the index file at ``path``; None when there is no file or it has the shape of
    before versions. Raises ``sqlite3.DatabaseError`` when SQLite cannot read the file (damaged)."""
    if not path.is_file():
        return None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            return None
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    finally:
        db.close()
    return row[0] if row else None


def is_current(path: Path) -> bool:
    """True when the index file at ``path`` exists and has this version's shape (raises as
    :func:`schema_version` for a damaged file)."""
    return schema_version(path) == SCHEMA_VERSION



def disk_full(exc: BaseException, path: Path) -> OSError | None:
    """The ``OSError`` (ENOSPC, naming ``path``) that a full disk under SQLite stands for, else None: a full
    disk is reported as one under Oxigraph or any file write is, never as a damaged index.

    >>> disk_full(sqlite3.OperationalError("database or disk is full"), Path("c.sqlite")) is None
    True
    """
    if isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return OSError(errno.ENOSPC, "No space left on device", str(path))
    return None

class ChartIndex:
    """The index of one store; ``graphs`` are the catalog's current source graphs (what readers see).

    A writer opening an index of another shape, or one SQLite cannot read, empties it (:attr:`rebuilt` says
    so: the store refills it from its triples).
    """

    def __init__(self, path: Path, graphs: Iterable[str], writable: bool) -> None:
        self.path = path
        self.rebuilt = False
        if writable:
            try:
                stale = path.exists() and not is_current(path)
            except sqlite3.DatabaseError:
                stale = True
            if stale:
                path.unlink()
                self.rebuilt = True
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        else:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        self.db.execute(_IRI_VIEW)
        self.db.execute("CREATE TEMP TABLE visible (graph INTEGER PRIMARY KEY)")
        self._terms: dict[str, int] | None = None  # a writer's numbers of every IRI, read at its first write
        self._ns: dict[str, int] = {}
        self._words: dict[str, int] = {}
        self._next = {"term": 1, "ns": 1, "word": 1}
        self.set_graphs(graphs)

    def set_graphs(self, graphs: Iterable[str]) -> None:
        self.visible = sorted(set(graphs))
        self.db.execute("DELETE FROM visible")
        self.db.executemany("INSERT OR IGNORE INTO visible SELECT n FROM graph WHERE iri = ?",
                            ((g,) for g in self.visible))

    # -- numbers of IRIs and words ------------------------------------------------------------------------

    def _number(self, iri: str) -> int | None:
        """The number of ``iri`` in the term table (None if it has none)."""
        ns, local = split_iri(iri)
        row = self.db.execute("SELECT t.n FROM term t JOIN ns s ON s.n = t.ns WHERE t.local = ? AND s.text = ?",
                              (local, ns)).fetchone()
        return row[0] if row else None

    def _texts(self, numbers: Iterable[int]) -> dict[int, str]:
        """The IRIs of term ``numbers``."""
        out: dict[int, str] = {}
        wanted = list(set(numbers))
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start:start + _BATCH]
            out.update(self.db.execute(f"SELECT n, text FROM iri_of WHERE n IN ({','.join('?' * len(batch))})",
                                       batch).fetchall())
        return out

    def _load_numbers(self) -> dict[str, int]:
        """A writer's map of every stored IRI and namespace to its number (read once, then kept up to date)."""
        if self._terms is None:
            self._ns = {t: n for n, t in self.db.execute("SELECT n, text FROM ns")}
            self._words = {t: n for n, t in self.db.execute("SELECT n, text FROM word")}
            self._terms = {text: n for n, text in self.db.execute("SELECT n, text FROM iri_of")}
            for table in self._next:  # past every number given, those of pruned rows too (see _prune)
                self._next[table] = self.db.execute(f"SELECT {_next_number(table)}").fetchone()[0]
        return self._terms

    def _new(self, table: str) -> int:
        n = self._next[table]
        self._next[table] = n + 1
        return n

    def _numbered(self, iris: Iterable[str]) -> list[int]:
        """The numbers of ``iris``, new ones added to the term table (inside the caller's transaction)."""
        terms = self._load_numbers()
        new_ns: list[tuple[int, str]] = []
        new_terms: list[tuple[int, int, str]] = []
        out = []
        for iri in iris:
            n = terms.get(iri)
            if n is None:
                ns, local = split_iri(iri)
                space = self._ns.get(ns)
                if space is None:
                    space = self._ns[ns] = self._new("ns")
                    new_ns.append((space, ns))
                n = terms[iri] = self._new("term")
                new_terms.append((n, space, local))
            out.append(n)
        self.db.executemany("INSERT INTO ns VALUES (?, ?)", new_ns)
        self.db.executemany("INSERT INTO term VALUES (?, ?, ?)", new_terms)
        return out

    def _word(self, text: Any) -> int | None:
        if text is None:
            return None
        n = self._words.get(text)
        if n is None:
            n = self._words[text] = self._new("word")
            self.db.execute("INSERT INTO word VALUES (?, ?)", (n, text))
        return n

    def _namespace(self, iri: str | None) -> tuple[int | None, str | None]:
        if iri is None:
            return None, None
        ns, local = split_iri(iri)
        space = self._ns.get(ns)
        if space is None:
            space = self._ns[ns] = self._new("ns")
            self.db.execute("INSERT INTO ns VALUES (?, ?)", (space, ns))
        return space, local

    # -- the placed table: the whole forest of the visible graphs, numbered (see kg.forest.Forest.placed) ----

    def _placed_key(self) -> str:
        return "\n".join(self.visible)

    def placed_current(self) -> bool:
        """True when the placed table was written for exactly the graphs this index shows."""
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'placed'").fetchone()
        except sqlite3.Error:
            return False
        return row is not None and row[0] == self._placed_key()

    def place(self, data_counts: Callable[[], dict[str, Any]]) -> None:
        """Write the placed table of the visible graphs' forest (a writer, after the visible graphs changed),
        with the forest's summary and ``data_counts()`` (counts of the visible data beyond the forest, see
        :func:`kg.reading.sparql_data_counts`), in one SQLite transaction: readers see the old table or the
        new one."""
        if self.placed_current():
            return
        forest = Forest(*self.rows())
        counts = json.dumps(data_counts())
        terms = self._load_numbers()  # every placed IRI is a node's: numbered already
        marks = ", ".join("?" * len(PLACED_FIELDS))
        self.db.execute("BEGIN")
        # its indexes are made again once the rows are in (sorting each once, in the same transaction): at 100,000
        # rows ~2 times less work than keeping five indexes up to date row by row
        indexes = self.db.execute(_PLACED_INDEXES).fetchall()
        for name, _sql in indexes:
            self.db.execute(f"DROP INDEX {name}")
        self.db.execute("DELETE FROM placed")
        self.db.executemany(f"INSERT INTO placed VALUES ({marks})",
                            ((*r[:6], terms[r[6]], *r[7:]) for r in forest.placed()))
        for _name, sql in indexes:
            self.db.execute(sql)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('placed_summary', ?)", (json.dumps(forest.summary()),))
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('placed_counts', ?)", (counts,))
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('placed_lines', ?)", (json.dumps(forest.lines()),))
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('placed', ?)", (self._placed_key(),))
        self.db.execute("COMMIT")
        self._terms = None

    def placed_below(self, iri: str, depth: int | None = None, *, with_iri: bool = True) -> Iterator[Below] | None:
        """Everyone below ``iri`` (``depth`` levels) as :meth:`kg.forest.Forest.below_people` gives them, read
        with one range scan as they are written out (``with_iri=False``: IRIs left out, None, a third of the
        reading at a million rows); None when the table is not current."""
        if not self.placed_current():
            return None
        number = self._number(iri)
        top = self.db.execute("SELECT pre, below, depth FROM placed WHERE iri = ?", (number,)).fetchone()
        if top is None:
            return None
        pre, below, d0 = top
        total = self.db.execute("SELECT max(pos) + 1 FROM placed").fetchone()[0]
        # most of the table: read it in position order (no sort); else the range by index, then sorted
        column = "+pre" if below * 4 > total else "pre"
        iris, join = (("CASE WHEN substr(i.text, 1, 2) = '_:' THEN NULL ELSE i.text END",
                       "JOIN iri_of i ON i.n = p.iri") if with_iri else ("NULL", ""))
        return self.db.execute(
            f"SELECT id, name, title, {iris}, depth - ?, "
            f"manager_id FROM placed p {join} WHERE {column} > ? AND {column} <= ? AND depth <= ? ORDER BY pos",
            (d0, pre, pre + below, d0 + depth if depth is not None else 1 << 62))

    def _meta_json(self, key: str) -> Any:
        if not self.placed_current():
            return None
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def placed_summary(self) -> dict[str, Any] | None:
        """:meth:`kg.forest.Forest.summary` of the visible forest, stored with the placed table; None when the
        table is not current."""
        return self._meta_json("placed_summary")

    def placed_counts(self) -> dict[str, Any] | None:
        """The data counts stored with the placed table (see :meth:`place`); None when it is not current."""
        return self._meta_json("placed_counts")

    def placed_top(self, ranking: str, top: int | None) -> list[Placed] | None:
        """The first ``top`` placed rows of a ranking, as :meth:`kg.forest.Forest.ranked` gives them; None when
        the table is not current."""
        if not self.placed_current():
            return None
        where, columns = _RANKED[ranking]
        order = ", ".join(f"{c} DESC" for c in columns)
        params: list[Any] = []
        if top is not None and columns:  # the rows up to the top-th by the integers (an index scan), ties too
            cut = self.db.execute(f"SELECT {', '.join(columns)} FROM placed WHERE {where} ORDER BY {order} "
                                  "LIMIT 1 OFFSET ?", (max(top, 1) - 1,)).fetchone()
            if cut is not None:
                where += f" AND ({', '.join(columns)}) >= ({', '.join('?' * len(columns))})"
                params += cut
        return self.db.execute(f"SELECT {_PLACED} FROM placed p JOIN iri_of i ON i.n = p.iri WHERE {where} "
                               f"ORDER BY {order + ', ' if order else ''}i.text LIMIT ?",
                               (*params, -1 if top is None else top)).fetchall()

    def placed_span(self, top: int | None) -> list[Placed] | None:
        """Placed rows of the managers by direct reports, nodes below (most first), IRI; the first ``top``;
        None when the table is not current."""
        return self.placed_top("span", top)

    def placed_columns(self, names: Sequence[str]) -> list[Any] | None:
        """The placed table's integer columns ``names`` (of :data:`kg.forest.PLACED_INTS`), each as a numpy
        int64 array in position order; None when the table is not current."""
        if not self.placed_current():
            return None
        for name in names:
            if name not in PLACED_INTS:
                raise ValueError(f"no integer placed column {name!r}; choose from {', '.join(PLACED_INTS)}")
        return [self._placed_ints(name) for name in names]

    def _placed_ints(self, column: str) -> Any:
        """The placed table's integer ``column`` as a numpy int64 array in position order (a rowid scan)."""
        return _int_column(self.db, f"SELECT {column} AS x FROM placed ORDER BY pos")

    def placed_forest(self, attributes: bool = True) -> Columns | None:
        """The visible forest as :class:`kg.forest.Columns` (what :meth:`kg.forest.Forest.columns` gives), read
        from the placed table and the node rows without building the forest; None when the table is not
        current, was placed before its lines were stored, or an IRI has several visible node rows (the forest
        merges those).

        At a million nodes most of the time is making Python objects, so the work is split in two: a second
        read-only connection, in a thread, reads the integer columns and the IRIs each as one aggregated string
        (SQLite runs an aggregate without Python's lock), while this one reads the node rows' other columns."""
        lines = self._meta_json("placed_lines")
        if lines is None:
            return None
        from concurrent.futures import ThreadPoolExecutor

        graphs = [g for (g,) in self.db.execute("SELECT graph FROM visible")]
        with ThreadPoolExecutor(1) as pool:
            side = pool.submit(_side_columns, self.path, graphs, attributes)
            rows = self.db.execute(_NODE_TEXTS).fetchall() if attributes else []
            iris, managers, ints = side.result()
        if iris is None:  # an IRI with a line break in it: read them one by one
            iris = [t for (t,) in self.db.execute("SELECT i.text FROM placed p JOIN iri_of i ON i.n = p.iri "
                                                  "ORDER BY pos")]
        records = None
        if attributes:
            records = self._records_by_position(rows, ints)
            if records is None:
                return None
        return Columns(iris, managers, records, dropped=[tuple(e) for e in lines["dropped"]],  # type: ignore[misc]
                       cut=[tuple(e) for e in lines["cut"]], self_loops=lines["self_loops"],  # type: ignore[misc]
                       cycles=lines["cycles"])

    def _records_by_position(self, rows: list[tuple[Any, ...]], ints: dict[str, Any]) -> list[dict[str, Any]] | None:
        """Each placed node's fields (:data:`kg.forest.NODE_FIELDS` but the IRI) as a dict, in position order,
        from the node rows (:data:`_NODE_TEXTS`) and the integer columns :func:`_side_columns` read; None unless
        every placed node has exactly one visible node row. Words and namespaces are looked up in Python (one
        shared string per word, and cheaper than seven joins per row)."""
        import numpy as np

        node_terms, placed_terms = ints["n.iri"], ints["placed"]
        if len(node_terms) != len(rows) or len(node_terms) != len(placed_terms):
            return None
        by_node, by_place = np.argsort(node_terms), np.argsort(placed_terms)
        if not np.array_equal(node_terms[by_node], placed_terms[by_place]):
            return None
        words = _numbered_texts(self.db, "word")
        spaces = _numbered_texts(self.db, "ns")
        columns = [ints[c].tolist() for c in _SIDE_NODE_INTS[1:]]
        records = [{"id": r[0], "name": r[1], "title": words[r[5]], "status": words[r[6]], "unit": words[r[7]],
                    "fte": r[2], "kind": words[r[8]], "grade": words[r[9]], "row": r[3], "role": words[role],
                    "holder": None if r[4] is None or not space else spaces[space] + r[4], "source": words[r[10]]}
                   for r, role, space in zip(rows, *columns, strict=True)]
        row_at = np.empty_like(by_node)
        row_at[by_place] = by_node  # row_at[pos]: the node row of the node placed at pos
        return [records[k] for k in row_at.tolist()]

    def placed_node(self, iri: str) -> list[Placed] | None:
        """The placed row of ``iri`` (none when it is not on the chart); None when the table is not current."""
        if not self.placed_current():
            return None
        number = self._number(iri)
        return [] if number is None else self.db.execute(
            f"SELECT {_PLACED} FROM placed p JOIN iri_of i ON i.n = p.iri WHERE p.iri = ?", (number,)).fetchall()

    def placed_subtree(self, iri: str, depth: int | None = None) -> list[Placed] | None:
        """The placed rows of ``iri`` and everyone below it (``depth`` levels), in position order (one range
        scan of the depth-first numbers); empty when ``iri`` is not on the chart, None when the table is not
        current."""
        found = self.placed_node(iri)
        if not found:
            return found
        _, pre, below, d0 = found[0][:4]
        return self.db.execute(f"SELECT {_PLACED} FROM placed p JOIN iri_of i ON i.n = p.iri WHERE pre >= ? AND "
                               "pre <= ? AND depth <= ? ORDER BY pos",
                               (pre, pre + below, d0 + depth if depth is not None else 1 << 62)).fetchall()

    def solid_lines(self, iris: list[str]) -> list[Edge]:
        """Every visible solid-line (report, manager) pair whose report is one of ``iris``, as stored."""
        numbers = [n for n in (self._number(i) for i in dict.fromkeys(iris)) if n is not None]
        return self._edge_texts(self._edges("report", numbers))

    def placed_reports(self, iri: str) -> list[Placed] | None:
        """The placed rows of the direct reports of ``iri`` in the forest's order (a manager's reports are one run
        of positions); None when the table is not current."""
        found = self.placed_node(iri)
        if not found:
            return found
        return self.db.execute(f"SELECT {_PLACED} FROM placed p JOIN iri_of i ON i.n = p.iri WHERE manager_pos = ? "
                               "ORDER BY pos", (found[0][0],)).fetchall()

    def search_rows(self, folded: str, casefolded: str) -> Iterator[list[NodeRow]]:
        """The node rows of the nodes a search may find (:func:`kg.org.search` decides): those whose folded
        name holds ``folded``, whose id casefolds to ``casefolded`` or whose title holds it when casefolded. In
        chunks by IRI (every IRI of a chunk sorts before the next chunk's, each node's rows in one chunk), so a
        search that needs the first few stops early."""
        titles = [n for n, text in self.db.execute("SELECT n, text FROM word") if casefolded in text.casefold()]
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_word (n INTEGER PRIMARY KEY)")
        self.db.execute("DELETE FROM wanted_word")
        self.db.executemany("INSERT INTO wanted_word VALUES (?)", ((n,) for n in titles))
        self.db.create_function("kg_casefold", 1, _casefold, deterministic=True)
        # ASCII ids casefold as SQLite's lower() folds them; others (GLOB: a character outside space..~) in Python
        found = sorted(self.db.execute(
            "SELECT DISTINCT i.text, n.iri FROM node n JOIN visible v ON n.graph = v.graph "
            "JOIN iri_of i ON i.n = n.iri WHERE instr(n.key, ?) > 0 OR lower(n.id) = ? "
            "OR (n.id GLOB '*[^ -~]*' AND kg_casefold(n.id) = ?) OR n.title IN (SELECT n FROM wanted_word)",
            (folded, casefolded, casefolded)))
        for start in range(0, len(found), _SEARCH_CHUNK):
            yield self._nodes([n for _, n in found[start:start + _SEARCH_CHUNK]])

    def placed_rows(self, positions: Sequence[int]) -> list[Placed] | None:
        """The placed rows at ``positions``, in position order; None when the table is not current."""
        if not self.placed_current():
            return None
        out: list[Placed] = []
        wanted = sorted(set(positions))
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start:start + _BATCH]
            out += self.db.execute(f"SELECT {_PLACED} FROM placed p JOIN iri_of i ON i.n = p.iri "
                                   f"WHERE pos IN ({','.join('?' * len(batch))}) ORDER BY pos", batch).fetchall()
        return out

    # -- writing ------------------------------------------------------------------------------------------

    def add(self, graph: str, nodes: Iterable[NodeRow], edges: Iterable[Edge], dotted: Iterable[Edge] = ()) -> None:
        """Add rows of ``graph``: nodes, solid lines and dotted lines (in one SQLite transaction; a load may add
        a graph's rows in several calls). A full disk is an ``OSError`` (ENOSPC) naming the index file, as a
        full disk under Oxigraph is."""
        nodes, edges, dotted = list(nodes), list(edges), list(dotted)
        self.db.execute("BEGIN")
        try:
            self.db.execute("INSERT OR IGNORE INTO graph (iri) VALUES (?)", (graph,))
            (number,) = self.db.execute("SELECT n FROM graph WHERE iri = ?", (graph,)).fetchone()
            if graph in self.visible:  # shown already (an index refilled for the graphs the catalog names)
                self.db.execute("INSERT OR IGNORE INTO visible VALUES (?)", (number,))
            iris = self._numbered(r[0] for r in nodes)
            word = self._word
            rows = [(number, i, r[1], r[2], word(r[3]), word(r[4]), word(r[5]), r[6], word(r[7]), word(r[8]), r[9],
                     word(r[10]), *self._namespace(r[11]), word(r[12]), fold(r[2]) if r[2] else None)
                    for i, r in zip(iris, nodes, strict=True)]  # words and namespaces numbered first
            self.db.executemany("INSERT INTO node VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            for table, pairs in (("edge", edges), ("dotted", dotted)):
                ends = self._numbered(x for pair in pairs for x in pair)
                self.db.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)",
                                    ((number, ends[k], ends[k + 1]) for k in range(0, len(ends), 2)))
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            self._terms = None  # numbers given in the rolled back transaction are free again
            full = disk_full(exc, self.path)
            if full is not None:
                raise full from exc
            raise

    def add_in_steps(self, graph: str, nodes: Sequence[NodeRow], edges: Sequence[Edge], dotted: Sequence[Edge],
                     step: int) -> Iterator[None]:
        """:meth:`add` ``step`` rows (and as many edges) at a time, one slice per iteration (a load interleaves
        them with its other work). When the rows outnumber those already indexed (a first large load), the
        node and edge indexes are dropped first and built once at the end from sorted keys: at a million
        rows about 3 times less work than inserting into them one row at a time, and a smaller file. Should
        the load stop midway, they are built when the steps are closed (and at the next writer's open)."""
        present = self.db.execute("SELECT count(*) FROM node").fetchone()[0]
        deferred = len(nodes) >= max(present, DEFER_INDEXES) and self._drop_indexes()
        try:
            for start in range(0, max(len(nodes), len(edges), len(dotted), 1), step):
                self.add(graph, nodes[start:start + step], edges[start:start + step], dotted[start:start + step])
                yield
        finally:
            self._terms = None  # a million IRIs' numbers: read again by the next write that needs them
            if deferred:
                self._build_indexes()

    def _drop_indexes(self) -> bool:
        self.db.execute("BEGIN")
        for (name,) in self.db.execute(_ROW_INDEXES).fetchall():
            self.db.execute(f"DROP INDEX {name}")
        self.db.execute("COMMIT")
        return True

    def _build_indexes(self) -> None:
        try:
            self.db.executescript(_SCHEMA)
        except sqlite3.Error:
            pass  # the next writer builds them (the schema script runs at every writer's open)

    def drop(self, graphs: Iterable[str]) -> None:
        """Delete the rows of ``graphs`` (a scan: the graph column has no index, as nothing else reads by it)
        and, in the same transaction, the IRIs, words and namespaces they named that no remaining row names
        (see :meth:`_prune`). A placed table written for a set of graphs that held one of them is deleted too:
        it can never be current again (graph IRIs are never reused) and the writer places the graphs left
        (every IRI of a placed row is one of a node or edge row of those graphs: a candidate already)."""
        gone = sorted(set(graphs))
        if not gone:
            return
        placed = self.db.execute("SELECT value FROM meta WHERE key = 'placed'").fetchone()
        self.db.execute("BEGIN")
        try:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS gone (n INTEGER PRIMARY KEY)")
            self.db.execute("DELETE FROM gone")
            self.db.executemany("INSERT INTO gone SELECT n FROM graph WHERE iri = ?", ((g,) for g in gone))
            self._candidates()
            for table in ("node", "edge", "dotted"):
                self.db.execute(f"DELETE FROM {table} WHERE graph IN (SELECT n FROM gone)")
            self.db.execute("DELETE FROM graph WHERE n IN (SELECT n FROM gone)")
            if placed is not None and set(gone) & set(placed[0].split("\n")):
                self.db.execute("DELETE FROM placed")
                self.db.execute("DELETE FROM meta WHERE key LIKE 'placed%'")  # its key, summary, counts, lines
            self._prune()
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            full = disk_full(exc, self.path)
            if full is not None:
                raise full from exc
            raise
        finally:
            self._terms = None  # a writer's numbers are read again at its next write

    def _candidates(self) -> None:
        """Fill the temporary tables ``maybe_term``, ``maybe_ns`` and ``maybe_word`` with the numbers that the
        rows of the graphs in the temporary table ``gone`` name: what :meth:`_prune` checks once they are gone."""
        rows = "graph IN (SELECT n FROM gone)"
        for table in ("maybe_term", "maybe_ns", "maybe_word"):
            self.db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (n INTEGER PRIMARY KEY)")
            self.db.execute(f"DELETE FROM {table}")
        self.db.execute(f"INSERT OR IGNORE INTO maybe_term SELECT iri FROM node WHERE {rows}")
        for table in ("edge", "dotted"):
            self.db.execute(f"INSERT OR IGNORE INTO maybe_term SELECT report FROM {table} WHERE {rows} "
                            f"UNION SELECT manager FROM {table} WHERE {rows}")
        self.db.execute(f"INSERT OR IGNORE INTO maybe_ns SELECT holder_ns FROM node WHERE {rows} "
                        "AND holder_ns IS NOT NULL")
        self.db.execute("INSERT OR IGNORE INTO maybe_word " + " UNION ".join(
            f"SELECT {c} FROM node WHERE {rows} AND {c} IS NOT NULL" for c in _WORD_COLUMNS))

    def _prune(self) -> None:
        """Delete the terms, namespaces and words among the candidates (:meth:`_candidates`) that no row names
        any longer (inside the caller's transaction), set against set: each reference column is read for the
        candidates only (by its index when it has one), never a Python lookup per row. The highest numbers
        given so far are kept in ``meta``: a number is never given to a second IRI or word, so no stored
        number can come to mean something else."""
        for table in self._next:
            self.db.execute(f"INSERT OR REPLACE INTO meta SELECT 'next_{table}', {_next_number(table)}")
        used = " UNION ".join(f"SELECT {c} FROM {t} WHERE {c} IN (SELECT n FROM maybe_term)" for t, c in (
            ("node", "iri"), ("edge", "report"), ("edge", "manager"), ("dotted", "report"), ("dotted", "manager"),
            ("placed", "iri")))
        self._delete_unused("term", used)
        # a handful of namespaces, not indexed alone: a scan that stops at the first row naming each
        self._delete_unused("ns", "SELECT m.n FROM maybe_ns m WHERE EXISTS (SELECT 1 FROM term WHERE ns = m.n) "
                                  "OR EXISTS (SELECT 1 FROM node WHERE holder_ns = m.n)")
        self._delete_unused("word", " UNION ".join(
            f"SELECT {c} FROM node WHERE {c} IN (SELECT n FROM maybe_word)" for c in _WORD_COLUMNS))

    def _delete_unused(self, table: str, used: str) -> None:
        """Delete the rows of ``table`` whose numbers are candidates (``maybe_<table>``) that the query ``used``
        does not give; a deleted term's namespace becomes a candidate."""
        self.db.execute(f"DELETE FROM maybe_{table} WHERE n IN ({used})")
        if table == "term":
            self.db.execute("INSERT OR IGNORE INTO maybe_ns SELECT ns FROM term WHERE n IN (SELECT n FROM maybe_term)")
        self.db.execute(f"DELETE FROM {table} WHERE n IN (SELECT n FROM maybe_{table})")

    def compact(self) -> bool:
        """Give the disk of deleted rows back (SQLite ``VACUUM``) when more than half of the file is free pages
        (and at least :data:`COMPACT_BYTES`), as after unloading a large source: the rewrite costs about as
        much as the rows left (0.2 s per 100k rows here), never more than what was freed. Otherwise the free
        pages stay for the next load to reuse. True when it compacted; a failure (a full disk: VACUUM needs
        room for a copy) leaves the index as it was."""
        free, pages, size = (self.db.execute(f"PRAGMA {p}").fetchone()[0]
                             for p in ("freelist_count", "page_count", "page_size"))
        if free * 2 <= pages or free * size < COMPACT_BYTES:
            return False
        try:
            self.db.execute("VACUUM")
        except sqlite3.Error:
            return False
        return True

    def keep_only(self, graphs: Iterable[str]) -> None:
        """Delete rows of every graph not in ``graphs``."""
        keep = set(graphs)
        self.drop(sorted(self.graphs() - keep))

    def graphs(self) -> set[str]:
        """Every graph the index holds rows of (visible or not; a graph of no rows counts once indexed)."""
        return {g for (g,) in self.db.execute("SELECT iri FROM graph")}

    # -- reading ------------------------------------------------------------------------------------------

    def rows(self) -> tuple[list[NodeRow], list[Edge]]:
        """Every visible node row and solid edge (the whole forest)."""
        nodes = self.db.execute(_NODE_SELECT).fetchall()
        edges = self.db.execute(
            "SELECT r.text, m.text FROM edge e JOIN visible v ON e.graph = v.graph JOIN iri_of r ON r.n = e.report "
            "JOIN iri_of m ON m.n = e.manager").fetchall()
        return nodes, edges

    def dotted(self, report: str | None = None) -> list[Edge]:
        """The visible dotted lines (of ``report`` when given), sorted."""
        where, params = ("WHERE d.report = ?", (self._number(report),)) if report is not None else ("", ())
        return sorted(set(self.db.execute(
            "SELECT r.text, m.text FROM dotted d JOIN visible v ON d.graph = v.graph JOIN iri_of r ON r.n = d.report "
            f"JOIN iri_of m ON m.n = d.manager {where}", params)))

    def _nodes(self, numbers: list[int]) -> list[NodeRow]:
        out: list[NodeRow] = []
        for start in range(0, len(numbers), _BATCH):
            batch = numbers[start:start + _BATCH]
            out += self.db.execute(f"{_NODE_SELECT} WHERE n.iri IN ({','.join('?' * len(batch))})",
                                   batch).fetchall()
        return out

    def _edges(self, column: str, numbers: list[int]) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for start in range(0, len(numbers), _BATCH):
            batch = numbers[start:start + _BATCH]
            out += self.db.execute(f"SELECT e.report, e.manager FROM edge e JOIN visible v ON e.graph = v.graph "
                                   f"WHERE e.{column} IN ({','.join('?' * len(batch))})", batch).fetchall()
        return out

    def find(self, column: str, value: str) -> list[str]:
        """Nodes whose ``id`` equals ``value``, whose ``key`` (folded name) equals it, or (``words``) whose
        key holds every word of ``value``; in a stable order (IRI)."""
        if column == "words":
            words = value.split()
            if not words:
                return []
            # folded words hold letters and digits only: nothing LIKE would read as a wildcard
            where = " AND ".join(["(' ' || n.key || ' ') LIKE ?"] * len(words))
            params = [f"% {w} %" for w in words]
        else:
            where, params = f"n.{'id' if column == 'id' else 'key'} = ?", [value]
        numbers = [n for (n,) in self.db.execute(
            f"SELECT DISTINCT n.iri FROM node n JOIN visible v ON n.graph = v.graph WHERE {where}", params)]
        return sorted(self._texts(numbers).values())

    def records(self, iris: list[str]) -> list[NodeRow]:
        """The node rows of ``iris`` (those on the chart)."""
        numbers = [n for n in (self._number(i) for i in dict.fromkeys(iris)) if n is not None]
        return self._nodes(numbers)

    def keys(self) -> list[str]:
        """Every folded name (for "did you mean" hints)."""
        return [k for (k,) in self.db.execute(
            "SELECT DISTINCT n.key FROM node n JOIN visible v ON n.graph = v.graph WHERE n.key IS NOT NULL")]

    def rows_above(self, iri: str) -> tuple[list[NodeRow], list[Edge]]:
        """``iri``, everyone above it along every solid line, and their lines: enough for its chain."""
        found = self._closure(iri, "report", 1, PART_LIMIT)
        if found is None:
            return self.rows()
        nodes, edges, _ = found
        return nodes, self._edge_texts(edges)

    def rows_below(self, iri: str) -> tuple[list[NodeRow], list[Edge]]:
        """``iri``, everyone below it along every solid line, every line of those, and the records of the
        managers those lines name: enough for everything below ``iri``. Past :data:`PART_LIMIT` nodes below,
        every row (one scan beats many lookups)."""
        found = self._closure(iri, "manager", 0, PART_LIMIT)
        if found is None:
            return self.rows()
        nodes, edges, have = found
        edges = list(set(edges) | set(self._edges("report", sorted(have))))
        nodes += self._nodes(sorted({m for _, m in edges} - have))
        return nodes, self._edge_texts(edges)

    def _edge_texts(self, edges: list[tuple[int, int]]) -> list[Edge]:
        texts = self._texts(x for pair in edges for x in pair)
        return [(texts[r], texts[m]) for r, m in edges]

    def _closure(self, iri: str, column: str, step: int,
                 limit: int) -> tuple[list[NodeRow], list[tuple[int, int]], set[int]] | None:
        """The nodes reached from ``iri`` along lines (by ``column``), those lines and the numbers of the
        nodes found (IRI numbers); None past ``limit``."""
        start = self._number(iri)
        if start is None:
            return [], [], set()
        seen = {start}
        level = [start]
        edges: list[tuple[int, int]] = []
        while level:
            found = self._edges(column, level)
            edges += found
            level = list(dict.fromkeys(e[step] for e in found if e[step] not in seen))
            seen.update(level)
            if len(seen) > limit:
                return None
        found = sorted(seen)
        have: set[int] = set()
        for first in range(0, len(found), _BATCH):
            batch = found[first:first + _BATCH]
            have.update(n for (n,) in self.db.execute(
                f"SELECT n.iri FROM node n JOIN visible v ON n.graph = v.graph "
                f"WHERE n.iri IN ({','.join('?' * len(batch))})", batch))
        return self._nodes(found), edges, have

    def close(self) -> None:
        self.db.close()
