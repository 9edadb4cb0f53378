"""Locking: one writer at once (a second `kg load` waits or fails clearly); readers never see half a load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_snapshot import org_csv

from kg.errors import StoreBusyError
from kg.ingest.load import load_files
from kg.store import open_store, opened

KG = [sys.executable, "-m", "kg.cli"]


def _env(store: Path, **extra: str) -> dict[str, str]:
    return dict(os.environ, KG_STORE=str(store), **extra)


def _posts(store: Path) -> int:
    out = subprocess.run(KG + ["stats", "--format", "json"], env=_env(store), capture_output=True, text=True,
                         timeout=120, check=True)
    return json.loads(out.stdout)["posts"]


@pytest.mark.slow
def test_second_load_waits_and_readers_see_all_or_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with opened(store, write=True) as s:
        load_files(s, [org_csv(tmp_path / "org.csv", 1_000)])
    before = _posts(store)
    (tmp_path / "big").mkdir()
    big = org_csv(tmp_path / "big" / "org.csv", 40_000)  # same name: replaces the first org.csv
    first = subprocess.Popen(KG + ["load", str(big)], env=_env(store), stderr=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, text=True)
    assert first.stderr is not None and "loading" in first.stderr.readline()  # holds the write lock now
    second = subprocess.Popen(KG + ["load", str(org_csv(tmp_path / "other.csv", 10, prefix="X"))],
                              env=_env(store), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    # Readers wait for the load (30 s by default; longer here: a 40,000-row load on a busy CI machine can
    # take longer than that, and a reader that gives up proves nothing about what it would have seen).
    readers = [subprocess.Popen(KG + ["stats", "--format", "json"], env=_env(store, KG_LOCK_TIMEOUT="300"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    time.sleep(0.5)
    assert first.poll() is None, "the first load ended too soon for the test to mean anything"
    assert all(r.poll() is None for r in readers)  # readers wait while the load runs
    assert first.wait(timeout=300) == 0
    _, second_err = second.communicate(timeout=300)
    assert second.returncode == 0, second_err
    assert "waiting for another kg process" in second_err
    counts = []
    for reader in readers:
        out, err = reader.communicate(timeout=300)
        assert reader.returncode == 0, err
        counts.append(json.loads(out)["posts"])
    after = _posts(store)
    assert after == 40_000 + 10 and before == 1_000
    # Each reader saw the store before or after the big load (or after both loads), never half of one.
    assert set(counts) <= {before, 40_000, after}


def test_second_writer_fails_clearly_after_the_timeout(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = org_csv(tmp_path / "org.csv", 10)
    with opened(store, write=True):  # this process holds the write lock
        started = time.monotonic()
        result = subprocess.run(KG + ["load", str(data)], env=_env(store, KG_LOCK_TIMEOUT="0.5"),
                                capture_output=True, text=True, timeout=60)
        waited = time.monotonic() - started
    assert result.returncode == 1
    assert "is busy" in result.stderr and "KG_LOCK_TIMEOUT" in result.stderr
    assert "Traceback" not in result.stderr
    assert waited >= 0.5
    reader = subprocess.run(KG + ["sources"], env=_env(store), capture_output=True, text=True, timeout=60)
    assert reader.returncode == 0 and "(none)" in reader.stdout  # the failed load wrote nothing


def test_readers_share_and_exclude_a_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_LOCK_TIMEOUT", raising=False)
    store = tmp_path / "store"
    with opened(store, write=True) as s:
        load_files(s, [org_csv(tmp_path / "org.csv", 10)])
    one = open_store(store)
    two = open_store(store, wait=0.2)  # readers share the lock
    try:
        assert len(one.sources()) == len(two.sources()) == 1
        with pytest.raises(StoreBusyError, match="busy"):
            open_store(store, write=True, wait=0.2)
    finally:
        one.close()
        two.close()
    writer = open_store(store, write=True, wait=0.2)  # free again once the readers close
    try:
        with pytest.raises(StoreBusyError):
            open_store(store, wait=0.2)  # a reader waits for the writer
    finally:
        writer.close()


def test_waiting_writer_says_so_on_stderr(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = org_csv(tmp_path / "org.csv", 10)
    holder = open_store(store, write=True)
    waiter = subprocess.Popen(KG + ["load", str(data)], env=_env(store), stderr=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, text=True)
    assert waiter.stderr is not None
    assert "waiting for another kg process" in waiter.stderr.readline()
    holder.close()
    assert waiter.wait(timeout=60) == 0
    assert waiter.stderr.read().count("loaded") == 1
