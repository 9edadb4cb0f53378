"""Property-based fuzzing of the CSV importer, the RDF importer front end and name resolution.

For any input: a correct load, or a KGError with a clear one-line message, never another exception; and the
store is unchanged after every failure.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kg import org
from kg.errors import KGError
from kg.ingest.load import load_files
from kg.store import opened

# KG_FUZZ_EXAMPLES=1000 for a longer hunt; 60 keeps the suite fast.
FUZZ = settings(max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
HEADERS = ["id", "employee_id", "manager", "manager_id", "reports_to", "name", "first_name", "last_name",
           "title", "job_title", "department", "fte", "dotted_line_manager", "grade", "notes", ""]
NASTY = ['"', '""', ",", ";", "\t", "\n", "\r\n", "=1+1", "+", "-", "@", "<script>", "\x00", "\u202e", "👩\u200d💻",
         "N/D", "Vacant", "0", "00", "-", "xx", "é", "\ufeff", "\\", "'", "~row2"]


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory, _example_template: Path) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("fuzz") / "store"
    shutil.copytree(_example_template, path)
    yield path


def state(path: Path) -> tuple[list[tuple[str, str, int]], str]:
    """The catalog and a digest of every quad visible in the store."""
    with opened(path) as store:
        sources = [(s.name, s.graph, s.triples) for s in store.sources()]
        digest = hashlib.sha256()
        for quad in sorted(str(q) for g in store.graphs() for q in store.db.quads_for_pattern(None, None, None, g)):
            digest.update(quad.encode())
    return sources, digest.hexdigest()


def load_or_clear_error(store: Path, data: bytes, name: str) -> list | None:
    """Load ``data`` as file ``name``; on failure assert a clear KGError and an unchanged store."""
    folder = Path(tempfile.mkdtemp())
    try:
        path = folder / name
        path.write_bytes(data)
        before = state(store)
        try:
            with opened(store, write=True) as s:
                return load_files(s, [path])
        except KGError as exc:
            event(f"refused: {type(exc).__name__}")
            message = str(exc)
            assert message and "\n" not in message.strip() and len(message) < 2000, message
            assert state(store) == before
            return None
    finally:
        shutil.rmtree(folder)


cells = st.one_of(st.sampled_from(NASTY), st.text(max_size=12),
                  st.from_regex(r"[A-Z]?[0-9]{1,3}", fullmatch=True))


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    usual = draw(st.sampled_from([["id", "manager", "name", "title"], ["employee_id", "reports_to", "first_name",
                                                                       "last_name", "job_title"], []]))
    header = usual + draw(st.lists(st.sampled_from(HEADERS), min_size=0 if usual else 1, max_size=4))
    ids = [f"E{i}" for i in range(draw(st.integers(0, 12)))]
    lines = [",".join(header)]
    for ident in ids:
        row = []
        for column in header:
            if column in ("id", "employee_id"):
                row.append(draw(st.one_of(st.just(ident), st.just(ident), st.just(ident), cells)))
            elif column in ("manager", "manager_id", "reports_to", "dotted_line_manager"):
                row.append(draw(st.one_of(st.sampled_from(ids + [""]), cells)))
            else:
                row.append(draw(cells))
        lines.append(",".join(row))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines) + draw(st.sampled_from(["", "\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(data=st.one_of(csv_files(), st.binary(max_size=300)))
def test_csv_importer(base_store: Path, data: bytes) -> None:
    reports = load_or_clear_error(base_store, data, "fuzz.csv")
    if reports is None:
        return
    event("loaded")
    report = reports[0]
    assert report.posts + report.groups == report.rows > 0  # every row is a post or a junior FTE group
    with opened(base_store) as s:
        loaded = {x.name: x for x in s.sources()}
        assert loaded["fuzz.csv"].triples == report.triples
        posts = s.select('SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a org:Post ; po:sourceRow ?r . '
                         'FILTER(STRSTARTS(STR(?p), "http://w3id.org/product-org/id/fuzz/")) }')
    assert int(posts[0]["n"] or 0) == report.rows


TURTLE = """@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix ex: <http://example.org/> .
ex:a a org:Post ; org:reportsTo ex:b ; org:heldBy [ foaf:name "Ann" ] .
ex:b a org:Post ; ex:list ( 1 2 [ ex:x "y" ] ) .
"""
JSONLD = """{"@context": {"org": "http://www.w3.org/ns/org#", "name": "http://xmlns.com/foaf/0.1/name"},
 "@graph": [{"@id": "http://example.org/a", "@type": "org:Post", "org:reportsTo": {"@id": "http://example.org/b"},
             "name": "Ann"}]}"""
RDFXML = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:org="http://www.w3.org/ns/org#">
  <org:Post rdf:about="http://example.org/a"><org:reportsTo rdf:resource="http://example.org/b"/></org:Post>
</rdf:RDF>"""
SEEDS = {".ttl": TURTLE, ".trig": "{ " + TURTLE.split("\n", 3)[3] + " }", ".nt":
         "<http://example.org/a> <http://www.w3.org/ns/org#reportsTo> <http://example.org/b> .\n",
         ".jsonld": JSONLD, ".rdf": RDFXML}
INSERTS = ["[", "(", "{", "]", ")", "}", '"', "<", ">", "@context", '"@context": "http://x.org/"', "<!DOCTYPE x [",
           '<!ENTITY a "b">', "&a;", "\\", "\x00", "\ufeff", "#", "@prefix", "_:b", "^^", "@en", "'''", '"""']


@st.composite
def rdf_files(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from(sorted(SEEDS)))
    text = SEEDS[suffix]
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.one_of(st.sampled_from(INSERTS), st.text(max_size=6))) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 8)):]
    if draw(st.booleans()):
        depth = draw(st.integers(0, 3000))
        opener, closer = draw(st.sampled_from([("[", "]"), ("(", ")"), ("{", "}")]))
        text = text.replace("ex:b .", "ex:b ; ex:deep " + opener * depth + closer * depth + " .", 1)
    return suffix, text.encode("utf-8", errors="replace")


@FUZZ
@given(case=st.one_of(rdf_files(), st.tuples(st.sampled_from(sorted(SEEDS)), st.binary(max_size=200))))
def test_rdf_importer_front_end(base_store: Path, case: tuple[str, bytes]) -> None:
    suffix, data = case
    reports = load_or_clear_error(base_store, data, "fuzz" + suffix)
    if reports is not None:
        event("loaded")
        with opened(base_store) as s:
            assert {x.name: x.triples for x in s.sources()}["fuzz" + suffix] == reports[0].triples > 0


@FUZZ
@given(text=st.one_of(st.text(max_size=40), st.sampled_from(["<", "<>", "<a b>", "po:", "po:%%", "urn:x",
                                                              "http://x y", "P19", "p19", " P19 ", "Isabel",
                                                              "_:b0", "<_:b0>", "\x00", "*", "%", "'"]),
                      st.builds(lambda a, b: a + b, st.sampled_from(["<", "po:", "http://", "urn:", ""]),
                                st.text(max_size=20))))
def test_name_resolution(base_store: Path, text: str) -> None:
    with opened(base_store) as s:
        try:
            iri = org.resolve(s, text)
        except KGError as exc:
            event(f"refused: {type(exc).__name__}")
            assert str(exc) and "\n" not in str(exc)
            return
        event("resolved")
        assert s.select("SELECT ?p WHERE { ?n ?p ?o } LIMIT 1", n=ox.NamedNode(iri))
        assert org.who(s, text)["iri"] == iri
