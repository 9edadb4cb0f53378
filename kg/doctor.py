"""`kg doctor`: check a store and repair what can be repaired without the original files.

Repairs: a ``kg.lock`` that became a folder (an empty one is removed), temporary files left by an interrupted
write, half-finished loads (graphs no catalog entry names: collected by opening the store for writing), and the
chart index (``chart.sqlite``): a damaged or missing index, or one of an older schema, is removed and rebuilt
from the store's triples, which are the source of truth. A damaged Oxigraph database cannot be repaired here:
the error says so.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kg.chart_index import SCHEMA_VERSION, schema_version
from kg.errors import NoStoreError, StoreError
from kg.store import default_store_path, opened, store_exists

CHART_FILES = ("chart.sqlite", "chart.sqlite-journal", "chart.sqlite-wal", "chart.sqlite-shm")


@dataclass
class Check:
    """One line of the doctor's report: what was checked, ``ok`` / ``repaired``, and what was found."""

    what: str
    status: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"check": self.what, "status": self.status, "detail": self.detail}


def chart_ok(path: Path) -> bool:
    """True when SQLite reads the index at ``path`` and finds it intact (``PRAGMA integrity_check``)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            db.close()
    except sqlite3.Error:
        return False


def _schema(path: Path) -> str | None:
    try:
        return schema_version(path)
    except sqlite3.Error:
        return None


def doctor(path: str | Path | None = None) -> list[Check]:
    """Check the store at ``path`` and repair it; raise StoreError for what cannot be repaired."""
    root = default_store_path(path)
    if not store_exists(root):
        raise NoStoreError(f"no kg store at {root}: nothing to check")
    checks: list[Check] = []
    lock = root / "kg.lock"
    if lock.is_dir():
        try:
            lock.rmdir()
        except OSError as exc:
            raise StoreError(f"{lock} is a folder with files in it: move it out of the store by hand") from exc
        checks.append(Check("lock file", "repaired", f"{lock} was a folder: removed (kg recreates the file)"))
    else:
        checks.append(Check("lock file", "ok", str(lock)))
    leftovers = [p for p in root.glob(".*.tmp") if p.is_file()]
    for leftover in leftovers:
        leftover.unlink()
    checks.append(Check("leftover files", "repaired" if leftovers else "ok",
                        f"removed {len(leftovers)} temporary file(s)" if leftovers else "none"))
    chart = root / "chart.sqlite"
    damaged = chart.exists() and not chart_ok(chart)
    if damaged:
        for name in CHART_FILES:
            (root / name).unlink(missing_ok=True)
    missing = not chart.exists()
    shape = None if damaged or missing else _schema(chart)
    with opened(root) as store:  # a damaged database fails here, with its one-line StoreError
        graphs_before = sum(1 for _ in store.db.named_graphs())
    with opened(root, write=True) as store:  # a writer collects half-finished loads and refills the index
        graphs_after = sum(1 for _ in store.db.named_graphs())
        sources = store.sources()
        index = store.chart
    checks.append(Check("database", "ok", f"{root / 'oxigraph'} opens; {len(sources)} source(s)"))
    collected = graphs_before - graphs_after
    checks.append(Check("half-finished loads", "repaired" if collected > 0 else "ok",
                        f"collected {collected} graph(s) no source names" if collected > 0 else "none"))
    if index is not None and index.rebuilt and not (damaged or missing):
        checks.append(Check("chart index", "repaired",
                            f"{chart} had schema {shape or 'of an older version'}; this kg reads schema "
                            f"{SCHEMA_VERSION}: rebuilt from the store"))
    elif damaged or missing:
        what = "was damaged" if damaged else "was missing"
        detail = f"{chart} {what}: rebuilt from the store" if index is not None else f"{chart} {what}: removed"
        checks.append(Check("chart index", "repaired", detail))
    else:
        checks.append(Check("chart index", "ok", f"{chart} is intact"))
    return checks
