"""Loading files into the store: one named graph per source, all files of a call in one transaction."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from kg.errors import InputError
from kg.forest import Rows, gc_paused
from kg.history import date_in_column, date_in_name, parse_date
from kg.ingest.checks import LoadReport
from kg.ingest.csv_import import CsvOptions, import_csv
from kg.ingest.rdf_import import FORMATS, import_rdf, rdf_format
from kg.ingest.titles import TitleMatcher
from kg.reading import sparql_dotted
from kg.store import SourceInfo, Store, Transaction, bind_values, graph_select
from kg.vocab import DCTERMS, ONTOLOGY_GRAPH, ORG, PO, PO_ID, PREFIXES, PROV, RDF, RDFS, XSD

Progress = Callable[[str], None]


# Oxigraph's bulk loader keeps its whole input in memory while it sorts: feeding it batches bounds the peak
# RSS (100,000 people, 1.2 M triples: 1.15 GB in one call, about 0.3 GB in batches) for a little more CPU.
# Oxigraph sorts a call's input on one thread (below 1 M quads): two calls at once, each in a writer thread of
# its own, keep both cores busy (1 M triples: 6 s wall instead of 9 s, the same CPU). Two writers of 250,000-line
# batches took the 1M load's peak to 2.14 GB: batches of 125,000 keep as much in flight as one writer did.
BULK_BATCH_TRIPLES = 125_000
QUEUED_BATCHES = 1  # batches made ahead of the ones Oxigraph is writing (each ~15 MB of text)
WRITERS = 2


def _batches(chunks: Iterable[bytes], size: int = BULK_BATCH_TRIPLES) -> Iterator[tuple[bytes, int]]:
    """N-Triples chunks joined into batches of about ``size`` lines, never split: (bytes, line count)."""
    buffer: list[bytes] = []
    lines = 0
    for chunk in chunks:
        buffer.append(chunk)
        lines += chunk.count(b"\n")
        if lines >= size:
            yield b"".join(buffer), lines
            buffer, lines = [], 0
    if buffer:
        yield b"".join(buffer), lines


def title_matcher(store: Store, overrides: dict[str, str | None] | None = None) -> TitleMatcher:
    """A matcher over the role labels of the ontology in the store; ``overrides`` (title -> role IRI or None)
    come first (an organization's title map)."""
    rows = store.select(
        "SELECT ?role ?label WHERE { ?role a org:Role ; skos:prefLabel|skos:altLabel ?label }"
    )
    pref = store.db.query("SELECT ?s ?l WHERE { ?s skos:prefLabel ?l FILTER(isIRI(?s)) }", prefixes=PREFIXES,
                          default_graph=ox.NamedNode(ONTOLOGY_GRAPH))
    return TitleMatcher(((r["role"] or "", r["label"] or "") for r in rows), overrides,
                        [(r[0].value, r[1].value) for r in pref])


def is_csv(path: Path, fmt: str | None) -> bool:
    if fmt:
        return fmt.lower() in ("csv", "tsv")
    return path.suffix.lower() in (".csv", ".tsv", ".txt")


def load_files(
    store: Store,
    paths: list[Path],
    *,
    fmt: str | None = None,
    csv_options: CsvOptions | None = None,
    names: list[str] | None = None,
    progress: Progress | None = None,
    series: str | None = None,
    as_of: str | None = None,
    titles: dict[str, str | None] | None = None,
) -> list[LoadReport]:
    """Load files into the store, each as its own source (named after the file unless ``names``).

    With ``series``, the files are snapshots of one organization dated ``as_of`` (an ISO date), else by the date
    their names carry (see :mod:`kg.history`); a snapshot file whose name holds no date is named ``FILE@DATE``.
    ``titles`` maps job titles to role IRIs (None: no role) before the matcher is asked (a title map).
    All or nothing: if any file fails, the store is left exactly as it was.
    """
    if fmt and not (fmt.lower() in ("csv", "tsv") or fmt.lower() in FORMATS):
        raise InputError(f"unknown format '{fmt}'; use csv, " + ", ".join(sorted(FORMATS)))
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file")
    dates = snapshot_dates(paths, series, as_of)
    matcher = title_matcher(store, titles)
    reports: list[LoadReport] = []
    options = csv_options or CsvOptions()
    # Millions of rows, tuples and strings, none in a cycle: the collector would walk the growing heap again and
    # again (at 100,000 people ~1 s of CPU, five full collections) and find nothing; paused for the whole load.
    with gc_paused(), store.transaction() as txn:
        for i, path in enumerate(paths):
            name = names[i] if names and i < len(names) else _utf8(default_name(path, dates[i]))
            if progress:
                progress(f"loading {path} ...")
            graph = txn.new_graph(name)
            if is_csv(path, fmt):
                report = _load_csv(store, txn, path, graph, options, matcher, progress,
                                   _context_graphs(store, txn, series, dates[i]), name)
            else:
                rdf = rdf_format(path, fmt)
                if rdf is None:
                    raise InputError(
                        f"{path}: unknown file type '{path.suffix}'; give --format "
                        "(csv, turtle, nt, nquads, trig, json-ld, rdfxml)"
                    )
                report, chart, chunks = import_rdf(path, rdf, matcher)
                write_triples(txn, path, graph, chunks, chart, name)
                report.triples = report.rows = store.triple_count(graph.value)  # a file may repeat a triple
            report.source = name
            if series:
                report.series, report.as_of = series, dates[i]
                report.triples += _write_snapshot(store, graph, series, dates[i], name)
            txn.stage(SourceInfo(name=name, graph=graph.value, path=_utf8(str(path.resolve())),
                                 format=report.format, triples=report.triples,
                                 summary=report.to_dict(), series=series or "", as_of=dates[i] or ""))
            reports.append(report)
            if progress:
                progress(f"loaded {path}: {report.triples:,} triples")
    return reports


def _utf8(text: str) -> str:
    """A file name as text that can be stored: bytes that are not UTF-8 (a Latin-1 file name) become U+FFFD.

    >>> _utf8("caf\\udce9.csv") == "caf\\ufffd.csv"
    True
    """
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def snapshot_dates(paths: list[Path], series: str | None, as_of: str | None) -> list[str | None]:
    """The snapshot date of each file: ``as_of``, else the date in its name; None outside a series."""
    if as_of is not None:
        try:
            as_of = parse_date(as_of)
        except ValueError as exc:
            raise InputError(f"--as-of: {exc}") from exc
    if not series:
        if as_of is not None:
            raise InputError("--as-of dates a snapshot: give the organization's --series NAME too")
        return [None] * len(paths)
    if not series.strip() or any(not c.isprintable() for c in series):
        raise InputError("--series: give a printable name for the organization (e.g. --series moj)")
    dates = [as_of or date_in_name(p.name) or _date_column(p) for p in paths]
    for path, found in zip(paths, dates, strict=True):
        if found is None:
            raise InputError(f"{path}: neither its name nor a date column (As of, Snapshot date...) gives a date; "
                             "give the snapshot's date with --as-of YYYY-MM-DD")
    return dates


def _date_column(path: Path) -> str | None:
    """The date of a CSV file's date column (see :func:`kg.history.date_in_column`), if it has one."""
    import csv

    if not is_csv(path, None):
        return None
    try:
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
            reader = csv.reader(f)
            return date_in_column(next(reader, []), reader)
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from exc
    except (OSError, csv.Error):
        return None  # the loader reports what is wrong with the file


def default_name(path: Path, as_of: str | None) -> str:
    """A source's name: the file name, with ``@DATE`` when it is a snapshot whose file name lacks the date.

    >>> default_name(Path("hr/export.csv"), "2024-01-31"), default_name(Path("moj-2011-03-31.csv"), "2011-03-31")
    ('export.csv@2024-01-31', 'moj-2011-03-31.csv')
    """
    if as_of is None or date_in_name(path.name) == as_of:
        return path.name
    return f"{path.name}@{as_of}"


def snapshot_iri(series: str, as_of: str) -> str:
    """The IRI of the snapshot of ``series`` taken on ``as_of`` (the same for every file of that snapshot)."""
    return PO_ID[f"snapshot/{quote(series, safe='')}/{as_of}"]


def series_iri(series: str) -> str:
    return PO_ID[f"series/{quote(series, safe='')}"]


def _write_snapshot(store: Store, graph: ox.NamedNode, series: str, as_of: str, name: str) -> int:
    """Say in the source's graph which snapshot it is (PROV): found by ``GRAPH ?g { ?s a po:Snapshot }``."""
    snap, org = ox.NamedNode(snapshot_iri(series, as_of)), ox.NamedNode(series_iri(series))
    date = ox.Literal(as_of, datatype=ox.NamedNode(XSD.date))
    quads = [
        ox.Quad(snap, ox.NamedNode(RDF.type), ox.NamedNode(PO.Snapshot), graph),
        ox.Quad(snap, ox.NamedNode(PO.snapshotOf), org, graph),
        ox.Quad(snap, ox.NamedNode(PO.asOf), date, graph),
        ox.Quad(snap, ox.NamedNode(PROV.generatedAtTime),
                ox.Literal(f"{as_of}T00:00:00Z", datatype=ox.NamedNode(XSD.dateTime)), graph),
        ox.Quad(snap, ox.NamedNode(DCTERMS.source), ox.Literal(name), graph),
        ox.Quad(org, ox.NamedNode(RDF.type), ox.NamedNode(PO.SnapshotSeries), graph),
        ox.Quad(org, ox.NamedNode(RDFS.label), ox.Literal(series), graph),
    ]
    store.db.extend(quads)
    return len(quads)


def _context_graphs(store: Store, txn: Transaction, series: str | None, as_of: str | None) -> list[ox.NamedNode]:
    """The graphs a file's rows may refer to (a junior file's senior posts): what reads see, or for a snapshot
    only the files of the same snapshot (never another date's posts)."""
    if not series:
        return store.graphs() + txn.graphs
    same = [ox.NamedNode(s.graph) for s in store.sources() if s.series == series and s.as_of == as_of]
    return same + txn.graphs


def _load_csv(store: Store, txn: Transaction, path: Path, graph: ox.NamedNode, options: CsvOptions,
              matcher: TitleMatcher, progress: Progress | None, visible: list[ox.NamedNode],
              name: str) -> LoadReport:

    def known_posts(iris: list[str]) -> set[str]:
        posts = [ox.NamedNode(i) for i in set(iris)]
        rows = store.db.query(bind_values("SELECT DISTINCT ?p WHERE { ?p ?x ?y }", {"p": posts}),
                              default_graph=visible)
        return {r["p"].value for r in rows}

    chart = Rows()
    report, chunks = import_csv(path, options, matcher, known_posts, chart)
    report.triples = 0

    def written(lines: int) -> None:
        report.triples += lines
        if progress:
            progress(f"  {report.triples:,} triples written ({report.rows:,} rows)")

    write_triples(txn, path, graph, chunks, chart, name or path.name, written)
    return report


def write_triples(txn: Transaction, path: Path, graph: ox.NamedNode, chunks: Iterable[bytes], chart: Rows,
                  source: str, written: Callable[[int], None] | None = None) -> None:
    """Bulk load an importer's N-Triples ``chunks`` into ``graph`` (batches of whole chunks, never split) and
    its forest rows ``chart`` into the chart index; ``written`` hears the lines of each batch."""
    # The chart index (SQLite) is written a slice after each batch handed to Oxigraph: while it writes.
    index = txn.index_chart_in_steps(graph, _named(chart, source), CHART_SLICE)
    try:
        with BulkWriter(txn.store.db, graph, written or (lambda _lines: None)) as writer:
            for batch, lines in _batches(chunks, BULK_BATCH_TRIPLES):
                writer.put(batch, lines)
                next(index, None)
            for _ in index:
                pass
    except SyntaxError as exc:  # a bug of ours, never the user's data: say so plainly
        raise InputError(f"{path}: internal error writing triples ({exc}); please report it") from exc
    finally:
        index.close()  # a load stopped midway: the chart index's indexes are built again


class BulkWriter:
    """Oxigraph's bulk loading in :data:`WRITERS` threads of its own, fed N-Triples batches through a short queue.

    ``Store.bulk_load`` runs in native code without the GIL, so the caller's Python (making the next batch's
    text, writing the chart index) runs beside it, and the writers load two batches at once (each batch is one
    call: all the lines of a blank node stay in one call). The queue holds at most :data:`QUEUED_BATCHES`
    batches (bounded memory). An error of a writer is raised by the next ``put`` or at the end of the block
    (every writer stops); an error of the caller stops the writers before it propagates (the transaction then
    removes the half-filled graph).
    """

    def __init__(self, db: ox.Store, graph: ox.NamedNode, written: Callable[[int], None],
                 writers: int | None = None) -> None:
        self.db, self.graph, self.written = db, graph, written
        self.queue: queue.Queue[tuple[bytes, int] | None] = queue.Queue(QUEUED_BATCHES)
        self.error: BaseException | None = None
        self.threads = [threading.Thread(target=self._run, name="kg-bulk-load", daemon=True)
                        for _ in range(writers or WRITERS)]

    def __enter__(self) -> BulkWriter:
        for thread in self.threads:
            thread.start()
        return self

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.db.bulk_load(input=item[0], format=ox.RdfFormat.N_TRIPLES, to_graph=self.graph)
                except BaseException as exc:  # handed to the caller's thread
                    self.error = exc

    def put(self, batch: bytes, lines: int) -> None:
        self._raise()
        self.queue.put((batch, lines))
        self.written(lines)

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()
        if kind is None:
            self._raise()


CHART_SLICE = 25_000  # node rows (and as many edges) written to the chart index per batch of triples


def _named(rows: Rows, source: str) -> Rows:
    """The rows, their source named as the catalog names it (in place: a million rows are not copied)."""
    nodes = rows.nodes
    for i, r in enumerate(nodes):
        if r[-1] != source:
            nodes[i] = (*r[:-1], source)
    return rows


def save_scenario(store: Store, edits: list[tuple[str, str, str | None]], series: str, *,
                  base: str | None = None) -> dict[str, Any]:
    """Apply a what-if reorganization (:func:`kg.change.whatif`) and keep it as a snapshot of the series
    ``series``: a copy of the base snapshot's graphs with the new reporting lines, plus a po:Reorganization
    (org:ChangeEvent) that used the base and generated the scenario. Scenario series are seen only when named
    (``kg diff``, the global ``--snapshot``), never mixed into what reads see. The comparison is returned with
    ``saved``, the new source's name."""
    from kg.change import whatif

    if not series.strip() or any(not c.isprintable() for c in series) or "@" in series:
        raise InputError("--save: give a printable name without '@' for the scenario (e.g. --save plan-a)")
    before, after, steps, result = whatif(store, edits, base=base)
    sources = [s for s in store.sources() if s.name in result["base"]["sources"]]
    as_of = result["base"]["as_of"] if isinstance(result["base"]["as_of"], str) else _today()
    name = f"{series}@{as_of}"
    removed = {x for x in before if x not in after}
    changed = {x for x in after if after.manager(x) != before.manager(x)}
    drop_reports = removed | changed
    reports_to, rdf_type = ox.NamedNode(ORG.reportsTo), ox.NamedNode(RDF.type)
    bookkeeping = {ox.NamedNode(PO.Snapshot), ox.NamedNode(PO.SnapshotSeries)}
    with store.transaction() as txn:
        graph = txn.new_graph(name)
        for info in sources:
            source = ox.NamedNode(info.graph)
            skip = {q.subject for q in store.db.quads_for_pattern(None, rdf_type, None, source)
                    if q.object in bookkeeping}
            quads = []
            for q in store.db.quads_for_pattern(None, None, None, source):
                s, o = q.subject, q.object
                if s in skip or s.value in removed or o.value in removed or (
                        q.predicate == reports_to and s.value in drop_reports):
                    continue
                quads.append(ox.Quad(s, q.predicate, o, graph))
            store.db.extend(quads)
        store.db.extend(ox.Quad(ox.NamedNode(x), reports_to, ox.NamedNode(m), graph)
                        for x in sorted(changed) if (m := after.manager(x)) is not None)
        triples = store.triple_count(graph.value)
        triples += _write_snapshot(store, graph, series, as_of, name)
        described = [s.describe(before) for s in steps]
        triples += _write_reorganization(store, graph, series, as_of, base, sources, described)
        txn.index_chart(graph, Rows(after.rows(), after.edges(), dotted=sparql_dotted(graph_select(store.db, graph))))
        txn.stage(SourceInfo(name=name, graph=graph.value, path="", format="what-if", triples=triples,
                             summary={"scenario": {"base": result["base"], "changes": result["changes"]},
                                      "posts": result["after"]["posts"], "edges": len(after.edges())},
                             series=series, as_of=as_of))
    return result | {"saved": name}


def _write_reorganization(store: Store, graph: ox.NamedNode, series: str, as_of: str, base: str | None,
                          sources: list[SourceInfo], changes: list[str]) -> int:
    event = ox.NamedNode(PO_ID[f"reorganization/{quote(series, safe='')}/{as_of}"])
    used = {snapshot_iri(s.series, s.as_of) for s in sources if s.series} or {s.graph for s in sources}
    quads = [ox.Quad(event, ox.NamedNode(RDF.type), ox.NamedNode(PO.Reorganization), graph),
             ox.Quad(event, ox.NamedNode(RDFS.label), ox.Literal(f"what-if {series} on {base or 'the current data'}"),
                     graph),
             ox.Quad(event, ox.NamedNode(PROV.generated), ox.NamedNode(snapshot_iri(series, as_of)), graph)]
    quads += [ox.Quad(event, ox.NamedNode(PROV.used), ox.NamedNode(u), graph) for u in sorted(used)]
    quads += [ox.Quad(event, ox.NamedNode(PO.change), ox.Literal(c), graph) for c in changes]
    store.db.extend(quads)
    return len(quads)


def _today() -> str:
    from datetime import date

    return date.today().isoformat()
