"""Write benchmarks/RESULTS.md (tables by size) and the plot, from the results that run.py collected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

COLOURS = {"load-csv": "C0", "load-nt": "C1", "chain": "C2", "reports-all": "C3", "betweenness": "C4"}
PLOTTED = [  # (key, side, label): a baseline is dashed, in the colour of what it compares with
    ("load-csv", "kg", "kg load CSV"),
    ("load-nt", "kg", "kg load N-Triples"),
    ("load-nt", "baseline", "rdflib parse N-Triples"),
    ("chain", "kg", "kg chain"),
    ("chain", "baseline", "rdflib chain (parse + SPARQL)"),
    ("reports-all", "kg", "kg reports --all (CEO)"),
    ("betweenness", "kg", "kg betweenness"),
    ("betweenness", "baseline", "networkx exact betweenness"),
]


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1:
        return f"{value * 1000:.0f} ms" if value >= 0.01 else f"{value * 1000:.1f} ms"
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def _cell(m: dict[str, Any] | None, unit: str = "") -> str:
    if not m:
        return "-"
    if unit:  # not a time: the value itself (e.g. the store's KB per person)
        return f"{m['median']:,.2f} {unit}"
    if m.get("estimated"):
        return f"~{_seconds(m['median'])} (est. from {m.get('from_size', 0):,})"
    if m.get("runs", 1) > 1:
        return f"{_seconds(m['median'])} ({_seconds(m['min'])}–{_seconds(m['max'])})"
    return _seconds(m["median"])


def _cpu(m: dict[str, Any] | None) -> str:
    return _seconds(m["cpu"]) if m and m.get("cpu") is not None and not m.get("estimated") else "-"


def _rss(m: dict[str, Any] | None) -> str:
    if not m or not m.get("rss_mb"):
        return "-"
    prefix = "~" if m.get("estimated") else ""
    return f"{prefix}{m['rss_mb']:,.0f} MB"


def _target(row: dict[str, Any]) -> str:
    if not row.get("target"):
        return ""
    value, rss = row["target"]
    unit = row.get("unit")
    text = (f"≤ {value:g} {unit}" if unit else f"≤ {_seconds(value)}") + (f", ≤ {rss:,.0f} MB" if rss else "")
    return f"{text}: {'met' if row['target_met'] else '**missed**'}"


def _today(row: dict[str, Any]) -> str:
    """Issue 15's "today" number of this row (before the work on it), when the issue has one."""
    return row.get("today") or "-"


def _load(m: dict[str, Any] | None) -> str:
    """The 1-minute load average when the measurement finished (other processes on the same cores)."""
    return (m or {}).get("load_average", "-").split(" ")[0]


def size_section(size: int, data: dict[str, Any]) -> list[str]:
    meta, mach = data["meta"], data["machine"]
    dates = sorted({r.get("date") or data["date"] for r in data["rows"]})
    earlier = ""
    if len(dates) > 1:
        earlier = (" Some rows come from earlier runs of this size (" + ", ".join(dates[:-1]) + "): the "
                   "*measured* column gives each row's run.")
    out = [
        f"### {size:,} people",
        "",
        f"Run {data['date']} on {mach['cpu'] or 'unknown CPU'}, {mach['cores']} cores, "
        f"{mach['memory_gb']} GB, Python {mach['python']}; load average {data['load_average']} (other "
        "agents' processes were running on the same cores). "
        f"Repetitions: {data['repeat']} after {data['warmup']} warm-up (slow measurements from 100,000 "
        "people: once, no warm-up" + (f"; any measurement stops repeating once its timed runs took "
                                      f"{data['budget']:g} s" if data.get("budget") else "") + ")." + earlier,
        "",
        f"Organization: {meta['posts']:,} posts, {meta['people']:,} people, {meta['vacant']:,} vacant, "
        f"depth {meta['max_depth']}, {meta['units']:,} units, {meta['portfolios']} portfolios, "
        f"{meta['products']:,} products, {meta['dotted_lines']:,} dotted lines; {meta['triples']:,} triples; "
        f"CSV {meta['csv_mb']:.1f} MB, "
        + (f"N-Triples {meta['nt_mb']:.1f} MB" if meta.get("nt_mb") else "no N-Triples file") + ", store "
        f"{meta.get('store_mb', 0):.0f} MB; "
        f"generated in {_seconds(meta['generate_seconds'])}.",
        "",
        "| measurement | kg median (min–max) | kg CPU | kg peak RSS | load avg | baseline | baseline median "
        "| baseline CPU | baseline RSS | kg faster by | target | issue 15 today |" + (" measured |" if earlier else ""),
        "|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if earlier else ""),
    ]
    for row in data["rows"]:
        ratio = f"×{row['ratio']:.1f}" if row.get("ratio") else "-"
        label = row["label"] + (f" ({row['note']})" if row.get("note") else "")
        out.append(f"| {label} | {_cell(row['kg'], row.get('unit', ''))} | {_cpu(row['kg'])} | {_rss(row['kg'])} "
                   f"| {_load(row['kg'])} | {row.get('baseline_label') or '-'} | {_cell(row['baseline'])} "
                   f"| {_cpu(row['baseline'])} | {_rss(row['baseline'])} | {ratio} | {_target(row)} "
                   f"| {_today(row)} |" + (f" {(row.get('date') or data['date'])[11:]} |" if earlier else ""))
    out.append("")
    return out


def plot(results: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    sizes = sorted(int(s) for s in results["sizes"])
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(13, 5))
    for key, side, label in PLOTTED:
        xs, ys, est = [], [], []
        for s in sizes:
            row = next((r for r in results["sizes"][str(s)]["rows"] if r["key"] == key), None)
            m = row and row.get(side)
            if m:
                xs.append(s)
                ys.append(m["median"])
                est.append(bool(m.get("estimated")))
        if xs:
            style = "--" if side == "baseline" else "-"
            ax_t.plot(xs, ys, style, marker="o", label=label, color=COLOURS[key])
            for x, y, e in zip(xs, ys, est, strict=True):
                if e:
                    ax_t.plot([x], [y], marker="o", mfc="white", color="grey")
    for key, side, label in (("load-csv", "kg", "kg load CSV"), ("load-nt", "baseline", "rdflib parse")):
        pts = []
        for s in sizes:
            row = next((r for r in results["sizes"][str(s)]["rows"] if r["key"] == key), None)
            m = row and row.get(side)
            if m and m.get("rss_mb") and not m.get("estimated"):
                pts.append((s, m["rss_mb"]))
        if pts:
            ax_m.plot(*zip(*pts, strict=True), marker="o", label=label)
    ax_t.set(xscale="log", yscale="log", xlabel="people", ylabel="seconds (median, whole process or call)",
             title="Time against size (hollow grey: estimated)")
    ax_m.set(xscale="log", yscale="log", xlabel="people", ylabel="peak RSS (MB)", title="Memory against size")
    for ax in (ax_t, ax_m):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_markdown(results: dict[str, Any], path: Path, plot_path: Path | None) -> None:
    sizes = sorted(int(s) for s in results["sizes"])
    lines = [
        "# Benchmark results",
        "",
        "Produced by `python benchmarks/run.py` (see `docs/scaling.md` for what the numbers mean and how to "
        "go further). Each measurement is a median after warm-up; whole-process measurements include Python "
        "start-up and imports. The baseline is what a user would otherwise do, measured in the same run: "
        "rdflib parsing the N-Triples file in memory then running the same SPARQL, and plain networkx. "
        "\"kg faster by\" is baseline median / kg median. Estimated baselines (too slow or too large to run "
        "here) are scaled linearly from the largest size measured and marked est.",
        "",
    ]
    targets = [(size, row) for size in sizes for row in results["sizes"][str(size)]["rows"] if row.get("target")]
    if targets:
        lines += ["## Targets", "", "| people | measurement | kg median | kg peak RSS | load avg | target "
                  "| issue 15 today |", "|---|---|---|---|---|---|---|"]
        lines += [f"| {size:,} | {row['label']} | {_cell(row['kg'], row.get('unit', ''))} | {_rss(row['kg'])} "
                  f"| {_load(row['kg'])} | {_target(row)} | {_today(row)} |" for size, row in targets]
        lines.append("")
    if plot_path is not None and plot(results, plot_path):
        lines += [f"![time and memory against size]({plot_path.name})", ""]
    for size in sizes:
        lines += size_section(size, results["sizes"][str(size)])
    marker = "<!-- sections below are written by other scripts; benchmarks/report.py keeps them -->"
    if path.exists() and marker in (old := path.read_text(encoding="utf-8")):
        lines += ["", marker + old.split(marker, 1)[1].rstrip("\n")]
    path.write_text("\n".join(lines))
