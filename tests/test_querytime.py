"""What a query's time limit counts (kg.querytime), the one rule of `kg query --timeout` and `kg serve`.

Timing here is never asserted as speed: every wait has a generous deadline (this 2-core machine is shared), and
each assertion compares the clock's own readings, which a loaded machine cannot turn around.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import queries
from kg.ingest.load import load_files
from kg.querytime import WALL_FACTOR, QueryClock, cpu_seconds
from kg.store import opened

CHINOOK = Path(__file__).parent / "data" / "realdata" / "chinook" / "Employee.csv"
# Every triple four times over: hours of CPU on any store, so only a limit ends it.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
EDGES = "SELECT ?a ?b WHERE { ?x org:reportsTo ?y . ?x po:identifier ?a . ?y po:identifier ?b }"

needs_proc = pytest.mark.skipif(cpu_seconds(os.getpid()) is None, reason="no CPU time from /proc here")


@pytest.fixture
def chinook(store_path: Path) -> Path:
    """A store holding the real Chinook employee file."""
    with opened(store_path, write=True) as store:
        load_files(store, [CHINOOK])
    return store_path


def chinook_edges() -> set[tuple[str, str]]:
    """(employee, manager) pairs, read from the file."""
    with CHINOOK.open(encoding="utf-8") as f:
        return {(r["EmployeeId"], r["ReportsTo"]) for r in csv.DictReader(f) if r["ReportsTo"]}


def started(code: str) -> subprocess.Popen:
    """A Python process running ``code`` once it has started (its start-up CPU time is behind it)."""
    process = subprocess.Popen([sys.executable, "-c", f"print('ready', flush=True)\n{code}"],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    return process


def running(code: str) -> Iterator[subprocess.Popen]:
    """A fixture's process running ``code`` (see :func:`started`), killed afterwards."""
    process = started(code)
    yield process
    process.kill()
    process.wait(10)


@pytest.fixture
def busy() -> Iterator[subprocess.Popen]:
    yield from running("while True:\n    pass")


@pytest.fixture
def sleeping() -> Iterator[subprocess.Popen]:
    yield from running("import time\ntime.sleep(600)")


# -- the accounting -----------------------------------------------------------------------------------------

@needs_proc
def test_a_computing_process_uses_its_limit(busy: subprocess.Popen) -> None:
    clock = QueryClock(busy.pid, 0.3)
    deadline = time.monotonic() + 120  # however busy the machine, a busy loop gets 0.3 s of CPU in 2 minutes
    while clock.used() < clock.timeout and time.monotonic() < deadline:
        time.sleep(0.05)
    assert clock.used() >= clock.timeout and clock.over()
    assert clock.stopped() == "the query took longer than 0.3 s of CPU time and was stopped"


@needs_proc
def test_a_waiting_process_is_not_charged_for_the_wall_clock(sleeping: subprocess.Popen) -> None:
    clock = QueryClock(sleeping.pid, 1.0)
    while clock.wall() <= 1.5 * clock.timeout:  # past the limit in wall-clock time...
        time.sleep(0.1)
    used = clock.used()
    assert used < 0.5 * clock.timeout, used  # ...but hardly any CPU time: a sleeping process uses none
    assert clock.over() == (clock.wall() >= clock.wall_limit)  # only the wall-clock safety net can end it


@needs_proc
def test_the_wall_clock_safety_net_ends_a_wait_and_says_so(sleeping: subprocess.Popen) -> None:
    clock = QueryClock(sleeping.pid, 0.25)
    assert clock.wall_limit == WALL_FACTOR * 0.25
    while not clock.over():
        time.sleep(0.05)
    assert clock.wall() >= clock.wall_limit and clock.used() < clock.timeout
    why = clock.stopped()
    assert why.startswith("the query took longer than 0.25 s: it used less CPU time, but waited 1 s of "
                          "wall-clock time"), why


def test_without_cpu_time_the_wall_clock_is_counted() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(60)
    clock = QueryClock(gone.pid, 0.2)
    assert clock.counts == "wall-clock time"
    time.sleep(0.3)
    assert clock.used() == pytest.approx(clock.wall(), abs=0.1) and clock.over()
    assert "0.2 s of wall-clock time" in clock.stopped()


# -- kg query --timeout counts like kg serve --------------------------------------------------------------------

def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=300)


def test_a_query_needing_more_cpu_than_the_limit_is_stopped_with_one_line(chinook: Path) -> None:
    done = kg("--store", str(chinook), "query", "-e", HEAVY, "--timeout", "0.5")
    assert done.returncode == 1 and done.stdout == ""
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("error: the query took longer than 0.5 s"), done.stderr
    assert "raise --timeout, or add a LIMIT" in done.stderr
    quick = kg("--store", str(chinook), "query", "-e", EDGES, "--format", "csv", "--timeout", "20")
    assert quick.returncode == 0, quick.stderr
    assert {tuple(r) for r in csv.reader(quick.stdout.splitlines()[1:])} == chinook_edges()


@needs_proc
def test_a_query_held_up_in_wall_clock_time_is_not_stopped(chinook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker is frozen (SIGSTOP) for longer than the limit once it is ready: the wall clock runs past the
    limit, its CPU time does not, so the query answers (a wall-clock limit would have stopped it)."""
    timeout, hold = 2.0, 3.0
    real_ready = queries.Worker.ready
    held: list[float] = []

    def ready_then_held(worker: queries.Worker, wait: float = 60.0) -> bool:
        ok = real_ready(worker, wait)
        os.kill(worker.process.pid, signal.SIGSTOP)
        held.append(time.monotonic())
        threading.Timer(hold, os.kill, (worker.process.pid, signal.SIGCONT)).start()
        return ok

    monkeypatch.setattr(queries.Worker, "ready", ready_then_held)
    with opened(chinook) as store:
        result = queries.run(store, EDGES, timeout=timeout)
    assert held and time.monotonic() - held[0] >= hold > timeout  # it was held longer than the limit
    assert {(str(r["a"]), str(r["b"])) for r in result.rows} == chinook_edges()


# -- --endpoint: only the wall clock is ours to count -----------------------------------------------------------

def test_an_endpoint_query_is_bounded_in_wall_clock_time(chinook: Path) -> None:
    from serving import serving

    with serving(chinook, "--workers", "1", "--timeout", "5") as running:
        children = Path(f"/proc/{running.process.pid}/task/{running.process.pid}/children")
        worker = children.read_text().split()
        done = kg("--endpoint", running.endpoint, "query", "-e", HEAVY, "--timeout", "1")
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith(f"error: {running.endpoint} did not answer within 1 s of wall-clock time")
        assert "raise --timeout" in done.stderr
        quick = kg("--endpoint", running.endpoint, "query", "-e", EDGES, "--format", "csv", "--timeout", "60")
        assert quick.returncode == 0, quick.stderr
        assert {tuple(r) for r in csv.reader(quick.stdout.splitlines()[1:])} == chinook_edges()
        # The quick query waited for the one worker: the server had stopped the long query itself by then.
        assert worker and not Path(f"/proc/{worker[0]}").exists()
