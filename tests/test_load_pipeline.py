"""The CSV load as a pipeline (Oxigraph's bulk loading in a thread of its own, the chart index written beside
it) and its slimmer triples: what is no longer written is still answered, and a failure anywhere, on either
side of the pipeline, leaves the store exactly as it was."""

from __future__ import annotations

import csv
import errno
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from store_snapshot import leftover_graphs, org_csv, snapshot

import kg.chart_index as chart_index
import kg.ingest.load as load
from kg.chart_index import ChartIndex
from kg.ingest.load import load_files
from kg.reading import sparql_forest_rows
from kg.store import Store, opened
from kg.vocab import ORG, PO

SOLID = ox.NamedNode(PO.solidLineReportsTo)
REPORTS_TO = ox.NamedNode(ORG.reportsTo)


def _expected_edges(path: Path, id_column: str, manager_column: str) -> int:
    """Rows whose manager cell names another row's id (computed from the file with the csv module)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    ids = {r[id_column].strip() for r in rows}
    managers = [(r[id_column].strip(), r[manager_column].strip()) for r in rows]
    return sum(1 for i, m in managers if m in ids and m != i)


def _pairs(store: Store, predicate: ox.NamedNode) -> set[tuple[str, str]]:
    return {(q.subject.value, q.object.value) for g in store.graphs()
            for q in store.db.quads_for_pattern(None, predicate, None, g) if isinstance(q.object, ox.NamedNode)}


@pytest.mark.parametrize(("relative", "id_column", "manager_column"), [
    ("chinook/Employee.csv", "EmployeeId", "ReportsTo"),
    ("uk-organograms/300913-HMRC-Organogram-Final-senior.csv", "Post Unique Reference", "Reports to Senior Post"),
])
def test_the_solid_line_is_written_once_and_still_answered(real: Path, store_path: Path, relative: str,
                                                           id_column: str, manager_column: str) -> None:
    path = real / relative
    with opened(store_path, write=True) as store:
        [report] = load_files(store, [path])
    with opened(store_path) as store:
        assert _pairs(store, SOLID) == set()  # not repeated: org:reportsTo is the solid line
        lines = _pairs(store, REPORTS_TO)
        assert len(lines) == _expected_edges(path, id_column, manager_column) == report.edges
        chart = store.forest_rows()
        assert set(chart.edges) == lines
        # what a remote store (or one without its chart index) reads: the same forest from the triples alone
        served = sparql_forest_rows(store.select)
        assert set(served.edges) == lines
        assert sorted(r[:-1] for r in served.nodes) == sorted(r[:-1] for r in chart.nodes)
        assert served.forest().roots() == chart.forest().roots()
        assert store.triple_count(store.sources()[0].graph) == report.triples


class _FailingDb:
    """An Oxigraph store whose ``bulk_load`` fails (disk full) on its ``fail_at``-th call."""

    def __init__(self, db: ox.Store, fail_at: int) -> None:
        self._db, self._fail_at, self.calls = db, fail_at, 0

    def bulk_load(self, **kwargs: Any) -> None:
        self.calls += 1
        if self.calls == self._fail_at:
            raise OSError(errno.ENOSPC, "No space left on device", "oxigraph")
        self._db.bulk_load(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


@pytest.fixture
def loaded(example_store: Path, tmp_path: Path) -> Path:
    with opened(example_store, write=True) as store:
        load_files(store, [org_csv(tmp_path / "org.csv", 3_000, prefix="OLD")])
    return example_store


def _writers() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "kg-bulk-load")


def test_oxigraph_failing_midway_changes_nothing(loaded: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "BULK_BATCH_TRIPLES", 2_000)  # many batches: the third one fails
    before = snapshot(loaded)
    new = org_csv(tmp_path / "org.csv", 3_000, prefix="NEW")
    with opened(loaded, write=True) as store:
        real = store.db
        store._db = failing = _FailingDb(real, 3)  # type: ignore[assignment]
        try:
            with pytest.raises(OSError, match="No space left"):
                load_files(store, [new])
        finally:
            store._db = real
    # the writers stop: past the failing call, only the batch the other writer had already started is loaded
    assert 3 <= failing.calls <= 3 + load.WRITERS - 1 and _writers() == 0
    assert snapshot(loaded) == before
    assert leftover_graphs(loaded) == []


@pytest.mark.parametrize("defer", [True, False])
def test_chart_index_failing_while_oxigraph_writes_changes_nothing(loaded: Path, tmp_path: Path, defer: bool,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The second slice of chart rows fails: nothing shows, and the index keeps (or gets back) its indexes."""
    monkeypatch.setattr(load, "BULK_BATCH_TRIPLES", 2_000)
    monkeypatch.setattr(load, "CHART_SLICE", 500)
    monkeypatch.setattr(chart_index, "DEFER_INDEXES", 1 if defer else 10**9)
    calls: list[int] = []
    add = ChartIndex.add

    def failing(self: ChartIndex, graph: str, nodes: Any, edges: Any, dotted: Any = ()) -> None:
        calls.append(len(nodes))
        if len(calls) == 2:
            assert (_indexes(self.path) == set()) is defer  # a first large load builds them at the end
            raise RuntimeError("the chart index failed")
        add(self, graph, nodes, edges, dotted)

    expected = _indexes(loaded / "chart.sqlite")
    monkeypatch.setattr(ChartIndex, "add", failing)
    before = snapshot(loaded)
    with opened(loaded, write=True) as store, pytest.raises(RuntimeError, match="chart index failed"):
        load_files(store, [org_csv(tmp_path / "org.csv", 3_500, prefix="NEW")])  # more rows than indexed
    assert calls == [500, 500] and _writers() == 0
    assert _indexes(loaded / "chart.sqlite") == expected and {"node_iri", "edge_report"} <= expected
    monkeypatch.setattr(ChartIndex, "add", add)
    assert snapshot(loaded) == before
    assert leftover_graphs(loaded) == []


def _indexes(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {n for (n,) in db.execute(chart_index._ROW_INDEXES)}
    finally:
        db.close()


def test_small_batches_and_slices_give_the_same_store(real: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = real / "uk-organograms" / "300913-HMRC-Organogram-Final-junior.csv"
    senior = real / "uk-organograms" / "300913-HMRC-Organogram-Final-senior.csv"
    found = []
    settings = ((load.BULK_BATCH_TRIPLES, load.CHART_SLICE, 10**9, 1), (500, 37, 1, 2), (300, 50, 10**9, 3))
    for batch, part, defer, writers in settings:  # one writer, or several loading batches at once
        monkeypatch.setattr(load, "WRITERS", writers)
        monkeypatch.setattr(load, "BULK_BATCH_TRIPLES", batch)
        monkeypatch.setattr(load, "CHART_SLICE", part)
        monkeypatch.setattr(chart_index, "DEFER_INDEXES", defer)  # indexes built at the end, or row by row
        store_path = tmp_path / f"store-{batch}"
        with opened(store_path, write=True) as store:
            load_files(store, [senior, path])
        with opened(store_path) as store:
            graph_names = {s.graph: s.name for s in store.sources()}
            quads = sorted(str(ox.Quad(q.subject, q.predicate, q.object)) for g in store.graphs()
                           for q in store.db.quads_for_pattern(None, None, None, g) if g.value in graph_names)
            rows = store.forest_rows()
            found.append((quads, sorted(rows.nodes, key=str), sorted(rows.edges), [s.triples for s in store.sources()],
                          _indexes(store_path / "chart.sqlite")))
    assert found[0] == found[1] == found[2]
    with path.open(newline="", encoding="utf-8-sig") as f:
        junior_rows = sum(1 for r in csv.reader(f) if any(c.strip() for c in r)) - 1
    assert sum(1 for r in found[0][1] if r[-1] == path.name) == junior_rows
