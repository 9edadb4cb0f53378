"""External SPARQL 1.1 stores (Virtuoso, GraphDB, Fuseki, Neptune, Stardog): read them like the embedded
store, and push the embedded store's graphs to them.

:class:`RemoteStore` has the reading interface of :class:`kg.store.Store` (``select``, ``query``,
``sources``, ``has_data``, ``graphs``, ``close``), so every lookup in :mod:`kg.org` runs unchanged against it.
It speaks the SPARQL 1.1 Protocol over HTTP (standard library only), reads XML or JSON results, declares the
common prefixes in the query text and scopes every query to the kg graphs with the protocol's
``default-graph-uri`` and ``named-graph-uri`` parameters (the ontology graph and the graphs the catalog graph
names). Credentials come from the environment (basic or digest auth, whichever the server asks for).
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, QueryTimeout, StoreError
from kg.reading import SparqlReads
from kg.store import (
    SOURCES_QUERY,
    CatalogReader,
    SourceInfo,
    Store,
    _to_term,
    bind_values,
    sources_from_rows,
    term_value,
)
from kg.vocab import CATALOG_GRAPH, KG_GRAPH, ONTOLOGY_GRAPH, PREFIXES

ENV_ENDPOINT = "KG_ENDPOINT"
ENV_UPDATE_ENDPOINT = "KG_UPDATE_ENDPOINT"
ENV_GRAPH_STORE = "KG_GRAPH_STORE"
ENV_USER = "KG_ENDPOINT_USER"
ENV_PASSWORD = "KG_ENDPOINT_PASSWORD"
ENV_TIMEOUT = "KG_ENDPOINT_TIMEOUT"
DEFAULT_TIMEOUT = 120.0
BATCH = {"update": 500, "graph-store": 10_000}  # triples per request, by method

# XML first: every store speaks it, and Virtuoso writes it ten times faster than JSON.
RESULTS_ACCEPT = "application/sparql-results+xml, application/sparql-results+json;q=0.9"
N_TRIPLES = "application/n-triples"

_PROLOGUE = re.compile(
    r"\A(?:\s+|#[^\n]*(?:\n|\Z)|BASE\s*<[^>]*>|PREFIX\s*[A-Za-z0-9_.\-]*:\s*<[^>]*>)*", re.IGNORECASE
)
_DECLARED = re.compile(r"PREFIX\s*([A-Za-z0-9_.\-]*):", re.IGNORECASE)
_UPDATE_FORMS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


def query_form(sparql: str) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE, or an update keyword), upper case.

    >>> query_form("PREFIX a: <http://x#>\\n# a comment\\nask { ?s a:p ?o }")
    'ASK'
    """
    rest = sparql[_PROLOGUE.match(sparql).end():]  # type: ignore[union-attr]
    word = re.match(r"[A-Za-z]+", rest)
    return word.group(0).upper() if word else ""


def with_prefixes(sparql: str) -> str:
    """``sparql`` with PREFIX lines for the common prefixes it does not declare itself (its own win).

    >>> with_prefixes("PREFIX po: <urn:mine#> SELECT * {}").count("PREFIX po:")
    1
    """
    prologue = sparql[:_PROLOGUE.match(sparql).end()]  # type: ignore[union-attr]
    own = {m.group(1) for m in _DECLARED.finditer(prologue)}
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in own) + sparql


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + " ..."


class _DigestAuth(urllib.request.HTTPDigestAuthHandler):
    """Digest auth that, once challenged, authenticates the following requests up front."""

    _challenge: dict[str, str] | None = None

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str) -> Any:
        scheme, _, challenge = auth.partition(" ")
        if scheme.lower() == "digest":
            self._challenge = urllib.request.parse_keqv_list(
                filter(None, urllib.request.parse_http_list(challenge)))
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self._challenge and not req.has_header("Authorization"):
            auth = self.get_authorization(req, self._challenge)
            if auth:
                req.add_unredirected_header("Authorization", f"Digest {auth}")
        return req

    https_request = http_request


class Endpoint:
    """An HTTP client for a SPARQL 1.1 query URL, with optional update and Graph Store Protocol URLs."""

    def __init__(self, url: str, update_url: str | None = None, graph_store_url: str | None = None,
                 user: str | None = None, password: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        for value in (url, update_url, graph_store_url):
            if value and urllib.parse.urlsplit(value).scheme not in ("http", "https"):
                raise StoreError(f"endpoint {value} is not an http(s) URL; give e.g. http://host:8890/sparql")
        self.url = url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self.timeout = timeout  # seconds of wall-clock time to wait for the server (each wait for data)
        self.advice = f"raise {ENV_TIMEOUT}"  # what to do when it did not answer in time
        self.authenticated = not user
        handlers: list[urllib.request.BaseHandler] = []
        if user:
            # Basic: sent up front once the server has accepted it; digest: see _DigestAuth.
            passwords = urllib.request.HTTPPasswordMgrWithPriorAuth()
            for target in (url, update_url, graph_store_url):
                if target:
                    passwords.add_password(None, target, user, password or "", is_authenticated=False)
            handlers += [urllib.request.HTTPBasicAuthHandler(passwords), _DigestAuth(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def authenticate(self) -> None:
        """One small authenticated write before the big ones: a server that refuses an unauthenticated
        request may close the connection while a large body is still being sent."""
        if self.authenticated:
            return
        if self.graph_store_url:
            self.request(self.graph_url(CATALOG_GRAPH), method="GET", missing_ok=True)
        else:
            self.update("INSERT DATA { }")
        self.authenticated = True

    def request(self, url: str, *, method: str = "POST", data: bytes | None = None,
                headers: dict[str, str] | None = None, missing_ok: bool = False) -> tuple[str, bytes]:
        """Send one request; return the content type and body. HTTP failures become KGErrors."""
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                return resp.headers.get("Content-Type", ""), resp.read()
        except urllib.error.HTTPError as exc:
            if missing_ok and exc.code == 404:
                return "", b""
            body = _one_line(exc.read().decode("utf-8", "replace"))
            if exc.code in (401, 403):
                raise StoreError(
                    f"{url} refused access (HTTP {exc.code}): set {ENV_USER} and {ENV_PASSWORD} to an "
                    "account allowed to do this"
                ) from exc
            if exc.code == 400:
                raise QueryError(f"{url} rejected the request: {body or exc.reason}") from exc
            raise StoreError(f"{url} answered HTTP {exc.code} {exc.reason}: {body}") from exc
        except TimeoutError as exc:
            raise QueryTimeout(f"{url} did not answer within {self.timeout:g} s of wall-clock time (its own CPU "
                               f"time is not visible from here); {self.advice}") from exc
        except urllib.error.URLError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {url}: {exc.reason}; check the URL") from exc

    def query(self, sparql: str, accept: str, graphs: list[str] | None = None,
              named: list[str] | None = None) -> tuple[str, bytes]:
        """POST a query (form-encoded) with the dataset given as protocol parameters (``named`` defaults to
        ``graphs``); content type, body."""
        fields = [("query", sparql)]
        fields += [("default-graph-uri", graph) for graph in graphs or []]
        fields += [("named-graph-uri", graph) for graph in (graphs if named is None else named) or []]
        return self.request(self.url, data=urllib.parse.urlencode(fields).encode("utf-8"),
                            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})

    def update(self, sparql: str) -> None:
        if not self.update_url:
            raise StoreError(f"no update URL: give --update-endpoint (or {ENV_UPDATE_ENDPOINT}) to write")
        self.request(self.update_url, data=urllib.parse.urlencode([("update", sparql)]).encode("utf-8"),
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "Accept": f"{RESULTS_ACCEPT}, */*;q=0.1"})

    def graph_url(self, graph: str) -> str:
        sep = "&" if "?" in (self.graph_store_url or "") else "?"
        return f"{self.graph_store_url}{sep}{urllib.parse.urlencode({'graph': graph})}"

    def put_graph(self, graph: str, ntriples: bytes, *, replace: bool) -> None:
        """Graph Store Protocol: PUT replaces the graph, POST adds to it."""
        self.request(self.graph_url(graph), method="PUT" if replace else "POST", data=ntriples,
                     headers={"Content-Type": N_TRIPLES})

    def delete_graph(self, graph: str) -> None:
        self.request(self.graph_url(graph), method="DELETE", missing_ok=True)


_BNODE_XML = re.compile(rb"<bnode>([^<]*)</bnode>")


def parse_results(content_type: str, body: bytes, source: str = "the endpoint") -> Any:
    """pyoxigraph results (``QuerySolutions`` or ``QueryBoolean``) from a SPARQL XML or JSON results document.

    Blank node labels become valid ones (stores write labels such as ``nodeID://b10001``).

    >>> rows = parse_results("application/sparql-results+xml", b'<sparql xmlns="http://www.w3.org/2005/'
    ...     b'sparql-results#"><head><variable name="x"/></head><results><result><binding name="x">'
    ...     b'<bnode>nodeID://b1</bnode></binding></result></results></sparql>')
    >>> [str(r["x"]) for r in rows]
    ['_:b6e6f646549443a2f2f6231']
    """
    try:
        if "json" in content_type:
            data = json.loads(body)
            for row in data.get("results", {}).get("bindings", []):
                for term in row.values():
                    if term.get("type") == "bnode":
                        term["value"] = "b" + term["value"].encode().hex()
                    elif term.get("type") == "typed-literal":  # the pre-standard JSON of older stores
                        term["type"] = "literal"
            return ox.parse_query_results(json.dumps(data), format=ox.QueryResultsFormat.JSON)
        body = _BNODE_XML.sub(lambda m: b"<bnode>b" + m.group(1).hex().encode() + b"</bnode>", body)
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
    except (ValueError, SyntaxError) as exc:
        raise StoreError(f"{source} did not answer with SPARQL results ({_one_line(str(exc), 120)}); "
                         "is it a SPARQL query endpoint?") from exc


def _boolean(results: Any) -> Any:
    """A ``QueryBoolean`` for an ASK; some stores (Virtuoso) answer ASK with one row holding 1 or 0."""
    if isinstance(results, ox.QueryBoolean):
        return results
    first = next(iter(results), None)
    value = first[0] if first is not None and len(first) else None
    answer = value is not None and value.value in ("1", "true")
    return ox.parse_query_results(json.dumps({"head": {}, "boolean": answer}),
                                  format=ox.QueryResultsFormat.JSON)


class RemoteStore(SparqlReads, CatalogReader):
    """A kg dataset held by an external SPARQL 1.1 store; reads like :class:`kg.store.Store`."""

    writable = False

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.path = endpoint.url  # named in messages, like a store folder
        self._graphs: list[ox.NamedNode] | None = None
        self._named: list[ox.NamedNode] | None = None

    @property
    def db(self) -> Any:
        """There is no local database: code that reads one directly cannot run against an endpoint."""
        raise StoreError(f"this command reads the embedded store directly and cannot run against "
                         f"{self.endpoint.url}; run it without --endpoint (and without {ENV_ENDPOINT})")

    # -- reading ------------------------------------------------------------------------------------------

    def _results(self, sparql: str, graphs: list[str], prefixes: bool = True,
                 named: list[str] | None = None) -> Any:
        text = with_prefixes(sparql) if prefixes else sparql
        content_type, body = self.endpoint.query(text, RESULTS_ACCEPT, graphs, named)
        return parse_results(content_type, body, self.endpoint.url)

    def _rows(self, sparql: str, graphs: list[str], named: list[str] | None = None,
              prefixes: bool = True) -> list[dict[str, str | None]]:
        results = self._results(sparql, graphs, prefixes, named)
        if isinstance(results, ox.QueryBoolean):
            raise QueryError("expected a SELECT query, got an ASK")
        names = [v.value for v in results.variables]
        return [{n: term_value(sol[n]) for n in names} for sol in results]

    def sources(self) -> list[SourceInfo]:
        """Every source the remote catalog names, sorted by name."""
        return sources_from_rows(self._rows(SOURCES_QUERY, [CATALOG_GRAPH], prefixes=False))

    def _dataset_iris(self) -> tuple[list[str], list[str]]:
        """The default graphs and the named graphs of every read (see :meth:`CatalogReader.history_graphs`)."""
        return [g.value for g in self.graphs()], [g.value for g in self.history_graphs()]

    def _prepare(self, sparql: str, bindings: dict[str, Any]) -> tuple[str, str]:
        form = query_form(sparql)
        if form in _UPDATE_FORMS:
            raise QueryError(f"{form} is an update; kg only reads from --endpoint (use `kg push` to write)")
        if bindings:
            sparql = bind_values(sparql, {k: _to_term(v) for k, v in bindings.items()})
        return sparql, form

    @contextmanager
    def time_limit(self, seconds: float, advice: str) -> Iterator[None]:
        """Within: wait at most ``seconds`` of wall-clock time for the store's answers (for each wait for data;
        the store's own CPU time is not visible from here), and end the error with ``advice``."""
        saved = self.endpoint.timeout, self.endpoint.advice
        self.endpoint.timeout, self.endpoint.advice = seconds, advice
        try:
            yield
        finally:
            self.endpoint.timeout, self.endpoint.advice = saved

    def select(self, sparql: str, **bindings: Any) -> list[dict[str, str | None]]:
        """Rows of a SELECT query as dicts of plain strings (IRIs and literal values), None when unbound."""
        sparql, _ = self._prepare(sparql, bindings)
        return self._rows(sparql, *self._dataset_iris())

    def query(self, sparql: str, *, prefixes: bool = True, **bindings: Any) -> Any:
        """Run SPARQL remotely; results as pyoxigraph objects, like :meth:`kg.store.Store.query`.

        ASK gives a ``QueryBoolean`` (use ``bool()``), SELECT ``QuerySolutions`` (``.variables``, rows indexed
        by variable name), CONSTRUCT and DESCRIBE an iterator of ``Triple``.
        """
        sparql, form = self._prepare(sparql, bindings)
        graphs, named = self._dataset_iris()
        if form in ("CONSTRUCT", "DESCRIBE"):
            _, body = self.endpoint.query(with_prefixes(sparql) if prefixes else sparql, N_TRIPLES, graphs, named)
            return (quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        results = self._results(sparql, graphs, prefixes, named)
        return _boolean(results) if form == "ASK" else results

    def triple_count(self, graph: str) -> int:
        rows = self._rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", [graph], [graph], prefixes=False)
        return int(float(rows[0]["n"])) if rows and rows[0]["n"] else 0

    def close(self) -> None:
        """Nothing to release: every request is its own HTTP exchange."""

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def open_remote(endpoint: str | None = None, update_endpoint: str | None = None,
                graph_store: str | None = None) -> RemoteStore:
    """A :class:`RemoteStore` for ``endpoint`` (else ``$KG_ENDPOINT``); credentials from the environment."""
    url = endpoint or os.environ.get(ENV_ENDPOINT)
    if not url:
        raise StoreError(f"no SPARQL endpoint: give --endpoint URL or set {ENV_ENDPOINT}")
    try:
        timeout = float(os.environ.get(ENV_TIMEOUT, DEFAULT_TIMEOUT))
    except ValueError as exc:
        raise StoreError(f"{ENV_TIMEOUT} must be a number of seconds") from exc
    remote = RemoteStore(Endpoint(
        url,
        update_url=update_endpoint or os.environ.get(ENV_UPDATE_ENDPOINT),
        graph_store_url=graph_store or os.environ.get(ENV_GRAPH_STORE),
        user=os.environ.get(ENV_USER),
        password=os.environ.get(ENV_PASSWORD),
        timeout=timeout,
    ))
    remote.see_as_the_environment_says()
    return remote


# -- pushing ----------------------------------------------------------------------------------------------


@dataclass
class PushReport:
    """What `kg push` did: graphs sent (with triple counts), skipped (already there), dropped (stale)."""

    endpoint: str
    method: str
    sent: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "method": self.method, "graphs_sent": len(self.sent),
                "triples_sent": sum(self.sent.values()), "graphs_skipped": len(self.skipped),
                "graphs_dropped": len(self.dropped), "sent": self.sent, "skipped": self.skipped,
                "dropped": self.dropped}


Progress = Callable[[str, int, int], None]


def push(store: Store, remote: RemoteStore, *, batch: int | None = None, force: bool = False,
         progress: Progress | None = None) -> PushReport:
    """Copy the ontology graph, every loaded source graph and the catalog from ``store`` to ``remote``.

    Each graph keeps its name and is replaced, never appended to, so pushing twice gives the same remote
    data. Source graphs are immutable in kg (a reload mints a new graph), so one the remote already holds
    with the same triple count is skipped unless ``force``. The catalog goes last: remote readers switch to
    the new sources only once their graphs are complete. Graphs of older pushes are dropped at the end.
    ``batch`` triples go in each request (default by method: :data:`BATCH`); ``progress(graph, done, total)``
    is called after each one.
    """
    ep = remote.endpoint
    if not ep.graph_store_url and not ep.update_url:
        raise StoreError(f"kg push needs somewhere to write: give --update-endpoint URL (SPARQL Update) or "
                         f"set {ENV_GRAPH_STORE} to a Graph Store Protocol URL")
    report = PushReport(ep.url, "graph-store" if ep.graph_store_url else "update")
    batch = batch or BATCH[report.method]
    if batch < 1:
        raise StoreError("--batch must be at least 1")
    before = {s.graph: s.triples for s in remote.sources()}
    ep.authenticate()
    local = store.sources()
    for info in local:
        there = before.get(info.graph) == info.triples and remote.triple_count(info.graph) == info.triples
        if there and not force:
            report.skipped.append(info.graph)
            continue
        report.sent[info.graph] = _push_graph(store, ep, info.graph, batch, progress)
    for graph in (ONTOLOGY_GRAPH, CATALOG_GRAPH):
        report.sent[graph] = _push_graph(store, ep, graph, batch, progress)
    keep = {s.graph for s in local}
    for graph in sorted(set(before) - keep):
        if graph.startswith(str(KG_GRAPH)):
            _drop(ep, graph)
            report.dropped.append(graph)
    remote.see_as_of(remote.as_of)  # the catalog changed: forget the dataset read before
    return report


def _drop(ep: Endpoint, graph: str) -> None:
    if ep.graph_store_url:
        ep.delete_graph(graph)
    else:
        ep.update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")  # NamedNode: a valid IRI, safe as text


def _ntriple(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} ."


def _batches(store: Store, graph: str, size: int) -> Iterator[tuple[list[str], bool]]:
    """Triples of ``graph`` as N-Triples lines in batches of about ``size``. Triples with blank nodes come last
    (flagged True), grouped so that all triples sharing a blank node travel in one request: each blank node
    keeps its identity on the remote side, and no request needs to hold every blank node of the graph."""
    plain: list[str] = []
    blank: list[ox.Quad] = []
    for quad in store.db.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            blank.append(quad)
            continue
        plain.append(_ntriple(quad))
        if len(plain) >= size:
            yield plain, False
            plain = []
    if plain:
        yield plain, False
    batch: list[str] = []
    for group in blank_groups(blank):
        if batch and len(batch) + len(group) > size:
            yield batch, True
            batch = []
        batch.extend(_ntriple(q) for q in group)
    if batch:
        yield batch, True


def blank_groups(quads: list[ox.Quad]) -> list[list[ox.Quad]]:
    """The quads grouped by the blank nodes they share (connected through subjects and objects).

    >>> b1, b2, b3, p = ox.BlankNode("b1"), ox.BlankNode("b2"), ox.BlankNode("b3"), ox.NamedNode("http://e/p")
    >>> [len(g) for g in blank_groups([ox.Quad(b1, p, b2), ox.Quad(b3, p, p), ox.Quad(b2, p, p)])]
    [2, 1]
    """
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def top(b: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(b, b) != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    for q in quads:
        ends = [t for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)]
        if len(ends) == 2:
            parent[top(ends[0])] = top(ends[1])
        else:
            top(ends[0])
    groups: dict[ox.BlankNode, list[ox.Quad]] = {}
    for q in quads:
        key = q.subject if isinstance(q.subject, ox.BlankNode) else q.object
        groups.setdefault(top(key), []).append(q)  # type: ignore[arg-type]
    return list(groups.values())


def _push_graph(store: Store, ep: Endpoint, graph: str, size: int, progress: Progress | None) -> int:
    total = store.triple_count(graph)
    done = 0
    first = True
    for lines, blank in _batches(store, graph, size):
        if ep.graph_store_url:
            ep.put_graph(graph, ("\n".join(lines) + "\n").encode("utf-8"), replace=first)
        else:
            _insert(ep, graph, lines, blank, replace=first)
        first = False
        done += len(lines)
        if progress:
            progress(graph, done, total)
    if first:  # an empty graph: make sure the remote one is empty too
        _drop(ep, graph)
        if progress:
            progress(graph, 0, 0)
    return done


def _insert(ep: Endpoint, graph: str, lines: list[str], blank: bool, *, replace: bool) -> None:
    """One SPARQL Update adding ``lines`` to ``graph`` (dropping it first with ``replace``). A request the
    store refuses is retried in halves: stores cap the size of an update (Virtuoso: 10,000 lines of SQL)."""
    name = ox.NamedNode(graph)
    drop = f"DROP SILENT GRAPH {name} ;\n" if replace else ""
    # Blank nodes go in an INSERT template (some stores, e.g. Virtuoso, refuse them in INSERT DATA).
    head, tail = ("INSERT {", "} WHERE {}") if blank else ("INSERT DATA {", "}")
    try:
        ep.update(f"{drop}{head} GRAPH {name} {{\n" + "\n".join(lines) + f"\n}} {tail}")
    except QueryError:
        if blank or len(lines) < 2:  # blank nodes must stay in one request to keep their identity
            raise
        half = len(lines) // 2
        _insert(ep, graph, lines[:half], blank, replace=replace)
        _insert(ep, graph, lines[half:], blank, replace=False)
