"""Streamed output (`kg reports X --all`): exactly the text of the rows rendered at once (CSV cells made
spreadsheet-safe by :func:`kg.render.safe_cell`), whatever the cells hold and wherever the batches split."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import render
from kg.render import render_stream

ROOT = Path(__file__).resolve().parent.parent
SENIOR = ROOT / "tests/data/realdata/uk-organograms/300913-HMRC-Organogram-Final-senior.csv"
FIELDS = ["id", "name", "title", "iri", "depth", "manager_id"]
SHOWN = ["id", "name", "title", "depth", "manager_id"]

# Text that starts like a formula, holds the CSV module's special characters, or reads like a bool/dict/list.
TRICKY = st.sampled_from(["=1+2", "+x", "-y", "@z", "\tt", "\rr", "\nn", "a,b", 'say "hi"', "x\ny", "True",
                          "False", "{a}", "[b]", "Lima-Silva", "E,=1", 'E,"=1', "", " =no"])
CELL = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=6), TRICKY,
                 st.dictionaries(st.sampled_from(["name", "id"]), st.text(max_size=3), max_size=1),
                 st.lists(st.text(max_size=3), max_size=2))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(*[CELL] * len(FIELDS)), max_size=12), st.integers(1, 4))
def test_streamed_csv_is_the_csv_of_the_rows(rows: list[tuple], chunk: int) -> None:
    old, render._CHUNK = render._CHUNK, chunk  # small batches: every batch boundary is exercised
    try:
        streamed = "".join(render_stream(iter(rows), FIELDS, "csv", SHOWN))
    finally:
        render._CHUNK = old
    assert streamed == render.to_csv([dict(zip(FIELDS, r, strict=True)) for r in rows], SHOWN)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_reports_all_of_a_real_file_lists_everyone_below(tmp_path: Path, fmt: str) -> None:
    """Everyone below the top post of a real organogram, counted from the file: streamed as CSV or JSON."""
    with SENIOR.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    boss: dict[str, list[str]] = {}
    for r in rows:
        boss.setdefault(r["Post Unique Reference"], []).append(r["Reports to Senior Post"])
    ids = [i for i, managers in boss.items() if len(managers) == 1]  # ids that name one post
    tops = [i for i in ids if boss[i][0] in ("XX", "xx")]
    top = tops[0]
    below: set[str] = set()
    frontier = {top}
    while frontier:
        frontier = {i for i in ids if boss[i][0] in frontier} - below
        below |= frontier
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    store = tmp_path / "store"
    kg = [sys.executable, "-m", "kg.cli", "--store", str(store)]
    subprocess.run([*kg, "load", str(SENIOR)], env=env, check=True, capture_output=True, timeout=120)
    out = subprocess.run([*kg, "reports", top, "--all", "--format", fmt], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    listed = (list(csv.DictReader(io.StringIO(out.stdout))) if fmt == "csv" else json.loads(out.stdout))
    assert below <= {r["id"] for r in listed}
