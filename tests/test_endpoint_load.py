"""The endpoint under load: 16 concurrent clients against a real `kg serve` on loopback for a few seconds.

No errors, no leaked threads, file handles or worker processes, memory stays flat, and slow queries (killed at
the server's timeout) do not block fast ones.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

CLIENTS = 16
SLOW_CLIENTS = 2
DURATION = 4.0
FAST = 'SELECT ?m WHERE { ?p po:identifier "P19" ; org:reportsTo/po:identifier ?m }'
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _proc(pid: int) -> dict[str, int]:
    """Threads, open file descriptors, resident memory (kB) and live children of a process."""
    status = Path(f"/proc/{pid}/status").read_text()
    field = {k: v.split()[0] for k, _, v in (ln.partition(":") for ln in status.splitlines()) if v.strip()}
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    own = int(field["VmRSS"])
    return {"threads": int(field["Threads"]), "fds": len(list(Path(f"/proc/{pid}/fd").iterdir())),
            "rss_kb": own, "rss_total_kb": own + sum(_rss(int(c)) for c in children),
            "children": len(children)}


def _rss(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        line = next(ln for ln in lines if ln.startswith("VmRSS"))
    except (OSError, StopIteration):
        return 0
    return int(line.split()[1])


def _ask(url: str, query: str, method: str) -> tuple[int, bytes]:
    if method == "GET":
        request = Request(url + "sparql?" + urlencode({"query": query}),
                          headers={"Accept": "application/sparql-results+json"})
    else:
        request = Request(url + "sparql", urlencode({"query": query}).encode(),
                          {"Content-Type": "application/x-www-form-urlencoded",
                           "Accept": "application/sparql-results+json"})
    try:
        with urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except HTTPError as err:
        return err.code, err.read()


@dataclass
class Call:
    kind: str
    start: float
    end: float
    status: int
    body: bytes


@pytest.fixture
def server(_example_template: Path, tmp_path: Path):
    store = tmp_path / "store"
    shutil.copytree(_example_template, store)
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "--store", str(store), "serve", "--port", "0", "--timeout", "1.5",
         "--workers", "4"], stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    line = process.stderr.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/)sparql", line)
    assert match, f"kg serve did not start: {line}"
    yield match.group(1), process.pid
    process.terminate()
    process.wait(10)


def _settled(pid: int, baseline: dict[str, int], wait: float = 30.0) -> dict[str, int]:
    """The process's counters once finished requests and replaced workers have settled (or after ``wait``)."""
    deadline = time.monotonic() + wait
    while True:
        now = _proc(pid)
        done = (now["threads"] <= baseline["threads"] and now["fds"] <= baseline["fds"]
                and now["children"] == baseline["children"])
        if done or time.monotonic() > deadline:
            return now
        time.sleep(0.2)


@pytest.mark.slow
def test_sixteen_clients_no_errors_no_leaks_slow_queries_do_not_block(server: tuple[str, int]) -> None:
    url, pid = server
    for method in ("GET", "POST"):  # warm up every code path once
        assert _ask(url, FAST, method)[0] == 200
    baseline = _settled(pid, _proc(pid), wait=2.0)
    calls: list[Call] = []
    errors: list[BaseException] = []
    stop = time.monotonic() + DURATION

    def client(n: int) -> None:
        slow = n < SLOW_CLIENTS
        method = "POST" if n % 2 else "GET"
        try:
            while time.monotonic() < stop:
                started = time.monotonic()
                status, body = _ask(url, SLOW if slow else FAST, method)
                calls.append(Call("slow" if slow else "fast", started, time.monotonic(), status, body))
        except BaseException as exc:  # any client-side failure (reset, timeout) is a test failure
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    middle = None
    while any(t.is_alive() for t in threads):
        time.sleep(0.25)
        if middle is None and time.monotonic() > stop - DURATION / 2:
            middle = _proc(pid)
    for t in threads:
        t.join()
    after = _settled(pid, baseline)

    print(f"calls {len(calls)}; baseline {baseline}; middle {middle}; after {after}")  # shown with -s
    assert errors == []
    fast = [c for c in calls if c.kind == "fast"]
    slow = [c for c in calls if c.kind == "slow"]
    assert fast and slow
    assert {c.status for c in fast} == {200}, {c.status for c in fast}
    answers = {json.loads(c.body)["results"]["bindings"][0]["m"]["value"] for c in fast}
    assert answers == {"P14"}
    assert {c.status for c in slow} == {503}  # stopped at the timeout, with a clear error
    assert all(b"longer than" in c.body for c in slow)
    # Fast queries kept being answered while slow ones were running.
    inside = [f for f in fast if any(s.start < f.start and f.end < s.end for s in slow)]
    assert len(inside) >= 10, f"only {len(inside)} fast answers while slow queries ran"
    # Nothing leaked: handler threads ended, sockets and pipes closed, killed workers replaced one for one.
    assert after["threads"] <= baseline["threads"], (baseline, after)
    assert after["fds"] <= baseline["fds"], (baseline, after)
    assert after["children"] == baseline["children"], (baseline, after)
    # Memory stays flat: the server did not grow in the second half of the run, nor the server and its
    # workers (as many as before) over the whole run, beyond allocator noise.
    assert middle is not None
    assert after["rss_kb"] < middle["rss_kb"] * 1.2 + 10_000, (middle, after)
    assert after["rss_total_kb"] < baseline["rss_total_kb"] * 1.2 + 20_000, (baseline, after)


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def _any(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head": {"vars": []}, "results": {"bindings": [{}]}}')

    do_GET = do_POST = _any

    def log_message(self, *args: object) -> None:
        pass


def test_service_and_load_never_reach_the_network(server: tuple[str, int]) -> None:
    """Federation and LOAD are refused before the engine, which would otherwise call a live local server."""
    url, _ = server
    recorder = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=recorder.serve_forever, daemon=True).start()
    target = f"http://127.0.0.1:{recorder.server_address[1]}/sparql"
    attempts = [f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ sErViCe SILENT <{target}> {{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ VALUES ?e {{ <{target}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} }}",
                f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
                f"LOAD <{target}>", f"LOAD SILENT <{target}> INTO GRAPH <http://e.org/g>"]
    try:
        _Recorder.hits.clear()
        for query in attempts:
            for method in ("GET", "POST"):
                status, body = _ask(url, query, method)
                assert status in (400, 403), (query, status, body)
        assert _Recorder.hits == []
        assert _ask(url, FAST, "GET")[0] == 200  # and the endpoint still answers
    finally:
        recorder.shutdown()
        recorder.server_close()
