"""`kg serve` under pressure: latency of quick ASK queries from 50 clients, alone and while 3 slow queries run.

    python benchmarks/server_pressure.py [--kg PATH] [--workers N] [--seconds S]

``--kg`` is the folder holding the ``kg`` package to serve (default: this checkout), so an older version can
be measured beside the current one in the same run. The store is the example organization; a slow query is a
triple cross product that runs until the server's timeout (10 s). Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).parents[1]
QUICK = 'ASK { ?p <http://w3id.org/product-org/ontology#identifier> "P19" }'
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def request(port: int, query: str) -> tuple[int, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", "/sparql?" + urlencode({"query": query}),
                     headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    except OSError:
        return 0, time.monotonic() - started
    finally:
        conn.close()


def phase(port: int, clients: int, slow: int, seconds: float) -> dict[str, float | int]:
    """``clients`` threads asking quick queries in a loop and ``slow`` threads asking slow ones, for ``seconds``."""
    stop = threading.Event()
    quick: list[tuple[int, float]] = []
    slow_answers: list[int] = []

    def quick_client() -> None:
        while not stop.is_set():
            quick.append(request(port, QUICK))

    def slow_client() -> None:
        while not stop.is_set():
            slow_answers.append(request(port, SLOW)[0])

    threads = [threading.Thread(target=slow_client) for _ in range(slow)]
    for thread in threads:
        thread.start()
    if slow:
        time.sleep(1.0)  # the slow queries hold their workers before the quick clients start
    threads += [threading.Thread(target=quick_client) for _ in range(clients)]
    for thread in threads[slow:]:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    ok = sorted(t for status, t in quick if status == 200)
    return {"quick_requests": len(quick), "quick_ok": len(ok), "quick_503": sum(s == 503 for s, _ in quick),
            "quick_failed": sum(s not in (200, 503) for s, _ in quick),
            "median_ms": round(statistics.median(ok) * 1000, 1) if ok else -1,
            "p95_ms": round(ok[int(len(ok) * 0.95) - 1] * 1000, 1) if ok else -1,
            "max_ms": round(ok[-1] * 1000, 1) if ok else -1,
            "slow_answers": len(slow_answers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kg", default=str(ROOT), help="folder holding the kg package to serve")
    parser.add_argument("--workers", type=int, help="--workers of kg serve (default: its own default)")
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": args.kg}
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run([sys.executable, "-m", "kg.cli", "--store", str(store), "demo"], env=env, cwd=args.kg,
                       check=True, capture_output=True)
        command = [sys.executable, "-m", "kg.cli", "--store", str(store), "serve", "--port", "0"]
        if args.workers:
            command += ["--workers", str(args.workers)]
        server = subprocess.Popen(command, env=env, cwd=args.kg, stderr=subprocess.PIPE, text=True)
        try:
            port = int(re.search(r"127\.0\.0\.1:(\d+)", server.stderr.readline()).group(1))  # type: ignore[union-attr]
            request(port, QUICK)
            result = {"kg": args.kg, "workers": args.workers or "default", "clients": args.clients,
                      "load_average": os.getloadavg(),
                      "alone": phase(port, args.clients, 0, args.seconds),
                      "with_3_slow": phase(port, args.clients, 3, args.seconds)}
        finally:
            server.terminate()
            server.wait(10)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
