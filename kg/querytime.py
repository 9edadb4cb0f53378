"""Query time: what a SPARQL query's time limit counts, the one rule of `kg query --timeout` and `kg serve`.

A query on the embedded store runs in a worker process (pyoxigraph cannot cancel a query). Its time is the
worker's own CPU time (user and system, every thread, read from ``/proc``), so a machine busy with other work
makes a query slower instead of stopping it; where the system does not report CPU time, wall-clock time is
counted instead. As a safety net a query is stopped anyway after ``WALL_FACTOR`` times its limit in
wall-clock time (it may wait without computing: for a lock, or a process held up from outside).

A remote store's query (``--endpoint``) runs in someone else's process: kg can only bound its wait for the
answer in wall-clock time (see :mod:`kg.remote`).
"""

from __future__ import annotations

import os
import time

WALL_FACTOR = 4  # a query is stopped after its limit in CPU time, or this many times it in wall-clock time


def cpu_seconds(pid: int) -> float | None:
    """The CPU time process ``pid`` has used so far (user and system, every thread), from ``/proc``; None
    where the system does not tell (not Linux) or the process is gone.

    >>> cpu_seconds(-1) is None
    True
    """
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime, in ticks
    except (OSError, IndexError, ValueError):
        return None


class QueryClock:
    """How much of its limit (``timeout`` seconds) one query has used in process ``pid``: the process's CPU
    time since the clock started, and the wall-clock time, bounded at ``WALL_FACTOR`` times the limit.

    >>> clock = QueryClock(os.getpid(), 60.0)
    >>> clock.over(), clock.wall_limit
    (False, 240.0)
    >>> QueryClock(-1, 60.0).counts  # no CPU time to read: wall-clock time is counted
    'wall-clock time'
    """

    def __init__(self, pid: int, timeout: float) -> None:
        self.pid = pid
        self.timeout = timeout
        self.wall_limit = WALL_FACTOR * timeout
        self.started = time.monotonic()
        self.cpu_start = cpu_seconds(pid)
        self.counts = "wall-clock time" if self.cpu_start is None else "CPU time"

    def wall(self) -> float:
        """Wall-clock seconds since the clock started."""
        return time.monotonic() - self.started

    def used(self) -> float:
        """Seconds of query time: CPU seconds of the process since the clock started."""
        cpu = None if self.cpu_start is None else cpu_seconds(self.pid)
        return self.wall() if cpu is None else cpu - self.cpu_start

    def over(self, until: float | None = None) -> bool:
        """Whether ``until`` seconds of query time (default: the whole limit) are used, or the wall-clock
        limit is reached."""
        return self.used() >= self._until(until) or self.wall() >= self.wall_limit

    def step(self, until: float | None = None) -> float:
        """Wall-clock seconds to wait before looking again whether ``until`` seconds of query time are used
        (one thread's CPU time cannot run ahead of the wall clock)."""
        return max(0.01, min(self._until(until) - self.used(), self.wall_limit - self.wall()))

    def _until(self, until: float | None) -> float:
        return self.timeout if until is None else min(until, self.timeout)

    def stopped(self) -> str:
        """Why the query is stopped: the start of its one-line error. Ask before the process is killed (a
        process that is gone has no CPU time to read)."""
        if self.used() >= self.timeout:
            return f"the query took longer than {self.timeout:g} s of {self.counts} and was stopped"
        return (f"the query took longer than {self.timeout:g} s: it used less {self.counts}, but waited "
                f"{self.wall_limit:g} s of wall-clock time ({WALL_FACTOR} x the limit; the machine or the store "
                "was busy) and was stopped")
