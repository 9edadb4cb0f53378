"""Whole-process timings of the lookups on two versions of kg, in the same run (alternating, so both see the
same machine load): `python benchmarks/before_after.py BEFORE_SRC BEFORE_STORE AFTER_SRC AFTER_STORE META`.

Each SRC is a folder holding a `kg` package (e.g. `git archive COMMIT kg ontology | tar -x -C SRC`), each STORE
a store that version loaded the same generated organization into (`scripts/generate_org.py`); META is the
generator's `.meta.json` (which ids are the deepest person and the CEO). Prints a Markdown table of medians.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time


def _run(src: str, store: str, args: list[str]) -> float:
    env = dict(os.environ, PYTHONPATH=src)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "--store", store, *args],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{src}: kg {' '.join(args)} failed: {done.stderr.strip()}")
    return took


def main() -> None:
    before_src, before_store, after_src, after_store, meta_path = sys.argv[1:6]
    repeat = int(os.environ.get("REPEAT", "5"))
    with open(meta_path) as f:
        ids = json.load(f)["ids"]
    commands = [["chain", ids["deepest"]], ["who", ids["deepest"]],
                ["reports", ids["ceo"], "--all", "--format", "csv"], ["span", "--top", "10"], ["stats"]]
    print(f"load average at start: {os.getloadavg()}", file=sys.stderr)
    print("| command | before median (min-max) | after median (min-max) |")
    print("|---|---|---|")
    for args in commands:
        _run(before_src, before_store, args)  # warm-up (page cache)
        _run(after_src, after_store, args)
        before, after = [], []
        for _ in range(repeat):
            before.append(_run(before_src, before_store, args))
            after.append(_run(after_src, after_store, args))
        cells = [f"{statistics.median(t):.2f} s ({min(t):.2f}-{max(t):.2f})" for t in (before, after)]
        print(f"| kg {' '.join(args)} | {cells[0]} | {cells[1]} |", flush=True)
    print(f"load average at end: {os.getloadavg()}", file=sys.stderr)


if __name__ == "__main__":
    main()
