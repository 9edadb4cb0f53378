"""Time of kg.layout.layout on synthetic organizations (in process; text measuring, tree, grids, connectors).

    python benchmarks/layout_bench.py 1000 10000 100000 [--pdf 300]

Each organization: a CEO, random managers (each post reports to one of the third of posts before it, so the
tree is deep and bushy), one 1,500-report team, names and titles of realistic length. Median of 3 runs after a
warm-up; prints one Markdown table row per size with the load average.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.layout import Card, layout, overlaps  # noqa: E402

TITLES = ["Software Engineer", "Head of Product Strategy and Planning", "PA to the Director", "Data Analyst",
          "Senior Operations Manager, Northern Region", "Deputy Director"]


def organization(n: int, seed: int = 1) -> list[Card]:
    rng = random.Random(seed)
    cards = [Card("p0", None, "Alex Example", "Chief Executive Officer")]
    for i in range(1, n):
        boss = "p1" if i <= min(1500, n // 4) else f"p{rng.randrange(max(1, i // 3), i)}"
        cards.append(Card(f"p{i}", boss if i > 1 else "p0", f"Person {i} Surname{i % 97}", rng.choice(TITLES)))
    return cards


def pdf(n: int) -> None:
    """Time of the paged PDF (planning the pages and writing them) of an n-post organization, in process."""
    from kg.export import Chart, render_pdf

    cards = organization(n)
    chart = Chart([{"key": c.key, "parent": c.parent, "name": c.name, "title": c.title, "id": c.key}
                   for c in cards])
    render_pdf(chart)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        data, pages = render_pdf(chart)
        times.append(time.perf_counter() - start)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"| PDF of {n:,} posts (A4 landscape, {pages} pages, {len(data) / 1e3:.0f} kB) | "
          f"{statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f}) | {load} |")


def main(sizes: list[int]) -> None:
    print("| posts | layout median (min-max) | drawing (px) | overlaps | load average |")
    print("|---|---|---|---|---|")
    for n in sizes:
        cards = organization(n)
        layout(cards)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            out = layout(cards)
            times.append(time.perf_counter() - start)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"| {n:,} | {statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f}) | "
              f"{out.width:,.0f} x {out.height:,.0f} | {len(overlaps(out))} | {load} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--pdf" in args:
        at = args.index("--pdf")
        pdf(int(args[at + 1]))
        del args[at:at + 2]
    if args or "--pdf" not in sys.argv:
        main([int(a) for a in args] or [1000, 10000, 100000])
