"""Loading files into the store: one named graph per source, all files of a call in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.ingest.checks import LoadReport
from kg.ingest.csv_import import CsvOptions, import_csv
from kg.ingest.rdf_import import FORMATS, import_rdf, rdf_format
from kg.ingest.titles import TitleMatcher
from kg.store import SourceInfo, Store, Transaction

Progress = Callable[[str], None]


# Oxigraph's bulk loader keeps its whole input in memory while it sorts: feeding it batches bounds the peak
# RSS (100,000 people, 1.2 M triples: 1.15 GB in one call, about 0.3 GB in batches) for a little more CPU.
BULK_BATCH_TRIPLES = 250_000


def _batches(chunks: Iterable[bytes], size: int = BULK_BATCH_TRIPLES) -> Iterator[tuple[bytes, int]]:
    """N-Triples chunks joined into batches of about ``size`` lines: (bytes, line count)."""
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


def title_matcher(store: Store) -> TitleMatcher:
    """A matcher over the role labels of the ontology in the store."""
    rows = store.select(
        "SELECT ?role ?label WHERE { ?role a org:Role ; skos:prefLabel|skos:altLabel ?label }"
    )
    return TitleMatcher((r["role"] or "", r["label"] or "") for r in rows)


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
) -> list[LoadReport]:
    """Load files into the store, each as its own source (named after the file unless ``names``).

    All or nothing: if any file fails, the store is left exactly as it was.
    """
    if fmt and not (fmt.lower() in ("csv", "tsv") or fmt.lower() in FORMATS):
        raise InputError(f"unknown format '{fmt}'; use csv, " + ", ".join(sorted(FORMATS)))
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file")
    matcher = title_matcher(store)
    reports: list[LoadReport] = []
    options = csv_options or CsvOptions()
    with store.transaction() as txn:
        for i, path in enumerate(paths):
            name = names[i] if names and i < len(names) else path.name
            if progress:
                progress(f"loading {path} ...")
            graph = txn.new_graph(name)
            if is_csv(path, fmt):
                report = _load_csv(store, txn, path, graph, options, matcher, progress)
            else:
                rdf = rdf_format(path, fmt)
                if rdf is None:
                    raise InputError(
                        f"{path}: unknown file type '{path.suffix}'; give --format "
                        "(csv, turtle, nt, nquads, trig, json-ld, rdfxml)"
                    )
                report, chart = import_rdf(path, rdf, store.db, graph, matcher)
                txn.index_chart(graph, chart)
            report.source = name
            txn.stage(SourceInfo(name=name, graph=graph.value, path=str(path.resolve()),
                                 format=report.format, triples=report.triples,
                                 summary=report.to_dict()))
            reports.append(report)
            if progress:
                progress(f"loaded {path}: {report.triples:,} triples")
    return reports


def _load_csv(store: Store, txn: Transaction, path: Path, graph: ox.NamedNode, options: CsvOptions,
              matcher: TitleMatcher, progress: Progress | None = None) -> LoadReport:
    visible = store.graphs() + txn.graphs

    def known_posts(iris: list[str]) -> set[str]:
        values = " ".join(f"<{i}>" for i in set(iris))
        rows = store.db.query(
            f"SELECT DISTINCT ?p WHERE {{ VALUES ?p {{ {values} }} ?p ?x ?y }}", default_graph=visible
        )
        return {r["p"].value for r in rows}

    chart: list[tuple[str, str | None, str | None, str | None, str | None]] = []
    report, chunks = import_csv(path, options, matcher, known_posts, chart)
    report.triples = 0
    try:
        for batch, lines in _batches(chunks):
            store.db.bulk_load(input=batch, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
            report.triples += lines
            if progress:
                progress(f"  {report.triples:,} triples written ({report.posts:,} rows)")
    except SyntaxError as exc:  # a bug of ours, never the user's data: say so plainly
        raise InputError(f"{path}: internal error writing triples ({exc}); please report it") from exc
    txn.index_chart(graph, chart)
    return report
