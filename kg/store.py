"""The embedded persistent store (Oxigraph on disk), its catalog of sources, locking and transactions.

Layout of a store directory (``.kg/`` by default)::

    .kg/kg.json     marker: this directory is a kg store (format version)
    .kg/kg.lock     advisory lock: readers share it, a writer holds it alone
    .kg/kg.writer   flag a writer holds while it waits and writes (long-lived readers then close)
    .kg/oxigraph/   the Oxigraph (RocksDB) database
    .kg/chart.sqlite  the chart index: the reporting forest's rows (kg/chart_index.py)
    .kg/catalog.json  a copy of the catalog of sources, written by each writer as it closes (see below)

Every loaded source lives in its own named graph. A load writes a *new* graph, then switches the catalog (one
small SPARQL Update, atomic in Oxigraph) from the old graph to the new one, then drops the old graph. Queries
only ever see the graphs the catalog names, so a load that fails or is killed midway changes nothing that can
be seen; graphs it left behind are removed by the next writer.

A reader opens the Oxigraph database only when it runs SPARQL: lookups that the chart index answers (`kg chain`,
`kg reports`, `kg span` ...) read the catalog from ``catalog.json``. A writer removes that copy as soon as it holds
the lock and writes it again, from the database, when it closes; a writer that is killed leaves none, and a copy
is used only while ``chart.sqlite`` is exactly as the writer left it, so a reader never sees a stale catalog
(without a copy it reads the catalog from the database, as before).
"""

from __future__ import annotations

import errno
import fcntl
import gc
import json
import os
import re
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.chart_index import ChartIndex, disk_full, is_current
from kg.errors import NoStoreError, QueryError, StoreBusyError, StoreError
from kg.forest import Below, Columns, Edge, NodeRow, Placed, Rows
from kg.ontology import ontology_files, ontology_fingerprint
from kg.reading import SparqlReads, sparql_data_counts, sparql_dotted, sparql_forest_rows
from kg.vocab import CATALOG_GRAPH, KG, KG_GRAPH, ONTOLOGY_GRAPH, PREFIXES, RDF, XSD

if TYPE_CHECKING:
    import pyoxigraph as ox
else:
    class _Oxigraph:
        """pyoxigraph, imported at its first use: a lookup that the chart index answers never loads it."""

        def __getattr__(self, name: str) -> Any:
            import pyoxigraph

            globals()["ox"] = pyoxigraph  # from now on the module itself
            return getattr(pyoxigraph, name)

    ox = _Oxigraph()

FORMAT_VERSION = 1
DEFAULT_DIRNAME = ".kg"
ENV_STORE = "KG_STORE"
ENV_LOCK_TIMEOUT = "KG_LOCK_TIMEOUT"
READ_WAIT_SECONDS = 30.0
WRITE_WAIT_SECONDS = 600.0
WRITER_FLAG = "kg.writer"  # held (shared) by writers while they wait and write; see writer_waiting
CATALOG_COPY = "catalog.json"  # the catalog's rows as the last writer left them; see Store.sources


def default_store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The store to use: the given path, else ``$KG_STORE``, else ``.kg`` in the current directory."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_STORE)
    return Path(env) if env else Path.cwd() / DEFAULT_DIRNAME


def sparql_string(value: str) -> str:
    """A SPARQL string literal for ``value`` (escaped, never concatenated raw).

    >>> sparql_string('say "hi"\\n')
    '"say \\\\"hi\\\\"\\\\n"'
    """
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{out}"'


def term_value(term: Any) -> str | None:
    """The plain string value of an Oxigraph term (IRI, literal or blank node), or None."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def graph_select(db: ox.Store, graph: ox.NamedNode) -> Callable[[str], list[dict[str, str | None]]]:
    """A SELECT runner over one graph (and the ontology) of ``db``: rows as plain strings."""
    def select(sparql: str) -> list[dict[str, str | None]]:
        solutions = db.query(sparql, prefixes=PREFIXES, default_graph=[graph, ox.NamedNode(ONTOLOGY_GRAPH)])
        names = [v.value for v in solutions.variables]
        return [{n: term_value(sol[n]) for n in names} for sol in solutions]
    return select


@dataclass
class SourceInfo:
    """One loaded source, as the catalog records it."""

    name: str
    graph: str
    path: str = ""
    format: str = ""
    loaded_at: str = ""
    triples: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    series: str = ""  # the organization this source is a snapshot of ("" outside any series)
    as_of: str = ""  # the snapshot's date, ISO (YYYY-MM-DD)

    @property
    def scenario(self) -> bool:
        """A what-if reorganization saved by `kg whatif --save` (seen only when named)."""
        return "scenario" in self.summary


SOURCE_VARS = ("name", "graph", "path", "format", "at", "n", "summary", "series", "asof")
SOURCES_QUERY = f"""SELECT ?name ?graph ?path ?format ?at ?n ?summary ?series ?asof WHERE {{
    ?s a <{KG.Source}> ; <{KG.name}> ?name ; <{KG.graph}> ?graph .
    OPTIONAL {{ ?s <{KG.path}> ?path }} OPTIONAL {{ ?s <{KG.format}> ?format }}
    OPTIONAL {{ ?s <{KG.loadedAt}> ?at }} OPTIONAL {{ ?s <{KG.triples}> ?n }}
    OPTIONAL {{ ?s <{KG.summary}> ?summary }} OPTIONAL {{ ?s <{KG.series}> ?series }}
    OPTIONAL {{ ?s <{KG.asOf}> ?asof }} }}"""  # run over the catalog graph


def sources_from_rows(rows: list[dict[str, str | None]]) -> list[SourceInfo]:
    """Catalog entries from the rows of :data:`SOURCES_QUERY` (plain strings), sorted by name."""
    out = [
        SourceInfo(
            name=r["name"] or "",
            graph=r["graph"] or "",
            path=r["path"] or "",
            format=r["format"] or "",
            loaded_at=r["at"] or "",
            triples=int(float(r["n"])) if r["n"] else 0,
            summary=json.loads(r["summary"]) if r["summary"] else {},
            series=r.get("series") or "",
            as_of=r.get("asof") or "",
        )
        for r in rows
    ]
    return sorted(out, key=lambda s: s.name)


class _Lock:
    """An advisory file lock (flock): shared for readers, exclusive for the writer."""

    def __init__(self, path: Path, exclusive: bool) -> None:
        self.path = path
        self.exclusive = exclusive
        self._fd: int | None = None
        self._flag: int | None = None

    def acquire(self, timeout: float, on_wait: Callable[[str], None] | None = None) -> None:
        flags = os.O_RDWR | os.O_CREAT if self.exclusive else os.O_RDONLY
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder, not kg's lock file: remove it (`kg doctor` does) "
                             "and run again")
        try:
            try:
                self._fd = os.open(self.path, flags, 0o644)
            except FileNotFoundError:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise StoreError(
                    f"store {self.path.parent} is read-only ({exc.strerror}): cannot write to it; "
                    "use --store to pick a writable folder"
                ) from exc
            raise StoreError(f"cannot open the lock file {self.path}: {exc.strerror}") from exc
        if self.exclusive:
            self._flag_writer()
        mode = fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + timeout
        warned = False
        while True:
            try:
                fcntl.flock(self._fd, mode | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() >= deadline:
                self.release()
                what = "load" if not self.exclusive else "kg command"
                raise StoreBusyError(
                    f"store {self.path.parent} is busy: another {what} is using it; try again when it "
                    f"finishes (or raise {ENV_LOCK_TIMEOUT}, now {timeout:g} s)"
                )
            if not warned and on_wait:
                on_wait(f"waiting for another kg process to release {self.path.parent} ...")
                warned = True
            time.sleep(0.05)

    def _flag_writer(self) -> None:
        """Say a writer waits (or writes), so readers that keep the store open step aside: writer_waiting."""
        try:
            self._flag = os.open(self.path.with_name(WRITER_FLAG), os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._flag, fcntl.LOCK_SH)  # writers share the flag; a reader's probe takes it alone
        except OSError:
            self._flag = None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None
        if self._flag is not None:
            os.close(self._flag)
            self._flag = None


def writer_waiting(root: Path) -> bool:
    """True while a writer waits for the store or writes it: a reader that keeps it open should close it."""
    try:
        fd = os.open(root / WRITER_FLAG, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


class CatalogReader:
    """What every kg dataset (embedded or remote) derives from its catalog of sources.

    ``as_of`` (an ISO date, None for today) picks, in each series of snapshots, the one every read sees
    (:func:`kg.history.current`).
    """

    _graphs: list[ox.NamedNode] | None = None
    _named: list[ox.NamedNode] | None = None
    as_of: str | None = None

    def sources(self) -> list[SourceInfo]:
        """Every loaded source (every snapshot of every series), sorted by name."""
        raise NotImplementedError

    _only: list[str] | None = None  # names of the sources reads see, when chosen by see_only

    def visible_sources(self) -> list[SourceInfo]:
        """The sources reads see: outside any series, and the current snapshot of each series (or exactly
        those chosen by :meth:`see_only`)."""
        from kg.history import current

        if self._only is not None:
            return [s for s in self.sources() if s.name in self._only]
        return current(self.sources(), self.as_of)

    def has_data(self) -> bool:
        """True when at least one source is loaded."""
        return bool(self.sources())

    def graphs(self) -> list[ox.NamedNode]:
        """The graphs queries see: the ontology and the graph of every visible source."""
        if self._graphs is None:
            self._dataset()
        return self._graphs  # type: ignore[return-value]

    def history_graphs(self) -> list[ox.NamedNode]:
        """The named graphs queries see: the ontology and every source up to ``as_of`` (every snapshot of each
        series, so ``GRAPH ?g`` patterns can compare snapshots); the default graph stays :meth:`graphs`."""
        if self._named is None:
            self._dataset()
        return self._named  # type: ignore[return-value]

    def _dataset(self) -> None:
        from kg.history import current, history

        every = self.sources()
        ontology = [ox.NamedNode(ONTOLOGY_GRAPH)]
        shown = current(every, self.as_of) if self._only is None else [s for s in every if s.name in self._only]
        self._graphs = ontology + [ox.NamedNode(s.graph) for s in shown]
        self._named = ontology + [ox.NamedNode(s.graph) for s in (shown if self._only is not None
                                                                   else history(every, self.as_of))]

    def see_as_of(self, as_of: str | None) -> None:
        """Read the snapshots current on ``as_of`` (an ISO date; None: the latest) from now on."""
        self.as_of = as_of
        self._only = None
        self._graphs = self._named = None

    def see_only(self, sources: list[SourceInfo] | None) -> None:
        """Read exactly these sources from now on (one snapshot, to compare it with another); None: undo."""
        self._only = None if sources is None else [s.name for s in sources]
        self._graphs = self._named = None

    def see_as_the_environment_says(self) -> None:
        """Apply ``$KG_AS_OF`` and ``$KG_SNAPSHOT`` (what the global --as-of and --snapshot set, for this process
        and its workers)."""
        import os

        from kg.history import ENV_SNAPSHOT, env_as_of, snapshot

        self.see_as_of(env_as_of())
        spec = os.environ.get(ENV_SNAPSHOT, "").strip()
        if spec:
            self.see_only(snapshot(self.sources(), spec))


class Store(SparqlReads, CatalogReader):
    """A kg store: an Oxigraph database plus its catalog of sources. Open it with :func:`open_store`."""

    def __init__(self, path: Path, db: ox.Store | None, writable: bool, lock: _Lock,
                 open_db: Callable[[], ox.Store] | None = None) -> None:
        self.path = path
        self._db = db
        self._open_db = open_db  # opens the database at first use (readers), under the lock already held
        self.writable = writable
        self._lock = lock
        self._graphs: list[ox.NamedNode] | None = None
        self._named: list[ox.NamedNode] | None = None
        self._chart: ChartIndex | None = None
        self._scope: tuple[list[ox.NamedNode], list[ox.NamedNode]] | None = None

    @property
    def db(self) -> ox.Store:
        """The Oxigraph database; a reader opens it at its first SPARQL query (see the module's notes)."""
        if self._db is None:
            if self._open_db is None:
                raise StoreError(f"the store at {self.path} is closed")
            self._db = self._open_db()
        return self._db

    # -- reading ------------------------------------------------------------------------------------------

    def sources(self) -> list[SourceInfo]:
        """Every loaded source, sorted by name: a reader takes them from the last writer's copy of the catalog
        when it is current (no database opened), else from the database."""
        copied = None if self.writable else read_catalog_copy(self.path)
        return sources_from_rows(self._catalog_rows() if copied is None else copied)

    def _catalog_rows(self) -> list[dict[str, str | None]]:
        rows = self.db.query(SOURCES_QUERY, default_graph=ox.NamedNode(CATALOG_GRAPH))
        return [{k: term_value(r[k]) for k in SOURCE_VARS} for r in rows]

    def query(self, sparql: str, *, prefixes: bool = True, **bindings: Any) -> Any:
        """Run SPARQL over the visible dataset.

        ``bindings`` give variables values safely: each value becomes an escaped RDF term in a VALUES block
        at the top of the WHERE clause, never raw text in the query. (As in any SPARQL, a FILTER inside a
        nested group or UNION branch does not see those values: bind only variables of the outer group.)
        """
        if bindings:
            sparql = bind_values(sparql, {k: _to_term(v) for k, v in bindings.items()})
        default, named = self._scope or (self.graphs(), self.history_graphs())
        try:
            return self.db.query(
                sparql,
                prefixes=PREFIXES if prefixes else None,
                default_graph=default,
                named_graphs=named,
            )
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc

    def selectable_graphs(self) -> list[ox.NamedNode]:
        """The graphs a query may choose (a SPARQL Protocol dataset, FROM): the visible graphs (every
        snapshot up to ``as_of`` included) and the catalog (what `kg sources` shows, read by a kg client
        through `--endpoint`)."""
        return [*self.history_graphs(), ox.NamedNode(CATALOG_GRAPH)]

    @contextmanager
    def scoped(self, default: Iterable[str], named: Iterable[str]) -> Iterator[Store]:
        """Queries inside the block see exactly this dataset: the graphs in ``default`` merged as the default
        graph, those in ``named`` as the named graphs. An IRI that is not one of :meth:`selectable_graphs`
        is an empty graph: other data of the database is never seen."""
        allowed = {g.value: g for g in self.selectable_graphs()}
        self._scope = ([allowed[g] for g in dict.fromkeys(default) if g in allowed],
                       [allowed[g] for g in dict.fromkeys(named) if g in allowed])
        try:
            yield self
        finally:
            self._scope = None

    def select(self, sparql: str, **bindings: Any) -> list[dict[str, str | None]]:
        """Rows of a SELECT query as dicts of plain strings (IRIs and literal values), None when unbound."""
        solutions = self.query(sparql, **bindings)
        names = [v.value for v in solutions.variables]
        return [{n: term_value(sol[n]) for n in names} for sol in solutions]

    @property
    def chart(self) -> ChartIndex | None:
        """The chart index (the stored forest rows); None for a reader when it is missing or of an older
        shape or damaged (readers then take the same rows from SPARQL; the next writer, any `kg load`, rebuilds
        it from the triples)."""
        if self._chart is None:
            path = self.path / "chart.sqlite"
            current = [s.graph for s in self.visible_sources()]
            try:
                readable = is_current(path)
            except sqlite3.DatabaseError:
                readable = False  # damaged: readers read around it, the next writer rebuilds it
            if not self.writable and not readable:
                return None
            try:
                self._chart = ChartIndex(path, current, self.writable)
            except sqlite3.Error as exc:
                full = disk_full(exc, path)
                if full is not None:
                    raise full from exc
                raise StoreError(chart_damaged(path, exc)) from exc
            if self.writable:
                self._refill_chart(self._chart)
        return self._chart

    def _refill_chart(self, chart: ChartIndex) -> None:
        """Index the current graphs the chart index has no rows of (an index rebuilt for a new shape)."""
        have = chart.graphs()
        for info in self.sources():
            if info.graph not in have:
                select = graph_select(self.db, ox.NamedNode(info.graph))
                rows = sparql_forest_rows(select)
                chart.add(info.graph, [(*r[:-1], info.name) for r in rows.nodes], rows.edges, sparql_dotted(select))
        self._place(chart)

    def forest_rows(self, *, above: str | None = None, below: str | None = None) -> Rows:
        """The reporting forest's rows (see :class:`kg.reading.Reader`): from the chart index, only the part
        an answer needs when ``above`` or ``below`` is given; from SPARQL when there is no current index."""
        chart = self.chart
        if chart is None:
            return super().forest_rows()
        if above is not None:
            return Rows(*chart.rows_above(above))
        if below is not None:
            return Rows(*chart.rows_below(below))
        return Rows(*chart.rows())

    def find(self, column: str, value: str) -> list[str]:
        """Chart nodes by id, folded name or words (see :class:`kg.reading.Reader`)."""
        chart = self.chart
        return super().find(column, value) if chart is None else chart.find(column, value)

    def node_records(self, iris: list[str]) -> list[NodeRow]:
        chart = self.chart
        return super().node_records(iris) if chart is None else chart.records(iris)

    def dotted_lines(self, report: str | None = None) -> list[Edge]:
        chart = self.chart
        return super().dotted_lines(report) if chart is None else chart.dotted(report)

    def name_keys(self) -> list[str]:
        chart = self.chart
        return super().name_keys() if chart is None else sorted(chart.keys())

    def placed_below(self, iri: str, depth: int | None = None, *, with_iri: bool = True) -> Iterator[Below]:
        """Everyone below ``iri`` from the chart index's placed table (one range scan), else from the forest."""
        found = self.chart.placed_below(iri, depth, with_iri=with_iri) if self.chart is not None else None
        return super().placed_below(iri, depth) if found is None else found

    def placed_span(self, top: int | None = None) -> list[Placed]:
        found = self.chart.placed_span(top) if self.chart is not None else None
        return super().placed_span(top) if found is None else found

    def forest_summary(self) -> dict[str, Any]:
        found = self.chart.placed_summary() if self.chart is not None else None
        return super().forest_summary() if found is None else found

    def data_counts(self) -> dict[str, Any]:
        found = self.chart.placed_counts() if self.chart is not None else None
        return super().data_counts() if found is None else found

    def placed_top(self, ranking: str, top: int | None = None) -> list[Placed]:
        found = self.chart.placed_top(ranking, top) if self.chart is not None else None
        return super().placed_top(ranking, top) if found is None else found

    def placed_columns(self, names: Sequence[str]) -> list[Any]:
        found = self.chart.placed_columns(names) if self.chart is not None else None
        return super().placed_columns(names) if found is None else found

    def placed_rows(self, positions: Sequence[int]) -> list[Placed]:
        found = self.chart.placed_rows(positions) if self.chart is not None else None
        return super().placed_rows(positions) if found is None else found

    def forest_columns(self, attributes: bool = True) -> Columns:
        found = self.chart.placed_forest(attributes) if self.chart is not None else None
        return super().forest_columns(attributes) if found is None else found

    def placed_node(self, iri: str) -> list[Placed]:
        found = self.chart.placed_node(iri) if self.chart is not None else None
        return super().placed_node(iri) if found is None else found

    def placed_reports(self, iri: str) -> list[Placed]:
        found = self.chart.placed_reports(iri) if self.chart is not None else None
        return super().placed_reports(iri) if found is None else found

    def placed_subtree(self, iri: str, depth: int | None = None) -> list[Placed]:
        found = self.chart.placed_subtree(iri, depth) if self.chart is not None else None
        return super().placed_subtree(iri, depth) if found is None else found

    def solid_lines(self, iris: list[str]) -> list[Edge]:
        chart = self.chart
        return super().solid_lines(iris) if chart is None else chart.solid_lines(iris)

    def search_rows(self, folded: str, casefolded: str) -> Iterator[list[NodeRow]]:
        chart = self.chart
        return super().search_rows(folded, casefolded) if chart is None else chart.search_rows(folded, casefolded)

    def _place(self, chart: ChartIndex) -> None:
        """Write the chart's placed table for the visible graphs, with the data counts of what reads see; give
        back the disk of rows deleted before (an unloaded source's) when they were most of the index."""
        chart.place(lambda: sparql_data_counts(self.select))
        chart.compact()

    def triple_count(self, graph: str) -> int:
        rows = self.db.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=ox.NamedNode(graph)
        )
        return int(next(iter(rows))["n"].value)

    # -- writing ------------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Stage new source graphs; they become visible together when the block ends without error."""
        if not self.writable:
            raise StoreError("store opened read-only; cannot write")
        txn = Transaction(self)
        try:
            yield txn
        except BaseException:
            txn.rollback()
            raise
        txn.commit()
        self._graphs = self._named = None
        if self.chart is not None:
            self.chart.set_graphs(s.graph for s in self.visible_sources())
            self._place(self.chart)

    def see_as_of(self, as_of: str | None) -> None:
        super().see_as_of(as_of)
        if self._chart is not None:
            self._chart.set_graphs(s.graph for s in self.visible_sources())

    def see_only(self, sources: list[SourceInfo] | None) -> None:
        super().see_only(sources)
        if self._chart is not None:
            self._chart.set_graphs(s.graph for s in self.visible_sources())

    def unload(self, name: str) -> SourceInfo:
        """Remove a source (by name) from the store."""
        from kg.errors import NotFoundError

        matches = [s for s in self.sources() if s.name == name or s.path == name]
        if not matches:
            known = ", ".join(s.name for s in self.sources()) or "none"
            raise NotFoundError(f"no source named '{name}' (loaded sources: {known}); see `kg sources`")
        info = matches[0]
        self.db.update(
            f"DELETE WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ {ox.NamedNode(_source_iri(info.name))} ?p ?o }} }}"
        )
        self.db.remove_graph(ox.NamedNode(info.graph))
        self._graphs = self._named = None
        if self.chart is not None:
            self.chart.drop([info.graph])
            self.chart.set_graphs(s.graph for s in self.visible_sources())
            self._place(self.chart)
        return info

    def close(self) -> None:
        """Flush and release the database and the lock (a writer leaves its copy of the catalog)."""
        try:
            if self._chart is not None:
                self._chart.close()
            if self.writable:
                self.db.flush()
                write_catalog_copy(self.path, self._catalog_rows())
        finally:
            global _lingering
            self._open_db = None
            if self._db is not None and sys.getrefcount(self._db) > 2:  # other references than the attribute
                _lingering = True                                        # and the call's argument
            self._db = None
            self._lock.release()

    def _ensure_ontology(self) -> None:
        fingerprint = ontology_fingerprint()
        current = self.db.query(
            f"SELECT ?f WHERE {{ <{KG.store}> <{KG.ontologyFingerprint}> ?f }}",
            default_graph=ox.NamedNode(CATALOG_GRAPH),
        )
        found = [r["f"].value for r in current]
        if found == [fingerprint]:
            return
        staging = ox.NamedNode(KG_GRAPH[f"staging/ontology/{uuid.uuid4().hex}"])
        for path in ontology_files():
            self.db.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=staging)
        # Switch the ontology atomically: copy staged triples in one update, then drop the stage.
        self.db.update(
            f"""DELETE WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ <{KG.store}> <{KG.ontologyFingerprint}> ?f }} }};
            DROP SILENT GRAPH <{ONTOLOGY_GRAPH}> ;
            ADD {ox.NamedNode(staging.value)} TO <{ONTOLOGY_GRAPH}> ;
            INSERT DATA {{ GRAPH <{CATALOG_GRAPH}> {{
                <{KG.store}> <{KG.ontologyFingerprint}> {ox.Literal(fingerprint)} }} }}"""
        )
        self.db.remove_graph(staging)

    def _collect_garbage(self) -> None:
        """Drop graphs that no catalog entry names (left by a killed load)."""
        keep = {ONTOLOGY_GRAPH, CATALOG_GRAPH} | {s.graph for s in self.sources()}
        for graph in list(self.db.named_graphs()):
            if isinstance(graph, ox.NamedNode) and graph.value not in keep:
                self.db.remove_graph(graph)
        if self.chart is not None:
            self.chart.keep_only(keep)


class Transaction:
    """Staged graphs of one write; see :meth:`Store.transaction`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._staged: list[SourceInfo] = []
        self._graphs: list[ox.NamedNode] = []

    def new_graph(self, name: str) -> ox.NamedNode:
        """A fresh, invisible graph to fill for source ``name``."""
        graph = ox.NamedNode(KG_GRAPH[f"source/{_slug(name)}/{uuid.uuid4().hex[:12]}"])
        self._graphs.append(graph)
        return graph

    @property
    def graphs(self) -> list[ox.NamedNode]:
        """The graphs filled so far in this transaction."""
        return list(self._graphs)

    def index_chart(self, graph: ox.NamedNode, rows: Rows) -> None:
        """Record the forest rows of a filled graph in the chart index (visible with the graph)."""
        if self.store.chart is not None:
            self.store.chart.add(graph.value, rows.nodes, rows.edges, rows.dotted)

    def index_chart_in_steps(self, graph: ox.NamedNode, rows: Rows, step: int) -> Iterator[None]:
        """:meth:`index_chart` a slice of ``step`` rows per iteration (see :meth:`ChartIndex.add_in_steps`)."""
        if self.store.chart is not None:
            yield from self.store.chart.add_in_steps(graph.value, rows.nodes, rows.edges, rows.dotted, step)

    def stage(self, info: SourceInfo) -> None:
        """Record a filled graph as the new version of its source (visible at commit)."""
        if not info.triples:
            info.triples = self.store.triple_count(info.graph)
        self._staged = [s for s in self._staged if s.name != info.name] + [info]

    def commit(self) -> None:
        if not self._staged:
            self.rollback()
            return
        old = {s.name: s for s in self.store.sources()}
        deletes: list[str] = []
        inserts: list[ox.Triple] = []
        for info in self._staged:  # every value is an RDF term that pyoxigraph writes (checked, escaped)
            deletes.append(
                f"DELETE WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ {ox.NamedNode(_source_iri(info.name))} ?p ?o }} }}")
            subject = ox.NamedNode(_source_iri(info.name))
            values = [(RDF.type, ox.NamedNode(KG.Source)), (KG.name, ox.Literal(info.name)),
                      (KG.graph, ox.NamedNode(info.graph)), (KG.path, ox.Literal(info.path)),
                      (KG.format, ox.Literal(info.format)), (KG.loadedAt, ox.Literal(info.loaded_at or _now())),
                      (KG.triples, ox.Literal(str(info.triples), datatype=ox.NamedNode(XSD.integer))),
                      (KG.series, ox.Literal(info.series)), (KG.asOf, ox.Literal(info.as_of)),
                      (KG.summary, ox.Literal(json.dumps(info.summary, sort_keys=True)))]
            inserts += [ox.Triple(subject, ox.NamedNode(p), o) for p, o in values]
        self.store.db.update(
            " ;\n".join(deletes) + f" ;\nINSERT DATA {{ GRAPH <{CATALOG_GRAPH}> {{ "
            + ox.serialize(inserts, format=ox.RdfFormat.N_TRIPLES).decode() + " } }"
        )
        staged_graphs = {s.graph for s in self._staged}
        for graph in self._graphs:  # graphs filled but not staged
            if graph.value not in staged_graphs:
                self.store.db.remove_graph(graph)
        dropped = [old[i.name].graph for i in self._staged if i.name in old and old[i.name].graph != i.graph]
        for graph in dropped:
            self.store.db.remove_graph(ox.NamedNode(graph))
        if self.store.chart is not None:
            self.store.chart.drop(dropped + [g.value for g in self._graphs if g.value not in staged_graphs])

    def rollback(self) -> None:
        for graph in self._graphs:
            try:
                self.store.db.remove_graph(graph)
            except OSError:
                pass  # the next writer collects it
        if self.store.chart is not None:
            self.store.chart.drop(g.value for g in self._graphs)


def _chart_stamp(root: Path) -> list[int] | None:
    """Size and modification time of the chart index: any write changes them."""
    try:
        st = (root / "chart.sqlite").stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def read_catalog_copy(root: Path) -> list[dict[str, str | None]] | None:
    """The catalog rows (of :data:`SOURCES_QUERY`) the last writer copied, or None when there is no current
    copy: none written (a killed writer, an older kg), or the chart index changed since (a writer that left no
    copy)."""
    try:
        copy = json.loads((root / CATALOG_COPY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(copy, dict) or copy.get("chart") != _chart_stamp(root) or copy.get("chart") is None:
        return None
    rows = copy.get("sources")
    return rows if isinstance(rows, list) else None


def write_catalog_copy(root: Path, rows: list[dict[str, str | None]]) -> None:
    """Copy the catalog rows for readers (a writer, as it closes, holding the lock)."""
    from kg.files import write_atomic

    write_atomic(root / CATALOG_COPY, json.dumps({"chart": _chart_stamp(root), "sources": rows}, sort_keys=True))


def chart_damaged(path: Path, exc: BaseException) -> str:
    """The one-line message for a chart index that SQLite cannot read."""
    return (f"the chart index {path} is damaged ({exc}): run `kg doctor` to rebuild it from the store "
            "(the store itself is the source of truth)")


def store_exists(path: Path) -> bool:
    return (path / "kg.json").is_file()


_lingering = False  # a closed Store's database may still be referenced (see open_store)


def open_store(
    path: str | os.PathLike[str] | None = None,
    *,
    write: bool = False,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Store:
    """Open the store at ``path`` (see :func:`default_store_path`); create it when writing.

    Readers share the lock; a writer waits for it alone, so readers never see half a load.
    """
    global _lingering
    if _lingering:
        # pyoxigraph has no close(): a database closes when its last reference goes. A reference caught in
        # a handled exception's traceback cycle lives until the garbage collector runs, and two live
        # RocksDB instances on one folder corrupt it. Collect first, so the earlier instance is really gone.
        gc.collect()
        _lingering = False
    root = default_store_path(path)
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root} is a file, not a kg store folder; use --store to pick a folder")
    if not store_exists(root):
        if not write:
            raise NoStoreError(
                f"no kg store at {root}: load data with `kg load FILE` or try `kg demo`"
            )
        if root.exists() and any(root.iterdir()):
            raise StoreError(
                f"{root} exists but is not a kg store (no kg.json); use --store to pick another folder"
            )
        try:
            root.mkdir(parents=True, exist_ok=True)
            (root / "kg.json").write_text(json.dumps({"kg_store_format": FORMAT_VERSION}) + "\n")
        except OSError as exc:
            raise StoreError(f"cannot create a store at {root}: {exc.strerror}") from exc
    _check_marker(root)
    timeout = env_seconds(ENV_LOCK_TIMEOUT, wait if wait is not None else
                          (WRITE_WAIT_SECONDS if write else READ_WAIT_SECONDS))
    lock = _Lock(root / "kg.lock", exclusive=write)
    lock.acquire(timeout, on_wait)
    if write or read_catalog_copy(root) is None or not (root / "oxigraph").is_dir():
        try:
            db = _open_database(root, write)
            if write:
                (root / CATALOG_COPY).unlink(missing_ok=True)  # readers read the database until this writer closes
        except BaseException:
            lock.release()
            raise
        store = Store(root, db, write, lock)
    else:  # the database opens at the first SPARQL query, still under this reader's lock
        store = Store(root, None, write, lock, open_db=lambda: _open_database(root, write=False))
    if not write:
        try:
            store.see_as_the_environment_says()
        except BaseException:
            store.close()
            raise
    if write:
        try:
            store._collect_garbage()
            store._ensure_ontology()
        except BaseException:
            store.close()
            raise
    return store


def _open_database(root: Path, write: bool) -> ox.Store:
    """The Oxigraph database of the store at ``root`` (the caller holds the lock); one line when it cannot."""
    db_path = str(root / "oxigraph")
    try:
        return ox.Store(db_path) if write else ox.Store.read_only(db_path)
    except (OSError, RuntimeError) as exc:  # RocksDB reports damage as RuntimeError("Corruption: ...")
        if write and not os.access(root, os.W_OK):
            raise StoreError(f"store {root} is read-only: cannot write to it") from exc
        detail = " ".join(str(exc).split())[:200]
        if isinstance(exc, RuntimeError) or "Corruption" in detail:
            raise StoreError(f"the store's database {db_path} is damaged ({detail}); restore the folder from a "
                             f"backup, or move {root} aside and load your files again (`kg doctor` checks it)"
                             ) from exc
        raise StoreError(f"cannot open the store at {root}: {detail}") from exc


@contextmanager
def opened(path: str | os.PathLike[str] | None = None, *, write: bool = False,
           on_wait: Callable[[str], None] | None = None) -> Iterator[Store]:
    """``with opened(...) as store:`` opens and always closes the store (and its lock)."""
    store = open_store(path, write=write, on_wait=on_wait)
    try:
        yield store
    finally:
        store.close()


def env_seconds(name: str, default: float) -> float:
    """A number of seconds from the environment variable ``name`` (``default`` when unset).

    >>> env_seconds("KG_TEST_UNSET_VARIABLE", 2.5)
    2.5
    """
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise StoreError(f"{name}={value!r} is not a number of seconds: unset it or give e.g. {name}=30")
    return seconds


def _check_marker(root: Path) -> None:
    try:
        marker = json.loads((root / "kg.json").read_text())
    except (OSError, ValueError) as exc:
        raise StoreError(f"{root}/kg.json is unreadable: this is not a usable kg store") from exc
    if marker.get("kg_store_format") != FORMAT_VERSION:
        raise StoreError(
            f"{root} was written by another kg version (format {marker.get('kg_store_format')}); "
            "reload your data into a new store"
        )


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind_values(sparql: str, values: dict[str, Any]) -> str:
    """Insert ``VALUES (?k ...) { (term ...) }`` at the start of the outer WHERE group.

    Each value is an RDF term, written by pyoxigraph (IRIs checked, literals escaped); one variable may take a
    list of terms (one row each).

    >>> print(bind_values("SELECT ?x WHERE { ?x ?p ?v }", {"v": ox.Literal("a b")}))
    SELECT ?x WHERE { VALUES (?v) { ("a b") } ?x ?p ?v }
    >>> print(bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": [ox.NamedNode("http://a"), ox.NamedNode("http://b")]}))
    SELECT ?x WHERE { VALUES (?x) { (<http://a>) (<http://b>) } ?x ?p ?o }
    """
    match = _WHERE.search(sparql)
    at = match.end() if match else sparql.index("{") + 1
    names = " ".join(f"?{k}" for k in values)
    listed = [v for v in values.values() if isinstance(v, (list, tuple, set))]
    if listed and len(values) > 1:
        raise ValueError("bind_values: a list of terms binds one variable alone")
    rows = [[t] for t in listed[0]] if listed else [list(values.values())]
    block = " ".join("(" + " ".join(str(t) for t in row) + ")" for row in rows)
    return f"{sparql[:at]} VALUES ({names}) {{ {block} }}{sparql[at:]}"


def _to_term(value: Any) -> Any:
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, (list, tuple, set)):  # several rows for one variable
        return [_to_term(v) for v in value]
    return ox.Literal(str(value))  # plain values are literals; pass ox.NamedNode for an IRI


def _slug(text: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "-" for c in text.lower())
    return keep.strip("-") or "source"


def _source_iri(name: str) -> str:
    from urllib.parse import quote

    return KG[f"source/{quote(name, safe='')}"]


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
