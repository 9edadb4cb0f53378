"""What a store shows: its catalog of sources and every quad of its visible graphs (before/after checks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kg import org
from kg.store import opened


def snapshot(path: Path) -> tuple[list[dict], list[str], list[dict]]:
    """The sources (as `kg sources --format json` prints them), the sorted quads of the visible dataset and the
    span of control of every manager (read from the chart index when the store has one)."""
    env = dict(os.environ, KG_STORE=str(path))
    out = subprocess.run([sys.executable, "-m", "kg.cli", "sources", "--format", "json"], env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    with opened(path) as store:
        graphs = store.graphs()
        quads = sorted(str(q) for g in graphs for q in store.db.quads_for_pattern(None, None, None, g))
        spans = org.span(store, None) if store.sources() else []
    return json.loads(out.stdout), quads, spans


def leftover_graphs(path: Path) -> list[str]:
    """Named graphs in the database that no catalog entry names (a killed load's staging graphs)."""
    from kg.vocab import CATALOG_GRAPH

    with opened(path) as store:
        keep = {g.value for g in store.graphs()} | {CATALOG_GRAPH}
        return sorted(g.value for g in store.db.named_graphs() if g.value not in keep)


def org_csv(path: Path, rows: int, *, bad_row: int | None = None, prefix: str = "E") -> Path:
    """A tree of ``rows`` people (five reports each); ``bad_row`` (1-based) gets an empty id."""
    lines = ["id,name,title,manager"]
    for i in range(1, rows + 1):
        ident = "" if i == bad_row else f"{prefix}{i}"
        manager = f"{prefix}{(i - 2) // 5 + 1}" if i > 1 else ""
        lines.append(f"{ident},Person {prefix}{i},Engineer,{manager}")
    path.write_text("\n".join(lines) + "\n")
    return path
