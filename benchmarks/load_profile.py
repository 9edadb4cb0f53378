"""Where the seconds and the memory of one `kg load` go: wall time of each step and the peak RSS while it ran.

    python benchmarks/load_profile.py STORE FILE.csv

Steps are timed by wrapping kg's own functions (no profiler overhead): the importer (`import_csv`: reading,
checking, the load report's forest), making the N-Triples text (`_triples`, in the caller's thread), Oxigraph's
`bulk_load` (in the writer thread: it overlaps the rest), each slice of chart index rows, the placed table, the
catalog commit and the final flush. RSS is sampled every 0.25 s. Print the load average with the result: this
machine's speed varies several times over an hour.
"""

from __future__ import annotations

import functools
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

T0 = time.perf_counter()
spent: dict[str, float] = {}
steps: list[tuple[float, float, str]] = []
samples: list[tuple[float, int]] = []


def _sample() -> None:
    while True:
        with open("/proc/self/statm") as f:
            samples.append((time.perf_counter() - T0, int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") >> 20))
        time.sleep(0.25)


def _timed(owner: Any, name: str, label: str) -> None:
    inner: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(inner)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            end = time.perf_counter()
            spent[label] = spent.get(label, 0.0) + end - start
            steps.append((start - T0, end - T0, label))

    setattr(owner, name, wrapper)


class _TimedDb:
    """The Oxigraph store with ``bulk_load`` timed (it runs in the writer thread)."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def bulk_load(self, **kwargs: Any) -> None:
        start = time.perf_counter()
        self._db.bulk_load(**kwargs)
        spent["oxigraph bulk_load (writer thread)"] = spent.get("oxigraph bulk_load (writer thread)", 0.0) + \
            time.perf_counter() - start

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def main(store_path: str, csv_path: str) -> None:
    import kg.chart_index as chart_index
    import kg.ingest.csv_import as csv_import
    import kg.ingest.load as load
    import kg.store as store_module

    threading.Thread(target=_sample, daemon=True).start()
    _timed(load, "import_csv", "import_csv (read, check, report's forest)")
    _timed(chart_index.ChartIndex, "add", "chart index rows (slices)")
    _timed(chart_index.ChartIndex, "_build_indexes", "chart index: build node/edge indexes")
    _timed(chart_index.ChartIndex, "place", "placed table (forest + insert)")
    _timed(store_module.Transaction, "commit", "catalog commit")
    triples = csv_import._triples

    def timed_triples(*args: Any, **kwargs: Any) -> Any:
        chunks = triples(*args, **kwargs)
        while True:
            start = time.perf_counter()
            chunk = next(chunks, None)
            spent["N-Triples text (_triples)"] = spent.get("N-Triples text (_triples)", 0.0) + \
                time.perf_counter() - start
            if chunk is None:
                return
            yield chunk

    csv_import._triples = timed_triples
    start = time.perf_counter()
    store = store_module.open_store(store_path, write=True)
    spent["open store"] = time.perf_counter() - start
    real = store.db
    store._db = _TimedDb(real)
    try:
        load.load_files(store, [Path(csv_path)])
    finally:
        store._db = real
    start = time.perf_counter()
    store.close()
    spent["close (flush)"] = time.perf_counter() - start
    total = time.perf_counter() - T0
    for label, seconds in sorted(spent.items(), key=lambda x: -x[1]):
        peak = max((r for t, r in samples for a, b, s in steps if s == label and a <= t <= b), default=None)
        print(f"{seconds:8.1f} s  {label}" + (f"  (peak RSS in it {peak} MB)" if peak else ""))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    top = max(samples, key=lambda x: x[1])
    print(f"{total:8.1f} s  total wall; {usage.ru_utime:.0f} s user + {usage.ru_stime:.0f} s system; peak RSS "
          f"{usage.ru_maxrss >> 10} MB (sampled peak {top[1]} MB at {top[0]:.0f} s); load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
