#!/usr/bin/env python3
"""External SPARQL store benchmark: `kg push` throughput and lookup latency, embedded store vs Virtuoso.

    python benchmarks/remote.py                      # a generated 10,000-person organization
    python benchmarks/remote.py --sizes 1000 100000 --repeat 7

For each size: generate an organization (scripts/generate_org.py), load it into an embedded store, start a
throwaway Virtuoso on loopback ports (tests/virtuoso.py; needs `virtuoso-t`), push with SPARQL Update and
with the Graph Store Protocol, then time every lookup of kg.org in-process on both stores (median of
``--repeat`` runs after one warm-up). Merges into benchmarks/remote_results.json (by size) and prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE.parent / "scripts")]

import generate_org  # noqa: E402
import virtuoso  # noqa: E402

from kg import org  # noqa: E402
from kg.ingest.load import load_files  # noqa: E402
from kg.remote import open_remote, push  # noqa: E402
from kg.store import opened  # noqa: E402


def _median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _lookups(ids: dict[str, str]) -> dict[str, Callable[[Any], Any]]:
    ceo, deep, mid = ids["ceo"], ids["deepest"], ids["mid_manager"]
    return {
        f"who {deep}": lambda s: org.who(s, deep),
        f"chain {deep}": lambda s: org.chain(s, deep),
        f"reports --all {mid}": lambda s: org.reports(s, mid, all_levels=True),
        f"reports {ceo}": lambda s: org.reports(s, ceo),
        f"peers {deep}": lambda s: org.peers(s, deep),
        f"common-manager {deep} {mid}": lambda s: org.common_manager(s, deep, mid),
        "span --top 20": lambda s: org.span(s, 20),
        "search product": lambda s: org.search(s, "product"),
        "stats": lambda s: org.stats(s),
    }


def bench(size: int, repeat: int, batch: int | None, work: Path) -> dict[str, Any]:
    meta = generate_org.generate(size, 1, work / "org", ntriples=False)
    files = [work / meta["files"]["csv"], work / meta["files"]["portfolios_nt"]]  # type: ignore[index]
    store_path = work / "store"
    with opened(store_path, write=True) as store:
        load_files(store, files)
    out: dict[str, Any] = {"size": size, "posts": meta["posts"], "lookups": {}}
    with virtuoso.running(work / "virtuoso") as server, opened(store_path) as local:
        os.environ["KG_ENDPOINT_USER"] = virtuoso.USER
        os.environ["KG_ENDPOINT_PASSWORD"] = virtuoso.PASSWORD
        triples = sum(local.triple_count(g.value) for g in local.graphs())
        for method, kwargs in (("update", {"update_endpoint": server.update}),
                               ("graph-store", {"graph_store": server.graph_store})):
            remote = open_remote(server.sparql, **kwargs)
            started = time.perf_counter()
            push(local, remote, batch=batch if method == "update" else None, force=True)
            seconds = time.perf_counter() - started
            out[f"push_{method}_s"] = round(seconds, 2)
            out[f"push_{method}_triples_per_s"] = round(triples / seconds)
        out["triples"] = triples
        remote = open_remote(server.sparql)
        for name, fn in _lookups(meta["ids"]).items():  # type: ignore[arg-type]
            embedded = _median_ms(lambda fn=fn: fn(local), repeat)
            over_http = _median_ms(lambda fn=fn: fn(remote), repeat)
            out["lookups"][name] = {"embedded_ms": round(embedded, 1), "virtuoso_ms": round(over_http, 1)}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, help="triples per SPARQL Update request (default: kg's)")
    args = parser.parse_args()
    if not virtuoso.available():
        print("virtuoso-t not found: apt-get install virtuoso-opensource", file=sys.stderr)
        return 1
    out = HERE / "remote_results.json"
    earlier = json.loads(out.read_text()) if out.exists() else []
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"benchmarking {size:,} people ...", file=sys.stderr)
            results.append(bench(size, args.repeat, args.batch, Path(tmp)))
    merged = {r["size"]: r for r in earlier} | {r["size"]: r for r in results}  # by size: runs add up
    out.write_text(json.dumps([merged[k] for k in sorted(merged)], indent=2) + "\n")
    for r in results:
        print(f"\n### {r['posts']:,} posts, {r['triples']:,} triples\n")
        print(f"kg push: SPARQL Update {r['push_update_s']} s "
              f"({r['push_update_triples_per_s']:,} triples/s), "
              f"Graph Store Protocol {r['push_graph-store_s']} s "
              f"({r['push_graph-store_triples_per_s']:,} triples/s)\n")
        print("| lookup | embedded (ms) | Virtuoso over HTTP (ms) | ratio |\n|---|---:|---:|---:|")
        for name, t in r["lookups"].items():
            ratio = t["virtuoso_ms"] / t["embedded_ms"] if t["embedded_ms"] else float("nan")
            print(f"| `{name}` | {t['embedded_ms']} | {t['virtuoso_ms']} | {ratio:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
