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


# Line breaks inside a cell: the csv module quotes a cell only for its line terminator's characters (``\n``
# here), so a bare carriage return (how old Mac files end lines) was written unquoted, and spreadsheets and
# CSV readers started a new row there, perhaps with a formula where the cell's text went on.
BREAKS = ["\r", "\r\n", "\n", "\r=SUM(A1)", "\r@x"]


def _with_breaks(path: Path) -> tuple[list[str], list[list[str]], int]:
    """The header and rows of a real file, every third row's job title (column 4) cut by a line break;
    and how many titles hold a carriage return."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        header, *lines = list(csv.reader(f))
    assert header[4] == "Job Title"
    for n, line in enumerate(lines[::3]):
        cut = len(line[4]) // 2
        line[4] = line[4][:cut] + BREAKS[n % len(BREAKS)] + line[4][cut:]
    return header, lines, sum("\r" in line[4] for line in lines)


def test_csv_of_a_real_file_with_line_breaks_in_cells_reads_back_cell_for_cell(tmp_path: Path) -> None:
    header, lines, with_cr = _with_breaks(SENIOR)
    assert with_cr > 10
    columns = [f"{i} {name}" for i, name in enumerate(header)]  # the file has two columns named ""
    rows = [dict(zip(columns, line, strict=True)) for line in lines]
    out = tmp_path / "out.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        f.write(render.to_csv(rows, columns))
    with out.open(encoding="utf-8", newline="") as f:
        text = f.read()
        f.seek(0)
        back = list(csv.reader(f))
    assert back[0] == columns and len(back) == len(lines) + 1
    assert back[1:] == [[render.safe_cell(c) for c in line] for line in lines]  # formula-safe, not cut
    assert sum("\r" in row[4] for row in back[1:]) == with_cr
    assert "".join(render_stream(iter(lines), columns, "csv")) == text  # `kg reports --all` writes the same


TEXT = st.one_of(TRICKY, st.text(alphabet=st.sampled_from('ab,"=+-@\r\n\t '), max_size=6))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), max_size=8))
def test_csv_reads_back_cell_for_cell(rows: list[tuple[str, str]]) -> None:
    text = render.to_csv([dict(zip("ab", r, strict=True)) for r in rows], ["a", "b"])
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert back == [["a", "b"]] + [[render.safe_cell(c) for c in r] for r in rows]


def test_exported_titles_with_line_breaks_read_back(tmp_path: Path) -> None:
    """End to end: a real organogram whose job titles hold line breaks, loaded and exported by `kg`."""
    header, lines, _ = _with_breaks(SENIOR)
    source = tmp_path / "senior.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *lines])  # "\r\n" line ends: the csv module quotes these cells
    posts: dict[str, list[str]] = {}
    for line in lines:
        posts.setdefault(line[1], []).append(line[4])
    titles = {i: t[0] for i, t in posts.items() if len(t) == 1 and i not in ("", "0")}  # ids naming one post
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    kg = [sys.executable, "-m", "kg.cli", "--store", str(tmp_path / "store")]
    subprocess.run([*kg, "load", str(source)], env=env, check=True, capture_output=True, timeout=120)
    target = tmp_path / "people.csv"
    subprocess.run([*kg, "export", "--format", "csv", "-o", str(target)], env=env, check=True,
                   capture_output=True, timeout=120)
    with target.open(encoding="utf-8", newline="") as f:
        exported = {r["id"]: r["title"] for r in csv.DictReader(f)}
    broken = {i: t for i, t in titles.items() if "\r" in t}
    assert len(broken) > 10
    # (the loader trims the spaces around a cell)
    assert {i: exported.get(i) for i in broken} == {i: render.safe_cell(t.strip()) for i, t in broken.items()}
