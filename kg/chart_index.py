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

from kg.forest import NODE_FIELDS, PLACED_FIELDS, PLACED_INTS, Below, Edge, Forest, NodeRow, Placed
from kg.names import fold

SCHEMA_VERSION = "5"  # 3: the placed table has manager_pos; stored data counts (placed_counts)
# 4: node and edge rows name their graph by a number (table graph), no index on it: 0.3 GB less at 1M people
# 5: node rows have role and holder; the dotted lines (table dotted): `kg who` opens no Oxigraph
_COLUMNS = ", ".join(f'"{f}"' for f in NODE_FIELDS)  # "row" is a keyword in some SQLite versions
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS graph (n INTEGER PRIMARY KEY AUTOINCREMENT, iri TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS node (graph INTEGER NOT NULL, {_COLUMNS.replace('"fte"', '"fte" REAL')}, key TEXT);
CREATE TABLE IF NOT EXISTS edge (graph INTEGER NOT NULL, report TEXT NOT NULL, manager TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dotted (graph INTEGER NOT NULL, report TEXT NOT NULL, manager TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS dotted_report ON dotted(report);
CREATE INDEX IF NOT EXISTS node_iri ON node(iri);
CREATE INDEX IF NOT EXISTS node_id ON node(id);
CREATE INDEX IF NOT EXISTS node_key ON node(key);
CREATE INDEX IF NOT EXISTS edge_report ON edge(report);
CREATE INDEX IF NOT EXISTS edge_manager ON edge(manager);
CREATE TABLE IF NOT EXISTS placed (pos INTEGER PRIMARY KEY, pre INTEGER NOT NULL, below INTEGER NOT NULL,
  depth INTEGER NOT NULL, direct INTEGER NOT NULL, fte_below REAL NOT NULL, iri TEXT NOT NULL, id TEXT,
  name TEXT, title TEXT, manager_id TEXT, manager_pos INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS placed_pre ON placed(pre);
CREATE INDEX IF NOT EXISTS placed_iri ON placed(iri);
CREATE INDEX IF NOT EXISTS placed_span ON placed(direct DESC, below DESC, iri) WHERE below > 0;
"""
_PLACED = ", ".join(PLACED_FIELDS)
_ROW_INDEXES = ("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('node', 'edge') "
                "AND sql IS NOT NULL")
DEFER_INDEXES = 50_000  # rows of one graph from which its load builds the node and edge indexes at the end
_BATCH = 900  # below SQLite's limit on bound parameters
# The rankings of kg.forest.RANKINGS (Forest.ranked) as SQL: which rows, in which order.
_RANKED = {"span": "below > 0 ORDER BY direct DESC, below DESC, iri",
           "teams": "below > 0 ORDER BY below DESC, direct DESC, iri",
           "single": "direct = 1 ORDER BY iri"}
PART_LIMIT = 5_000  # above this many nodes, reading every row is faster than following lines


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
        self.db.execute("CREATE TEMP TABLE visible (graph INTEGER PRIMARY KEY)")
        self.set_graphs(graphs)

    def set_graphs(self, graphs: Iterable[str]) -> None:
        self.visible = sorted(set(graphs))
        self.db.execute("DELETE FROM visible")
        self.db.executemany("INSERT OR IGNORE INTO visible SELECT n FROM graph WHERE iri = ?",
                            ((g,) for g in self.visible))

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
        marks = ", ".join("?" * len(PLACED_FIELDS))
        self.db.execute("BEGIN")
        self.db.execute("DELETE FROM placed")
        self.db.executemany(f"INSERT INTO placed VALUES ({marks})", forest.placed())
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('placed_summary', ?)", (json.dumps(forest.summary()),))
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('placed_counts', ?)", (counts,))
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('placed', ?)", (self._placed_key(),))
        self.db.execute("COMMIT")

    def placed_below(self, iri: str, depth: int | None = None, *, with_iri: bool = True) -> Iterator[Below] | None:
        """Everyone below ``iri`` (``depth`` levels) as :meth:`kg.forest.Forest.below_people` gives them, read
        with one range scan as they are written out (``with_iri=False``: IRIs left out, None, a third of the
        reading at a million rows); None when the table is not current."""
        if not self.placed_current():
            return None
        top = self.db.execute("SELECT pre, below, depth FROM placed WHERE iri = ?", (iri,)).fetchone()
        if top is None:
            return None
        pre, below, d0 = top
        total = self.db.execute("SELECT max(pos) + 1 FROM placed").fetchone()[0]
        # most of the table: read it in position order (no sort); else the range by index, then sorted
        column = "+pre" if below * 4 > total else "pre"
        iris = "CASE WHEN substr(iri, 1, 2) = '_:' THEN NULL ELSE iri END" if with_iri else "NULL"
        return self.db.execute(
            f"SELECT id, name, title, {iris}, depth - ?, "
            f"manager_id FROM placed WHERE {column} > ? AND {column} <= ? AND depth <= ? ORDER BY pos",
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
        return self.db.execute(f"SELECT {_PLACED} FROM placed WHERE {_RANKED[ranking]} LIMIT ?",
                               (-1 if top is None else top,)).fetchall()

    def placed_span(self, top: int | None) -> list[Placed] | None:
        """Placed rows of the managers by direct reports, nodes below (most first), IRI; the first ``top``;
        None when the table is not current."""
        return self.placed_top("span", top)

    def placed_columns(self, names: Sequence[str]) -> list[Any] | None:
        """The placed table's integer columns ``names`` (of :data:`kg.forest.PLACED_INTS`), each as a numpy
        int64 array in position order (read as one string per column: no Python object per row); None when
        the table is not current."""
        if not self.placed_current():
            return None
        import numpy as np

        out = []
        for name in names:
            if name not in PLACED_INTS:
                raise ValueError(f"no integer placed column {name!r}; choose from {', '.join(PLACED_INTS)}")
            text = self.db.execute(  # a rowid scan: position order
                f"SELECT group_concat({name}) FROM (SELECT {name} FROM placed ORDER BY pos)").fetchone()[0]
            out.append(np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64))
        return out

    def placed_rows(self, positions: Sequence[int]) -> list[Placed] | None:
        """The placed rows at ``positions``, in position order; None when the table is not current."""
        if not self.placed_current():
            return None
        out: list[Placed] = []
        wanted = sorted(set(positions))
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start:start + _BATCH]
            out += self.db.execute(f"SELECT {_PLACED} FROM placed WHERE pos IN ({','.join('?' * len(batch))}) "
                                   "ORDER BY pos", batch).fetchall()
        return out

    # -- writing ------------------------------------------------------------------------------------------

    def add(self, graph: str, nodes: Iterable[NodeRow], edges: Iterable[Edge], dotted: Iterable[Edge] = ()) -> None:
        """Add rows of ``graph``: nodes, solid lines and dotted lines (in one SQLite transaction; a load may add
        a graph's rows in several calls).
        A full disk is an ``OSError`` (ENOSPC) naming the index file, as a full disk under Oxigraph is."""
        marks = ", ".join("?" * (len(NODE_FIELDS) + 2))
        self.db.execute("BEGIN")
        try:
            self.db.execute("INSERT OR IGNORE INTO graph (iri) VALUES (?)", (graph,))
            (number,) = self.db.execute("SELECT n FROM graph WHERE iri = ?", (graph,)).fetchone()
            if graph in self.visible:  # shown already (an index refilled for the graphs the catalog names)
                self.db.execute("INSERT OR IGNORE INTO visible VALUES (?)", (number,))
            self.db.executemany(f"INSERT INTO node VALUES ({marks})",
                                ((number, *r, fold(r[2]) if r[2] else None) for r in nodes))
            self.db.executemany("INSERT INTO edge VALUES (?, ?, ?)", ((number, r, m) for r, m in edges))
            self.db.executemany("INSERT INTO dotted VALUES (?, ?, ?)", ((number, r, m) for r, m in dotted))
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
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
        """Delete the rows of ``graphs`` (a scan: the graph column has no index, as nothing else reads by it)."""
        for g in graphs:
            self.db.execute("BEGIN")
            for table in ("node", "edge", "dotted"):
                self.db.execute(f"DELETE FROM {table} WHERE graph = (SELECT n FROM graph WHERE iri = ?)", (g,))
            self.db.execute("DELETE FROM graph WHERE iri = ?", (g,))
            self.db.execute("COMMIT")

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
        nodes = self.db.execute(f"SELECT {_COLUMNS} FROM node n JOIN visible v ON n.graph = v.graph").fetchall()
        edges = self.db.execute(
            "SELECT e.report, e.manager FROM edge e JOIN visible v ON e.graph = v.graph").fetchall()
        return nodes, edges

    def dotted(self, report: str | None = None) -> list[Edge]:
        """The visible dotted lines (of ``report`` when given), sorted."""
        where, params = ("WHERE d.report = ?", (report,)) if report is not None else ("", ())
        return sorted(set(self.db.execute(
            f"SELECT d.report, d.manager FROM dotted d JOIN visible v ON d.graph = v.graph {where}", params)))

    def _nodes(self, iris: list[str]) -> list[NodeRow]:
        out: list[NodeRow] = []
        for start in range(0, len(iris), _BATCH):
            batch = iris[start:start + _BATCH]
            out += self.db.execute(f"SELECT {_COLUMNS} FROM node n JOIN visible v ON n.graph = v.graph "
                                   f"WHERE n.iri IN ({','.join('?' * len(batch))})", batch).fetchall()
        return out

    def _edges(self, column: str, iris: list[str]) -> list[Edge]:
        out: list[Edge] = []
        for start in range(0, len(iris), _BATCH):
            batch = iris[start:start + _BATCH]
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
        return [iri for (iri,) in self.db.execute(
            f"SELECT DISTINCT n.iri FROM node n JOIN visible v ON n.graph = v.graph WHERE {where} ORDER BY n.iri",
            params)]

    def records(self, iris: list[str]) -> list[NodeRow]:
        """The node rows of ``iris`` (those on the chart)."""
        return self._nodes(list(dict.fromkeys(iris)))

    def keys(self) -> list[str]:
        """Every folded name (for "did you mean" hints)."""
        return [k for (k,) in self.db.execute(
            "SELECT DISTINCT n.key FROM node n JOIN visible v ON n.graph = v.graph WHERE n.key IS NOT NULL")]

    def rows_above(self, iri: str) -> tuple[list[NodeRow], list[Edge]]:
        """``iri``, everyone above it along every solid line, and their lines: enough for its chain."""
        found = self._closure(iri, "report", 1, PART_LIMIT)
        return found if found is not None else self.rows()

    def rows_below(self, iri: str) -> tuple[list[NodeRow], list[Edge]]:
        """``iri``, everyone below it along every solid line, every line of those, and the records of the
        managers those lines name: enough for everything below ``iri``. Past :data:`PART_LIMIT` nodes below,
        every row (one scan beats many lookups)."""
        found = self._closure(iri, "manager", 0, PART_LIMIT)
        if found is None:
            return self.rows()
        nodes, edges = found
        have = {r[0] for r in nodes}
        reached = list(have)
        edges = list(set(edges) | set(self._edges("report", reached)))
        nodes += self._nodes(sorted({m for _, m in edges} - have))
        return nodes, edges

    def _closure(self, iri: str, column: str, step: int, limit: int) -> tuple[list[NodeRow], list[Edge]] | None:
        """The nodes reached from ``iri`` along lines (by ``column``), with those lines; None past ``limit``."""
        seen = {iri}
        level = [iri]
        edges: list[Edge] = []
        while level:
            found = self._edges(column, level)
            edges += found
            level = list(dict.fromkeys(e[step] for e in found if e[step] not in seen))
            seen.update(level)
            if len(seen) > limit:
                return None
        return self._nodes(sorted(seen)), edges

    def close(self) -> None:
        self.db.close()
