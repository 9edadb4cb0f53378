"""A read-optimized index of the reporting forest, kept beside the Oxigraph store (``.kg/chart.sqlite``).

Oxigraph stays the source of truth; this index only makes the structural lookups that touch a whole
organization fast (everyone below the CEO, span of control, headcounts): per node and per source graph it
keeps the IRI, id, name, title and first solid-line manager. Rows are written for a source's new graph before
the catalog switches to it and are filtered by the catalog's current graphs when read, so the index follows
the store's all-or-nothing loads; rows of graphs the catalog no longer names are deleted by the next writer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

Row = tuple[str, str | None, str | None, str | None, str | None]  # iri, id, name, title, manager iri

_SCHEMA = """
CREATE TABLE IF NOT EXISTS node (
    graph TEXT NOT NULL, iri TEXT NOT NULL, id TEXT, name TEXT, title TEXT, manager TEXT);
CREATE INDEX IF NOT EXISTS node_manager ON node(manager);
CREATE INDEX IF NOT EXISTS node_iri ON node(iri);
CREATE INDEX IF NOT EXISTS node_graph ON node(graph);
"""
_BATCH = 900  # below SQLite's limit on bound parameters


class ChartIndex:
    """The index of one store; ``graphs`` are the catalog's current source graphs (what readers see)."""

    def __init__(self, path: Path, graphs: Iterable[str], writable: bool) -> None:
        self.path = path
        if writable:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.executescript(_SCHEMA)
        else:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        self.db.execute("CREATE TEMP TABLE visible (graph TEXT PRIMARY KEY)")
        self.set_graphs(graphs)

    def set_graphs(self, graphs: Iterable[str]) -> None:
        self.db.execute("DELETE FROM visible")
        self.db.executemany("INSERT OR IGNORE INTO visible VALUES (?)", ((g,) for g in graphs))

    # -- writing ------------------------------------------------------------------------------------------

    def add(self, graph: str, rows: Iterable[Row]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO node VALUES (?, ?, ?, ?, ?, ?)", ((graph, *r) for r in rows))
        self.db.execute("COMMIT")

    def drop(self, graphs: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM node WHERE graph = ?", ((g,) for g in graphs))

    def keep_only(self, graphs: Iterable[str]) -> None:
        """Delete rows of every graph not in ``graphs``."""
        keep = set(graphs)
        stale = [g for (g,) in self.db.execute("SELECT DISTINCT graph FROM node") if g not in keep]
        self.drop(stale)

    # -- reading ------------------------------------------------------------------------------------------

    def _nodes(self, where: str, params: Iterable[object] = ()) -> list[Row]:
        sql = ("SELECT n.iri, n.id, n.name, n.title, n.manager FROM node n JOIN visible v ON n.graph = v.graph "
               f"WHERE {where}")
        return list(self.db.execute(sql, tuple(params)))

    def children_of(self, managers: list[str]) -> Iterator[Row]:
        """Direct reports of the ``managers``, grouped by manager, each group sorted by name then id."""
        for start in range(0, len(managers), _BATCH):
            batch = managers[start:start + _BATCH]
            yield from self._nodes(f"n.manager IN ({','.join('?' * len(batch))}) "
                                   "ORDER BY n.manager, n.name IS NULL, n.name COLLATE NOCASE, n.id", batch)

    def node(self, iri: str) -> Row | None:
        rows = self._nodes("n.iri = ? LIMIT 1", [iri])
        return rows[0] if rows else None

    def edges(self) -> list[tuple[str, str]]:
        """Every (report, manager) pair."""
        return list(self.db.execute(
            "SELECT DISTINCT n.iri, n.manager FROM node n JOIN visible v ON n.graph = v.graph "
            "WHERE n.manager IS NOT NULL"))

    def descendants(self, root: str, depth: int | None = None) -> list[tuple[Row, int]]:
        """Everyone below ``root``, breadth first (each manager's reports by name), with their depth.

        Cycles never loop: a node is listed once, at its first depth.
        """
        seen = {root}
        out: list[tuple[Row, int]] = []
        level = [root]
        d = 0
        while level and (depth is None or d < depth):
            d += 1
            groups: dict[str, list[Row]] = {}
            for row in self.children_of(level):
                groups.setdefault(row[4] or "", []).append(row)
            nxt: list[str] = []
            for manager in level:  # keep the order of the level above
                for row in groups.get(manager, ()):
                    if row[0] not in seen:
                        seen.add(row[0])
                        out.append((row, d))
                        nxt.append(row[0])
            level = nxt
        return out

    def close(self) -> None:
        self.db.close()
