"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the store, and a query page for people.

Queries run in a pool of worker processes (see :class:`WorkerPool`), each keeping the store open read-only
while queries follow closely and stepping aside when a `kg load` waits; a worker that overruns the timeout is
killed and replaced: pyoxigraph cannot cancel a query, but the server keeps serving. A query that runs past a
short budget moves to the slow lane, which holds a bounded number of queries, so a few slow queries never take
every worker from the quick ones. Both limits count the worker's own CPU time, so a machine busy with other
work answers more slowly instead of refusing; requests wait in a bounded line for a worker (real overload: a
full line, gets a 503 at once). Updates, ``LOAD`` and ``SERVICE`` (federation: the engine would make HTTP
calls) are refused before a query reaches the engine.

The SPARQL 1.1 Protocol, as a read-only endpoint: GET, POST url-encoded and POST direct; ``default-graph-uri``
and ``named-graph-uri`` (any number) choose the dataset among the graphs kg shows, overriding the query's own
``FROM``/``FROM NAMED``; every refusal is a 4XX with a one-line plain-text body. Connections are bounded (idle
ones time out, too many get a 503) and a client's misbehaviour never prints a traceback.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import logging
import queue
import re
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kg.errors import KGError, QueryError, QueryTimeout, StoreError
from kg.queries import MEDIA_TYPES, QueryRefused, Worker, named_queries, prepare, to_term
from kg.querytime import WALL_FACTOR
from kg.store import writer_waiting
from kg.vocab import CATALOG_GRAPH, PREFIXES

LOG = logging.getLogger("kg.serve")  # one line per failed request; `kg serve` shows it on stderr

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 6
SLOW_BUDGET = 0.5  # seconds of query (CPU) time: a query still running after this moves to the slow lane
WAITING_PER_WORKER = 8  # requests that may wait in line for a worker, per worker; one more gets a 503 at once
QUEUE_WAIT = 30.0  # seconds a request waits in line at most (WALL_FACTOR x timeout when that is longer)
MAX_BODY = 1_000_000
MAX_CONNECTIONS = 256  # open connections; more get a 503 (stays well below the usual limit of 1,024 files)
IDLE_TIMEOUT = 15.0  # seconds a connection may stay silent (between requests, or within one); a body must
# arrive within twice that
ENDPOINT_PATHS = ("/sparql", "/sparql/")
ALLOW = "GET, HEAD, POST"

# Accepted media types -> result format; the first entry of each table is the default.
SOLUTION_TYPES = {"application/sparql-results+json": "json", "application/json": "json",
                  "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
                  "text/csv": "csv", "text/tab-separated-values": "tsv"}
GRAPH_TYPES = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "ntriples",
               "text/plain": "ntriples", "application/ld+json": "json-ld", "application/rdf+xml": "rdfxml"}
_STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8"}
_PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_LOOPBACK_HOST = re.compile(r"(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?", re.IGNORECASE)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
TIMEOUT_ADVICE = "narrow it or add a LIMIT (or restart the server with a larger --timeout)"
_DIED = {"ok": False, "error": "InternalError", "message": "the query worker died; try again"}


class Busy(StoreError):
    """No worker (or no room in the slow lane) for a query: the client should retry later (503)."""


class WorkerPool:
    """Query worker processes with a slow lane and a bounded line of requests waiting for a worker.

    A query takes an idle worker, waiting for one in line behind at most ``waiting`` other requests (one more
    is refused at once with :class:`Busy`: real overload) and for at most ``QUEUE_WAIT`` seconds (or the
    longest a query may run, if longer). Query time is the worker's CPU time (see :mod:`kg.querytime`). A
    query still running after ``budget`` seconds of it joins the slow lane,
    which admits at most ``slow_lanes`` queries at once (a query arriving at a full lane is stopped with
    :class:`Busy`), so at least ``size - slow_lanes`` workers always remain for quick queries. A worker whose
    query overruns the timeout, or that dies, is killed and replaced.
    """

    def __init__(self, size: int, budget: float = SLOW_BUDGET, waiting: int | None = None) -> None:
        self.size = size
        self.budget = budget
        self.slow_lanes = max(1, size - max(1, size // 3))
        self.waiting = WAITING_PER_WORKER * size if waiting is None else waiting
        self._slow = 0
        self._in_line = 0
        self._lock = threading.Lock()
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._closed = False
        workers = [Worker() for _ in range(size)]
        for worker in workers:
            worker.ready()
            self._idle.put(worker)

    def run(self, job: dict[str, Any], timeout: float) -> dict[str, Any]:
        """The worker's reply. Raises :class:`QueryTimeout` when the query overruns ``timeout`` (see
        :mod:`kg.querytime`), :class:`Busy` when too many requests wait for a worker, none comes free in time
        or the slow lane is full."""
        worker = self._take(timeout)
        try:
            worker.conn.send(job)
            reply = self._wait(worker, job["store"], timeout)
        except (EOFError, OSError):
            reply = dict(_DIED)
        finally:
            if worker.alive and not worker.conn.closed:
                self._idle.put(worker)
            else:
                self._replace_soon(worker)
        return reply

    def _take(self, timeout: float) -> Worker:
        with self._lock:
            if self._in_line >= self.waiting:
                raise Busy(f"the server is overloaded: {self.waiting} requests are already waiting for a "
                           "query worker; try again later")
            self._in_line += 1
        try:
            wait = max(QUEUE_WAIT, WALL_FACTOR * timeout)
            deadline = time.monotonic() + wait
            while True:
                try:
                    worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise Busy(f"the server is busy: no query worker came free within {wait:g} s; "
                               "try again") from None
                if worker.alive:
                    return worker
                self._replace_soon(worker)  # it died while idle (killed from outside): take another
        finally:
            with self._lock:
                self._in_line -= 1

    def _wait(self, worker: Worker, store: str, timeout: float) -> dict[str, Any]:
        clock = worker.clock(timeout)
        slow_from = self.budget
        while (reply := worker.answer(clock, slow_from)) is None:
            if clock.over():
                raise worker.overran(clock, TIMEOUT_ADVICE)
            if not writer_waiting(Path(store)):
                break
            slow_from = clock.used() + self.budget  # waiting for a `kg load` is not being slow
        if reply is not None:
            return reply
        with self._lock:
            admitted = self._slow < self.slow_lanes
            self._slow += admitted
        if not admitted:
            worker.kill()
            raise Busy(f"{self.slow_lanes} long queries are already running and this one took more than "
                       f"{self.budget:g} s; it was stopped: try again later or narrow it")
        try:
            reply = worker.answer(clock)
        finally:
            with self._lock:
                self._slow -= 1
        if reply is None:
            raise worker.overran(clock, TIMEOUT_ADVICE)
        return reply

    def _replace_soon(self, worker: Worker) -> None:
        worker.kill()
        threading.Thread(target=self._replace, daemon=True).start()

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
                 workers: int, max_connections: int = MAX_CONNECTIONS, idle_timeout: float = IDLE_TIMEOUT) -> None:
        super().__init__((host, port), Handler)
        self.store_path = store_path
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_connections = max_connections
        self.idle_timeout = idle_timeout
        self.open_connections = 0
        self._count_lock = threading.Lock()
        self.pool = WorkerPool(workers)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._count_lock:
            full = self.open_connections >= self.max_connections
            self.open_connections += not full
        if full:
            _refuse(request, self.max_connections)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._count_lock:
                self.open_connections -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that resets, stalls or sends garbage is not worth a line; anything else gets one line
        (never a traceback)."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (OSError, ValueError, EOFError)):
            return
        LOG.error("kg serve: error answering a request: %s: %s", type(exc).__name__, _printable(str(exc))[:200])

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


def _refuse(request: socket.socket, cap: int) -> None:
    """Answer a connection over the cap with a 503 without blocking the accept loop, and close it."""
    body = f"too many open connections (at most {cap:,}); try again shortly\n".encode()
    head = (f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n").encode()
    try:
        request.setblocking(False)
        try:
            request.recv(65536)  # what the client sent already: closing with unread data would reset
        except OSError:
            pass
        request.send(head + body)
        request.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    finally:
        request.close()


def make_server(store_path: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                workers: int = DEFAULT_WORKERS, max_connections: int = MAX_CONNECTIONS,
                idle_timeout: float = IDLE_TIMEOUT) -> SparqlServer:
    """A server for the store at ``store_path`` (checked now), not yet serving: call ``serve_forever()``.

    ``port`` 0 picks a free port (see ``server.url``).
    """
    from kg.store import open_store

    store = open_store(store_path)  # fail now, with a clear message, when there is no store
    try:
        store.db  # noqa: B018 - or its database is damaged (a reader opens it at first use)
    finally:
        store.close()
    try:
        return SparqlServer(str(store.path), host, port, timeout=timeout, max_rows=max_rows, workers=workers,
                            max_connections=max_connections, idle_timeout=idle_timeout)
    except OSError as exc:
        raise KGError(f"cannot listen on {host}:{port}: {exc.strerror}; pick another --port") from exc


def is_loopback(host: str) -> bool:
    """True for a loopback address or the name localhost.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, True, False)
    >>> is_loopback("127.0.0.1.evil.example")
    False
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def loopback_host_header(value: str) -> bool:
    """True when a ``Host`` header names this machine's loopback exactly: ``localhost``, ``127.0.0.1`` or
    ``[::1]``, with an optional port.

    >>> [loopback_host_header(h) for h in ("localhost:7878", "127.0.0.1", "[::1]:80", "LOCALHOST")]
    [True, True, True, True]
    >>> [loopback_host_header(h) for h in ("127.0.0.1.evil.example", "127.1", "evil.localhost", "")]
    [False, False, False, False]
    """
    return _LOOPBACK_HOST.fullmatch(value.strip()) is not None


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


def form_fields(text: str) -> dict[str, list[str]]:
    """The fields of a query string or url-encoded body; ValueError when it is not UTF-8.

    >>> form_fields("query=ASK%20%7B%7D&default-graph-uri=a&default-graph-uri=b")
    {'query': ['ASK {}'], 'default-graph-uri': ['a', 'b']}
    """
    return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")


def media_type(header: str) -> tuple[str, str]:
    """(media type, charset) of a Content-Type header, lower case; charset defaults to utf-8.

    >>> media_type('application/sparql-query; charset="UTF-16"')
    ('application/sparql-query', 'utf-16')
    """
    kind, *params = header.split(";")
    charset = "utf-8"
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return kind.strip().lower(), charset


def query_dataset(query: str) -> tuple[list[str], list[str]] | None:
    """The IRIs of the query's own ``FROM`` and ``FROM NAMED`` clauses (read by rdflib's SPARQL parser),
    None when it has none. QueryError when the query cannot be read.

    >>> query_dataset("SELECT * FROM po:x FROM NAMED <http://g/1> WHERE { ?s ?p ?o }")
    (['http://w3id.org/product-org/ontology#x'], ['http://g/1'])
    >>> query_dataset("SELECT ?from WHERE { ?from ?p 'FROM' }") is None
    True
    """
    if "from" not in query.lower():  # every dataset clause spells FROM
        return None
    from rdflib.plugins.sparql.algebra import translatePrologue
    from rdflib.plugins.sparql.parser import parseQuery

    from kg.guard import PARSER_LOCK

    try:
        with PARSER_LOCK:  # one rdflib parse at a time (the query checker shares the parser)
            parsed = parseQuery(query)
        prologue = translatePrologue(parsed[0], None, PREFIXES)
        clauses = parsed[1]["datasetClause"] if "datasetClause" in parsed[1] else []
        default = [str(prologue.absolutize(c["default"])) for c in clauses if "default" in c]
        named = [str(prologue.absolutize(c["named"])) for c in clauses if "named" in c]
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds of parse errors
        raise QueryError(f"cannot read the query's FROM clauses ({_printable(str(exc))[:200]}); "
                         "choose graphs with default-graph-uri / named-graph-uri instead") from exc
    return (default, named) if clauses else None


def _printable(text: str) -> str:
    return _UNPRINTABLE.sub("?", text)


class Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kg-sparql/1"
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout  # applied to the socket: a silent connection is closed
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # quiet: the CLI prints where it serves; errors go back to the client

    # -- routing --------------------------------------------------------------------------------------------

    def parse_request(self) -> bool:
        """Also answers every method but GET, HEAD and POST (405, or 204 for OPTIONS) with ``Allow``."""
        if not super().parse_request():
            return False
        if self.command in ("GET", "HEAD", "POST"):
            return True
        self.close_connection = True  # a body it may have sent is not read
        if self.command == "OPTIONS":
            self._send(204, b"", "text/plain; charset=utf-8", {"Allow": ALLOW})
        else:
            self._error(405, f"method {_printable(self.command)[:20]} is not allowed: the endpoint takes "
                             "queries by GET or POST, and is read-only", {"Allow": ALLOW})
        return False

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found by http.server itself (bad request line, headers too long...) in plain text."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # a garbled request line: answer with a status line anyway
            self.request_version = "HTTP/1.1"
        try:
            self._error(code, _printable(message or HTTPStatus(code).phrase)[:200])
        except OSError:
            pass

    def _host_allowed(self) -> bool:
        """On loopback, only requests addressed to a loopback name: a web page whose DNS name is rebound to
        127.0.0.1 must not read the graph. Bound elsewhere (``--host``), any name is accepted."""
        if not is_loopback(self.server.server_address[0]):
            return True
        host = self.headers.get("Host") or ""
        if loopback_host_header(host):
            return True
        self._error(403, f"requests must be addressed to localhost, 127.0.0.1 or [::1], not "
                         f"{_printable(host)[:100] or 'no Host'}")
        return False

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self._host_allowed():
            return
        url = urlsplit(self.path)
        try:
            fields = form_fields(url.query)
        except ValueError:
            self._error(400, "the query string is not percent-encoded UTF-8")
            return
        if url.path in ENDPOINT_PATHS + ("/",) and ("query" in fields or "update" in fields):
            self._endpoint(fields)
        elif url.path in ENDPOINT_PATHS:
            self._service_description()
        elif url.path in ("/", "/editor"):
            self._static("editor.html")
        elif url.path in ("/simple", "/index.html"):
            self._static("index.html")
        elif url.path == "/resource":
            self._static("resource.html")
        elif url.path == "/resource.json":
            self._resource((fields.get("iri") or [""])[0])
        elif url.path.startswith("/static/"):
            self._static(url.path[len("/static/"):])
        elif url.path in ("/lib/vis-network.min.js", "/lib/vis-network.css"):
            self._vis_network(url.path[len("/lib/"):])
        elif url.path == "/queries.json":
            data = {"queries": [q.to_dict() for q in named_queries()], "prefixes": PREFIXES,
                    "max_rows": self.server.max_rows, "timeout": self.server.timeout}
            self._send(200, json.dumps(data).encode(), "application/json")
        else:
            self._error(404, f"nothing at {_printable(url.path)[:200]}: the endpoint is /sparql, the editor /, "
                             "the simple query page /simple")

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_POST(self) -> None:  # noqa: N802
        body = self._read_body()
        if body is None or not self._host_allowed():
            return
        url = urlsplit(self.path)
        if url.path not in ENDPOINT_PATHS + ("/",):
            self._error(404, f"nothing at {_printable(url.path)[:200]}: the endpoint is /sparql")
            return
        kind, charset = media_type(self.headers.get("Content-Type") or "")
        if kind not in ("application/x-www-form-urlencoded", "application/sparql-query",
                        "application/sparql-update"):
            self._error(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded "
                             f"(Content-Type: {_printable(kind)[:80] or 'none given'})")
            return
        if charset not in ("utf-8", "utf8"):
            self._error(415, f"the body must be UTF-8, not {_printable(charset)[:40]}")
            return
        try:
            text = body.decode("utf-8")
            fields = form_fields(url.query)
            if kind == "application/x-www-form-urlencoded":
                for key, values in form_fields(text).items():
                    fields.setdefault(key, []).extend(values)
        except ValueError:
            self._error(400, "the body or query string is not UTF-8: send UTF-8 (percent-encoded in forms)")
            return
        if kind == "application/sparql-query":
            if re.match(r"(query|update)=", text):
                self._error(400, "the body is url-encoded: label it application/x-www-form-urlencoded, or "
                                 "send the query itself as application/sparql-query")
                return
            fields["query"] = fields.get("query", []) + [text]
        elif kind == "application/sparql-update":
            fields["update"] = fields.get("update", []) + [text]
        self._endpoint(fields)

    def _read_body(self) -> bytes | None:
        """The request body (Content-Length bytes, all received within twice the idle timeout), or None once
        answered."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if self.headers.get("Transfer-Encoding"):
            length = -1  # chunked bodies are not supported
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self._error(413 if length > MAX_BODY else 400, f"give a Content-Length of at most {MAX_BODY:,} bytes")
            return None
        allowed = 2 * self.server.idle_timeout
        deadline = time.monotonic() + allowed
        chunks: list[bytes] = []
        while length > 0:
            chunk = self.rfile.read1(min(length, 65536))
            if not chunk or time.monotonic() > deadline:
                self.close_connection = True
                if chunk:
                    self._error(408, f"the body took longer than {allowed:g} s to arrive")
                return None
            chunks.append(chunk)
            length -= len(chunk)
        return b"".join(chunks)

    # -- the SPARQL endpoint --------------------------------------------------------------------------------

    def _endpoint(self, fields: dict[str, list[str]]) -> None:
        if "update" in fields:
            self._error(403, "updates are refused: this endpoint is read-only")
            return
        queries = fields.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            self._error(400, f"give exactly one non-empty query (got {len(queries)} query parameters)")
            return
        formats = negotiate(self.headers.get("Accept") or "*/*", (fields.get("format") or [None])[0])
        if formats is None:
            self._error(406, "acceptable types: " + ", ".join(list(SOLUTION_TYPES) + list(GRAPH_TYPES)))
            return
        query = queries[0]
        try:
            raw = {k[len("param."):]: v[0] for k, v in fields.items() if k.startswith("param.")}
            text = prepare(query, {k: to_term(v) for k, v in raw.items()} or None, allow_service=False)
            dataset = self._dataset(fields, query)
        except QueryError as exc:
            self._error(403 if isinstance(exc, QueryRefused) else 400, str(exc))
            return
        # With parameters the worker prepares the query again once people are resolved as `kg who` resolves
        # them (kg.org.resolve_params needs the store); the text was checked here all the same.
        job = {"store": self.server.store_path, "query": query if raw else text, "params": raw or None,
               "prepared": not raw,
               "limit": self.server.max_rows, "allow_service": False, "lock_wait": self.server.timeout,
               "keep_open": True, "dataset": dataset,
               "formats": {"solutions": formats[0], "graph": formats[1]}}
        started = time.monotonic()
        reply = self._run(job)
        if reply is None:
            return
        headers = {"X-Result-Rows": str(reply["rows"]),
                   "X-Elapsed-Ms": f"{(time.monotonic() - started) * 1000:.0f}"}
        if reply["truncated"]:
            headers["X-Result-Truncated"] = f"only the first {self.server.max_rows:,} results are given"
        self._send(200, reply["body"], MEDIA_TYPES[reply["format"]], headers)

    @staticmethod
    def _dataset(fields: dict[str, list[str]], query: str) -> tuple[list[str], list[str]] | None:
        """The protocol's dataset (which overrides the query's FROM / FROM NAMED), else the query's own,
        else None (the default dataset: every visible graph)."""
        import pyoxigraph as ox

        default, named = fields.get("default-graph-uri", []), fields.get("named-graph-uri", [])
        for name, iri in [("default-graph-uri", i) for i in default] + [("named-graph-uri", i) for i in named]:
            try:
                ox.NamedNode(iri)
            except ValueError:
                raise QueryError(f"{name} {_printable(iri)[:200]!r} is not an absolute IRI") from None
        if default or named:
            return default, named
        return query_dataset(query)

    def _run(self, job: dict[str, Any]) -> dict[str, Any] | None:
        """The worker's successful reply, or None once an error has been answered."""
        try:
            reply = self.server.pool.run(job, self.server.timeout)
        except Busy as exc:
            self._error(503, str(exc), {"Retry-After": "1"})
            return None
        except QueryTimeout as exc:  # retrying soon would not help: the query needs narrowing
            self._error(503, str(exc))
            return None
        if not reply["ok"]:
            status = {"QueryError": 400, "NotFoundError": 400, "AmbiguousError": 400, "StoreBusyError": 503,
                      "NoStoreError": 503}.get(reply["error"], 500)
            self._error(status, reply["message"])
            return None
        return reply

    def _resource(self, iri: str) -> None:
        """What the resource page shows about ``iri`` (see :mod:`kg.resource`), as JSON."""
        job = {"store": self.server.store_path, "describe": iri, "keep_open": True,
               "lock_wait": self.server.timeout}
        reply = self._run(job)
        if reply is not None:
            self._send(200, reply["body"], "application/json")

    def _service_description(self) -> None:
        accept = self.headers.get("Accept") or ""
        if "text/html" in accept and not any(t in accept for t in GRAPH_TYPES):
            self._send(303, b"", "text/plain", {"Location": "/"})
            return
        formats = negotiate(accept or "text/turtle")
        fmt = formats[1] if formats else "turtle"
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        job = {"store": self.server.store_path, "query": "SELECT ?g WHERE { GRAPH ?g { } }", "keep_open": True,
               "lock_wait": self.server.timeout, "formats": {"solutions": "json", "graph": "turtle"}}
        reply = self._run(job)
        if reply is None:
            return
        graphs = [b["g"]["value"] for b in json.loads(reply["body"])["results"]["bindings"]]
        body = service_description(f"http://{host}/sparql", graphs, fmt, timeout=self.server.timeout,
                                   max_rows=self.server.max_rows)
        self._send(200, body, MEDIA_TYPES[fmt])

    # -- responses ------------------------------------------------------------------------------------------

    def _static(self, name: str) -> None:
        folder = resources.files("kg") / "static"
        files = {f.name: f for f in folder.iterdir() if f.is_file()}
        suffix = name[name.rfind("."):] if "." in name else ""
        if name not in files or suffix not in _STATIC_TYPES:
            self._error(404, f"no asset {_printable(name)[:200]}")
            return
        headers = {"Content-Security-Policy": _PAGE_POLICY, "Cache-Control": "no-cache"}
        self._send(200, files[name].read_bytes(), _STATIC_TYPES[suffix], headers)

    def _vis_network(self, name: str) -> None:
        """vis-network (for graph drawings), from the pyvis package as `kg viz` uses it; not imported here."""
        spec = importlib.util.find_spec("pyvis")
        folder = Path((spec.submodule_search_locations or [""])[0]) / "templates" / "lib" / "vis-9.1.2"
        try:
            body = (folder / name).read_bytes()
        except OSError:
            self._error(404, "vis-network is missing from the pyvis package: reinstall pyvis")
            return
        suffix = name[name.rfind("."):]
        self._send(200, body, _STATIC_TYPES[suffix], {"Cache-Control": "max-age=3600"})

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8", headers)

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.close_connection:
            self.send_header("Connection", "close")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def service_description(endpoint: str, graphs: list[str], fmt: str = "turtle", *,
                        timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS) -> bytes:
    """A SPARQL 1.1 Service Description of the endpoint, in an RDF format (turtle, ntriples, json-ld, rdfxml).

    ``graphs`` are the visible graphs: the default dataset has them merged as its default graph and each as
    a named graph; they and the catalog graph are what ``default-graph-uri`` / ``named-graph-uri`` can choose.
    """
    import pyoxigraph as ox

    sd = "http://www.w3.org/ns/sparql-service-description#"
    formats = "http://www.w3.org/ns/formats/"
    try:
        service = ox.NamedNode(endpoint)
    except ValueError:
        service = ox.NamedNode("http://localhost/sparql")
    dataset, default_graph, available = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()

    def node(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    rdf_type = node(PREFIXES["rdf"] + "type")
    triples = [
        ox.Triple(service, rdf_type, node(sd + "Service")),
        ox.Triple(service, node(sd + "endpoint"), service),
        ox.Triple(service, node(sd + "supportedLanguage"), node(sd + "SPARQL11Query")),
        ox.Triple(service, node(sd + "feature"), node(sd + "UnionDefaultGraph")),
        ox.Triple(service, node(sd + "defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, node(sd + "Dataset")),
        ox.Triple(dataset, node(sd + "defaultGraph"), default_graph),
        ox.Triple(default_graph, rdf_type, node(sd + "Graph")),
        ox.Triple(service, node(sd + "availableGraphs"), available),
        ox.Triple(available, rdf_type, node(sd + "GraphCollection")),
        ox.Triple(service, node(PREFIXES["dcterms"] + "description"), ox.Literal(
            "kg: read-only SPARQL 1.1 Protocol endpoint over the product-organization knowledge graph. The "
            "default dataset has the ontology and every loaded source merged as the default graph, and each "
            "as a named graph. default-graph-uri and named-graph-uri (any number, overriding FROM and FROM "
            "NAMED) choose among these graphs and the catalog graph; any other IRI is an empty graph. "
            f"Queries run at most {timeout:g} s and return at most {max_rows:,} results. Updates, LOAD and "
            "SERVICE are refused (403).")),
    ]
    for iri in sorted(set(graphs)) + [CATALOG_GRAPH]:
        for container in ((dataset, available) if iri != CATALOG_GRAPH else (available,)):
            named = ox.BlankNode()
            triples += [ox.Triple(container, node(sd + "namedGraph"), named),
                        ox.Triple(named, rdf_type, node(sd + "NamedGraph")),
                        ox.Triple(named, node(sd + "name"), node(iri))]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        triples.append(ox.Triple(service, node(sd + "resultFormat"), node(formats + name)))
    rdf = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD,
           "rdfxml": ox.RdfFormat.RDF_XML}
    prefixes = {"sd": sd, "formats": formats, "dcterms": PREFIXES["dcterms"]} if fmt == "turtle" else None
    return ox.serialize(triples, format=rdf[fmt], prefixes=prefixes)
