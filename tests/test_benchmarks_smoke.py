"""A tiny benchmark run (1,000 people, one repetition), so the benchmark code never rots.

Speed is never asserted here: only that every measurement ran, against its baseline where it has one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


@pytest.mark.slow
def test_tiny_benchmark_run(tmp_path: Path) -> None:
    results, markdown = tmp_path / "results.json", tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, str(RUN), "--sizes", "1000", "--repeat", "1", "--warmup", "0",
         "--rdflib-timeout", "1", "--serve-seconds", "0.5", "--viz-sizes", "", "--work", str(tmp_path),
         "--results", str(results), "--markdown", str(markdown), "--no-plot"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(results.read_text())["sizes"]["1000"]
    rows = {r["key"]: r for r in data["rows"]}
    assert data["meta"]["posts"] == 1000
    for key in ("load-csv", "load-nt", "who", "chain", "reports-all", "span"):
        assert rows[key]["kg"]["median"] > 0 and rows[key]["kg"]["rss_mb"] > 0, key
        assert rows[key]["baseline"]["median"] > 0 and rows[key]["ratio"] > 0, key
    assert any(k.startswith("query-") for k in rows)
    # every row of issue 15's table, with the load average it was measured at
    for key in ("help", "who", "chain", "reports-all-csv", "span", "stats", "centrality-cli", "health", "layers",
                "projection-attributes", "load-csv", "store-disk"):
        assert rows[key]["kg"]["median"] > 0 and rows[key]["kg"]["load_average"], key
    assert rows["help"]["target"][0] > 0 and rows["help"]["today"]  # issue 15's target and "today", every size
    disk = rows["store-disk"]
    assert disk["unit"] == "KB/person" and disk["kg"]["median"] == pytest.approx(disk["kg"]["mb"] * 1e3 / 1000)
    assert rows["betweenness"]["baseline"]["runs"] == 1  # networkx exact, really run at 1,000
    text = markdown.read_text()
    assert "### 1,000 people" in text and "kg chain" in text and "rdflib" in text
    assert not list(tmp_path.glob("kg-bench-*"))  # generated files and stores are cleaned up
