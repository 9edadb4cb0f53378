"""The load report: what a load found (structure comes from :class:`kg.forest.Forest`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from kg.forest import cycle_text
from kg.render import terminal_safe


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

    def text(self) -> str:
        """The load summary as ``kg load`` prints it: safe for a terminal, long lists cut to five items."""
        return "\n".join(terminal_safe(line) for line in summary_text(self.to_dict(limit=5)).splitlines())


def _statuses_text(d: dict[str, Any]) -> list[str]:
    """The load summary's lines on statuses, FTE groups, top markers and defective cells."""
    lines = []
    if d.get("statuses"):
        lines.append("  posts by status: " + ", ".join(f"{k.replace('_', ' ')} {v:,}"
                                                      for k, v in d["statuses"].items()))
    sizes = ([f"groups of posts {d['groups']:,}"] if d.get("groups") else []) + (
        [f"FTE {d['fte']:,.2f}"] if d.get("fte") is not None else [])
    if sizes:
        lines.append("  " + "  ".join(sizes))
    if d.get("top_markers"):
        lines.append("  top of the chart marked by: " + ", ".join(
            f"'{k}' ({v:,} row{'s' if v != 1 else ''})" if k else f"a blank manager ({v:,} row{'s' if v != 1 else ''})"
            for k, v in d["top_markers"].items()))
    if d.get("photos") or d.get("photos_not_embedded"):
        lines.append(f"  photos embedded {d.get('photos', 0):,}" + (
            f"  photos not embedded (web addresses are not fetched) {d['photos_not_embedded']:,}"
            if d.get("photos_not_embedded") else ""))
    if d.get("defects_count"):
        shown = "; ".join(f"row {x['row']} {x['column']} '{x['value']}': {x['problem']}" for x in d["defects"][:5])
        lines.append(f"  defective cells {d['defects_count']} (not stored): {shown}")
    return lines


def summary_text(d: dict[str, Any]) -> str:
    """The load summary of :meth:`LoadReport.to_dict` as lines of text (not yet made safe for a terminal)."""
    lines = [f"{d['source']}: {d['rows']:,} rows read ({d['format']}"
             + (f", {d['encoding']}" if d.get("encoding") else "") + ")",
             f"  posts {d['posts']:,}" + (f"  groups {d['groups']:,}" if d.get("groups") else "")
             + f"  named people {d['named_people']:,}  reporting edges {d['edges']:,}  "
             f"dotted lines {d['dotted']:,}  triples {d['triples']:,}",
             f"  roots {d['roots_count']}" + (f": {', '.join(d['roots'])}" if d["roots"] else "")
             + (" ..." if d["roots_count"] > 5 else "")]
    lines += _statuses_text(d)
    if d["dangling_count"]:
        shown = ", ".join(f"{x.get('id')} -> {x.get('manager')}" + (f" (row {x['row']})" if "row" in x else "")
                          for x in d["dangling"])
        lines.append(f"  dangling manager references {d['dangling_count']}: {shown}")
    else:
        lines.append("  dangling manager references 0")
    repeated = Counter(d["duplicate_ids"])
    lines.append(f"  duplicate ids {d['duplicate_ids_count']}"
                 + (": " + ", ".join(f"{i} (x{n + 1})" for i, n in repeated.items()) if repeated else ""))
    lines.append(f"  cycles {d['cycles_count']}"
                 + (": " + "; ".join(cycle_text(c) for c in d["cycles"]) if d["cycles_count"] else ""))
    if d.get("bad_managers_count"):
        shown = terminal_safe(", ".join(f"{x['id']} -> {x['manager']!r}" for x in d["bad_managers"]))
        lines.append(f"  managers given as text, not a post (kept off the chart) {d['bad_managers_count']}: "
                     f"{shown}")
    if d.get("manager_by_name"):
        lines.append("  the manager column holds names; matched them to the name column")
    for warning in d.get("warnings", []):
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)
