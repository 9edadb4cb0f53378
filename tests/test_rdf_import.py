"""The RDF importer is a pure parser: a file in; a load report, the forest's rows and N-Triples out. Only
kg.ingest.load writes what it gives into the store, and what ends there is the file plus kg's view."""

from __future__ import annotations

import inspect
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.errors import InputError
from kg.ingest import load as loader
from kg.ingest import rdf_import
from kg.ingest.rdf_import import import_rdf, rdf_format
from kg.reading import sparql_forest_rows
from kg.store import graph_select, opened
from kg.vocab import ORG

ROOT = Path(__file__).resolve().parents[1]
REAL = [ROOT / "tests/data/realdata/uk-organogram-hefce/HEFCE_organogram_31032011.rdf",
        ROOT / "tests/data/realdata/uk-organogram-hefce/HEFCE_organogram_31032011.nt",
        ROOT / "tests/data/realdata/w3c-csvw-test034/result.ttl",
        ROOT / "kg/data/example_org.ttl"]
ORG_TTL = ROOT.parent / "shared/realdata/w3c-org-ontology/org.ttl"
if ORG_TTL.exists():
    REAL.append(ORG_TTL)
HEFCE_NT = REAL[1]


class _NoStore:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("the RDF importer opened a store")


def _file_triples(path: Path) -> list[ox.Triple]:
    fmt = rdf_format(path, None)
    assert fmt is not None
    return [ox.Triple(q.subject, q.predicate, q.object) if isinstance(q, ox.Quad) else q
            for q in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri())]


def _as_stored(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples as a store gives them back (numbers in their canonical form: "1.0"^^xsd:double is "1")."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return [q.triple for q in store]


def _ground(triples: list[ox.Triple]) -> set[ox.Triple]:
    return {t for t in _as_stored(triples) if "_:" not in str(t)}


def _rdflib(triples: list[ox.Triple]) -> Graph:
    return Graph().parse(data=ox.serialize(_as_stored(triples), format=ox.RdfFormat.N_TRIPLES).decode(),
                         format="nt")


def _graph_triples(store_path: Path) -> list[ox.Triple]:
    with opened(store_path) as store:
        [info] = store.sources()
        return [q.triple for q in store.db.quads_for_pattern(None, None, None, ox.NamedNode(info.graph))]


def _load(store_path: Path, path: Path) -> None:
    with opened(store_path, write=True) as store:
        loader.load_files(store, [path])


def test_import_rdf_takes_no_store() -> None:
    assert list(inspect.signature(import_rdf).parameters) == ["path", "fmt", "matcher"]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_import_rdf_parses_without_any_store(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No store exists while it runs; its N-Triples hold every triple of the file and its rows the forest."""
    fmt = rdf_format(path, None)
    assert fmt is not None
    with monkeypatch.context() as m:
        m.setattr(ox, "Store", _NoStore)
        report, rows, chunks = import_rdf(path, fmt)
        text = b"".join(chunks)
    out = _as_stored([q.triple for q in ox.parse(text, ox.RdfFormat.N_TRIPLES)])
    mine = _as_stored(_file_triples(path))
    assert _ground(mine) <= set(out)
    assert sum("_:" in str(t) for t in out) >= sum("_:" in str(t) for t in mine)
    reports_to = {(t.subject.value, t.object.value) for t in out if t.predicate == ox.NamedNode(ORG.reportsTo)
                  and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode)}
    assert set(rows.edges) == reports_to
    assert report.edges == len(rows.forest().edges())
    assert report.triples == 0  # counted by the loader, in the store


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_loaded_graph_is_the_file_plus_the_view_and_the_rows_are_the_stored_ones(path: Path,
                                                                                  tmp_path: Path) -> None:
    """What load.py writes: every triple of the file (blank nodes and all) and the importer's own N-Triples;
    the chart's rows equal the SPARQL reading of the stored graph (what `kg doctor` rebuilds them from)."""
    fmt = rdf_format(path, None)
    assert fmt is not None
    _load(tmp_path / "store", path)
    stored = _graph_triples(tmp_path / "store")
    with opened(tmp_path / "store") as store:
        matcher = loader.title_matcher(store)
    _report, rows, chunks = import_rdf(path, fmt, matcher)
    assert isomorphic(_rdflib([q.triple for q in ox.parse(b"".join(chunks), ox.RdfFormat.N_TRIPLES)]),
                      _rdflib(stored))
    assert _ground(_file_triples(path)) <= set(stored)
    with opened(tmp_path / "store") as store:
        [info] = store.sources()
        sparql = sparql_forest_rows(graph_select(store.db, ox.NamedNode(info.graph)))
        chart = store.forest_rows()
        assert info.triples == len(set(stored)) == info.summary["triples"]
    assert sorted(r[:-1] for r in chart.nodes) == sorted(r[:-1] for r in sparql.nodes) == sorted(
        r[:-1] for r in rows.nodes)
    assert sorted(chart.edges) == sparql.edges == rows.edges
    assert sparql.bad_managers == rows.bad_managers


def test_blank_nodes_stay_whole_whatever_the_chunk_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Oxigraph names blank nodes afresh in each bulk load: with tiny chunks and batches, the real HEFCE file's
    blank node (a contributor with four triples, spread over the file) is still one node."""
    _load(tmp_path / "big", HEFCE_NT)
    monkeypatch.setattr(rdf_import, "CHUNK_BYTES", 97)
    monkeypatch.setattr(loader, "BULK_BATCH_TRIPLES", 3)
    _load(tmp_path / "small", HEFCE_NT)
    big, small = _graph_triples(tmp_path / "big"), _graph_triples(tmp_path / "small")
    blanks = {t.subject for t in small if isinstance(t.subject, ox.BlankNode)}
    assert len(blanks) == len({t.subject for t in _file_triples(HEFCE_NT) if isinstance(t.subject, ox.BlankNode)})
    assert isomorphic(_rdflib(big), _rdflib(small))


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b""], ids=["lf", "crlf", "no-final-break"])
def test_n_triples_line_endings(tmp_path: Path, ending: bytes) -> None:
    """An N-Triples file is read as it is: CRLF lines and a last line without a break load the same triples."""
    lines = HEFCE_NT.read_bytes().splitlines()
    path = tmp_path / "hefce.nt"
    path.write_bytes(b"\r\n".join(lines) if ending == b"\r\n" else b"\n".join(lines) + ending)
    _load(tmp_path / "store", path)
    assert _ground(_file_triples(HEFCE_NT)) <= set(_graph_triples(tmp_path / "store"))


def test_error_late_in_a_file_names_the_line_and_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    _load(store_path, REAL[2])
    before = sorted(map(str, _graph_triples(store_path)))
    good = HEFCE_NT.read_bytes().rstrip() + b"\n"
    bad = tmp_path / "bad.nt"
    bad.write_bytes(good + b'<http://e/x> <http://e/p> "unterminated .\n')
    with opened(store_path, write=True) as store, pytest.raises(InputError) as caught:
        loader.load_files(store, [bad])
    message, line = str(caught.value), len(good.splitlines()) + 1
    assert "\n" not in message and str(bad) in message and f"line {line} " in message
    with opened(store_path) as store:
        assert [s.name for s in store.sources()] == [REAL[2].name]
    assert sorted(map(str, _graph_triples(store_path))) == before
