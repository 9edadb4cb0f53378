"""`kg serve` under pressure and misbehaving clients (loopback only, each test bounded in time): the Host check
is exact, slow queries cannot take every worker from quick ones, idle and slow connections are closed, open
connections are capped with a 503, and nothing a client does puts a traceback in the server's log."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import struct
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from serving import Running, serving

from kg.server import WALL_FACTOR

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # runs until the timeout
QUICK = 'ASK { ?p <http://w3id.org/product-org/ontology#identifier> "P19" }'
TIMEOUT = 8  # the server's query timeout in these tests (seconds of CPU time; 4 x as much wall-clock time)
IDLE = 1.0  # the server's idle timeout in these tests (seconds)


@pytest.fixture(scope="module")
def store(_example_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pressure") / "store"
    shutil.copytree(_example_template, path)
    return path


@pytest.fixture(scope="module")
def server(store: Path) -> Iterator[Running]:
    """Three workers (a slow lane of two), short timeouts, at most 40 connections."""
    with serving(store, "--workers", "3", "--timeout", str(TIMEOUT), "--idle-timeout", str(IDLE),
                 "--max-connections", "40") as running:
        yield running


def ask(server: Running, query: str = QUICK, host: str | None = None,
        timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.putrequest("GET", "/sparql?" + urlencode({"query": query}), skip_host=host is not None)
        if host is not None:
            conn.putheader("Host", host)
        conn.putheader("Accept", "application/sparql-results+json")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def worker_cpu(server: Running) -> dict[int, float]:
    """CPU seconds used so far by each of the server's worker processes."""
    pid = server.process.pid
    used = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it just ended
        used[int(child)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def no_traceback(server: Running) -> None:
    log = server.log.read_text()
    assert "Traceback" not in log and "Too many open files" not in log, log[-2000:]


# -- the Host check ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:7878", "127.0.0.1", "127.0.0.1:{port}", "[::1]",
                                  "[::1]:{port}"])
def test_loopback_names_are_accepted(server: Running, host: str) -> None:
    status, _, body = ask(server, host=host.format(port=server.port))
    assert status == 200 and json.loads(body)["boolean"] is True


@pytest.mark.parametrize("host", ["127.0.0.1.evil.example", "127.0.0.1.evil.example:{port}", "evil.localhost",
                                  "localhost.evil.example", "127.1", "127.0.0.2", "0.0.0.0", "[::1].evil", "",
                                  "localhost:{port}@evil.example", "localhost:99999999"])
def test_every_other_host_is_refused(server: Running, host: str) -> None:
    status, headers, body = ask(server, host=host.format(port=server.port))
    assert status == 403 and headers["Content-Type"].startswith("text/plain")
    assert b"localhost" in body and body.count(b"\n") == 1


# -- slow queries and quick ones -----------------------------------------------------------------------------


def test_slow_queries_do_not_starve_quick_ones(server: Running) -> None:
    slow: list[tuple[int, bytes, float]] = []

    def run_slow() -> None:
        status, _, body = ask(server, SLOW, timeout=WALL_FACTOR * TIMEOUT + 30)
        slow.append((status, body, time.monotonic()))

    before = worker_cpu(server)
    threads = [threading.Thread(target=run_slow) for _ in range(2)]  # fills the slow lane of two
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60  # the budget is CPU time, slow to accumulate on a busy machine
    while sum(cpu - before.get(pid, 0.0) > 1.0 for pid, cpu in worker_cpu(server).items()) < 2:
        assert time.monotonic() < deadline, "the two slow queries never ran"
        time.sleep(0.1)  # both are past the budget (0.5 s of CPU time): in the slow lane
    # The lane is full: a third slow query is stopped once past the budget, with a 503 to retry, and quick
    # ones are answered meanwhile (asked at once, from 4 clients: on a busy machine the slow ones must still
    # be running when they are done).
    with ThreadPoolExecutor(5) as pool:
        asked = pool.submit(ask, server, SLOW, timeout=WALL_FACTOR * TIMEOUT + 30)
        quick = list(pool.map(lambda _: ask(server), range(20)))
        quick_done = time.monotonic()
        third = asked.result()
    assert third[0] == 503 and b"long queries are already running" in third[2]
    assert third[1]["Retry-After"] == "1"
    assert [q[0] for q in quick] == [200] * 20 and all(json.loads(q[2])["boolean"] for q in quick)
    for thread in threads:
        thread.join(WALL_FACTOR * TIMEOUT + 30)
    assert [s[0] for s in slow] == [503, 503] and all(b"longer than" in s[1] for s in slow)
    assert quick_done < min(s[2] for s in slow)  # the quick ones were answered while the slow ones ran
    assert ask(server)[0] == 200  # and the killed workers are replaced
    no_traceback(server)


# -- connections ---------------------------------------------------------------------------------------------


def test_idle_and_slow_connections_are_closed(server: Running) -> None:
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    started = time.monotonic()
    assert idle.recv(100) == b""  # closed by the server, without an answer
    assert IDLE * 0.9 <= time.monotonic() - started < IDLE + 30  # by the server, long before our 60 s
    idle.close()
    # a body trickling in, a byte at a time, more slowly than the deadline (twice the idle timeout) allows
    slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    slow.sendall(b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\n"
                 b"Content-Length: 100\r\n\r\n")
    answer = b""
    for _ in range(40):
        try:
            slow.sendall(b" ")
        except OSError:
            break
        time.sleep(IDLE / 3)
        slow.setblocking(False)
        try:
            answer += slow.recv(1000)
        except BlockingIOError:
            pass
        slow.setblocking(True)
        if answer:
            break
    slow.close()
    assert answer.startswith(b"HTTP/1.1 408") and b"longer than" in answer
    no_traceback(server)


@contextmanager
def holding(server: Running, count: int) -> Iterator[list[socket.socket]]:
    """``count`` idle connections to the server, closed at the end (then the server gets a moment)."""
    held: list[socket.socket] = []
    try:
        held += [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(count)]
        time.sleep(0.3)
        yield held
    finally:
        for sock in held:
            sock.close()
        time.sleep(0.5)


def recovers(server: Running) -> bool:
    """The server answers a query again once closed connections are counted out (soon; later when busy)."""
    deadline = time.monotonic() + 30
    while (status := ask(server)[0]) == 503 and time.monotonic() < deadline:
        time.sleep(0.2)
    return status == 200


def test_open_connections_are_capped(store: Path, tmp_path: Path) -> None:
    # Its own server, with an idle timeout long enough that none of the 40 is closed before the 41st comes
    # however busy the machine (the module's server closes idle connections after 1 s).
    with serving(store, "--workers", "1", "--idle-timeout", "30", "--max-connections", "40",
                 log=tmp_path / "serve.log") as server:
        with holding(server, 40):
            status, headers, body = ask(server)  # within the idle timeout: all 40 are still open
            assert status == 503 and b"too many open connections" in body and headers["Connection"] == "close"
        assert recovers(server)
        no_traceback(server)


def test_many_idle_sockets_do_not_exhaust_files(store: Path, tmp_path: Path) -> None:
    """1,100 idle sockets against the default settings: the ones over the cap get a 503, the server keeps
    its files and its log stays clean."""
    with serving(store, "--workers", "1", "--idle-timeout", "20", log=tmp_path / "serve.log") as server:
        with holding(server, 1100) as held:
            refused = 0
            for sock in held[-100:]:  # over the cap of 256: answered and closed at once
                sock.settimeout(5)
                refused += sock.recv(100).startswith(b"HTTP/1.1 503")
            assert refused == 100
            assert ask(server)[0] == 503
        assert recovers(server)
        no_traceback(server)


def test_misbehaving_clients_leave_no_traceback(server: Running) -> None:
    def raw(data: bytes, read: bool = True) -> bytes:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        try:
            sock.sendall(data)
            return sock.recv(65536) if read else b""
        finally:
            sock.close()

    assert raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert raw(b"GET /sparql HTTP/1.1\r\nHost: localhost\r\n" + b"X: " + b"a" * 70_000 + b"\r\n\r\n") \
        .startswith(b"HTTP/1.1 431")
    assert raw(b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\n\r\n").startswith(
        b"HTTP/1.1 400")
    assert raw(b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nASK {\r\n"
               ).startswith(b"HTTP/1.1 4")
    raw(b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Length: 50\r\n\r\nASK", read=False)  # gone
    for _ in range(3):  # a reset in the middle of a body, and one while the answer is being written
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.sendall(b"GET /sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"}).encode() +
                     b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
        sock.close()
    time.sleep(1)
    assert ask(server)[0] == 200
    no_traceback(server)


# -- the line of requests waiting for a worker ---------------------------------------------------------------


def test_a_busy_machine_is_slower_and_a_full_line_is_refused_at_once(store: Path) -> None:
    """Requests beyond the free workers wait in line (however long the queries ahead take, within the
    limits) and the one arriving at a full line gets Busy at once: the back-pressure for real overload."""
    from kg.errors import QueryTimeout
    from kg.server import Busy, WorkerPool

    pool = WorkerPool(1, waiting=2)
    try:
        job = {"store": str(store), "query": SLOW, "limit": 5, "lock_wait": 5, "keep_open": True}
        answers: list[object] = []

        def request(query: str) -> None:
            try:
                answers.append(pool.run(job | {"query": query}, timeout=1.5))
            except (Busy, QueryTimeout) as exc:
                answers.append(exc)

        slow = threading.Thread(target=request, args=(SLOW,))  # holds the only worker for 1.5 s of CPU time
        slow.start()
        time.sleep(0.3)
        line = [threading.Thread(target=request, args=(QUICK,)) for _ in range(2)]  # the line is full
        for thread in line:
            thread.start()
        deadline = time.monotonic() + 30
        while pool._in_line < 2:  # noqa: SLF001 - wait until both stand in line
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with pytest.raises(Busy, match="2 requests are already waiting"):
            pool.run(job | {"query": QUICK}, timeout=1.5)
        assert not answers  # refused at once, while the slow query still ran
        for thread in [slow, *line]:
            thread.join(60)
        assert isinstance(answers[0], QueryTimeout), answers[0]  # the slow query was stopped at the timeout
        assert str(answers[0]).startswith("the query took longer than 1.5 s")
        quick = answers[1:]
        assert len(quick) == 2 and all(isinstance(a, dict) and a["ok"] and a["result"].boolean for a in quick)
    finally:
        pool.close()
