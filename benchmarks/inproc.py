#!/usr/bin/env python3
"""In-process measurements for benchmarks/run.py (run as a child process so its peak memory is its own).

    inproc.py queries   --store S --nt org.nt --person ID --manager ID   # named queries: store vs rdflib
    inproc.py analytics --store S                                        # projection, betweenness vs networkx
    inproc.py serve     --store S --person ID --clients 8                # endpoint latency under concurrency

Each writes one JSON object to ``--json``.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def timed(fn: Callable[[], Any], warmup: int, repeat: int, budget: float | None = None,
          before: Callable[[], Any] | None = None) -> dict[str, Any]:
    """Median and spread of ``fn()``; stops repeating once ``budget`` seconds are spent. ``before`` runs,
    untimed, before each call (e.g. freeing what the last call built)."""
    for _ in range(warmup):
        if before is not None:
            before()
        fn()
    times: list[float] = []
    cpu: list[float] = []
    spent = 0.0
    for _ in range(max(1, repeat)):
        if before is not None:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        spent += times[-1]
        if budget is not None and spent > budget:
            break
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": len(times),
            "cpu": statistics.median(cpu)}


class _Timeout(BaseException):  # not Exception: rdflib must not swallow it
    pass


def with_alarm(seconds: int, fn: Callable[[], Any]) -> Any:
    """Run pure-Python ``fn`` for at most ``seconds`` (SIGALRM); raises _Timeout."""

    def ring(*_: Any) -> None:
        raise _Timeout

    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        return fn()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# -- named queries -------------------------------------------------------------------------------------------

PARAM_VALUES = {"from": "Product Manager", "to": "Chief Product Officer", "role": "Product Owner",
                "responsibility": "roadmap"}


def queries(opts: argparse.Namespace) -> dict[str, Any]:
    from kg.errors import QueryError
    from kg.queries import named_queries, run
    from kg.store import opened
    from kg.vocab import PREFIXES

    params_of = {"person": opts.person}
    out: list[dict[str, Any]] = []
    with opened(opts.store) as store:
        for nq in named_queries():
            values = {p: ("" if p not in params_of and p not in PARAM_VALUES else
                          params_of.get(p) or PARAM_VALUES[p]) for p in nq.params}
            if nq.name == "all-reports":
                values["person"] = opts.manager  # everyone under a top manager, not a leaf
            if any(v == "" for v in values.values()):
                continue
            item: dict[str, Any] = {"name": nq.name, "params": values}
            out.append(item)
            if opts.kg_timeout:  # first in a worker process that is killed when time is up
                try:
                    run(store, nq.name, values, timeout=opts.kg_timeout)
                except QueryError:
                    item["kg"] = None
                    item["note"] = f"kg: over {opts.kg_timeout} s, stopped"
                    continue
            rows: list[int] = []

            def run_kg(nq: Any = nq, values: dict[str, str] = values, rows: list[int] = rows) -> None:
                rows.append(len(run(store, nq.name, values)))

            item["kg"] = timed(run_kg, opts.warmup, opts.repeat, budget=opts.budget)
            item["kg"]["rows"] = rows[-1]
    if not opts.no_rdflib:
        import rdflib

        graph = rdflib.Dataset(default_union=True)
        from kg.ontology import ontology_files

        started = time.perf_counter()
        g = graph.default_context
        g.parse(opts.nt, format="nt")
        for path in ontology_files():
            g.parse(path, format="turtle")
        parse_seconds = time.perf_counter() - started
        header = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
        for item in out:
            if item["kg"] is None:
                continue
            nq = next(q for q in named_queries() if q.name == item["name"])
            bindings = {k: rdflib.Literal(v) for k, v in item["params"].items()}
            text = header + nq.text
            try:
                item["rdflib"] = with_alarm(opts.rdflib_timeout, lambda t=text, b=bindings: timed(
                    lambda: len(list(g.query(t, initBindings=b))), 0, opts.repeat, budget=20))
            except _Timeout:
                item["rdflib"] = None
                item["note"] = f"rdflib: over {opts.rdflib_timeout} s, stopped"
            except RecursionError:
                item["rdflib"] = None
                item["note"] = "rdflib: RecursionError"
            except Exception as exc:  # noqa: BLE001 - rdflib cannot run every query: say which and go on
                item["rdflib"] = None
                item["note"] = f"rdflib fails: {type(exc).__name__}"
        return {"queries": out, "rdflib_parse_seconds": parse_seconds}
    return {"queries": out}


# -- projection and centrality -------------------------------------------------------------------------------


def analytics(opts: argparse.Namespace) -> dict[str, Any]:
    import networkx as nx

    from kg import analytics as an
    from kg import projection
    from kg.store import opened

    rows: list[dict[str, Any]] = []
    with opened(opts.store) as store:
        # One graph at a time, as a user builds it: each is freed (untimed) before the next is built; until
        # 2026-12-02 every graph built stayed alive, so the last was built beside four or five others.
        graphs: list[Any] = []
        proj = timed(lambda: graphs.append(projection.reporting_forest(store, attributes=False)),
                     opts.warmup, opts.repeat, budget=opts.budget, before=graphs.clear)
        rows.append({"key": "projection", "kg": proj,
                     "label": "projection: reporting forest RDF -> networkx (in process)",
                     "note": f"{graphs[-1].number_of_nodes():,} nodes"})
        proj_attr = timed(lambda: graphs.append(projection.reporting_forest(store)), 0, 1, before=graphs.clear)
        rows.append({"key": "projection-attributes", "label": "projection with node attributes (in process)",
                     "kg": proj_attr, "note": "one graph alive at a time"})
        G = graphs[-1]
    scores: list[Any] = []
    kg_b = timed(lambda: scores.append(an.centrality(G, "betweenness")), opts.warmup, opts.repeat,
                 budget=opts.budget)
    n = G.number_of_nodes()
    U = G.to_undirected()
    if n <= opts.nx_limit:
        base = timed(lambda: nx.betweenness_centrality(U), 0, 1)
        exact = nx.betweenness_centrality(U) if n <= 2000 else None
        note = ""
        if exact is not None:
            ours = scores[-1]
            worst = max(abs(float(ours.get(k, 0)) - v) for k, v in exact.items())
            note = f"max difference from networkx {worst:.1e}"
    else:  # networkx's time grows with sources x edges: time k sampled sources, scale to all n
        k = max(10, min(200, 5_000_000 // n))  # sources: enough to time, few enough to finish
        sampled = timed(lambda: nx.betweenness_centrality(U, k=k, seed=1), 0, 1)
        scale = n / k
        base = {"median": sampled["median"] * scale, "min": sampled["min"] * scale,
                "max": sampled["max"] * scale, "runs": 0, "estimated": True, "from_size": n}
        note = f"networkx extrapolated from {k} sampled sources"
    rows.append({"key": "betweenness", "label": "exact betweenness of the reporting tree (in process)",
                 "kg": kg_b, "baseline": base, "baseline_label": "networkx betweenness_centrality (exact)",
                 "note": note})
    return {"rows": rows}


# -- endpoint ------------------------------------------------------------------------------------------------

CHAIN = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX po: <http://w3id.org/product-org/ontology#>
SELECT ?m ?id WHERE { ?n po:identifier "%s" . ?n org:reportsTo+ ?m . OPTIONAL { ?m po:identifier ?id } }"""


def serve(opts: argparse.Namespace) -> dict[str, Any]:
    import os
    import socket
    import subprocess
    import threading
    import urllib.parse
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kg = str(Path(sys.executable).with_name("kg"))
    proc = subprocess.Popen([kg, "--store", opts.store, "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": CHAIN % opts.person})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("kg serve did not answer") from None
                time.sleep(0.1)
        latencies: list[float] = []
        errors = [0]
        stop = time.monotonic() + opts.seconds

        def client() -> None:
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(url, timeout=30) as response:
                        response.read()
                    latencies.append(time.perf_counter() - started)
                except OSError:
                    errors[0] += 1

        threads = [threading.Thread(target=client) for _ in range(opts.clients)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
    finally:
        proc.terminate()
        proc.wait(10)
    if not latencies:
        raise SystemExit(f"no request succeeded ({errors[0]} errors)")
    return {"kg": {"median": statistics.median(latencies), "min": min(latencies), "max": max(latencies),
                   "runs": len(latencies), "throughput": len(latencies) / elapsed, "errors": errors[0],
                   "p95": sorted(latencies)[int(0.95 * (len(latencies) - 1))], "pid": os.getpid()}}


# -- browser ------------------------------------------------------------------------------------------------

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def browser(opts: argparse.Namespace) -> dict[str, Any]:
    """Seconds from opening the chart page in headless Chromium until the chart says it is drawn."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--window-size=1280,900", "--disable-dev-shm-usage", "--no-first-run"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    page = Path(opts.html).resolve().as_uri()

    def draw() -> None:
        driver.get("about:blank")
        driver.get(page)
        deadline = time.monotonic() + 120
        while not driver.execute_script("return !!(window.kgChart && window.kgChart.drawn)"):
            if time.monotonic() > deadline:
                raise SystemExit("the chart was not drawn within 120 s")
            time.sleep(0.02)

    try:
        result = timed(draw, opts.warmup, opts.repeat)
    finally:
        driver.quit()
    result.pop("cpu", None)  # the browser's work happens in other processes
    return {"kg": result}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["queries", "analytics", "serve", "browser"])
    parser.add_argument("--store", default="")
    parser.add_argument("--html", default="")
    parser.add_argument("--nt")
    parser.add_argument("--person", default="")
    parser.add_argument("--manager", default="")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument("--rdflib-timeout", type=int, default=60)
    parser.add_argument("--kg-timeout", type=int, default=0, help="probe each query in a killable worker")
    parser.add_argument("--nx-limit", type=int, default=10_000)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds of timed repeats per measurement")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json", required=True)
    opts = parser.parse_args()
    data = {"queries": queries, "analytics": analytics, "serve": serve, "browser": browser}[opts.what](opts)
    Path(opts.json).write_text(json.dumps(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
