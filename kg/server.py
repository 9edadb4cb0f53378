"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the store, and a query page for people.

Queries run in a pool of worker processes, each opening the store read-only for one query and closing it
(so a `kg load` waits at most one query, never for the server), and a worker that overruns the timeout is
killed and replaced: pyoxigraph cannot cancel a query, but the server keeps serving. Updates, ``LOAD`` and
``SERVICE`` (federation: the engine would make HTTP calls) are refused before a query reaches the engine.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kg.errors import KGError, QueryError, StoreError
from kg.queries import MEDIA_TYPES, QueryRefused, Worker, check, named_queries, to_term
from kg.vocab import PREFIXES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
MAX_BODY = 1_000_000

# Accepted media types -> result format; the first entry of each table is the default.
SOLUTION_TYPES = {"application/sparql-results+json": "json", "application/json": "json",
                  "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
                  "text/csv": "csv", "text/tab-separated-values": "tsv"}
GRAPH_TYPES = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "ntriples",
               "text/plain": "ntriples", "application/ld+json": "json-ld", "application/rdf+xml": "rdfxml"}
_STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
_PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class WorkerPool:
    """Query worker processes; one is killed and replaced when its query overruns."""

    def __init__(self, size: int) -> None:
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._closed = False
        workers = [Worker() for _ in range(size)]
        for worker in workers:
            worker.ready()
            self._idle.put(worker)

    def run(self, job: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """The worker's reply; None on timeout. Raises StoreError when every worker stays busy."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise StoreError(f"the server is busy: every query worker stayed busy for {timeout:g} s; "
                                 "try again") from None
            if worker.alive:
                break
            worker.kill()  # it died while idle (killed from outside): replace it, take another
            threading.Thread(target=self._replace, daemon=True).start()
        reply = worker.call(job, timeout)
        if reply is None or not worker.alive:  # killed at the timeout, or died: replace it
            threading.Thread(target=self._replace, daemon=True).start()
        else:
            self._idle.put(worker)
        return reply

    def _replace(self) -> None:
        worker = Worker()
        worker.ready()
        if self._closed:
            worker.stop()
        else:
            self._idle.put(worker)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server; its settings are read by :class:`Handler`."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default backlog (5) resets connections when 16 clients connect at once

    def __init__(self, store_path: str, host: str, port: int, *, timeout: float, max_rows: int,
                 workers: int) -> None:
        super().__init__((host, port), Handler)
        self.store_path = store_path
        self.timeout = timeout
        self.max_rows = max_rows
        self.pool = WorkerPool(workers)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


def make_server(store_path: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                workers: int = 2) -> SparqlServer:
    """A server for the store at ``store_path`` (checked now), not yet serving: call ``serve_forever()``.

    ``port`` 0 picks a free port (see ``server.url``).
    """
    from kg.store import open_store

    store = open_store(store_path)  # fail now, with a clear message, when there is no store
    store.close()
    try:
        return SparqlServer(str(store.path), host, port, timeout=timeout, max_rows=max_rows, workers=workers)
    except OSError as exc:
        raise KGError(f"cannot listen on {host}:{port}: {exc.strerror}; pick another --port") from exc


def is_loopback(host: str) -> bool:
    """True for a loopback address or name.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    return host.lower() in ("localhost", "::1") or host.startswith("127.")


def negotiate(accept: str, fmt: str | None = None) -> tuple[str, str] | None:
    """(format for solutions, format for triples) from an Accept header (or a ``format`` parameter);
    None when the client accepts none of them.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml")
    ('xml', 'turtle')
    >>> negotiate("text/html") is None, negotiate("", "tsv")
    (True, ('tsv', 'turtle'))
    """
    if fmt:
        solutions = fmt if fmt in SOLUTION_TYPES.values() else "json"
        graph = fmt if fmt in GRAPH_TYPES.values() else "turtle"
        return solutions, graph
    ranked: list[tuple[float, int, str]] = []
    for i, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        quality = 1.0
        for p in parts[1:]:
            if p.startswith("q="):
                try:
                    quality = float(p[2:])
                except ValueError:
                    quality = 0.0
        if parts[0] and quality > 0:
            ranked.append((-quality, i, parts[0].lower()))
    types = [t for _, _, t in sorted(ranked)] or ["*/*"]
    wild = any(t in ("*/*", "application/*", "text/*") for t in types)
    solutions = next((SOLUTION_TYPES[t] for t in types if t in SOLUTION_TYPES), None)
    graph = next((GRAPH_TYPES[t] for t in types if t in GRAPH_TYPES), None)
    if solutions is None and graph is None and not wild:
        return None
    return solutions or "json", graph or "turtle"


class Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kg-sparql/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # quiet: the CLI prints where it serves; errors go back to the client

    # -- routing --------------------------------------------------------------------------------------------

    def _host_allowed(self) -> bool:
        """On loopback, only requests addressed to a loopback name: a web page whose DNS name is rebound to
        127.0.0.1 must not read the graph."""
        if not is_loopback(self.server.server_address[0]):
            return True
        host = urlsplit("//" + (self.headers.get("Host") or "")).hostname or ""
        if is_loopback(host):
            return True
        self._error(403, f"requests must be addressed to localhost or 127.0.0.1, not {host[:100]}")
        return False

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self._host_allowed():
            return
        url = urlsplit(self.path)
        fields = parse_qs(url.query, keep_blank_values=True)
        if url.path in ("/", "/sparql") and "query" in fields:
            self._endpoint(fields)
        elif url.path == "/sparql":
            self._service_description()
        elif url.path in ("/", "/index.html"):
            self._static("index.html")
        elif url.path.startswith("/static/"):
            self._static(url.path[len("/static/"):])
        elif url.path == "/queries.json":
            data = {"queries": [q.to_dict() for q in named_queries()], "prefixes": PREFIXES,
                    "max_rows": self.server.max_rows, "timeout": self.server.timeout}
            self._send(200, json.dumps(data).encode(), "application/json")
        else:
            self._error(404, f"nothing at {url.path}: the endpoint is /sparql, the query page /")

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self._error(413 if length > MAX_BODY else 400, f"give a Content-Length of at most {MAX_BODY:,} bytes")
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        if not self._host_allowed():
            return
        if url.path not in ("/", "/sparql"):
            self._error(404, f"nothing at {url.path}: the endpoint is /sparql")
            return
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        fields = parse_qs(url.query, keep_blank_values=True)
        if kind == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body, keep_blank_values=True).items():
                fields.setdefault(key, []).extend(values)
        elif kind == "application/sparql-query":
            fields["query"] = [body]
        elif kind == "application/sparql-update":
            fields["update"] = [body]
        else:
            self._error(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")
            return
        self._endpoint(fields)

    # -- the SPARQL endpoint --------------------------------------------------------------------------------

    def _endpoint(self, fields: dict[str, list[str]]) -> None:
        if "update" in fields:
            self._error(403, "updates are refused: this endpoint is read-only")
            return
        queries = fields.get("query") or [""]
        if len(queries) != 1 or not queries[0].strip():
            self._error(400, "give exactly one non-empty query parameter")
            return
        if "default-graph-uri" in fields or "named-graph-uri" in fields:
            self._error(400, "default-graph-uri and named-graph-uri are not supported: the dataset is the "
                             "loaded sources and the ontology")
            return
        formats = negotiate(self.headers.get("Accept") or "*/*", (fields.get("format") or [None])[0])
        if formats is None:
            self._error(406, "acceptable types: " + ", ".join(list(SOLUTION_TYPES) + list(GRAPH_TYPES)))
            return
        query = queries[0]
        try:
            check(query, allow_service=False)
            params = {k[len("param."):]: to_term(v[0]) for k, v in fields.items() if k.startswith("param.")}
        except QueryError as exc:
            self._error(403 if isinstance(exc, QueryRefused) else 400, str(exc))
            return
        job = {"store": self.server.store_path, "query": query, "params": params or None,
               "limit": self.server.max_rows, "allow_service": False, "lock_wait": self.server.timeout,
               "keep_open": True,
               "formats": {"solutions": formats[0], "graph": formats[1]}}
        started = time.monotonic()
        try:
            reply = self.server.pool.run(job, self.server.timeout)
        except StoreError as exc:
            self._error(503, str(exc))
            return
        if reply is None:
            self._error(503, f"the query took longer than {self.server.timeout:g} s and was stopped; "
                             "narrow it (or restart the server with a larger --timeout)")
            return
        if not reply["ok"]:
            status = {"QueryError": 400, "NotFoundError": 400, "StoreBusyError": 503,
                      "NoStoreError": 503}.get(reply["error"], 500)
            self._error(status, reply["message"])
            return
        headers = {"X-Result-Rows": str(reply["rows"]),
                   "X-Elapsed-Ms": f"{(time.monotonic() - started) * 1000:.0f}"}
        if reply["truncated"]:
            headers["X-Result-Truncated"] = f"only the first {self.server.max_rows:,} results are given"
        self._send(200, reply["body"], MEDIA_TYPES[reply["format"]], headers)

    def _service_description(self) -> None:
        accept = self.headers.get("Accept") or ""
        if "text/html" in accept and not any(t in accept for t in GRAPH_TYPES):
            self._send(303, b"", "text/plain", {"Location": "/"})
            return
        formats = negotiate(accept or "text/turtle")
        fmt = formats[1] if formats else "turtle"
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        self._send(200, service_description(f"http://{host}/sparql", fmt), MEDIA_TYPES[fmt])

    # -- responses ------------------------------------------------------------------------------------------

    def _static(self, name: str) -> None:
        folder = resources.files("kg") / "static"
        files = {f.name: f for f in folder.iterdir() if f.is_file()}
        suffix = name[name.rfind("."):] if "." in name else ""
        if name not in files or suffix not in _STATIC_TYPES:
            self._error(404, f"no asset {name}")
            return
        headers = {"Content-Security-Policy": _PAGE_POLICY, "Cache-Control": "no-cache"}
        self._send(200, files[name].read_bytes(), _STATIC_TYPES[suffix], headers)

    def _error(self, status: int, message: str) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def service_description(endpoint: str, fmt: str = "turtle") -> bytes:
    """A SPARQL 1.1 Service Description of the endpoint, in an RDF format (turtle, ntriples, json-ld)."""
    import pyoxigraph as ox

    sd = "http://www.w3.org/ns/sparql-service-description#"
    formats = "http://www.w3.org/ns/formats/"
    try:
        service = ox.NamedNode(endpoint)
    except ValueError:
        service = ox.NamedNode("http://localhost/sparql")
    dataset, graph = ox.BlankNode(), ox.BlankNode()

    def node(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    rdf_type = node(PREFIXES["rdf"] + "type")
    triples = [
        ox.Triple(service, rdf_type, node(sd + "Service")),
        ox.Triple(service, node(sd + "endpoint"), service),
        ox.Triple(service, node(sd + "supportedLanguage"), node(sd + "SPARQL11Query")),
        ox.Triple(service, node(sd + "defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, node(sd + "Dataset")),
        ox.Triple(dataset, node(sd + "defaultGraph"), graph),
        ox.Triple(graph, rdf_type, node(sd + "Graph")),
        ox.Triple(service, node(PREFIXES["dcterms"] + "description"),
                  ox.Literal("kg: read-only SPARQL 1.1 endpoint over the product-organization knowledge "
                             "graph (the ontology and every loaded source, as the default graph)")),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        triples.append(ox.Triple(service, node(sd + "resultFormat"), node(formats + name)))
    rdf = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD,
           "rdfxml": ox.RdfFormat.RDF_XML}
    prefixes = {"sd": sd, "formats": formats, "dcterms": PREFIXES["dcterms"]} if fmt == "turtle" else None
    return ox.serialize(triples, format=rdf[fmt], prefixes=prefixes)
