#!/usr/bin/env python3
"""Run kg's benchmarks against the obvious baseline (rdflib in memory, plain networkx), in the same run.

    python benchmarks/run.py                          # 1k, 10k, 100k people
    python benchmarks/run.py --sizes 1000 --repeat 5  # one size, more repetitions
    python benchmarks/run.py --million                # adds 1M people (minutes, several GB of memory)
    python benchmarks/run.py --sizes 100000,1000000   # issue 15's table: about 25 minutes on a quiet machine

Every measurement runs ``--warmup`` untimed times then up to ``--repeat`` timed times and reports the median,
the spread (min-max), the peak RSS of the measured process and the load average when it finished; a slow one
stops repeating once ``--budget`` seconds are spent (and skips its warm-up from 100,000 people when the first
run alone took half the budget). Whole-process measurements (``kg load``, ``kg who`` ...) run the ``kg``
command as a user would: with Python's byte-code cache (kept in the work folder), as an installed kg runs.
Each row of issue 15's table carries the issue's target and its "today" number (:data:`TODAY`). Results are
merged into ``benchmarks/results.json`` (by size, so a later ``--million`` run adds to earlier ones) and
written to ``benchmarks/RESULTS.md`` with a plot.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASELINE = HERE / "baseline_rdflib.py"
INPROC = HERE / "inproc.py"
HEAVY = 100_000  # from this size, slow measurements (loads, rdflib baselines) run once, without warm-up
RDFLIB_LIMIT = 100_000  # above this size rdflib's parse is extrapolated, not run (235 s and 12 GB at 1M)

# Targets from the issues (seconds, or the row's unit; peak RSS in MB), by size and measurement key; size 0:
# every size. Issue 15's (a quiet 2-core machine) replace the earlier ones of the same rows.
TARGETS: dict[tuple[int, str], tuple[float, float | None]] = {
    (100_000, "load-csv"): (20.0, 1024.0),
    (100_000, "reports-all"): (1.0, None),
    (100_000, "centrality-cli"): (5.0, None),
    (100_000, "serve-chain"): (0.05, None),
    (1_000_000, "betweenness"): (10.0, None),
    # issue 15
    (0, "help"): (0.05, None),
    (100_000, "who"): (0.08, None),
    (100_000, "chain"): (0.08, None),
    (1_000_000, "who"): (0.08, None),
    (1_000_000, "chain"): (0.08, None),
    (1_000_000, "reports-all-csv"): (3.0, None),
    (1_000_000, "span"): (1.0, None),
    (1_000_000, "stats"): (1.0, None),
    (1_000_000, "centrality-cli"): (3.0, None),
    (1_000_000, "health"): (3.0, None),
    (1_000_000, "layers"): (2.0, None),
    (1_000_000, "projection-attributes"): (5.0, None),
    (1_000_000, "load-csv"): (60.0, 2048.0),
    (1_000_000, "store-disk"): (2.0, None),  # KB per person
}
# Issue 15's "today" column (whole process, quiet unless it says), by size and key; size 0: every size.
TODAY: dict[tuple[int, str], str] = {
    (0, "help"): "65-73 ms",
    (100_000, "who"): "94-104 ms",
    (100_000, "chain"): "94-104 ms",
    (1_000_000, "who"): "140 ms",
    (1_000_000, "chain"): "140 ms",
    (1_000_000, "reports-all-csv"): "12.8 s (reports CEO --all)",
    (1_000_000, "span"): "10.2 s",
    (1_000_000, "stats"): "-",
    (1_000_000, "centrality-cli"): "26 s",
    (1_000_000, "health"): "-",
    (1_000_000, "layers"): "-",
    (1_000_000, "projection-attributes"): "98 s",
    (1_000_000, "load-csv"): "127 s quiet (191 s with other work), 1.9 GB",
    (1_000_000, "store-disk"): "4.3 KB per person (4.3 GB)",
}


def _by_size(table: dict[tuple[int, str], Any], size: int, key: str) -> Any:
    return table.get((size, key), table.get((0, key)))


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- measuring processes -------------------------------------------------------------------------------------


def kg_command() -> list[str]:
    """The ``kg`` console script of this Python (as users run it)."""
    beside = Path(sys.executable).with_name("kg")
    found = str(beside) if beside.exists() else shutil.which("kg")
    if not found:
        raise SystemExit("the kg command is not installed; run pip install -e .")
    return [found]


def _peak_rss(pid: int, peak: list[float], done: threading.Event) -> None:
    """Poll the high-water mark of resident memory (VmHWM) of ``pid`` until it exits."""
    status = f"/proc/{pid}/status"
    while not done.is_set():
        try:
            with open(status) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak[0] = max(peak[0], int(line.split()[1]) / 1024)
                        break
        except (OSError, ValueError):
            return
        done.wait(0.005)


ENV: dict[str, str] = {}  # the environment of measured processes (set by main: byte-code cache)


def run_process(cmd: list[str], cwd: Path | None = None, stdout: Path | None = None) -> tuple[float, float, float]:
    """Run ``cmd`` to completion; (wall seconds, peak RSS in MB, CPU seconds) of that one process.

    CPU time (user + system) is reported beside wall time because the cores may be shared: it does not
    grow when other processes compete, and exceeds wall time when the process uses several threads.
    Peak RSS is the process's own high-water mark, polled from /proc (``ru_maxrss`` of a child also counts
    the parent's memory copied at fork), falling back to ``ru_maxrss`` where /proc is missing.
    """
    with tempfile.TemporaryFile() as err, open(stdout or os.devnull, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=ENV or None)
        peak, done = [0.0], threading.Event()
        poller = threading.Thread(target=_peak_rss, args=(proc.pid, peak, done), daemon=True)
        poller.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        done.set()
        poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {tail}")
    rss = peak[0] or usage.ru_maxrss / 1024  # ru_maxrss: KB on Linux
    return elapsed, rss, usage.ru_utime + usage.ru_stime


def summarize(times: list[float], rss: list[float], cpu: list[float], **extra: Any) -> dict[str, Any]:
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": len(times),
            "rss_mb": max(rss) if rss else None, "cpu": statistics.median(cpu) if cpu else None, **extra}


def measure(make_cmd: Callable[[int], list[str]], warmup: int, repeat: int,
            before: Callable[[int], None] | None = None, budget: float | None = None,
            stdout: Path | None = None) -> dict[str, Any]:
    """Median and spread of a whole process over ``repeat`` runs after ``warmup`` runs; with a ``budget``
    (seconds), the timed runs stop once they took that long (one at least), and a warm-up that alone took half
    of it is the only one. ``stdout``: the file the process writes its output to (else nothing keeps it)."""
    times, rss, cpu = [], [], []
    i = 0
    while i < warmup + repeat:
        if before:
            before(i)
        elapsed, peak, used = run_process(make_cmd(i), stdout=stdout)
        if i >= warmup:
            times.append(elapsed)
            rss.append(peak)
            cpu.append(used)
            if budget is not None and sum(times) >= budget:
                break
        elif budget is not None and elapsed >= budget / 2:
            i = warmup - 1  # slow: no further warm-up
        i += 1
    return summarize(times, rss, cpu, load_average=load_average())


def inproc(args: list[str]) -> dict[str, Any]:
    """Run an in-process measurement worker (benchmarks/inproc.py); its JSON answer plus its peak RSS."""
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False)
    out.close()
    try:
        _, peak, _ = run_process([sys.executable, str(INPROC), *args, "--json", out.name])
        data = json.loads(Path(out.name).read_text())
    finally:
        os.unlink(out.name)
    data["rss_mb"] = peak
    return data


# -- the benchmark groups ------------------------------------------------------------------------------------


class Bench:
    """One size: generate the organization, then run each group, collecting rows."""

    def __init__(self, size: int, work: Path, opts: argparse.Namespace) -> None:
        self.size = size
        self.work = work
        self.opts = opts
        self.heavy = size >= HEAVY
        self.warmup = opts.warmup
        self.repeat = opts.repeat
        self.rows: list[dict[str, Any]] = []
        self.kg = kg_command()
        self.store = work / "store"
        self.meta: dict[str, Any] = {}

    def row(self, group: str, key: str, label: str, kg: dict[str, Any] | None,
            baseline: dict[str, Any] | None = None, baseline_label: str = "", note: str = "",
            unit: str = "") -> None:
        ratio = baseline["median"] / kg["median"] if kg and baseline and kg["median"] else None
        target = _by_size(TARGETS, self.size, key)
        met = None
        if target and kg:
            met = kg["median"] <= target[0] and (target[1] is None or (kg.get("rss_mb") or 0) <= target[1])
        if kg is not None and "load_average" not in kg:
            kg["load_average"] = load_average()
        self.rows.append({"group": group, "key": key, "label": label, "kg": kg, "baseline": baseline,
                          "baseline_label": baseline_label, "ratio": ratio, "note": note, "unit": unit,
                          "target": list(target) if target else None, "target_met": met,
                          "today": _by_size(TODAY, self.size, key)})
        shown = (f"{kg['median']:.2f} {unit}" if unit else f"{kg['median']:.3f} s") if kg else "-"
        extra = f" | baseline {baseline['median']:.3f} s, x{ratio:.1f}" if baseline and ratio else ""
        goal = f" | target {target[0]:g}{' ' + unit if unit else ' s'}: {'met' if met else 'MISSED'}" if target else ""
        log(f"{self.size:>9,} {label}: {shown}{extra}{goal} (load average {load_average()})")

    def reps(self, heavy_ok: bool = False) -> tuple[int, int]:
        """(warmup, repeat) for a measurement; slow ones run once at large sizes."""
        if self.heavy and not heavy_ok:
            return 0, min(self.repeat, self.opts.heavy_repeat)
        return self.warmup, self.repeat

    @property
    def rdflib(self) -> bool:
        """Whether rdflib baselines run at this size (else they are scaled from a smaller size)."""
        return self.size <= RDFLIB_LIMIT or self.opts.rdflib_always

    def generate(self) -> None:
        """The organization's files, made by the generator in its own process (this one stays small); the
        N-Triples file only where rdflib or `kg load org.nt` reads it."""
        ntriples = self.rdflib or self.size <= self.opts.nt_load_limit
        elapsed, rss, _ = run_process([sys.executable, str(ROOT / "scripts" / "generate_org.py"), str(self.size),
                                       "--seed", str(self.opts.seed), "--out", str(self.work / "org")]
                                      + ([] if ntriples else ["--no-ntriples"]))
        self.meta = json.loads((self.work / "org.meta.json").read_text())
        self.meta["generate_rss_mb"] = rss
        self.csv, self.nt = self.work / "org.csv", self.work / "org.nt"
        self.portfolios = self.work / "org-portfolios.nt"
        self.meta["generate_seconds"] = elapsed
        self.meta["csv_mb"] = self.csv.stat().st_size / 1e6
        self.meta["nt_mb"] = self.nt.stat().st_size / 1e6 if self.nt.exists() else 0.0
        triples = f"{self.meta['triples']:,} triples" if "triples" in self.meta else "no N-Triples file"
        log(f"{self.size:>9,} generated in {elapsed:.1f} s: {triples}")

    def load(self) -> None:
        warmup, repeat = self.reps()
        stores = [self.work / f"load-{i}" for i in range(warmup + repeat)]

        def fresh(i: int) -> None:
            shutil.rmtree(stores[i], ignore_errors=True)
            if i > 0:
                shutil.rmtree(stores[i - 1], ignore_errors=True)

        base = None
        if self.rdflib:
            base = measure(lambda i: [sys.executable, str(BASELINE), "parse", str(self.nt)], *self.reps())
        else:
            base = self._extrapolated("load", "load-nt")
        base_label = "rdflib Graph().parse(org.nt)"
        csv = measure(lambda i: [*self.kg, "--store", str(stores[i]), "load", str(self.csv), "--summary",
                                 "json"], warmup, repeat, fresh)
        # Keep the last store for the lookups: the people plus their portfolios and products.
        shutil.move(str(stores[-1]), str(self.store))
        people = self._disk_kb_per_person()
        run_process([*self.kg, "--store", str(self.store), "load", str(self.portfolios)])
        self.row("load", "load-csv", "kg load org.csv (CSV, whole process, peak RSS)", csv, base, base_label)
        self.row("load", "store-disk", "store on disk after the CSV load (Oxigraph + chart index)", people,
                 unit="KB/person", note=f"{people['mb']:,.0f} MB for {self.meta['posts']:,} posts")
        if self.size > self.opts.nt_load_limit:
            self.row("load", "load-nt", "kg load org.nt (N-Triples, whole process)", None, base, base_label,
                     note=f"not run above {self.opts.nt_load_limit:,} people (--nt-load-limit)")
        else:
            nt = measure(lambda i: [*self.kg, "--store", str(stores[i]), "load", str(self.nt), "--summary",
                                    "json"], warmup, repeat, fresh)
            shutil.rmtree(stores[-1], ignore_errors=True)
            self.row("load", "load-nt", "kg load org.nt (N-Triples, whole process)", nt, base, base_label)
        self.meta["store_mb"] = _folder_mb(self.store)
        if "triples" not in self.meta:  # no N-Triples file: the store's count
            listed = subprocess.run([*self.kg, "--store", str(self.store), "sources", "--format", "json"],
                                    capture_output=True, text=True, check=True, env=ENV or None)
            self.meta["triples"] = sum(s["triples"] for s in json.loads(listed.stdout))

    def _disk_kb_per_person(self) -> dict[str, Any]:
        """The store's size on disk per post, as a measurement (unit KB/person)."""
        mb = _folder_mb(self.store)
        kb = mb * 1e3 / self.meta["posts"]
        return {"median": kb, "min": kb, "max": kb, "runs": 1, "rss_mb": None, "cpu": None, "mb": mb}

    def load_once(self) -> None:
        """Only fill the store (for sizes that measure the chart alone)."""
        run_process([*self.kg, "--store", str(self.store), "load", str(self.csv), str(self.portfolios)])

    def _extrapolated(self, group: str, key: str) -> dict[str, Any] | None:
        """The baseline of ``key`` at the largest smaller size measured, scaled linearly (marked est.)."""
        prior = self.opts.previous
        for size in sorted((int(s) for s in prior), reverse=True):
            if size >= self.size:
                continue
            for row in prior[str(size)]["rows"]:
                if row["key"] == key and row["baseline"] and not row["baseline"].get("estimated"):
                    scale = self.size / size
                    b = row["baseline"]
                    return {"median": b["median"] * scale, "min": b["min"] * scale, "max": b["max"] * scale,
                            "runs": 0, "rss_mb": (b.get("rss_mb") or 0) * scale, "estimated": True,
                            "from_size": size}
        return None

    def lookups(self) -> None:
        floor = measure(lambda i: [sys.executable, "-c", "pass"], self.warmup, self.repeat)
        self.row("lookups", "python", "python -c pass (start-up floor of any process)", floor)
        helped = measure(lambda i: [*self.kg, "--help"], self.warmup, self.repeat)
        self.row("lookups", "help", "kg --help (start-up and imports, no store)", helped)
        deep, ceo = self.meta["ids"]["deepest"], self.meta["ids"]["ceo"]
        top = self.meta["ids"].get("product") or ceo
        cases = [
            ("who", f"kg who {deep} (deepest person)", ["who", deep], deep),
            ("chain", f"kg chain {deep} (deepest person)", ["chain", deep], deep),
            ("reports-all", f"kg reports {ceo} --all (the CEO: everyone)", ["reports", ceo, "--all"], ceo),
            ("span", "kg span --top 10", ["span", "--top", "10"], ""),
        ]
        budget = self.opts.budget
        for key, label, args, arg in cases:
            kg = measure(lambda i, a=args: [*self.kg, "--store", str(self.store), *a, "--format", "json"],
                         self.warmup, self.repeat, budget=budget)
            if self.rdflib:
                base = measure(lambda i, k=key, x=arg: [sys.executable, str(BASELINE), k, str(self.nt), x],
                               *self.reps())
            else:
                base = self._extrapolated("lookups", key)
            self.row("lookups", key, label, kg, base, "rdflib: parse org.nt, same SPARQL (whole process)")
        alone = [  # kg only (no rdflib script does these)
            ("reports-all-csv", f"kg reports {ceo} --all --format csv > file (everyone, streamed)",
             ["reports", ceo, "--all", "--format", "csv"]),
            ("stats", "kg stats", ["stats", "--format", "json"]),
            ("health", "kg health", ["health", "--format", "json"]),
            ("layers", "kg layers", ["layers", "--format", "json"]),
            # lookups about the people with the most below them, and a chart of a part (read as parts)
            ("who-top", f"kg who {ceo} (the CEO: everyone below)", ["who", ceo, "--format", "json"]),
            ("reports-top", f"kg reports {ceo} (the CEO's direct reports)", ["reports", ceo, "--format", "json"]),
            ("search", "kg search engineer (a title word: many candidates)", ["search", "engineer", "--format",
                                                                              "json"]),
            ("path", f"kg path {deep} {ceo} (solid line)", ["path", deep, ceo, "--format", "json"]),
            ("export-part", f"kg export --root {top} --depth 2 -o part.svg (a chart of a part)",
             ["export", "--root", top, "--depth", "2", "-o", str(self.work / "part.svg")]),
            ("validate", "kg validate (graph checks; SHACL above 2 M triples only when asked)", ["validate"]),
        ]
        for key, label, args in alone:
            if not _cli_has(args[0]):
                continue
            out = self.work / f"{key}.out"
            kg = measure(lambda i, a=args: [*self.kg, "--store", str(self.store), *a], self.warmup, self.repeat,
                         budget=budget, stdout=out)
            note = f"{out.stat().st_size / 1e6:.1f} MB written" if key == "reports-all-csv" else ""
            self.row("lookups", key, label, kg, note=note)

    def queries(self) -> None:
        if not _has("kg.queries", "named_queries"):
            log("named queries not available yet: skipped")
            return
        if self.size > self.opts.queries_limit:
            log(f"{self.size:>9,} named queries: not run above {self.opts.queries_limit:,} people (--queries-limit)"
                "; the rows of an earlier run of this size are kept")
            return
        rdflib = self.rdflib
        ids = self.meta["ids"]
        timeout = self.opts.rdflib_timeout or (20 if self.heavy else 60)
        data = inproc(["queries", "--store", str(self.store), "--nt", str(self.nt), "--repeat",
                       str(self.repeat), "--warmup", str(0 if self.heavy else self.warmup), "--person",
                       ids["deepest"], "--manager", ids["product"] or ids["ceo"], "--rdflib-timeout", str(timeout),
                       "--budget", str(self.opts.budget)] + ([] if rdflib else ["--no-rdflib"])
                      + (["--kg-timeout", str(self.opts.kg_timeout)] if self.heavy else []))
        for q in data["queries"]:
            base = q.get("rdflib")
            self.row("queries", f"query-{q['name']}", f"named query {q['name']} (in process)", q["kg"], base,
                     "rdflib Graph in memory, same query", note=q.get("note", ""))

    def analytics(self) -> None:
        if not (_has("kg.projection") and _has("kg.analytics")):
            log("projection/analytics not available yet: skipped")
            return
        data = inproc(["analytics", "--store", str(self.store), "--repeat", str(self.repeat),
                       "--warmup", str(0 if self.heavy else self.warmup), "--nx-limit", str(self.opts.nx_limit),
                       "--budget", str(self.opts.budget)])
        for item in data["rows"]:
            self.row("analytics", item["key"], item["label"], item.get("kg"), item.get("baseline"),
                     item.get("baseline_label", ""), item.get("note", ""))

    def centrality_cli(self) -> None:
        if not _cli_has("centrality"):
            return
        kg = measure(lambda i: [*self.kg, "--store", str(self.store), "centrality", "--metric", "betweenness",
                                "--top", "10", "--format", "json"], self.warmup, self.repeat,
                     budget=self.opts.budget)
        self.row("analytics", "centrality-cli", "kg centrality --metric betweenness --top 10", kg)

    def viz(self) -> None:
        if not _cli_has("viz") or self.size > self.opts.viz_limit:
            return
        out = self.work / "chart.html"
        kg = measure(lambda i: [*self.kg, "--store", str(self.store), "viz", "--output", str(out)],
                     self.warmup, self.repeat)
        kg["file_mb"] = out.stat().st_size / 1e6 if out.exists() else None
        self.row("viz", "viz", "kg viz (HTML chart, whole process)", kg,
                 note=f"file {kg['file_mb']:.2f} MB" if kg["file_mb"] else "")
        if _has("selenium") and Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists():
            data = inproc(["browser", "--html", str(out), "--repeat", str(self.repeat), "--warmup",
                           str(self.warmup)])
            self.row("viz", "viz-draw", "headless Chromium: open the chart until drawn", data["kg"])

    def serve(self) -> None:
        if not _cli_has("serve"):
            return
        data = inproc(["serve", "--store", str(self.store), "--person", self.meta["ids"]["deepest"],
                       "--clients", "8", "--seconds", str(self.opts.serve_seconds)])
        self.row("serve", "serve-chain", "endpoint: chain query, 8 concurrent clients (per request)",
                 data["kg"], note=f"{data['kg'].get('throughput', 0):.0f} requests/s")


GROUP_ORDER = ["load", "lookups", "queries", "analytics", "viz", "serve"]


def _row_order(row: dict[str, Any]) -> int:
    return GROUP_ORDER.index(row["group"]) if row["group"] in GROUP_ORDER else len(GROUP_ORDER)


def _folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def _has(module: str, attr: str | None = None) -> bool:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return False
    return attr is None or hasattr(mod, attr)


def _cli_has(command: str) -> bool:
    from kg.cli import main

    return command in getattr(main, "commands", {})


# -- machine and results -------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0.0
    try:
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        pass
    versions = {}
    for name in ("pyoxigraph", "rdflib", "networkx", "click"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing package is just not listed
            pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem, 1),
            "python": platform.python_version(), "system": f"{platform.system()} {platform.release()}",
            "versions": versions}


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated sizes (people)")
    parser.add_argument("--million", action="store_true", help="also run 1,000,000 people")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--heavy-repeat", type=int, default=1,
                        help=f"timed runs of slow measurements from {HEAVY:,} people (default 1)")
    parser.add_argument("--budget", type=float, default=10.0,
                        help="seconds of timed runs after which a measurement stops repeating (default 10)")
    parser.add_argument("--queries-limit", type=int, default=100_000,
                        help="largest size where the named queries run (at 1M several take minutes each)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="load,lookups,queries,analytics,viz,serve",
                        help="groups to run (load always runs: the others need its store)")
    parser.add_argument("--nx-limit", type=int, default=10_000,
                        help="largest size where networkx exact betweenness runs (beyond: extrapolated)")
    parser.add_argument("--viz-limit", type=int, default=10_000, help="largest size for kg viz")
    parser.add_argument("--viz-sizes", default="5000",
                        help="extra sizes where only the chart is measured (default 5000)")
    parser.add_argument("--serve-seconds", type=float, default=5.0)
    parser.add_argument("--rdflib-timeout", type=int, default=0,
                        help=f"seconds before a named query on rdflib is stopped (default 60; 20 from {HEAVY:,} "
                             "people)")
    parser.add_argument("--kg-timeout", type=int, default=120,
                        help=f"from {HEAVY:,} people, named queries slower than this are stopped (default 120)")
    parser.add_argument("--nt-load-limit", type=int, default=100_000,
                        help="largest size where kg load of the N-Triples file runs (default 100000)")
    parser.add_argument("--rdflib-always", action="store_true", help="run rdflib baselines at every size")
    parser.add_argument("--work", type=Path, help="folder for generated files and stores (default: temp)")
    parser.add_argument("--results", type=Path, default=HERE / "results.json")
    parser.add_argument("--markdown", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-plot", action="store_true")
    opts = parser.parse_args(argv)
    sizes = [int(s) for s in opts.sizes.split(",") if s.strip()] + ([1_000_000] if opts.million else [])
    chart_only = {int(s) for s in opts.viz_sizes.split(",") if s.strip()} - set(sizes)
    if "viz" not in opts.only:
        chart_only = set()
    groups = {g.strip() for g in opts.only.split(",")}
    opts.previous = json.loads(opts.results.read_text())["sizes"] if opts.results.exists() else {}
    results: dict[str, Any] = {"sizes": dict(opts.previous)}
    work_root = Path(tempfile.mkdtemp(prefix="kg-bench-", dir=opts.work))
    # Measured processes use Python's byte-code cache, as an installed kg does (pip compiles it): kept in the
    # work folder, so a checkout without __pycache__ (or PYTHONDONTWRITEBYTECODE=1) does not compile kg anew in
    # every process; the warm-up runs fill it.
    ENV.update({k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
               PYTHONPYCACHEPREFIX=str(work_root / "pycache"))
    try:
        for size in sorted(set(sizes) | chart_only):
            bench = Bench(size, work_root / str(size), opts)
            bench.work.mkdir(parents=True)
            started_load = load_average()
            bench.generate()
            if size in chart_only:
                bench.load_once()
                bench.viz()
            else:
                bench.load()
                for group in ("lookups", "queries", "analytics", "viz", "serve"):
                    if group in groups:
                        getattr(bench, group)()
                        if group == "analytics":
                            bench.centrality_cli()
            now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            for row in bench.rows:
                row["date"] = now
            # Rows of groups not run this time are kept from the previous run of this size.
            fresh = {r["key"] for r in bench.rows}
            kept = [r for r in results["sizes"].get(str(size), {}).get("rows", []) if r["key"] not in fresh]
            results["sizes"][str(size)] = {
                "date": now, "machine": machine(),
                "load_average": f"{started_load} at start, {load_average()} at end",
                "repeat": opts.repeat, "warmup": opts.warmup, "budget": opts.budget, "meta": bench.meta,
                "rows": sorted(bench.rows + kept, key=_row_order)}
            opts.previous = results["sizes"]
            opts.results.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
            shutil.rmtree(bench.work, ignore_errors=True)
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
    sys.path.insert(0, str(HERE))
    from report import write_markdown

    write_markdown(results, opts.markdown, None if opts.no_plot else opts.markdown.with_name("results.png"))
    log(f"wrote {opts.results} and {opts.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
