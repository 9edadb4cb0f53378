"""The load report, and structural checks shared by the importers (cycles, roots)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class LoadReport:
    """What a load found: counts and problems. Problems are reported, never silently dropped."""

    source: str
    path: str = ""
    format: str = ""
    encoding: str = ""
    rows: int = 0
    people: int = 0
    posts: int = 0
    units: int = 0
    edges: int = 0
    dotted: int = 0
    triples: int = 0
    roots: list[str] = field(default_factory=list)
    dangling: list[dict[str, Any]] = field(default_factory=list)
    duplicate_ids: list[str] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # posts by status (kg.names.STATUSES)
    groups: int = 0  # rows that are groups of posts (UK junior files), not one post each
    fte: float | None = None  # sum of the FTE column (None: the file has no FTE values)
    top_markers: dict[str, int] = field(default_factory=dict)  # manager cell meaning "no manager" -> rows
    defects: list[dict[str, Any]] = field(default_factory=list)  # cells that are not what their column holds
    unmatched_titles: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    manager_by_name: bool = False
    warnings: list[str] = field(default_factory=list)
    series: str = ""
    as_of: str = ""

    def to_dict(self, limit: int | None = 20) -> dict[str, Any]:
        """The report as JSON-ready data (long lists cut to ``limit`` items, with their full counts)."""
        data = asdict(self)
        for key in ("roots", "dangling", "duplicate_ids", "cycles", "defects"):
            data[f"{key}_count"] = len(data[key])
            if limit is not None:
                data[key] = data[key][:limit]
        data["unmatched_titles_count"] = len(self.unmatched_titles)
        if limit is not None:
            data["unmatched_titles"] = dict(list(self.unmatched_titles.items())[:limit])
        return data


def find_cycles(parent: Mapping[str, str]) -> list[list[str]]:
    """Cycles of a child -> parent map (each node has at most one parent), each listed once, in O(n).

    >>> find_cycles({"a": "b", "b": "c", "c": "a", "d": "a", "e": "e"})
    [['a', 'b', 'c'], ['e']]
    >>> find_cycles({"a": "b"})
    []
    """
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    cycles: list[list[str]] = []
    for start in parent:
        if start in state:
            continue
        walk: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            walk.append(node)
            node = parent.get(node)
        if node is not None and state.get(node) == 1:
            cycles.append(walk[walk.index(node):])
        for n in walk:
            state[n] = 2
    return cycles
