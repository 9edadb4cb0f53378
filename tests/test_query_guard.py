"""The query guard (kg.guard via kg.queries.check): decided on a real parser's reading, proven against a live
logging HTTP server on loopback: whatever the guard lets through, the engine never calls out."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import KGError, QueryError, QueryRefused
from kg.guard import MAX_NESTING, read_query
from kg.queries import check

KG = [sys.executable, "-m", "kg.cli"]


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def _any(self) -> None:
        self.hits.append(f"{self.command} {self.path}")
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _any

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def recorder() -> Iterator[str]:
    """A logging HTTP server on loopback: the address every SERVICE in these tests points to."""
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _bypasses(target: str) -> list[str]:
    """The issue's bypass and its relatives: escapes, comments, strings around SERVICE."""
    u = "\\u"
    return [
        f"SELECT * WHERE {{ ?s a po:VacantPost . BIND(<http://x/{u}0041#> AS ?z) SERVICE <{target}/x> "
        "{ ?a ?b ?c } }",
        f"SELECT * WHERE {{ ?s a po:VacantPost . ?s ?p <http://x/{u}0041> . SERVICE <{target}/x> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o . {u}0053ERVICE <{target}/x> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o . SERVICE{u}0020<{target}/x> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o . SERVICE #x\n <{target}/x> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o . SERVICE #x\r <{target}/x> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ ?s ?p \"a{u}0022 . SERVICE <{target}/x> {{ ?a ?b ?c }} . ?q ?r {u}0022\" }}",
        f"SELECT * WHERE {{ ?s ?p ?o . SERVICE {u}005Cu003C{target[1:]}/x> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o . SERVICE SILENT <{target}/x> {{ ?a ?b ?c }} }}",
        f"PREFIX t: <{target}/> SELECT * WHERE {{ ?s ?p ?o . SERVICE t:x {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{target}/x> }} SERVICE ?e {{ ?a ?b ?c }} }}",
    ]


@pytest.mark.parametrize("index", range(11))
def test_no_bypass_reaches_the_network_from_kg_query(example_store: Path, recorder: str, index: int) -> None:
    query = _bypasses(recorder)[index]
    _Recorder.hits.clear()
    done = subprocess.run([*KG, "--store", str(example_store), "query", "-e", query, "--timeout", "20"],
                          capture_output=True, text=True, timeout=120)
    assert _Recorder.hits == [], (query, done.stderr)
    assert done.returncode == 1, done.stdout
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr


def test_the_bypass_as_a_plain_get_to_kg_serve(example_store: Path, recorder: str) -> None:
    process = subprocess.Popen([*KG, "--store", str(example_store), "serve", "--port", "0", "--timeout", "10"],
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/)sparql", line)
        assert url, line
        _Recorder.hits.clear()
        for query in _bypasses(recorder):
            address = url.group(1) + "sparql?" + urllib.parse.urlencode({"query": query})
            with pytest.raises(urllib.error.HTTPError) as refused:  # an <img src=...> sends exactly this
                urllib.request.urlopen(address, timeout=30)
            assert refused.value.code in (400, 403), query
        assert _Recorder.hits == []
    finally:
        process.terminate()
        process.wait(10)


def test_updates_load_and_depth_are_refused_before_the_engine() -> None:
    for update, word in [("LOAD <http://127.0.0.1:9/x>", "LOAD"), ("DROP ALL", "DROP"),
                         ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT DATA"),
                         ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "INSERT/DELETE")]:
        with pytest.raises(QueryRefused, match=f"^{re.escape(word)} is an update"):
            check(update)
    deep = "SELECT * WHERE " + "{" * (MAX_NESTING + 1) + " ?s ?p ?o " + "}" * (MAX_NESTING + 1)
    with pytest.raises(QueryError, match=f"nests {{, \\( or \\[ {MAX_NESTING + 1} deep"):
        check(deep)
    check("SELECT * WHERE " + "{" * MAX_NESTING + " ?s ?p ?o " + "}" * MAX_NESTING)  # at the bound: fine
    with pytest.raises(QueryRefused, match="escape expands to another escape"):
        check("SELECT * WHERE { ?s ?p \"\\u005Cu0041\" }")


def test_a_query_nested_3000_deep_is_one_line_not_a_crash(example_store: Path) -> None:
    deep = "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000
    started = time.monotonic()
    done = subprocess.run([*KG, "--store", str(example_store), "query", "-e", deep],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "nests {, ( or [ 3000 deep" in done.stderr
    assert time.monotonic() - started < 60


def test_what_the_guard_reads_is_what_runs() -> None:
    """Escapes are expanded once by kg; the engine gets that text (no second reading of escapes)."""
    reading = read_query('SELECT ?x WHERE { ?x <http://e/p> "\\u0041" }')
    assert reading.text == 'SELECT ?x WHERE { ?x <http://e/p> "A" }' and reading.variables == {"x"}
    harmless = ('SELECT ?drop ?service WHERE { ?service <http://x/delete#insert> "Customer Service desk" . '
                "?drop rdfs:label '''SERVICE''' } # INSERT SERVICE")
    check(harmless)


# -- fuzz: the guard and the engine agree -----------------------------------------------------------------

_TEXT = st.lists(st.sampled_from([
    "SERVICE", "service", "\\u0053ERVICE", " <TARGET> { ?a ?b ?c } ", "SILENT", "#", "\\u0023", "\\u000A",
    "\\u000D", "\\u0022", "\\u0027", "\\u003C", "\\u003E", "\\U0000003E", "\\u005C", "\\\\", "\\\"", "'",
    ">", "<", "{", "}", ".", " ", "a", "Customer Service", "?e", "ex:t", "\\u0041", "\\u00410041",
]), max_size=6).map("".join)


def _iri_text(text: str) -> str:
    return "".join(c for c in text if c not in ' <>"{}|^`\\') or "x"


@st.composite
def hostile_queries(draw: st.DrawFn) -> str:
    """Valid-looking SELECTs whose strings, comments and IRIs hide SERVICE, escapes and quotes, with a real
    SERVICE <TARGET> in some of them (so the guard's allowed set and its refusals are both exercised)."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        text = draw(_TEXT)
        kind = draw(st.sampled_from(["string", "long", "single", "iri", "comment", "filter", "service", "plain"]))
        parts.append({
            "string": f'?s ?p "{text}"',
            "long": f'?s ?p """{text}"""',
            "single": f"?s ?p '{text}'",
            "iri": f"?s ?p <http://x/{_iri_text(text)}>",
            "comment": f"?s ?p ?o # {text}\n",
            "filter": f'?s ?p ?o FILTER(?o != "{text}")',
            "service": draw(st.sampled_from(["SERVICE <TARGET> { ?a ?b ?c }", "\\u0053ERVICE <TARGET> { ?a ?b ?c }",
                                             "SERVICE ?e { ?a ?b ?c }", "SERVICE ex:t { ?a ?b ?c }"])),
            "plain": "?s ?p ?o",
        }[kind])
    return ("PREFIX ex: <TARGET/> SELECT * WHERE { VALUES ?e { <TARGET> } "
            + " . ".join(parts) + " }")


def test_the_harness_sees_a_service_call(recorder: str) -> None:
    """The fuzz below is meaningful: an unguarded SERVICE does reach the logging server."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/o")))
    _Recorder.hits.clear()
    with pytest.raises(OSError):
        list(store.query(f"SELECT * WHERE {{ ?s ?p ?o . SERVICE <{recorder}/fuzz> {{ ?a ?b ?c }} }}"))
    assert _Recorder.hits == ["POST /fuzz"]


@settings(max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(query=hostile_queries())
def test_fuzz_whatever_the_guard_allows_runs_and_never_calls_out(recorder: str, query: str) -> None:
    query = query.replace("TARGET", recorder + "/fuzz")
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/o")))
    try:
        reading = read_query(query)
    except KGError:
        return  # refused: nothing ran
    _Recorder.hits.clear()
    list(store.query(reading.text))  # the engine reads what the guard read: no syntax error, no request
    assert _Recorder.hits == [], query
