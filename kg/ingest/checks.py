"""The load report: what a load found (structure comes from :class:`kg.forest.Forest`)."""

from __future__ import annotations

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
    posts: int = 0  # the README's counts: posts, junior FTE groups, posts whose holder is named
    groups: int = 0  # rows that are groups of posts (UK junior files), not one post each
    named_people: int = 0
    units: int = 0
    edges: int = 0
    dotted: int = 0
    triples: int = 0
    roots: list[str] = field(default_factory=list)
    dangling: list[dict[str, Any]] = field(default_factory=list)
    duplicate_ids: list[str] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # posts by status (kg.names.STATUSES)
    photos: int = 0  # photos embedded as data URIs
    photos_not_embedded: int = 0  # photo cells holding web addresses (never fetched)
    fte: float | None = None  # sum of the FTE column (None: the file has no FTE values)
    top_markers: dict[str, int] = field(default_factory=dict)  # manager cell meaning "no manager" -> rows
    defects: list[dict[str, Any]] = field(default_factory=list)  # cells that are not what their column holds
    # (report, value) where a manager is given as a literal, not an IRI: a data defect, kept off the chart.
    bad_managers: list[dict[str, Any]] = field(default_factory=list)
    unmatched_titles: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    manager_by_name: bool = False
    warnings: list[str] = field(default_factory=list)
    series: str = ""
    as_of: str = ""

    def to_dict(self, limit: int | None = 20) -> dict[str, Any]:
        """The report as JSON-ready data (long lists cut to ``limit`` items, with their full counts)."""
        data = asdict(self)
        for key in ("roots", "dangling", "duplicate_ids", "cycles", "defects", "bad_managers"):
            data[f"{key}_count"] = len(data[key])
            if limit is not None:
                data[key] = data[key][:limit]
        data["unmatched_titles_count"] = len(self.unmatched_titles)
        if limit is not None:
            data["unmatched_titles"] = dict(list(self.unmatched_titles.items())[:limit])
        return data
