"""Nothing lost: a load that fails late or is SIGKILLed midway leaves the visible store exactly as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_snapshot import leftover_graphs, org_csv, snapshot

from kg.errors import InputError
from kg.ingest.load import load_files
from kg.store import opened


@pytest.fixture
def loaded(example_store: Path, tmp_path: Path) -> Path:
    """The example store plus a first org.csv (10,000 people) that a failed load would replace."""
    with opened(example_store, write=True) as store:
        load_files(store, [org_csv(tmp_path / "org.csv", 10_000, prefix="OLD")])
    return example_store


def test_failure_at_row_9999_of_10000_changes_nothing(loaded: Path, tmp_path: Path) -> None:
    before = snapshot(loaded)
    bad = org_csv(tmp_path / "org.csv", 10_000, bad_row=9_999)
    with opened(loaded, write=True) as store, pytest.raises(InputError, match="row 9999"):
        load_files(store, [bad])
    assert snapshot(loaded) == before
    assert leftover_graphs(loaded) == []


def test_failure_after_a_whole_file_was_written_changes_nothing(loaded: Path, tmp_path: Path) -> None:
    """The first file is fully written to its staging graph, then the second file fails: none of it shows."""
    before = snapshot(loaded)
    good = org_csv(tmp_path / "new.csv", 10_000, prefix="NEW")
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e .\n")
    with opened(loaded, write=True) as store, pytest.raises(InputError, match="broken.ttl"):
        load_files(store, [good, broken])
    assert snapshot(loaded) == before
    assert leftover_graphs(loaded) == []


def test_cli_failure_exits_1_and_changes_nothing(loaded: Path, tmp_path: Path) -> None:
    before = snapshot(loaded)
    bad = org_csv(tmp_path / "org.csv", 10_000, bad_row=9_999)
    result = subprocess.run([sys.executable, "-m", "kg.cli", "--store", str(loaded), "load", str(bad)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "row 9999" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(loaded) == before


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.5, 2.0])
def test_sigkill_midway_changes_nothing(loaded: Path, tmp_path: Path, delay: float) -> None:
    before = snapshot(loaded)
    big = org_csv(tmp_path / "org.csv", 60_000, prefix="BIG")
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "--store", str(loaded), "load", str(big)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert proc.stderr is not None
    assert "loading" in proc.stderr.readline()  # the load has begun
    time.sleep(delay)
    assert proc.poll() is None, "the load finished before it could be killed; make the file bigger"
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert snapshot(loaded) == before
    # The next writer removes what the killed load left behind, and loads normally.
    with opened(loaded, write=True) as store:
        load_files(store, [org_csv(tmp_path / "small.csv", 10, prefix="S")])
    assert leftover_graphs(loaded) == []
    names = [s["name"] for s in snapshot(loaded)[0]]
    assert "small.csv" in names and "org.csv" in names


def test_output_files_are_replaced_atomically(example_store: Path, tmp_path: Path) -> None:
    """A write that fails midway leaves the old file whole and no temporary file behind."""
    from kg.export import write_atomic

    out = tmp_path / "out"
    out.mkdir()
    target = out / "chart.html"
    target.write_text("the old chart")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "<html>" + "x" * 100_000 + "\ud800")  # cannot be encoded: fails while writing
    assert target.read_text() == "the old chart"
    assert sorted(p.name for p in out.iterdir()) == ["chart.html"]
    result = subprocess.run([sys.executable, "-m", "kg.cli", "--store", str(example_store), "viz", "-o",
                             str(target), "--root", "nobody-at-all"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and target.read_text() == "the old chart"
    result = subprocess.run([sys.executable, "-m", "kg.cli", "--store", str(example_store), "viz", "-o",
                             str(target)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and target.read_text().startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in out.iterdir()) == ["chart.html"]
